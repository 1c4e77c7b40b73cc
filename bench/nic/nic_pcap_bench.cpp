// Packets per second from pcap (bench/README.md, "NIC benchmarks"): a capture of --packets packets (1 million by
// default, test/Inputs/pcap/veth-mix.pcap's 32 packets over and over), made at run time with libpcap, read and
// written by
//   libpcap  pcap_next_ex + pcap_dump, nothing else: the baseline;
//   nic      a Nic with one PcapPort (the same input, its own output) and pass.spx deployed: receive, dispatch,
//            Packet.Send, transmit.
// in --rounds interleaved rounds; best round of each. Both outputs must be byte for byte the same capture.
#include <pcap/pcap.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "nic_bench_support.h"
#include "ports/PcapPort.h"

namespace {

using namespace spine::nicrt;
using Clock = std::chrono::steady_clock;

const char kUsage[] = "usage: nic-pcap-bench [--packets N] [--rounds N] [--work DIR] [--keep]\n";

struct Record {
  pcap_pkthdr header;
  std::vector<u_char> bytes;
};

std::vector<Record> readCapture(const std::string &path) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *in = pcap_open_offline(path.c_str(), errbuf);
  if (!in) nicbench::fail("cannot read '" + path + "': " + errbuf);
  std::vector<Record> records;
  pcap_pkthdr *h = nullptr;
  const u_char *bytes = nullptr;
  while (pcap_next_ex(in, &h, &bytes) == 1) records.push_back({*h, {bytes, bytes + h->caplen}});
  pcap_close(in);
  if (records.empty()) nicbench::fail("'" + path + "' has no packets");
  return records;
}

// The sample's packets repeated to `packets`, each repetition later than the one before, so timestamps only grow.
void writeCapture(const std::vector<Record> &sample, uint64_t packets, const std::string &path) {
  pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
  pcap_dumper_t *out = dead ? pcap_dump_open(dead, path.c_str()) : nullptr;
  if (!out) nicbench::fail("cannot write '" + path + "'" + (dead ? std::string(": ") + pcap_geterr(dead) : ""));
  const auto usec = [](const timeval &t) { return int64_t(t.tv_sec) * 1'000'000 + t.tv_usec; };
  const int64_t span = usec(sample.back().header.ts) - usec(sample.front().header.ts) + 1000;
  for (uint64_t i = 0; i < packets; ++i) {
    const Record &r = sample[i % sample.size()];
    pcap_pkthdr h = r.header;
    const int64_t t = usec(h.ts) + int64_t(i / sample.size()) * span;
    h.ts.tv_sec = t / 1'000'000;
    h.ts.tv_usec = t % 1'000'000;
    pcap_dump(reinterpret_cast<u_char *>(out), &h, r.bytes.data());
  }
  if (pcap_dump_flush(out) != 0) nicbench::fail("writing '" + path + "' failed");
  pcap_dump_close(out);
  pcap_close(dead);
}

// The baseline: copy the capture record by record with libpcap. Returns the packets copied.
uint64_t copyWithLibpcap(const std::string &in, const std::string &outPath) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *src = pcap_open_offline(in.c_str(), errbuf);
  if (!src) nicbench::fail("cannot read '" + in + "': " + errbuf);
  pcap_t *dead = pcap_open_dead(DLT_EN10MB, PcapPort::kOutputSnaplen);
  pcap_dumper_t *out = pcap_dump_open(dead, outPath.c_str());
  if (!out) nicbench::fail("cannot write '" + outPath + "': " + pcap_geterr(dead));
  uint64_t n = 0;
  pcap_pkthdr *h = nullptr;
  const u_char *bytes = nullptr;
  while (pcap_next_ex(src, &h, &bytes) == 1) {
    pcap_dump(reinterpret_cast<u_char *>(out), h, bytes);
    ++n;
  }
  if (pcap_dump_flush(out) != 0) nicbench::fail("writing '" + outPath + "' failed");
  pcap_dump_close(out);
  pcap_close(dead);
  pcap_close(src);
  return n;
}

bool sameBytes(const std::string &a, const std::string &b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1 << 20), bb(1 << 20);
  while (fa && fb) {
    fa.read(ba.data(), std::streamsize(ba.size()));
    fb.read(bb.data(), std::streamsize(bb.size()));
    if (fa.gcount() != fb.gcount() || std::memcmp(ba.data(), bb.data(), size_t(fa.gcount())) != 0) return false;
  }
  return fa.eof() && fb.eof();
}

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char **argv) {
  uint64_t packets = 1'000'000, rounds = 3;
  std::string work = NIC_BENCH_WORK;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (nicbench::countOption(argc, argv, i, "--packets", packets, 1, 100'000'000, kUsage)) continue;
    if (nicbench::countOption(argc, argv, i, "--rounds", rounds, 1, 1000, kUsage)) continue;
    if (std::string(argv[i]) == "--work" && i + 1 < argc) {
      work = argv[++i];
      continue;
    }
    if (std::string(argv[i]) == "--keep") {
      keep = true;
      continue;
    }
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string input = work + "/nic-pcap-bench-input.pcap", viaLibpcap = work + "/nic-pcap-bench-libpcap.pcap",
                    viaNic = work + "/nic-pcap-bench-nic.pcap";

  const auto made = Clock::now();
  writeCapture(readCapture(NIC_BENCH_CAPTURE), packets, input);
  std::printf("made %s: %llu packets in %.2f s\n", input.c_str(), static_cast<unsigned long long>(packets),
              seconds(made));

  double bestLibpcap = 1e300, bestNic = 1e300;
  auto viaPlainLibpcap = [&] {
    const auto t0 = Clock::now();
    const uint64_t copied = copyWithLibpcap(input, viaLibpcap);
    bestLibpcap = std::min(bestLibpcap, seconds(t0));
    if (copied != packets) nicbench::fail("libpcap copied " + std::to_string(copied) + " packets");
  };
  auto viaTheNic = [&] {
    // The NIC is made and the extension deployed before the clock starts; opening the files is timed, as above.
    Nic nic;
    nicbench::deployOrFail(nic, "pass");
    const auto t0 = Clock::now();
    std::string error;
    auto port = PcapPort::open({input, viaNic}, error);
    if (!port) nicbench::fail(error);
    const PcapPort &p = *port;
    nic.addPort(std::move(port));
    nic.runUntilInputsEnd();
    bestNic = std::min(bestNic, seconds(t0));
    if (p.counters().rxPackets != packets || p.counters().txPackets != packets || p.counters().errors != 0)
      nicbench::fail("the NIC received " + std::to_string(p.counters().rxPackets) + " and sent " +
                     std::to_string(p.counters().txPackets) + " of " + std::to_string(packets) + " packets");
  };
  for (uint64_t r = 0; r < rounds; ++r) {  // which goes first alternates: the file system's state hits both
    if (r % 2 == 0) {
      viaPlainLibpcap();
      viaTheNic();
    } else {
      viaTheNic();
      viaPlainLibpcap();
    }
  }
  // The Nic (and its port) are gone: the output is closed.
  if (!sameBytes(viaLibpcap, viaNic)) nicbench::fail("the NIC's output differs from libpcap's: " + viaNic);
  if (!keep)
    for (const std::string &f : {input, viaLibpcap, viaNic}) std::remove(f.c_str());

  const double mppsLibpcap = double(packets) / bestLibpcap / 1e6, mppsNic = double(packets) / bestNic / 1e6;
  std::printf("pcap -> pcap, %llu packets (veth-mix.pcap repeated), best of %llu rounds\n",
              static_cast<unsigned long long>(packets), static_cast<unsigned long long>(rounds));
  std::printf("  libpcap  %7.3f s  %6.2f Mpps  %6.0f ns/packet   pcap_next_ex + pcap_dump\n", bestLibpcap,
              mppsLibpcap, bestLibpcap * 1e9 / double(packets));
  std::printf("  nic      %7.3f s  %6.2f Mpps  %6.0f ns/packet   PcapPort + Nic + pass.spx\n", bestNic, mppsNic,
              bestNic * 1e9 / double(packets));
  std::printf("ratio nic / libpcap (packets per second): %.3f   NIC cost per packet over libpcap: %.0f ns\n",
              mppsNic / mppsLibpcap, (bestNic - bestLibpcap) * 1e9 / double(packets));
  std::printf("outputs identical: yes\n");
  return 0;
}
