// Writer and Reader: the byte-level marshalling the generated stubs are made of (docs/messages.md). A Writer
// checks host values against their interface types before anything is sent (ValueOutOfRange); a Reader checks
// every byte it consumes and throws BadMessage naming the field and its offset on malformed input -- it never
// reads past the end and never allocates more than the message can describe.
#pragma once

#include "spine/host/Errors.h"
#include "spine/host/MessageBuffer.h"
#include "spine/host/Wire.h"

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace spine::host {

// Whether v is in [Lo..Hi], without comparisons that are always true (which -Wextra reports).
template <std::int64_t Lo, std::int64_t Hi>
constexpr bool inRange(std::int64_t v) {
  bool ok = true;
  if constexpr (Lo != std::numeric_limits<std::int64_t>::min()) ok = ok && v >= Lo;
  if constexpr (Hi != std::numeric_limits<std::int64_t>::max()) ok = ok && v <= Hi;
  return ok;
}

// Marshals one message into its own MessageBuffer (inline: no allocation for a message of a few fields). The
// header is filled in by begin() (or the constructor), except the payload length (complete()) and, for requests,
// the call id (the Channel assigns it).
class Writer {
public:
  Writer() = default;
  Writer(wire::MessageKind kind, std::uint64_t fingerprint, std::uint16_t index, std::uint64_t callId = 0) {
    begin(kind, fingerprint, index, callId);
  }
  Writer(const Writer &) = delete;
  Writer &operator=(const Writer &) = delete;

  // Starts the message afresh.
  void begin(wire::MessageKind kind, std::uint64_t fingerprint, std::uint16_t index, std::uint64_t callId = 0) {
    bytes_.clear();
    std::uint8_t *h = bytes_.grow(wire::kHeaderSize);
    std::memset(h, 0, wire::kHeaderSize);
    h[wire::kKindOffset] = static_cast<std::uint8_t>(kind);
    h[wire::kVersionOffset] = wire::kVersion;
    wire::storeLE(h + wire::kIndexOffset, index, 2);
    wire::storeLE(h + wire::kFingerprintOffset, fingerprint, 8);
    wire::storeLE(h + wire::kCallIdOffset, callId, 8);
  }

  void u8(std::uint8_t v) { *bytes_.grow(1) = v; }
  void u16(std::uint16_t v) { put(v, 2); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }

  // An ordinal of ORD range [Lo..Hi], given as its ORD value.
  template <std::int64_t Lo, std::int64_t Hi>
  void ordinal(std::int64_t v, const char *field) {
    if (!inRange<Lo, Hi>(v)) outOfRange(field, v, Lo, Hi);
    put(static_cast<std::uint64_t>(v), wire::ordinalWidth(Lo, Hi));
  }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void text(std::string_view s, const char *field) {
    if (s.size() > wire::kMaxPayload) tooLong(field, s.size());
    u32(static_cast<std::uint32_t>(s.size()));
    if (!s.empty()) std::memcpy(bytes_.grow(s.size()), s.data(), s.size());
  }
  // The element count of an open array.
  void count(std::size_t n, const char *field) {
    if (n > wire::kMaxCount) tooLong(field, n);
    u32(static_cast<std::uint32_t>(n));
  }
  template <std::size_t N>
  void set(const std::bitset<N> &s) {
    for (std::size_t w = 0; w < (N + 63) / 64; ++w) {
      std::uint64_t word = 0;
      for (std::size_t b = 0; b < 64 && w * 64 + b < N; ++b)
        if (s.test(w * 64 + b)) word |= std::uint64_t{1} << b;
      u64(word);
    }
  }

  // Completes the header (the payload length); the message stays here (message()). Throws Error if the payload
  // exceeds wire::kMaxPayload.
  MessageBuffer &complete();
  // complete(), and a copy of the message.
  Bytes finish() { return complete().toBytes(); }
  std::size_t size() const { return bytes_.size(); }

private:
  void put(std::uint64_t v, unsigned width) { wire::storeLE(bytes_.grow(width), v, width); }
  [[noreturn]] static void outOfRange(const char *field, std::int64_t v, std::int64_t lo, std::int64_t hi);
  [[noreturn]] static void tooLong(const char *field, std::size_t n);
  MessageBuffer bytes_;
};

// The fixed header of a message, as read (not yet validated beyond its size).
struct Header {
  std::uint8_t kind = 0;
  std::uint8_t version = 0;
  std::uint16_t index = 0;
  std::uint32_t length = 0;
  std::uint64_t fingerprint = 0;
  std::uint64_t callId = 0;
};

class Reader {
public:
  Reader(const std::uint8_t *data, std::size_t size) : data_(data), size_(size) {}
  explicit Reader(const Bytes &bytes) : data_(bytes.data()), size_(bytes.size()) {}

  // Reads the header and checks the version and that the payload length is what follows it.
  Header header();

  std::uint8_t u8(const char *field) { return static_cast<std::uint8_t>(get(1, field)); }
  std::uint16_t u16(const char *field) { return static_cast<std::uint16_t>(get(2, field)); }
  std::uint32_t u32(const char *field) { return static_cast<std::uint32_t>(get(4, field)); }
  std::uint64_t u64(const char *field) { return get(8, field); }

  // An ordinal of ORD range [Lo..Hi]; returns its ORD value.
  template <std::int64_t Lo, std::int64_t Hi>
  std::int64_t ordinal(const char *field) {
    constexpr unsigned width = wire::ordinalWidth(Lo, Hi);
    std::size_t at = pos_;
    std::uint64_t raw = get(width, field);
    std::int64_t v;
    if (Lo < 0 && width < 8) {
      // Sign-extend from `width` bytes.
      std::uint64_t sign = std::uint64_t{1} << (8 * width - 1);
      v = static_cast<std::int64_t>((raw ^ sign) - sign);
    } else {
      std::memcpy(&v, &raw, sizeof v);
    }
    if (!inRange<Lo, Hi>(v)) outOfRange(field, at, v, Lo, Hi);
    return v;
  }
  bool boolean(const char *field) { return ordinal<0, 1>(field) != 0; }
  std::string text(const char *field);
  // The element count of an open array whose elements take at least `minElementBytes` each: it must fit in
  // what is left of the message (and in wire::kMaxCount), so a lying count cannot make the host allocate.
  std::size_t count(std::size_t minElementBytes, const char *field);
  template <std::size_t N>
  std::bitset<N> set(const char *field) {
    std::bitset<N> s;
    for (std::size_t w = 0; w < (N + 63) / 64; ++w) {
      std::size_t at = pos_;
      std::uint64_t word = get(8, field);
      for (std::size_t b = 0; b < 64; ++b) {
        if (!(word >> b & 1)) continue;
        if (w * 64 + b >= N) badSetBit(field, at, w * 64 + b, N);
        s.set(w * 64 + b);
      }
    }
    return s;
  }
  // Insists that the whole message was consumed.
  void end();

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return size_ - pos_; }
  [[noreturn]] void fail(const char *field, const std::string &what) const;

private:
  std::uint64_t get(unsigned width, const char *field) {
    if (size_ - pos_ < width) truncated(field, width);
    std::uint64_t v = wire::loadLE(data_ + pos_, width);
    pos_ += width;
    return v;
  }
  [[noreturn]] void truncated(const char *field, std::size_t wanted) const;
  [[noreturn]] static void outOfRange(const char *field, std::size_t at, std::int64_t v, std::int64_t lo,
                                      std::int64_t hi);
  [[noreturn]] static void badSetBit(const char *field, std::size_t at, std::size_t bit, std::size_t n);

  const std::uint8_t *data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// Opens a reply to request `index` of the interface with `fingerprint`: checks the header, then throws
// ExtensionTrapped for a trap reply and RequestRejected for a bad-message reply. Returns Result or Exception,
// with `r` positioned at the payload.
wire::MessageKind openReply(Reader &r, std::uint64_t fingerprint, std::uint16_t index);
// Opens event `index` of the interface with `fingerprint`, positioning `r` at its arguments.
void openEvent(Reader &r, std::uint64_t fingerprint, std::uint16_t index);
// Reads the RAISES position of an exception reply, which must be below `count`.
std::uint16_t exceptionPosition(Reader &r, std::uint16_t count);

}  // namespace spine::host
