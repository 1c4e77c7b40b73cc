// The memory-safety oracle's runtime half (docs/safety.md). Code compiled with spinec --oracle calls
// spx_rt_oracle_check before each of its memory accesses; the access must lie wholly inside memory the
// running extension owns, independently of every check the compiler emitted:
//   - the invocation's stack: from the caller's stack pointer up to the invocation's entry frame;
//   - the image's data (module variables, spx.state, exception globals), and for reads its constants, as
//     the loader mapped them (elf/ElfLinker.cpp), never its code;
//   - a block NEW returned, within the size asked for (the heap tracks blocks once an oracle image loads);
//   - the bytes the invocation works on (Extension::setInvocationBytes);
//   - the payload of the event or reply being encoded, between spx_rt_event_begin (spx_rt_reply_begin) and end;
//   - for reads, the payload of the request being served, and the scratch blocks of its decoded arguments.
// Anything else is a compiler bug: the access traps with SPX_TRAP_ORACLE.
#include <cinttypes>
#include <cstdio>

#include "detail/Invocation.h"

namespace {

using spine::nicrt::detail::Invocation;

// The caller's stack pointer at the call, from this function's frame: on x86-64 the frame pointer sits
// below the return address, 16 bytes under the caller's stack pointer. Elsewhere the frame itself, a bound
// a few bytes looser.
#if defined(__x86_64__)
constexpr uintptr_t kCallerStackOffset = 16;
#else
constexpr uintptr_t kCallerStackOffset = 0;
#endif

bool inside(uintptr_t begin, uintptr_t end, uintptr_t lo, uintptr_t hi) { return begin >= lo && end <= hi; }

[[noreturn]] void refuse(Invocation &inv, const void *ptr, uint64_t size, bool write, const char *where,
                         uint32_t site) {
  std::snprintf(inv.detail, sizeof inv.detail,
                "memory-safety oracle: %s of %" PRIu64 " byte%s at %p %s (a compiler bug)", write ? "write" : "read",
                size, size == 1 ? "" : "s", ptr, where);
  spx_rt_trap(SPX_TRAP_ORACLE, site);
}

}  // namespace

extern "C" [[gnu::noinline]] void spx_rt_oracle_check(const void *ptr, uint64_t size, uint32_t is_write,
                                                      uint32_t site) {
  Invocation *inv = spine::nicrt::detail::currentInvocation();
  if (!inv) spine::nicrt::detail::outsideInvocation("spx_rt_oracle_check");
  if (size == 0) return;
  uintptr_t begin = reinterpret_cast<uintptr_t>(ptr), end = begin + size;
  bool write = is_write != 0;
  if (end < begin) refuse(*inv, ptr, size, write, "wrapping around the address space", site);
  uintptr_t sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) + kCallerStackOffset;
  if (inside(begin, end, sp, inv->stackBase)) return;
  spine::nicrt::Extension::Impl &x = *inv->extension;
  for (const auto &m : *x.imageMemory) {
    if (!inside(begin, end, m.begin, m.end)) continue;
    if (write && !m.writable) refuse(*inv, ptr, size, write, "into the extension's constants", site);
    return;
  }
  if (x.heap.inBlock(begin, end)) return;
  uintptr_t payload = reinterpret_cast<uintptr_t>(x.eventPayload);
  if (payload && inside(begin, end, payload, payload + x.eventPayloadSize)) return;
  uintptr_t request = reinterpret_cast<uintptr_t>(x.requestPayload);
  if (request && !write && inside(begin, end, request, request + x.requestPayloadSize)) return;
  for (const auto &[p, n] : x.scratch)
    if (inside(begin, end, reinterpret_cast<uintptr_t>(p), reinterpret_cast<uintptr_t>(p) + n)) return;
  uintptr_t bytes = reinterpret_cast<uintptr_t>(x.invocationBytes);
  if (bytes && inside(begin, end, bytes, bytes + x.invocationByteCount)) return;
  refuse(*inv, ptr, size, write, "outside the extension's memory", site);
}
