// HostRegion against a NIC end driven by hand (the test takes requests and writes replies itself): callbacks that
// throw or send while the rings are full, a NIC that stops taking requests or breaks the request ring's rules,
// forged buffer acknowledgements, and timeouts without limit. Each case was a hang, a crash or a use of a freed
// stack buffer before (a review of the host's fast path found them).
#include <spine/host/HostRegion.h>
#include <spine/host/LoopbackChannel.h>
#include <spine/host/Stubs.h>

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>

#include "spine/channel.h"
#include "spine/doorbell.h"

using namespace std::chrono_literals;
using namespace spine::host;
namespace wire = spine::host::wire;

namespace {

// The NIC's end of a host channel region in this process, worked by the test.
struct HandNic {
  void *region = nullptr;
  std::uint64_t bytes = 0;
  spine_ring_consumer fromHost{};
  spine_ring_producer toHost{};
  std::unique_ptr<HostRegion> host;
  explicit HandNic(std::uint32_t slots = 64) {
    bytes = spine_channel_region_bytes(slots, slots, 4096);
    region = std::aligned_alloc(4096, bytes);
    std::memset(region, 0, bytes);
    REQUIRE(spine_channel_init(region, bytes, slots, slots, 4096) == SPINE_RING_OK);
    spine_channel_header h{};
    REQUIRE(spine_channel_check(region, bytes, &h) == SPINE_RING_OK);
    auto *b = static_cast<std::uint8_t *>(region);
    REQUIRE(spine_ring_attach_consumer(&fromHost, b + h.to_nic_offset, bytes - h.to_nic_offset) == SPINE_RING_OK);
    REQUIRE(spine_ring_attach_producer(&toHost, b + h.to_host_offset, bytes - h.to_host_offset) == SPINE_RING_OK);
    std::string error;
    host = HostRegion::attach(region, bytes, error);
    REQUIRE_MESSAGE(host, error);
  }
  ~HandNic() {
    host.reset();
    std::free(region);
  }
  bool tryTake(Bytes &message) {
    const void *p = nullptr;
    std::uint32_t length = 0;
    if (spine_ring_peek(&fromHost, &p, &length) != SPINE_RING_OK) return false;
    auto *q = static_cast<const std::uint8_t *>(p);
    message.assign(q + SPINE_CHANNEL_ENVELOPE, q + length);
    spine_ring_release(&fromHost);
    return true;
  }
  Bytes take() {
    Bytes m;
    auto until = std::chrono::steady_clock::now() + 10s;
    while (!tryTake(m)) {
      REQUIRE(std::chrono::steady_clock::now() < until);
      std::this_thread::yield();
    }
    return m;
  }
  bool tryPut(std::uint32_t extension, const Bytes &message, std::uint32_t kind = SPINE_CHANNEL_MESSAGE) {
    void *at = nullptr;
    if (spine_ring_reserve(&toHost, static_cast<std::uint32_t>(message.size() + SPINE_CHANNEL_ENVELOPE), &at) !=
        SPINE_RING_OK)
      return false;
    auto *p = static_cast<std::uint8_t *>(at);
    spine_channel_envelope_store_kind(p, extension, kind);
    std::memcpy(p + SPINE_CHANNEL_ENVELOPE, message.data(), message.size());
    if (spine_ring_commit(&toHost)) spine_doorbell_ring(spine_ring_doorbell(toHost.ring));
    return true;
  }
  void put(std::uint32_t extension, const Bytes &message) {
    while (!tryPut(extension, message)) std::this_thread::yield();
  }
};

Bytes resultFor(const Bytes &request) {
  Bytes r(request.begin(), request.begin() + wire::kHeaderSize);
  r[wire::kKindOffset] = static_cast<std::uint8_t>(wire::MessageKind::Result);
  wire::storeLE(&r[wire::kLengthOffset], 0, 4);
  return r;
}

void request(Writer &w) { w.begin(wire::MessageKind::Request, 0x1234, 0); }

}  // namespace

TEST_CASE("host region: a reply callback that throws reaches the error handler; the region goes on") {
  HandNic nic;
  Channel &channel = nic.host->channel(1);
  std::mutex m;
  int handled = 0;
  channel.setErrorHandler([&](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::runtime_error &x) {
      std::lock_guard<std::mutex> lock(m);
      if (std::string(x.what()) == "callback failed") ++handled;
    }
  });
  // The failing callback's reply arrives while another call waits: whichever thread delivers it (the receive
  // thread or the waiting caller), the waiting call gets its own reply, not the callback's exception.
  for (int attempt = 0; attempt < 50; ++attempt) {
    Writer a;
    request(a);
    channel.call(a, [](Reply &&) { throw std::runtime_error("callback failed"); });
    Bytes requestA = nic.take();
    std::thread fake([&] {
      Bytes requestB = nic.take();
      nic.put(1, resultFor(requestA));
      std::this_thread::sleep_for(200us);
      nic.put(1, resultFor(requestB));
    });
    Writer b;
    request(b);
    MessageBuffer reply;
    CHECK_NOTHROW(channel.callBlocking(b, 10s, reply));
    fake.join();
  }
  CHECK(channel.pendingCalls() == 0);
  std::lock_guard<std::mutex> lock(m);
  CHECK(handled == 50);
}

TEST_CASE("host region: callbacks that send while both rings are full do not deadlock the host and the NIC") {
  HandNic nic(8);
  Channel &channel = nic.host->channel(1);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> served{0}, chained{0};
  // The NIC's rule: while a reply waits for room in the host's ring, take no request.
  std::thread core([&] {
    Bytes waiting, req;
    bool has = false;
    while (!stop) {
      if (has) {
        if (nic.tryPut(1, waiting)) has = false;
        else {
          std::this_thread::yield();
          continue;
        }
      }
      if (!nic.tryTake(req)) {
        std::this_thread::yield();
        continue;
      }
      waiting = resultFor(req);
      has = true;
      ++served;
    }
  });
  std::thread sender([&] {  // a stream of one-way requests keeps both rings full
    while (!stop) {
      Writer w;
      request(w);
      try {
        channel.send(w);
      } catch (const Error &) {
        return;
      }
    }
  });
  std::function<void(Reply &&)> next = [&](Reply &&r) {  // each reply's callback makes the next call
    if (r.error || stop) return;
    ++chained;
    Writer w;
    request(w);
    channel.call(w, next);
  };
  Writer first;
  request(first);
  channel.call(first, next);
  std::uint64_t last = 0;
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(100ms);
    std::uint64_t now = served.load();
    REQUIRE_MESSAGE(now > last, "no request served for 100 ms: the host and the NIC wait for each other");
    last = now;
  }
  CHECK(chained.load() > 10);
  stop = true;
  core.join();
  nic.host->close();
  sender.join();
}

TEST_CASE("host region: a NIC that takes no request makes a blocking call time out, not hang in the send") {
  HandNic nic;
  Channel &channel = nic.host->channel(1);
  for (std::uint32_t i = 0; i + 1 < nic.fromHost.slot_count; ++i) {  // the NIC takes none: the ring fills up
    Writer w;
    request(w);
    channel.send(w);
  }
  Writer w;
  request(w);
  MessageBuffer reply;
  auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(channel.callBlocking(w, 100ms, reply), Timeout);
  CHECK(std::chrono::steady_clock::now() - started < 10s);  // bounded by the call's timeout, not for ever
  CHECK(channel.pendingCalls() == 0);
}

TEST_CASE("host region: a NIC that moves the request ring's consumer index ahead closes the channels") {
  HandNic nic;
  Channel &channel = nic.host->channel(1);
  for (std::uint32_t i = 0; i + 1 < nic.fromHost.slot_count; ++i) {  // full: the next send must reload cons
    Writer w;
    request(w);
    channel.send(w);
  }
  __atomic_store_n(&nic.fromHost.ring->cons, std::uint64_t{1} << 40, __ATOMIC_RELEASE);  // impossible: cons > prod
  Writer w;
  request(w);
  MessageBuffer reply;
  CHECK_THROWS_AS(channel.callBlocking(w, 10s, reply), ChannelClosed);
  for (int i = 0; i < 5000 && !nic.host->closed(); ++i) std::this_thread::sleep_for(1ms);
  CHECK(nic.host->closed());
}

TEST_CASE("host region: a NIC that tags a reply for another slot index closes the channels, saying so") {
  HandNic nic;
  Channel &channel = nic.host->channel(1);
  std::thread forger([&] {
    nic.take();  // the request; then, where the host reads next, a record tagged for a slot a lap ahead
    std::uint8_t *slot = nic.toHost.slots + (nic.toHost.prod & nic.toHost.slot_mask) * SPINE_RING_SLOT_SIZE;
    auto *header = reinterpret_cast<std::uint32_t *>(slot);
    __atomic_store_n(&header[0], 8u, __ATOMIC_RELAXED);
    __atomic_store_n(&header[1], spine_ring_tag(nic.toHost.prod + nic.toHost.slot_count, SPINE_RING_RECORD_DATA),
                     __ATOMIC_RELEASE);
  });
  Writer w;
  request(w);
  MessageBuffer reply;
  std::string what;
  try {
    channel.callBlocking(w, 10s, reply);
  } catch (const ChannelClosed &e) {
    what = e.what();
  }
  forger.join();
  CHECK_MESSAGE(what.find("the NIC broke the reply ring's rules") != std::string::npos, what);
  CHECK(nic.host->closed());
}

TEST_CASE("host region: a buffer acknowledgement nobody awaits is ignored, so one sent early does not count") {
  HandNic nic;
  HostBuffer buffer = nic.host->allocateBuffer(256);
  // Forged answers before the registration: one for the next buffer's id, and many for others.
  Bytes ack(12);
  spine_wire_store_le(ack.data(), buffer.id, 8);
  spine_wire_store_le(ack.data() + 8, SPINE_CHANNEL_BUFFER_OK, 4);
  nic.put(1, ack);
  void *at = nullptr;
  REQUIRE(spine_ring_reserve(&nic.toHost, SPINE_CHANNEL_ENVELOPE + 12, &at) == SPINE_RING_OK);
  spine_channel_envelope_store_kind(static_cast<std::uint8_t *>(at), 1, SPINE_CHANNEL_BUFFER_ACK);
  std::memcpy(static_cast<std::uint8_t *>(at) + SPINE_CHANNEL_ENVELOPE, ack.data(), ack.size());
  if (spine_ring_commit(&nic.toHost)) spine_doorbell_ring(spine_ring_doorbell(nic.toHost.ring));
  for (int i = 0; i < 5000 && nic.host->counters().received < 2; ++i) std::this_thread::sleep_for(1ms);
  REQUIRE(nic.host->counters().received == 2);
  // The registration now waits for a real answer: the NIC refuses it, and that is what the host reports.
  std::thread answer([&] {
    nic.take();
    Bytes refusal(12);
    spine_wire_store_le(refusal.data(), buffer.id, 8);
    spine_wire_store_le(refusal.data() + 8, SPINE_CHANNEL_BUFFER_OUT_OF_RANGE, 4);
    void *slot = nullptr;
    while (spine_ring_reserve(&nic.toHost, SPINE_CHANNEL_ENVELOPE + 12, &slot) != SPINE_RING_OK) std::this_thread::yield();
    spine_channel_envelope_store_kind(static_cast<std::uint8_t *>(slot), 1, SPINE_CHANNEL_BUFFER_ACK);
    std::memcpy(static_cast<std::uint8_t *>(slot) + SPINE_CHANNEL_ENVELOPE, refusal.data(), refusal.size());
    if (spine_ring_commit(&nic.toHost)) spine_doorbell_ring(spine_ring_doorbell(nic.toHost.ring));
  });
  CHECK_THROWS_WITH_AS(nic.host->registerBuffer(1, buffer), "the buffer does not lie in the region's buffers part",
                       Error);
  answer.join();
}

TEST_CASE("host region: a blocking call with no time limit (nanoseconds::max) waits for its reply") {
  LoopbackChannel channel([](const Bytes &req, LoopbackChannel &c) {
    std::this_thread::sleep_for(20ms);
    c.toHost(resultFor(req));
  });
  Writer w;
  request(w);
  MessageBuffer reply;
  CHECK_NOTHROW(channel.callBlocking(w, std::chrono::nanoseconds::max(), reply));
  request(w);
  CHECK_NOTHROW(channel.callBlocking(w, std::chrono::hours(24 * 365 * 200), reply));
}
