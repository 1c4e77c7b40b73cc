#include "spine/host/Marshal.h"

#include "spine/abi.h"

#include <string>

namespace spine::host {

namespace {
std::string range(std::int64_t lo, std::int64_t hi) {
  return "[" + std::to_string(lo) + ".." + std::to_string(hi) + "]";
}
}  // namespace

MessageBuffer &Writer::complete() {
  if (bytes_.size() < wire::kHeaderSize) throw Error("Writer::complete: no message was begun");
  std::size_t payload = bytes_.size() - wire::kHeaderSize;
  if (payload > wire::kMaxPayload)
    throw Error("message too large: payload of " + std::to_string(payload) + " bytes, at most " +
                std::to_string(wire::kMaxPayload));
  wire::storeLE(bytes_.data() + wire::kLengthOffset, payload, 4);
  return bytes_;
}

void Writer::outOfRange(const char *field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  throw ValueOutOfRange(field, std::to_string(v) + " is not in " + range(lo, hi));
}

void Writer::tooLong(const char *field, std::size_t n) {
  throw ValueOutOfRange(field, "length " + std::to_string(n) + " is more than the wire allows (" +
                                   std::to_string(wire::kMaxCount) + ")");
}

Header Reader::header() {
  if (size_ < wire::kHeaderSize)
    fail("header", "message of " + std::to_string(size_) + " bytes is shorter than the " +
                       std::to_string(wire::kHeaderSize) + "-byte header");
  Header h;
  h.kind = u8("header.kind");
  h.version = u8("header.version");
  if (h.version != wire::kVersion) {
    pos_ = wire::kVersionOffset;
    fail("header.version", "version " + std::to_string(h.version) + ", expected " + std::to_string(wire::kVersion));
  }
  h.index = u16("header.index");
  h.length = u32("header.length");
  if (h.length != size_ - wire::kHeaderSize) {
    pos_ = wire::kLengthOffset;
    fail("header.length", "payload length " + std::to_string(h.length) + " but " +
                              std::to_string(size_ - wire::kHeaderSize) + " bytes follow the header");
  }
  h.fingerprint = u64("header.fingerprint");
  h.callId = u64("header.callId");
  return h;
}

std::string Reader::text(const char *field) {
  std::size_t at = pos_;
  std::uint32_t n = u32(field);
  if (n > remaining()) {
    pos_ = at;
    fail(field, "TEXT of " + std::to_string(n) + " bytes but only " + std::to_string(remaining() - 4) + " remain");
  }
  std::string s(reinterpret_cast<const char *>(data_ + pos_), n);
  pos_ += n;
  return s;
}

std::size_t Reader::count(std::size_t minElementBytes, const char *field) {
  std::size_t at = pos_;
  std::uint32_t n = u32(field);
  if (n > wire::kMaxCount) {
    pos_ = at;
    fail(field, "count " + std::to_string(n) + " is more than " + std::to_string(wire::kMaxCount));
  }
  if (minElementBytes != 0 && n > remaining() / minElementBytes) {
    pos_ = at;
    fail(field, "count " + std::to_string(n) + " of elements of at least " + std::to_string(minElementBytes) +
                    " bytes but only " + std::to_string(remaining()) + " bytes remain");
  }
  return n;
}

void Reader::end() {
  if (pos_ != size_) fail("end of message", std::to_string(size_ - pos_) + " unexpected bytes after the last field");
}

void Reader::fail(const char *field, const std::string &what) const { throw BadMessage(field, pos_, what); }

void Reader::truncated(const char *field, std::size_t wanted) const {
  fail(field, "message ends: " + std::to_string(wanted) + " bytes needed, " + std::to_string(size_ - pos_) + " left");
}

void Reader::outOfRange(const char *field, std::size_t at, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  throw BadMessage(field, at, "value " + std::to_string(v) + " is not in " + range(lo, hi));
}

void Reader::badSetBit(const char *field, std::size_t at, std::size_t bit, std::size_t n) {
  throw BadMessage(field, at, "bit " + std::to_string(bit) + " set in a set of " + std::to_string(n) + " elements");
}

namespace {
void checkHeader(const Header &h, std::uint64_t fingerprint, std::uint16_t index, const char *what) {
  if (h.fingerprint != fingerprint)
    throw BadMessage("header.fingerprint", wire::kFingerprintOffset,
                     std::string(what) + " of another interface (fingerprint mismatch)");
  if (h.index != index)
    throw BadMessage("header.index", wire::kIndexOffset,
                     std::string(what) + " for index " + std::to_string(h.index) + ", expected " +
                         std::to_string(index));
}
}  // namespace

wire::MessageKind openReply(Reader &r, std::uint64_t fingerprint, std::uint16_t index) {
  Header h = r.header();
  if (!wire::isReply(h.kind))
    throw BadMessage("header.kind", wire::kKindOffset, "kind " + std::to_string(h.kind) + " is not a reply");
  checkHeader(h, fingerprint, index, "reply");
  auto kind = static_cast<wire::MessageKind>(h.kind);
  if (kind == wire::MessageKind::Trapped) {
    std::uint32_t trap = r.u32("trap.kind");
    std::string file = r.text("trap.file");
    std::uint32_t line = r.u32("trap.line");
    r.end();
    throw ExtensionTrapped(trap, spx_trap_name(trap), std::move(file), line);
  }
  if (kind == wire::MessageKind::Rejected) {
    std::string reason = r.text("rejected.reason");
    r.end();
    throw RequestRejected(reason);
  }
  return kind;
}

void openEvent(Reader &r, std::uint64_t fingerprint, std::uint16_t index) {
  Header h = r.header();
  if (h.kind != static_cast<std::uint8_t>(wire::MessageKind::Event))
    throw BadMessage("header.kind", wire::kKindOffset, "kind " + std::to_string(h.kind) + " is not an event");
  checkHeader(h, fingerprint, index, "event");
}

std::uint16_t exceptionPosition(Reader &r, std::uint16_t count) {
  std::size_t at = r.offset();
  std::uint16_t which = r.u16("exception.position");
  if (which >= count)
    throw BadMessage("exception.position", at,
                     "position " + std::to_string(which) + " but the request raises " + std::to_string(count) +
                         " exception(s)");
  return which;
}

}  // namespace spine::host
