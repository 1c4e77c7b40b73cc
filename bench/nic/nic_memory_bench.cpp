// Resident memory under traffic (bench/README.md, "NIC benchmarks"; issue 8: flat): --packets packets (10
// million by default) of 64..1,500 bytes through Nic::dispatch to three extensions in dispatch order -- count.spx
// (module variables), copydrop.spx (Packet.Copy then Packet.Drop of the copy) and pass.spx (Packet.Send) --
// sampling resident memory (/proc/self/statm) before and every --every packets. Fails (exit 1) if it grows by
// more than --bound-kib after the first sample taken once traffic has run (the warm-up), or if a packet went
// astray.
//
// Why 64 KiB is the default bound: nothing on the per-packet path allocates (the pool is allocated whole when
// the NIC is made, buffers are reused most recently freed first, and an invocation that neither traps nor
// writes output allocates nothing), so the resident set should not move by a single page once the first packets
// have touched the code and buffers they use. 64 KiB is 16 pages of slack for the C library's own bookkeeping;
// a leak of one byte per 140 packets over 9 million packets would already exceed it.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "nic_bench_support.h"

namespace {

using namespace spine::nicrt;

const char kUsage[] = "usage: nic-memory-bench [--packets N] [--every N] [--bound-kib N]\n";

}  // namespace

int main(int argc, char **argv) {
  uint64_t packets = 10'000'000, every = 1'000'000, boundKiB = 64;
  for (int i = 1; i < argc; ++i) {
    if (nicbench::countOption(argc, argv, i, "--packets", packets, 1, 10'000'000'000, kUsage)) continue;
    if (nicbench::countOption(argc, argv, i, "--every", every, 1, 10'000'000'000, kUsage)) continue;
    if (nicbench::countOption(argc, argv, i, "--bound-kib", boundKiB, 0, 1'000'000'000, kUsage)) continue;
    std::fputs(kUsage, stderr);
    return 2;
  }

  Nic nic;
  Port *port = nicbench::addDiscardPort(nic);
  for (const char *name : {"count", "copydrop", "pass"}) nicbench::deployOrFail(nic, name);
  PacketPool &pool = nic.pool();
  const nicbench::Frames frames;

  struct Sample {
    uint64_t packets, kib;
  };
  std::vector<Sample> samples;
  samples.reserve(packets / every + 2);  // no allocation of ours between the samples
  samples.push_back({0, nicbench::residentKiB()});
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < packets; ++i) {
    const PacketHandle h = pool.allocate(kDispatcherOwner);
    PacketBuffer *b = pool.resolve(h);
    if (!b) nicbench::fail("the packet pool ran out at packet " + std::to_string(i) + ": a buffer leaked");
    b->assign(frames.frame(i));
    nic.dispatch(h);
    if ((i + 1) % every == 0 || i + 1 == packets) samples.push_back({i + 1, nicbench::residentKiB()});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::printf("resident memory, %llu packets through count.spx, copydrop.spx and pass.spx (%.2f s, %.0f ns/packet)\n",
              static_cast<unsigned long long>(packets), seconds, seconds * 1e9 / double(packets));
  for (const Sample &s : samples)
    std::printf("  %11llu packets  %8llu KiB\n", static_cast<unsigned long long>(s.packets),
                static_cast<unsigned long long>(s.kib));

  // Every packet must be accounted for: counted, copied, its copy dropped, sent; nothing held, nothing trapped.
  const NicCounters &c = nic.counters();
  std::string astray;
  if (c.received != packets || c.sent != packets || c.unclaimed != 0 || c.dropped != packets)
    astray += " NIC received " + std::to_string(c.received) + ", sent " + std::to_string(c.sent) + ", dropped " +
              std::to_string(c.dropped) + ", unclaimed " + std::to_string(c.unclaimed) + ";";
  for (const ExtensionInfo &x : nic.extensions())
    if (x.counters.packets != packets || x.counters.faults != 0)
      astray += " " + x.module + " got " + std::to_string(x.counters.packets) + " packets, " +
                std::to_string(x.counters.faults) + " faults;";
  if (port->counters().txPackets != packets || pool.inUse() != 0)
    astray += " port sent " + std::to_string(port->counters().txPackets) + ", " + std::to_string(pool.inUse()) +
              " buffers held;";
  if (!astray.empty()) nicbench::fail("packets went astray:" + astray);

  // Growth after the warm-up: from the first sample taken after traffic to the last.
  if (samples.size() < 3) {
    std::printf("too few samples for a growth figure (need --packets at least twice --every)\n");
    return 0;
  }
  const Sample &warm = samples[1], &last = samples.back();
  const int64_t growth = int64_t(last.kib) - int64_t(warm.kib);
  std::printf("growth after warm-up (%llu -> %llu packets): %+lld KiB (bound: %llu KiB)\n",
              static_cast<unsigned long long>(warm.packets), static_cast<unsigned long long>(last.packets),
              static_cast<long long>(growth), static_cast<unsigned long long>(boundKiB));
  if (growth > int64_t(boundKiB)) {
    std::printf("FAIL: resident memory grew with traffic\n");
    return 1;
  }
  return 0;
}
