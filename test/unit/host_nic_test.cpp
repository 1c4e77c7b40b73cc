// spine::host::Nic in-process: deploy, list, stubs live, faults, logs and unload through the one API that also
// drives spine-nic (test/nic/host_api_*.test), with the NIC core on its own thread.
#include <doctest/doctest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "AllTypes.h"
#include "AllTypesSample.h"
#include "PcapTestSupport.h"
#include "spine/abi.h"

#include <spine/host/Nic.h>

using namespace spine;
namespace at = spine_gen::AllTypes;

namespace {
const std::string kImages = SPINE_NIC_TEST_IMAGES;

std::unique_ptr<host::Nic> testNic() {
  host::InProcessOptions o;
  o.name = "test0";
  o.trustedKeys = {kImages + "/test.pub"};
  o.fuel = 1'000'000;
  return host::Nic::inProcess(o);
}
}  // namespace

TEST_CASE("host Nic in-process: deploy, call through the stubs, list with counters, faults, unload") {
  auto nic = testNic();
  uint32_t id = nic->deploy(kImages + "/AllTypesNic.spxo", host::FaultPolicy::Keep);
  at::AllTypesClient client(nic->channel(id));
  at::Everything e = all_types_test::sample();
  CHECK(client.Echo(e) == e);
  e.i = 5;
  CHECK_THROWS_AS(client.Echo(e), host::ExtensionTrapped);
  std::vector<host::ExtensionStatus> list = nic->list();
  REQUIRE(list.size() == 1);
  CHECK(list[0].id == id);
  CHECK(list[0].module == "AllTypesNic");
  CHECK(list[0].state == "running");
  CHECK(list[0].faultPolicy == "keep");
  CHECK(list[0].requests == 2);
  CHECK(list[0].faults == 1);
  std::vector<host::FaultReport> faults = nic->faults();
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].extension == id);
  CHECK(faults[0].message.find("AllTypesNic.spx:20: checked runtime error: division by zero") != std::string::npos);
  CHECK(faults[0].action == "kept");
  CHECK(nic->counters()[0].rfind("spine-nic test0: received 0", 0) == 0);
  nic->unload(id);
  CHECK(nic->list().empty());
  CHECK_THROWS_AS(nic->unload(id), host::NoSuchExtension);
  CHECK_THROWS_AS(client.Nop(), host::RequestRejected);  // the extension is gone: fails fast
}

TEST_CASE("host Nic in-process: refused deploys say why, and a bad key or port is an error at once") {
  auto nic = testNic();
  try {
    nic->deploy(kImages + "/missing.spxo");
    FAIL("deployed");
  } catch (const host::DeployError &x) {
    CHECK(std::string(x.what()).find("missing.spxo: cannot open") != std::string::npos);
  }
  try {
    nic->deploy(kImages + "/InitTraps.spxo");
    FAIL("deployed");
  } catch (const host::DeployError &x) {
    REQUIRE(!x.reasons().empty());
    CHECK(x.reasons()[0].find("module body failed") != std::string::npos);
  }
  auto untrusting = host::Nic::inProcess({});
  CHECK_THROWS_AS(untrusting->deploy(kImages + "/AllTypesNic.spxo"), host::DeployError);
  untrusting->trust(kImages + "/test.pub");
  CHECK(untrusting->deploy(kImages + "/AllTypesNic.spxo") == 1);
  host::InProcessOptions bad;
  bad.trustedKeys = {kImages + "/nope.pub"};
  CHECK_THROWS_AS(host::Nic::inProcess(bad), host::NicError);
  host::InProcessOptions badPort;
  badPort.ports = {"pcap:/nonexistent/in.pcap"};
  CHECK_THROWS_AS(host::Nic::inProcess(badPort), host::NicError);
  CHECK_THROWS_AS(host::Nic::connect("spine-test-no-such-nic"), host::NicUnreachable);
}

TEST_CASE("application buffers: an extension fills a host buffer from a real capture; the host reads it in place") {
  auto nic = testNic();
  uint32_t id = nic->deploy(kImages + "/Collector.spxo");
  host::HostRegion &region = nic->region();
  host::HostBuffer buffer = region.allocateBuffer(64 * 1024);
  std::fill(buffer.data, buffer.data + buffer.size, 0xEE);
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::pair<uint64_t, uint64_t>> ready;  // (buffer id, bytes ready) per Buffer.Notify
  auto sub = region.onBufferReady(id, [&](uint64_t bufferId, uint64_t length) {
    std::lock_guard<std::mutex> lock(m);
    ready.emplace_back(bufferId, length);
    cv.notify_all();
  });
  region.registerBuffer(id, buffer);
  CHECK_THROWS_AS(region.registerBuffer(id + 5, buffer), host::Error);  // no such extension: the NIC says so
  nic->addPort("pcap:" + std::string(SPINE_SOURCE_DIR) + "/test/Inputs/pcap/veth-mix.pcap");
  {
    std::unique_lock<std::mutex> lock(m);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return ready.size() == 32; }));
  }
  std::vector<pcaptest::Record> records = pcaptest::readAll(std::string(SPINE_SOURCE_DIR) + "/test/Inputs/pcap/veth-mix.pcap");
  std::vector<uint8_t> expected;
  for (const auto &r : records) expected.insert(expected.end(), r.bytes.begin(), r.bytes.end());
  CHECK(ready.back() == std::make_pair(buffer.id, uint64_t(expected.size())));
  // In place: the bytes are in the host's buffer, nothing past them touched, no copy made by the host.
  CHECK(std::equal(expected.begin(), expected.end(), buffer.data));
  CHECK(std::all_of(buffer.data + expected.size(), buffer.data + buffer.size, [](uint8_t b) { return b == 0xEE; }));
  region.unregisterBuffer(id, buffer);
  CHECK_THROWS_AS(region.unregisterBuffer(id, buffer), host::Error);  // already gone
  region.freeBuffer(buffer);
  CHECK_THROWS_AS(region.allocateBuffer(64u << 20), host::Error);    // more than the buffers part holds
}
