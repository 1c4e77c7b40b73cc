// MemoryPort (MemoryPort.h): queues in, a vector out.
#include "ports/MemoryPort.h"

namespace spine::nicrt {

void MemoryPort::inject(std::span<const uint8_t> bytes, PacketTimestamp timestamp) {
  pending_.push_back({{bytes.begin(), bytes.end()}, timestamp});
}

ReceiveResult MemoryPort::receive(PacketPool& pool, PacketOwner owner) {
  if (pending_.empty()) return {inputClosed_ ? ReceiveStatus::End : ReceiveStatus::Idle, {}};
  Frame frame = std::move(pending_.front());
  pending_.pop_front();
  return deliver(pool, owner, frame.bytes, frame.bytes.size(), frame.timestamp);
}

bool MemoryPort::transmit(const PacketBuffer& packet) {
  auto bytes = packet.bytes();
  transmitted_.push_back({{bytes.begin(), bytes.end()}, packet.timestamp()});
  countTransmit(packet.length());
  return true;
}

}  // namespace spine::nicrt
