// A port backed by pcap files (libpcap): packets are received from an input capture and transmitted into an
// output capture, what `spine-nic --port pcap:IN[,OUT]` makes.
//
// Input. Any file libpcap reads (pcap, microsecond or nanosecond, either byte order; pcapng) whose link type
// is Ethernet (LINKTYPE_ETHERNET, DLT_EN10MB); any other link type is refused when the port is opened, naming
// the file and the link type. Timestamps are read at nanosecond precision, so nothing of the file's timestamps
// is lost. A record the capture cut short (its captured length below its length on the wire, the file's
// snaplen) is received with the bytes captured and counted in rxTruncated. A record longer than a buffer's
// dataSize is dropped (PortDropReason::TooLarge). A read error (a truncated file) is counted in errors, names
// the file and the record, and ends the input: the packets before it were received.
//
// The input is read as fast as it is polled: timestamps are carried with the packets, not replayed in real time.
//
// Output. A pcap file (not pcapng), link type Ethernet, snaplen 262144 (what tcpdump and Wireshark expect),
// each packet written whole with its timestamp (the arrival timestamp it was received with, kept by copies).
// Timestamps are written at nanosecond precision if the input file had nanosecond (or pcapng) timestamps,
// else at microsecond precision, so a capture passed through a NIC comes out as it went in; an output-only port
// writes microseconds unless told otherwise. A packet longer than 262144 bytes cannot be a pcap record that
// Wireshark reads: it is dropped (TooLarge). Output is buffered by stdio: flush() writes it out, and the
// destructor flushes and closes.
#pragma once

#include "ports/Port.h"

#include <memory>
#include <optional>
#include <string>

typedef struct pcap pcap_t;
typedef struct pcap_dumper pcap_dumper_t;

namespace spine::nicrt {

struct PcapPortConfig {
  std::string input;   // the capture to read; empty for an output-only port
  std::string output;  // the capture to write (created or truncated); empty for an input-only port
  // For an output-only port: write nanosecond timestamps. (With an input, the input decides.)
  bool nanosecondOutput = false;
};

class PcapPort final : public Port {
public:
  // Opens the files; on failure returns null and sets `error` to one sentence naming the file.
  static std::unique_ptr<PcapPort> open(const PcapPortConfig& config, std::string& error);
  ~PcapPort() override;

  ReceiveResult receive(PacketPool& pool, PacketOwner owner = kDispatcherOwner) override;
  bool transmit(const PacketBuffer& packet) override;
  bool flush() override;
  bool eof() const override { return input_ == nullptr; }

  bool nanosecondOutput() const { return nanosecondOutput_; }
  // The input's snaplen as its header says (0 for an output-only port).
  uint32_t inputSnaplen() const { return inputSnaplen_; }

  // The largest record written (the output's snaplen).
  static constexpr uint32_t kOutputSnaplen = 262144;

private:
  PcapPort(const PcapPortConfig& config, std::string name);
  bool openInput(std::string& error);
  bool openOutput(std::string& error);
  void closeInput();

  PcapPortConfig config_;
  pcap_t* input_ = nullptr;
  pcap_t* outputHandle_ = nullptr;  // a "dead" handle that carries the output's link type and precision
  pcap_dumper_t* dumper_ = nullptr;
  bool outputFailed_ = false;
  bool nanosecondOutput_ = false;
  uint32_t inputSnaplen_ = 0;
  uint64_t recordsRead_ = 0;
};

}  // namespace spine::nicrt
