// Protected invocation. Extension code runs on the invoking thread's own stack: the stack limit in
// spx.state is the entry frame minus Limits::stackBytes (never closer to the end of the thread's stack than
// kRuntimeReserve, which the runtime's procedures and the trap path need). Generated code checks its frames
// against that limit, so no stack switch is needed: an invocation costs a sigsetjmp without the signal mask
// (no system call) and a few stores, and AddressSanitizer and gdb see one ordinary stack. spx_rt_trap never
// returns into the extension: it siglongjmps back to the entry, skipping only extension frames and
// runtime frames that own nothing.
#include <pthread.h>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>

#include "detail/Invocation.h"

namespace spine::nicrt {
namespace detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr uintptr_t kRuntimeReserve = 512 * 1024;  // instrumented runtime frames are much bigger
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr uintptr_t kRuntimeReserve = 512 * 1024;
#else
constexpr uintptr_t kRuntimeReserve = 64 * 1024;
#endif
#else
constexpr uintptr_t kRuntimeReserve = 64 * 1024;
#endif

thread_local Invocation *tCurrent = nullptr;
thread_local uintptr_t tStackLow = 0;  // lowest address of this thread's stack, once known

uintptr_t threadStackLow() {
  if (tStackLow == 0) {
    pthread_attr_t attr;
    void *addr = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &addr, &size);
      pthread_attr_destroy(&attr);
    }
    tStackLow = reinterpret_cast<uintptr_t>(addr);
    if (tStackLow == 0) tStackLow = 1;  // unknown: rely on Limits::stackBytes alone
  }
  return tStackLow;
}

uintptr_t stackLimitBelow(uintptr_t frame, size_t stackBytes) {
  uintptr_t floor = threadStackLow() + kRuntimeReserve;
  uintptr_t limit = frame > stackBytes ? frame - stackBytes : 0;
  if (limit < floor) limit = floor;
  return limit;
}

// Runs the invocation one frame below protectedCall: the memory-safety oracle's stack range ends at this
// frame, so protectedCall's own state (the jump buffer the trap returns through) lies outside it.
[[gnu::noinline]] void enter(Invocation &inv, void (*thunk)(void *), void *context) {
  inv.stackBase = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  thunk(context);
  asm volatile("" ::: "memory");  // not a tail call: this frame stays below protectedCall's
}

}  // namespace

[[noreturn]] void outsideInvocation(const char *what) {
  std::fprintf(stderr, "spine nicrt: %s called outside of an extension invocation\n", what);
  std::abort();
}

Invocation *currentInvocation() { return tCurrent; }

}  // namespace detail

Outcome Extension::protectedCall(void (*thunk)(void *), void *context) {
  Impl &x = *impl_;
  spx_state *const state = x.state;
  detail::Invocation inv;
  inv.extension = &x;
  inv.previous = detail::tCurrent;
  inv.trapKind = 0;
  inv.trapSite = 0;
  inv.stackBase = 0;
  inv.detail[0] = '\0';

  state->fuel = x.limits.fuel;
  state->stack_limit =
      detail::stackLimitBelow(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)), x.limits.stackBytes);
  state->exc = nullptr;
  state->runtime = &x;

  Outcome outcome;
  detail::tCurrent = &inv;
  if (sigsetjmp(inv.entry, /*savemask=*/0) == 0) {
    detail::enter(inv, thunk, context);
    if (state->exc) {
      outcome.status = Outcome::Status::ExceptionEscaped;
      outcome.exception = state->exc;
    }
  } else {
    outcome.status = Outcome::Status::Trapped;
    outcome.trapKind = inv.trapKind;
    outcome.site = inv.trapSite;
    if (inv.detail[0]) outcome.detail = inv.detail;
    x.describeSite(outcome);
  }
  detail::tCurrent = inv.previous;
  if (!x.pendingOutput.empty()) x.flushOutput();
  return outcome;
}

}  // namespace spine::nicrt

using spine::nicrt::detail::Invocation;
using spine::nicrt::detail::tCurrent;

extern "C" void spx_rt_trap(uint32_t kind, uint32_t site) {
  Invocation *inv = tCurrent;
  if (!inv) spine::nicrt::detail::outsideInvocation("spx_rt_trap");
  inv->trapKind = kind;
  inv->trapSite = site;
  siglongjmp(inv->entry, 1);
}

extern "C" void *spx_rt_new(uint64_t size, uint32_t site) {
  Invocation *inv = tCurrent;
  if (!inv) spine::nicrt::detail::outsideInvocation("spx_rt_new");
  // No object with a destructor may be live here: spx_rt_trap unwinds with siglongjmp.
  void *p = inv->extension->heap.allocate(size, inv->extension->limits.heapBytes);
  if (!p) spx_rt_trap(SPX_TRAP_HEAP, site);
  return p;
}
