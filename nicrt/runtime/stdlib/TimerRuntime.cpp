// The runtime side of stdlib/Timer.spi. A Timer.T is a word the NIC made (index and generation, never 0),
// opaque to the extension; the NIC checks it belongs to the calling extension before it acts on it, so a stale
// or foreign handle stops nothing. The firing side (the Fired event) is the NIC's dispatcher (nicrt/nic).
#include "stdlib/TimerRuntime.h"

#include <time.h>

#include "detail/Invocation.h"
#include "detail/TimerContext.h"

namespace {

using spine::nicrt::detail::Invocation;

using spine::nicrt::detail::requireInvocation;

// Without a NIC: microseconds of the monotonic clock since the first call.
int64_t processMicros() {
  static const int64_t start = [] {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
  }();
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000 - start;
}

// Handles of timers started without a NIC: distinct, never 0, never firing.
uint64_t gUnattached = 0;

}  // namespace

extern "C" {

// A timer the NIC has no room for traps as a heap quota would: the NIC's timer table is the extension's memory.
void *spx_timer_start(int64_t periodMicros, uint32_t site) {
  Invocation &inv = requireInvocation("Timer.Start");
  uint64_t period = periodMicros < 1 ? 1 : static_cast<uint64_t>(periodMicros);
  uint64_t h = inv.extension->timers ? inv.extension->timers->start(period) : ++gUnattached;
  if (h == 0) spx_rt_trap(SPX_TRAP_HEAP, site);
  return reinterpret_cast<void *>(static_cast<uintptr_t>(h));
}

void spx_timer_stop(void *t, uint32_t site) {
  Invocation &inv = requireInvocation("Timer.Stop");
  if (!t) spx_rt_trap(SPX_TRAP_NIL, site);
  if (inv.extension->timers) inv.extension->timers->stop(reinterpret_cast<uintptr_t>(t));
}

int64_t spx_timer_now(uint32_t) {
  Invocation &inv = requireInvocation("Timer.Now");
  return inv.extension->timers ? static_cast<int64_t>(inv.extension->timers->nowMicros()) : processMicros();
}

}  // extern "C"
