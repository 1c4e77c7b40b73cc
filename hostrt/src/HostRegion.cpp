// The host's end of a NIC's host channel (spine/host/HostRegion.h, include/spine/channel.h).
#include "spine/host/HostRegion.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <algorithm>
#include <vector>

#include "spine/channel.h"
#include "spine/doorbell.h"
#include "spine/nicrt/Runtime.h"
#include "spine/wire.h"

namespace spine::host {

// Each handle on cache lines of its own: the sender writes one, the consumer the other, and neither may share a
// line with whatever else the heap put next to them (in-process, the NIC core's own hot data).
struct HostRegion::Rings {
  alignas(64) spine_ring_producer toNic{};
  alignas(64) spine_ring_consumer fromNic{};
};

class HostRegion::ExtensionChannel final : public Channel {
 public:
  static constexpr int kPollsPerProgress = 8;
  ExtensionChannel(HostRegion &region, std::uint32_t extension) : region_(region), extension_(extension) {}
  ~ExtensionChannel() override { close(); }
  void deliver(const std::uint8_t *message, std::size_t size) { receive(message, size); }

 protected:
  void transmit(const std::uint8_t *message, std::size_t size) override {
    region_.send(extension_, message, size);
  }
  // True while this caller is the ring's consumer (so it spins on); false when another thread is (it yields).
  // It looks at the ring's next slot a few times first (pollForRecord): the cheapest poll, so the reply is seen
  // as soon as its line arrives rather than a round of drain() later.
  bool progress() override {
    region_.pollForRecord(kPollsPerProgress);
    return region_.drain(1) != HostRegion::kOtherConsumer;
  }
  void waitBegins() override { region_.callerWaits(); }
  void waitEnds() override { region_.callerStopsWaiting(); }

 private:
  HostRegion &region_;
  std::uint32_t extension_;
};

namespace {

// Waiting for the other side: spin a little (a reply usually comes within a microsecond or two), then yield,
// then sleep in short steps, so an idle host costs next to nothing.
class Backoff {
 public:
  // True once it has started sleeping: the moments a waiting side may look at slower things.
  bool pause() {
    if (++rounds_ < 64) return false;
    if (rounds_ < 20000) {  // yielding: on a machine with few cores the other side may need this one
      std::this_thread::yield();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    return true;
  }
  void reset() { rounds_ = 0; }

 private:
  unsigned rounds_ = 0;
};

}  // namespace

std::unique_ptr<HostRegion> HostRegion::map(int fd, std::string &error) {
  std::unique_ptr<HostRegion> r(new HostRegion);
  r->fd_ = fd;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(SPINE_CHANNEL_PAGE)) {
    error = "the host channel's descriptor is not a region (fstat: " + std::string(std::strerror(errno)) + ")";
    return nullptr;
  }
  r->bytes_ = static_cast<std::uint64_t>(st.st_size);
  r->mapped_ = ::mmap(nullptr, r->bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (r->mapped_ == MAP_FAILED) {
    r->mapped_ = nullptr;
    error = std::string("cannot map the host channel's region: ") + std::strerror(errno);
    return nullptr;
  }
  if (!r->start(r->mapped_, r->bytes_, error)) return nullptr;
  return r;
}

std::unique_ptr<HostRegion> HostRegion::attach(void *region, std::uint64_t bytes, std::string &error) {
  std::unique_ptr<HostRegion> r(new HostRegion);
  if (!r->start(region, bytes, error)) return nullptr;
  return r;
}

bool HostRegion::start(void *region, std::uint64_t bytes, std::string &error) {
  spine_channel_header h{};
  if (spine_channel_check(region, bytes, &h) != SPINE_RING_OK) {
    error = "not a host channel region (bad magic, version or layout)";
    return false;
  }
  rings_ = std::make_unique<Rings>();
  auto *base = static_cast<std::uint8_t *>(region);
  buffers_ = base + h.buffers_offset;
  buffersBytes_ = h.buffers_bytes;
  if (spine_ring_attach_producer(&rings_->toNic, base + h.to_nic_offset, bytes - h.to_nic_offset) != SPINE_RING_OK ||
      spine_ring_attach_consumer(&rings_->fromNic, base + h.to_host_offset, bytes - h.to_host_offset) !=
          SPINE_RING_OK) {
    error = "the host channel region's rings have a bad layout";
    return false;
  }
  record_.reserve(4096);  // never reallocates for a small record, and keeps its bytes off its neighbours' lines
  receiver_ = std::thread([this] { receiveLoop(); });
  return true;
}

HostRegion::~HostRegion() {
  close();
  if (mapped_) ::munmap(mapped_, bytes_);
  if (fd_ >= 0) ::close(fd_);
}

void HostRegion::close() {
  stop_.store(true, std::memory_order_release);
  if (rings_) spine_doorbell_ring(spine_ring_doorbell(rings_->fromNic.ring));  // the receive thread may sleep on it
  // From a callback on the receive thread itself, it cannot be joined: it ends when the callback returns (and
  // the destructor joins it; destroying the region from one of its callbacks is not allowed).
  if (receiver_.joinable() && receiver_.get_id() != std::this_thread::get_id()) receiver_.join();
  closed_.store(true, std::memory_order_release);
  closeChannels("the host channel was closed");
}

// Fails every pending call of every channel. The channels are collected under the lock and closed outside it:
// closing runs the calls' callbacks, which may call back into this region.
void HostRegion::closeChannels(const std::string &reason) {
  std::vector<ExtensionChannel *> all;
  {
    std::lock_guard<std::mutex> lock(channelsMutex_);
    for (auto &[id, c] : channels_) all.push_back(c.get());
  }
  for (ExtensionChannel *c : all) c->close(reason);
}

Channel &HostRegion::channel(std::uint32_t extension) {
  std::lock_guard<std::mutex> lock(channelsMutex_);
  auto &c = channels_[extension];
  if (!c) {
    c = std::make_unique<ExtensionChannel>(*this, extension);
    if (closed()) c->close();
  }
  return *c;
}

HostRegionCounters HostRegion::counters() const {
  return {sent_.load(), received_.load(), unrouted_.load(), waitsFull_.load()};
}

namespace {
// Adds one to a counter only one thread at a time writes (the holder of a lock) and others only read: a load and
// a store, no read-modify-write (a locked instruction, on the fast path of every call).
void countOne(std::atomic<std::uint64_t> &counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

thread_local const HostRegion *tDeliveringOf = nullptr;  // the region this thread is inside drain() of
thread_local int tWaits = 0;            // blocking waits under way on this thread (nested: from a callback)
thread_local const HostRegion *tConsumerOf = nullptr;  // the region whose consumer lock this thread's wait holds
}  // namespace

void HostRegion::send(std::uint32_t extension, const std::uint8_t *message, std::size_t size, std::uint32_t kind) {
  if (size > UINT32_MAX - SPINE_CHANNEL_ENVELOPE)
    throw Error("message of " + std::to_string(size) + " bytes is too large for the host channel");
  auto length = static_cast<std::uint32_t>(SPINE_CHANNEL_ENVELOPE + size);
  // A callback on this region's receive thread sends: the NIC may be waiting for room in our ring before it
  // takes more requests, and only this thread reads that ring. While it waits (for the producer's lock, which
  // another sender may hold while the request ring is full, or for room), it sets what arrives aside, to be
  // delivered next.
  const bool consumer = tDeliveringOf == this;
  while (consumer && !sendLock_.try_lock()) {
    parkReplies();
    std::this_thread::yield();
  }
  if (!consumer) sendLock_.lock();
  std::lock_guard<detail::SpinLock> lock(sendLock_, std::adopt_lock);
  Backoff backoff;
  Clock::time_point deadline{};
  for (;;) {
    if (closed()) throw ChannelClosed("the host channel is closed");
    void *at = nullptr;
    int status = spine_ring_reserve(&rings_->toNic, length, &at);
    if (status == SPINE_RING_OK) {
      auto *p = static_cast<std::uint8_t *>(at);
      spine_channel_envelope_store_kind(p, extension, kind);
      if (size != 0) std::memcpy(p + SPINE_CHANNEL_ENVELOPE, message, size);
      if (spine_ring_commit(&rings_->toNic)) spine_doorbell_ring(spine_ring_doorbell(rings_->toNic.ring));
      countOne(sent_);  // under sendLock_
      return;
    }
    if (status == SPINE_RING_TOO_BIG)
      throw Error("message of " + std::to_string(size) + " bytes exceeds the host channel's ring (at most " +
                  std::to_string(spine_ring_max_payload(rings_->toNic.slot_count) - SPINE_CHANNEL_ENVELOPE) + ")");
    if (status == SPINE_RING_CORRUPT) {  // the NIC moved its index where no consumer can be
      requestRingBroken_.store(true, std::memory_order_release);  // the receive thread closes every channel
      throw ChannelClosed("the NIC broke the request ring's rules (its consumer index is impossible)");
    }
    // Full: the NIC has not caught up yet (back-pressure, never loss).
    Clock::time_point now = Clock::now();
    if (deadline == Clock::time_point{}) {
      waitsFull_.fetch_add(1, std::memory_order_relaxed);
      std::chrono::nanoseconds patience = Channel::sendPatience();
      deadline = patience >= Clock::time_point::max() - now ? Clock::time_point::max() : now + patience;
    }
    if (now >= deadline) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Channel::sendPatience()).count();
      throw Timeout("the NIC took no request for " + std::to_string(ms) +
                    " ms (its request ring stayed full); the message was not sent");
    }
    if (consumer) parkReplies();
    if (backoff.pause() && nicGone()) throw ChannelClosed("the NIC went away (its host channel closed)");
  }
}

// Takes every record the NIC's ring holds into parked_ (this thread is the consumer: see send()).
void HostRegion::parkReplies() {
  for (;;) {
    const void *payload = nullptr;
    std::uint32_t length = 0;
    // Empty, or corrupt (which drain() will find and report).
    if (spine_ring_peek(&rings_->fromNic, &payload, &length) != SPINE_RING_OK) return;
    auto *bytes = static_cast<const std::uint8_t *>(payload);
    parked_.emplace_back(bytes, bytes + length);
    spine_ring_release(&rings_->fromNic);
    countOne(received_);  // under the consumer's lock
  }
}

// Whether the watched descriptor hung up (the NIC process is gone, or closed our connection).
bool HostRegion::nicGone() const {
  int fd = liveness_.load(std::memory_order_acquire);
  if (fd < 0) return false;
  pollfd p{fd, 0, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

// A blocking caller's wait: the receive thread stays away, and the caller takes the consumer's place for the
// whole wait when it is free (one lock per call instead of one per look at the ring).
// A caller that holds the consumer's place keeps the receive thread out by that alone; one that could not take
// it (another caller, or the receive thread, has it) says so in waitingCallers_, so the receive thread backs off.
void HostRegion::callerWaits() {
  if (tWaits++ == 0 && !tDeliveringOf && consumerLock_.try_lock()) {
    tConsumerOf = this;
    spine_ring_pacer_begin(&replyPacer_);
    return;
  }
  if (tWaits == 1) waitingCallers_.fetch_add(1, std::memory_order_relaxed);
}

void HostRegion::callerStopsWaiting() {
  if (--tWaits != 0) return;
  if (tConsumerOf == this) {
    spine_ring_pacer_end(&replyPacer_, UINT32_MAX);  // the caller's own wait: no bound beyond its own pace
    tConsumerOf = nullptr;
    consumerLock_.unlock();
  } else {
    waitingCallers_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void HostRegion::pollForRecord(int looks) {
  // Only the thread holding the consumer's place may read the consumer's handle (its index moves as records
  // are taken); any other goes straight to drain(), which says another thread consumes.
  if (tConsumerOf != this) return;
  for (int i = 0; i < looks; ++i) {
    spine_ring_pacer_look(&replyPacer_);  // the first of the wait waits out the pause
    if (spine_ring_ready(&rings_->fromNic)) return;
    spine_ring_relax();
  }
}

int HostRegion::drain(int max) {
  if (tDeliveringOf) return kOtherConsumer;  // a callback's own call must not re-enter
  std::unique_lock<detail::SpinLock> consumer(consumerLock_, std::defer_lock);
  if (tConsumerOf != this) {
    if (!consumer.try_lock()) return kOtherConsumer;  // another thread is taking the replies
  }
  struct Delivering {
    explicit Delivering(const HostRegion *r) { tDeliveringOf = r; }
    ~Delivering() { tDeliveringOf = nullptr; }
  } delivering(this);
  int delivered = 0;
  for (; delivered < max; ++delivered) {
    if (!parked_.empty()) {  // set aside while a callback waited to send: they came first
      record_.swap(parked_.front());
      parked_.pop_front();
    } else {
      const void *payload = nullptr;
      std::uint32_t length = 0;
      int status = spine_ring_peek(&rings_->fromNic, &payload, &length);
      if (status == SPINE_RING_EMPTY) break;
      if (status != SPINE_RING_OK) {  // the NIC broke the ring's rules: nothing more can be trusted
        replyRingBroken_.store(true, std::memory_order_release);
        return -1;
      }
      // Copied out: the NIC's memory is shared, and the callbacks may run long.
      auto *bytes = static_cast<const std::uint8_t *>(payload);
      record_.assign(bytes, bytes + length);
      spine_ring_release(&rings_->fromNic);
      countOne(received_);  // under the consumer's lock
    }
    route();
  }
  return delivered;
}

// Hands record_ to the channel its envelope names (or takes a buffer acknowledgement).
void HostRegion::route() {
  if (record_.size() < SPINE_CHANNEL_ENVELOPE) {
    unrouted_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::uint32_t extension = spine_channel_envelope_extension(record_.data());
  if (spine_channel_envelope_kind(record_.data()) == SPINE_CHANNEL_BUFFER_ACK) {
    if (record_.size() >= SPINE_CHANNEL_ENVELOPE + 12) {
      std::uint64_t id = spine_wire_load_le(record_.data() + SPINE_CHANNEL_ENVELOPE, 8);
      std::lock_guard<std::mutex> lock(buffersMutex_);
      // Only an answer somebody waits for is kept: a NIC cannot grow this map, or answer a registration early.
      if (awaitedAcks_.erase(id))
        acks_[id] = static_cast<std::uint32_t>(spine_wire_load_le(record_.data() + SPINE_CHANNEL_ENVELOPE + 8, 4));
    }
    ackArrived_.notify_all();
    return;
  }
  // Channels are never removed while the region lives: the last one found stays valid (consumer's own state).
  ExtensionChannel *target = extension == lastExtension_ ? lastChannel_ : nullptr;
  if (!target) {
    std::lock_guard<std::mutex> lock(channelsMutex_);
    auto it = channels_.find(extension);
    if (it != channels_.end()) {
      target = it->second.get();
      lastExtension_ = extension;
      lastChannel_ = target;
    }
  }
  if (!target) {
    unrouted_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  target->deliver(record_.data() + SPINE_CHANNEL_ENVELOPE, record_.size() - SPINE_CHANNEL_ENVELOPE);
}

// The receive thread: takes what arrives whenever no waiting caller does, so events and asynchronous replies are
// delivered even while no one waits.
void HostRegion::receiveLoop() {
  unsigned idle = 0;
  while (!stop_.load(std::memory_order_acquire)) {
    if (requestRingBroken_.load(std::memory_order_acquire)) break;
    int n = kOtherConsumer;
    // A caller waiting for its reply takes the replies itself (it holds the consumer's place, or says it waits
    // for it): stay out of its way, since on a machine with few cores a third spinning thread would take the
    // core the NIC or the caller needs.
    if (waitingCallers_.load(std::memory_order_relaxed) == 0) {
      try {
        n = drain(64);
      } catch (const std::exception &e) {  // no memory for a record's copy: say so, and go on
        std::fprintf(stderr, "spine::host::HostRegion: %s\n", e.what());
        continue;
      }
    }
    if (n == kOtherConsumer) {
      // Long enough not to take a core from the caller or the NIC often; short enough that an asynchronous
      // reply or an event waits little once the callers stop (they deliver everything while they wait).
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      if (nicGone()) break;
      continue;
    }
    if (n < 0) break;
    if (n > 0) {
      idle = 0;
      continue;
    }
    // Idle: spin a little (a reply usually comes within a microsecond or two), then yield (on a machine with few
    // cores the NIC may need this one), then sleep on the ring's doorbell until the NIC rings it.
    if (++idle < 64) continue;
    if (idle < 20000) {
      std::this_thread::yield();
      continue;
    }
    if (nicGone()) break;
    sleepOnDoorbell(std::chrono::milliseconds(1));  // at most: then the NIC's liveness is looked at again
  }
  closed_.store(true, std::memory_order_release);
  if (!stop_.load(std::memory_order_acquire))
    closeChannels(requestRingBroken_.load() ? "the NIC broke the request ring's rules"
                  : replyRingBroken_.load() ? "the NIC broke the reply ring's rules"
                                            : "the NIC went away (its host channel closed)");
  ackArrived_.notify_all();  // a buffer registration waiting for its answer
}

// Sleeps until the NIC rings the reply ring's doorbell (or close() does), unless something is there already.
void HostRegion::sleepOnDoorbell(std::chrono::nanoseconds most) {
  bool sleep;
  {
    std::unique_lock<detail::SpinLock> consumer(consumerLock_, std::try_to_lock);
    if (!consumer.owns_lock()) return;  // a waiting caller is taking the replies
    sleep = spine_ring_prepare_sleep(&rings_->fromNic);
  }
  if (sleep && !stop_.load(std::memory_order_acquire) && waitingCallers_.load(std::memory_order_relaxed) == 0)
    spine_doorbell_wait(spine_ring_doorbell(rings_->fromNic.ring), static_cast<long>(most.count()));
  spine_ring_awake(&rings_->fromNic);
}

HostBuffer HostRegion::allocateBuffer(std::size_t size) {
  std::uint64_t want = (std::max<std::uint64_t>(size, 1) + 63) / 64 * 64;
  std::lock_guard<std::mutex> lock(buffersMutex_);
  std::uint64_t at = 0;
  for (const auto &[offset, length] : taken_) {
    if (offset - at >= want) break;
    at = offset + length;
  }
  if (want > buffersBytes_ || at > buffersBytes_ - want)
    throw Error("no room for an application buffer of " + std::to_string(size) + " bytes in the host channel's " +
                std::to_string(buffersBytes_) + "-byte buffers part");
  taken_[at] = want;
  return HostBuffer{nextBufferId_++, buffers_ + at, size, at};
}

void HostRegion::freeBuffer(const HostBuffer &buffer) {
  std::lock_guard<std::mutex> lock(buffersMutex_);
  taken_.erase(buffer.offset);
}

void HostRegion::bufferRecord(std::uint32_t extension, std::uint32_t kind, const HostBuffer &buffer) {
  Bytes body(kind == SPINE_CHANNEL_REGISTER ? 24 : 8);
  spine_wire_store_le(body.data(), buffer.id, 8);
  if (kind == SPINE_CHANNEL_REGISTER) {
    spine_wire_store_le(body.data() + 8, buffer.offset, 8);
    spine_wire_store_le(body.data() + 16, buffer.size, 8);
  }
  {
    std::lock_guard<std::mutex> lock(buffersMutex_);
    awaitedAcks_.insert(buffer.id);
  }
  try {
    send(extension, body.data(), body.size(), kind);
  } catch (...) {
    std::lock_guard<std::mutex> lock(buffersMutex_);
    awaitedAcks_.erase(buffer.id);
    throw;
  }
  std::unique_lock<std::mutex> lock(buffersMutex_);
  if (!ackArrived_.wait_for(lock, std::chrono::seconds(10), [&] { return acks_.count(buffer.id) || closed(); })) {
    awaitedAcks_.erase(buffer.id);
    throw Timeout("the NIC did not answer the buffer registration within 10 s");
  }
  if (!acks_.count(buffer.id)) {
    awaitedAcks_.erase(buffer.id);
    throw ChannelClosed("the host channel closed");
  }
  std::uint32_t status = acks_[buffer.id];
  acks_.erase(buffer.id);
  switch (status) {
    case SPINE_CHANNEL_BUFFER_OK: return;
    case SPINE_CHANNEL_BUFFER_NO_EXTENSION: throw Error("no extension " + std::to_string(extension) + " is running");
    case SPINE_CHANNEL_BUFFER_OUT_OF_RANGE: throw Error("the buffer does not lie in the region's buffers part");
    default: throw Error("the NIC refused buffer " + std::to_string(buffer.id) + " (its number taken or unknown)");
  }
}

void HostRegion::registerBuffer(std::uint32_t extension, const HostBuffer &buffer) {
  bufferRecord(extension, SPINE_CHANNEL_REGISTER, buffer);
}

void HostRegion::unregisterBuffer(std::uint32_t extension, const HostBuffer &buffer) {
  bufferRecord(extension, SPINE_CHANNEL_UNREGISTER, buffer);
}

// Buffer.Notify arrives as an event of interface Buffer, index 0: the buffer's id, then the length (u64 each).
Subscription HostRegion::onBufferReady(std::uint32_t extension,
                                       std::function<void(std::uint64_t id, std::uint64_t length)> ready) {
  std::uint64_t buffer = 0;
  for (const auto &i : nicrt::Runtime::exportedInterfaces())  // the stdlib this hostrt was built with
    if (i.name == "Buffer") buffer = i.fingerprint;
  return channel(extension).subscribe(buffer, 0, [ready](const std::uint8_t *message, std::size_t size) {
    if (size < SPINE_WIRE_HEADER_SIZE + 16) throw BadMessage("Buffer.Notify", SPINE_WIRE_HEADER_SIZE, "payload too short");
    ready(spine_wire_load_le(message + SPINE_WIRE_HEADER_SIZE, 8), spine_wire_load_le(message + SPINE_WIRE_HEADER_SIZE + 8, 8));
  });
}

}  // namespace spine::host
