// SpinLock: a lock for critical sections of a few instructions (a push or pop on a free list, a record put in a
// ring), where a mutex's atomic read-modify-writes and its sleep/wake machinery cost more than the work. A
// contended waiter yields its core rather than burn it: on a machine with few cores the holder may need it.
// BasicLockable, so std::lock_guard works with it.
#pragma once

#include <atomic>
#include <thread>

namespace spine::host::detail {

class SpinLock {
public:
  void lock() noexcept {
    while (locked_.exchange(true, std::memory_order_acquire))
      while (locked_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

private:
  std::atomic<bool> locked_{false};
};

}  // namespace spine::host::detail
