// A million numbered messages each way through the generated stubs and an in-process NIC whose host channel has
// 16-slot rings, so each ring is full most of the time: the host's sends wait for room (HostRegion's waitsFull),
// and the extension (Inputs/nic/SequenceNic.spx) raises events only while Host.Room says they fit and goes on
// from a timer once the host has read some. Nothing may be lost, duplicated or reordered, and no event refused.
// nic_host_channel_test.cpp does the same over the raw rings.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <utility>

#include "Sequence.h"

#include <spine/host/Nic.h>

using namespace spine;
namespace sq = spine_gen::Sequence;

namespace {
const std::string kImages = SPINE_NIC_TEST_IMAGES;

// A million messages in a normal build; a tenth of that under the sanitizers, which slow each ten times.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr std::int64_t kMessages = 100000;
#else
constexpr std::int64_t kMessages = 1000000;
#endif
constexpr std::uint32_t kSlots = 16;  // each way: a Sequence message takes one slot
constexpr std::size_t kWindow = 256;  // asynchronous calls in flight at most
// A generous bound on every wait (a reply, the events, a blocking call), so that a lost message fails the test
// instead of hanging it, and a slow machine does not.
constexpr std::chrono::seconds kDeadline{60};

std::unique_ptr<host::Nic> sequenceNic(std::uint32_t &id) {
  host::InProcessOptions o;
  o.name = "million";
  o.trustedKeys = {kImages + "/test.pub"};
  o.requestSlots = kSlots;
  o.replySlots = kSlots;
  auto nic = host::Nic::inProcess(o);
  id = nic->deploy(kImages + "/SequenceNic.spxo");
  return nic;
}

host::ExtensionStatus statusOf(host::Nic &nic) {
  std::vector<host::ExtensionStatus> list = nic.list();
  REQUIRE(list.size() == 1);
  return list[0];
}
}  // namespace

TEST_CASE("host Nic in-process: a million numbered requests, one-way and asynchronous, through a full ring") {
  std::uint32_t id = 0;
  auto nic = sequenceNic(id);
  sq::SequenceClient client(nic->channel(id));
  // Even numbers go one way (TakeSend), odd ones asynchronously (TakeAsync), at most kWindow of them pending.
  // Take returns how many it has taken, so the result of message `seq` must be seq + 1: every message before it
  // arrived, one-way or not, and in order.
  std::deque<std::pair<std::int64_t, std::future<std::int64_t>>> window;
  std::int64_t wrongResults = 0, firstWrong = -1;
  auto settleOldest = [&] {
    auto &[seq, result] = window.front();
    if (result.wait_for(kDeadline) != std::future_status::ready)
      FAIL("no reply to Take(" << seq << ") within " << kDeadline.count() << " s");
    if (result.get() != seq + 1 && wrongResults++ == 0) firstWrong = seq;
    window.pop_front();
  };
  for (std::int64_t seq = 0; seq < kMessages; ++seq) {
    if (seq % 2 == 0) {
      client.TakeSend(seq);
      continue;
    }
    window.emplace_back(seq, client.TakeAsync(seq));
    if (window.size() == kWindow) settleOldest();
  }
  while (!window.empty()) settleOldest();
  CHECK_MESSAGE(wrongResults == 0, "first wrong result: Take(" << firstWrong << ")");

  // The extension's own account: every number taken, in order, none missing.
  sq::Counts counts = client.Tally(kDeadline);
  CHECK(counts.taken == kMessages);
  CHECK(counts.firstGap == -1);
  host::ExtensionStatus status = statusOf(*nic);
  CHECK(status.requests == std::uint64_t(kMessages) + 1);  // and Tally
  CHECK(status.requestsRejected == 0);
  host::HostRegionCounters region = nic->region().counters();
  CHECK(region.sent == std::uint64_t(kMessages) + 1);
  CHECK(region.waitsFull > 0);  // the request ring was full and the host waited for room: back-pressure, no loss
}

TEST_CASE("host Nic in-process: a million numbered events through a full ring, the extension waiting for room") {
  std::uint32_t id = 0;
  auto nic = sequenceNic(id);
  sq::SequenceClient client(nic->channel(id));
  std::mutex m;
  std::condition_variable changed;
  std::int64_t arrived = 0, next = 0, firstWrong = -1;  // under m; firstWrong: the number expected where the order broke
  auto subscription = client.onNumbered([&](std::int64_t seq) {
    std::lock_guard<std::mutex> lock(m);
    if (seq != next && firstWrong < 0) {
      firstWrong = next;
      changed.notify_all();  // no need to wait for the rest
    }
    next = seq + 1;
    if (++arrived == kMessages) changed.notify_all();
  });
  client.Raise(kMessages, kDeadline);
  {
    std::unique_lock<std::mutex> lock(m);
    changed.wait_for(lock, kDeadline, [&] { return arrived >= kMessages || firstWrong >= 0; });  // or fail
    CHECK_MESSAGE(firstWrong == -1, "the first event missing or out of order: Numbered(" << firstWrong << ")");
    CHECK_MESSAGE(arrived == kMessages, "only " << arrived << " of " << kMessages << " events arrived"
                                                  << (firstWrong < 0 ? " within the deadline" : ""));
  }
  // Tally's reply follows every event in the ring: once it is back, nothing more may arrive.
  sq::Counts counts = client.Tally(kDeadline);
  CHECK(counts.raised == kMessages);
  CHECK(counts.fullStops > 0);  // the extension found the host's ring full and waited for room
  {
    std::lock_guard<std::mutex> lock(m);
    CHECK(arrived == kMessages);
  }
  // Raising only while Host.Room() > 0 means no event is ever refused.
  host::ExtensionStatus status = statusOf(*nic);
  CHECK(status.events == std::uint64_t(kMessages));
  CHECK(status.eventsRefused == 0);
  CHECK(nic->region().counters().received == std::uint64_t(kMessages) + 2);  // and the replies to Raise and Tally
  CHECK(nic->channel(id).droppedMessages() == 0);
}
