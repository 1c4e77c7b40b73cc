// The invocation running on this thread: which extension spx_rt_trap, spx_rt_new, IO and Log serve.
#pragma once

#include <csetjmp>
#include <cstdint>

#include "detail/ExtensionImpl.h"

namespace spine::nicrt::detail {

struct Invocation {
  sigjmp_buf entry;           // where spx_rt_trap unwinds to
  Extension::Impl *extension;
  Invocation *previous;       // an invocation further up this thread's stack, if any
  uint32_t trapKind;
  uint32_t trapSite;
  uintptr_t stackBase;        // extension frames lie below this address (the oracle's stack range)
  char detail[192];           // what the oracle reports, or empty (no allocation: traps unwind with longjmp)
};

[[noreturn]] void outsideInvocation(const char *what);

// nullptr when the thread is not running extension code.
Invocation *currentInvocation();

// The running invocation, for a runtime procedure that only generated code calls: called outside one it is a
// bug of the runtime, which aborts naming `what`.
inline Invocation &requireInvocation(const char *what) {
  Invocation *inv = currentInvocation();
  if (!inv) outsideInvocation(what);
  return *inv;
}

// Work a runtime procedure does in proportion to a size the extension chose (a checksum over its array, a copy
// into a packet) is charged to the invocation's fuel at the rate generated code pays (docs/safety.md, I6): the
// first 256 bytes free, then one unit per 64 bytes. Traps (fuel) at `site`; call it before any object with a
// destructor exists in the calling runtime procedure.
inline void chargeWork(Invocation &inv, uint64_t bytes, uint32_t site) {
  if (bytes <= 256) return;
  spx_state *state = inv.extension->state;
  state->fuel -= static_cast<int64_t>(bytes / 64);  // bytes is at most a memory size: no overflow
  if (state->fuel < 0) spx_rt_trap(SPX_TRAP_FUEL, site);
}

}  // namespace spine::nicrt::detail
