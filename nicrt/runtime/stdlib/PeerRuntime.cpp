// The runtime side of stdlib/Peer.spi: device-to-device transfers. Forward hands a packet the extension holds
// to a peer device and uses up its handle (the buffer is freed once the device took the bytes); Send hands a
// copy of a message. A device that does not exist or is down raises Unreachable, and then nothing changed: the
// packet is still the caller's. The devices themselves are the NIC's (detail/PeerContext.h).
#include "stdlib/PeerRuntime.h"

#include "detail/Invocation.h"
#include "detail/PeerContext.h"
#include "stdlib/PacketAccess.h"

namespace {

using spine::nicrt::detail::Invocation;
using spine::nicrt::detail::PeerContext;
using spine::nicrt::detail::requireInvocation;

constexpr int64_t kLastDevice = 63;  // Peer.Device

void raiseUnreachable(Invocation &inv) { inv.extension->state->exc = spx_peer_unreachable; }

}  // namespace

extern "C" {

// Peer.Unreachable: the exception's identity (its address) and argument storage (it has none).
alignas(16) unsigned char spx_peer_unreachable[16];

int64_t spx_peer_self(uint32_t) {
  PeerContext *ctx = requireInvocation("Peer.Self").extension->peers;
  return ctx ? ctx->self() : 0;
}

int64_t spx_peer_reachable(int64_t to, uint32_t site) {
  PeerContext *ctx = requireInvocation("Peer.Reachable").extension->peers;
  if (to < 0 || to > kLastDevice) spx_rt_trap(SPX_TRAP_RANGE, site);  // Peer.Device; the compiler checks it too
  return ctx && ctx->reachable(static_cast<uint32_t>(to)) ? 1 : 0;
}

void spx_peer_forward(void *p, int64_t to, uint32_t site) {
  Invocation &inv = requireInvocation("Peer.Forward");
  spine::nicrt::detail::PacketContext *packets = inv.extension->packets;
  spine::nicrt::PacketBuffer &b = spine::nicrt::detail::resolveHeldPacket(packets, p, site);
  if (to < 0 || to > kLastDevice) spx_rt_trap(SPX_TRAP_RANGE, site);
  PeerContext *ctx = inv.extension->peers;
  if (!ctx || !ctx->forward(static_cast<uint32_t>(to), {b.data(), b.length()})) {
    raiseUnreachable(inv);
    return;
  }
  packets->pool().free(spine::nicrt::PacketHandle::fromPointer(p));
}

void spx_peer_send(int64_t to, const uint8_t *data, int64_t count, uint32_t site) {
  Invocation &inv = requireInvocation("Peer.Send");
  if (to < 0 || to > kLastDevice) spx_rt_trap(SPX_TRAP_RANGE, site);
  spine::nicrt::detail::chargeWork(inv, static_cast<uint64_t>(count), site);
  PeerContext *ctx = inv.extension->peers;
  if (!ctx || !ctx->send(static_cast<uint32_t>(to), {data, static_cast<size_t>(count)})) raiseUnreachable(inv);
}

}  // extern "C"
