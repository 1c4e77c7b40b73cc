// The runtime side of stdlib/Host.spi. Notify posts an Event of interface Host, index 0, whose payload is the
// code as 8 little-endian bytes (docs/messages.md, "Messages of the runtime's interfaces"); like every event,
// a notification the channel cannot take is refused and counted, never waited for.
#include "stdlib/HostRuntime.h"

#include "detail/HostContext.h"
#include "detail/Invocation.h"
#include "spine/wire.h"
#include "stdlib/HostPost.h"

using spine::nicrt::detail::requireInvocation;

extern "C" {

void spx_host_notify(int64_t code, uint32_t) {
  spine::nicrt::Extension::Impl &x = *requireInvocation("Host.Notify").extension;
  uint8_t payload[8];
  spine_wire_store_le(payload, static_cast<uint64_t>(code), 8);
  static const uint64_t host = spine::nicrt::detail::runtimeInterfaceFingerprint("Host");
  spine::nicrt::detail::postToHost(x, host, 0, payload);
}

int64_t spx_host_attached(uint32_t) {
  spine::nicrt::Extension::Impl &x = *requireInvocation("Host.Attached").extension;
  return x.host && x.host->attached() ? 1 : 0;
}

int64_t spx_host_room(uint32_t) {
  spine::nicrt::Extension::Impl &x = *requireInvocation("Host.Room").extension;
  uint64_t room = x.host ? x.host->room() : 0;
  return room > INT64_MAX ? INT64_MAX : static_cast<int64_t>(room);
}

}  // extern "C"
