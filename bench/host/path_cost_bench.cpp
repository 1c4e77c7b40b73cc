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
#include "image/ImageFile.h"
#include "image/ImageReader.h"
#include "image/Keys.h"
#include "nic/HostChannel.h"
#include "nic/Nic.h"
#include "spine/channel.h"
#include "spine/host/Channel.h"
#include "spine/host/Wire.h"
#include "spine/ring.h"
#include "spine/wire.h"

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

// The NIC's side: a Nic with ping.spxo deployed and a host channel; this thread is both the host (the rings'
// other ends) and the NIC's core (Nic::poll).
bool nicCost(double &ns) {
  using namespace spine::nicrt;
  namespace image = spine::image;
  std::string error, bytes;
  std::optional<image::PublicKey> key = image::readPublicKey(HOST_BENCH_KEY, error);
  if (!key || !image::readImageFile(std::string(HOST_BENCH_DIR) + "/ping.spxo", bytes, error)) {
    std::fprintf(stderr, "host-path-cost-bench: %s\n", error.c_str());
    return false;
  }
  image::ReadResult read = image::readImage(bytes, {*key});
  if (!read.ok()) {
    std::fprintf(stderr, "host-path-cost-bench: ping.spxo: %s\n", read.error.c_str());
    return false;
  }
  NicOptions options;
  options.debuggerSupport = false;
  Nic nic(options);
  DeployResult deployed = nic.deploy(*read.image, {});
  std::unique_ptr<HostChannel> channel = HostChannel::create(1024, 1024, error);
  if (!deployed || !channel) {
    std::fprintf(stderr, "host-path-cost-bench: %s%s\n", deployed.error.c_str(), error.c_str());
    return false;
  }
  nic.attachHostChannel(channel.get());
  auto *base = static_cast<std::uint8_t *>(channel->region());
  const spine_channel_header &layout = channel->layout();
  spine_ring_producer requests{};
  spine_ring_consumer replies{};
  spine_ring_attach_producer(&requests, base + layout.to_nic_offset, channel->regionBytes() - layout.to_nic_offset);
  spine_ring_attach_consumer(&replies, base + layout.to_host_offset, channel->regionBytes() - layout.to_host_offset);

  std::uint8_t request[SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE + 8] = {};
  spine_channel_envelope_store(request, deployed.id);
  spine_wire_header h{};
  h.kind = SPINE_WIRE_REQUEST;
  h.version = SPINE_WIRE_VERSION;
  h.index = 0;
  h.length = 8;
  h.fingerprint = spine_gen::Ping::kFingerprint;
  spine_wire_header_store(request + SPINE_CHANNEL_ENVELOPE, &h);
  bool right = true;
  ns = nsPerCall([&](int i) {
    spine_wire_store_le(request + SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_CALL_ID_OFFSET, static_cast<std::uint64_t>(i) + 1, 8);
    spine_wire_store_le(request + SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE, static_cast<std::uint64_t>(i), 8);
    spine_ring_try_enqueue(&requests, request, sizeof request);
    nic.poll();
    const void *payload = nullptr;
    std::uint32_t length = 0;
    if (spine_ring_peek(&replies, &payload, &length) != SPINE_RING_OK || length != sizeof request) {
      right = false;
      return;
    }
    const auto *reply = static_cast<const std::uint8_t *>(payload) + SPINE_CHANNEL_ENVELOPE;
    right = right && reply[SPINE_WIRE_KIND_OFFSET] == SPINE_WIRE_RESULT &&
            spine_wire_load_le(reply + SPINE_WIRE_HEADER_SIZE, 8) == static_cast<std::uint64_t>(i) + 1;
    spine_ring_release(&replies);
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
