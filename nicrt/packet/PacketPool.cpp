// The packet buffer pool (PacketPool.h): storage taken once, free list and owner lists threaded through the
// buffers by index, every handle checked against the buffer's generation.
#include "packet/PacketPool.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace spine::nicrt {

namespace {
constexpr uint32_t kBufferAlign = 64;  // a cache line: no two buffers share one

uint64_t stride(const PacketPoolOptions& o) {
  uint64_t bytes = uint64_t{o.headroom} + o.dataSize + o.tailroom;
  return (bytes + kBufferAlign - 1) / kBufferAlign * kBufferAlign;
}
}  // namespace

std::string validatePacketPoolOptions(const PacketPoolOptions& o) {
  if (o.count == 0) return "packet pool: count is 0; the pool needs at least one buffer";
  if (o.count > kMaxPacketPoolCount)
    return "packet pool: count " + std::to_string(o.count) + " is more than the " +
           std::to_string(kMaxPacketPoolCount) + " buffers a handle can name";
  if (o.dataSize == 0) return "packet pool: dataSize is 0; a buffer must hold at least one byte";
  uint64_t bytes = uint64_t{o.headroom} + o.dataSize + o.tailroom;
  if (bytes > kMaxPacketBufferBytes)
    return "packet pool: headroom + dataSize + tailroom = " + std::to_string(bytes) + " bytes is more than " +
           std::to_string(kMaxPacketBufferBytes) + " per buffer";
  if (stride(o) * o.count > kMaxPacketPoolBytes)
    return "packet pool: " + std::to_string(o.count) + " buffers of " + std::to_string(stride(o)) +
           " bytes is more than " + std::to_string(kMaxPacketPoolBytes) + " bytes";
  if (o.owners == 0) return "packet pool: owners is 0; the dispatcher is owner 0";
  if (o.owners > kMaxPacketOwners)
    return "packet pool: owners " + std::to_string(o.owners) + " is more than " + std::to_string(kMaxPacketOwners);
  return {};
}

// ---- PacketBuffer ----

bool PacketBuffer::pushHead(size_t n) {
  if (n > start_) return false;
  start_ -= static_cast<uint32_t>(n);
  length_ += static_cast<uint32_t>(n);
  std::memset(base_ + start_, 0, n);
  return true;
}

bool PacketBuffer::pullHead(size_t n) {
  if (n > length_) return false;
  start_ += static_cast<uint32_t>(n);
  length_ -= static_cast<uint32_t>(n);
  return true;
}

bool PacketBuffer::pushTail(size_t n) {
  if (n > tailroom()) return false;
  std::memset(base_ + start_ + length_, 0, n);
  length_ += static_cast<uint32_t>(n);
  return true;
}

bool PacketBuffer::trimTail(size_t n) {
  if (n > length_) return false;
  length_ -= static_cast<uint32_t>(n);
  return true;
}

bool PacketBuffer::assign(std::span<const uint8_t> bytes) {
  if (bytes.size() > maxAssign_) return false;
  start_ = defaultStart_;
  length_ = static_cast<uint32_t>(bytes.size());
  if (!bytes.empty()) std::memcpy(base_ + start_, bytes.data(), bytes.size());
  return true;
}

// ---- PacketPool ----

void PacketPool::AlignedFree::operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t{kBufferAlign}); }

PacketPool::PacketPool(const PacketPoolOptions& options) : options_(options) {
  if (std::string problem = validatePacketPoolOptions(options); !problem.empty())
    throw std::invalid_argument(problem);
  const uint64_t step = stride(options);
  memory_.reset(new (std::align_val_t{kBufferAlign}) uint8_t[step * options.count]);
  buffers_.resize(options.count);
  for (uint32_t i = 0; i < options.count; ++i) {
    PacketBuffer& b = buffers_[i];
    b.base_ = memory_.get() + step * i;
    b.capacity_ = options.headroom + options.dataSize + options.tailroom;
    b.defaultStart_ = options.headroom;
    b.maxAssign_ = options.dataSize;
    b.start_ = options.headroom;
  }
  // The free list in index order, lowest first.
  for (uint32_t i = options.count; i-- > 0;) {
    buffers_[i].next_ = freeHead_;
    freeHead_ = i;
  }
  freeCount_ = options.count;
  ownerHead_.assign(options.owners, PacketBuffer::kNone);
  ownerCount_.assign(options.owners, 0);
}

void PacketPool::link(uint32_t index, PacketOwner owner) {
  PacketBuffer& b = buffers_[index];
  b.owner_ = owner;
  b.prev_ = PacketBuffer::kNone;
  b.next_ = ownerHead_[owner];
  if (b.next_ != PacketBuffer::kNone) buffers_[b.next_].prev_ = index;
  ownerHead_[owner] = index;
  ++ownerCount_[owner];
}

void PacketPool::unlink(uint32_t index) {
  PacketBuffer& b = buffers_[index];
  if (b.prev_ != PacketBuffer::kNone)
    buffers_[b.prev_].next_ = b.next_;
  else
    ownerHead_[b.owner_] = b.next_;
  if (b.next_ != PacketBuffer::kNone) buffers_[b.next_].prev_ = b.prev_;
  --ownerCount_[b.owner_];
  b.owner_ = PacketBuffer::kNone;
  b.lentTo_ = PacketBuffer::kNone;
  b.prev_ = b.next_ = PacketBuffer::kNone;
}

PacketHandle PacketPool::allocate(PacketOwner owner) {
  if (freeHead_ == PacketBuffer::kNone || owner >= options_.owners) return {};
  const uint32_t index = freeHead_;
  PacketBuffer& b = buffers_[index];
  freeHead_ = b.next_;
  --freeCount_;
  b.start_ = b.defaultStart_;
  b.length_ = 0;
  b.port_ = 0;
  b.timestamp_ = {};
  link(index, owner);
  return PacketHandle(index, b.generation_);
}

void PacketPool::release(uint32_t index) {
  unlink(index);
  PacketBuffer& b = buffers_[index];
  if (b.generation_ == PacketHandle::kMaxGeneration) {
    ++retired_;  // never handed out again: its next generation would be one an old handle may carry
    return;
  }
  ++b.generation_;
  b.next_ = freeHead_;
  freeHead_ = index;
  ++freeCount_;
}

bool PacketPool::free(PacketHandle h) {
  PacketBuffer* b = resolve(h);
  if (!b) return false;
  release(indexOf(*b));
  return true;
}

PacketHandle PacketPool::copy(PacketHandle h, PacketOwner owner) {
  const PacketBuffer* from = resolve(h);
  if (!from) return {};
  PacketHandle made = allocate(owner);
  if (!made) return {};
  PacketBuffer& to = buffers_[made.index()];
  to.start_ = from->start_;
  to.length_ = from->length_;
  to.port_ = from->port_;
  to.timestamp_ = from->timestamp_;
  if (from->length_ != 0) std::memcpy(to.data(), from->data(), from->length_);
  return made;
}

bool PacketPool::setOwner(PacketHandle h, PacketOwner owner) {
  PacketBuffer* b = resolve(h);
  if (!b || owner >= options_.owners) return false;
  const uint32_t index = indexOf(*b);
  unlink(index);
  link(index, owner);
  return true;
}

uint32_t PacketPool::freeAllOwnedBy(PacketOwner owner) {
  if (owner >= options_.owners) return 0;
  uint32_t freed = 0;
  while (ownerHead_[owner] != PacketBuffer::kNone) {
    release(ownerHead_[owner]);
    ++freed;
  }
  return freed;
}


PacketHandle PacketPool::handleOf(const PacketBuffer& b) const {
  const auto at = reinterpret_cast<uintptr_t>(&b), first = reinterpret_cast<uintptr_t>(buffers_.data());
  if (at < first || at >= first + buffers_.size() * sizeof(PacketBuffer) || b.owner_ == PacketBuffer::kNone)
    return {};
  return PacketHandle(indexOf(b), b.generation_);
}

bool PacketPool::setGenerationForTesting(uint32_t index, uint64_t generation) {
  if (index >= buffers_.size() || buffers_[index].owner_ != PacketBuffer::kNone || generation == 0 ||
      generation > PacketHandle::kMaxGeneration)
    return false;
  buffers_[index].generation_ = generation;
  return true;
}

}  // namespace spine::nicrt
