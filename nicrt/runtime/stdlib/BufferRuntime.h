// The runtime's implementation of stdlib/Buffer.spi (BufferRuntime.cpp), with the code ABI of spine/abi.h:
// Buffer.T as a pointer-sized capability word, CARDINALs as int64_t, open arrays as (pointer, count).
#pragma once

#include <cstdint>

extern "C" {
extern unsigned char spx_buffer_out_of_range[16];  // "Buffer.OutOfRange"
int64_t spx_buffer_size(void *b, uint32_t site);
void spx_buffer_write(void *b, int64_t offset, const uint8_t *data, int64_t count, uint32_t site);
void spx_buffer_notify(void *b, int64_t length, uint32_t site);
}
