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

}  // namespace spine::nicrt::detail
