// The native C++ baseline of bench/packet/kernels.spx.
#pragma once
#include <cstdint>

namespace native {
void init();
void reset();
int64_t filter(uint8_t *data, int64_t n);
int64_t count(uint8_t *data, int64_t n);
int64_t forward(uint8_t *data, int64_t n);
}  // namespace native
