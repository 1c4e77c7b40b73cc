// A port that is a pair of queues: tests put packets in (inject) and read what was transmitted. It stands for a
// wire in unit tests of the dispatcher and the stdlib procedures, where files would only get in the way. Unlike
// the packet pool it allocates (the queues grow), which is fine for tests; the in-memory wire between two NICs
// of a later issue is a separate Port with fixed rings.
#pragma once

#include "ports/Port.h"

#include <deque>
#include <vector>

namespace spine::nicrt {

class MemoryPort final : public Port {
public:
  struct Frame {
    std::vector<uint8_t> bytes;
    PacketTimestamp timestamp;
    friend bool operator==(const Frame&, const Frame&) = default;
  };

  explicit MemoryPort(std::string name = "memory") : Port(std::move(name)) {}

  // Queue a packet for receive. After closeInput, receive reports End once the queue is empty.
  void inject(std::span<const uint8_t> bytes, PacketTimestamp timestamp = {});
  void closeInput() { inputClosed_ = true; }
  // What transmit wrote, oldest first; take() hands it over and empties it.
  const std::vector<Frame>& transmitted() const { return transmitted_; }
  std::vector<Frame> take() { return std::exchange(transmitted_, {}); }

  ReceiveResult receive(PacketPool& pool, PacketOwner owner = kDispatcherOwner) override;
  bool transmit(const PacketBuffer& packet) override;
  bool flush() override { return true; }
  bool eof() const override { return inputClosed_ && pending_.empty(); }

private:
  std::deque<Frame> pending_;
  std::vector<Frame> transmitted_;
  bool inputClosed_ = false;
};

}  // namespace spine::nicrt
