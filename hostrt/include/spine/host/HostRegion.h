// HostRegion: the host's end of a NIC's host channel, the shared region of include/spine/channel.h with its two
// rings. Requests go into one ring and replies and events come out of the other, with no system call on the way.
// The region comes from spine-nic (its control command "channel" hands out the memfd) or from an in-process NIC.
//
//   auto region = spine::host::HostRegion::map(fd, error);          // or attach(address, bytes, error)
//   spine_gen::Firewall::FirewallClient fw(region->channel(1));     // the stubs of extension 1
//   fw.AddRule(rule);
//
// Threads. Any thread may call through the channels (sends are serialised: the request ring has one producer).
// One receive thread per region takes replies and events and hands each to the channel of the extension its
// envelope names, which runs reply and event callbacks on that thread (spine/host/Channel.h); a caller waiting
// for its reply does the same while it waits. Callbacks may call, send and close(); the region must not be
// destroyed while other threads are still in calls on it (docs/host.md, "When things go wrong").
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "spine/host/Channel.h"
#include "spine/host/SpinLock.h"
#include "spine/ring.h"

namespace spine::host {

// An application buffer in the region's buffers part (include/spine/channel.h): host memory an extension may
// write packet data straight into once registered for it. `id` is the host's number for it.
struct HostBuffer {
  std::uint64_t id = 0;
  std::uint8_t *data = nullptr;
  std::size_t size = 0;
  std::uint64_t offset = 0;  // in the buffers part
};

struct HostRegionCounters {
  std::uint64_t sent = 0;       // requests put in the NIC's ring
  std::uint64_t received = 0;   // replies and events taken from the host's ring
  std::uint64_t unrouted = 0;   // messages for an extension no channel was asked for (dropped)
  std::uint64_t waitsFull = 0;  // sends that found the NIC's ring full and waited (back-pressure)
};

class HostRegion {
 public:
  // Maps the region behind `fd` (the descriptor is the region's from then on). Null with `error` set when it
  // is not a host channel region.
  static std::unique_ptr<HostRegion> map(int fd, std::string &error);
  // Uses a region this process already maps (an in-process NIC's), which must outlive the HostRegion.
  static std::unique_ptr<HostRegion> attach(void *region, std::uint64_t bytes, std::string &error);
  ~HostRegion();
  HostRegion(const HostRegion &) = delete;
  HostRegion &operator=(const HostRegion &) = delete;

  // A descriptor that hangs up when the NIC goes away (spine-nic's control connection): the receive thread
  // watches it while idle, and then closes every channel, failing pending calls with ChannelClosed instead of
  // letting them wait for their timeout. Not owned.
  void watchLiveness(int fd) { liveness_.store(fd, std::memory_order_release); }

  // Application buffers. allocateBuffer carves `size` bytes out of the buffers part (first fit, 64-byte aligned;
  // throws Error when none is left); registerBuffer registers one for `extension`, which gets Buffer.Registered,
  // and waits for the NIC's answer (throws Error naming the NIC's reason); onBufferReady calls `ready(id,
  // length)` for every Buffer.Notify of `extension`, on the receive thread.
  HostBuffer allocateBuffer(std::size_t size);
  void freeBuffer(const HostBuffer &buffer);
  void registerBuffer(std::uint32_t extension, const HostBuffer &buffer);
  void unregisterBuffer(std::uint32_t extension, const HostBuffer &buffer);
  Subscription onBufferReady(std::uint32_t extension, std::function<void(std::uint64_t id, std::uint64_t length)> ready);

  // The channel to extension `extension` (made on first use; the same one afterwards).
  Channel &channel(std::uint32_t extension);
  // Stops the receive thread and closes every channel (pending calls fail with ChannelClosed). Idempotent.
  void close();
  // The ring was broken by the other side or the region unmapped: every channel is closed.
  bool closed() const { return closed_.load(std::memory_order_acquire); }
  HostRegionCounters counters() const;

  struct Rings;

 private:
  class ExtensionChannel;
  HostRegion() = default;
  bool start(void *region, std::uint64_t bytes, std::string &error);
  void send(std::uint32_t extension, const std::uint8_t *message, std::size_t size, std::uint32_t kind = 0);
  void bufferRecord(std::uint32_t extension, std::uint32_t kind, const HostBuffer &buffer);
  void receiveLoop();
  void route();        // record_ to its channel
  void parkReplies();  // the NIC's ring into parked_ (a callback sends while the request ring is full)
  void sleepOnDoorbell(std::chrono::nanoseconds most);
  void callerWaits();
  void callerStopsWaiting();
  // Takes and delivers up to `max` records from the NIC's ring, if no other thread is (consumerLock_); the
  // number delivered, or -1 when the ring is corrupt or the NIC gone.
  int drain(int max);
  // A waiting caller holding the consumer's place: up to `looks` looks at the NIC's ring, with a pause between
  // them, until a record looks published (a hint, one load each; drain() checks it); the first of a wait comes
  // after a pause (replyPacer_). Nothing for other threads.
  void pollForRecord(int looks);
  static constexpr int kOtherConsumer = -2;  // drain(): another thread holds the consumer's place
  using Clock = std::chrono::steady_clock;
  // Blocking callers spinning for their replies, which take the replies themselves: the receive thread stays away.
  std::atomic<int> waitingCallers_{0};
  bool nicGone() const;
  void closeChannels(const std::string &reason);

  int fd_ = -1;
  void *mapped_ = nullptr;  // what map() mapped (unmapped at the end); null for attach()
  std::uint64_t bytes_ = 0;
  std::unique_ptr<Rings> rings_;
  detail::SpinLock sendLock_;  // the request ring has one producer
  // ... and the reply ring one consumer at a time: the receive thread or a waiting caller. Only ever tried (a
  // thread that does not get it does something else), so a spin lock: its unlock is a plain store.
  detail::SpinLock consumerLock_;
  std::vector<std::uint8_t> record_;  // the record being delivered (under consumerLock_)
  std::deque<std::vector<std::uint8_t>> parked_;  // records taken early, delivered before the ring's (likewise)
  std::atomic<bool> requestRingBroken_{false};
  std::atomic<bool> replyRingBroken_{false};  // drain() found the NIC's ring corrupt: the receive thread closes
  // The waiting caller's first look for its reply is paced (spine/ring.h, "Pacing a poller's first look";
  // pollForRecord), under the consumer's place.
  spine_ring_pacer replyPacer_{};
  std::uint32_t lastExtension_ = 0;  // the channel found last (under consumerLock_); 0 is no extension's id
  ExtensionChannel *lastChannel_ = nullptr;
  mutable std::mutex channelsMutex_;
  std::map<std::uint32_t, std::unique_ptr<ExtensionChannel>> channels_;
  std::atomic<bool> stop_{false}, closed_{false};
  std::atomic<int> liveness_{-1};
  // The buffers part, and what of it is taken (offset -> size).
  std::uint8_t *buffers_ = nullptr;
  std::uint64_t buffersBytes_ = 0;
  std::mutex buffersMutex_;
  std::map<std::uint64_t, std::uint64_t> taken_;
  std::uint64_t nextBufferId_ = 1;
  std::map<std::uint64_t, std::uint32_t> acks_;  // the NIC's answers by buffer id, until taken
  std::set<std::uint64_t> awaitedAcks_;           // the buffer ids whose answers are awaited
  std::condition_variable ackArrived_;
  std::atomic<std::uint64_t> sent_{0}, received_{0}, unrouted_{0}, waitsFull_{0};
  std::thread receiver_;
};

}  // namespace spine::host
