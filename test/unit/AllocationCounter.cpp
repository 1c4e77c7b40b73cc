// The test binary's global operator new: malloc, counted per thread (AllocationCounter.h). The array and nothrow
// forms of libstdc++ call this one (a sanitizer's own array forms pair with its own array deletes).
#include "AllocationCounter.h"

#include <cstdlib>
#include <new>

namespace {
thread_local std::uint64_t tAllocations = 0;
}  // namespace

std::uint64_t spine::test::allocationsOnThisThread() { return tAllocations; }

void *operator new(std::size_t size) {
  ++tAllocations;
  if (void *p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

// Replaced with it: under the sanitizers, which provide their own operators, a malloc'd block must reach free().
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
