// spine/ring.h, the SPSC ring of the shared-memory host channel: layout, full and empty, wraparound with PAD
// records, a hostile peer, and sequence numbers passed between two threads and between two processes through a
// shared mapping seen at different addresses.
#include "spine/ring.h"
#include "spine/doorbell.h"

#include <doctest/doctest.h>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

namespace {

// A ring in an anonymous shared mapping (page-aligned, so cache-line aligned), unmapped at the end.
struct SharedRing {
  explicit SharedRing(std::uint32_t slots) : bytes(spine_ring_bytes(slots)) {
    mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(mem != MAP_FAILED);
    REQUIRE(spine_ring_init(mem, bytes, slots) == SPINE_RING_OK);
  }
  ~SharedRing() { munmap(mem, bytes); }
  spine_ring_producer producer() {
    spine_ring_producer p;
    REQUIRE(spine_ring_attach_producer(&p, mem, bytes) == SPINE_RING_OK);
    return p;
  }
  spine_ring_consumer consumer() {
    spine_ring_consumer c;
    REQUIRE(spine_ring_attach_consumer(&c, mem, bytes) == SPINE_RING_OK);
    return c;
  }
  spine_ring *ring() { return static_cast<spine_ring *>(mem); }
  std::size_t bytes;
  void *mem;
};

int enqueueU64(spine_ring_producer &p, std::uint64_t v) { return spine_ring_try_enqueue(&p, &v, sizeof v); }

int dequeueU64(spine_ring_consumer &c, std::uint64_t &v) {
  std::uint32_t length = 0;
  int status = spine_ring_try_dequeue(&c, &v, sizeof v, &length);
  if (status == SPINE_RING_OK && length != sizeof v) return -1;
  return status;
}

// Writes the bytes of record `n` of a stream to `out` and returns their number: the length varies from 0 to
// `maxLength`, the bytes depend on n. No allocation, so a forked child may call it.
std::uint32_t fillRecord(std::uint64_t n, std::uint32_t maxLength, std::uint8_t *out) {
  auto length = static_cast<std::uint32_t>((n * 2654435761u) % (maxLength + 1));
  for (std::uint32_t i = 0; i < length; ++i) out[i] = static_cast<std::uint8_t>(n + i * 7);
  return length;
}

std::vector<std::uint8_t> recordBytes(std::uint64_t n, std::uint32_t maxLength) {
  std::vector<std::uint8_t> bytes(maxLength);
  bytes.resize(fillRecord(n, maxLength, bytes.data()));
  return bytes;
}

// A side that finds the ring full or empty spins briefly, then gives its core away (the other side may need it).
void waitABit() {
  static thread_local unsigned spins = 0;
  if (++spins % 256 == 0) {
    std::this_thread::yield();
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

TEST_CASE("ring: each index has a cache line of its own and the slots follow the header") {
  CHECK(offsetof(spine_ring, prod) == 64);
  CHECK(offsetof(spine_ring, cons) == 128);
  CHECK(sizeof(spine_ring) == SPINE_RING_HEADER_SIZE);
  CHECK(spine_ring_bytes(8) == 192 + 8 * 64);
  SharedRing r(8);
  auto p = r.producer();
  CHECK(p.slots == static_cast<std::uint8_t *>(r.mem) + 192);
}

TEST_CASE("ring: an empty ring refuses to dequeue") {
  SharedRing r(8);
  auto c = r.consumer();
  std::uint64_t v;
  CHECK(dequeueU64(c, v) == SPINE_RING_EMPTY);
  auto p = r.producer();
  CHECK(enqueueU64(p, 1) == SPINE_RING_OK);
  CHECK(dequeueU64(c, v) == SPINE_RING_OK);
  CHECK(v == 1);
  CHECK(dequeueU64(c, v) == SPINE_RING_EMPTY);
}

TEST_CASE("ring: ready says whether the next slot holds a tag: the poll that decides when to peek") {
  SharedRing r(4);
  auto p = r.producer();
  auto c = r.consumer();
  std::uint64_t v;
  CHECK_FALSE(spine_ring_ready(&c));
  void *payload = nullptr;
  REQUIRE(spine_ring_reserve(&p, 8, &payload) == SPINE_RING_OK);
  CHECK_FALSE(spine_ring_ready(&c));  // reserved and being written: not yet
  spine_ring_commit(&p);
  CHECK(spine_ring_ready(&c));
  REQUIRE(dequeueU64(c, v) == SPINE_RING_OK);
  CHECK_FALSE(spine_ring_ready(&c));
  // Across the end: a record that does not fit before it comes after a PAD, and ready sees the PAD's tag.
  for (int i = 0; i < 2; ++i) REQUIRE(enqueueU64(p, 1) == SPINE_RING_OK);
  for (int i = 0; i < 2; ++i) REQUIRE(dequeueU64(c, v) == SPINE_RING_OK);
  CHECK_FALSE(spine_ring_ready(&c));
  std::vector<std::uint8_t> two(100, 7);  // two slots; one is left before the end
  REQUIRE(spine_ring_try_enqueue(&p, two.data(), 100) == SPINE_RING_OK);
  CHECK(spine_ring_ready(&c));
  std::uint8_t out[128];
  std::uint32_t length = 0;
  REQUIRE(spine_ring_try_dequeue(&c, out, sizeof out, &length) == SPINE_RING_OK);
  CHECK(length == 100);
  CHECK_FALSE(spine_ring_ready(&c));
}

TEST_CASE("ring: a full ring refuses to enqueue, loses nothing, and takes more once the consumer frees a slot") {
  SharedRing r(8);
  auto p = r.producer();
  auto c = r.consumer();
  // 7 one-slot records: the producer keeps the slot after the last record free (ring.h, "Records").
  for (std::uint64_t i = 0; i < 7; ++i) REQUIRE(enqueueU64(p, i) == SPINE_RING_OK);
  CHECK(enqueueU64(p, 7) == SPINE_RING_FULL);
  CHECK(enqueueU64(p, 7) == SPINE_RING_FULL);
  std::uint64_t v;
  REQUIRE(dequeueU64(c, v) == SPINE_RING_OK);
  CHECK(v == 0);
  CHECK(enqueueU64(p, 7) == SPINE_RING_OK);
  CHECK(enqueueU64(p, 8) == SPINE_RING_FULL);
  for (std::uint64_t i = 1; i <= 7; ++i) {
    REQUIRE(dequeueU64(c, v) == SPINE_RING_OK);
    CHECK(v == i);
  }
  CHECK(dequeueU64(c, v) == SPINE_RING_EMPTY);
}

TEST_CASE("ring: a record that does not fit before the end goes to slot 0 after a PAD") {
  SharedRing r(8);
  auto p = r.producer();
  auto c = r.consumer();
  std::uint64_t v;
  for (std::uint64_t i = 0; i < 6; ++i) REQUIRE(enqueueU64(p, i) == SPINE_RING_OK);
  for (std::uint64_t i = 0; i < 6; ++i) REQUIRE(dequeueU64(c, v) == SPINE_RING_OK);
  // At slot 6: a 3-slot record (150 + 8 bytes) does not fit in the 2 slots left.
  std::vector<std::uint8_t> big(150);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i);
  void *payload = nullptr;
  REQUIRE(spine_ring_reserve(&p, 150, &payload) == SPINE_RING_OK);
  CHECK(payload == p.slots + SPINE_RING_RECORD_HEADER);
  std::memcpy(payload, big.data(), big.size());
  spine_ring_commit(&p);
  CHECK(r.ring()->prod == 6 + 2 + 3);
  const void *seen = nullptr;
  std::uint32_t length = 0;
  REQUIRE(spine_ring_peek(&c, &seen, &length) == SPINE_RING_OK);
  CHECK(r.ring()->cons == 8);  // the PAD is given back at once
  CHECK(length == 150);
  CHECK(std::memcmp(seen, big.data(), big.size()) == 0);
  spine_ring_release(&c);
  CHECK(r.ring()->cons == 11);
  CHECK(dequeueU64(c, v) == SPINE_RING_EMPTY);
}

TEST_CASE("ring: records of every length wrap around many times with no loss, duplicate or reordering") {
  SharedRing r(16);
  auto p = r.producer();
  auto c = r.consumer();
  const std::uint32_t maxLength = spine_ring_max_payload(16);
  std::uint64_t sent = 0, received = 0;
  std::vector<std::uint8_t> buffer(maxLength);
  while (received < 5000) {
    // Fill until full, then drain a few: the ring is seen at every offset and fill level.
    while (sent < 5000) {
      auto bytes = recordBytes(sent, maxLength);
      int status = spine_ring_try_enqueue(&p, bytes.data(), static_cast<std::uint32_t>(bytes.size()));
      if (status == SPINE_RING_FULL) break;
      REQUIRE(status == SPINE_RING_OK);
      ++sent;
    }
    for (int k = 0; k < 3 && received < sent; ++k) {
      std::uint32_t length = 0;
      REQUIRE(spine_ring_try_dequeue(&c, buffer.data(), maxLength, &length) == SPINE_RING_OK);
      auto expected = recordBytes(received, maxLength);
      REQUIRE(length == expected.size());
      REQUIRE(std::memcmp(buffer.data(), expected.data(), length) == 0);
      ++received;
    }
  }
  CHECK(r.ring()->prod > 100 * 16);  // many times around
  std::uint32_t length;
  CHECK(spine_ring_try_dequeue(&c, buffer.data(), maxLength, &length) == SPINE_RING_EMPTY);
}

// The consumer learns of a record from its tag (ring.h, "The tag publishes the record"), so the bytes it finds
// where it looks next must never pass for a record unless the producer published one there. The most dangerous
// stale bytes are an honest producer's own payload: here every payload carries, at each slot boundary, the header
// of a record that the next lap would publish at that slot. The consumer must still see exactly the records sent,
// and EMPTY exactly when all have been taken.
TEST_CASE("ring: payload bytes that look like the next lap's records are never taken for records") {
  constexpr std::uint32_t kSlots = 16;
  SharedRing r(kSlots);
  auto p = r.producer();
  auto c = r.consumer();
  const std::uint32_t maxLength = spine_ring_max_payload(kSlots);
  std::vector<std::uint8_t> buffer(maxLength);
  std::uint64_t sent = 0, received = 0, emptySeen = 0;
  std::uint64_t mix = 12345;
  auto next = [&] { return mix = mix * 6364136223846793005u + 1442695040888963407u; };
  while (received < 20000) {
    for (std::uint64_t k = next() >> 61; k-- > 0 && sent < 20000;) {  // 0..7 records
      auto bytes = recordBytes(sent, maxLength);
      void *payload = nullptr;
      int status = spine_ring_reserve(&p, static_cast<std::uint32_t>(bytes.size()), &payload);
      if (status == SPINE_RING_FULL) break;
      REQUIRE(status == SPINE_RING_OK);
      auto *at = static_cast<std::uint8_t *>(payload);
      std::uint64_t position = static_cast<std::uint64_t>(at - SPINE_RING_RECORD_HEADER - p.slots) / SPINE_RING_SLOT_SIZE;
      std::uint64_t start = p.prod + ((position - (p.prod & p.slot_mask)) & p.slot_mask);
      // Fake headers at every later slot the record covers: {8, the tag of that slot one lap later}.
      for (std::uint64_t slot = 1; SPINE_RING_SLOT_SIZE * slot < bytes.size() + SPINE_RING_RECORD_HEADER; ++slot) {
        std::uint64_t offset = SPINE_RING_SLOT_SIZE * slot - SPINE_RING_RECORD_HEADER;
        std::uint32_t fake[2] = {8, spine_ring_tag(start + slot + kSlots, SPINE_RING_RECORD_DATA)};
        std::memcpy(bytes.data() + offset, fake, std::min<std::size_t>(sizeof fake, bytes.size() - offset));
      }
      std::memcpy(at, bytes.data(), bytes.size());
      spine_ring_commit(&p);
      ++sent;
    }
    for (std::uint64_t k = next() >> 61; k-- > 0;) {
      std::uint32_t length = 0;
      int status = spine_ring_try_dequeue(&c, buffer.data(), maxLength, &length);
      if (status == SPINE_RING_EMPTY) {
        REQUIRE(received == sent);
        ++emptySeen;
        break;
      }
      REQUIRE(status == SPINE_RING_OK);
      auto expected = recordBytes(received, maxLength);
      REQUIRE(length == expected.size());
      // Bytes other than the fakes are the record's own.
      for (std::uint32_t i = 0; i < length; ++i)
        if ((i + SPINE_RING_RECORD_HEADER) % SPINE_RING_SLOT_SIZE >= 8) REQUIRE(buffer[i] == expected[i]);
      ++received;
    }
  }
  CHECK(emptySeen > 100);
  CHECK(r.ring()->prod > 200 * kSlots);  // many times around
}

TEST_CASE("ring: the largest payload fits a drained ring at every offset; one byte more never does") {
  for (std::uint32_t offset = 0; offset < 8; ++offset) {
    SharedRing r(8);
    auto p = r.producer();
    auto c = r.consumer();
    std::uint64_t v;
    for (std::uint32_t i = 0; i < offset; ++i) REQUIRE(enqueueU64(p, i) == SPINE_RING_OK);
    for (std::uint32_t i = 0; i < offset; ++i) REQUIRE(dequeueU64(c, v) == SPINE_RING_OK);
    std::vector<std::uint8_t> big(spine_ring_max_payload(8) + 1, 0x5A);
    CHECK(spine_ring_try_enqueue(&p, big.data(), static_cast<std::uint32_t>(big.size())) == SPINE_RING_TOO_BIG);
    CHECK_MESSAGE(spine_ring_try_enqueue(&p, big.data(), static_cast<std::uint32_t>(big.size() - 1)) == SPINE_RING_OK,
                  "offset ", offset);
  }
}

TEST_CASE("ring: a record longer than the consumer's buffer stays in the ring") {
  SharedRing r(8);
  auto p = r.producer();
  auto c = r.consumer();
  std::uint8_t bytes[20] = {1, 2, 3};
  REQUIRE(spine_ring_try_enqueue(&p, bytes, sizeof bytes) == SPINE_RING_OK);
  std::uint8_t small[8], large[32];
  std::uint32_t length = 0;
  CHECK(spine_ring_try_dequeue(&c, small, sizeof small, &length) == SPINE_RING_TOO_BIG);
  CHECK(length == 20);
  CHECK(spine_ring_try_dequeue(&c, large, sizeof large, &length) == SPINE_RING_OK);
  CHECK(length == 20);
  CHECK(large[2] == 3);
}

TEST_CASE("ring: attach refuses a bad magic, a slot count not a power of two, a short mapping, misalignment") {
  SharedRing r(8);
  spine_ring_producer p;
  spine_ring_consumer c;
  CHECK(spine_ring_attach_producer(&p, r.mem, r.bytes - 1) == SPINE_RING_BAD_LAYOUT);
  CHECK(spine_ring_attach_consumer(&c, static_cast<char *>(r.mem) + 8, r.bytes - 8) == SPINE_RING_BAD_LAYOUT);
  r.ring()->slot_count = 6;
  r.ring()->slot_mask = 5;
  CHECK(spine_ring_attach_consumer(&c, r.mem, r.bytes) == SPINE_RING_BAD_LAYOUT);
  r.ring()->slot_count = 8;
  r.ring()->slot_mask = 7;
  CHECK(spine_ring_attach_consumer(&c, r.mem, r.bytes) == SPINE_RING_OK);
  r.ring()->magic = 0;
  CHECK(spine_ring_attach_producer(&p, r.mem, r.bytes) == SPINE_RING_BAD_LAYOUT);
  CHECK(spine_ring_init(r.mem, r.bytes, 12) == SPINE_RING_BAD_LAYOUT);
  CHECK(spine_ring_init(r.mem, r.bytes, 16) == SPINE_RING_BAD_LAYOUT);  // needs more bytes than mapped
}

TEST_CASE("ring: a producer that publishes a tag of another slot index or a bad record makes the consumer say corrupt, not read") {
  SharedRing r(8);
  auto c = r.consumer();
  std::uint64_t v;
  auto *slot0 = static_cast<std::uint8_t *>(r.mem) + SPINE_RING_HEADER_SIZE;
  std::uint32_t header[2] = {8, spine_ring_tag(8, SPINE_RING_RECORD_DATA)};  // a lap ahead of the consumer
  std::memcpy(slot0, header, sizeof header);
  CHECK(dequeueU64(c, v) == SPINE_RING_CORRUPT);
  header[1] = spine_ring_tag(0, SPINE_RING_RECORD_DATA) | 3u;  // the right index, no such kind
  std::memcpy(slot0, header, sizeof header);
  CHECK(dequeueU64(c, v) == SPINE_RING_CORRUPT);
  header[0] = spine_ring_max_payload(8) + 1;  // the right tag, longer than any record may be
  header[1] = spine_ring_tag(0, SPINE_RING_RECORD_DATA);
  std::memcpy(slot0, header, sizeof header);
  CHECK(dequeueU64(c, v) == SPINE_RING_CORRUPT);
  header[0] = 8;  // the same, honest: read
  std::memcpy(slot0, header, sizeof header);
  CHECK(dequeueU64(c, v) == SPINE_RING_OK);

  SharedRing r2(8);
  auto p2 = r2.producer();
  auto c2 = r2.consumer();
  REQUIRE(enqueueU64(p2, 1) == SPINE_RING_OK);
  std::uint32_t huge = 7 * 64;  // a length that runs past half the ring
  std::memcpy(p2.slots, &huge, 4);
  CHECK(dequeueU64(c2, v) == SPINE_RING_CORRUPT);
  std::uint32_t kind = 99;
  std::memcpy(p2.slots + 4, &kind, 4);
  CHECK(dequeueU64(c2, v) == SPINE_RING_CORRUPT);
}

TEST_CASE("ring: a consumer index ahead of the producer's, or a ring behind, is corrupt: never a full ring for ever") {
  SharedRing r(8);
  auto p = r.producer();
  for (int i = 0; i < 7; ++i) REQUIRE(enqueueU64(p, 1) == SPINE_RING_OK);
  CHECK(enqueueU64(p, 1) == SPINE_RING_FULL);  // an honest full ring
  r.ring()->cons = 100;                        // ahead of prod (7)
  CHECK(enqueueU64(p, 1) == SPINE_RING_CORRUPT);
  auto q = r.producer();  // a producer at prod 7 whose consumer went back below what a ring can hold
  r.ring()->cons = 0;
  q.prod = 100;
  q.cons_cache = 0;
  CHECK(enqueueU64(q, 1) == SPINE_RING_CORRUPT);
}

TEST_CASE("ring: two threads pass 5 million sequence numbers with no loss, duplicate or reordering") {
  // 64 Ki slots (4 MiB): when the two threads share a core (2 cores, busy with builds), each switch between them
  // passes many records, not one ring of 1 Ki.
  constexpr std::uint64_t kCount = 5'000'000;
  SharedRing r(1 << 16);
  auto p = r.producer();
  auto c = r.consumer();
  auto start = std::chrono::steady_clock::now();
  std::atomic<bool> stop{false};
  std::thread producer([&p, &stop] {
    for (std::uint64_t i = 0; i < kCount && !stop;) {
      if (enqueueU64(p, i) == SPINE_RING_OK)
        ++i;
      else
        waitABit();  // full: back-pressure
    }
  });
  std::uint64_t expected = 0, wrong = 0;
  while (expected < kCount) {
    std::uint64_t v;
    int status = dequeueU64(c, v);
    if (status == SPINE_RING_EMPTY) {
      waitABit();
      continue;
    }
    if (status != SPINE_RING_OK) {
      ++wrong;
      break;
    }
    if (v != expected) ++wrong;
    expected = v + 1;
  }
  stop = true;  // a producer waiting on a ring no one drains (after a failure) gives up
  producer.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("5M records between two threads: ", seconds, " s (", seconds * 1e9 / kCount, " ns each)");
  CHECK(wrong == 0);
  std::uint64_t v;
  CHECK(dequeueU64(c, v) == SPINE_RING_EMPTY);
}

TEST_CASE("ring: a child process produces through the same pages mapped at another address") {
  constexpr std::uint64_t kCount = 200'000;
  constexpr std::uint32_t kMaxLength = 300;
  SharedRing r(1 << 14);  // 1 MiB: few switches when the two processes share a core
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // A second mapping of the same shared pages, at another address: the ring must hold no pointers.
    void *alias = mremap(r.mem, 0, r.bytes, MREMAP_MAYMOVE);
    if (alias == MAP_FAILED || alias == r.mem) _exit(2);
    spine_ring_producer p;
    if (spine_ring_attach_producer(&p, alias, r.bytes) != SPINE_RING_OK) _exit(3);
    std::uint8_t bytes[kMaxLength];
    for (std::uint64_t i = 0; i < kCount;) {
      std::uint32_t length = fillRecord(i, kMaxLength, bytes);
      int status = spine_ring_try_enqueue(&p, bytes, length);
      if (status == SPINE_RING_OK)
        ++i;
      else if (status == SPINE_RING_FULL)
        waitABit();
      else
        _exit(4);
    }
    _exit(0);
  }
  auto c = r.consumer();
  std::vector<std::uint8_t> buffer(kMaxLength);
  std::uint64_t received = 0, wrong = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (received < kCount && std::chrono::steady_clock::now() < deadline) {
    std::uint32_t length = 0;
    int status = spine_ring_try_dequeue(&c, buffer.data(), kMaxLength, &length);
    if (status == SPINE_RING_EMPTY) {
      waitABit();
      continue;
    }
    auto expected = recordBytes(received, kMaxLength);
    if (status != SPINE_RING_OK || length != expected.size() || std::memcmp(buffer.data(), expected.data(), length))
      ++wrong;
    ++received;
  }
  int wstatus = 0;
  if (received < kCount) kill(child, SIGKILL);
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  CHECK(WIFEXITED(wstatus));
  CHECK(WEXITSTATUS(wstatus) == 0);
  CHECK(received == kCount);
  CHECK(wrong == 0);
}

TEST_CASE("ring: the doorbell: a producer rings only for a sleeping consumer, and its record wakes it") {
  SharedRing r(8);
  spine_ring_producer p = r.producer();
  spine_ring_consumer c = r.consumer();
  const std::uint8_t byte = 7;
  // Nobody sleeps: a commit asks for no wake-up.
  void *at = nullptr;
  REQUIRE(spine_ring_reserve(&p, 1, &at) == SPINE_RING_OK);
  CHECK(spine_ring_commit(&p) == 0);
  // A record is there: the consumer must not sleep (and leaves the doorbell clear).
  CHECK(spine_ring_prepare_sleep(&c) == 0);
  CHECK(*spine_ring_doorbell(r.ring()) == 0);
  std::uint8_t out[8];
  std::uint32_t length = 0;
  REQUIRE(spine_ring_try_dequeue(&c, out, sizeof out, &length) == SPINE_RING_OK);
  // Empty: the consumer sleeps (for up to 30 s) until the producer's next record rings the doorbell.
  std::atomic<int> woken{-1};
  std::thread consumer([&] {
    REQUIRE(spine_ring_prepare_sleep(&c) == 1);
    woken = spine_doorbell_wait(spine_ring_doorbell(r.ring()), 30'000'000'000L);
    spine_ring_awake(&c);
  });
  while (__atomic_load_n(spine_ring_doorbell(r.ring()), __ATOMIC_SEQ_CST) == 0) std::this_thread::yield();
  REQUIRE(spine_ring_reserve(&p, 1, &at) == SPINE_RING_OK);
  std::memcpy(at, &byte, 1);
  int ring = spine_ring_commit(&p);
  CHECK(ring == 1);
  if (ring) spine_doorbell_ring(spine_ring_doorbell(r.ring()));
  consumer.join();
  CHECK(woken == 1);  // woken (or it never slept), not timed out
  REQUIRE(spine_ring_try_dequeue(&c, out, sizeof out, &length) == SPINE_RING_OK);
  CHECK(out[0] == 7);
  // A doorbell nobody rings times out: the consumer's sleep is always bounded.
  REQUIRE(spine_ring_prepare_sleep(&c) == 1);
  CHECK(spine_doorbell_wait(spine_ring_doorbell(r.ring()), 1'000'000L) == 0);
  spine_ring_awake(&c);
}

// The pacer of a poller's first look (spine/ring.h): the pause is 5/8 of the estimate; a wait that took longer
// raises the estimate by one only, a shorter one lowers it at once, and it never passes the cap.
TEST_CASE("ring: the first-look pacer rises by one a wait, falls at once, and stays under its cap") {
  spine_ring_pacer p{};
  auto wait = [&](uint32_t looks, uint32_t cap) {
    spine_ring_pacer_begin(&p);
    for (uint32_t i = 0; i < looks; ++i) spine_ring_pacer_look(&p);
    spine_ring_pacer_end(&p, cap);
  };
  wait(100, UINT32_MAX);
  CHECK(p.estimate == 1);  // up by one only
  for (int i = 0; i < 20; ++i) wait(1000, UINT32_MAX);
  CHECK(p.estimate == 21);
  CHECK(spine_ring_pacer_pause(&p) == 21 * 5 / 8);
  spine_ring_pacer_begin(&p);
  spine_ring_pacer_look(&p);  // the first look counts the pause, then itself
  CHECK(p.looks == 21 * 5 / 8 + 1);
  spine_ring_pacer_end(&p, UINT32_MAX);
  CHECK(p.estimate == 21 * 5 / 8 + 1);  // down at once
  for (int i = 0; i < 100; ++i) wait(1000, 16);
  CHECK(p.estimate == 16);  // never past the cap
  p.looks = UINT32_MAX;
  spine_ring_pacer_look(&p);
  CHECK(p.looks == UINT32_MAX);  // saturates, never wraps to a fresh wait
}
