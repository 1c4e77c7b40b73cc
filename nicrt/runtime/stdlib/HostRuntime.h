// The runtime's implementation of stdlib/Host.spi (HostRuntime.cpp), with the code ABI of spine/abi.h.
#pragma once

#include <cstdint>

extern "C" {
void spx_host_notify(int64_t code, uint32_t site);
int64_t spx_host_attached(uint32_t site);
int64_t spx_host_room(uint32_t site);
}
