// The NIC: its extension table (deploy, unload, replace, fault policies) and its dispatcher. One thread owns
// a Nic (Nic.h), so nothing here locks. docs/nic.md states the dispatch rules this file implements.
#include "nic/Nic.h"

#include <array>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>
#include <thread>

#include "detail/ExtensionImpl.h"
#include "detail/PacketContext.h"
#include "spine/wire.h"

namespace spine::nicrt {
namespace {

constexpr std::string_view kPacketArrived = "Packet.Arrived";
constexpr std::string_view kTimerFired = "Timer.Fired";
constexpr std::string_view kBufferRegistered = "Buffer.Registered";
constexpr std::string_view kPeerReceived = "Peer.Received";
constexpr uint32_t kMaxPorts = 16;  // Packet.Port = [0..15]

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

// Timer handles: index in the low 24 bits, generation (>= 1) above, as for packets (packet/PacketHandle.h).
constexpr unsigned kTimerIndexBits = 24;

}  // namespace

const char *faultPolicyName(FaultPolicy p) {
  switch (p) {
    case FaultPolicy::Unload: return "unload";
    case FaultPolicy::Restart: return "restart";
    case FaultPolicy::Keep: return "keep";
  }
  return "?";
}

const char *extensionStateName(ExtensionState s) {
  switch (s) {
    case ExtensionState::Loaded: return "loaded";
    case ExtensionState::Running: return "running";
    case ExtensionState::Faulted: return "faulted";
    case ExtensionState::Unloading: return "unloading";
  }
  return "?";
}

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
  std::deque<std::pair<uint32_t, std::vector<uint8_t>>> pendingReplies;
  std::vector<uint8_t> request;    // the request being served, copied out of the channel

  // Room for a whole message (header and payload) from extension `id`, in the channel's ring or the queue.
  uint8_t *reserveToHost(uint32_t id, uint64_t messageBytes) noexcept {
    if (channel) return channel->reserve(id, messageBytes);
    return messageBytes >= SPINE_WIRE_HEADER_SIZE ? host.reserve(messageBytes - SPINE_WIRE_HEADER_SIZE) : nullptr;
  }
  void commitToHost() noexcept {
    if (channel) channel->commit();
    else host.commit();
  }
  void replyToHost(uint32_t id, std::vector<uint8_t> reply);
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
  void applyPendingFaults();
  void publishFault(FaultRecord f);  // into faults (bounded), then onFault
  void remove(size_t index);
};

Extension::Impl &Nic::Impl::internals(Extension &x) { return *x.impl_; }

PacketOwner Nic::Impl::SlotPackets::owner() const { return slot.owner; }

void Nic::Impl::SlotPackets::sent(const PacketBuffer &packet, uint32_t port) noexcept {
  ++slot.counters.sent;
  if (port >= nic.ports.size()) {
    ++nic.counters.sentToMissingPort;
    return;
  }
  ++nic.counters.sent;
  nic.ports[port]->transmit(packet);
}

void Nic::Impl::SlotPackets::dropped(const PacketBuffer &) noexcept {
  ++slot.counters.dropped;
  ++nic.counters.dropped;
}

PacketOwner Nic::Impl::freeOwner() const {
  for (PacketOwner o = 1; o < options.pool.owners; ++o) {
    bool used = false;
    for (const auto &s : slots) used = used || s->owner == o;
    if (!used) return o;
  }
  return 0;
}

Nic::Impl::Slot *Nic::Impl::find(uint32_t id) {
  for (auto &s : slots)
    if (s->id == id) return s.get();
  return nullptr;
}

// `id` is the extension's from the start: its module body may already start timers in its name.
std::unique_ptr<Nic::Impl::Slot> Nic::Impl::load(const image::VerifiedImage &verified, const DeployOptions &opts,
                                                  uint32_t id, PacketOwner owner, std::string &error) {
  const image::Image &img = verified.image();
  if (owner == 0) {
    error = "the NIC has no room for another extension (at most " + std::to_string(options.pool.owners - 1) +
            ", the pool's owners option)";
    return nullptr;
  }
  // Only events this NIC raises may be handled: a handler of any other would silently never run.
  for (const image::Handler &h : img.manifest.handlers)
    if (h.event != kPacketArrived && h.event != kTimerFired && h.event != kBufferRegistered && h.event != kPeerReceived)
      error += "image handles event " + h.event + ", which this NIC does not raise\n";
  if (!error.empty()) {
    error.pop_back();
    return nullptr;
  }
  LoadResult loaded = runtime.load(verified);
  if (!loaded) {
    error = loaded.error;
    return nullptr;
  }
  auto slot = std::make_unique<Slot>();
  slot->id = id;
  slot->owner = owner;
  slot->options = opts;
  slot->image = verified;
  slot->extension = std::move(loaded.extension);
  if (opts.hasLimits) slot->extension->limits() = opts.limits;
  // A handler's procedure and its guard (if any), resolved by name; a name the code does not define is refused.
  auto resolve = [&](const image::Handler &h, auto &entry) {
    using Proc = std::remove_pointer_t<decltype(entry.procedure)>;
    using Guard = std::remove_pointer_t<decltype(entry.guard)>;
    entry.procedure = slot->extension->lookupAs<Proc>(h.procedure);
    if (!entry.procedure) error += "image's handler " + h.procedure + " is not defined in its code\n";
    if (!h.guard.empty()) {
      entry.guard = slot->extension->lookupAs<Guard>(h.guard);
      if (!entry.guard) error += "image's guard " + h.guard + " is not defined in its code\n";
    }
  };
  for (const image::Handler &h : img.manifest.handlers) {
    if (h.event == kBufferRegistered) {
      resolve(h, slot->registered.emplace_back());
      continue;
    }
    if (h.event == kPeerReceived) {
      resolve(h, slot->received.emplace_back());
      continue;
    }
    if (h.event == kTimerFired) {
      TimerHandler th;
      th.procedure = slot->extension->lookupAs<FiredHandler>(h.procedure);
      if (!th.procedure) error += "image's handler " + h.procedure + " is not defined in its code\n";
      if (!h.guard.empty()) {
        th.guard = slot->extension->lookupAs<FiredGuard>(h.guard);
        if (!th.guard) error += "image's guard " + h.guard + " is not defined in its code\n";
      }
      slot->fired.push_back(th);
      continue;
    }
    Handler handler;
    handler.procedure = slot->extension->lookupAs<ArrivedHandler>(h.procedure);
    if (!handler.procedure) error += "image's handler " + h.procedure + " is not defined in its code\n";
    if (!h.guard.empty()) {
      handler.guard = slot->extension->lookupAs<ArrivedGuard>(h.guard);
      if (!handler.guard) error += "image's guard " + h.guard + " is not defined in its code\n";
      slot->arrivedGuards = true;
    }
    slot->arrived.push_back(handler);
  }
  if (!error.empty()) {
    error.pop_back();
    return nullptr;
  }
  slot->packets = std::make_unique<SlotPackets>(*this, *slot);
  internals(*slot->extension).packets = slot->packets.get();
  slot->hostLink = std::make_unique<SlotHost>(*this, *slot);
  internals(*slot->extension).host = slot->hostLink.get();
  slot->timers = std::make_unique<SlotTimers>(*this, *slot);
  internals(*slot->extension).timers = slot->timers.get();
  slot->buffers = std::make_unique<SlotBuffers>(*this, *slot);
  internals(*slot->extension).buffers = slot->buffers.get();
  slot->peers = std::make_unique<SlotPeers>(*this, *slot);
  internals(*slot->extension).peers = slot->peers.get();
  Outcome init = slot->extension->runInit();
  ++slot->counters.invocations;
  pool.freeAllOwnedBy(owner);  // a module body has no packet, but must not keep one either
  if (!init.ok()) {
    stopTimersOf(id);
    error = "the image's module body failed: " + init.message();
    return nullptr;
  }
  slot->state = ExtensionState::Running;
  return slot;
}

// Guards run while the dispatcher holds the packet: a guard may read it (VIEW, Packet.Length) but a Send,
// Drop or Copy of it traps, since the packet is not the guard's to use. So `b` stays `h`'s packet throughout.
bool Nic::Impl::invokeGuard(Slot &slot, const Handler &handler, PacketHandle h, PacketBuffer &b) {
  if (Extension::Impl &x = internals(*slot.extension); x.oracle) x.setInvocationBytes(b.data(), b.length());
  Result<int64_t> r = slot.extension->invoke(handler.guard, h.toPointer(), int64_t{b.arrivalPort()}, b.data(),
                                             int64_t{b.length()});
  ++slot.counters.invocations;
  if (pool.heldBy(slot.owner) != 0) pool.freeAllOwnedBy(slot.owner);
  if (!r.ok()) {
    recordFault(slot, r);
    return false;
  }
  return r.value != 0;
}

// A handler holds the packet while it runs. Afterwards the dispatcher takes back the packet if it is still
// there (not sent or dropped), and frees every copy the handler made but neither sent nor dropped. True if the
// packet is still there (`b` is `h`'s, resolved by dispatch; pool.holds checks it was not freed meanwhile).
[[gnu::always_inline]] inline bool Nic::Impl::invokeHandler(Slot &slot, const Handler &handler, PacketHandle h,
                                                             PacketBuffer &b) {
  pool.lend(b, slot.owner);  // the packet stays on the dispatcher's list: no list moves on the packet path
  ++slot.counters.packets;
  if (Extension::Impl &x = internals(*slot.extension); x.oracle) x.setInvocationBytes(b.data(), b.length());
  Outcome o = slot.extension->invoke(handler.procedure, h.toPointer(), int64_t{b.arrivalPort()}, b.data(),
                                     int64_t{b.length()});
  ++slot.counters.invocations;
  const bool held = pool.holds(b, h);
  if (held) pool.endLoan(b);  // not sent or dropped: the dispatcher's again
  if (pool.heldBy(slot.owner) != 0) [[unlikely]] {
    uint32_t left = pool.freeAllOwnedBy(slot.owner);  // copies it made and kept
    if (o.trapped()) counters.releasedByFault += left;
    else slot.counters.copiesReclaimed += left;
  }
  if (!o.ok()) [[unlikely]] recordFault(slot, o);
  return held;
}

// No guard anywhere: every handler of every running extension is selected, so they run in dispatch order
// straight away (a handler that traps makes its extension faulted, which skips the rest of its handlers).
// True if no handler claimed the packet.
[[gnu::always_inline]] inline bool Nic::Impl::runHandlers(PacketHandle h, PacketBuffer &b) {
  for (auto &slot : slots)
    for (const Handler &handler : slot->arrived) {
      if (slot->state != ExtensionState::Running) break;  // not running, or one of its handlers just trapped
      if (!invokeHandler(*slot, handler, h, b)) return false;
    }
  return true;
}

// 1. Every guard of every running extension, in dispatch order, on the packet as it arrived. 2. The selected
// handlers in the same order, until one of them sends or drops the packet. True if none claimed it.
bool Nic::Impl::runSelectedHandlers(PacketHandle h, PacketBuffer &b) {
  selected.clear();
  for (auto &slot : slots) {
    for (const Handler &handler : slot->arrived) {
      if (slot->state != ExtensionState::Running) break;  // not running, or its guard just trapped
      if (!handler.guard || invokeGuard(*slot, handler, h, b)) selected.push_back({slot.get(), &handler});
    }
  }
  for (const Selected &s : selected)
    if (s.slot->state == ExtensionState::Running && !invokeHandler(*s.slot, *s.handler, h, b)) return false;
  return true;
}

void Nic::Impl::dispatch(PacketHandle h) {
  PacketBuffer *b = pool.resolve(h);  // once: afterwards pool.holds(*b, h) says whether it is still there
  if (!b) return;
  ++counters.received;
  bool guards = false;
  for (const auto &slot : slots) guards |= slot->arrivedGuards;
  if (guards ? runSelectedHandlers(h, *b) : runHandlers(h, *b)) {
    ++counters.unclaimed;  // no one claimed it: the NIC drops it
    pool.free(h);
  }
  if (faultsPending) [[unlikely]] applyPendingFaults();
}

void Nic::Impl::recordFault(Slot &slot, const Outcome &outcome) {
  ++slot.counters.faults;
  FaultRecord f;
  f.extension = slot.id;
  f.module = slot.extension->module();
  f.trapKind = outcome.trapKind;
  f.message = outcome.message();
  if (slot.options.faultPolicy == FaultPolicy::Keep) {
    f.action = "kept";
    publishFault(std::move(f));
    return;
  }
  slot.state = ExtensionState::Faulted;  // no more invocations in this dispatch
  slot.pendingFault = std::move(f);      // published once its policy has acted
  faultsPending = true;
}

void Nic::Impl::publishFault(FaultRecord f) {
  faults.push_back(std::move(f));
  while (faults.size() > options.maxFaultRecords) faults.pop_front();
  if (options.onFault) options.onFault(faults.back());
}

// The fault policies other than Keep act between events, when no invocation of the extension is running.
void Nic::Impl::applyPendingFaults() {
  faultsPending = false;
  for (size_t i = 0; i < slots.size(); ++i) {
    Slot &slot = *slots[i];
    if (!slot.pendingFault) continue;
    FaultRecord record = std::move(*slot.pendingFault);
    slot.pendingFault.reset();
    if (slot.options.faultPolicy == FaultPolicy::Restart) {
      std::string error;
      image::VerifiedImage img = *slot.image;
      PacketOwner owner = slot.owner;
      slot.extension.reset();  // its code, data and heap go first: the restart starts from nothing
      stopTimersOf(slot.id);
      freeBuffersOf(slot.id);
      std::unique_ptr<Slot> fresh = load(img, slot.options, slot.id, owner, error);
      if (fresh) {
        fresh->counters = slot.counters;
        slots[i] = std::move(fresh);
        record.action = "restarted";
        publishFault(std::move(record));
        continue;
      }
      record.action = "restart failed: " + error;
    } else {
      record.action = "unloaded";
    }
    publishFault(std::move(record));
    remove(i--);
  }
}

void Nic::Impl::remove(size_t index) {
  Slot &slot = *slots[index];
  slot.state = ExtensionState::Unloading;
  pool.freeAllOwnedBy(slot.owner);
  stopTimersOf(slot.id);
  freeBuffersOf(slot.id);
  slots.erase(slots.begin() + static_cast<std::ptrdiff_t>(index));
}

uint64_t Nic::Impl::SlotTimers::start(uint64_t periodMicros) noexcept {
  uint32_t index = 0;
  while (index < nic.timers.size() && nic.timers[index].extension != 0) ++index;
  if (index == nic.timers.size()) {
    if (index >= kMaxTimers) return 0;
    try {
      nic.timers.emplace_back();
    } catch (...) {
      return 0;
    }
  }
  Timer &t = nic.timers[index];
  t.extension = slot.id;
  t.periodMicros = periodMicros;
  t.nextMicros = nic.nowMicros() + periodMicros;
  ++nic.activeTimers;
  return (t.generation << kTimerIndexBits) | index;
}

void Nic::Impl::SlotTimers::stop(uint64_t handle) noexcept {
  uint64_t index = handle & ((uint64_t{1} << kTimerIndexBits) - 1);
  if (index >= nic.timers.size()) return;
  Timer &t = nic.timers[index];
  if (t.extension != slot.id || t.generation != handle >> kTimerIndexBits) return;  // stopped, or not its own
  t.extension = 0;
  ++t.generation;  // old handles stop nothing
  --nic.activeTimers;
}

void Nic::Impl::stopTimersOf(uint32_t extension) {
  for (Timer &t : timers)
    if (t.extension == extension) {
      t.extension = 0;
      ++t.generation;
      --activeTimers;
    }
}

// Fires every timer that is due, once each however many periods went by (a firing that comes while the
// previous one is late is merged into it, Timer.spi).
bool Nic::Impl::fireDueTimers() {
  if (activeTimers == 0) return false;
  uint64_t now = nowMicros();
  bool fired = false;
  for (uint32_t i = 0; i < timers.size(); ++i) {
    if (timers[i].extension == 0 || timers[i].nextMicros > now) continue;
    timers[i].nextMicros = now + timers[i].periodMicros;
    dispatchTimer(i);
    fired = true;
  }
  applyPendingFaults();
  return fired;
}

// Timer.Fired goes only to the handlers of the extension that started the timer: guards, then handlers.
void Nic::Impl::dispatchTimer(uint32_t index) {
  Slot *slot = find(timers[index].extension);
  if (!slot || slot->state != ExtensionState::Running) return;
  void *handle = reinterpret_cast<void *>(static_cast<uintptr_t>((timers[index].generation << kTimerIndexBits) | index));
  for (const TimerHandler &h : slot->fired) {
    if (slot->state != ExtensionState::Running) return;
    if (h.guard) {
      slot->extension->setInvocationBytes(nullptr, 0);
      Result<int64_t> g = slot->extension->invoke(h.guard, handle);
      ++slot->counters.invocations;
      if (!g.ok()) {
        recordFault(*slot, g);
        continue;
      }
      if (g.value == 0) continue;
    }
    slot->extension->setInvocationBytes(nullptr, 0);
    Outcome o = slot->extension->invoke(h.procedure, handle);
    ++slot->counters.invocations;
    ++slot->counters.timerFirings;
    if (pool.heldBy(slot->owner) != 0) counters.releasedByFault += pool.freeAllOwnedBy(slot->owner);
    if (!o.ok()) recordFault(*slot, o);
  }
}

// ---- application buffers and peer devices --------------------------------------------------------------------

const Nic::Impl::AppBuffer *Nic::Impl::SlotBuffers::find(uint64_t handle) const noexcept {
  uint64_t index = handle & ((uint64_t{1} << kTimerIndexBits) - 1);
  if (index >= nic.buffers.size()) return nullptr;
  const AppBuffer &b = nic.buffers[index];
  if (b.extension != slot.id || b.generation != handle >> kTimerIndexBits) return nullptr;  // gone, or not its own
  return &b;
}

void Nic::Impl::freeBuffersOf(uint32_t extension) {
  for (AppBuffer &b : buffers)
    if (b.extension == extension) {
      b.extension = 0;
      ++b.generation;
      b.memory = {};
    }
}

bool Nic::registerBuffer(uint32_t id, uint64_t hostId, std::span<uint8_t> memory) {
  Impl &n = *impl_;
  Impl::Slot *slot = n.find(id);
  if (!slot || slot->state != ExtensionState::Running) return false;
  uint32_t index = 0, free = UINT32_MAX;
  for (; index < n.buffers.size(); ++index) {
    if (n.buffers[index].extension == id && n.buffers[index].hostId == hostId) return false;
    if (n.buffers[index].extension == 0 && free == UINT32_MAX) free = index;
  }
  if (free == UINT32_MAX) {
    if (n.buffers.size() >= kMaxBuffers) return false;
    free = static_cast<uint32_t>(n.buffers.size());
    n.buffers.emplace_back();
  }
  Impl::AppBuffer &b = n.buffers[free];
  b.extension = id;
  b.hostId = hostId;
  b.memory = memory;
  void *capability = reinterpret_cast<void *>(static_cast<uintptr_t>((b.generation << kTimerIndexBits) | free));
  // Buffer.Registered to this extension only: guards, then handlers.
  for (const Impl::RegisteredHandlerEntry &h : slot->registered) {
    if (slot->state != ExtensionState::Running) break;
    slot->extension->setInvocationBytes(nullptr, 0);
    if (h.guard) {
      Result<int64_t> g = slot->extension->invoke(h.guard, capability, static_cast<int64_t>(hostId));
      ++slot->counters.invocations;
      if (!g.ok()) {
        n.recordFault(*slot, g);
        continue;
      }
      if (g.value == 0) continue;
    }
    Outcome o = slot->extension->invoke(h.procedure, capability, static_cast<int64_t>(hostId));
    ++slot->counters.invocations;
    ++slot->counters.buffers;
    if (n.pool.heldBy(slot->owner) != 0) n.counters.releasedByFault += n.pool.freeAllOwnedBy(slot->owner);
    if (!o.ok()) n.recordFault(*slot, o);
  }
  if (n.faultsPending) n.applyPendingFaults();
  return true;
}

bool Nic::unregisterBuffer(uint32_t id, uint64_t hostId) {
  for (Impl::AppBuffer &b : impl_->buffers)
    if (b.extension == id && b.hostId == hostId && id != 0) {
      b.extension = 0;
      ++b.generation;
      b.memory = {};
      return true;
    }
  return false;
}

bool Nic::attachPeer(uint32_t number, PeerDevice *device) {
  if (number >= impl_->peers.size() || number == impl_->options.peerDevice || impl_->peers[number] || !device)
    return false;
  impl_->peers[number] = device;
  return true;
}

void Nic::detachPeer(uint32_t number) {
  if (number < impl_->peers.size()) impl_->peers[number] = nullptr;
}

void Nic::peerMessage(uint32_t from, std::span<const uint8_t> data) {
  Impl &n = *impl_;
  for (auto &slot : n.slots) {
    for (const Impl::ReceivedHandlerEntry &h : slot->received) {
      if (slot->state != ExtensionState::Running) break;
      // A fresh copy for each invocation: one extension's handler cannot change what the next one reads.
      n.peerData.assign(data.begin(), data.end());
      const uint8_t *bytes = n.peerData.data();
      int64_t count = static_cast<int64_t>(n.peerData.size());
      slot->extension->setInvocationBytes(n.peerData.data(), n.peerData.size());
      if (h.guard) {
        Result<int64_t> g = slot->extension->invoke(h.guard, int64_t{from}, bytes, count);
        ++slot->counters.invocations;
        if (!g.ok()) {
          n.recordFault(*slot, g);
          continue;
        }
        if (g.value == 0) continue;
      }
      Outcome o = slot->extension->invoke(h.procedure, int64_t{from}, bytes, count);
      ++slot->counters.invocations;
      ++slot->counters.peerReceived;
      if (n.pool.heldBy(slot->owner) != 0) n.counters.releasedByFault += n.pool.freeAllOwnedBy(slot->owner);
      if (!o.ok()) n.recordFault(*slot, o);
    }
  }
  if (n.faultsPending) n.applyPendingFaults();
}

void Nic::setHostAttached(bool attached) { impl_->host.isAttached = attached; }

const HostChannel *Nic::hostChannel() const { return impl_->channel; }

void Nic::attachHostChannel(HostChannel *channel) {
  impl_->channel = channel;
  impl_->pendingReplies.clear();
}

Nic::Nic(NicOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Nic::~Nic() {
  flush();
  impl_->slots.clear();  // extensions before the runtime that loaded them
}

uint32_t Nic::addPort(std::unique_ptr<Port> port) {
  if (impl_->ports.size() >= kMaxPorts) return UINT32_MAX;
  uint32_t n = static_cast<uint32_t>(impl_->ports.size());
  port->setNumber(n);
  impl_->ports.push_back(std::move(port));
  return n;
}

Port *Nic::port(uint32_t number) { return number < impl_->ports.size() ? impl_->ports[number].get() : nullptr; }
size_t Nic::portCount() const { return impl_->ports.size(); }

DeployResult Nic::deploy(const image::VerifiedImage &image, DeployOptions options) {
  DeployResult r;
  std::unique_ptr<Impl::Slot> slot = impl_->load(image, options, impl_->nextId, impl_->freeOwner(), r.error);
  if (!slot) return r;
  r.id = impl_->nextId++;
  impl_->slots.push_back(std::move(slot));
  return r;
}

bool Nic::unload(uint32_t id) {
  for (size_t i = 0; i < impl_->slots.size(); ++i)
    if (impl_->slots[i]->id == id) {
      impl_->remove(i);
      return true;
    }
  return false;
}

DeployResult Nic::replace(uint32_t id, const image::VerifiedImage &image, DeployOptions options) {
  DeployResult r;
  size_t index = impl_->slots.size();
  for (size_t i = 0; i < impl_->slots.size(); ++i)
    if (impl_->slots[i]->id == id) index = i;
  if (index == impl_->slots.size()) {
    r.error = "no extension with id " + std::to_string(id);
    return r;
  }
  std::unique_ptr<Impl::Slot> slot = impl_->load(image, options, impl_->nextId, impl_->freeOwner(), r.error);
  if (!slot) return r;
  r.id = impl_->nextId++;
  impl_->slots.insert(impl_->slots.begin() + static_cast<std::ptrdiff_t>(index), std::move(slot));
  impl_->remove(index + 1);
  return r;
}

bool Nic::poll() {
  bool any = impl_->channel && impl_->serveHostChannel();
  // The clock costs a few nanoseconds: look at it every 64 rounds, and in every idle one (below).
  if (impl_->activeTimers != 0 && (++impl_->pollsSinceClock & 63) == 0) any = impl_->fireDueTimers();
  for (auto &port : impl_->ports) {
    ReceiveResult r = port->receive(impl_->pool, kDispatcherOwner);
    if (r.status == ReceiveStatus::Packet) {
      impl_->dispatch(r.packet);
      any = true;
    } else if (r.status == ReceiveStatus::Dropped) {
      any = true;
    }
  }
  if (!any && impl_->activeTimers != 0) any = impl_->fireDueTimers();
  return any;
}

bool Nic::hasTimers() const { return impl_->activeTimers != 0; }

bool Nic::inputsEnded() const {
  for (const auto &port : impl_->ports)
    if (!port->eof()) return false;
  return true;
}

void Nic::runUntilInputsEnd() {
  while (!inputsEnded())
    if (!poll() && !inputsEnded()) std::this_thread::sleep_for(std::chrono::microseconds(100));
  flush();
}

bool Nic::flush() {
  bool ok = true;
  for (auto &port : impl_->ports) ok = port->flush() && ok;
  return ok;
}

void Nic::dispatch(PacketHandle packet) { impl_->dispatch(packet); }

PacketPool &Nic::pool() { return impl_->pool; }
const NicCounters &Nic::counters() const { return impl_->counters; }
const std::deque<FaultRecord> &Nic::faults() const { return impl_->faults; }

std::vector<ExtensionInfo> Nic::extensions() const {
  std::vector<ExtensionInfo> v;
  for (const auto &s : impl_->slots) {
    ExtensionCounters c = s->counters;
    if (s->extension) {
      c.events = Impl::internals(*s->extension).eventsPosted;
      c.eventsRefused = Impl::internals(*s->extension).eventsRefused;
    }
    v.push_back({s->id, s->extension ? s->extension->module() : std::string(), s->state, s->options.faultPolicy, c,
                 s->extension ? s->extension->heapUsed() : 0, s->owner});
  }
  return v;
}

uint8_t *Nic::Impl::SlotHost::reserve(uint64_t payloadSize) noexcept {
  return nic.reserveToHost(slot.id, SPINE_WIRE_HEADER_SIZE + payloadSize);
}

// A reply is never refused: into the queue whatever its capacity (the host bounds its own pending calls), or
// into the channel's ring, or, when the ring is full, kept until it has room.
void Nic::Impl::replyToHost(uint32_t id, std::vector<uint8_t> reply) {
  if (!channel) {
    host.messages.push_back(std::move(reply));
    return;
  }
  if (pendingReplies.empty()) {
    if (uint8_t *at = channel->reserve(id, reply.size())) {
      std::memcpy(at, reply.data(), reply.size());
      channel->commit();
      return;
    }
  }
  pendingReplies.emplace_back(id, std::move(reply));
}

// Between packets: replies that waited for room first, then the host's requests, a bounded batch per round.
bool Nic::Impl::serveHostChannel() {
  bool any = false;
  while (!pendingReplies.empty()) {
    auto &[id, reply] = pendingReplies.front();
    uint8_t *at = channel->reserve(id, reply.size());
    if (!at) return any;  // still full: take no request until the host reads
    std::memcpy(at, reply.data(), reply.size());
    channel->commit();
    pendingReplies.pop_front();
    any = true;
  }
  uint32_t extension = 0;
  for (int n = 0; n < 64 && pendingReplies.empty() && channel->take(extension, request); ++n) {
    serveRequest(extension, request);
    any = true;
  }
  return any;
}

bool Nic::Impl::serveRequest(uint32_t id, std::span<const uint8_t> message) {
  if (message.size() < SPINE_WIRE_HEADER_SIZE) return false;
  Impl::Slot *slot = find(id);
  if (!slot || slot->state != ExtensionState::Running) {
    std::string why = slot ? "extension " + std::to_string(id) + " (" + slot->extension->module() + ") is " +
                                 extensionStateName(slot->state)
                           : "no extension " + std::to_string(id) + " is deployed on this NIC";
    replyToHost(id, rejectedReply(message, why));
    return true;
  }
  RequestResult r = slot->extension->serveRequest(message);
  if (r.ran) {
    ++slot->counters.requests;
    ++slot->counters.invocations;
  } else {
    ++slot->counters.requestsRejected;
  }
  replyToHost(id, std::move(r.reply));
  if (!r.outcome.ok()) {
    recordFault(*slot, r.outcome);
    if (faultsPending) applyPendingFaults();
  }
  return true;
}

bool Nic::hostRequest(uint32_t id, std::span<const uint8_t> message) { return impl_->serveRequest(id, message); }

std::vector<std::vector<uint8_t>> Nic::takeHostMessages() {
  std::vector<std::vector<uint8_t>> out(std::make_move_iterator(impl_->host.messages.begin()),
                                        std::make_move_iterator(impl_->host.messages.end()));
  impl_->host.messages.clear();
  return out;
}

Extension *Nic::extension(uint32_t id) {
  Impl::Slot *s = impl_->find(id);
  return s ? s->extension.get() : nullptr;
}

}  // namespace spine::nicrt
