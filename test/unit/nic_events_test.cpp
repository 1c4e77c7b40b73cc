// Events an extension raises to its host: the NIC-side encoder spinec generates (compiler/codegen/CGMessages.cpp)
// against the host-side decoder it generates for the stubs (AllTypes.h), through the NIC's host queue and a
// LoopbackChannel. Two generators written apart must agree on every byte of docs/messages.md.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "AllTypes.h"
#include "NicTestSupport.h"
#include "nic/Nic.h"
#include "ports/MemoryPort.h"

#include <spine/host/LoopbackChannel.h>

using namespace spine;

namespace {

// A NIC with one memory port, where packets arrive, and AllTypesNic deployed (it raises Tick and Data for each).
struct EventsNic {
  std::unique_ptr<nicrt::Nic> nic;
  nicrt::MemoryPort *in = nullptr;
  explicit EventsNic(size_t hostQueueMessages = nicrt::NicOptions{}.hostQueueMessages) {
    nicrt::NicOptions o;
    o.debuggerSupport = false;
    o.hostQueueMessages = hostQueueMessages;
    nic = std::make_unique<nicrt::Nic>(o);
    auto port = std::make_unique<nicrt::MemoryPort>();
    in = port.get();
    nic->addPort(std::move(port));
    nicrt::DeployResult d = nic->deploy(nic_test::loadImage("AllTypesNic"));
    REQUIRE_MESSAGE(d, d.error);
  }
  void run() {
    while (nic->poll()) {
    }
  }
};

}  // namespace

TEST_CASE("events raised on the NIC decode with the generated host stubs, every argument intact") {
  EventsNic t;
  const uint8_t packet[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
  t.in->inject(packet);
  t.in->inject(packet);
  t.run();
  std::vector<std::vector<uint8_t>> messages = t.nic->takeHostMessages();
  REQUIRE(messages.size() == 4);  // Tick and Data for each packet

  host::LoopbackChannel channel([](const host::Bytes &, host::LoopbackChannel &) {});
  spine_gen::AllTypes::AllTypesClient client(channel);
  int ticks = 0, data = 0;
  auto tick = client.onTick([&] { ++ticks; });
  auto sub = client.onData([&](const std::vector<uint8_t> &bytes, const std::vector<std::string> &names,
                               const spine_gen::AllTypes::Point &where, spine_gen::AllTypes::Color hue) {
    ++data;
    CHECK(bytes == std::vector<uint8_t>{0x11, 0x22, 0x33, 0x44});
    CHECK(names == std::vector<std::string>{"alpha", "", "gamma"});
    CHECK(where.x == -5);
    CHECK(where.y == 0);
    CHECK(hue == spine_gen::AllTypes::Color::Blue);
  });
  for (const auto &m : messages) channel.toHost(m);
  CHECK(ticks == 2);
  CHECK(data == 2);
  auto info = t.nic->extensions();
  REQUIRE(info.size() == 1);
  CHECK(info[0].counters.events == 4);
  CHECK(info[0].counters.eventsRefused == 0);
}

TEST_CASE("a full host queue refuses events and counts them: back-pressure, never a silent loss") {
  EventsNic t(3);
  const uint8_t packet[] = {1, 2, 3, 4};
  for (int i = 0; i < 5; ++i) t.in->inject(packet);
  t.run();
  auto info = t.nic->extensions();
  CHECK(info[0].counters.events == 3);
  CHECK(info[0].counters.eventsRefused == 7);
  CHECK(t.nic->takeHostMessages().size() == 3);
}
