// The NIC: its extension table (deploy, unload, replace, fault policies) and its dispatcher. One thread owns
// a Nic (Nic.h), so nothing here locks. docs/nic.md states the dispatch rules this file implements.
#include "nic/Nic.h"

#include <thread>

#include "nic/NicImpl.h"

namespace spine::nicrt {

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
  if (impl_->channel) impl_->channel->ringHost();  // once a round: replies and events of the round wake the host
  return any;
}

bool Nic::hasTimers() const { return impl_->activeTimers != 0; }

bool Nic::waitingForHost() const {
  // A corrupt channel is read no more until reset: nothing to wait for.
  return !impl_->pendingReplies.empty() && impl_->channel && !impl_->channel->counters().corrupt;
}

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

Extension *Nic::extension(uint32_t id) {
  Impl::Slot *s = impl_->find(id);
  return s ? s->extension.get() : nullptr;
}

}  // namespace spine::nicrt
