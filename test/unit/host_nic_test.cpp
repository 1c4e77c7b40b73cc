// spine::host::Nic in-process: deploy, list, stubs live, faults, logs and unload through the one API that also
// drives spine-nic (test/nic/host_api_*.test), with the NIC core on its own thread.
#include <doctest/doctest.h>

#include "AllTypes.h"
#include "AllTypesSample.h"
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
