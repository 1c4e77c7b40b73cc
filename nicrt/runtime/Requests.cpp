// Host requests on the NIC side (docs/messages.md): the runtime checks a request's header, then the image's
// generated dispatcher ("spx.request.I", compiler/codegen/CGRequests.cpp) checks and decodes the payload, runs
// the request and encodes its reply through spx_rt_reply_begin/end. Every accepted message gets exactly one
// reply: Result or Exception from the generated code, Trapped when the invocation trapped, Rejected (with the
// reason) when the message was not a valid request, in which case nothing ran.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "detail/Invocation.h"
#include "spine/wire.h"

namespace spine::nicrt {
namespace {

void appendLe(std::vector<uint8_t> &out, uint64_t v, unsigned width) {
  size_t at = out.size();
  out.resize(at + width);
  spine_wire_store_le(out.data() + at, v, width);
}

void appendText(std::vector<uint8_t> &out, std::string_view text) {
  appendLe(out, text.size(), 4);
  out.insert(out.end(), text.begin(), text.end());
}

// A reply to `request` (its fingerprint, index and call id as received) of `kind` with `payload`.
std::vector<uint8_t> replyTo(const spine_wire_header &request, uint8_t kind, const std::vector<uint8_t> &payload) {
  spine_wire_header h = request;
  h.kind = kind;
  h.version = SPINE_WIRE_VERSION;
  h.length = static_cast<uint32_t>(payload.size());
  std::vector<uint8_t> out(SPINE_WIRE_HEADER_SIZE + payload.size());
  spine_wire_header_store(out.data(), &h);
  if (!payload.empty()) std::memcpy(out.data() + SPINE_WIRE_HEADER_SIZE, payload.data(), payload.size());
  return out;
}

void reject(const spine_wire_header &request, std::string reason, RequestResult &r) {
  std::vector<uint8_t> payload;
  appendText(payload, reason);
  r.reply = replyTo(request, SPINE_WIRE_REJECTED, payload);
  r.rejected = std::move(reason);
}

RequestResult rejection(const spine_wire_header &request, std::string reason) {
  RequestResult r;
  reject(request, std::move(reason), r);
  return r;
}

}  // namespace

std::vector<uint8_t> rejectedReply(std::span<const uint8_t> request, std::string_view reason) {
  return rejection(spine_wire_header_load(request.data()), std::string(reason)).reply;
}

void Extension::Impl::freeScratch() {
  for (auto &[p, n] : scratch) std::free(p);
  scratch.clear();
  scratchBytes = 0;
}

void Extension::serveRequest(std::span<const uint8_t> message, RequestResult &result) {
  Impl &x = *impl_;
  result.reply.clear();
  result.ran = false;
  result.outcome = Outcome{};
  result.rejected.clear();
  if (message.size() < SPINE_WIRE_HEADER_SIZE) return;  // cannot be answered: no call id to answer
  const spine_wire_header h = spine_wire_header_load(message.data());
  if (h.kind != SPINE_WIRE_REQUEST)
    return reject(h, "message kind " + std::to_string(h.kind) + " is not a request (1)", result);
  if (h.version != SPINE_WIRE_VERSION)
    return reject(h, "wire version " + std::to_string(h.version) + " is not supported (this NIC speaks 1)", result);
  if (h.length != message.size() - SPINE_WIRE_HEADER_SIZE)
    return reject(h, "length field says " + std::to_string(h.length) + " payload bytes but " +
                            std::to_string(message.size() - SPINE_WIRE_HEADER_SIZE) + " follow the header", result);
  const Impl::MessageInterface *iface = nullptr;
  for (const auto &m : x.messageInterfaces)
    if (m.fingerprint == h.fingerprint) iface = &m;
  if (!iface) {
    char fp[17];
    std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(h.fingerprint));
    return reject(h, std::string("fingerprint mismatch: ") + fp + " is no message interface extension " +
                            x.image.manifest.module + " exports (the host was built against another version?)", result);
  }
  if (h.index >= iface->requests)
    return reject(h, "request index " + std::to_string(h.index) + " names no request of " + iface->name +
                            " (it has " + std::to_string(iface->requests) + ")", result);

  x.requestPayload = message.data() + SPINE_WIRE_HEADER_SIZE;
  x.requestPayloadSize = h.length;
  std::memcpy(x.requestHeader, message.data(), SPINE_WIRE_HEADER_SIZE);
  x.reply = &result.reply;
  x.replied = false;
  Result<uint64_t> r = invoke(iface->dispatch, uint32_t{h.index}, x.requestPayload, uint64_t{h.length});
  x.reply = nullptr;
  x.requestPayload = nullptr;
  x.requestPayloadSize = 0;
  x.eventPayload = nullptr;  // a trap while the reply was being encoded
  x.eventPayloadSize = 0;
  x.freeScratch();

  const uint64_t value = r.value;
  result.outcome = std::move(static_cast<Outcome &>(r));  // moved, not copied: its detail is a string
  const Outcome &outcome = result.outcome;
  if (!outcome.ok()) {
    // It trapped (or, from a foreign image, let an exception escape): the reply says how and where.
    std::vector<uint8_t> payload;
    uint32_t kind = outcome.trapped() ? outcome.trapKind : uint32_t{SPX_TRAP_EXCEPTION};
    appendLe(payload, kind, 4);
    appendText(payload, outcome.file);
    appendLe(payload, outcome.line, 4);
    result.reply = replyTo(h, SPINE_WIRE_TRAPPED, payload);
    result.ran = true;
    return;
  }
  if (value == SPX_REQUEST_RAN) {
    if (!x.replied) return reject(h, "the extension's dispatcher posted no reply", result);  // not spinec's code
    result.ran = true;
    return;
  }
  if (value == SPX_REQUEST_NO_SUCH_INDEX)
    return reject(h, "request index " + std::to_string(h.index) + " names no request of " + iface->name, result);
  if (value == SPX_REQUEST_TOO_LARGE)
    return reject(h, "the arguments of request " + std::to_string(h.index) + " need more memory than extension " +
                         x.image.manifest.module + "'s heap quota leaves", result);
  return reject(h, "payload does not decode as the arguments of request " + std::to_string(h.index) + " of " +
                          iface->name + ": bad bytes at payload offset " + std::to_string(value - 1) +
                          " (truncated, out of range, or left over)", result);
}

}  // namespace spine::nicrt

using spine::nicrt::detail::requireInvocation;

extern "C" void *spx_rt_request_scratch(uint64_t size) {
  spine::nicrt::Extension::Impl &x = *requireInvocation("spx_rt_request_scratch").extension;
  // The arguments of one request together may take what the heap quota leaves: they are the extension's data.
  size_t quota = x.limits.heapBytes, used = x.heap.used();
  size_t left = quota > used ? quota - used : 0;
  if (size > left || x.scratchBytes > left - size) return nullptr;
  size_t bytes = (static_cast<size_t>(size) + 15) & ~size_t{15};
  if (bytes == 0) bytes = 16;
  void *p = std::aligned_alloc(16, bytes);
  if (!p) return nullptr;
  std::memset(p, 0, bytes);
  try {
    x.scratch.emplace_back(p, bytes);
  } catch (...) {
    std::free(p);
    return nullptr;
  }
  x.scratchBytes += bytes;
  return p;
}

extern "C" int64_t spx_rt_request_heap_fits(uint64_t size) {
  spine::nicrt::Extension::Impl &x = *requireInvocation("spx_rt_request_heap_fits").extension;
  size_t quota = x.limits.heapBytes, used = x.heap.used();
  return used <= quota && size <= quota - used ? 1 : 0;
}

extern "C" uint8_t *spx_rt_reply_begin(uint32_t kind, uint64_t size, uint32_t site) {
  spine::nicrt::detail::Invocation &inv = requireInvocation("spx_rt_reply_begin");
  spine::nicrt::Extension::Impl &x = *inv.extension;
  if (!x.reply) spine::nicrt::detail::outsideInvocation("spx_rt_reply_begin (no request being served)");
  if (size > SPINE_WIRE_MAX_PAYLOAD) spx_rt_trap(SPX_TRAP_MESSAGE_SIZE, site);
  bool ok = true;
  try {
    x.reply->assign(SPINE_WIRE_HEADER_SIZE + size, 0);
  } catch (...) {
    ok = false;
  }
  if (!ok) spx_rt_trap(SPX_TRAP_HEAP, site);  // after the catch: nothing of C++ is live when the trap unwinds
  uint8_t *message = x.reply->data();
  spine_wire_header h = spine_wire_header_load(x.requestHeader);
  h.kind = static_cast<uint8_t>(kind);
  h.version = SPINE_WIRE_VERSION;
  h.length = static_cast<uint32_t>(size);
  spine_wire_header_store(message, &h);
  x.eventPayload = message + SPINE_WIRE_HEADER_SIZE;  // the oracle lets the encoder write exactly these bytes
  x.eventPayloadSize = size;
  return x.eventPayload;
}

extern "C" void spx_rt_reply_end(uint8_t *) {
  spine::nicrt::Extension::Impl &x = *requireInvocation("spx_rt_reply_end").extension;
  x.eventPayload = nullptr;
  x.eventPayloadSize = 0;
  x.replied = true;
}
