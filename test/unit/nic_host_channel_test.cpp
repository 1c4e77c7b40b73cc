// The host channel (nic/HostChannel.h, include/spine/channel.h): requests from the host's ring to the extensions,
// replies and events into the host's ring, with back-pressure and the host's garbage refused. The host side
// here speaks the rings directly, as any host program may (hostrt's stubs are one such host).
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "NicTestSupport.h"
#include "nic/Nic.h"
#include "ports/MemoryPort.h"
#include "spine/channel.h"
#include "spine/wire.h"

using namespace spine;

namespace {

constexpr uint64_t kAllTypes = 0x15134e49f091dbf9ULL;  // AllTypes' fingerprint (AllTypes.h, kFingerprint)
constexpr uint16_t kChoose = 5, kNop = 3;

// The host's end of a channel: producer of requests, consumer of replies and events.
struct HostEnd {
  spine_ring_producer toNic{};
  spine_ring_consumer fromNic{};
  explicit HostEnd(nicrt::HostChannel &c) {
    auto *base = static_cast<uint8_t *>(c.region());
    spine_channel_header h{};
    REQUIRE(spine_channel_check(base, c.regionBytes(), &h) == SPINE_RING_OK);
    REQUIRE(spine_ring_attach_producer(&toNic, base + h.to_nic_offset, c.regionBytes() - h.to_nic_offset) ==
            SPINE_RING_OK);
    REQUIRE(spine_ring_attach_consumer(&fromNic, base + h.to_host_offset, c.regionBytes() - h.to_host_offset) ==
            SPINE_RING_OK);
  }
  int send(const std::vector<uint8_t> &record) {
    return spine_ring_try_enqueue(&toNic, record.data(), static_cast<uint32_t>(record.size()));
  }
  // The next record from the NIC (envelope and message), or empty.
  std::vector<uint8_t> receive() {
    std::vector<uint8_t> buf(1 << 16);
    uint32_t n = 0;
    if (spine_ring_try_dequeue(&fromNic, buf.data(), static_cast<uint32_t>(buf.size()), &n) != SPINE_RING_OK) return {};
    buf.resize(n);
    return buf;
  }
};

// An enveloped request for `extension`: AllTypes request `index` with `payload`, call id `callId`.
std::vector<uint8_t> record(uint32_t extension, uint16_t index, const std::vector<uint8_t> &payload, uint64_t callId) {
  std::vector<uint8_t> r(SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE + payload.size());
  spine_channel_envelope_store(r.data(), extension);
  spine_wire_header h{SPINE_WIRE_REQUEST, SPINE_WIRE_VERSION, index, static_cast<uint32_t>(payload.size()), kAllTypes,
                      callId};
  spine_wire_header_store(r.data() + SPINE_CHANNEL_ENVELOPE, &h);
  std::copy(payload.begin(), payload.end(), r.begin() + SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE);
  return r;
}

spine_wire_header headerOf(const std::vector<uint8_t> &rec) {
  REQUIRE(rec.size() >= SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE);
  return spine_wire_header_load(rec.data() + SPINE_CHANNEL_ENVELOPE);
}

struct ChannelNic {
  std::unique_ptr<nicrt::Nic> nic;
  std::unique_ptr<nicrt::HostChannel> channel;
  nicrt::MemoryPort *in = nullptr;
  uint32_t id = 0;
  explicit ChannelNic(uint32_t toNicSlots = 256, uint32_t toHostSlots = 256) {
    nicrt::NicOptions o;
    o.debuggerSupport = false;
    nic = std::make_unique<nicrt::Nic>(o);
    auto port = std::make_unique<nicrt::MemoryPort>();
    in = port.get();
    nic->addPort(std::move(port));
    std::string error;
    channel = nicrt::HostChannel::create(toNicSlots, toHostSlots, error);
    REQUIRE_MESSAGE(channel, error);
    nic->attachHostChannel(channel.get());
    nicrt::DeployResult d = nic->deploy(nic_test::loadImage("AllTypesNic"));
    REQUIRE_MESSAGE(d, d.error);
    id = d.id;
  }
  void run() {
    while (nic->poll()) {
    }
  }
};

}  // namespace

TEST_CASE("host channel: a request in the host's ring gets its reply in the other, enveloped with the extension") {
  ChannelNic t;
  HostEnd host(*t.channel);
  REQUIRE(host.send(record(t.id, kChoose, {1, '9', 2}, 41)) == SPINE_RING_OK);
  t.run();
  std::vector<uint8_t> reply = host.receive();
  REQUIRE(!reply.empty());
  CHECK(spine_channel_envelope_extension(reply.data()) == t.id);
  spine_wire_header h = headerOf(reply);
  CHECK(h.kind == SPINE_WIRE_RESULT);
  CHECK(h.call_id == 41);
  CHECK(h.index == kChoose);
  REQUIRE(h.length == 8);  // Colors: one set word
  CHECK(reply[SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE] == 0b110);  // {Green, Blue}
  CHECK(host.receive().empty());
  // Events go the same way: a packet makes AllTypesNic raise Tick and Data.
  t.in->inject(std::vector<uint8_t>{1, 2, 3, 4});
  t.run();
  std::vector<uint8_t> tick = host.receive(), data = host.receive();
  REQUIRE(!tick.empty());
  REQUIRE(!data.empty());
  CHECK(headerOf(tick).kind == SPINE_WIRE_EVENT);
  CHECK(headerOf(tick).index == 0);
  CHECK(headerOf(data).index == 1);
  CHECK(spine_channel_envelope_extension(data.data()) == t.id);
  CHECK(t.channel->counters().requests == 1);
  CHECK(t.channel->counters().messages == 3);
}

TEST_CASE("host channel: the host's garbage is refused and counted, and the NIC keeps serving") {
  ChannelNic t;
  HostEnd host(*t.channel);
  REQUIRE(host.send({1, 2, 3}) == SPINE_RING_OK);  // shorter than an envelope and a header: no reply possible
  std::vector<uint8_t> odd = record(t.id, kNop, {}, 1);
  odd[5] = 1;  // a reserved envelope byte set
  REQUIRE(host.send(odd) == SPINE_RING_OK);
  REQUIRE(host.send(record(t.id + 50, kNop, {}, 2)) == SPINE_RING_OK);  // no such extension: Rejected
  REQUIRE(host.send(record(t.id, kChoose, {7, '9', 2}, 3)) == SPINE_RING_OK);  // out of range: Rejected
  REQUIRE(host.send(record(t.id, kNop, {}, 4)) == SPINE_RING_OK);  // fine
  t.run();
  std::vector<uint64_t> ids;
  std::vector<uint8_t> kinds;
  for (std::vector<uint8_t> r = host.receive(); !r.empty(); r = host.receive()) {
    ids.push_back(headerOf(r).call_id);
    kinds.push_back(headerOf(r).kind);
  }
  CHECK(ids == std::vector<uint64_t>{2, 3, 4});
  CHECK(kinds == std::vector<uint8_t>{SPINE_WIRE_REJECTED, SPINE_WIRE_REJECTED, SPINE_WIRE_RESULT});
  CHECK(t.channel->counters().refused == 2);

  // A host that breaks the ring's rules (a record tagged for a slot index a lap ahead of where the NIC reads):
  // the NIC stops reading that ring, keeps processing packets, and a reset gives the next host a clean channel.
  std::uint32_t *tag = reinterpret_cast<std::uint32_t *>(host.toNic.slots + (host.toNic.prod & host.toNic.slot_mask) *
                                                                                SPINE_RING_SLOT_SIZE) + 1;
  __atomic_store_n(tag, spine_ring_tag(host.toNic.prod + host.toNic.slot_count, SPINE_RING_RECORD_DATA),
                   __ATOMIC_RELEASE);
  t.in->inject(std::vector<uint8_t>{9, 9, 9, 9});
  t.run();
  CHECK(t.channel->counters().corrupt);
  CHECK(t.nic->counters().received == 1);
  t.channel->reset();
  HostEnd next(*t.channel);
  REQUIRE(next.send(record(t.id, kNop, {}, 5)) == SPINE_RING_OK);
  t.run();
  std::vector<uint8_t> r = next.receive();
  REQUIRE(!r.empty());
  CHECK(headerOf(r).call_id == 5);
  CHECK_FALSE(t.channel->counters().corrupt);
}

// A million messages each way in a normal build; a tenth of that under the sanitizers, which slow each ten times.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr uint64_t kChannelCalls = 100000;
#else
constexpr uint64_t kChannelCalls = 1000000;
#endif

TEST_CASE("host channel: a million requests from a host thread to the NIC thread, each answered once, in order") {
  // Small rings, so both directions fill up again and again: the host waits when the NIC's ring is full, the
  // NIC stops taking requests while its replies have no room. Nothing is lost or duplicated.
  ChannelNic t(8, 8);
  HostEnd host(*t.channel);
  std::atomic<bool> stop{false};
  std::thread nicThread([&] {
    while (!stop.load(std::memory_order_relaxed)) t.nic->poll();
  });
  constexpr uint64_t kCalls = kChannelCalls;
  uint64_t sent = 0, received = 0, outOfOrder = 0, wrong = 0;
  std::vector<uint8_t> buf(4096);
  while (received < kCalls) {
    if (sent < kCalls) {
      std::vector<uint8_t> rec = record(t.id, kChoose, {uint8_t(sent & 1), '9', 1}, sent + 1);
      if (host.send(rec) == SPINE_RING_OK) ++sent;
    }
    uint32_t n = 0;
    if (spine_ring_try_dequeue(&host.fromNic, buf.data(), static_cast<uint32_t>(buf.size()), &n) == SPINE_RING_OK) {
      spine_wire_header h = spine_wire_header_load(buf.data() + SPINE_CHANNEL_ENVELOPE);
      ++received;
      if (h.call_id != received) ++outOfOrder;
      uint8_t expected = (h.call_id - 1) & 1 ? 0b110 : 0b101;  // {Green, Blue} or {Red, Blue}
      if (h.kind != SPINE_WIRE_RESULT || buf[SPINE_CHANNEL_ENVELOPE + SPINE_WIRE_HEADER_SIZE] != expected) ++wrong;
    }
  }
  stop = true;
  nicThread.join();
  CHECK(received == kCalls);
  CHECK(outOfOrder == 0);
  CHECK(wrong == 0);
  CHECK(t.channel->counters().requests == kCalls);
  CHECK(t.channel->counters().full > 0);  // the replies' ring was full at times: back-pressure was exercised
  CHECK(t.nic->extensions()[0].counters.requests == kCalls);
}

// After each reply the NIC core's first look at the request ring waits a while (HostChannel.h, requestLooks_):
// a host that sends slowly -- or a hostile one -- cannot stretch that pause past kMaxPauseLooks looks, so the
// core never stalls long after a reply with packets waiting; and a host that sends back to back brings it down
// within a few requests (by about a third each).
TEST_CASE("host channel: the pause before the first look after a reply is bounded, and a quick host shrinks it") {
  std::string error;
  auto channel = nicrt::HostChannel::create(64, 64, error);
  REQUIRE_MESSAGE(channel, error);
  HostEnd host(*channel);
  nicrt::HostChannel::Record r;
  auto reply = [&] {
    uint8_t *at = channel->reserve(1, SPINE_WIRE_HEADER_SIZE);
    REQUIRE(at);
    channel->commit();
    CHECK(!host.receive().empty());
  };
  // A slow host: each request comes a thousand looks after the reply before it.
  for (int i = 0; i < 200; ++i) {
    reply();
    CHECK_FALSE(channel->take(r));  // the first look (after the pause): nothing yet
    for (int look = 0; look < 1000; ++look) CHECK_FALSE(channel->requestWaiting());
    REQUIRE(host.send(record(1, kNop, {}, uint64_t(i) + 1)) == SPINE_RING_OK);
    REQUIRE(channel->take(r));
  }
  CHECK(channel->firstLookPause() == nicrt::HostChannel::kMaxPauseLooks * 5 / 8);
  // A quick host: the next request is there before the reply goes out.
  for (int i = 0; i < 10; ++i) {
    REQUIRE(host.send(record(1, kNop, {}, uint64_t(i) + 1000)) == SPINE_RING_OK);
    reply();
    REQUIRE(channel->take(r));
  }
  CHECK(channel->firstLookPause() < 8);
}
