// What an extension's Packet.* calls act on: the packet pool of the NIC it is deployed on, the owner number
// its buffers carry, and the NIC's reaction to each verdict. Set by the NIC (nicrt/nic) on the Extension;
// without one (spinec --run) there are no packets and every handle is refused.
#pragma once

#include <cstdint>

#include "packet/PacketPool.h"

namespace spine::nicrt::detail {

class PacketContext {
 public:
  virtual ~PacketContext() = default;
  virtual PacketPool &pool() = 0;
  virtual PacketOwner owner() const = 0;  // the running extension's
  // The extension sent `packet` on `port` (0..15) or dropped it. The NIC transmits or counts it; the caller
  // frees the buffer afterwards. Neither may throw: they run between extension frames.
  virtual void sent(const PacketBuffer &packet, uint32_t port) noexcept = 0;
  virtual void dropped(const PacketBuffer &packet) noexcept = 0;
  virtual void copied() noexcept = 0;  // the extension made a copy (counted)
};

}  // namespace spine::nicrt::detail
