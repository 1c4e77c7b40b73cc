// What the NIC's files share (Nic.cpp: the extension table and the packet dispatcher; NicDevices.cpp: timers,
// application buffers and peer devices; NicHost.cpp: the host queue, the host channel and host requests): the
// NIC's one internal structure. Only the dispatcher thread touches it (Nic.h).
#pragma once

#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>

#include "detail/ExtensionImpl.h"
#include "detail/PacketContext.h"
#include "nic/Nic.h"
#include "spine/wire.h"

namespace spine::nicrt {
namespace nic_detail {

inline constexpr std::string_view kPacketArrived = "Packet.Arrived";
inline constexpr std::string_view kTimerFired = "Timer.Fired";
inline constexpr std::string_view kBufferRegistered = "Buffer.Registered";
inline constexpr std::string_view kPeerReceived = "Peer.Received";
inline constexpr uint32_t kMaxPorts = 16;  // Packet.Port = [0..15]

// The code ABI of a Packet.Arrived handler and its guard (spine/abi.h): p, port, then VAR data as
// (pointer, length).
using ArrivedHandler = void(void *, int64_t, uint8_t *, int64_t);
using ArrivedGuard = int64_t(void *, int64_t, uint8_t *, int64_t);
// Timer.Fired(t): the timer's handle.
using FiredHandler = void(void *);
using FiredGuard = int64_t(void *);

// Buffer.Registered(b, id): the capability and the host's number.
using RegisteredHandler = void(void *, int64_t);
using RegisteredGuard = int64_t(void *, int64_t);
// Peer.Received(from, READONLY data): the device, then the open array as (pointer, length).
using ReceivedHandler = void(int64_t, const uint8_t *, int64_t);
using ReceivedGuard = int64_t(int64_t, const uint8_t *, int64_t);

// Timer handles and buffer capabilities: a table index in the low 24 bits, the entry's generation (>= 1) above,
// as for packets (packet/PacketHandle.h). Freeing an entry bumps its generation, so old words name nothing.
inline constexpr unsigned kHandleIndexBits = 24;
inline uint64_t makeHandle(uint64_t generation, uint64_t index) { return (generation << kHandleIndexBits) | index; }
inline uint64_t handleIndex(uint64_t handle) { return handle & ((uint64_t{1} << kHandleIndexBits) - 1); }
inline uint64_t handleGeneration(uint64_t handle) { return handle >> kHandleIndexBits; }
inline void *handleWord(uint64_t handle) { return reinterpret_cast<void *>(static_cast<uintptr_t>(handle)); }

}  // namespace nic_detail
using namespace nic_detail;

struct Nic::Impl {
  struct Slot;

  // What the Packet.* calls of one extension act on (detail/PacketContext.h).
  struct SlotPackets final : detail::PacketContext {
    Impl &nic;
    Slot &slot;
    SlotPackets(Impl &n, Slot &s) : nic(n), slot(s) {}
    PacketPool &pool() override { return nic.pool; }
    PacketOwner owner() const override;
    void sent(const PacketBuffer &packet, uint32_t port) noexcept override;
    void dropped(const PacketBuffer &packet) noexcept override;
    void copied() noexcept override { ++slot.counters.copies; }
  };

  // Where host messages go until a host channel is attached (NicOptions::hostQueueMessages): a bounded queue of
  // whole messages.
  struct HostQueue {
    size_t capacity;
    std::deque<std::vector<uint8_t>> messages;
    std::vector<uint8_t> pending;
    bool isAttached = true;
    explicit HostQueue(size_t c) : capacity(c) {}
    uint64_t room() const noexcept { return messages.size() < capacity ? capacity - messages.size() : 0; }
    uint8_t *reserve(uint64_t payloadSize) noexcept {
      if (messages.size() >= capacity) return nullptr;
      try {
        pending.assign(SPINE_WIRE_HEADER_SIZE + payloadSize, 0);
      } catch (...) {
        return nullptr;
      }
      return pending.data();
    }
    void commit() noexcept {
      try {
        messages.push_back(std::move(pending));
      } catch (...) {
      }
      pending.clear();
    }
  };

  // What an extension's events and runtime notifications go through (detail/HostContext.h): the NIC's host
  // queue, or the host channel's ring once one is attached, with the extension's id in the envelope.
  struct SlotHost final : detail::HostContext {
    Impl &nic;
    Slot &slot;
    SlotHost(Impl &n, Slot &s) : nic(n), slot(s) {}
    uint8_t *reserve(uint64_t payloadSize) noexcept override;
    void commit(uint8_t *) noexcept override { nic.commitToHost(); }
    bool attached() const noexcept override { return nic.host.isAttached; }
    uint64_t room() const noexcept override { return nic.channel ? nic.channel->room() : nic.host.room(); }
  };

  struct Handler {
    ArrivedHandler *procedure = nullptr;
    ArrivedGuard *guard = nullptr;  // nullptr: no guard
  };
  struct TimerHandler {
    FiredHandler *procedure = nullptr;
    FiredGuard *guard = nullptr;
  };
  struct RegisteredHandlerEntry {
    RegisteredHandler *procedure = nullptr;
    RegisteredGuard *guard = nullptr;
  };
  struct ReceivedHandlerEntry {
    ReceivedHandler *procedure = nullptr;
    ReceivedGuard *guard = nullptr;
  };

  // An application buffer the host registered for one extension (Buffer.spi). Capabilities are index and
  // generation like timer handles; unregistering bumps the generation, so an old capability reaches nothing.
  struct AppBuffer {
    uint64_t generation = 1;
    uint32_t extension = 0;  // 0: free
    uint64_t hostId = 0;
    std::span<uint8_t> memory;
    bool viaChannel = false;  // registered by the host channel's current host: revoked when it detaches
    void revoke() {
      extension = 0;
      ++generation;  // its capability reaches nothing from now on
      memory = {};
    }
  };

  // What the Buffer.* calls of one extension act on (detail/BufferContext.h).
  struct SlotBuffers final : detail::BufferContext {
    Impl &nic;
    Slot &slot;
    SlotBuffers(Impl &n, Slot &s) : nic(n), slot(s) {}
    const AppBuffer *find(uint64_t handle) const noexcept;
    std::span<uint8_t> memory(uint64_t handle) noexcept override {
      const AppBuffer *b = find(handle);
      return b ? b->memory : std::span<uint8_t>();
    }
    uint64_t hostId(uint64_t handle) noexcept override {
      const AppBuffer *b = find(handle);
      return b ? b->hostId : 0;
    }
  };

  // What the Peer.* calls of one extension act on (detail/PeerContext.h).
  struct SlotPeers final : detail::PeerContext {
    Impl &nic;
    Slot &slot;
    SlotPeers(Impl &n, Slot &s) : nic(n), slot(s) {}
    uint32_t self() const noexcept override { return nic.options.peerDevice; }
    bool reachable(uint32_t device) const noexcept override {
      return device < nic.peers.size() && nic.peers[device] && nic.peers[device]->up();
    }
    bool forward(uint32_t device, std::span<const uint8_t> frame) noexcept override {
      if (!reachable(device)) return false;
      nic.peers[device]->receivePacket(self(), frame);
      ++slot.counters.forwarded;
      return true;
    }
    bool send(uint32_t device, std::span<const uint8_t> data) noexcept override {
      if (!reachable(device)) return false;
      nic.peers[device]->receiveMessage(self(), data);
      ++slot.counters.peerSent;
      return true;
    }
  };

  // The NIC's timers (Timer.Start): a small table scanned when the dispatcher looks at the clock.
  struct Timer {
    uint64_t generation = 1;
    uint32_t extension = 0;   // the id of the extension that started it; 0: free
    uint64_t periodMicros = 0;
    uint64_t nextMicros = 0;  // when it fires next
  };

  // What the Timer.* calls of one extension act on (detail/TimerContext.h).
  struct SlotTimers final : detail::TimerContext {
    Impl &nic;
    Slot &slot;
    SlotTimers(Impl &n, Slot &s) : nic(n), slot(s) {}
    uint64_t start(uint64_t periodMicros) noexcept override;
    void stop(uint64_t handle) noexcept override;
    uint64_t nowMicros() noexcept override { return nic.nowMicros(); }
  };

  // One deployed extension: the dispatcher's table entry. Only the dispatcher thread touches it.
  struct Slot {
    uint32_t id = 0;
    PacketOwner owner = 0;  // the pool owner number its packets carry
    ExtensionState state = ExtensionState::Loaded;
    DeployOptions options;
    std::optional<image::VerifiedImage> image;  // kept for FaultPolicy::Restart
    std::unique_ptr<Extension> extension;
    std::vector<Handler> arrived;
    bool arrivedGuards = false;  // some Packet.Arrived handler has a guard: packets need the two-step dispatch
    std::vector<TimerHandler> fired;
    std::vector<RegisteredHandlerEntry> registered;
    std::vector<ReceivedHandlerEntry> received;
    ExtensionCounters counters;
    std::unique_ptr<SlotPackets> packets;
    std::unique_ptr<SlotTimers> timers;
    std::unique_ptr<SlotBuffers> buffers;
    std::unique_ptr<SlotPeers> peers;
    std::unique_ptr<SlotHost> hostLink;
    std::optional<FaultRecord> pendingFault;  // trapped in the current dispatch: its policy acts once it is over
  };

  explicit Impl(NicOptions o)
      : options(std::move(o)),
        host(options.hostQueueMessages),
        pool(options.pool),
        runtime(RuntimeOptions{options.output, options.limits, options.debuggerSupport}) {
    host.isAttached = options.hostAttached;
    // The buffer every reply passes through (HostChannel keeps its copy of each record likewise), large from the
    // start: it never reallocates, and the bytes the core writes on each request are far from what an in-process
    // host's threads write (no false sharing through neighbouring heap blocks).
    served.reply.reserve(kRequestBufferBytes);
  }

  NicOptions options;
  HostQueue host;
  PacketPool pool;
  Runtime runtime;
  std::vector<std::unique_ptr<Port>> ports;
  std::vector<std::unique_ptr<Slot>> slots;  // in dispatch order
  NicCounters counters;
  std::deque<FaultRecord> faults;
  uint32_t nextId = 1;
  struct Selected {
    Slot *slot;
    const Handler *handler;
  };
  std::vector<Selected> selected;  // the handlers chosen for the packet being dispatched (reused: no allocation)
  std::vector<Timer> timers;       // at most kMaxTimers
  std::vector<AppBuffer> buffers;  // at most Nic::kMaxBuffers
  std::array<PeerDevice *, 64> peers{};  // Peer.Device = [0..63]
  std::vector<uint8_t> peerData;   // the copy of a peer message its handlers read
  HostChannel *channel = nullptr;  // the host channel, once attached (Nic::attachHostChannel)
  // Replies the host's ring had no room for, oldest first: while any wait, no request is taken (back-pressure).
  struct PendingRecord {
    uint32_t extension;
    uint32_t kind;
    std::vector<uint8_t> body;
  };
  std::deque<PendingRecord> pendingReplies;
  HostChannel::Record record;      // the record being served, copied out of the channel
  RequestResult served;            // the request being answered (its reply buffer is reused: no allocation)
  static constexpr size_t kRequestBufferBytes = 4096;
  bool placeToHost(uint32_t id, uint32_t kind, std::span<const uint8_t> body);
  void answerHost(uint32_t id, uint32_t kind, std::span<const uint8_t> body);

  // Room for a whole message (header and payload) from extension `id`, in the channel's ring or the queue.
  uint8_t *reserveToHost(uint32_t id, uint64_t messageBytes) noexcept {
    if (channel) return channel->reserve(id, messageBytes);
    return messageBytes >= SPINE_WIRE_HEADER_SIZE ? host.reserve(messageBytes - SPINE_WIRE_HEADER_SIZE) : nullptr;
  }
  void commitToHost() noexcept {
    if (channel) channel->commit();
    else host.commit();
  }
  void replyToHost(uint32_t id, std::span<const uint8_t> reply);
  bool serveRequest(uint32_t id, std::span<const uint8_t> message);  // Nic::hostRequest
  bool serveHostChannel();
  size_t activeTimers = 0;
  uint32_t pollsSinceClock = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  static constexpr size_t kMaxTimers = 4096;

  uint64_t nowMicros() const {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
  }
  void stopTimersOf(uint32_t extension);
  void freeBuffersOf(uint32_t extension);
  // Registers or unregisters an application buffer; a spine_channel_buffer_status.
  uint32_t registerAppBuffer(uint32_t id, uint64_t hostId, std::span<uint8_t> memory, bool viaChannel);
  uint32_t unregisterAppBuffer(uint32_t id, uint64_t hostId);
  void revokeChannelBuffers();
  void serveBufferRecord(const HostChannel::Record &r);
  bool fireDueTimers();
  void dispatchTimer(uint32_t index);
  bool faultsPending = false;      // some slot's pendingFault is set: applyPendingFaults has work

  static Extension::Impl &internals(Extension &x);

  // Loads `image` into a new slot (not yet in the table); its body has run. Null with `error` set otherwise.
  std::unique_ptr<Slot> load(const image::VerifiedImage &image, const DeployOptions &options, uint32_t id,
                             PacketOwner owner, std::string &error);
  PacketOwner freeOwner() const;
  Slot *find(uint32_t id);

  void dispatch(PacketHandle h);
  bool runHandlers(PacketHandle h, PacketBuffer &b);
  bool runSelectedHandlers(PacketHandle h, PacketBuffer &b);
  bool invokeGuard(Slot &slot, const Handler &handler, PacketHandle h, PacketBuffer &b);
  bool invokeHandler(Slot &slot, const Handler &handler, PacketHandle h, PacketBuffer &b);
  void recordFault(Slot &slot, const Outcome &outcome);

  // Runs `slot`'s handlers of one event that carries no packet (Timer.Fired, Buffer.Registered, Peer.Received),
  // in declaration order: each guard first (one returning FALSE, or trapping, skips its handler), then the
  // handler, with `args`. `before()` runs before each guard and handler pair. Every invocation is counted, each
  // handler run also in `ran`; copies a handler made and kept are freed, and traps recorded.
  template <class Entry, class Before, class... Args>
  void runHandlers(Slot &slot, const std::vector<Entry> &handlers, uint64_t &ran, Before before, Args... args) {
    for (const Entry &h : handlers) {
      if (slot.state != ExtensionState::Running) return;
      before();
      if (h.guard) {
        Result<int64_t> g = slot.extension->invoke(h.guard, args...);
        ++slot.counters.invocations;
        if (!g.ok()) {
          recordFault(slot, g);
          continue;
        }
        if (g.value == 0) continue;
      }
      Outcome o = slot.extension->invoke(h.procedure, args...);
      ++slot.counters.invocations;
      ++ran;
      if (pool.heldBy(slot.owner) != 0) counters.releasedByFault += pool.freeAllOwnedBy(slot.owner);
      if (!o.ok()) recordFault(slot, o);
    }
  }
  void applyPendingFaults();
  void publishFault(FaultRecord f);  // into faults (bounded), then onFault
  void remove(size_t index);
};

}  // namespace spine::nicrt
