// The NIC's packet buffer pool: a fixed set of buffers allocated once, handed out through checked handles.
//
// Layout. Every buffer is `headroom + dataSize + tailroom` bytes (the slot rounded up to 64 bytes, so buffers do
// not share cache lines). A packet's bytes are a window [start, start + length) of its buffer. A packet written
// by a port starts at `headroom` and is at most `dataSize` long, so every received packet can grow by at least
// `headroom` bytes at its head (encapsulation: a tunnel header, a VLAN tag) and `tailroom` at its tail (a
// trailer); a packet never grows beyond its own buffer. Bytes a packet grows into are zeroed, so one packet never
// shows another's old bytes.
//
// Handles (PacketHandle.h: index in the low 24 bits, generation in the high 40, never 0). Every use resolves the
// handle: the index must be in range, the buffer in use and its generation equal to the handle's. Freeing a
// buffer bumps its generation, so a handle kept after Send, Drop or free resolves to nothing (the runtime then
// traps "packet used after send or drop") and never reaches the buffer's next packet.
//
// Generations start at 1. A buffer whose generation would pass 2^40 - 1 is retired (never handed out again)
// rather than wrap to a generation an old handle may still carry, so no stale handle can ever match; the pool
// only shrinks by the retired buffers (retired() counts them; PacketHandle.h says why this takes years).
//
// Owners. Each buffer in use has an owner: a small number the runtime assigns, by convention 0 for the dispatcher
// and one per extension. The pool keeps one list per owner, so freeAllOwnedBy (what a trapped or finished
// invocation held) costs the number of buffers that owner holds, nothing when it holds none.
//
// Cost. allocate, free, resolve and setOwner are O(1), copy costs its bytes, and none allocates memory: all
// storage is taken in the constructor. The pool is not thread-safe: it belongs to the NIC's one dispatcher thread.
#pragma once

#include "packet/PacketHandle.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace spine::nicrt {

struct PacketPoolOptions {
  uint32_t count = 4096;     // number of buffers
  uint32_t dataSize = 2048;  // the largest packet a port may put into a buffer (a frame without FCS)
  uint32_t headroom = 128;   // room before a received packet, for growing at the head
  uint32_t tailroom = 64;    // room after the largest received packet, for growing at the tail
  uint32_t owners = 64;      // owner numbers are 0 .. owners - 1
};

// Limits on the options (validatePacketPoolOptions explains a violation).
inline constexpr uint32_t kMaxPacketPoolCount = PacketHandle::kMaxIndex + 1;
inline constexpr uint32_t kMaxPacketBufferBytes = 1u << 20;  // headroom + dataSize + tailroom
inline constexpr uint64_t kMaxPacketPoolBytes = uint64_t{1} << 32;
inline constexpr uint32_t kMaxPacketOwners = 1u << 16;

// Empty if `options` make a valid pool, otherwise one sentence naming the option and its value.
std::string validatePacketPoolOptions(const PacketPoolOptions& options);

using PacketOwner = uint32_t;
inline constexpr PacketOwner kDispatcherOwner = 0;

// When a packet arrived: seconds and nanoseconds since the Unix epoch (as in the pcap file it came from).
struct PacketTimestamp {
  int64_t sec = 0;
  uint32_t nsec = 0;  // 0 .. 999'999'999
  friend bool operator==(const PacketTimestamp&, const PacketTimestamp&) = default;
};

// One buffer of the pool and its packet's metadata. Obtained only from PacketPool::resolve, valid until the
// buffer is freed; keep the handle, not the pointer.
class PacketBuffer {
public:
  uint8_t* data() { return base_ + start_; }
  const uint8_t* data() const { return base_ + start_; }
  uint32_t length() const { return length_; }
  std::span<uint8_t> bytes() { return {data(), length_}; }
  std::span<const uint8_t> bytes() const { return {data(), length_}; }

  // Room left to grow into at each end.
  uint32_t headroom() const { return start_; }
  uint32_t tailroom() const { return capacity_ - start_ - length_; }

  // Grow or shrink the packet at its head or tail by n bytes. False, changing nothing, when there is not room
  // (push) or not that many bytes (pull, trim). Bytes grown into are zeroed.
  bool pushHead(size_t n);
  bool pullHead(size_t n);
  bool pushTail(size_t n);
  bool trimTail(size_t n);

  // Replace the packet by `bytes`, placed at the pool's headroom as a port does. False, changing nothing, if
  // they are longer than the pool's dataSize.
  bool assign(std::span<const uint8_t> bytes);

  uint32_t arrivalPort() const { return port_; }
  void setArrivalPort(uint32_t port) { port_ = port; }
  PacketTimestamp timestamp() const { return timestamp_; }
  void setTimestamp(PacketTimestamp t) { timestamp_ = t; }
  // Who holds the packet: the owner it is lent to (PacketPool::lend), else the owner of the list it is on.
  PacketOwner owner() const { return lentTo_ != kNone ? lentTo_ : owner_; }

private:
  friend class PacketPool;
  static constexpr uint32_t kNone = UINT32_MAX;  // end of a list; the owner of a free buffer

  uint8_t* base_ = nullptr;
  uint32_t capacity_ = 0;  // headroom + dataSize + tailroom
  uint32_t defaultStart_ = 0;
  uint32_t maxAssign_ = 0;
  uint32_t start_ = 0;
  uint32_t length_ = 0;
  uint32_t port_ = 0;
  PacketTimestamp timestamp_;
  uint64_t generation_ = 1;
  PacketOwner owner_ = kNone;   // whose list the buffer is on
  PacketOwner lentTo_ = kNone;  // lent for one invocation (lend), or kNone
  uint32_t prev_ = kNone;  // the owner's list (in use) or the free list (next_ only)
  uint32_t next_ = kNone;
};

class PacketPool {
public:
  // Throws std::invalid_argument with validatePacketPoolOptions' message if the options are not valid.
  explicit PacketPool(const PacketPoolOptions& options);
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;

  // A free buffer, now held by `owner`: empty (length 0, start at headroom), port 0, timestamp 0. The invalid
  // handle if no buffer is free or `owner` is out of range.
  PacketHandle allocate(PacketOwner owner);

  // The buffer `h` names, or null if `h` is stale (freed since), out of range or not a handle at all.
  PacketBuffer* resolve(PacketHandle h);
  const PacketBuffer* resolve(PacketHandle h) const;
  // Whether `b`, which resolve(h) returned, is still `h`'s packet (not freed since): resolve without the lookup,
  // for a caller that keeps the buffer across calls that may free it (the dispatcher, around a handler).
  bool holds(const PacketBuffer& b, PacketHandle h) const {
    return b.generation_ == h.generation() && b.owner_ != PacketBuffer::kNone;
  }

  // Return the buffer to the pool; every handle to it becomes stale. False (and nothing happens) if `h` does
  // not resolve, so a double free is detected, not done.
  bool free(PacketHandle h);

  // A new buffer, held by `owner`, with the same bytes at the same place in the buffer (so it has the same room
  // to grow), the same arrival port and timestamp. Invalid if `h` does not resolve, the pool is exhausted or
  // `owner` is out of range.
  PacketHandle copy(PacketHandle h, PacketOwner owner);

  // Hand the buffer to another owner (the dispatcher giving a packet to an extension, or taking it back).
  bool setOwner(PacketHandle h, PacketOwner owner);

  // Free every buffer `owner` holds (a trapped or finished invocation); returns how many.
  uint32_t freeAllOwnedBy(PacketOwner owner);
  uint32_t heldBy(PacketOwner owner) const {  // inline: the dispatcher asks after every invocation
    return owner < options_.owners ? ownerCount_[owner] : 0;
  }

  // Lend `b` (a buffer in use) to `owner` for one invocation without moving it between owner lists: it resolves as
  // `owner`'s (so that extension's Packet calls accept it) but stays on its list, so freeAllOwnedBy(owner) leaves
  // it alone. Freeing it, or giving it another owner, ends the loan. The dispatcher's cheap handoff of a packet
  // to a handler (nicrt/nic).
  void lend(PacketBuffer &b, PacketOwner owner) { b.lentTo_ = owner; }
  void endLoan(PacketBuffer &b) { b.lentTo_ = PacketBuffer::kNone; }

  // The handle of a buffer in use (for walking what an owner holds); invalid for a free buffer.
  PacketHandle handleOf(const PacketBuffer& b) const;

  const PacketPoolOptions& options() const { return options_; }
  uint32_t capacity() const { return options_.count; }
  uint32_t available() const { return freeCount_; }   // buffers free now
  uint32_t inUse() const { return options_.count - freeCount_ - retired_; }
  uint32_t retired() const { return retired_; }      // buffers whose generation ran out

  // For tests of retirement only: sets the generation of free buffer `index` (false if it is not free).
  bool setGenerationForTesting(uint32_t index, uint64_t generation);

private:
  struct AlignedFree {
    void operator()(uint8_t* p) const;
  };
  uint32_t indexOf(const PacketBuffer& b) const { return static_cast<uint32_t>(&b - buffers_.data()); }
  void link(uint32_t index, PacketOwner owner);
  void unlink(uint32_t index);
  void release(uint32_t index);

  PacketPoolOptions options_;
  std::unique_ptr<uint8_t[], AlignedFree> memory_;
  std::vector<PacketBuffer> buffers_;
  std::vector<uint32_t> ownerHead_;
  std::vector<uint32_t> ownerCount_;
  uint32_t freeHead_ = PacketBuffer::kNone;
  uint32_t freeCount_ = 0;
  uint32_t retired_ = 0;
};

// Inline: every runtime procedure that takes a Packet.T resolves it first.
inline PacketBuffer* PacketPool::resolve(PacketHandle h) {
  const uint32_t index = h.index();
  if (index >= options_.count) return nullptr;  // buffers_.size(), without dividing by sizeof(PacketBuffer)
  PacketBuffer& b = buffers_[index];
  if (b.generation_ != h.generation() || b.owner_ == PacketBuffer::kNone) return nullptr;
  return &b;
}

inline const PacketBuffer* PacketPool::resolve(PacketHandle h) const {
  return const_cast<PacketPool*>(this)->resolve(h);
}

}  // namespace spine::nicrt
