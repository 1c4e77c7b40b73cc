// The runtime side of stdlib/Buffer.spi: application buffers the host registered for an extension (device-level
// memory management). A Buffer.T is a capability word the NIC made; it is resolved against the calling
// extension's own buffers on every use (detail/BufferContext.h), so a capability for a buffer the host has
// unregistered behaves as a buffer of size 0: Write and Notify raise OutOfRange for anything but nothing.
// Write copies straight into the host's memory, bounds-checked, with no host copy and no system call; Notify
// posts an Event of interface Buffer, index 0, payload u64 the host's buffer number and u64 the length ready
// (docs/messages.md, "Messages of the runtime's interfaces").
#include "stdlib/BufferRuntime.h"

#include <cstring>

#include "detail/BufferContext.h"
#include "detail/Invocation.h"
#include "spine/wire.h"
#include "stdlib/HostPost.h"

namespace {

using spine::nicrt::detail::Invocation;
using spine::nicrt::detail::requireInvocation;

// The running extension's buffer `b` (possibly empty: see above); traps NIL at `site`.
std::span<uint8_t> bufferOf(Invocation &inv, void *b, uint32_t site) {
  if (!b) spx_rt_trap(SPX_TRAP_NIL, site);
  spine::nicrt::detail::BufferContext *ctx = inv.extension->buffers;
  return ctx ? ctx->memory(reinterpret_cast<uintptr_t>(b)) : std::span<uint8_t>();
}

void raiseOutOfRange(Invocation &inv) { inv.extension->state->exc = spx_buffer_out_of_range; }

}  // namespace

extern "C" {

// Buffer.OutOfRange: the exception's identity (its address) and argument storage (it has none).
alignas(16) unsigned char spx_buffer_out_of_range[16];

int64_t spx_buffer_size(void *b, uint32_t site) {
  Invocation &inv = requireInvocation("Buffer.Size");
  return static_cast<int64_t>(bufferOf(inv, b, site).size());
}

void spx_buffer_write(void *b, int64_t offset, const uint8_t *data, int64_t count, uint32_t site) {
  Invocation &inv = requireInvocation("Buffer.Write");
  std::span<uint8_t> memory = bufferOf(inv, b, site);
  // offset is a CARDINAL and count an open array's length: both >= 0, so the sum cannot wrap an unsigned 64.
  if (offset < 0 || count < 0 || static_cast<uint64_t>(offset) + static_cast<uint64_t>(count) > memory.size()) {
    raiseOutOfRange(inv);
    return;
  }
  spine::nicrt::detail::chargeWork(inv, static_cast<uint64_t>(count), site);
  if (count > 0) std::memcpy(memory.data() + offset, data, static_cast<size_t>(count));
}

void spx_buffer_notify(void *b, int64_t length, uint32_t site) {
  Invocation &inv = requireInvocation("Buffer.Notify");
  std::span<uint8_t> memory = bufferOf(inv, b, site);
  if (length < 0 || static_cast<uint64_t>(length) > memory.size()) {
    raiseOutOfRange(inv);
    return;
  }
  uint8_t payload[16];
  spine_wire_store_le(payload, inv.extension->buffers->hostId(reinterpret_cast<uintptr_t>(b)), 8);
  spine_wire_store_le(payload + 8, static_cast<uint64_t>(length), 8);
  static const uint64_t buffer = spine::nicrt::detail::runtimeInterfaceFingerprint("Buffer");
  spine::nicrt::detail::postToHost(*inv.extension, buffer, 0, payload);
}

}  // extern "C"
