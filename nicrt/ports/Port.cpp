// What every port shares: taking a received packet into the pool, and counting.
#include "ports/Port.h"

namespace spine::nicrt {

const char* portDropReasonName(PortDropReason reason) {
  switch (reason) {
    case PortDropReason::TooLarge: return "too large";
    case PortDropReason::PoolExhausted: return "pool exhausted";
    case PortDropReason::NoOutput: return "no output";
    case PortDropReason::OutputFailed: return "output failed";
  }
  return "unknown";
}

ReceiveResult Port::deliver(PacketPool& pool, PacketOwner owner, std::span<const uint8_t> bytes,
                            uint64_t wireLength, PacketTimestamp timestamp) {
  const uint32_t dataSize = pool.options().dataSize;
  if (bytes.size() > dataSize) {
    countDrop(PortDropReason::TooLarge, name_ + ": dropped a packet of " + std::to_string(bytes.size()) +
                                            " bytes, larger than a buffer (" + std::to_string(dataSize) + " bytes)");
    return {ReceiveStatus::Dropped, {}};
  }
  PacketHandle h = pool.allocate(owner);
  PacketBuffer* b = pool.resolve(h);
  if (!b) {
    countDrop(PortDropReason::PoolExhausted, name_ + ": dropped a packet of " + std::to_string(bytes.size()) +
                                                 " bytes: no free buffer in the pool of " +
                                                 std::to_string(pool.capacity()));
    return {ReceiveStatus::Dropped, {}};
  }
  b->assign(bytes);
  b->setArrivalPort(number_);
  b->setTimestamp(timestamp);
  ++counters_.rxPackets;
  counters_.rxBytes += bytes.size();
  if (wireLength > bytes.size()) ++counters_.rxTruncated;
  return {ReceiveStatus::Packet, h};
}

void Port::countDrop(PortDropReason reason, std::string note) {
  ++counters_.drops;
  ++counters_.dropsBy[static_cast<size_t>(reason)];
  lastDrop_ = std::move(note);
}

void Port::countError(std::string message) {
  ++counters_.errors;
  lastError_ = std::move(message);
}

}  // namespace spine::nicrt
