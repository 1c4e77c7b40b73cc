#include "spine/host/LoopbackChannel.h"

namespace spine::host {

LoopbackChannel::LoopbackChannel(NicSide nic) : nic_(std::move(nic)), thread_([this] { run(); }) {}

LoopbackChannel::~LoopbackChannel() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  close();
}

void LoopbackChannel::transmit(const std::uint8_t *message, std::size_t size) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) throw ChannelClosed("the loopback channel is stopping");
    queue_.emplace_back(message, message + size);
  }
  wake_.notify_one();
}

void LoopbackChannel::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return stop_ || (queue_.empty() && !busy_); });
}

void LoopbackChannel::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    Bytes request = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      nic_(request, *this);
    } catch (...) {
      reportError(std::current_exception());
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace spine::host
