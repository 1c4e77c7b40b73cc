// The NIC's end of the host channel (HostChannel.h).
#include "nic/HostChannel.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "spine/doorbell.h"
#include "spine/wire.h"

namespace spine::nicrt {

std::unique_ptr<HostChannel> HostChannel::create(uint32_t toNicSlots, uint32_t toHostSlots, uint64_t bufferBytes,
                                                 std::string &error) {
  auto powerOfTwo = [](uint32_t n) { return n >= SPINE_RING_MIN_SLOTS && n <= SPINE_RING_MAX_SLOTS && !(n & (n - 1)); };
  if (!powerOfTwo(toNicSlots) || !powerOfTwo(toHostSlots)) {
    error = "host channel ring slots must be powers of two from " + std::to_string(SPINE_RING_MIN_SLOTS) + " to " +
            std::to_string(SPINE_RING_MAX_SLOTS) + " (got " + std::to_string(toNicSlots) + " and " +
            std::to_string(toHostSlots) + ")";
    return nullptr;
  }
  std::unique_ptr<HostChannel> c(new HostChannel);
  if (bufferBytes > (uint64_t{1} << 40)) {
    error = "application buffers of " + std::to_string(bufferBytes) + " bytes: at most 1 TiB";
    return nullptr;
  }
  c->bytes_ = spine_channel_region_bytes(toNicSlots, toHostSlots, bufferBytes);
  c->fd_ = ::memfd_create("spine-host-channel", MFD_CLOEXEC);
  if (c->fd_ < 0 || ::ftruncate(c->fd_, static_cast<off_t>(c->bytes_)) != 0) {
    error = std::string("cannot create the host channel's shared region: ") + std::strerror(errno);
    return nullptr;
  }
  c->copy_.reserve(4096);  // never reallocates for a small record, and keeps its bytes off its neighbours' lines
  c->region_ = ::mmap(nullptr, c->bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd_, 0);
  if (c->region_ == MAP_FAILED) {
    c->region_ = nullptr;
    error = std::string("cannot map the host channel's shared region: ") + std::strerror(errno);
    return nullptr;
  }
  if (spine_channel_init(c->region_, c->bytes_, toNicSlots, toHostSlots, bufferBytes) != SPINE_RING_OK ||
      !c->attach(error))
    return nullptr;
  return c;
}

HostChannel::~HostChannel() {
  if (region_) ::munmap(region_, bytes_);
  if (fd_ >= 0) ::close(fd_);
}

bool HostChannel::attach(std::string &error) {
  auto *base = static_cast<uint8_t *>(region_);
  if (spine_channel_check(region_, bytes_, &layout_) != SPINE_RING_OK ||
      spine_ring_attach_consumer(&fromHost_, base + layout_.to_nic_offset, bytes_ - layout_.to_nic_offset) !=
          SPINE_RING_OK ||
      spine_ring_attach_producer(&toHost_, base + layout_.to_host_offset, bytes_ - layout_.to_host_offset) !=
          SPINE_RING_OK) {
    error = "the host channel's region has a bad layout";
    return false;
  }
  return true;
}

void HostChannel::reset() {
  auto *base = static_cast<uint8_t *>(region_);
  spine_ring_init(base + layout_.to_nic_offset, bytes_ - layout_.to_nic_offset, layout_.to_nic_slots);
  spine_ring_init(base + layout_.to_host_offset, bytes_ - layout_.to_host_offset, layout_.to_host_slots);
  std::string ignored;
  attach(ignored);  // the layout is ours and unchanged (the host cannot write the header's copy we keep)
  counters_.corrupt = false;
}

bool HostChannel::take(Record &out) {
  if (replied_) spine_ring_pacer_look(&pacer_);  // the first since a reply waits out the pause
  for (;;) {
    if (counters_.corrupt) return false;
    const void *payload = nullptr;
    uint32_t length = 0;
    int status = spine_ring_peek(&fromHost_, &payload, &length);
    if (status == SPINE_RING_EMPTY) return false;
    if (replied_) {  // the request after a reply: how long the host took to send it, in looks
      spine_ring_pacer_end(&pacer_, kMaxPauseLooks);
      replied_ = false;
    }
    if (status != SPINE_RING_OK) {
      counters_.corrupt = true;
      return false;
    }
    ++counters_.requests;
    // Copied out before anything looks at it: the host may go on writing the shared slots.
    std::vector<uint8_t> &record = copy_;  // reused: a record allocates nothing once the buffer has grown
    record.assign(static_cast<const uint8_t *>(payload), static_cast<const uint8_t *>(payload) + length);
    spine_ring_release(&fromHost_);
    uint32_t kind = record.size() >= SPINE_CHANNEL_ENVELOPE ? spine_channel_envelope_kind(record.data()) : UINT32_MAX;
    size_t least = kind == SPINE_CHANNEL_MESSAGE      ? SPINE_WIRE_HEADER_SIZE
                   : kind == SPINE_CHANNEL_REGISTER   ? 24
                   : kind == SPINE_CHANNEL_UNREGISTER ? 8
                                                      : SIZE_MAX;
    if (least == SIZE_MAX || record.size() < SPINE_CHANNEL_ENVELOPE + least) {
      ++counters_.refused;  // an unknown kind, or too short to answer
      continue;
    }
    out.extension = spine_channel_envelope_extension(record.data());
    out.kind = kind;
    out.body = std::span<const uint8_t>(record).subspan(SPINE_CHANNEL_ENVELOPE);
    return true;
  }
}

std::span<uint8_t> HostChannel::buffer(uint64_t offset, uint64_t size) const {
  if (size == 0 || offset > layout_.buffers_bytes || size > layout_.buffers_bytes - offset) return {};
  return {static_cast<uint8_t *>(region_) + layout_.buffers_offset + offset, static_cast<size_t>(size)};
}

uint8_t *HostChannel::reserve(uint32_t extension, uint64_t bytes, uint32_t kind) {
  if (bytes > spine_ring_max_payload(toHost_.slot_count) - SPINE_CHANNEL_ENVELOPE) return nullptr;
  void *payload = nullptr;
  if (counters_.corrupt) return nullptr;
  int status = spine_ring_reserve(&toHost_, static_cast<uint32_t>(bytes + SPINE_CHANNEL_ENVELOPE), &payload);
  if (status == SPINE_RING_CORRUPT) {  // the host moved its index where no consumer can be: abandon the channel
    counters_.corrupt = true;
    return nullptr;
  }
  if (status != SPINE_RING_OK) {
    ++counters_.full;
    return nullptr;
  }
  auto *p = static_cast<uint8_t *>(payload);
  spine_channel_envelope_store_kind(p, extension, kind);
  return p + SPINE_CHANNEL_ENVELOPE;
}

void HostChannel::commit() {
  if (spine_ring_commit(&toHost_)) wakeHost_ = true;
  ++counters_.messages;
  replied_ = true;
  spine_ring_pacer_begin(&pacer_);
}

void HostChannel::ringHost() {
  if (!wakeHost_) return;
  wakeHost_ = false;
  ++counters_.doorbells;
  spine_doorbell_ring(spine_ring_doorbell(toHost_.ring));
}

void HostChannel::sleep(std::chrono::nanoseconds most, const std::function<bool()> &awake) {
  if (counters_.corrupt || !spine_ring_prepare_sleep(&fromHost_)) return;
  if (!awake || !awake()) spine_doorbell_wait(spine_ring_doorbell(fromHost_.ring), static_cast<long>(most.count()));
  spine_ring_awake(&fromHost_);
}

void HostChannel::wake() { spine_doorbell_ring(spine_ring_doorbell(fromHost_.ring)); }

uint64_t HostChannel::room() const {
  uint64_t used = toHost_.prod - __atomic_load_n(&toHost_.ring->cons, __ATOMIC_ACQUIRE);
  // The producer keeps one slot free after its last record (spine/ring.h, "Records").
  uint64_t freeSlots = used < toHost_.slot_count ? toHost_.slot_count - used - 1 : 0;
  // The smallest message (a header and an envelope) takes one record of this many slots.
  return freeSlots / spine_ring_record_slots(SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE);
}

}  // namespace spine::nicrt
