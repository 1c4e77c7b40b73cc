// Where an extension's messages to its host go: the NIC's host channel (nicrt/nic), set on the Extension while
// it is deployed on a NIC. Without one (spinec --run) there is no host and every event is refused (counted).
#pragma once

#include <cstdint>

namespace spine::nicrt::detail {

class HostContext {
 public:
  virtual ~HostContext() = default;
  // Room for a whole message (header and `payloadSize` bytes), or nullptr when it cannot be taken now. Must not
  // throw: it runs between extension frames.
  virtual uint8_t *reserve(uint64_t payloadSize) noexcept = 0;
  // The message reserved last is complete.
  virtual void commit(uint8_t *message) noexcept = 0;
  // Whether a host application receives the messages (Host.Attached), and how many more fit (Host.Room).
  virtual bool attached() const noexcept = 0;
  virtual uint64_t room() const noexcept = 0;
};

}  // namespace spine::nicrt::detail
