// The generated Firewall and AllTypes stubs driven through a LoopbackChannel whose NIC side decodes and encodes
// the wire format by hand, from docs/messages.md (independently of the generated code and of hostrt's Reader).
#include "AllTypes.h"
#include "AllTypesSample.h"
#include "Firewall.h"

#include <spine/host/LoopbackChannel.h>

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fw = spine_gen::Firewall;
namespace at = spine_gen::AllTypes;
using spine::host::Bytes;
using spine::host::LoopbackChannel;

// ---- the NIC side's own little-endian helpers

uint64_t load(const Bytes &b, size_t at, unsigned width) {
  REQUIRE(at + width <= b.size());
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}

void store(Bytes &b, uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void storeText(Bytes &b, const std::string &s) {
  store(b, s.size(), 4);
  b.insert(b.end(), s.begin(), s.end());
}

// A reply to `request`: its index, fingerprint and call id, with `payload`.
Bytes replyTo(const Bytes &request, uint8_t kind, const Bytes &payload) {
  Bytes m = {kind, 1, request[2], request[3]};
  store(m, payload.size(), 4);
  m.insert(m.end(), request.begin() + 8, request.begin() + 24);
  m.insert(m.end(), payload.begin(), payload.end());
  return m;
}

Bytes event(uint64_t fingerprint, uint16_t index, const Bytes &payload) {
  Bytes m = {6, 1};
  store(m, index, 2);
  store(m, payload.size(), 4);
  store(m, fingerprint, 8);
  store(m, 0, 8);
  m.insert(m.end(), payload.begin(), payload.end());
  return m;
}

// ---- a firewall extension, by hand

struct RawRule {
  uint32_t src, mask;
  uint8_t protocol;
  uint16_t port;
  uint8_t action;
};

enum class Mode { Normal, Trap, Reject, Silent, Corrupt };

class FakeFirewall {
public:
  std::mutex mutex;
  std::optional<RawRule> rules[fw::MaxRules];
  Mode mode = Mode::Normal;
  std::function<Bytes(const Bytes &)> corrupt;  // Mode::Corrupt: the reply to send
  int requests = 0;

  void handle(const Bytes &req, LoopbackChannel &channel) {
    std::lock_guard<std::mutex> lock(mutex);
    ++requests;
    REQUIRE(req.size() >= 24);
    CHECK(req[0] == 1);
    CHECK(req[1] == 1);
    CHECK(load(req, 4, 4) == req.size() - 24);
    CHECK(load(req, 8, 8) == fw::kFingerprint);
    CHECK(load(req, 16, 8) != 0);
    switch (mode) {
    case Mode::Trap: {
      Bytes p;
      store(p, 1, 4);  // SPX_TRAP_RANGE
      storeText(p, "firewall.spx");
      store(p, 120, 4);
      channel.toHost(replyTo(req, 4, p));
      return;
    }
    case Mode::Reject: {
      Bytes p;
      storeText(p, "fingerprint mismatch");
      channel.toHost(replyTo(req, 5, p));
      return;
    }
    case Mode::Silent: return;
    case Mode::Corrupt: channel.toHost(corrupt(req)); return;
    case Mode::Normal: break;
    }
    switch (load(req, 2, 2)) {
    case 0: {  // AddRule(READONLY rule: Rule): RuleId RAISES {TableFull}
      REQUIRE(req.size() == 24 + 12);
      RawRule r{static_cast<uint32_t>(load(req, 24, 4)), static_cast<uint32_t>(load(req, 28, 4)),
                static_cast<uint8_t>(load(req, 32, 1)), static_cast<uint16_t>(load(req, 33, 2)),
                static_cast<uint8_t>(load(req, 35, 1))};
      for (int id = 0; id < fw::MaxRules; ++id) {
        if (rules[id]) continue;
        rules[id] = r;
        channel.toHost(replyTo(req, 2, Bytes{static_cast<uint8_t>(id)}));
        return;
      }
      channel.toHost(replyTo(req, 3, Bytes{0, 0}));  // TableFull, no argument
      return;
    }
    case 1: {  // RemoveRule(id: RuleId) RAISES {NoSuchRule}
      REQUIRE(req.size() == 24 + 1);
      uint8_t id = req[24];
      if (id < fw::MaxRules && rules[id]) {
        rules[id].reset();
        channel.toHost(replyTo(req, 2, {}));
      } else {
        channel.toHost(replyTo(req, 3, Bytes{0, 0, id}));  // NoSuchRule(id)
      }
      return;
    }
    case 2: {  // Stats(): Counters
      REQUIRE(req.size() == 24);
      Bytes p;
      for (uint64_t v : {100, 70, 20, 3, 7}) store(p, v, 8);
      channel.toHost(replyTo(req, 2, p));
      return;
    }
    default: FAIL("unknown request index");
    }
  }
};

struct FirewallFixture {
  FakeFirewall nic;
  LoopbackChannel channel{[this](const Bytes &req, LoopbackChannel &ch) { nic.handle(req, ch); }};
  fw::FirewallClient client{channel};
  void setMode(Mode m) {
    std::lock_guard<std::mutex> lock(nic.mutex);
    nic.mode = m;
  }
};

fw::Rule rule(uint32_t src, uint16_t port, fw::Action action = fw::Action::Block) {
  fw::Rule r;
  r.src = src;
  r.srcMask = 0xFFFFFFFF;
  r.protocol = 6;
  r.port = port;
  r.action = action;
  return r;
}

}  // namespace

TEST_CASE_FIXTURE(FirewallFixture, "stubs: AddRule marshals the rule field by field and returns the extension's id") {
  CHECK(client.AddRule(rule(0x0A000001, 22)) == 0);
  CHECK(client.AddRule(rule(0x0A000002, 80, fw::Action::Allow)) == 1);
  std::lock_guard<std::mutex> lock(nic.mutex);
  REQUIRE(nic.rules[1]);
  CHECK(nic.rules[0]->src == 0x0A000001);
  CHECK(nic.rules[0]->mask == 0xFFFFFFFF);
  CHECK(nic.rules[0]->protocol == 6);
  CHECK(nic.rules[0]->port == 22);
  CHECK(nic.rules[0]->action == 1);
  CHECK(nic.rules[1]->action == 0);
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: an exception with an argument arrives as its C++ class with the argument") {
  client.AddRule(rule(1, 1));
  client.RemoveRule(0);
  try {
    client.RemoveRule(5);
    FAIL("RemoveRule(5) returned");
  } catch (const fw::NoSuchRule &e) {
    CHECK(e.arg() == 5);
    CHECK(e.interfaceName() == "Firewall");
    CHECK(e.exceptionName() == "NoSuchRule");
  }
  CHECK_THROWS_AS(client.RemoveRule(0), spine::host::RemoteException);
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: TableFull once every rule id is taken") {
  for (int i = 0; i < fw::MaxRules; ++i) CHECK(client.AddRule(rule(i, 1)) == i);
  CHECK_THROWS_AS(client.AddRule(rule(99, 1)), fw::TableFull);
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: Stats decodes a record result") {
  fw::Counters c = client.Stats();
  CHECK(c.packets == 100);
  CHECK(c.allowed == 70);
  CHECK(c.blocked == 20);
  CHECK(c.malformed == 3);
  CHECK(c.passed == 7);
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: a trap reply throws ExtensionTrapped with kind, file and line") {
  setMode(Mode::Trap);
  try {
    client.Stats();
    FAIL("Stats returned");
  } catch (const spine::host::ExtensionTrapped &e) {
    CHECK(e.kind() == 1);
    CHECK(e.kindName() == "range");
    CHECK(e.file() == "firewall.spx");
    CHECK(e.line() == 120);
    CHECK(std::string(e.what()) == "extension trapped: checked runtime error: range at firewall.spx:120");
  }
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: a bad-message reply throws RequestRejected with the NIC's reason") {
  setMode(Mode::Reject);
  try {
    client.RemoveRule(3);
    FAIL("RemoveRule returned");
  } catch (const spine::host::RequestRejected &e) {
    CHECK(e.reason() == "fingerprint mismatch");
  }
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: no reply within the timeout throws Timeout and forgets the call") {
  setMode(Mode::Silent);
  CHECK_THROWS_AS(client.Stats(std::chrono::milliseconds(20)), spine::host::Timeout);
  CHECK(channel.pendingCalls() == 0);
  setMode(Mode::Normal);
  CHECK(client.Stats().packets == 100);
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: asynchronous calls complete their futures with results and exceptions") {
  std::vector<std::future<fw::RuleId>> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(client.AddRuleAsync(rule(i, 443)));
  std::future<void> missing = client.RemoveRuleAsync(42);
  std::future<fw::Counters> stats = client.StatsAsync();
  for (int i = 0; i < 10; ++i) CHECK(ids[i].get() == i);
  CHECK_THROWS_AS(missing.get(), fw::NoSuchRule);
  CHECK(stats.get().blocked == 20);
  CHECK(channel.pendingCalls() == 0);
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: an event calls its subscribers with the arguments until unsubscribed") {
  std::vector<std::pair<int64_t, int64_t>> seen;
  spine::host::Subscription sub = client.onBlocked([&](int64_t src, int64_t port) { seen.emplace_back(src, port); });
  Bytes p;
  store(p, 0x0A000001, 8);
  store(p, 22, 8);
  channel.toHost(event(fw::kFingerprint, 0, p));
  Bytes q;
  store(q, static_cast<uint64_t>(-1), 8);
  store(q, 0, 8);
  channel.toHost(event(fw::kFingerprint, 0, q));
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::pair<int64_t, int64_t>{0x0A000001, 22});
  CHECK(seen[1] == std::pair<int64_t, int64_t>{-1, 0});
  CHECK(sub.active());
  sub.cancel();
  CHECK(!sub.active());
  channel.toHost(event(fw::kFingerprint, 0, p));
  CHECK(seen.size() == 2);
  CHECK(channel.droppedMessages() == 1);
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: a malformed event goes to the error handler, not to the callback") {
  std::vector<std::string> errors;
  channel.setErrorHandler([&](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const spine::host::BadMessage &b) {
      errors.push_back(b.what());
    }
  });
  int calls = 0;
  auto sub = client.onBlocked([&](int64_t, int64_t) { ++calls; });
  Bytes p;
  store(p, 1, 8);  // the port is missing
  channel.toHost(event(fw::kFingerprint, 0, p));
  channel.toHost(Bytes{6, 1, 0});  // shorter than a header
  CHECK(calls == 0);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "bad message: Blocked.port at offset 32: message ends: 8 bytes needed, 0 left");
  CHECK(errors[1] == "bad message: header at offset 0: message of 3 bytes is shorter than its header");
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: malformed replies throw BadMessage naming the field and offset") {
  setMode(Mode::Corrupt);
  struct Case {
    const char *name;
    std::function<Bytes(const Bytes &)> reply;
    std::string field;
    size_t offset;
  };
  std::vector<Case> cases = {
      {"id out of RuleId's range", [](const Bytes &r) { return replyTo(r, 2, Bytes{64}); }, "AddRule.result", 24},
      {"result missing", [](const Bytes &r) { return replyTo(r, 2, {}); }, "AddRule.result", 24},
      {"trailing byte", [](const Bytes &r) { return replyTo(r, 2, Bytes{1, 0}); }, "end of message", 25},
      {"exception position beyond RAISES", [](const Bytes &r) { return replyTo(r, 3, Bytes{1, 0}); },
       "exception.position", 24},
      {"wrong length",
       [](const Bytes &r) {
         Bytes m = replyTo(r, 2, Bytes{1});
         m[4] = 9;
         return m;
       },
       "header.length", 4},
      {"wrong version",
       [](const Bytes &r) {
         Bytes m = replyTo(r, 2, Bytes{1});
         m[1] = 2;
         return m;
       },
       "header.version", 1},
      {"another interface",
       [](const Bytes &r) {
         Bytes m = replyTo(r, 2, Bytes{1});
         m[8] ^= 1;
         return m;
       },
       "header.fingerprint", 8},
      {"another request",
       [](const Bytes &r) {
         Bytes m = replyTo(r, 2, Bytes{1});
         m[2] = 2;
         return m;
       },
       "header.index", 2},
      {"trap file longer than the message",
       [](const Bytes &r) {
         Bytes p;
         store(p, 1, 4);
         store(p, 1000, 4);
         return replyTo(r, 4, p);
       },
       "trap.file", 28},
  };
  for (const Case &c : cases) {
    CAPTURE(c.name);
    {
      std::lock_guard<std::mutex> lock(nic.mutex);
      nic.corrupt = c.reply;
    }
    try {
      client.AddRule(rule(1, 2));
      FAIL("AddRule returned");
    } catch (const spine::host::BadMessage &e) {
      CHECK(e.field() == c.field);
      CHECK(e.offset() == c.offset);
    }
  }
}

TEST_CASE_FIXTURE(FirewallFixture, "stubs: host values outside their type throw ValueOutOfRange before sending") {
  CHECK_THROWS_AS(client.RemoveRule(64), spine::host::ValueOutOfRange);
  fw::Rule bad = rule(1, 2);
  bad.action = static_cast<fw::Action>(2);
  try {
    client.AddRule(bad);
    FAIL("AddRule returned");
  } catch (const spine::host::ValueOutOfRange &e) {
    CHECK(e.field() == "Rule.action");
  }
  channel.drain();
  std::lock_guard<std::mutex> lock(nic.mutex);
  CHECK(nic.requests == 0);
}

TEST_CASE("stubs: a closed channel fails pending and new calls with ChannelClosed") {
  FakeFirewall nic;
  nic.mode = Mode::Silent;
  LoopbackChannel channel([&](const Bytes &req, LoopbackChannel &ch) { nic.handle(req, ch); });
  fw::FirewallClient client(channel);
  std::future<fw::Counters> pending = client.StatsAsync();
  channel.drain();
  channel.close();
  CHECK_THROWS_AS(pending.get(), spine::host::ChannelClosed);
  CHECK_THROWS_AS(client.Stats(), spine::host::ChannelClosed);
}

// ---- every marshallable type: the NIC echoes what it decodes

namespace {

using all_types_test::sample;

// Wire size of Everything by docs/messages.md: 8+8+1+1+1+1+1+1+2+4+8 + (4+10) + 8 + 32 + 16 + 32 + 24 + 6*2 + 0 +
// (6+2+1+1+1) + (1+1) + 1 + 8 + 8.
constexpr size_t kEverythingSize = 8 + 8 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 4 + 8 + 14 + 8 + 32 + 16 + 32 + 24 + 12 + 0 +
                                   11 + 2 + 1 + 8 + 8;

struct AllTypesNic {
  std::string lastSum;
  void handle(const Bytes &req, LoopbackChannel &ch) {
    Bytes payload(req.begin() + 24, req.end());
    switch (load(req, 2, 2)) {
    case 0:  // Echo: the result is encoded as the argument; every fourth call raises WithRecord(e) instead
      REQUIRE(payload.size() >= kEverythingSize - 10);  // the name varies
      if (payload[0] == 0x2A) {  // e.i's low byte 42: raise
        Bytes p = {2, 0};
        p.insert(p.end(), payload.begin(), payload.end());
        ch.toHost(replyTo(req, 3, p));
      } else {
        ch.toHost(replyTo(req, 2, payload));
      }
      return;
    case 1: {  // Sum(values: ARRAY OF [-2^31..2^31-1]; names: ARRAY OF TEXT; flags: ARRAY OF BOOLEAN)
      size_t at = 24;
      int64_t sum = 0;
      uint64_t n = load(req, at, 4);
      at += 4;
      for (uint64_t k = 0; k < n; ++k, at += 4) sum += static_cast<int32_t>(load(req, at, 4));
      n = load(req, at, 4);
      at += 4;
      for (uint64_t k = 0; k < n; ++k) {
        uint64_t len = load(req, at, 4);
        at += 4;
        lastSum.append(req.begin() + at, req.begin() + at + len).append(",");
        at += len;
      }
      n = load(req, at, 4);
      at += 4;
      for (uint64_t k = 0; k < n; ++k, ++at) sum += req[at] * 1000;
      CHECK(at == req.size());
      Bytes p;
      store(p, static_cast<uint64_t>(sum), 8);
      ch.toHost(replyTo(req, 2, p));
      return;
    }
    case 3: ch.toHost(replyTo(req, 2, {})); return;  // Nop
    case 4: {  // Keywords(new: Keyword; timeout: INTEGER; default: TEXT): Keyword -> new
      CHECK(load(req, 25, 8) == 9);
      CHECK(load(req, 33, 4) == 3);
      ch.toHost(replyTo(req, 2, Bytes{req[24]}));
      return;
    }
    case 5: {  // Choose(c: Warm; d: Digit; e: Small): Colors -- never sent: the test passes only values out of range
      FAIL("Choose was sent");
      return;
    }
    default: {
      Bytes p;
      storeText(p, "no such request");
      ch.toHost(replyTo(req, 5, p));
    }
    }
  }
};

}  // namespace

TEST_CASE("stubs: every marshallable type survives a round trip through the wire") {
  AllTypesNic nic;
  LoopbackChannel channel([&](const Bytes &req, LoopbackChannel &ch) { nic.handle(req, ch); });
  at::AllTypesClient client(channel);
  at::Everything e = sample();
  CHECK(client.Echo(e) == e);
  at::Everything defaults;
  CHECK(defaults.c == 7);
  CHECK(defaults.b);
  CHECK(defaults.hue == at::Color::Blue);
  CHECK(defaults.digit == '5');
  defaults.i = 42;
  try {
    client.Echo(defaults);
    FAIL("Echo returned");
  } catch (const at::WithRecord &x) {
    CHECK(x.arg() == defaults);
  }
  CHECK(client.Sum({1, -2, 2147483647}, {"a", "", "b c"}, {true, false, true}) == 2147483646LL + 2000);
  CHECK(nic.lastSum == "a,,b c,");
  client.Nop();
  CHECK(client.Keywords(at::Keyword::int_, 9, "abc") == at::Keyword::int_);
  CHECK_THROWS_AS(client.Choose(at::Color::Red, '0', 0), spine::host::ValueOutOfRange);
  CHECK_THROWS_AS(client.Choose(at::Color::Blue, '0', 1), spine::host::ValueOutOfRange);
  CHECK(at::Corners[1].y == 4);
  CHECK(at::Primaries.test(2));
  CHECK(at::Greeting.size() == 16);
}

TEST_CASE("stubs: events with open arrays, texts and records decode by the wire format") {
  LoopbackChannel channel([](const Bytes &, LoopbackChannel &) {});
  at::AllTypesClient client(channel);
  int ticks = 0;
  std::vector<uint8_t> bytes;
  std::vector<std::string> names;
  at::Point where;
  at::Color hue{};
  auto s1 = client.onTick([&] { ++ticks; });
  auto s2 = client.onData([&](const std::vector<uint8_t> &b, const std::vector<std::string> &n, const at::Point &w,
                              at::Color h) {
    bytes = b, names = n, where = w, hue = h;
  });
  channel.toHost(event(at::kFingerprint, 0, {}));
  Bytes p;
  store(p, 3, 4);
  for (uint8_t b : {0, 128, 255}) store(p, b, 1);
  store(p, 2, 4);
  storeText(p, "eth0");
  storeText(p, "");
  store(p, static_cast<uint64_t>(-7), 8);
  store(p, 8, 8);
  store(p, 2, 1);
  channel.toHost(event(at::kFingerprint, 1, p));
  CHECK(ticks == 1);
  CHECK(bytes == std::vector<uint8_t>{0, 128, 255});
  CHECK(names == std::vector<std::string>{"eth0", ""});
  CHECK(where == at::Point{-7, 8});
  CHECK(hue == at::Color::Blue);
}

TEST_CASE("stubs: decoding never reads past the message or trusts its counts (truncations and bit flips)") {
  // Every prefix and many random corruptions of a valid Echo reply: each decodes or throws BadMessage.
  AllTypesNic nic;
  Bytes valid;
  {
    LoopbackChannel capture([&](const Bytes &req, LoopbackChannel &ch) {
      valid = replyTo(req, 2, Bytes(req.begin() + 24, req.end()));
      ch.toHost(valid);
    });
    at::AllTypesClient client(capture);
    client.Echo(sample());
  }
  REQUIRE(valid.size() == 24 + kEverythingSize);
  std::mt19937 rng(1234);
  Bytes corrupted;
  LoopbackChannel channel([&](const Bytes &req, LoopbackChannel &ch) {
    Bytes m = corrupted;
    std::copy(req.begin() + 16, req.begin() + 24, m.begin() + 16);  // keep the call id so the call gets it
    ch.toHost(m);
  });
  at::AllTypesClient client(channel);
  int decoded = 0, rejected = 0;
  for (int k = 0; k < 600; ++k) {
    corrupted = valid;
    if (k < 200) {
      corrupted.resize(24 + static_cast<size_t>(k) % kEverythingSize);
      spine::host::wire::storeLE(&corrupted[4], corrupted.size() - 24, 4);
    } else {
      for (int flips = 0; flips < 3; ++flips) corrupted[24 + rng() % kEverythingSize] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    try {
      client.Echo(sample());
      ++decoded;
    } catch (const spine::host::BadMessage &) {
      ++rejected;
    } catch (const at::WithRecord &) {
      FAIL("a Result reply decoded as an exception");
    }
  }
  CHECK(rejected >= 200);
  CHECK(decoded + rejected == 600);
}
