// Requests from the host to an extension: the host stubs spinec generates (AllTypes.h) against the NIC-side
// dispatcher it generates into the image (compiler/codegen/CGRequests.cpp), through Nic::hostRequest and a
// LoopbackChannel. Also what the NIC refuses: every malformed request gets a Rejected reply and runs nothing.
#include <doctest/doctest.h>

#include <random>

#include "AllTypes.h"
#include "AllTypesSample.h"
#include "NicTestSupport.h"
#include "nic/Nic.h"
#include "ports/MemoryPort.h"
#include "spine/abi.h"
#include "spine/wire.h"

#include <spine/host/LoopbackChannel.h>

using namespace spine;
namespace at = spine_gen::AllTypes;

namespace {

// A NIC with a memory port and AllTypesNic (test/unit/Inputs/nic/AllTypesNic.spx) deployed, whose host channel
// is a LoopbackChannel: each request goes to Nic::hostRequest, and every message the NIC has for the host (the
// reply, and events) goes back through the channel. The NIC is used only on the loopback's thread once it runs.
struct RequestsNic {
  std::unique_ptr<nicrt::Nic> nic;
  nicrt::MemoryPort *in = nullptr;
  uint32_t id = 0;
  std::vector<std::vector<uint8_t>> sent;  // what the host sent, in order
  bool capture = false;                    // keep requests in `sent` and do not serve them
  std::unique_ptr<host::LoopbackChannel> channel;
  std::unique_ptr<at::AllTypesClient> client;

  explicit RequestsNic(nicrt::FaultPolicy policy = nicrt::FaultPolicy::Unload,
                       const std::string &image = "AllTypesNic", size_t heapBytes = nicrt::Limits{}.heapBytes) {
    nicrt::NicOptions o;
    o.debuggerSupport = false;
    o.limits.fuel = 1'000'000;  // Echo's endless loop traps quickly
    o.limits.heapBytes = heapBytes;
    nic = std::make_unique<nicrt::Nic>(o);
    auto port = std::make_unique<nicrt::MemoryPort>();
    in = port.get();
    nic->addPort(std::move(port));
    nicrt::DeployOptions d;
    d.faultPolicy = policy;
    nicrt::DeployResult r = nic->deploy(nic_test::loadImage(image), d);
    REQUIRE_MESSAGE(r, r.error);
    id = r.id;
    channel = std::make_unique<host::LoopbackChannel>([this](const host::Bytes &req, host::LoopbackChannel &ch) {
      if (capture) {
        sent.push_back(req);
        return;
      }
      nic->hostRequest(id, req);
      for (const auto &m : nic->takeHostMessages()) ch.toHost(m);
    });
    client = std::make_unique<at::AllTypesClient>(*channel);
  }
  ~RequestsNic() {
    client.reset();
    channel.reset();  // joins the loopback's thread before the NIC goes
  }
  nicrt::ExtensionCounters counters() {
    channel->drain();
    auto info = nic->extensions();
    REQUIRE(info.size() == 1);
    return info[0].counters;
  }
  // The request the stubs make for `call`, captured instead of served.
  template <class F>
  std::vector<uint8_t> requestOf(F call) {
    capture = true;
    call();
    channel->drain();
    capture = false;
    REQUIRE(!sent.empty());
    std::vector<uint8_t> m = sent.back();
    sent.clear();
    return m;
  }
  // Serves `message` directly (on this thread: the loopback is idle) and returns the one reply.
  std::vector<uint8_t> serve(const std::vector<uint8_t> &message) {
    channel->drain();
    REQUIRE(nic->hostRequest(id, message));
    auto out = nic->takeHostMessages();
    REQUIRE(out.size() == 1);
    return out[0];
  }
};

using all_types_test::sample;

// Payload offset of Everything.colors (docs/messages.md): i c b ch hue warm digit s8 s16 s32 wide name(4+10).
constexpr size_t kColorsOffset = 8 + 8 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 4 + 8 + 14;

// A request message by hand: kind, version, index, the payload's length, AllTypes' fingerprint, call id 7.
std::vector<uint8_t> request(uint16_t index, std::vector<uint8_t> payload, uint8_t kind = SPINE_WIRE_REQUEST,
                             uint64_t fingerprint = at::kFingerprint) {
  spine_wire_header h{};
  h.kind = kind;
  h.version = SPINE_WIRE_VERSION;
  h.index = index;
  h.length = static_cast<uint32_t>(payload.size());
  h.fingerprint = fingerprint;
  h.call_id = 7;
  std::vector<uint8_t> m(SPINE_WIRE_HEADER_SIZE + payload.size());
  spine_wire_header_store(m.data(), &h);
  std::copy(payload.begin(), payload.end(), m.begin() + SPINE_WIRE_HEADER_SIZE);
  return m;
}

uint8_t kindOf(const std::vector<uint8_t> &reply) { return reply.at(0); }

std::string reasonOf(const std::vector<uint8_t> &reply) {
  REQUIRE(kindOf(reply) == SPINE_WIRE_REJECTED);
  uint32_t n = static_cast<uint32_t>(spine_wire_load_le(reply.data() + SPINE_WIRE_HEADER_SIZE, 4));
  return std::string(reply.begin() + SPINE_WIRE_HEADER_SIZE + 4, reply.begin() + SPINE_WIRE_HEADER_SIZE + 4 + n);
}

constexpr uint16_t kSum = 1, kNop = 3, kChoose = 5;

}  // namespace

TEST_CASE("requests: every argument and result kind crosses stubs, wire and the generated NIC dispatcher intact") {
  // Also compiled with --oracle: then every access of the decoder, the request and the encoder is checked
  // against the memory the extension owns (the payload read-only, the scratch, the reply being encoded).
  std::string image = "AllTypesNic";
  SUBCASE("as compiled") {}
  SUBCASE("under the memory-safety oracle") { image = "AllTypesNicOracle"; }
  RequestsNic t(nicrt::FaultPolicy::Unload, image);
  at::Everything e = sample();
  CHECK(t.client->Echo(e) == e);
  at::Everything defaults;  // field defaults, an empty TEXT, empty sets
  CHECK(t.client->Echo(defaults) == defaults);
  // Open arrays of a subrange, of TEXT and of BOOLEAN; the result an INTEGER.
  CHECK(t.client->Sum({1, -2, 2147483647, -2147483647 - 1}, {"a", "", "b c"}, {true, false, true}) ==
        1 - 2 - 1 + 3000 + 2000000);
  CHECK(t.client->Sum({}, {}, {}) == 0);
  // Open arrays of records and a two-dimensional array in; a fixed array of records out.
  at::Grid grid = {{{{-129, 127}}, {{0, 1}}, {{2, 3}}}};
  at::Square two = t.client->Points({at::Point{-7, 8}, at::Point{1, 1}, at::Point{INT64_MIN, INT64_MAX}}, grid);
  CHECK(two[0] == at::Point{-7, 8});
  CHECK(two[1] == at::Point{INT64_MIN, INT64_MAX});
  at::Square one = t.client->Points({at::Point{5, 6}}, grid);
  CHECK(one[1] == at::Point{-129, 3});
  // Enumerations (and a name C++ reserves), CHAR subranges, sets out.
  CHECK(t.client->Choose(at::Color::Green, '9', 1) == at::Colors().set(1).set(2));
  CHECK(t.client->Choose(at::Color::Red, '0', 3).none());
  CHECK(t.client->Keywords(at::Keyword::new_, -1, "x") == at::Keyword::new_);
  t.client->Nop();
  t.client->Nop();
  CHECK(t.client->Keywords(at::Keyword::new_, 2, "y") == at::Keyword::int_);  // the module state kept 2 Nops
  nicrt::ExtensionCounters c = t.counters();
  CHECK(c.requests == 12);
  CHECK(c.requestsRejected == 0);
  CHECK(c.faults == 0);
}

TEST_CASE("requests: exceptions of the RAISES list reach C++ as their classes, with their arguments") {
  std::string image = "AllTypesNic";
  SUBCASE("as compiled") {}
  SUBCASE("under the memory-safety oracle") { image = "AllTypesNicOracle"; }
  RequestsNic t(nicrt::FaultPolicy::Unload, image);
  at::Everything e = sample();
  e.i = 1;
  CHECK_THROWS_AS(t.client->Echo(e), at::Plain);
  e.i = 2;
  try {
    t.client->Echo(e);
    FAIL("Echo returned");
  } catch (const at::WithText &x) {
    CHECK(x.arg() == e.name);
  }
  e.i = 3;
  try {
    t.client->Echo(e);
    FAIL("Echo returned");
  } catch (const at::WithRecord &x) {
    CHECK(x.arg() == e);
  }
  e.i = 4;
  try {
    t.client->Echo(e);
    FAIL("Echo returned");
  } catch (const at::WithSet &x) {
    CHECK(x.arg() == e.ports);
  }
  // An exception of another interface (Packet.Exhausted), by its position in the RAISES list.
  CHECK_THROWS_AS(t.client->Points({}, at::Grid{}), at::Packet_Exhausted);
  // The exception is handled: the extension keeps serving.
  e.i = 0;
  CHECK(t.client->Echo(e) == e);
  CHECK(t.counters().faults == 0);
}

TEST_CASE("requests: a TEXT argument outlives its request (allocated in the extension's heap)") {
  RequestsNic t;
  CHECK(t.client->Keywords(at::Keyword::class_, -1, "kept across requests") == at::Keyword::class_);
  t.client->Nop();  // more requests in between: nothing of the first one's scratch memory survives
  at::Everything e = sample();
  CHECK(t.client->Echo(e) == e);
  t.channel->drain();
  std::vector<std::string> names;
  auto sub = t.client->onData([&](const std::vector<uint8_t> &, const std::vector<std::string> &n, const at::Point &,
                                  at::Color) { names = n; });
  // Raise Data (names[0] is the kept TEXT) by a packet, on the loopback's thread like everything else.
  t.capture = false;
  const uint8_t packet[] = {1, 2, 3, 4, 5};
  t.in->inject(packet);
  while (t.nic->poll()) {
  }
  for (const auto &m : t.nic->takeHostMessages()) t.channel->toHost(m);
  CHECK(names == std::vector<std::string>{"kept across requests", "", "gamma"});
}

TEST_CASE("requests: a trap in a request is a Trapped reply naming kind and line, and the fault policy acts") {
  SUBCASE("unload (the default): later calls fail fast with the reason") {
    RequestsNic t;
    at::Everything e = sample();
    e.i = 5;  // 1 DIV zero
    try {
      t.client->Echo(e);
      FAIL("Echo returned");
    } catch (const host::ExtensionTrapped &x) {
      CHECK(x.kind() == SPX_TRAP_DIV_ZERO);
      CHECK(x.file().find("AllTypesNic.spx") != std::string::npos);
      CHECK(x.line() == 20);
    }
    t.channel->drain();
    CHECK(t.nic->extensions().empty());
    REQUIRE(t.nic->faults().size() == 1);
    CHECK(t.nic->faults()[0].action == "unloaded");
    try {
      t.client->Nop();
      FAIL("Nop returned");
    } catch (const host::RequestRejected &x) {
      CHECK(x.reason().find("no extension") != std::string::npos);
    }
  }
  SUBCASE("keep: an endless loop runs out of fuel, and the next request is served") {
    RequestsNic t(nicrt::FaultPolicy::Keep);
    at::Everything e = sample();
    e.i = 6;  // LOOP END
    try {
      t.client->Echo(e);
      FAIL("Echo returned");
    } catch (const host::ExtensionTrapped &x) {
      CHECK(x.kind() == SPX_TRAP_FUEL);
    }
    e.i = 0;
    CHECK(t.client->Echo(e) == e);
    nicrt::ExtensionCounters c = t.counters();
    CHECK(c.faults == 1);
    CHECK(c.requests == 2);
  }
}

TEST_CASE("requests: every malformed request is rejected with its reason, and nothing runs") {
  RequestsNic t;
  auto rejected = [&](const std::vector<uint8_t> &m, const std::string &words) {
    std::vector<uint8_t> reply = t.serve(m);
    std::string reason = reasonOf(reply);
    CHECK_MESSAGE(reason.find(words) != std::string::npos, reason);
    // The reply answers the request: same index, fingerprint and call id as received.
    spine_wire_header rq = spine_wire_header_load(m.data()), rp = spine_wire_header_load(reply.data());
    CHECK(rp.index == rq.index);
    CHECK(rp.fingerprint == rq.fingerprint);
    CHECK(rp.call_id == rq.call_id);
  };
  const std::vector<uint8_t> choose = {0, '5', 2};
  CHECK(kindOf(t.serve(request(kChoose, choose))) == SPINE_WIRE_RESULT);  // the valid one
  rejected(request(kChoose, {2, '5', 2}), "offset 0");                   // Warm is [0..1]
  rejected(request(kChoose, {0, '5', 0}), "offset 2");                   // Small is [1..3]
  rejected(request(kChoose, {0, 'a', 2}), "offset 1");                   // Digit is ['0'..'9']
  rejected(request(kChoose, {0, '5'}), "offset 2");                      // truncated
  rejected(request(kChoose, {0, '5', 2, 0}), "offset 3");                // left over
  rejected(request(kNop, {0}), "offset 0");
  rejected(request(99, {}), "names no request");
  rejected(request(kChoose, choose, SPINE_WIRE_RESULT), "not a request");
  rejected(request(kChoose, choose, SPINE_WIRE_REQUEST, at::kFingerprint ^ 1), "fingerprint mismatch");
  std::vector<uint8_t> v2 = request(kChoose, choose);
  v2[SPINE_WIRE_VERSION_OFFSET] = 2;
  rejected(v2, "version 2");
  std::vector<uint8_t> longer = request(kChoose, choose);
  longer.push_back(0);
  rejected(longer, "length field says 3");
  // Counts: a count no payload could hold is refused before anything is allocated or looped over.
  rejected(request(kSum, {0xFF, 0xFF, 0xFF, 0xFF}), "offset 0");
  rejected(request(kSum, {0x01, 0x00, 0x00, 0x01, 1, 2, 3, 4}), "offset 0");  // 2^24 + 1: beyond the limit
  rejected(request(kSum, {0x00, 0x00, 0x00, 0x01, 1, 2, 3, 4}), "offset 4");  // 2^24: the limit, 4 bytes each
  rejected(request(kSum, {0x00, 0x00, 0x01, 0x00, 1, 2, 3, 4}), "offset 4");  // 65536 elements, 4 bytes
  rejected(request(kSum, {0, 0, 0, 0, 1, 0, 0, 0, 200, 0, 0, 0}), "offset 8");  // a TEXT longer than the rest
  rejected(request(kSum, {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2}), "offset 12");  // BOOLEAN 2
  // A set bit beyond the set's elements (Colors has 3).
  at::Everything e = sample();
  std::vector<uint8_t> echo = t.requestOf([&] { (void)t.client->EchoAsync(e); });
  CHECK(kindOf(t.serve(echo)) == SPINE_WIRE_RESULT);
  echo[SPINE_WIRE_HEADER_SIZE + kColorsOffset] |= 0x08;
  rejected(echo, "offset " + std::to_string(kColorsOffset));
  // A message shorter than a header names no call: no reply at all.
  t.channel->drain();
  CHECK_FALSE(t.nic->hostRequest(t.id, std::vector<uint8_t>(10, 1)));
  CHECK(t.nic->takeHostMessages().empty());
  // A request for an extension that is not there.
  std::vector<uint8_t> none = request(kNop, {});
  REQUIRE(t.nic->hostRequest(t.id + 100, none));
  auto out = t.nic->takeHostMessages();
  REQUIRE(out.size() == 1);
  CHECK(reasonOf(out[0]).find("no extension " + std::to_string(t.id + 100)) != std::string::npos);

  nicrt::ExtensionCounters c = t.counters();
  CHECK(c.requests == 2);  // the valid Choose and Echo
  CHECK(c.requestsRejected == 18);
  CHECK(c.faults == 0);
}

TEST_CASE("requests: thousands of corrupted requests are each answered once, and the extension keeps serving") {
  RequestsNic t(nicrt::FaultPolicy::Keep);
  at::Everything e = sample();
  const std::vector<uint8_t> echo = t.requestOf([&] { (void)t.client->EchoAsync(e); });
  const std::vector<uint8_t> sum = t.requestOf([&] { (void)t.client->SumAsync({1, 2, 3}, {"ab", "c"}, {true}); });
  std::mt19937 rng(20261204);
  size_t answered = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> m = (i % 2 ? echo : sum);
    // Flip a few payload bytes, and sometimes cut the payload short (fixing the length field to match).
    for (int k = 0; k < 1 + int(rng() % 4); ++k)
      m[SPINE_WIRE_HEADER_SIZE + rng() % (m.size() - SPINE_WIRE_HEADER_SIZE)] ^= uint8_t(1u << (rng() % 8));
    if (rng() % 3 == 0) {
      m.resize(SPINE_WIRE_HEADER_SIZE + rng() % (m.size() - SPINE_WIRE_HEADER_SIZE));
      spine_wire_store_le(m.data() + SPINE_WIRE_LENGTH_OFFSET, m.size() - SPINE_WIRE_HEADER_SIZE, 4);
    }
    std::vector<uint8_t> reply = t.serve(m);
    uint8_t k = kindOf(reply);
    CHECK((k == SPINE_WIRE_RESULT || k == SPINE_WIRE_EXCEPTION || k == SPINE_WIRE_TRAPPED || k == SPINE_WIRE_REJECTED));
    ++answered;
  }
  CHECK(answered == 3000);
  CHECK(t.client->Echo(e) == e);
  nicrt::ExtensionCounters c = t.counters();
  CHECK(c.requests + c.requestsRejected == 3001);
  CHECK(t.nic->extensions()[0].heapUsed < 1 << 20);  // only the TEXTs of requests that ran stay
}

TEST_CASE("requests: arguments the heap quota cannot hold are refused before anything runs, and nothing traps") {
  RequestsNic t(nicrt::FaultPolicy::Unload, "AllTypesNic", 64 * 1024);
  // A TEXT whose characters would stay in the heap beyond the quota.
  try {
    t.client->Keywords(at::Keyword::new_, 0, std::string(100 * 1024, 'x'));
    FAIL("Keywords returned");
  } catch (const host::RequestRejected &x) {
    CHECK(x.reason().find("heap quota") != std::string::npos);
  }
  // An open array whose decoded elements need more scratch memory than the quota leaves.
  CHECK_THROWS_AS(t.client->Sum(std::vector<at::Signed32>(20000, 1), {}, {}), host::RequestRejected);
  // Just under: served. The extension never trapped and keeps its state.
  CHECK(t.client->Sum(std::vector<at::Signed32>(1000, 1), {}, {}) == 1000);
  CHECK(t.client->Keywords(at::Keyword::new_, 5, std::string(1000, 'y')) == at::Keyword::new_);
  nicrt::ExtensionCounters c = t.counters();
  CHECK(c.faults == 0);
  CHECK(c.requestsRejected == 2);
  CHECK(c.requests == 2);
}
