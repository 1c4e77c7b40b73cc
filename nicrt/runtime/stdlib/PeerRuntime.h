// The runtime's implementation of stdlib/Peer.spi (PeerRuntime.cpp), with the code ABI of spine/abi.h.
#pragma once

#include <cstdint>

extern "C" {
extern unsigned char spx_peer_unreachable[16];  // "Peer.Unreachable"
int64_t spx_peer_self(uint32_t site);
int64_t spx_peer_reachable(int64_t to, uint32_t site);
void spx_peer_forward(void *p, int64_t to, uint32_t site);
void spx_peer_send(int64_t to, const uint8_t *data, int64_t count, uint32_t site);
}
