// The NIC's side of the host: the host queue or the host channel's rings, and host requests (docs/nic.md,
// "Requests from the host" and "The host channel").
#include "nic/NicImpl.h"

namespace spine::nicrt {

void Nic::setHostAttached(bool attached) { impl_->host.isAttached = attached; }

const HostChannel *Nic::hostChannel() const { return impl_->channel; }

void Nic::attachHostChannel(HostChannel *channel) {
  impl_->revokeChannelBuffers();
  impl_->channel = channel;
  impl_->pendingReplies.clear();
}

void Nic::resetHostChannel() {
  impl_->revokeChannelBuffers();  // the next host's buffers may lie where these did
  impl_->pendingReplies.clear();
  if (impl_->channel) impl_->channel->reset();
}

uint8_t *Nic::Impl::SlotHost::reserve(uint64_t payloadSize) noexcept {
  return nic.reserveToHost(slot.id, SPINE_WIRE_HEADER_SIZE + payloadSize);
}

// A reply is never refused: into the queue whatever its capacity (the host bounds its own pending calls), or
// into the channel's ring, or, when the ring is full, kept until it has room.
void Nic::Impl::replyToHost(uint32_t id, std::span<const uint8_t> reply) {
  if (!channel) {
    host.messages.emplace_back(reply.begin(), reply.end());
    return;
  }
  answerHost(id, SPINE_CHANNEL_MESSAGE, reply);
}

// An answer (a reply or a BUFFER_ACK) into the channel's ring, or, when the ring is full or older answers wait,
// after them: answers are never refused and keep their order.
void Nic::Impl::answerHost(uint32_t id, uint32_t kind, std::span<const uint8_t> body) {
  if (pendingReplies.empty() && placeToHost(id, kind, body)) return;
  pendingReplies.push_back({id, kind, std::vector<uint8_t>(body.begin(), body.end())});
}

// Writes one record into the host's ring; false when it has no room now.
bool Nic::Impl::placeToHost(uint32_t id, uint32_t kind, std::span<const uint8_t> body) {
  uint8_t *at = channel->reserve(id, body.size(), kind);
  if (!at) return false;
  if (!body.empty()) std::memcpy(at, body.data(), body.size());
  channel->commit();
  return true;
}

// A REGISTER or UNREGISTER record: the buffer must lie in the region's buffers part (the host's offsets are not
// trusted). Answered with a BUFFER_ACK, which waits for room like a reply.
void Nic::Impl::serveBufferRecord(const HostChannel::Record &r) {
  uint64_t hostId = spine_wire_load_le(r.body.data(), 8);
  uint32_t status;
  if (r.kind == SPINE_CHANNEL_REGISTER) {
    std::span<uint8_t> memory =
        channel->buffer(spine_wire_load_le(r.body.data() + 8, 8), spine_wire_load_le(r.body.data() + 16, 8));
    status = memory.empty() ? uint32_t{SPINE_CHANNEL_BUFFER_OUT_OF_RANGE}
                            : registerAppBuffer(r.extension, hostId, memory, true);
  } else {
    status = unregisterAppBuffer(r.extension, hostId);
  }
  std::vector<uint8_t> ack(12);
  spine_wire_store_le(ack.data(), hostId, 8);
  spine_wire_store_le(ack.data() + 8, status, 4);
  answerHost(r.extension, SPINE_CHANNEL_BUFFER_ACK, ack);
}

// Between packets: records that waited for room first, then the host's records, a bounded batch per round.
bool Nic::Impl::serveHostChannel() {
  bool any = false;
  while (!pendingReplies.empty()) {
    PendingRecord &p = pendingReplies.front();
    if (!placeToHost(p.extension, p.kind, p.body)) return any;  // still full: take nothing until the host reads
    pendingReplies.pop_front();
    any = true;
  }
  for (int n = 0; n < 64 && pendingReplies.empty() && channel->take(record); ++n) {
    if (record.kind == SPINE_CHANNEL_MESSAGE) serveRequest(record.extension, record.body);
    else serveBufferRecord(record);
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
  RequestResult &r = served;
  slot->extension->serveRequest(message, r);
  if (r.ran) {
    ++slot->counters.requests;
    ++slot->counters.invocations;
  } else {
    ++slot->counters.requestsRejected;
  }
  replyToHost(id, r.reply);
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

}  // namespace spine::nicrt
