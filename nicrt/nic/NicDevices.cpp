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
  return makeHandle(t.generation, index);
}

void Nic::Impl::SlotTimers::stop(uint64_t handle) noexcept {
  uint64_t index = handleIndex(handle);
  if (index >= nic.timers.size()) return;
  Timer &t = nic.timers[index];
  if (t.extension != slot.id || t.generation != handleGeneration(handle)) return;  // stopped, or not its own
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
  void *handle = handleWord(makeHandle(timers[index].generation, index));
  runHandlers(*slot, slot->fired, slot->counters.timerFirings, [&] { slot->extension->setInvocationBytes(nullptr, 0); },
              handle);
}

// ---- application buffers and peer devices --------------------------------------------------------------------

const Nic::Impl::AppBuffer *Nic::Impl::SlotBuffers::find(uint64_t handle) const noexcept {
  uint64_t index = handleIndex(handle);
  if (index >= nic.buffers.size()) return nullptr;
  const AppBuffer &b = nic.buffers[index];
  if (b.extension != slot.id || b.generation != handleGeneration(handle)) return nullptr;  // gone, or not its own
  return &b;
}

void Nic::Impl::freeBuffersOf(uint32_t extension) {
  for (AppBuffer &b : buffers)
    if (b.extension == extension) b.revoke();
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
  void *capability = handleWord(makeHandle(b.generation, free));
  // Buffer.Registered to this extension only: guards, then handlers.
  runHandlers(*slot, slot->registered, slot->counters.buffers, [&] { slot->extension->setInvocationBytes(nullptr, 0); },
              capability, static_cast<int64_t>(hostId));
  if (faultsPending) applyPendingFaults();
  return SPINE_CHANNEL_BUFFER_OK;
}

uint32_t Nic::Impl::unregisterAppBuffer(uint32_t id, uint64_t hostId) {
  for (AppBuffer &b : buffers)
    if (b.extension == id && b.hostId == hostId && id != 0) {
      b.revoke();
      return SPINE_CHANNEL_BUFFER_OK;
    }
  return SPINE_CHANNEL_BUFFER_REFUSED;
}

void Nic::Impl::revokeChannelBuffers() {
  for (AppBuffer &b : buffers)
    if (b.extension != 0 && b.viaChannel) b.revoke();
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
    // A fresh copy for each invocation: one extension's handler cannot change what the next one reads.
    auto copy = [&] {
      n.peerData.assign(data.begin(), data.end());
      slot->extension->setInvocationBytes(n.peerData.data(), n.peerData.size());
    };
    n.peerData.reserve(data.size());  // so that the copies never move: the pointer below stays valid
    n.runHandlers(*slot, slot->received, slot->counters.peerReceived, copy, int64_t{from},
                  static_cast<const uint8_t *>(n.peerData.data()), static_cast<int64_t>(data.size()));
  }
  if (n.faultsPending) n.applyPendingFaults();
}

}  // namespace spine::nicrt
