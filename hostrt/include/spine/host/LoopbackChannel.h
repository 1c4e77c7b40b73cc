// LoopbackChannel: an in-memory Channel whose NIC side is a function, for tests and for trying stubs out
// without a NIC. Requests are handed to the function one at a time, in order, on the loopback's own "NIC
// thread"; the function answers with toHost() -- a reply, an event, several, or nothing at all.
#pragma once

#include "spine/host/Channel.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace spine::host {

class LoopbackChannel : public Channel {
public:
  using NicSide = std::function<void(const Bytes &request, LoopbackChannel &channel)>;

  explicit LoopbackChannel(NicSide nic);
  // Stops the NIC thread (requests not yet handled are dropped), then closes the channel.
  ~LoopbackChannel() override;

  // A message from the NIC to the host (a reply or an event), delivered at once on the calling thread. An
  // exception thrown by `nic` is reported to the error handler.
  void toHost(const Bytes &message) { receive(message.data(), message.size()); }
  // Waits until every request sent so far has been handed to `nic` and it has returned.
  void drain();

protected:
  void transmit(const std::uint8_t *message, std::size_t size) override;

private:
  void run();
  NicSide nic_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<Bytes> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace spine::host
