// The message wire format shared by the host stubs and the NIC (docs/messages.md is the specification; keep
// the two in step). Every message is a 24-byte header followed by the payload; all integers little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace spine::host {

using Bytes = std::vector<std::uint8_t>;

namespace wire {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeaderSize = 24;
// The largest payload any message may carry; a transport may accept less.
constexpr std::uint32_t kMaxPayload = std::uint32_t{1} << 24;
// The most elements an open array may have on the wire (whatever their size).
constexpr std::uint32_t kMaxCount = std::uint32_t{1} << 24;

// Byte offsets of the header fields.
constexpr std::size_t kKindOffset = 0;         // u8  MessageKind
constexpr std::size_t kVersionOffset = 1;      // u8  kVersion
constexpr std::size_t kIndexOffset = 2;        // u16 request or event index, in declaration order
constexpr std::size_t kLengthOffset = 4;       // u32 payload length (bytes after the header)
constexpr std::size_t kFingerprintOffset = 8;  // u64 interface fingerprint
constexpr std::size_t kCallIdOffset = 16;      // u64 call id (requests and their replies), 0 in events

enum class MessageKind : std::uint8_t {
  Request = 1,    // host -> NIC: the request's arguments
  Result = 2,     // NIC -> host: the request returned; payload: its result, if any
  Exception = 3,  // NIC -> host: the request raised; payload: u16 position in its RAISES list, then the argument
  Trapped = 4,    // NIC -> host: the extension trapped; payload: u32 kind, TEXT file, u32 line
  Rejected = 5,   // NIC -> host: the request was malformed ("bad message"); payload: TEXT reason
  Event = 6,      // NIC -> host: an event's arguments
};

inline bool isReply(std::uint8_t kind) { return kind >= 2 && kind <= 5; }

// Bytes an ordinal of ORD range [lo..hi] takes on the wire: the smallest of 1, 2, 4, 8 that holds the range,
// unsigned when lo >= 0, two's complement otherwise. An empty range takes 8 (and no value is valid).
constexpr unsigned ordinalWidth(std::int64_t lo, std::int64_t hi) {
  if (lo > hi) return 8;
  if (lo >= 0) return hi <= 0xFF ? 1 : hi <= 0xFFFF ? 2 : hi <= 0xFFFFFFFFLL ? 4 : 8;
  if (lo >= -0x80 && hi <= 0x7F) return 1;
  if (lo >= -0x8000 && hi <= 0x7FFF) return 2;
  if (lo >= -0x80000000LL && hi <= 0x7FFFFFFFLL) return 4;
  return 8;
}

// Little-endian stores and loads, byte by byte: independent of the host's byte order and alignment.
inline void storeLE(std::uint8_t *p, std::uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline std::uint64_t loadLE(const std::uint8_t *p, unsigned width) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

}  // namespace wire
}  // namespace spine::host
