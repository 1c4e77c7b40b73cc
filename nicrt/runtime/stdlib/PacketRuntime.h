// The runtime's implementation of stdlib/Packet.spi (PacketRuntime.cpp), with the code ABI of spine/abi.h:
// Packet.T as a pointer-sized handle, Port and results as int64_t, then the call's trap site.
#pragma once

#include <cstdint>

#include "spine/abi.h"

extern "C" {
extern unsigned char spx_packet_exhausted[16];  // "Packet.Exhausted"
int64_t spx_packet_length(void *p, uint32_t site);
void spx_packet_send(void *p, int64_t port, uint32_t site);
void spx_packet_drop(void *p, uint32_t site);
void *spx_packet_copy(void *p, uint32_t site);
int64_t spx_packet_push_head(void *p, int64_t n, uint32_t site);
int64_t spx_packet_pull_head(void *p, int64_t n, uint32_t site);
int64_t spx_packet_push_tail(void *p, int64_t n, uint32_t site);
int64_t spx_packet_trim_tail(void *p, int64_t n, uint32_t site);
int64_t spx_packet_get(void *p, int64_t offset, uint8_t *into, int64_t count, uint32_t site);
int64_t spx_packet_put(void *p, int64_t offset, const uint8_t *from, int64_t count, uint32_t site);
}
