// The benchmark kernels of kernels.spx, in plain C++ with no checks: the baseline the .spx code is held to.
// Same logic, same data layout and the same results, so the benchmark can compare them result for result.
#include "kernels_native.h"

#include <cstring>

namespace native {

namespace {
constexpr int kNRules = 32;
struct Rule {
  int64_t src, mask, proto, port, action;
};
Rule rules[kNRules];

constexpr int64_t kSize = 4096;
struct Slot {
  int64_t key, count;
};
Slot table[kSize];

inline uint32_t be16(const uint8_t *p) { return uint32_t(p[0]) << 8 | p[1]; }
inline uint32_t be32(const uint8_t *p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }
}  // namespace

void init() {
  for (int i = 0; i < kNRules - 1; ++i) rules[i] = {0xC0A80000 + i * 256, 0xFFFFFF00, 6, 1000 + i, 0};
  rules[kNRules - 1] = {0x0A000700, 0xFFFFFF00, 0, 0, 0};
  reset();
}

void reset() { std::memset(table, 0, sizeof table); }

int64_t filter(uint8_t *data, int64_t n) {
  if (n < 34) return -1;
  if (be16(data + 12) != 0x0800) return 0;
  const uint8_t *ip = data + 14;
  int64_t src = be32(ip + 12), proto = ip[9], port = 0;
  int64_t ihl = ip[0] & 15;
  if ((proto == 6 || proto == 17) && n >= 14 + ihl * 4 + 4) port = be16(data + 14 + ihl * 4 + 2);
  for (int i = 0; i < kNRules; ++i) {
    const Rule &r = rules[i];
    if ((src & r.mask) == r.src && (r.proto == 0 || r.proto == proto) && (r.port == 0 || r.port == port)) return r.action;
  }
  return 1;
}

int64_t count(uint8_t *data, int64_t n) {
  if (n < 34) return 0;
  int64_t key = int64_t(be32(data + 14 + 12)) + 1;
  uint64_t h = ((uint64_t(key) * 0x7FEB352Du) >> 20) & (kSize - 1);
  for (;;) {
    Slot &s = table[h];
    if (s.key == key) return ++s.count;
    if (s.key == 0) {
      s.key = key;
      s.count = 1;
      return 1;
    }
    h = (h + 1) & (kSize - 1);
  }
}

int64_t forward(uint8_t *data, int64_t n) {
  if (n < 34) return -1;
  uint8_t *h = data + 14;
  int64_t sum = 0;
  for (int i = 0; i < 10; ++i) sum += h[2 * i] * 256 + h[2 * i + 1];
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  if (sum != 0xFFFF) return -2;
  if (h[8] <= 1) return -3;
  h[8] -= 1;
  int64_t c = be16(h + 10) + 0x0100;
  c = (c & 0xFFFF) + (c >> 16);
  h[10] = uint8_t(c >> 8);
  h[11] = uint8_t(c);
  return c;
}

}  // namespace native
