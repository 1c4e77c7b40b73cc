// What an extension's Buffer.* calls act on: the application buffers the host registered for it on the NIC it
// is deployed on (nicrt/nic). A Buffer.T is a word the NIC made (index and generation, never 0), opaque to the
// extension; the NIC resolves it against the calling extension's own buffers on every use. Without a NIC
// (spinec --run) no buffer exists.
#pragma once

#include <cstdint>
#include <span>

namespace spine::nicrt::detail {

class BufferContext {
 public:
  virtual ~BufferContext() = default;
  // The memory of buffer `handle` if it is registered for the running extension; an empty span otherwise (a
  // buffer the host unregistered, or a word that names none of this extension's): such a capability behaves as
  // a buffer of size 0.
  virtual std::span<uint8_t> memory(uint64_t handle) noexcept = 0;
  // The host's number of buffer `handle` (valid when memory() is not empty).
  virtual uint64_t hostId(uint64_t handle) noexcept = 0;
};

}  // namespace spine::nicrt::detail
