// PcapPort (PcapPort.h): libpcap reads the input at nanosecond precision and a pcap_dumper writes the output.
#include "ports/PcapPort.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace spine::nicrt {

namespace {

// What the first four bytes of a capture say about its timestamps. libpcap converts every file to the
// precision asked for, so the file's own precision can only be learnt from its magic number.
enum class FilePrecision { Micro, Nano, Unknown };

FilePrecision precisionOfMagic(const unsigned char m[4]) {
  const uint32_t big = uint32_t{m[0]} << 24 | uint32_t{m[1]} << 16 | uint32_t{m[2]} << 8 | m[3];
  const uint32_t little = uint32_t{m[3]} << 24 | uint32_t{m[2]} << 16 | uint32_t{m[1]} << 8 | m[0];
  for (uint32_t v : {big, little}) {
    if (v == 0xa1b2c3d4 || v == 0xa1b2cd34) return FilePrecision::Micro;  // pcap; Kuznetzov's modified pcap
    if (v == 0xa1b23c4d) return FilePrecision::Nano;
    if (v == 0x0a0d0d0a) return FilePrecision::Nano;  // pcapng: any resolution; keep nanoseconds to lose none
  }
  return FilePrecision::Unknown;
}

std::string linkTypeName(int dlt) {
  const char* name = pcap_datalink_val_to_name(dlt);
  return (name ? std::string(name) + " (" : std::string("(")) + std::to_string(dlt) + ")";
}

}  // namespace

std::unique_ptr<PcapPort> PcapPort::open(const PcapPortConfig& config, std::string& error) {
  if (config.input.empty() && config.output.empty()) {
    error = "pcap port: neither an input nor an output file was given";
    return nullptr;
  }
  std::string name = "pcap:" + config.input;
  if (!config.output.empty()) name += "," + config.output;
  std::unique_ptr<PcapPort> port(new PcapPort(config, std::move(name)));
  port->nanosecondOutput_ = config.nanosecondOutput;
  if (!config.input.empty() && !port->openInput(error)) return nullptr;
  if (!config.output.empty() && !port->openOutput(error)) return nullptr;
  return port;
}

PcapPort::PcapPort(const PcapPortConfig& config, std::string name) : Port(std::move(name)), config_(config) {}

PcapPort::~PcapPort() {
  closeInput();
  if (dumper_) pcap_dump_close(dumper_);  // flushes
  if (outputHandle_) pcap_close(outputHandle_);
}

bool PcapPort::openInput(std::string& error) {
  const std::string& path = config_.input;
  FILE* file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot open pcap input '" + path + "': " + std::strerror(errno);
    return false;
  }
  unsigned char magic[4] = {};
  const bool hasMagic = std::fread(magic, 1, sizeof magic, file) == sizeof magic;
  std::rewind(file);
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  input_ = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!input_) {
    std::fclose(file);  // libpcap closes the file only once it has accepted it
    error = "cannot read pcap input '" + path + "': " + (errbuf[0] ? errbuf : "not a capture file");
    return false;
  }
  const int dlt = pcap_datalink(input_);
  if (dlt != DLT_EN10MB) {
    error = "pcap input '" + path + "' has link type " + linkTypeName(dlt) +
            "; SPINE ports carry Ethernet frames (link type " + linkTypeName(DLT_EN10MB) + ")";
    closeInput();
    return false;
  }
  const int snaplen = pcap_snapshot(input_);
  inputSnaplen_ = snaplen > 0 ? static_cast<uint32_t>(snaplen) : 0;
  if (hasMagic) nanosecondOutput_ = precisionOfMagic(magic) == FilePrecision::Nano;
  return true;
}

bool PcapPort::openOutput(std::string& error) {
  const std::string& path = config_.output;
  outputHandle_ = pcap_open_dead_with_tstamp_precision(
      DLT_EN10MB, kOutputSnaplen, nanosecondOutput_ ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  if (!outputHandle_) {
    error = "cannot write pcap output '" + path + "': libpcap could not make a handle";
    return false;
  }
  dumper_ = pcap_dump_open(outputHandle_, path.c_str());
  if (!dumper_) {
    error = "cannot write pcap output '" + path + "': " + pcap_geterr(outputHandle_);
    return false;
  }
  return true;
}

void PcapPort::closeInput() {
  if (input_) pcap_close(input_);
  input_ = nullptr;
}

ReceiveResult PcapPort::receive(PacketPool& pool, PacketOwner owner) {
  if (!input_) return {ReceiveStatus::End, {}};
  pcap_pkthdr* header = nullptr;
  const u_char* bytes = nullptr;
  const int got = pcap_next_ex(input_, &header, &bytes);
  if (got == PCAP_ERROR_BREAK) {
    closeInput();
    return {ReceiveStatus::End, {}};
  }
  if (got != 1) {
    countError("pcap input '" + config_.input + "', record " + std::to_string(recordsRead_ + 1) + ": " +
               pcap_geterr(input_));
    closeInput();
    return {ReceiveStatus::Error, {}};
  }
  ++recordsRead_;
  // Opened at nanosecond precision: tv_usec holds nanoseconds.
  const PacketTimestamp ts{static_cast<int64_t>(header->ts.tv_sec), static_cast<uint32_t>(header->ts.tv_usec)};
  return deliver(pool, owner, {bytes, header->caplen}, header->len, ts);
}

bool PcapPort::transmit(const PacketBuffer& packet) {
  if (!dumper_) {
    countDrop(PortDropReason::NoOutput, name() + ": dropped a packet sent to a port with no output file");
    return false;
  }
  if (outputFailed_) {
    countDrop(PortDropReason::OutputFailed, name() + ": dropped a packet: writing '" + config_.output + "' failed");
    return false;
  }
  if (packet.length() > kOutputSnaplen) {
    countDrop(PortDropReason::TooLarge, name() + ": dropped a packet of " + std::to_string(packet.length()) +
                                            " bytes, larger than a pcap record (" + std::to_string(kOutputSnaplen) +
                                            " bytes)");
    return false;
  }
  pcap_pkthdr header{};
  const PacketTimestamp ts = packet.timestamp();
  header.ts.tv_sec = static_cast<time_t>(ts.sec);
  header.ts.tv_usec = static_cast<suseconds_t>(nanosecondOutput_ ? ts.nsec : ts.nsec / 1000);
  header.caplen = header.len = packet.length();
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, packet.data());
  if (std::ferror(pcap_dump_file(dumper_))) {
    // The packet that met the failure is a drop too, so received = transmitted + dropped still holds.
    outputFailed_ = true;
    countError("writing pcap output '" + config_.output + "' failed: " + std::strerror(errno));
    countDrop(PortDropReason::OutputFailed, name() + ": dropped a packet: writing '" + config_.output + "' failed");
    return false;
  }
  countTransmit(packet.length());
  return true;
}

bool PcapPort::flush() {
  if (!dumper_ || outputFailed_) return !outputFailed_;
  if (pcap_dump_flush(dumper_) != 0) {
    outputFailed_ = true;
    countError("writing pcap output '" + config_.output + "' failed: " + std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace spine::nicrt
