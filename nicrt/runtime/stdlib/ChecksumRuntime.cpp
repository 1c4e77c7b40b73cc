// The runtime side of stdlib/Checksum.spi: RFC 1071 sums and RFC 1624 updates. Every argument is a value in
// range (the compiler checks Word16 arguments) or an open array the caller owns; a sum over an array costs fuel
// in proportion to its length, as a loop in the extension would.
#include "stdlib/ChecksumRuntime.h"

#include "detail/Invocation.h"

namespace {

uint64_t fold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

uint64_t sumOf(const uint8_t *data, int64_t length) {
  uint64_t sum = 0;
  int64_t i = 0;
  for (; i + 1 < length; i += 2) sum += (uint64_t{data[i]} << 8) | data[i + 1];
  if (i < length) sum += uint64_t{data[i]} << 8;
  return fold(sum);
}

void charge(int64_t length, uint32_t site) {
  spine::nicrt::detail::chargeWork(spine::nicrt::detail::requireInvocation("Checksum"),
                                   static_cast<uint64_t>(length), site);
}

}  // namespace

extern "C" {

int64_t spx_checksum_internet(const uint8_t *data, int64_t length, uint32_t site) {
  charge(length, site);
  return static_cast<int64_t>(~sumOf(data, length) & 0xFFFF);
}

int64_t spx_checksum_sum(const uint8_t *data, int64_t length, uint32_t site) {
  charge(length, site);
  return static_cast<int64_t>(sumOf(data, length));
}

int64_t spx_checksum_combine(int64_t a, int64_t b, uint32_t) {
  return static_cast<int64_t>(fold(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)));
}

// RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m').
int64_t spx_checksum_update(int64_t checksum, int64_t old, int64_t now, uint32_t) {
  uint64_t sum = (~static_cast<uint64_t>(checksum) & 0xFFFF) + (~static_cast<uint64_t>(old) & 0xFFFF) +
                 static_cast<uint64_t>(now);
  return static_cast<int64_t>(~fold(sum) & 0xFFFF);
}

}  // extern "C"
