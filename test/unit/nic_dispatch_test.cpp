// The NIC's dispatcher (nicrt/nic, docs/nic.md): guards then handlers, the first claim ends a packet's
// dispatch, unclaimed packets are dropped, copies, fault policies, deploy/unload/replace between packets, and
// every packet accounted for. The extensions are real: Inputs/nic/*.spx compiled by spinec at build time.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <sstream>

#include "NicTestSupport.h"
#include "nic/Nic.h"
#include "ports/MemoryPort.h"

using namespace spine;
using nicrt::MemoryPort;
using nicrt::Nic;

namespace {

// A NIC with three memory ports (0: where packets arrive, 1 and 2: where extensions send them), whose
// extensions write into `out`.
struct TestNic {
  std::string out;
  std::unique_ptr<Nic> nic;
  MemoryPort *in = nullptr, *one = nullptr, *two = nullptr;
  explicit TestNic(uint32_t buffers = 64) {
    nicrt::NicOptions o;
    o.pool.count = buffers;
    o.output = [this](std::string_view s) { out.append(s); };
    o.debuggerSupport = false;
    nic = std::make_unique<Nic>(o);
    for (MemoryPort **p : {&in, &one, &two}) {
      auto port = std::make_unique<MemoryPort>();
      *p = port.get();
      nic->addPort(std::move(port));
    }
  }
  uint32_t deploy(const std::string &name, nicrt::FaultPolicy policy = nicrt::FaultPolicy::Unload) {
    nicrt::DeployOptions d;
    d.faultPolicy = policy;
    nicrt::DeployResult r = nic->deploy(nic_test::loadImage(name), d);
    REQUIRE_MESSAGE(r, r.error);
    return r.id;
  }
  // Packet `seq`: 64 bytes, byte 0 = seq's low byte, bytes 2..5 = seq.
  void inject(uint32_t seq, uint8_t first) {
    uint8_t bytes[64] = {};
    bytes[0] = first;
    for (int i = 0; i < 4; ++i) bytes[2 + i] = static_cast<uint8_t>(seq >> (8 * i));
    in->inject(bytes);
  }
  void run() {
    while (nic->poll()) {
    }
  }
  const nicrt::ExtensionInfo *info(uint32_t id) {
    for (const auto &x : extensions)
      if (x.id == id) return &x;
    return nullptr;
  }
  void refresh() { extensions = nic->extensions(); }
  std::vector<nicrt::ExtensionInfo> extensions;
};

uint32_t seqOf(const MemoryPort::Frame &f) {
  uint32_t s = 0;
  for (int i = 0; i < 4; ++i) s |= uint32_t{f.bytes[2 + i]} << (8 * i);
  return s;
}

}  // namespace

TEST_CASE("a packet no handler claims is dropped by the NIC and counted as unclaimed") {
  TestNic t;
  t.deploy("Observer");
  for (uint32_t i = 0; i < 5; ++i) t.inject(i, 1);
  t.run();
  CHECK(t.nic->counters().received == 5);
  CHECK(t.nic->counters().unclaimed == 5);
  CHECK(t.one->transmitted().empty());
  CHECK(t.nic->pool().inUse() == 0);
}

TEST_CASE("handlers run in deploy order; the first that sends ends the dispatch and later ones never see it") {
  TestNic t;
  uint32_t observer = t.deploy("Observer");
  uint32_t first = t.deploy("Forwarder");
  uint32_t second = t.deploy("Forwarder");
  for (uint32_t i = 0; i < 10; ++i) t.inject(i, 1);
  t.run();
  t.refresh();
  CHECK(t.info(observer)->counters.packets == 10);
  CHECK(t.info(first)->counters.packets == 10);
  CHECK(t.info(first)->counters.sent == 10);
  CHECK(t.info(second)->counters.packets == 0);
  REQUIRE(t.one->transmitted().size() == 10);
  // The observer ran before the forwarder, on the same buffer: its stamp is in what went out.
  CHECK(t.one->transmitted()[9].bytes[1] == 10);
  CHECK(t.nic->counters().unclaimed == 0);
}

TEST_CASE("a guard that returns FALSE skips its handler; a dropped packet is counted and goes nowhere") {
  TestNic t;
  uint32_t dropper = t.deploy("Dropper");
  t.deploy("Forwarder");
  for (uint32_t i = 0; i < 10; ++i) t.inject(i, static_cast<uint8_t>(i));  // even first byte: dropped
  t.run();
  t.refresh();
  CHECK(t.info(dropper)->counters.packets == 5);
  CHECK(t.info(dropper)->counters.dropped == 5);
  CHECK(t.nic->counters().dropped == 5);
  REQUIRE(t.one->transmitted().size() == 5);
  for (const auto &f : t.one->transmitted()) CHECK(f.bytes[0] % 2 == 1);
}

TEST_CASE("a guard of a later extension runs before the handlers of earlier ones, on the packet as it arrived") {
  TestNic t;
  uint32_t evener = t.deploy("Evener");    // no guard: rewrites byte 0 to 0 (even)
  uint32_t dropper = t.deploy("Dropper");  // guard: drops packets whose byte 0 is even
  t.deploy("Forwarder");
  for (uint32_t i = 0; i < 10; ++i) t.inject(i, static_cast<uint8_t>(i));
  t.run();
  t.refresh();
  // Dropper's guard judged byte 0 before Evener rewrote it: only the packets that arrived even were dropped.
  CHECK(t.info(evener)->counters.packets == 10);
  CHECK(t.info(dropper)->counters.packets == 5);
  CHECK(t.info(dropper)->counters.dropped == 5);
  REQUIRE(t.one->transmitted().size() == 5);
  for (const auto &f : t.one->transmitted()) {
    CHECK(seqOf(f) % 2 == 1);
    CHECK(f.bytes[0] == 0);  // rewritten by Evener, which ran first
  }
  CHECK(t.nic->pool().inUse() == 0);
}

TEST_CASE("a sent copy goes out, an unsent copy is reclaimed at the end of the invocation that made it") {
  TestNic t;
  uint32_t copier = t.deploy("Copier");
  t.deploy("Forwarder");
  for (uint32_t i = 0; i < 20; ++i) t.inject(i, 1);
  t.run();
  t.refresh();
  CHECK(t.two->transmitted().size() == 20);  // the copies
  CHECK(t.one->transmitted().size() == 20);  // the originals, forwarded by the next extension
  CHECK(t.info(copier)->counters.copies == 40);
  CHECK(t.info(copier)->counters.copiesReclaimed == 20);
  CHECK(t.nic->pool().inUse() == 0);
}

TEST_CASE("a trap releases what the invocation held; the packet goes on to the next handler") {
  TestNic t;
  t.deploy("Trapper");
  uint32_t forwarder = t.deploy("Forwarder");
  for (uint32_t i = 0; i < 9; ++i) t.inject(i, 1);
  t.run();
  t.refresh();
  // Unload (the default) after the first trap, on the third packet; every packet still went out, in order.
  REQUIRE(t.nic->faults().size() == 1);
  CHECK(t.nic->faults()[0].message.find("Trapper.spx:10: checked runtime error: range") != std::string::npos);
  CHECK(t.nic->faults()[0].action == "unloaded");
  CHECK(t.extensions.size() == 1);
  CHECK(t.info(forwarder)->counters.sent == 9);
  REQUIRE(t.one->transmitted().size() == 9);
  for (uint32_t i = 0; i < 9; ++i) CHECK(seqOf(t.one->transmitted()[i]) == i);
  CHECK(t.nic->pool().inUse() == 0);
}

TEST_CASE("fault policy restart reloads the extension with fresh module state") {
  TestNic t;
  uint32_t trapper = t.deploy("Trapper", nicrt::FaultPolicy::Restart);
  for (uint32_t i = 0; i < 9; ++i) t.inject(i, 1);
  t.run();
  t.refresh();
  // Fresh state after each restart: it traps on packets 3, 6 and 9 (its third since each restart).
  CHECK(t.nic->faults().size() == 3);
  for (const auto &f : t.nic->faults()) CHECK(f.action == "restarted");
  REQUIRE(t.info(trapper));
  CHECK(t.info(trapper)->state == nicrt::ExtensionState::Running);
  CHECK(t.info(trapper)->counters.faults == 3);
  CHECK(t.nic->counters().unclaimed == 9);
}

TEST_CASE("fault policy keep leaves the extension running with its state as the trap left it") {
  TestNic t;
  uint32_t trapper = t.deploy("Trapper", nicrt::FaultPolicy::Keep);
  for (uint32_t i = 0; i < 9; ++i) t.inject(i, 1);
  t.run();
  t.refresh();
  CHECK(t.nic->faults().size() == 3);  // packets 3, 6, 9: its counter kept counting
  for (const auto &f : t.nic->faults()) CHECK(f.action == "kept");
  CHECK(t.info(trapper)->counters.packets == 9);
}

TEST_CASE("a refused deploy (its module body traps) disturbs nothing that runs") {
  TestNic t;
  uint32_t forwarder = t.deploy("Forwarder");
  t.inject(0, 1);
  t.run();
  nicrt::DeployResult r = t.nic->deploy(nic_test::loadImage("InitTraps"));
  CHECK_FALSE(r);
  CHECK(r.error.find("the image's module body failed: ") != std::string::npos);
  CHECK(r.error.find("InitTraps.spx:11: checked runtime error: division by zero") != std::string::npos);
  t.inject(1, 1);
  t.run();
  t.refresh();
  CHECK(t.extensions.size() == 1);
  CHECK(t.info(forwarder)->counters.sent == 2);
}

TEST_CASE("unload and replace between packets under traffic: every packet accounted for, none duplicated") {
  TestNic t(16);
  uint32_t id = t.deploy("Forwarder");
  t.deploy("Copier");
  uint32_t observer = t.deploy("Observer");
  const uint32_t kPackets = 3000;
  for (uint32_t i = 0; i < kPackets; ++i) {
    t.inject(i, 1);
    if (i % 7 == 0) t.nic->poll();  // a few packets queue up between changes
    if (i % 100 == 50) {
      nicrt::DeployResult r = t.nic->replace(id, nic_test::loadImage("Forwarder"));
      REQUIRE_MESSAGE(r, r.error);
      id = r.id;
    }
    if (i % 250 == 125) {
      REQUIRE(t.nic->unload(observer));
      observer = t.deploy("Observer");
    }
  }
  t.run();
  const nicrt::NicCounters &c = t.nic->counters();
  CHECK(c.received == kPackets);
  // Counters in equal counters out: every packet was forwarded (the Forwarder is always first).
  CHECK(c.sent == t.one->transmitted().size() + t.two->transmitted().size());
  REQUIRE(t.one->transmitted().size() == kPackets);
  for (uint32_t i = 0; i < kPackets; ++i) CHECK(seqOf(t.one->transmitted()[i]) == i);
  CHECK(c.unclaimed == 0);
  CHECK(t.nic->pool().inUse() == 0);
}

TEST_CASE("an extension grows a packet at its head and shrinks it at its tail, and reads and writes it") {
  TestNic t;
  t.deploy("Tagger");
  t.inject(7, 0x42);
  t.run();
  REQUIRE(t.one->transmitted().size() == 1);
  const auto &f = t.one->transmitted()[0];
  REQUIRE(f.bytes.size() == 64 + 4 - 2);
  CHECK(f.bytes[0] == 0xC0);
  CHECK(f.bytes[1] == 0xFF);
  CHECK(f.bytes[2] == 0xEE);
  CHECK(f.bytes[3] == 0);     // port 0
  CHECK(f.bytes[4] == 0x42);  // the original first byte
  CHECK(t.nic->pool().inUse() == 0);
}

TEST_CASE("timers fire Timer.Fired into the handlers of the extension that started them, until stopped") {
  TestNic t;
  uint32_t id = t.deploy("Ticker");
  CHECK(t.nic->hasTimers());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (t.out.find("three firings") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    t.nic->poll();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  CHECK(t.out == "three firings\n");
  // Its fast timer stopped at the third firing; the other one keeps firing (into a guard that refuses it).
  for (int i = 0; i < 30; ++i) {
    t.nic->poll();
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  t.refresh();
  CHECK(t.info(id)->counters.timerFirings == 3);
  CHECK(t.nic->hasTimers());
  // Unloading an extension stops its timers.
  REQUIRE(t.nic->unload(id));
  CHECK_FALSE(t.nic->hasTimers());
}

TEST_CASE("a NIC holds at most 4096 timers: one more traps at its Timer.Start, and a refused extension's timers are freed") {
  TestNic t;
  nicrt::DeployResult r = t.nic->deploy(nic_test::loadImage("TimerHog"));
  CHECK_FALSE(r);
  CHECK(r.error.find("TimerHog.spx:7: checked runtime error: heap quota") != std::string::npos);
  CHECK_FALSE(t.nic->hasTimers());  // the refused extension's timers went with it
  t.deploy("Ticker");                // and there is room again
  CHECK(t.nic->hasTimers());
}
