// Events an extension raises to its host (spx_rt_event_begin/end, include/spine/abi.h): the generated event
// procedure encodes the payload; the runtime frames it (docs/messages.md) and hands it to the NIC's host channel.
// A message that cannot be taken is refused and counted; nothing here traps or blocks.
#include "detail/HostContext.h"
#include "detail/Invocation.h"
#include "spine/wire.h"

using spine::nicrt::detail::Invocation;

extern "C" uint8_t *spx_rt_event_begin(uint64_t fingerprint, uint32_t index, uint64_t size) {
  Invocation *inv = spine::nicrt::detail::currentInvocation();
  if (!inv) spine::nicrt::detail::outsideInvocation("an event");
  spine::nicrt::Extension::Impl &x = *inv->extension;
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
  return message + SPINE_WIRE_HEADER_SIZE;
}

extern "C" void spx_rt_event_end(uint8_t *payload) {
  Invocation *inv = spine::nicrt::detail::currentInvocation();
  if (!inv) spine::nicrt::detail::outsideInvocation("an event");
  spine::nicrt::Extension::Impl &x = *inv->extension;
  ++x.eventsPosted;
  x.host->commit(payload - SPINE_WIRE_HEADER_SIZE);
}
