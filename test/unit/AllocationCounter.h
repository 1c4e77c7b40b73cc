// Counts the heap allocations this thread makes through global operator new (AllocationCounter.cpp replaces it
// for the whole test binary), so a test can assert that a path allocates nothing.
#pragma once

#include <cstdint>

namespace spine::test {
std::uint64_t allocationsOnThisThread();
}  // namespace spine::test
