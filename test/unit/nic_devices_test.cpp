// The NIC side of Host, Buffer and Peer (stdlib/*.spi), with in-process test doubles of the host (the NIC's host
// messages, read back here) and of peer devices (RecordingPeer). Collector.spx and Relay.spx are the extensions.
#include <doctest/doctest.h>

#include "NicTestSupport.h"
#include "PcapTestSupport.h"
#include "nic/Nic.h"
#include "ports/MemoryPort.h"
#include "ports/PcapPort.h"
#include "spine/wire.h"

using namespace spine;

namespace {

const std::string kCapture = std::string(SPINE_SOURCE_DIR) + "/test/Inputs/pcap/veth-mix.pcap";

// A decoded Event message of a runtime interface (docs/messages.md, "Messages of the runtime's interfaces").
struct HostEvent {
  uint64_t fingerprint = 0;
  uint16_t index = 0;
  std::vector<uint8_t> payload;
  int64_t word(size_t k) const { return static_cast<int64_t>(spine_wire_load_le(payload.data() + 8 * k, 8)); }
};

std::vector<HostEvent> events(nicrt::Nic &nic) {
  std::vector<HostEvent> out;
  for (const auto &m : nic.takeHostMessages()) {
    REQUIRE(m.size() >= SPINE_WIRE_HEADER_SIZE);
    spine_wire_header h = spine_wire_header_load(m.data());
    REQUIRE(h.kind == SPINE_WIRE_EVENT);
    REQUIRE(h.length == m.size() - SPINE_WIRE_HEADER_SIZE);
    out.push_back({h.fingerprint, h.index, {m.begin() + SPINE_WIRE_HEADER_SIZE, m.end()}});
  }
  return out;
}

// The Host.Notify codes among `evs`, in order (Host's fingerprint: the one event of that kind with 8 bytes).
std::vector<int64_t> notifications(const std::vector<HostEvent> &evs, uint64_t hostFingerprint) {
  std::vector<int64_t> codes;
  for (const HostEvent &e : evs)
    if (e.fingerprint == hostFingerprint && e.index == 0 && e.payload.size() == 8) codes.push_back(e.word(0));
  return codes;
}

uint64_t fingerprintOf(const char *name) {
  for (const auto &i : nicrt::Runtime::exportedInterfaces())
    if (i.name == name) return i.fingerprint;
  FAIL("interface " << name << " is not exported");
  return 0;
}

// A peer device that records what it receives.
struct RecordingPeer final : nicrt::PeerDevice {
  bool isUp = true;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> packets, messages;
  bool up() const noexcept override { return isUp; }
  void receivePacket(uint32_t from, std::span<const uint8_t> frame) noexcept override {
    packets.emplace_back(from, std::vector<uint8_t>(frame.begin(), frame.end()));
  }
  void receiveMessage(uint32_t from, std::span<const uint8_t> data) noexcept override {
    messages.emplace_back(from, std::vector<uint8_t>(data.begin(), data.end()));
  }
};

std::unique_ptr<nicrt::Nic> makeNic(nicrt::NicOptions o = {}) {
  o.debuggerSupport = false;
  return std::make_unique<nicrt::Nic>(o);
}

void addCapture(nicrt::Nic &nic) {
  std::string error;
  auto port = nicrt::PcapPort::open({kCapture, "", false}, error);
  REQUIRE_MESSAGE(port, error);
  nic.addPort(std::move(port));
}

}  // namespace

TEST_CASE("buffers: an extension fills an application buffer from a real capture; the host reads the bytes in place") {
  auto nic = makeNic();
  addCapture(*nic);
  nicrt::DeployResult d = nic->deploy(nic_test::loadImage("Collector"));
  REQUIRE_MESSAGE(d, d.error);
  std::vector<uint8_t> memory(64 * 1024, 0xEE);  // the host's buffer (in the shared region, with a host)
  REQUIRE(nic->registerBuffer(d.id, 77, memory));
  CHECK_FALSE(nic->registerBuffer(d.id, 77, memory));       // the host's number is taken
  CHECK_FALSE(nic->registerBuffer(d.id + 9, 78, memory));   // no such extension
  nic->runUntilInputsEnd();

  std::vector<pcaptest::Record> records = pcaptest::readAll(kCapture);
  REQUIRE(records.size() == 32);
  std::vector<uint8_t> expected;
  for (const auto &r : records) expected.insert(expected.end(), r.bytes.begin(), r.bytes.end());
  REQUIRE(expected.size() < memory.size());
  // The bytes are where the extension wrote them, with no copy on the host's side; nothing beyond was touched.
  CHECK(std::equal(expected.begin(), expected.end(), memory.begin()));
  CHECK(std::all_of(memory.begin() + static_cast<std::ptrdiff_t>(expected.size()), memory.end(),
                    [](uint8_t b) { return b == 0xEE; }));
  // One Buffer.Notify per packet: the host's number and the bytes ready so far.
  std::vector<HostEvent> evs = events(*nic);
  uint64_t bufferFp = fingerprintOf("Buffer");
  std::vector<int64_t> ready;
  for (const HostEvent &e : evs)
    if (e.fingerprint == bufferFp) {
      CHECK(e.index == 0);
      REQUIRE(e.payload.size() == 16);
      CHECK(e.word(0) == 77);
      ready.push_back(e.word(1));
    }
  REQUIRE(ready.size() == 32);
  CHECK(ready.back() == static_cast<int64_t>(expected.size()));
  // Host.Room for the first packet (the queue was empty), Host.Attached for the second.
  std::vector<int64_t> codes = notifications(evs, fingerprintOf("Host"));
  REQUIRE(codes.size() == 2);
  CHECK(codes[0] == static_cast<int64_t>(nicrt::NicOptions{}.hostQueueMessages));
  CHECK(codes[1] == 101);
  auto info = nic->extensions();
  CHECK(info[0].counters.buffers == 1);
  CHECK(info[0].counters.dropped == 32);
  CHECK(info[0].counters.faults == 0);
}

TEST_CASE("buffers: Write past the end raises OutOfRange writing nothing; an unregistered capability reaches nothing") {
  nicrt::NicOptions o;
  o.hostAttached = false;
  auto nic = makeNic(o);
  auto port = std::make_unique<nicrt::MemoryPort>();
  nicrt::MemoryPort *in = port.get();
  nic->addPort(std::move(port));
  nicrt::DeployResult d = nic->deploy(nic_test::loadImage("Collector"));
  REQUIRE_MESSAGE(d, d.error);
  std::vector<uint8_t> packet(40, 0xAB);
  in->inject(packet);  // before any buffer: Host.Notify(-2)
  while (nic->poll()) {
  }
  std::vector<uint8_t> memory(100, 0);
  REQUIRE(nic->registerBuffer(d.id, 5, memory));
  in->inject(packet);  // fits: 40
  in->inject(packet);  // fits: 80
  in->inject(packet);  // 120 > 100: OutOfRange, nothing written
  while (nic->poll()) {
  }
  CHECK(std::all_of(memory.begin(), memory.begin() + 80, [](uint8_t b) { return b == 0xAB; }));
  CHECK(std::all_of(memory.begin() + 80, memory.end(), [](uint8_t b) { return b == 0; }));
  REQUIRE(nic->unregisterBuffer(d.id, 5));
  CHECK_FALSE(nic->unregisterBuffer(d.id, 5));
  std::fill(memory.begin(), memory.end(), 0);
  in->inject(std::vector<uint8_t>(1, 0xCD));  // the old capability: a buffer of size 0
  while (nic->poll()) {
  }
  CHECK(std::all_of(memory.begin(), memory.end(), [](uint8_t b) { return b == 0; }));
  std::vector<int64_t> codes = notifications(events(*nic), fingerprintOf("Host"));
  // -2 (no buffer), Room, then Attached FALSE (100), -1 (past the end), -1 (unregistered).
  CHECK(codes == std::vector<int64_t>{static_cast<int64_t>(o.hostQueueMessages), -2, 100, -1, -1});
  CHECK(nic->extensions()[0].counters.faults == 0);
}

TEST_CASE("buffers: a buffer registered for one extension is out of reach of another, and goes with its extension") {
  auto nic = makeNic();
  auto port = std::make_unique<nicrt::MemoryPort>();
  nicrt::MemoryPort *in = port.get();
  nic->addPort(std::move(port));
  nicrt::DeployResult a = nic->deploy(nic_test::loadImage("Collector"));
  nicrt::DeployResult b = nic->deploy(nic_test::loadImage("Collector"));
  REQUIRE(a);
  REQUIRE(b);
  std::vector<uint8_t> mine(64, 0), theirs(64, 0);
  REQUIRE(nic->registerBuffer(a.id, 1, mine));
  REQUIRE(nic->registerBuffer(b.id, 1, theirs));  // host numbers are per extension
  in->inject(std::vector<uint8_t>(10, 0x11));
  while (nic->poll()) {
  }
  // The first Collector drops the packet: only it wrote, and only into its own buffer.
  CHECK(mine[0] == 0x11);
  CHECK(theirs[0] == 0);
  REQUIRE(nic->unload(a.id));
  CHECK_FALSE(nic->unregisterBuffer(a.id, 1));  // gone with its extension
  CHECK(nic->unregisterBuffer(b.id, 1));
}

TEST_CASE("peers: packets go to a reachable peer device without the host; an unreachable one leaves the packet") {
  nicrt::NicOptions o;
  o.peerDevice = 3;
  auto nic = makeNic(o);
  addCapture(*nic);
  RecordingPeer peer;
  CHECK_FALSE(nic->attachPeer(3, &peer));   // its own number
  CHECK_FALSE(nic->attachPeer(64, &peer));  // beyond Peer.Device
  REQUIRE(nic->attachPeer(1, &peer));
  CHECK_FALSE(nic->attachPeer(1, &peer));   // taken
  nicrt::DeployResult d = nic->deploy(nic_test::loadImage("Relay"));
  REQUIRE_MESSAGE(d, d.error);
  nic->runUntilInputsEnd();
  std::vector<pcaptest::Record> records = pcaptest::readAll(kCapture);
  REQUIRE(peer.packets.size() == records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    CHECK(peer.packets[i].first == 3);
    CHECK(peer.packets[i].second == records[i].bytes);
  }
  auto info = nic->extensions();
  CHECK(info[0].counters.forwarded == records.size());
  CHECK(nic->counters().unclaimed == 0);  // a forward claims the packet
  CHECK(nic->pool().inUse() == 0);        // and frees its buffer
  // Host.Notify(1000 + Peer.Self()) from the module body.
  CHECK(notifications(events(*nic), fingerprintOf("Host")) == std::vector<int64_t>{1003});

  // The device goes down: Forward raises Unreachable, the packet stays the extension's (it drops it).
  peer.isUp = false;
  nicrt::MemoryPort *in = nullptr;
  {
    auto port = std::make_unique<nicrt::MemoryPort>();
    in = port.get();
    nic->addPort(std::move(port));
  }
  in->inject(std::vector<uint8_t>(20, 7));
  while (nic->poll()) {
  }
  CHECK(peer.packets.size() == records.size());
  CHECK(notifications(events(*nic), fingerprintOf("Host")) == std::vector<int64_t>{-1});
  CHECK(nic->extensions()[0].counters.dropped == 1);
  CHECK(nic->pool().inUse() == 0);
}

TEST_CASE("peers: a message from a peer reaches Peer.Received as a copy, and the extension answers the sender") {
  auto nic = makeNic();
  RecordingPeer two, five;
  REQUIRE(nic->attachPeer(2, &two));
  REQUIRE(nic->attachPeer(5, &five));
  nicrt::DeployResult d = nic->deploy(nic_test::loadImage("Relay"));
  REQUIRE_MESSAGE(d, d.error);
  (void)nic->takeHostMessages();
  const std::vector<uint8_t> hello = {'h', 'e', 'l', 'l', 'o'};
  nic->peerMessage(2, hello);
  nic->peerMessage(5, {});
  nic->detachPeer(5);
  nic->peerMessage(5, hello);  // the sender is gone: the answer raises Unreachable
  REQUIRE(two.messages.size() == 1);
  CHECK(two.messages[0].first == 0);
  CHECK(two.messages[0].second == hello);
  REQUIRE(five.messages.size() == 1);
  CHECK(five.messages[0].second.empty());
  CHECK(notifications(events(*nic), fingerprintOf("Host")) == std::vector<int64_t>{5, 0, 5, -3});
  auto info = nic->extensions();
  CHECK(info[0].counters.peerReceived == 3);
  CHECK(info[0].counters.peerSent == 2);
}

TEST_CASE("buffers: Write and Notify refuse every range past the buffer, even at the largest offsets; NIL traps") {
  auto nic = makeNic();
  nicrt::DeployResult d = nic->deploy(nic_test::loadImage("BufferEdges"));
  REQUIRE_MESSAGE(d, d.error);
  std::vector<uint8_t> memory(16, 0);
  REQUIRE(nic->registerBuffer(d.id, 1, memory));
  CHECK(notifications(events(*nic), fingerprintOf("Host")) == std::vector<int64_t>{1, 1, 1, 1, 2});
  CHECK(memory[15] == 122);
  CHECK(std::all_of(memory.begin(), memory.begin() + 15, [](uint8_t b) { return b == 0; }));
  REQUIRE(nic->faults().size() == 1);
  CHECK(nic->faults()[0].trapKind == SPX_TRAP_NIL);
  CHECK(nic->faults()[0].message.find("BufferEdges.spx:25") != std::string::npos);
  CHECK(nic->extensions().empty());  // unloaded: the default policy
}

TEST_CASE("peers: a forwarded packet's handle is used up: a later Drop traps, and the peer got it once") {
  auto nic = makeNic();
  auto port = std::make_unique<nicrt::MemoryPort>();
  nicrt::MemoryPort *in = port.get();
  nic->addPort(std::move(port));
  RecordingPeer peer;
  REQUIRE(nic->attachPeer(1, &peer));
  nicrt::DeployOptions keep;
  keep.faultPolicy = nicrt::FaultPolicy::Keep;
  nicrt::DeployResult d = nic->deploy(nic_test::loadImage("ForwardTwice"), keep);
  REQUIRE_MESSAGE(d, d.error);
  in->inject(std::vector<uint8_t>{1, 2, 3});
  in->inject(std::vector<uint8_t>{4, 5, 6});
  while (nic->poll()) {
  }
  REQUIRE(peer.packets.size() == 2);
  CHECK(peer.packets[0].second == std::vector<uint8_t>{1, 2, 3});  // the write after the forward is not in it
  REQUIRE(nic->faults().size() == 2);
  CHECK(nic->faults()[0].trapKind == SPX_TRAP_PACKET_USED);
  CHECK(nic->faults()[0].message.find("ForwardTwice.spx:11") != std::string::npos);
  CHECK(nic->pool().inUse() == 0);
  CHECK(nic->counters().unclaimed == 0);
}
