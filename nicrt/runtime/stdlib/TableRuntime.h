// The runtime's implementation of stdlib/Table.spi (TableRuntime.cpp), with the code ABI of spine/abi.h.
#pragma once

#include <cstdint>

#include "spine/abi.h"

extern "C" {
extern unsigned char spx_table_full[16];  // "Table.Full"
void *spx_table_new(int64_t capacity, uint32_t site);
int64_t spx_table_get(void *t, int64_t key, int64_t *value, uint32_t site);
void spx_table_put(void *t, int64_t key, int64_t value, uint32_t site);
int64_t spx_table_delete(void *t, int64_t key, uint32_t site);
int64_t spx_table_count(void *t, uint32_t site);
int64_t spx_table_capacity(void *t, uint32_t site);
}
