// The packet buffer pool (nicrt/packet): checked handles, generations, exhaustion, room to grow, copies and
// owners (issue 8, item 5).
#include <doctest/doctest.h>

#include "packet/PacketPool.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <vector>

using namespace spine::nicrt;

namespace {

PacketPoolOptions small(uint32_t count = 4) {
  PacketPoolOptions o;
  o.count = count;
  o.dataSize = 256;
  o.headroom = 32;
  o.tailroom = 16;
  o.owners = 4;
  return o;
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed = 1) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 3);
  return v;
}

}  // namespace

TEST_CASE("packet pool: no handle is 0, so NIL stays distinct from every packet") {
  PacketPool pool(small(2));
  PacketHandle a = pool.allocate(kDispatcherOwner), b = pool.allocate(kDispatcherOwner);
  CHECK(a.word() != 0);
  CHECK(b.word() != 0);
  CHECK(a.toPointer() != nullptr);
  CHECK(PacketHandle::fromPointer(a.toPointer()) == a);
  CHECK(pool.resolve(PacketHandle::fromPointer(nullptr)) == nullptr);
}

TEST_CASE("packet pool: a handle used after its buffer was freed and reused resolves to nothing") {
  PacketPool pool(small(1));
  PacketHandle old = pool.allocate(kDispatcherOwner);
  REQUIRE(pool.free(old));
  PacketHandle reused = pool.allocate(kDispatcherOwner);
  REQUIRE(reused.index() == old.index());  // the same buffer...
  CHECK(pool.resolve(old) == nullptr);     // ...but the old handle cannot reach it
  CHECK(pool.resolve(reused) != nullptr);
  CHECK_FALSE(pool.free(old));             // nor free it
  CHECK(pool.resolve(reused) != nullptr);
}

TEST_CASE("packet pool: freeing a buffer bumps its generation by one") {
  PacketPool pool(small(1));
  PacketHandle first = pool.allocate(kDispatcherOwner);
  CHECK(first.generation() == 1);
  pool.free(first);
  CHECK(pool.allocate(kDispatcherOwner).generation() == 2);
}

TEST_CASE("packet pool: a double free is refused and counted nowhere") {
  PacketPool pool(small(2));
  PacketHandle h = pool.allocate(kDispatcherOwner);
  CHECK(pool.free(h));
  CHECK_FALSE(pool.free(h));
  CHECK(pool.available() == 2);
}

TEST_CASE("packet pool: allocation fails when every buffer is in use, and works again after a free") {
  PacketPool pool(small(3));
  std::vector<PacketHandle> held;
  for (int i = 0; i < 3; ++i) held.push_back(pool.allocate(kDispatcherOwner));
  CHECK(std::all_of(held.begin(), held.end(), [](PacketHandle h) { return bool(h); }));
  CHECK(pool.available() == 0);
  CHECK_FALSE(pool.allocate(kDispatcherOwner));
  pool.free(held[1]);
  CHECK(pool.allocate(kDispatcherOwner));
}

TEST_CASE("packet pool: words that name no live buffer resolve to nothing") {
  PacketPool pool(small(2));
  PacketHandle live = pool.allocate(kDispatcherOwner);
  CHECK(pool.resolve(PacketHandle(7, 1)) == nullptr);                             // index out of range
  CHECK(pool.resolve(PacketHandle(live.index(), live.generation() + 1)) == nullptr);  // a future generation
  CHECK(pool.resolve(PacketHandle(1, 1)) == nullptr);  // a free buffer, even with its current generation
  CHECK(pool.resolve(PacketHandle::fromWord(~uint64_t{0})) == nullptr);
  CHECK(pool.resolve(live) != nullptr);
}

TEST_CASE("packet pool: a buffer whose generation would wrap is retired, not reused") {
  PacketPool pool(small(2));
  REQUIRE(pool.setGenerationForTesting(0, PacketHandle::kMaxGeneration));
  PacketHandle last = pool.allocate(kDispatcherOwner);
  REQUIRE(last.index() == 0);
  CHECK(last.generation() == PacketHandle::kMaxGeneration);
  CHECK(pool.free(last));
  CHECK(pool.retired() == 1);
  CHECK(pool.available() == 1);
  CHECK(pool.resolve(last) == nullptr);
  PacketHandle next = pool.allocate(kDispatcherOwner);
  CHECK(next.index() == 1);
  CHECK_FALSE(pool.allocate(kDispatcherOwner));  // buffer 0 is gone for good
}

TEST_CASE("packet pool: holds says whether a resolved buffer is still its handle's, as resolve would") {
  PacketPool pool(small(2));
  PacketHandle h = pool.allocate(kDispatcherOwner);
  PacketBuffer *b = pool.resolve(h);
  REQUIRE(b);
  CHECK(pool.holds(*b, h));
  pool.lend(*b, 1);  // a loan does not change whose packet it is
  CHECK(pool.holds(*b, h));
  REQUIRE(pool.free(h));
  CHECK_FALSE(pool.holds(*b, h));
  // The same buffer handed out again (most recently freed first), as a copy made by a handler would be.
  PacketHandle again = pool.allocate(1);
  REQUIRE(again.index() == h.index());
  CHECK_FALSE(pool.holds(*b, h));
  CHECK(pool.holds(*b, again));
  // Retired at the last generation: in no one's hands, so the last handle does not hold it either.
  REQUIRE(pool.free(again));
  REQUIRE(pool.setGenerationForTesting(again.index(), PacketHandle::kMaxGeneration));
  PacketHandle last = pool.allocate(kDispatcherOwner);
  REQUIRE(last.index() == again.index());
  REQUIRE(pool.free(last));
  CHECK(pool.retired() == 1);
  CHECK_FALSE(pool.holds(*b, last));
}

TEST_CASE("packet buffer: growing at the head stops at the headroom") {
  PacketPool pool(small(1));
  PacketBuffer* b = pool.resolve(pool.allocate(kDispatcherOwner));
  auto bytes = pattern(100);
  REQUIRE(b->assign(bytes));
  CHECK(b->headroom() == 32);
  CHECK(b->pushHead(20));
  CHECK(b->pushHead(12));
  CHECK(b->length() == 132);
  CHECK_FALSE(b->pushHead(1));
  CHECK(b->length() == 132);
  CHECK(std::equal(bytes.begin(), bytes.end(), b->data() + 32));
}

TEST_CASE("packet buffer: growing at the tail stops at the tailroom after the largest packet") {
  PacketPool pool(small(1));
  PacketBuffer* b = pool.resolve(pool.allocate(kDispatcherOwner));
  REQUIRE(b->assign(pattern(256)));
  CHECK(b->tailroom() == 16);
  CHECK(b->pushTail(16));
  CHECK_FALSE(b->pushTail(1));
  CHECK(b->length() == 272);
}

TEST_CASE("packet buffer: a packet shrunk at the head can grow back and no further") {
  PacketPool pool(small(1));
  PacketBuffer* b = pool.resolve(pool.allocate(kDispatcherOwner));
  REQUIRE(b->assign(pattern(50)));
  CHECK(b->pullHead(14));  // strip an Ethernet header
  CHECK(b->length() == 36);
  CHECK(b->pushHead(46));
  CHECK_FALSE(b->pushHead(1));
}

TEST_CASE("packet buffer: pulling or trimming more bytes than the packet has fails and changes nothing") {
  PacketPool pool(small(1));
  PacketBuffer* b = pool.resolve(pool.allocate(kDispatcherOwner));
  REQUIRE(b->assign(pattern(10)));
  CHECK_FALSE(b->pullHead(11));
  CHECK_FALSE(b->trimTail(11));
  CHECK_FALSE(b->pushHead(size_t{1} << 40));  // no truncation of a huge count
  CHECK(b->length() == 10);
  CHECK(b->trimTail(10));
  CHECK(b->length() == 0);
}

TEST_CASE("packet buffer: bytes a packet grows into are zeroed, never another packet's") {
  PacketPool pool(small(1));
  PacketHandle h = pool.allocate(kDispatcherOwner);
  PacketBuffer* b = pool.resolve(h);
  std::vector<uint8_t> secret(256, 0xAB);
  REQUIRE(b->assign(secret));
  REQUIRE(b->pushHead(32));
  REQUIRE(b->pushTail(16));
  std::fill(b->data(), b->data() + b->length(), 0xCD);
  pool.free(h);
  b = pool.resolve(pool.allocate(kDispatcherOwner));
  REQUIRE(b->length() == 0);
  REQUIRE(b->pushHead(32));
  REQUIRE(b->pushTail(100));
  CHECK(std::all_of(b->data(), b->data() + b->length(), [](uint8_t x) { return x == 0; }));
}

TEST_CASE("packet buffer: assign refuses more than dataSize bytes") {
  PacketPool pool(small(1));
  PacketBuffer* b = pool.resolve(pool.allocate(kDispatcherOwner));
  CHECK_FALSE(b->assign(pattern(257)));
  CHECK(b->length() == 0);
  CHECK(b->assign(pattern(256)));
}

TEST_CASE("packet pool: a copy has the same bytes, place in the buffer and metadata, and is independent") {
  PacketPool pool(small(2));
  PacketHandle h = pool.allocate(kDispatcherOwner);
  PacketBuffer* b = pool.resolve(h);
  REQUIRE(b->assign(pattern(256)));
  REQUIRE(b->pushTail(16));  // grown into the tailroom: the copy must fit too
  b->setArrivalPort(3);
  b->setTimestamp({1700000000, 123456789});
  PacketHandle c = pool.copy(h, 2);
  REQUIRE(c);
  PacketBuffer* copy = pool.resolve(c);
  CHECK(copy != b);
  CHECK(copy->length() == 272);
  CHECK(std::equal(b->data(), b->data() + 272, copy->data()));
  CHECK(copy->headroom() == b->headroom());
  CHECK(copy->arrivalPort() == 3);
  CHECK(copy->timestamp() == PacketTimestamp{1700000000, 123456789});
  CHECK(copy->owner() == 2);
  copy->data()[0] ^= 0xFF;
  CHECK(b->data()[0] != copy->data()[0]);
}

TEST_CASE("packet pool: copying a stale handle, or with no free buffer, gives the invalid handle") {
  PacketPool pool(small(1));
  PacketHandle h = pool.allocate(kDispatcherOwner);
  CHECK_FALSE(pool.copy(h, kDispatcherOwner));  // exhausted
  pool.free(h);
  CHECK_FALSE(pool.copy(h, kDispatcherOwner));  // stale
  CHECK(pool.available() == 1);
}

TEST_CASE("packet pool: freeing all an owner holds frees exactly that owner's buffers") {
  PacketPool pool(small(8));
  std::vector<PacketHandle> ext1, ext2;
  for (int i = 0; i < 3; ++i) ext1.push_back(pool.allocate(1));
  for (int i = 0; i < 2; ++i) ext2.push_back(pool.allocate(2));
  PacketHandle dispatcher = pool.allocate(kDispatcherOwner);
  pool.free(ext1[1]);  // one already gone: the owner's list must have dropped it
  CHECK(pool.heldBy(1) == 2);
  CHECK(pool.freeAllOwnedBy(1) == 2);
  CHECK(pool.heldBy(1) == 0);
  for (PacketHandle h : ext1) CHECK(pool.resolve(h) == nullptr);
  for (PacketHandle h : ext2) CHECK(pool.resolve(h) != nullptr);
  CHECK(pool.resolve(dispatcher) != nullptr);
  CHECK(pool.freeAllOwnedBy(1) == 0);
  CHECK(pool.available() == 8 - 3);
}

TEST_CASE("packet pool: a buffer handed to another owner is freed with that owner's") {
  PacketPool pool(small(4));
  PacketHandle h = pool.allocate(kDispatcherOwner);
  CHECK(pool.setOwner(h, 3));
  CHECK(pool.resolve(h)->owner() == 3);
  CHECK(pool.heldBy(kDispatcherOwner) == 0);
  CHECK(pool.freeAllOwnedBy(kDispatcherOwner) == 0);
  CHECK(pool.freeAllOwnedBy(3) == 1);
  CHECK(pool.resolve(h) == nullptr);
}

TEST_CASE("packet pool: an owner number out of range is refused") {
  PacketPool pool(small(2));
  CHECK_FALSE(pool.allocate(4));
  PacketHandle h = pool.allocate(0);
  CHECK_FALSE(pool.setOwner(h, 4));
  CHECK_FALSE(pool.copy(h, 99));
  CHECK(pool.freeAllOwnedBy(99) == 0);
  CHECK(pool.available() == 1);
}

TEST_CASE("packet pool: handleOf gives back the live handle of a buffer") {
  PacketPool pool(small(2));
  PacketHandle h = pool.allocate(1);
  CHECK(pool.handleOf(*pool.resolve(h)) == h);
  PacketBuffer outside;
  CHECK_FALSE(pool.handleOf(outside));
}

TEST_CASE("packet pool: bad options are refused naming the option and its value") {
  PacketPoolOptions o = small();
  o.count = 0;
  CHECK(validatePacketPoolOptions(o).find("count is 0") != std::string::npos);
  o.count = kMaxPacketPoolCount + 1;
  CHECK(validatePacketPoolOptions(o).find("count 16777217") != std::string::npos);
  o = small();
  o.dataSize = 1u << 21;
  CHECK(validatePacketPoolOptions(o).find("headroom + dataSize + tailroom") != std::string::npos);
  o = small();
  o.count = kMaxPacketPoolCount;
  o.dataSize = 4096;
  CHECK(validatePacketPoolOptions(o).find("bytes is more than") != std::string::npos);
  o = small();
  o.owners = 0;
  CHECK_THROWS_AS(PacketPool{o}, std::invalid_argument);
  CHECK(validatePacketPoolOptions(small()).empty());
}

TEST_CASE("packet pool: buffers do not overlap and each is cache-line aligned") {
  PacketPool pool(small(4));
  std::vector<PacketBuffer*> all;
  for (int i = 0; i < 4; ++i) all.push_back(pool.resolve(pool.allocate(0)));
  for (PacketBuffer* b : all) {
    REQUIRE(b->pushHead(32));
    CHECK(reinterpret_cast<uintptr_t>(b->data()) % 64 == 0);
    std::fill(b->data(), b->data() + 32, static_cast<uint8_t>(b - all[0]));
  }
  for (PacketBuffer* b : all) CHECK(b->data()[0] == static_cast<uint8_t>(b - all[0]));
}
