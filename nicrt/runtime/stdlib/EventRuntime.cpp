// Events an extension raises to its host (spx_rt_event_begin/end, include/spine/abi.h): the generated event
// procedure encodes the payload; the runtime frames it (docs/messages.md) and hands it to the NIC's host channel.
// A message that cannot be taken is refused and counted; nothing here traps or blocks.
#include <cstring>

#include "detail/Exports.h"
#include "detail/HostContext.h"
#include "detail/Invocation.h"
#include "spine/wire.h"
#include "stdlib/HostPost.h"

namespace spine::nicrt::detail {
namespace {

// Room for an Event message with a `size`-byte payload, its header written; nullptr (counted as refused) when the
// host channel cannot take it now.
uint8_t *reserveEvent(Extension::Impl &x, uint64_t fingerprint, uint32_t index, uint64_t size) noexcept {
  uint8_t *message = nullptr;
  if (x.host && size <= SPINE_WIRE_MAX_PAYLOAD && index <= UINT16_MAX) message = x.host->reserve(size);
  if (!message) {
    ++x.eventsRefused;
    return nullptr;
  }
  spine_wire_header h{};
  h.kind = SPINE_WIRE_EVENT;
  h.version = SPINE_WIRE_VERSION;
  h.index = static_cast<uint16_t>(index);
  h.length = static_cast<uint32_t>(size);
  h.fingerprint = fingerprint;
  h.call_id = 0;
  spine_wire_header_store(message, &h);
  return message;
}

}  // namespace

bool postToHost(Extension::Impl &x, uint64_t fingerprint, uint16_t index, std::span<const uint8_t> payload) noexcept {
  uint8_t *message = reserveEvent(x, fingerprint, index, payload.size());
  if (!message) return false;
  if (!payload.empty()) std::memcpy(message + SPINE_WIRE_HEADER_SIZE, payload.data(), payload.size());
  ++x.eventsPosted;
  x.host->commit(message);
  return true;
}

uint64_t runtimeInterfaceFingerprint(const char *name) noexcept {
  uint64_t fp = 0;
  if (!stdlibFingerprint(name, fp)) __builtin_trap();  // the build generated every stdlib interface's
  return fp;
}

}  // namespace spine::nicrt::detail

extern "C" uint8_t *spx_rt_event_begin(uint64_t fingerprint, uint32_t index, uint64_t size) {
  spine::nicrt::Extension::Impl &x = *spine::nicrt::detail::requireInvocation("an event").extension;
  uint8_t *message = spine::nicrt::detail::reserveEvent(x, fingerprint, index, size);
  if (!message) return nullptr;
  x.eventPayload = message + SPINE_WIRE_HEADER_SIZE;  // the generated encoder writes exactly these bytes
  x.eventPayloadSize = size;
  return x.eventPayload;
}

extern "C" void spx_rt_event_end(uint8_t *payload) {
  spine::nicrt::Extension::Impl &x = *spine::nicrt::detail::requireInvocation("an event").extension;
  ++x.eventsPosted;
  x.eventPayload = nullptr;
  x.eventPayloadSize = 0;
  x.host->commit(payload - SPINE_WIRE_HEADER_SIZE);
}
