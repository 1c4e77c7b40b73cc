// The NIC's end of the host channel: the shared region of include/spine/channel.h (the emulated NIC's "PCI BAR")
// with its two rings. The NIC consumes requests from the host's ring and produces replies and events into the
// other; the host application maps the same region (through a memfd that spine-nic hands out on its control
// socket, or directly for an in-process NIC) and does the opposite. docs/nic.md, "The host channel".
//
// Only the NIC's dispatcher thread uses a HostChannel. Everything the host can write is checked: the header
// once at creation, each record as it is taken, and each record is copied out of shared memory before the NIC
// decodes it, so a host cannot change a message after it was checked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "spine/channel.h"

namespace spine::nicrt {

struct HostChannelCounters {
  uint64_t requests = 0;   // records taken from the host
  uint64_t refused = 0;    // records that were not a message for an extension (too short, bad envelope): dropped
  uint64_t messages = 0;   // replies and events put in the host's ring
  uint64_t full = 0;       // times the host's ring had no room (back-pressure)
  bool corrupt = false;    // the host broke the ring's rules: the NIC stopped reading it
};

class HostChannel {
 public:
  // A new region of its own (a memfd, so that another process can map it) with rings of these slot counts.
  static std::unique_ptr<HostChannel> create(uint32_t toNicSlots, uint32_t toHostSlots, std::string &error);
  ~HostChannel();
  HostChannel(const HostChannel &) = delete;
  HostChannel &operator=(const HostChannel &) = delete;

  int fd() const { return fd_; }           // the memfd, to hand to the host (SCM_RIGHTS)
  void *region() const { return region_; }  // this process's mapping (an in-process host maps nothing else)
  uint64_t regionBytes() const { return bytes_; }
  const spine_channel_header &layout() const { return layout_; }

  // Empties both rings for a new host (the previous one detached): what it left unread is dropped.
  void reset();

  // The next request: its extension and the message, copied out of shared memory. False when there is none,
  // or the ring is corrupt (counters().corrupt, and no record is read again until reset()).
  bool take(uint32_t &extension, std::vector<uint8_t> &message);

  // Room in the host's ring for a message of `messageBytes` from `extension`: where to write it, or nullptr when
  // the ring is full now (or the message can never fit). commit() publishes it.
  uint8_t *reserve(uint32_t extension, uint64_t messageBytes);
  void commit();
  uint64_t room() const;  // messages of the smallest size that fit now (Host.Room)

  const HostChannelCounters &counters() const { return counters_; }

 private:
  HostChannel() = default;
  bool attach(std::string &error);

  int fd_ = -1;
  void *region_ = nullptr;
  uint64_t bytes_ = 0;
  spine_channel_header layout_{};
  spine_ring_consumer fromHost_{};
  spine_ring_producer toHost_{};
  HostChannelCounters counters_;
};

}  // namespace spine::nicrt
