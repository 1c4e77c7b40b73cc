// The runtime's implementation of stdlib/Checksum.spi (ChecksumRuntime.cpp), with the code ABI of spine/abi.h.
#pragma once

#include <cstdint>

extern "C" {
int64_t spx_checksum_internet(const uint8_t *data, int64_t length, uint32_t site);
int64_t spx_checksum_sum(const uint8_t *data, int64_t length, uint32_t site);
int64_t spx_checksum_combine(int64_t a, int64_t b, uint32_t site);
int64_t spx_checksum_update(int64_t checksum, int64_t old, int64_t now, uint32_t site);
}
