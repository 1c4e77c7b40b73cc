// The message wire format for C++: names in namespace spine::host::wire for the definitions of spine/wire.h
// (the one C header every side shares; docs/messages.md is the specification). Apart from Bytes, the host's
// buffer type, every name here stands for a definition there.
#pragma once

#include "spine/wire.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace spine::host {

using Bytes = std::vector<std::uint8_t>;

namespace wire {

constexpr std::uint8_t kVersion = SPINE_WIRE_VERSION;
constexpr std::size_t kHeaderSize = SPINE_WIRE_HEADER_SIZE;
constexpr std::uint32_t kMaxPayload = SPINE_WIRE_MAX_PAYLOAD;
constexpr std::uint32_t kMaxCount = SPINE_WIRE_MAX_COUNT;

constexpr std::size_t kKindOffset = SPINE_WIRE_KIND_OFFSET;
constexpr std::size_t kVersionOffset = SPINE_WIRE_VERSION_OFFSET;
constexpr std::size_t kIndexOffset = SPINE_WIRE_INDEX_OFFSET;
constexpr std::size_t kLengthOffset = SPINE_WIRE_LENGTH_OFFSET;
constexpr std::size_t kFingerprintOffset = SPINE_WIRE_FINGERPRINT_OFFSET;
constexpr std::size_t kCallIdOffset = SPINE_WIRE_CALL_ID_OFFSET;

enum class MessageKind : std::uint8_t {
  Request = SPINE_WIRE_REQUEST,
  Result = SPINE_WIRE_RESULT,
  Exception = SPINE_WIRE_EXCEPTION,
  Trapped = SPINE_WIRE_TRAPPED,
  Rejected = SPINE_WIRE_REJECTED,
  Event = SPINE_WIRE_EVENT,
};

inline bool isReply(std::uint8_t kind) { return spine_wire_is_reply(kind) != 0; }

constexpr unsigned ordinalWidth(std::int64_t lo, std::int64_t hi) { return spine_wire_ordinal_width(lo, hi); }

inline void storeLE(std::uint8_t *p, std::uint64_t v, unsigned width) { spine_wire_store_le(p, v, width); }
inline std::uint64_t loadLE(const std::uint8_t *p, unsigned width) { return spine_wire_load_le(p, width); }

}  // namespace wire
}  // namespace spine::host
