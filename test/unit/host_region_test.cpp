// The generated stubs live, through the host channel's shared region: hostrt's HostRegion (the host's end) and
// the NIC's HostChannel, with the NIC core on a thread of its own, as an in-process NIC runs.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "AllTypes.h"
#include "AllTypesSample.h"
#include "AllocationCounter.h"
#include "NicTestSupport.h"
#include "nic/Nic.h"
#include "ports/MemoryPort.h"
#include "spine/abi.h"

#include <spine/host/HostRegion.h>

using namespace spine;
namespace at = spine_gen::AllTypes;

namespace {

// An in-process NIC: AllTypesNic deployed, a memory port, and the NIC core polling on its own thread. Packets
// are injected by the NIC thread itself when asked (MemoryPort belongs to it).
struct LiveNic {
  std::unique_ptr<nicrt::Nic> nic;
  std::unique_ptr<nicrt::HostChannel> channel;
  nicrt::MemoryPort *in = nullptr;
  uint32_t id = 0;
  std::atomic<int> packetsToInject{0};
  std::atomic<bool> stop{false};
  std::thread core;
  std::unique_ptr<host::HostRegion> region;

  explicit LiveNic(uint32_t slots = 1024) {
    nicrt::NicOptions o;
    o.debuggerSupport = false;
    o.limits.fuel = 1'000'000;
    nic = std::make_unique<nicrt::Nic>(o);
    auto port = std::make_unique<nicrt::MemoryPort>();
    in = port.get();
    nic->addPort(std::move(port));
    std::string error;
    channel = nicrt::HostChannel::create(slots, slots, error);
    REQUIRE_MESSAGE(channel, error);
    nic->attachHostChannel(channel.get());
    nicrt::DeployOptions keep;
    keep.faultPolicy = nicrt::FaultPolicy::Keep;
    nicrt::DeployResult d = nic->deploy(nic_test::loadImage("AllTypesNic"), keep);
    REQUIRE_MESSAGE(d, d.error);
    id = d.id;
    resume();
    region = host::HostRegion::attach(channel->region(), channel->regionBytes(), error);
    REQUIRE_MESSAGE(region, error);
  }
  // Starts (again) the NIC core.
  void resume() {
    stop = false;
    core = std::thread([this] {
      const uint8_t packet[] = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
      while (!stop.load(std::memory_order_relaxed)) {
        for (; packetsToInject.load() > 0; --packetsToInject) in->inject(packet);
        if (!nic->poll()) std::this_thread::yield();
      }
    });
  }
  // Stops the NIC core (then the NIC may be inspected from this thread).
  void halt() {
    stop = true;
    if (core.joinable()) core.join();
  }
  ~LiveNic() {
    region.reset();  // the host goes first: no call is in flight once its receive thread has stopped
    halt();
  }
};

}  // namespace

TEST_CASE("live stubs: calls, results, exceptions and traps through the shared region to a NIC thread") {
  LiveNic t;
  at::AllTypesClient client(t.region->channel(t.id));
  at::Everything e = all_types_test::sample();
  CHECK(client.Echo(e) == e);
  CHECK(client.Sum({1, 2, 3}, {"x"}, {true}) == 6 + 1000 + 1000000);
  CHECK(client.Choose(at::Color::Green, '9', 1) == at::Colors().set(1).set(2));
  e.i = 2;
  try {
    client.Echo(e);
    FAIL("Echo returned");
  } catch (const at::WithText &x) {
    CHECK(x.arg() == e.name);
  }
  e.i = 5;
  try {
    client.Echo(e);
    FAIL("Echo returned");
  } catch (const host::ExtensionTrapped &x) {
    CHECK(x.kind() == SPX_TRAP_DIV_ZERO);
    CHECK(x.line() == 20);
  }
  // Asynchronous calls overlap in the rings and complete in any order; each future gets its own result.
  std::vector<std::future<int64_t>> sums;
  for (int32_t i = 0; i < 2000; ++i) sums.push_back(client.SumAsync({i, i}, {}, {}));
  for (int32_t i = 0; i < 2000; ++i) CHECK(sums[static_cast<size_t>(i)].get() == 2 * i);
  // One-way sends: not answered to the caller, but served in order before the next call.
  for (int i = 0; i < 1000; ++i) client.NopSend();
  CHECK(client.Keywords(at::Keyword::new_, 1000, "") == at::Keyword::int_);  // the extension counted 1000 Nops
  // Calls to an extension that is not there fail fast with the NIC's reason.
  at::AllTypesClient nobody(t.region->channel(t.id + 7));
  CHECK_THROWS_AS(nobody.Nop(), host::RequestRejected);
  CHECK(t.region->counters().unrouted == 0);
}

TEST_CASE("live stubs: events raised on the NIC reach their C++ callbacks in order") {
  LiveNic t;
  at::AllTypesClient client(t.region->channel(t.id));
  std::mutex m;
  std::vector<int> order;  // 0 for Tick, 1 for Data
  std::atomic<int> data{0};
  std::atomic<bool> holdReceiver{false};  // a slow host: the receive thread stuck in a callback
  auto tick = client.onTick([&] {
    std::lock_guard<std::mutex> lock(m);
    order.push_back(0);
  });
  auto sub = client.onData([&](const std::vector<uint8_t> &bytes, const std::vector<std::string> &names,
                               const at::Point &where, at::Color) {
    CHECK(bytes == std::vector<uint8_t>{0xAA, 0xBB, 0xCC, 0xDD});
    CHECK(names.size() == 3);
    CHECK(where.x == -5);
    {
      std::lock_guard<std::mutex> lock(m);
      order.push_back(1);
      ++data;
    }
    while (holdReceiver.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  auto waitFor = [&](int n) {
    for (int i = 0; i < 4000 && data.load() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  // At a pace the host keeps up with, every event arrives, in the order raised.
  for (int batch = 1; batch <= 20; ++batch) {
    t.packetsToInject = 10;
    waitFor(batch * 10);
  }
  REQUIRE(data.load() == 200);
  {
    std::lock_guard<std::mutex> lock(m);
    REQUIRE(order.size() == 400);
    for (size_t i = 0; i < order.size(); ++i) CHECK(order[i] == int(i % 2));
  }
  // Faster than the host reads: what the host's ring cannot take is refused and counted, never lost silently.
  holdReceiver = true;
  t.packetsToInject = 2000;
  for (int i = 0; i < 1000 && t.packetsToInject.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the NIC core dispatches what it injected
  holdReceiver = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the host reads what the ring held
  t.region.reset();  // stop receiving, then look at the NIC's counters
  t.halt();
  nicrt::ExtensionCounters c = t.nic->extensions()[0].counters;
  std::lock_guard<std::mutex> lock(m);
  CHECK(c.events + c.eventsRefused == 2 * 2200);
  CHECK(order.size() == c.events);
  CHECK(c.eventsRefused > 0);
}

TEST_CASE("live stubs: 100000 calls through small rings, back-pressure both ways, nothing lost") {
  LiveNic t(8);
  at::AllTypesClient client(t.region->channel(t.id));
  constexpr int kCalls = 100000;
  std::atomic<int> done{0}, wrong{0};
  std::vector<std::future<at::Colors>> window;
  for (int i = 0; i < kCalls; ++i) {
    window.push_back(client.ChooseAsync(i % 2 ? at::Color::Green : at::Color::Red, '0', 1));
    if (window.size() == 64 || i == kCalls - 1) {
      for (size_t k = 0; k < window.size(); ++k) {
        int call = i - int(window.size()) + 1 + int(k);
        at::Colors expected = call % 2 ? at::Colors().set(1) : at::Colors().set(0);
        if (window[k].get() != expected) ++wrong;
        ++done;
      }
      window.clear();
    }
  }
  CHECK(done.load() == kCalls);
  CHECK(wrong.load() == 0);
  CHECK(t.region->counters().sent == kCalls);
  CHECK(t.region->counters().waitsFull > 0);  // the 8-slot request ring filled: the sender waited, lost nothing
}

TEST_CASE("live stubs: a blocking call allocates nothing on the caller's thread once warm") {
  LiveNic t;
  at::AllTypesClient client(t.region->channel(t.id));
  for (int i = 0; i < 100; ++i) client.Nop();  // warm: the region's record buffer has grown
  std::uint64_t before = spine::test::allocationsOnThisThread();
  for (int i = 0; i < 10000; ++i) client.Nop();
  for (int i = 0; i < 10000; ++i) client.NopSend();
  CHECK(spine::test::allocationsOnThisThread() - before == 0);
  client.NopAsync().get();  // the counter counts: an asynchronous call allocates its promise
  CHECK(spine::test::allocationsOnThisThread() - before > 0);
}

TEST_CASE("live stubs: a call the NIC does not answer in time throws Timeout; its late reply is dropped") {
  LiveNic t;
  at::AllTypesClient client(t.region->channel(t.id));
  CHECK(client.Sum({1}, {}, {}) == 1);
  t.halt();  // the NIC core stops taking requests
  CHECK_THROWS_AS(client.Sum({2}, {}, {}, std::chrono::milliseconds(50)), host::Timeout);
  CHECK(t.region->channel(t.id).pendingCalls() == 0);
  t.resume();  // it serves the request now: the reply finds no pending call
  CHECK(client.Sum({3}, {}, {}) == 3);
  for (int i = 0; i < 5000 && t.region->channel(t.id).droppedMessages() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(t.region->channel(t.id).droppedMessages() == 1);
}
