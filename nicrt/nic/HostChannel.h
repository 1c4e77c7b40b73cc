// The NIC's end of the host channel: the shared region of include/spine/channel.h (the emulated NIC's "PCI BAR")
// with its two rings. The NIC consumes requests from the host's ring and produces replies and events into the
// other; the host application maps the same region (through a memfd that spine-nic hands out on its control
// socket, or directly for an in-process NIC) and does the opposite. docs/nic.md, "The host channel".
//
// Only the NIC's dispatcher thread uses a HostChannel. Everything the host can write is checked: the header
// once at creation, each record as it is taken, and each record is copied out of shared memory before the NIC
// decodes it, so a host cannot change a message after it was checked.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "spine/channel.h"

namespace spine::nicrt {

struct HostChannelCounters {
  uint64_t requests = 0;   // records taken from the host
  uint64_t refused = 0;    // records that were not a message for an extension (too short, bad envelope): dropped
  uint64_t messages = 0;   // replies and events put in the host's ring
  uint64_t full = 0;       // times the host's ring had no room (back-pressure)
  uint64_t doorbells = 0;  // wake-ups of a host asleep on the reply ring's doorbell
  bool corrupt = false;    // the host broke the ring's rules: the NIC stopped reading it
};

class alignas(64) HostChannel {
 public:
  // A new region of its own (a memfd, so that another process can map it) with rings of these slot counts and
  // `bufferBytes` (rounded up to pages) for application buffers.
  static std::unique_ptr<HostChannel> create(uint32_t toNicSlots, uint32_t toHostSlots, uint64_t bufferBytes,
                                             std::string &error);
  static std::unique_ptr<HostChannel> create(uint32_t toNicSlots, uint32_t toHostSlots, std::string &error) {
    return create(toNicSlots, toHostSlots, 0, error);
  }
  ~HostChannel();
  HostChannel(const HostChannel &) = delete;
  HostChannel &operator=(const HostChannel &) = delete;

  int fd() const { return fd_; }           // the memfd, to hand to the host (SCM_RIGHTS)
  void *region() const { return region_; }  // this process's mapping (an in-process host maps nothing else)
  uint64_t regionBytes() const { return bytes_; }
  const spine_channel_header &layout() const { return layout_; }

  // Empties both rings for a new host (the previous one detached): what it left unread is dropped.
  void reset();

  // A record from the host: its envelope and body, copied out of shared memory.
  struct Record {
    uint32_t extension = 0;
    uint32_t kind = SPINE_CHANNEL_MESSAGE;
    std::span<const uint8_t> body;  // in the channel's copy of the record: valid until the next take()
  };
  // The next record. False when there is none, or the ring is corrupt (counters().corrupt, and no record is read
  // again until reset()). A record of an unknown kind, or a message shorter than its header, is refused here.
  bool take(Record &record);
  // Whether a record looks published (a hint: take() checks it). One load: the NIC core's cheapest poll.
  bool requestWaiting() {
    if (replied_) spine_ring_pacer_look(&pacer_);
    return spine_ring_ready(&fromHost_);
  }

  // The application buffer [offset, offset + size) of the buffers part, or an empty span when it is not wholly
  // inside it (the host's numbers are not trusted).
  std::span<uint8_t> buffer(uint64_t offset, uint64_t size) const;

  // Room in the host's ring for a record of `bytes` from `extension` (a message unless `kind` says otherwise):
  // where to write it, or nullptr when the ring is full now (or it can never fit). commit() publishes it.
  uint8_t *reserve(uint32_t extension, uint64_t bytes, uint32_t kind = SPINE_CHANNEL_MESSAGE);
  void commit();
  // Wakes the host when a commit since the last call found it asleep on the reply ring's doorbell. Called once
  // per round of the NIC core, so the wake-up system call is paid at most once a round, however many records
  // the round produced -- and however often a hostile host sets its doorbell.
  void ringHost();
  uint64_t room() const;  // messages of the smallest size that fit now (Host.Room)

  // The NIC core idle: sleeps until the host rings the request ring's doorbell (a request arrived), wake() is
  // called, or `most` has passed -- unless a request is already there or `awake` (checked after the doorbell is
  // set, so a wake() after it is never missed) says there is other work.
  void sleep(std::chrono::nanoseconds most, const std::function<bool()> &awake = nullptr);
  // Wakes the NIC core from sleep() (a management task for it, or a stop).
  void wake();

  const HostChannelCounters &counters() const { return counters_; }
  // How many looks' worth the next first look after a reply waits (pacer_; for tests).
  uint32_t firstLookPause() const { return spine_ring_pacer_pause(&pacer_); }
  static constexpr uint32_t kMaxPauseLooks = 64;  // the most the pacer's estimate grows to

 private:
  HostChannel() = default;
  bool attach(std::string &error);

  int fd_ = -1;
  void *region_ = nullptr;
  uint64_t bytes_ = 0;
  spine_channel_header layout_{};
  // Cache lines of their own (and the class is aligned, so whole lines): the NIC core writes them on every
  // record, and an in-process host's hot data may lie next to this object in the heap.
  alignas(64) spine_ring_consumer fromHost_{};
  alignas(64) spine_ring_producer toHost_{};
  HostChannelCounters counters_;
  std::vector<uint8_t> copy_;  // the record being taken, copied out of shared memory
  bool wakeHost_ = false;      // a commit found the host asleep: ringHost() wakes it
  // After a reply the core waits for the host's next request, and its first look at the request ring is paced
  // (spine/ring.h, "Pacing a poller's first look"; the host's waiting caller does the same for its reply), the
  // estimate at most kMaxPauseLooks: a slow or hostile host cannot make the core pause long with packets waiting.
  bool replied_ = false;  // a reply went out since the last request was taken: a wait is under way
  spine_ring_pacer pacer_{};
};

}  // namespace spine::nicrt
