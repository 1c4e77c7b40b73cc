// MemoryPort (nicrt/ports): the queue that stands for a wire in tests.
#include <doctest/doctest.h>

#include "ports/MemoryPort.h"

using namespace spine::nicrt;

TEST_CASE("memory port: injected packets are received in order with their timestamps, then idle") {
  PacketPool pool(PacketPoolOptions{});
  MemoryPort port;
  port.setNumber(2);
  const uint8_t a[] = {1, 2, 3}, b[] = {4, 5};
  port.inject(a, {10, 20});
  port.inject(b, {11, 0});
  ReceiveResult r1 = port.receive(pool), r2 = port.receive(pool);
  REQUIRE(r1.status == ReceiveStatus::Packet);
  REQUIRE(r2.status == ReceiveStatus::Packet);
  CHECK(pool.resolve(r1.packet)->length() == 3);
  CHECK(pool.resolve(r1.packet)->timestamp() == PacketTimestamp{10, 20});
  CHECK(pool.resolve(r2.packet)->data()[1] == 5);
  CHECK(pool.resolve(r2.packet)->arrivalPort() == 2);
  CHECK(port.receive(pool).status == ReceiveStatus::Idle);
  CHECK_FALSE(port.eof());
}

TEST_CASE("memory port: after closeInput the port ends once its queue is empty") {
  PacketPool pool(PacketPoolOptions{});
  MemoryPort port;
  const uint8_t a[] = {1};
  port.inject(a);
  port.closeInput();
  CHECK_FALSE(port.eof());
  CHECK(port.receive(pool).status == ReceiveStatus::Packet);
  CHECK(port.eof());
  CHECK(port.receive(pool).status == ReceiveStatus::End);
}

TEST_CASE("memory port: transmitted packets are kept with their current bytes and timestamps") {
  PacketPool pool(PacketPoolOptions{});
  MemoryPort port;
  PacketHandle h = pool.allocate(kDispatcherOwner);
  PacketBuffer* b = pool.resolve(h);
  const uint8_t bytes[] = {9, 8, 7};
  b->assign(bytes);
  b->setTimestamp({5, 6});
  REQUIRE(b->pushHead(1));
  CHECK(port.transmit(*b));
  REQUIRE(port.transmitted().size() == 1);
  CHECK(port.transmitted()[0] == MemoryPort::Frame{{0, 9, 8, 7}, {5, 6}});
  CHECK(port.counters().txBytes == 4);
  CHECK(port.take().size() == 1);
  CHECK(port.transmitted().empty());
}
