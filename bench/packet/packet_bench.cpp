// Packet benchmark: three per-packet kernels written in .spx (kernels.spx, compiled by spinec -O2 with every
// check in) against the same logic in C++ (kernels_native.cpp, clang -O2, no checks), over the same
// in-memory packets in one run. Prints the time per packet of each and the ratio spx/C++ (goal: <= 1.05).
// The .spx object is linked in directly: it is the code the NIC runtime's loader maps, and its ABI is the
// runtime's (include/spine/abi.h); a stand-in runtime here only gives it fuel and a stack limit.
#include "kernels_native.h"

#include "spine/abi.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" {
extern spx_state spxState __asm__("spx.state");
void spxInit() __asm__("spx.init");
int64_t spxFilter(uint8_t *, int64_t) __asm__("Kernels.Filter");
int64_t spxCount(uint8_t *, int64_t) __asm__("Kernels.Count");
int64_t spxForward(uint8_t *, int64_t) __asm__("Kernels.Forward");
void spxReset() __asm__("Kernels.Reset");

void spx_rt_trap(uint32_t kind, uint32_t site) {
  std::fprintf(stderr, "packet-bench: the .spx kernel trapped: %s (site %u)\n", spx_trap_name(kind), site);
  std::exit(1);
}
void *spx_rt_new(uint64_t size, uint32_t) { return std::calloc(1, size); }
}

namespace {

using Kernel = int64_t (*)(uint8_t *, int64_t);

struct Packet {
  std::vector<uint8_t> bytes;
};

void put16(uint8_t *p, uint32_t v) { p[0] = uint8_t(v >> 8), p[1] = uint8_t(v); }
void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16), put16(p + 2, v); }

// Frames like a busy link's: 90% IPv4 (TCP, UDP, a little ICMP) from a few hundred hosts, the rest ARP.
std::vector<Packet> makePackets(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Packet> out;
  for (size_t i = 0; i < n; ++i) {
    size_t len = 64 + rng() % 1400;
    Packet p;
    p.bytes.assign(len, 0);
    uint8_t *f = p.bytes.data();
    for (int k = 0; k < 12; ++k) f[k] = uint8_t(rng());
    if (rng() % 10 == 0) {
      put16(f + 12, 0x0806);
      out.push_back(std::move(p));
      continue;
    }
    put16(f + 12, 0x0800);
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    put16(ip + 2, uint32_t(len - 14));
    ip[8] = 255;
    uint32_t r = rng() % 10;
    ip[9] = r < 6 ? 6 : r < 9 ? 17 : 1;
    put32(ip + 12, 0x0A000000 | (rng() % 16) << 8 | rng() % 32);
    put32(ip + 16, 0x0A010001);
    uint32_t sum = 0;
    for (int k = 0; k < 20; k += 2) sum += uint32_t(ip[k]) << 8 | ip[k + 1];
    while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
    put16(ip + 10, ~sum & 0xFFFF);
    put16(f + 34, 1024 + rng() % 50000);
    put16(f + 36, rng() % 2 ? 80 : 1000 + rng() % 40);
    out.push_back(std::move(p));
  }
  return out;
}

struct Result {
  double nsPerPacket;
  int64_t checksum;
};

Result run(Kernel k, std::vector<Packet> &pkts, int passes, void (*reset)()) {
  double best = 1e30;
  int64_t total = 0;
  for (int rep = 0; rep < 7; ++rep) {
    reset();
    int64_t acc = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (int pass = 0; pass < passes; ++pass)
      for (Packet &p : pkts) acc += k(p.bytes.data(), int64_t(p.bytes.size()));
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / double(passes * pkts.size()));
    total = acc;  // the last repetition's: both sides run the same sequence, so their totals must agree
  }
  return {best, total};
}

void noReset() {}

}  // namespace

int main(int argc, char **argv) {
  size_t npackets = 4096;
  int passes = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--packets") npackets = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--passes") passes = std::atoi(argv[i + 1]);
  }
  spxState.fuel = INT64_MAX / 2;
  spxState.stack_limit = 0;
  spxInit();
  native::init();
  struct Case {
    const char *name;
    Kernel spx, cpp;
    void (*spxReset)(), (*cppReset)();
    int passes;
  };
  // Forward rewrites the packets (TTL 255, one less per pass), so each side gets its own copy and the passes
  // stay below 255 in all: 4 rounds x 7 repetitions x passes/5.
  Case cases[] = {
      {"acl-filter", spxFilter, native::filter, noReset, noReset, passes},
      {"hash-counter", spxCount, native::count, spxReset, native::reset, passes},
      {"ipv4-checksum-ttl", spxForward, native::forward, noReset, noReset, std::min(passes, 5)},
  };
  std::printf("%-20s %12s %12s %8s\n", "kernel", "spx ns/pkt", "C++ ns/pkt", "spx/C++");
  bool mismatch = false;
  for (Case &c : cases) {
    std::vector<Packet> a = makePackets(npackets, 7), b = a;
    // Interleaved rounds (C++ then spx, then the other way round), keeping each side's best: on a shared
    // machine the best of many short runs is the most repeatable measure of the code itself.
    int per = c.passes / 5 ? c.passes / 5 : 1;
    double ns = 1e30, ss = 1e30;
    bool differ = false;
    for (int round = 0; round < 4; ++round) {
      Result n, s;
      if (round % 2 == 0) n = run(c.cpp, b, per, c.cppReset), s = run(c.spx, a, per, c.spxReset);
      else s = run(c.spx, a, per, c.spxReset), n = run(c.cpp, b, per, c.cppReset);
      ns = std::min(ns, n.nsPerPacket);
      ss = std::min(ss, s.nsPerPacket);
      differ = differ || n.checksum != s.checksum;
    }
    mismatch = mismatch || differ;
    std::printf("%-20s %12.2f %12.2f %8.3f%s\n", c.name, ss, ns, ss / ns, differ ? "  RESULTS DIFFER" : "");
  }
  return mismatch ? 1 : 0;
}
