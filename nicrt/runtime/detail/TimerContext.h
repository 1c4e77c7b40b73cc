// What an extension's Timer.* calls act on: the timers of the NIC it is deployed on (nicrt/nic). Without one
// (spinec --run) timers can be started and stopped but never fire; Now still tells the time.
#pragma once

#include <cstdint>

namespace spine::nicrt::detail {

class TimerContext {
 public:
  virtual ~TimerContext() = default;
  // A new timer of the running extension firing every `periodMicros`; its handle (never 0), or 0 when the
  // NIC has no room for another timer. Must not throw.
  virtual uint64_t start(uint64_t periodMicros) noexcept = 0;
  // Stops the timer `handle` names if it is one of the running extension's and still running; else nothing.
  virtual void stop(uint64_t handle) noexcept = 0;
  virtual uint64_t nowMicros() noexcept = 0;
};

}  // namespace spine::nicrt::detail
