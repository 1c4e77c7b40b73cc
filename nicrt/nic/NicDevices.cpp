// The NIC's timers (Timer.Fired), application buffers (Buffer.Registered, stdlib/Buffer.spi) and peer devices
// (Peer.Received, stdlib/Peer.spi): the events that do not come from a port. docs/nic.md.
#include "nic/NicImpl.h"

namespace spine::nicrt {

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
  return impl_->registerAppBuffer(id, hostId, memory, false) == SPINE_CHANNEL_BUFFER_OK;
}

bool Nic::unregisterBuffer(uint32_t id, uint64_t hostId) {
  return impl_->unregisterAppBuffer(id, hostId) == SPINE_CHANNEL_BUFFER_OK;
}

uint32_t Nic::Impl::registerAppBuffer(uint32_t id, uint64_t hostId, std::span<uint8_t> memory, bool viaChannel) {
  Slot *slot = find(id);
  if (!slot || slot->state != ExtensionState::Running) return SPINE_CHANNEL_BUFFER_NO_EXTENSION;
  if (memory.empty()) return SPINE_CHANNEL_BUFFER_OUT_OF_RANGE;
  uint32_t index = 0, free = UINT32_MAX;
  for (; index < buffers.size(); ++index) {
    if (buffers[index].extension == id && buffers[index].hostId == hostId) return SPINE_CHANNEL_BUFFER_REFUSED;
    if (buffers[index].extension == 0 && free == UINT32_MAX) free = index;
  }
  if (free == UINT32_MAX) {
    if (buffers.size() >= Nic::kMaxBuffers) return SPINE_CHANNEL_BUFFER_REFUSED;
    free = static_cast<uint32_t>(buffers.size());
    buffers.emplace_back();
  }
  AppBuffer &b = buffers[free];
  b.extension = id;
  b.hostId = hostId;
  b.memory = memory;
  b.viaChannel = viaChannel;
  void *capability = reinterpret_cast<void *>(static_cast<uintptr_t>((b.generation << kTimerIndexBits) | free));
  // Buffer.Registered to this extension only: guards, then handlers.
  for (const RegisteredHandlerEntry &h : slot->registered) {
    if (slot->state != ExtensionState::Running) break;
    slot->extension->setInvocationBytes(nullptr, 0);
    if (h.guard) {
      Result<int64_t> g = slot->extension->invoke(h.guard, capability, static_cast<int64_t>(hostId));
      ++slot->counters.invocations;
      if (!g.ok()) {
        recordFault(*slot, g);
        continue;
      }
      if (g.value == 0) continue;
    }
    Outcome o = slot->extension->invoke(h.procedure, capability, static_cast<int64_t>(hostId));
    ++slot->counters.invocations;
    ++slot->counters.buffers;
    if (pool.heldBy(slot->owner) != 0) counters.releasedByFault += pool.freeAllOwnedBy(slot->owner);
    if (!o.ok()) recordFault(*slot, o);
  }
  if (faultsPending) applyPendingFaults();
  return SPINE_CHANNEL_BUFFER_OK;
}

uint32_t Nic::Impl::unregisterAppBuffer(uint32_t id, uint64_t hostId) {
  for (AppBuffer &b : buffers)
    if (b.extension == id && b.hostId == hostId && id != 0) {
      b.extension = 0;
      ++b.generation;  // its capability reaches nothing from now on
      b.memory = {};
      return SPINE_CHANNEL_BUFFER_OK;
    }
  return SPINE_CHANNEL_BUFFER_REFUSED;
}

void Nic::Impl::revokeChannelBuffers() {
  for (AppBuffer &b : buffers)
    if (b.extension != 0 && b.viaChannel) {
      b.extension = 0;
      ++b.generation;
      b.memory = {};
    }
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

}  // namespace spine::nicrt
