// The runtime's implementation of stdlib/Timer.spi (TimerRuntime.cpp), with the code ABI of spine/abi.h.
#pragma once

#include <cstdint>

extern "C" {
void *spx_timer_start(int64_t periodMicros, uint32_t site);
void spx_timer_stop(void *t, uint32_t site);
int64_t spx_timer_now(uint32_t site);
}
