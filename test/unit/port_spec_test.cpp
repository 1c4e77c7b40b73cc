// openPort (nicrt/ports/PortSpec.h): the spellings of --port, and the errors for the others.
#include <doctest/doctest.h>

#include "PcapTestSupport.h"
#include "ports/PcapPort.h"
#include "ports/PortSpec.h"

using namespace spine::nicrt;

namespace {
const std::string kSample = std::string(SPINE_SOURCE_DIR) + "/test/Inputs/pcap/veth-mix.pcap";

std::string refusal(const std::string& spec) {
  std::string error;
  CHECK_FALSE(openPort(spec, error));
  return error;
}
}  // namespace

TEST_CASE("port spec: pcap:IN opens an input-only pcap port named by its spec") {
  std::string error;
  auto port = openPort("pcap:" + kSample, error);
  REQUIRE(port);
  CHECK(port->name() == "pcap:" + kSample);
  CHECK_FALSE(port->eof());
  CHECK(dynamic_cast<PcapPort*>(port.get()) != nullptr);
}

TEST_CASE("port spec: pcap:IN,OUT and pcap:,OUT open ports that write OUT") {
  pcaptest::TempDir dir;
  std::string error;
  auto both = openPort("pcap:" + kSample + "," + dir.file("a.pcap"), error);
  CHECK(both);
  auto outOnly = openPort("pcap:," + dir.file("b.pcap"), error);
  REQUIRE(outOnly);
  CHECK(outOnly->eof());
  CHECK(std::filesystem::exists(dir.file("b.pcap")));
}

TEST_CASE("port spec: malformed specs are refused quoting the spec") {
  CHECK(refusal("in.pcap") == "port 'in.pcap': expected KIND:ARGUMENTS, as pcap:IN[,OUT]");
  CHECK(refusal("pcap:") == "port 'pcap:': no file given (pcap:IN[,OUT], or pcap:,OUT for output only)");
  CHECK(refusal("pcap:a,") == "port 'pcap:a,': the output file after ',' is empty");
  CHECK(refusal("pcap:a,b,c").find("more than two files") != std::string::npos);
  CHECK(refusal("tap:x") == "port 'tap:x': unknown kind 'tap'; expected pcap:IN[,OUT]");
}

TEST_CASE("port spec: live interfaces and wires are refused as not supported yet") {
  CHECK(refusal("if:veth0").find("if ports (live interfaces and the wire between NICs) are not supported yet") !=
        std::string::npos);
  CHECK(refusal("wire:w0").find("not supported yet") != std::string::npos);
}

TEST_CASE("port spec: a pcap file that cannot be opened is refused quoting the spec and the file") {
  CHECK(refusal("pcap:/nonexistent/x.pcap") ==
        "port 'pcap:/nonexistent/x.pcap': cannot open pcap input '/nonexistent/x.pcap': No such file or directory");
}
