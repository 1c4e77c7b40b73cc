// The runtime side of stdlib/Packet.spi. Each procedure is a C shim with the code ABI (spine/abi.h): a handle
// travels as a pointer-sized word (packet/PacketHandle.h) and is resolved against the pool on every use, so a
// handle kept after Send or Drop (its buffer freed, its generation bumped) traps "packet used after send or
// drop" at the caller's site instead of touching the buffer's next packet. The shims trap from their own
// frame, after every C++ call has returned: nothing with a destructor and no lock is ever jumped over.
#include "stdlib/PacketRuntime.h"
#include "stdlib/PacketAccess.h"

#include <cstdio>
#include <cstring>

#include "detail/Invocation.h"
#include "detail/PacketContext.h"

namespace {

using spine::nicrt::PacketBuffer;
using spine::nicrt::PacketHandle;
using spine::nicrt::detail::Invocation;
using spine::nicrt::detail::PacketContext;

using spine::nicrt::detail::requireInvocation;

// The running invocation's packet context, or nullptr outside a NIC (then no handle is valid).
PacketContext *context(const char *what) { return requireInvocation(what).extension->packets; }

// Whether [offset, offset + count) lies in the packet (Get and Put copy nothing otherwise).
bool inPacket(const PacketBuffer &b, int64_t offset, int64_t count) {
  return offset >= 0 && count >= 0 && static_cast<uint64_t>(offset) + static_cast<uint64_t>(count) <= b.length();
}

}  // namespace

namespace spine::nicrt::detail {

// The buffer `p` names, held by the running extension; traps (NIL, or used after send or drop) otherwise.
// A handle of another extension's packet is refused like a stale one: an extension reaches only what it holds.
PacketBuffer &resolveHeldPacket(PacketContext *ctx, void *p, uint32_t site) {
  if (!p) spx_rt_trap(SPX_TRAP_NIL, site);
  PacketBuffer *b = ctx ? ctx->pool().resolve(PacketHandle::fromPointer(p)) : nullptr;
  if (b && b->owner() == ctx->owner()) return *b;
  if (b && b->owner() == spine::nicrt::kDispatcherOwner) {
    // A live packet the extension does not hold: the one its guard is looking at.
    Invocation &inv = requireInvocation("a Packet procedure");
    std::snprintf(inv.detail, sizeof inv.detail, "packet used by a guard (a guard only reads its packet)");
  }
  spx_rt_trap(SPX_TRAP_PACKET_USED, site);
}

}  // namespace spine::nicrt::detail

using spine::nicrt::detail::resolveHeldPacket;

extern "C" {

// Packet.Exhausted: the exception's identity (its address) and argument storage (it has none).
alignas(16) unsigned char spx_packet_exhausted[16];

// Length only reads, so a guard may ask it of the packet it is looking at (held by the dispatcher).
int64_t spx_packet_length(void *p, uint32_t site) {
  PacketContext *ctx = context("Packet.Length");
  if (!p) spx_rt_trap(SPX_TRAP_NIL, site);
  PacketBuffer *b = ctx ? ctx->pool().resolve(PacketHandle::fromPointer(p)) : nullptr;
  if (b && (b->owner() == ctx->owner() || b->owner() == spine::nicrt::kDispatcherOwner)) return b->length();
  spx_rt_trap(SPX_TRAP_PACKET_USED, site);
}

void spx_packet_send(void *p, int64_t port, uint32_t site) {
  PacketContext *ctx = context("Packet.Send");
  PacketBuffer &b = resolveHeldPacket(ctx, p, site);
  if (port < 0 || port > 15) spx_rt_trap(SPX_TRAP_RANGE, site);  // Packet.Port; the compiler checks it too
  ctx->sent(b, static_cast<uint32_t>(port));
  ctx->pool().free(PacketHandle::fromPointer(p));
}

void spx_packet_drop(void *p, uint32_t site) {
  PacketContext *ctx = context("Packet.Drop");
  PacketBuffer &b = resolveHeldPacket(ctx, p, site);
  ctx->dropped(b);
  ctx->pool().free(PacketHandle::fromPointer(p));
}

void *spx_packet_copy(void *p, uint32_t site) {
  PacketContext *ctx = context("Packet.Copy");
  resolveHeldPacket(ctx, p, site);
  PacketHandle copy = ctx->pool().copy(PacketHandle::fromPointer(p), ctx->owner());
  if (!copy) {
    requireInvocation("Packet.Copy").extension->state->exc = spx_packet_exhausted;  // RAISE Packet.Exhausted
    return nullptr;
  }
  ctx->copied();
  return copy.toPointer();
}

// PushHead, PullHead, PushTail, TrimTail: the pool's own bounds (headroom, tailroom, length) decide.
int64_t spx_packet_push_head(void *p, int64_t n, uint32_t site) {
  PacketContext *ctx = context("Packet.PushHead");
  return resolveHeldPacket(ctx, p, site).pushHead(static_cast<uint64_t>(n));
}
int64_t spx_packet_pull_head(void *p, int64_t n, uint32_t site) {
  PacketContext *ctx = context("Packet.PullHead");
  return resolveHeldPacket(ctx, p, site).pullHead(static_cast<uint64_t>(n));
}
int64_t spx_packet_push_tail(void *p, int64_t n, uint32_t site) {
  PacketContext *ctx = context("Packet.PushTail");
  return resolveHeldPacket(ctx, p, site).pushTail(static_cast<uint64_t>(n));
}
int64_t spx_packet_trim_tail(void *p, int64_t n, uint32_t site) {
  PacketContext *ctx = context("Packet.TrimTail");
  return resolveHeldPacket(ctx, p, site).trimTail(static_cast<uint64_t>(n));
}

// Get and Put copy between the packet and an array the caller owns, after checking that the whole range is in
// the packet (offset and count are CARDINALs, so the sum cannot wrap).
int64_t spx_packet_get(void *p, int64_t offset, uint8_t *into, int64_t count, uint32_t site) {
  Invocation &inv = requireInvocation("Packet.Get");
  spine::nicrt::detail::chargeWork(inv, static_cast<uint64_t>(count), site);
  PacketBuffer &b = resolveHeldPacket(inv.extension->packets, p, site);
  if (!inPacket(b, offset, count)) return 0;
  std::memcpy(into, b.data() + offset, static_cast<size_t>(count));
  return 1;
}
int64_t spx_packet_put(void *p, int64_t offset, const uint8_t *from, int64_t count, uint32_t site) {
  Invocation &inv = requireInvocation("Packet.Put");
  spine::nicrt::detail::chargeWork(inv, static_cast<uint64_t>(count), site);
  PacketBuffer &b = resolveHeldPacket(inv.extension->packets, p, site);
  if (!inPacket(b, offset, count)) return 0;
  std::memmove(b.data() + offset, from, static_cast<size_t>(count));
  return 1;
}

}  // extern "C"
