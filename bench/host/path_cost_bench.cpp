// What each side's software costs on one call, measured on one thread with no cache line moving between cores
// (bench/README.md, "Where a call's time goes"). The round-trip benchmark (host_roundtrip_bench.cpp) measures
// what a user sees; this one says how much of it is the host runtime's and how much the NIC runtime's, so that a
// change to either can be weighed to the nanosecond, free of the noise of two vCPUs bouncing lines.
//
//   host: a Ping through the generated stubs and a Channel whose transport answers at once, on the same thread,
//         the caller taking the answer while it waits (marshalling, the call table, the wait, the reply's match
//         and copy, decoding): everything of the host's path but the rings, which the bare-rings row of the
//         round-trip benchmark measures.
//   NIC:  a Ping request put into the host channel's request ring, one round of the NIC's core (taking the
//         record, checking it, running the extension's request under fuel and trap protection, the reply into
//         the reply ring), and the reply taken out: the NIC runtime's whole path, with the ring operations of
//         both ends.
//
// Each is timed over a million calls, 15 times; the median of the 15 is printed, in ns per call. `--quick`: a
// few thousand calls (ctest: the results are checked, the times mean nothing).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Ping.h"
#include "PingNic.h"
#include "spine/host/Channel.h"
#include "spine/host/Wire.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace wire = spine::host::wire;

int kCalls = 1'000'000, kRuns = 15;

template <class F>
double nsPerCall(F &&call) {
  std::vector<double> runs;
  for (int r = 0; r < kRuns; ++r) {
    auto t = Clock::now();
    for (int i = 0; i < kCalls; ++i) call(i);
    runs.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t).count() / kCalls);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

// The host's side: a transport that answers each Ping request as the NIC would (Result, x + 1), the answer taken
// by the waiting caller in progress(), as a blocking caller takes its reply from the reply ring.
class AnsweringChannel final : public spine::host::Channel {
 protected:
  void transmit(const std::uint8_t *message, std::size_t size) override {
    if (size != sizeof reply_) throw spine::host::Error("not a Ping request");
    std::memcpy(reply_, message, size);
    reply_[wire::kKindOffset] = static_cast<std::uint8_t>(wire::MessageKind::Result);
    wire::storeLE(reply_ + wire::kHeaderSize, wire::loadLE(reply_ + wire::kHeaderSize, 8) + 1, 8);
    answered_ = true;
  }
  bool progress() override {
    if (answered_) {
      answered_ = false;
      receive(reply_, sizeof reply_);
    }
    return true;
  }

 private:
  std::uint8_t reply_[wire::kHeaderSize + 8];
  bool answered_ = false;
};

bool hostCost(double &ns) {
  AnsweringChannel channel;
  spine_gen::Ping::PingClient client(channel);
  bool right = true;
  ns = nsPerCall([&](int i) { right = right && client.Ping(i) == i + 1; });
  return right;
}

// The NIC's side: this thread is both the host (the rings' other ends) and the NIC's core (Nic::poll).
bool nicCost(double &ns) {
  PingNic ping;
  if (!ping.start()) return false;
  bool right = true;
  ns = nsPerCall([&](int i) {
    if (!ping.send(i)) {
      right = false;
      return;
    }
    ping.nic().poll();
    right = ping.takeReply(i) && right;
  });
  return right;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "--quick") == 0) {
    kCalls = 5000;
    kRuns = 3;
  }
  double host = 0, nic = 0;
  if (!hostCost(host)) {
    std::fprintf(stderr, "host-path-cost-bench: a Ping came back wrong (host side)\n");
    return 1;
  }
  if (!nicCost(nic)) {
    std::fprintf(stderr, "host-path-cost-bench: a Ping came back wrong (NIC side)\n");
    return 1;
  }
  std::printf("one call's software, on one thread (median of %d runs of %d calls)\n", kRuns, kCalls);
  std::printf("  host: stubs, channel and call table, the answer given at once   %6.1f ns\n", host);
  std::printf("  NIC: the rings' both ends and a round of the NIC core           %6.1f ns\n", nic);
  std::printf("  together                                                        %6.1f ns\n", host + nic);
  return 0;
}
