// A checked handle to a buffer of the packet pool (PacketPool.h): what Packet.T is at run time.
//
// Encoding (one 64-bit word, so it travels wherever the code ABI passes a pointer, docs/abi.md):
//
//     bits 63..24  generation of the buffer when the handle was made (40 bits, always >= 1)
//     bits 23..0   index of the buffer in the pool (so a pool has at most 2^24 buffers)
//
// The generation is never 0, so no valid handle is 0 and NIL (a null pointer) stays distinct from every
// handle. Generated code never dereferences a Packet.T (it is opaque, and the language has no run-time type
// tests), it only passes it back to the runtime and compares it with NIL, so a handle need not be an address.
// The pool checks both halves on every use: a handle whose generation is not the buffer's current one is stale
// (the packet was sent, dropped or freed), and resolves to nothing.
//
// Why 40 bits of generation: the single dispatcher thread reuses the most recently freed buffer, so one buffer
// may carry every packet of the NIC. At 10 million packets per second 2^40 generations last 30 hours for that
// one buffer; it is then retired and the next buffer takes over, so a pool of 4096 lasts about 14 years.
#pragma once

#include <cstdint>

namespace spine::nicrt {

class PacketHandle {
public:
  static constexpr unsigned kIndexBits = 24;
  static constexpr uint32_t kMaxIndex = (uint32_t{1} << kIndexBits) - 1;
  static constexpr uint64_t kMaxGeneration = (uint64_t{1} << (64 - kIndexBits)) - 1;

  constexpr PacketHandle() = default;  // the invalid handle (0), what allocation returns when the pool is empty
  // `index` <= kMaxIndex and 1 <= `generation` <= kMaxGeneration (the pool guarantees both).
  constexpr PacketHandle(uint32_t index, uint64_t generation)
      : bits_((generation << kIndexBits) | (index & kMaxIndex)) {}

  // The word as generated code sees it (a pointer-sized value) and back. fromWord accepts any word: a word
  // that names no live buffer is simply refused when the pool resolves it.
  static constexpr PacketHandle fromWord(uint64_t word) {
    PacketHandle h;
    h.bits_ = word;
    return h;
  }
  constexpr uint64_t word() const { return bits_; }
  static PacketHandle fromPointer(const void* p) { return fromWord(reinterpret_cast<uintptr_t>(p)); }
  void* toPointer() const { return reinterpret_cast<void*>(static_cast<uintptr_t>(bits_)); }

  constexpr uint32_t index() const { return static_cast<uint32_t>(bits_ & kMaxIndex); }
  constexpr uint64_t generation() const { return bits_ >> kIndexBits; }
  // True for anything that could name a buffer (generation >= 1); says nothing about whether it is live.
  constexpr explicit operator bool() const { return generation() != 0; }

  friend constexpr bool operator==(PacketHandle a, PacketHandle b) { return a.bits_ == b.bits_; }

private:
  uint64_t bits_ = 0;
};

static_assert(sizeof(PacketHandle) == sizeof(uint64_t));
static_assert(sizeof(void*) == sizeof(uint64_t), "Packet.T travels as a 64-bit pointer (docs/abi.md)");

}  // namespace spine::nicrt
