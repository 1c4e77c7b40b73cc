// What an extension's Peer.* calls act on: the peer devices attached to the NIC it is deployed on (nicrt/nic).
// Without a NIC (spinec --run) this NIC is device 0 and no peer is reachable.
#pragma once

#include <cstdint>
#include <span>

namespace spine::nicrt::detail {

class PeerContext {
 public:
  virtual ~PeerContext() = default;
  virtual uint32_t self() const noexcept = 0;
  virtual bool reachable(uint32_t device) const noexcept = 0;
  // Hands a packet's bytes, or a message, to `device`; false (nothing done) when it is not reachable. The caller
  // frees the packet's buffer after a forward. Must not throw.
  virtual bool forward(uint32_t device, std::span<const uint8_t> frame) noexcept = 0;
  virtual bool send(uint32_t device, std::span<const uint8_t> data) noexcept = 0;
};

}  // namespace spine::nicrt::detail
