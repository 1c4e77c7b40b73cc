// PcapPort (nicrt/ports): the bundled real capture passes through unchanged, timestamps and precision are
// kept, the output opens in tcpdump, and bad inputs are refused naming the file (issue 8, item 7).
#include <doctest/doctest.h>

#include "PcapTestSupport.h"
#include "ports/PcapPort.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace spine::nicrt;
using pcaptest::Record;
using pcaptest::TempDir;

namespace {

const std::string kSample = std::string(SPINE_SOURCE_DIR) + "/test/Inputs/pcap/veth-mix.pcap";
const std::string kSampleNg = std::string(SPINE_SOURCE_DIR) + "/test/Inputs/pcap/veth-mix.pcapng";  // same packets

std::unique_ptr<PcapPort> openOrFail(const PcapPortConfig& config) {
  std::string error;
  auto port = PcapPort::open(config, error);
  INFO(error);
  REQUIRE(port);
  return port;
}

// Receives every packet of `port` and transmits it on `out`; returns the last status.
ReceiveStatus pump(PcapPort& port, PacketPool& pool, Port& out) {
  for (;;) {
    ReceiveResult r = port.receive(pool);
    if (r.status == ReceiveStatus::Dropped) continue;
    if (r.status != ReceiveStatus::Packet) return r.status;
    out.transmit(*pool.resolve(r.packet));
    pool.free(r.packet);
  }
}

Record frame(size_t size, int64_t sec, uint32_t nsec, uint32_t wireLength = 0) {
  Record r{sec, nsec, 0, wireLength, std::vector<uint8_t>(size)};
  for (size_t i = 0; i < size; ++i) r.bytes[i] = static_cast<uint8_t>(i);
  return r;
}

}  // namespace

TEST_CASE("pcap port: the bundled capture comes out with the same packets, bytes and timestamps") {
  TempDir dir;
  const std::string out = dir.file("out.pcap");
  PacketPool pool(PacketPoolOptions{});
  {
    auto port = openOrFail({kSample, out});
    CHECK(pump(*port, pool, *port) == ReceiveStatus::End);
    CHECK(port->eof());
    CHECK(port->counters().rxPackets == 32);
    CHECK(port->counters().txPackets == 32);
    CHECK(port->counters().drops == 0);
    CHECK(port->flush());
  }
  std::string error;
  auto expected = pcaptest::readAll(kSample, &error);
  REQUIRE(error.empty());
  REQUIRE(expected.size() == 32);
  auto actual = pcaptest::readAll(out, &error);
  CHECK(error.empty());
  CHECK(actual == expected);
  CHECK(pcaptest::magicOf(out) == 0xa1b2c3d4);  // microseconds in, microseconds out
  CHECK(pool.inUse() == 0);
}

TEST_CASE("pcap port: tcpdump reads what the port writes") {
  if (std::system("command -v tcpdump >/dev/null 2>&1") != 0) {
    MESSAGE("tcpdump is not installed (scripts/install-deps.sh installs it): not checked");
    return;
  }
  TempDir dir;
  const std::string out = dir.file("out.pcap");
  PacketPool pool(PacketPoolOptions{});
  {
    auto port = openOrFail({kSample, out});
    pump(*port, pool, *port);
  }
  const std::string listing = dir.file("listing.txt");
  CHECK(std::system(("tcpdump -nr '" + out + "' >'" + listing + "' 2>/dev/null").c_str()) == 0);
  std::ifstream in(listing);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  CHECK(lines == 32);
}

TEST_CASE("pcap port: nanosecond timestamps come out at nanosecond precision") {
  TempDir dir;
  const std::string in = dir.file("nano.pcap"), out = dir.file("out.pcap");
  std::vector<Record> records = {frame(60, 1700000000, 123456789), frame(1514, 1700000001, 999999999)};
  pcaptest::writeAll(in, records, DLT_EN10MB, /*nano=*/true);
  PacketPool pool(PacketPoolOptions{});
  {
    auto port = openOrFail({in, out});
    CHECK(port->nanosecondOutput());
    pump(*port, pool, *port);
  }
  CHECK(pcaptest::magicOf(out) == 0xa1b23c4d);
  auto actual = pcaptest::readAll(out);
  REQUIRE(actual.size() == 2);
  CHECK(actual[0].nsec == 123456789);
  CHECK(actual[1].sec == 1700000001);
  CHECK(actual[1].nsec == 999999999);
  CHECK(actual[1].bytes == records[1].bytes);
}

TEST_CASE("pcap port: a received packet carries the port's number and the file's timestamp") {
  PacketPool pool(PacketPoolOptions{});
  auto port = openOrFail({kSample, ""});
  port->setNumber(5);
  ReceiveResult r = port->receive(pool);
  REQUIRE(r.status == ReceiveStatus::Packet);
  const PacketBuffer* b = pool.resolve(r.packet);
  CHECK(b->arrivalPort() == 5);
  auto first = pcaptest::readAll(kSample).front();
  CHECK(b->timestamp() == PacketTimestamp{first.sec, first.nsec});
  CHECK(b->length() == first.caplen);
  CHECK(b->owner() == kDispatcherOwner);
}

TEST_CASE("pcap port: a missing input is refused naming the file") {
  std::string error;
  CHECK_FALSE(PcapPort::open({"/nonexistent/in.pcap", ""}, error));
  CHECK(error == "cannot open pcap input '/nonexistent/in.pcap': No such file or directory");
}

TEST_CASE("pcap port: a file cut inside its header is refused naming the file") {
  TempDir dir;
  const std::string in = dir.file("cut.pcap");
  std::filesystem::copy_file(kSample, in);
  std::filesystem::resize_file(in, 10);
  std::string error;
  CHECK_FALSE(PcapPort::open({in, ""}, error));
  CHECK(error.find("cannot read pcap input '" + in + "'") == 0);
  CHECK(error.find("truncated") != std::string::npos);
}

TEST_CASE("pcap port: a file cut inside a record delivers the packets before it, then an error naming the record") {
  TempDir dir;
  const std::string in = dir.file("cut.pcap");
  std::filesystem::copy_file(kSample, in);
  std::filesystem::resize_file(in, std::filesystem::file_size(in) - 10);
  PacketPool pool(PacketPoolOptions{});
  auto port = openOrFail({in, ""});
  int packets = 0;
  ReceiveResult r;
  while ((r = port->receive(pool)).status == ReceiveStatus::Packet) {
    ++packets;
    pool.free(r.packet);
  }
  CHECK(packets == 31);
  CHECK(r.status == ReceiveStatus::Error);
  CHECK(port->eof());
  CHECK(port->counters().errors == 1);
  CHECK(port->lastError().find("pcap input '" + in + "', record 32: truncated") == 0);
  CHECK(port->receive(pool).status == ReceiveStatus::End);
}

TEST_CASE("pcap port: a capture that is not Ethernet is refused naming the file and its link type") {
  TempDir dir;
  const std::string in = dir.file("sll.pcap");
  pcaptest::writeAll(in, {frame(40, 1, 0)}, DLT_LINUX_SLL);
  std::string error;
  CHECK_FALSE(PcapPort::open({in, ""}, error));
  CHECK(error == "pcap input '" + in + "' has link type LINUX_SLL (113); SPINE ports carry Ethernet frames " +
                     "(link type EN10MB (1))");
}

TEST_CASE("pcap port: a file that is not a capture is refused naming the file") {
  TempDir dir;
  const std::string in = dir.file("text.pcap");
  std::ofstream(in) << "this is not a capture file at all\n";
  std::string error;
  CHECK_FALSE(PcapPort::open({in, ""}, error));
  CHECK(error.find("cannot read pcap input '" + in + "': unknown file format") == 0);
}

TEST_CASE("pcap port: an output that cannot be created is refused naming the file") {
  std::string error;
  CHECK_FALSE(PcapPort::open({kSample, "/nonexistent/out.pcap"}, error));
  CHECK(error.find("cannot write pcap output '/nonexistent/out.pcap': ") == 0);
  CHECK(error.find("No such file or directory") != std::string::npos);
}

TEST_CASE("pcap port: a packet larger than a buffer is dropped with its reason") {
  PacketPoolOptions small;
  small.dataSize = 100;
  PacketPool pool(small);
  auto port = openOrFail({kSample, ""});
  uint64_t received = 0;
  for (ReceiveResult r; (r = port->receive(pool)).status != ReceiveStatus::End;)
    if (r.status == ReceiveStatus::Packet) {
      ++received;
      pool.free(r.packet);
    }
  const PortCounters& c = port->counters();
  CHECK(c.drops > 0);
  CHECK(c.dropsBy[size_t(PortDropReason::TooLarge)] == c.drops);
  CHECK(received + c.drops == 32);
  CHECK(port->lastDrop().find("larger than a buffer (100 bytes)") != std::string::npos);
}

TEST_CASE("pcap port: a packet that finds the pool empty is dropped with its reason") {
  PacketPoolOptions one;
  one.count = 1;
  PacketPool pool(one);
  auto port = openOrFail({kSample, ""});
  CHECK(port->receive(pool).status == ReceiveStatus::Packet);  // held, never freed
  CHECK(port->receive(pool).status == ReceiveStatus::Dropped);
  CHECK(port->counters().dropsBy[size_t(PortDropReason::PoolExhausted)] == 1);
  CHECK(port->lastDrop().find("no free buffer") != std::string::npos);
}

TEST_CASE("pcap port: a record the capture cut short is received with its captured bytes and counted") {
  TempDir dir;
  const std::string in = dir.file("snap.pcap");
  pcaptest::writeAll(in, {frame(64, 1, 0, /*wireLength=*/1500)});
  PacketPool pool(PacketPoolOptions{});
  auto port = openOrFail({in, ""});
  ReceiveResult r = port->receive(pool);
  REQUIRE(r.status == ReceiveStatus::Packet);
  CHECK(pool.resolve(r.packet)->length() == 64);
  CHECK(port->counters().rxTruncated == 1);
}

TEST_CASE("pcap port: sending on a port with no output file is a drop, not an error") {
  PacketPool pool(PacketPoolOptions{});
  auto port = openOrFail({kSample, ""});
  ReceiveResult r = port->receive(pool);
  CHECK_FALSE(port->transmit(*pool.resolve(r.packet)));
  CHECK(port->counters().dropsBy[size_t(PortDropReason::NoOutput)] == 1);
  CHECK(port->counters().errors == 0);
}

TEST_CASE("pcap port: an output-only port is at its end at once and writes microseconds") {
  TempDir dir;
  const std::string out = dir.file("out.pcap");
  PacketPool pool(PacketPoolOptions{});
  {
    auto port = openOrFail({"", out});
    CHECK(port->eof());
    CHECK(port->receive(pool).status == ReceiveStatus::End);
    PacketHandle h = pool.allocate(kDispatcherOwner);
    PacketBuffer* b = pool.resolve(h);
    auto f = frame(60, 1700000000, 123456789);
    b->assign(f.bytes);
    b->setTimestamp({f.sec, f.nsec});
    CHECK(port->transmit(*b));
  }
  CHECK(pcaptest::magicOf(out) == 0xa1b2c3d4);
  auto records = pcaptest::readAll(out);
  REQUIRE(records.size() == 1);
  CHECK(records[0].nsec == 123456000);  // microseconds: the nanoseconds below are cut
}

TEST_CASE("pcap port: a port needs an input or an output") {
  std::string error;
  CHECK_FALSE(PcapPort::open({"", ""}, error));
  CHECK(error == "pcap port: neither an input nor an output file was given");
}

TEST_CASE("pcap port: Wireshark (tshark) reads what the port writes, microseconds and nanoseconds") {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) {
    MESSAGE("tshark is not installed: not checked (tcpdump is, above)");
    return;
  }
  TempDir dir;
  const std::string micro = dir.file("micro.pcap"), nano = dir.file("nano.pcap");
  PacketPool pool(PacketPoolOptions{});
  {
    auto a = openOrFail({kSample, micro});
    pump(*a, pool, *a);
    auto b = openOrFail({kSampleNg, nano});
    pump(*b, pool, *b);
  }
  for (const std::string& out : {micro, nano}) {
    INFO(out);
    // tshark -r fails (status 2) on a file it cannot read; count what it lists.
    const std::string listing = out + ".txt";
    CHECK(std::system(("tshark -r '" + out + "' >'" + listing + "' 2>/dev/null").c_str()) == 0);
    std::ifstream in(listing);
    int lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    CHECK(lines == 32);
  }
}

TEST_CASE("pcap port: a pcapng input is read and written as pcap with nanosecond timestamps") {
  TempDir dir;
  const std::string out = dir.file("out.pcap");
  PacketPool pool(PacketPoolOptions{});
  {
    auto port = openOrFail({kSampleNg, out});
    CHECK(port->nanosecondOutput());
    pump(*port, pool, *port);
  }
  CHECK(pcaptest::magicOf(out) == 0xa1b23c4d);
  CHECK(pcaptest::readAll(out) == pcaptest::readAll(kSample));
}

TEST_CASE("pcap port: a failed write is an error naming the file, and every packet is sent or dropped") {
  if (!std::filesystem::exists("/dev/full")) return;  // Linux: writes fail with ENOSPC
  PacketPool pool(PacketPoolOptions{});
  auto port = openOrFail({kSample, "/dev/full"});
  pump(*port, pool, *port);
  port->flush();
  const PortCounters& c = port->counters();
  CHECK(c.errors == 1);
  CHECK(port->lastError() == "writing pcap output '/dev/full' failed: No space left on device");
  CHECK(c.dropsBy[size_t(PortDropReason::OutputFailed)] > 0);
  CHECK(c.txPackets + c.drops == c.rxPackets);
}
