// The NIC's ports: where packets come from and go to. The dispatcher polls each port for received packets
// and hands each one to the extensions; a packet an extension sends is transmitted on the port it names.
//
// A Port is an abstract device with four operations: receive (poll for the next packet into a pool buffer),
// transmit (write a packet's current bytes), flush, and eof (no packet will ever arrive again). Today there
// are PcapPort (pcap files in and out, PcapPort.h) and MemoryPort (a queue, for tests, MemoryPort.h); a live
// interface (AF_PACKET or AF_XDP), the in-memory wire between two NICs and the peer devices of a later issue
// are further subclasses beside them: nothing in the dispatcher depends on which kind a port is.
//
// Contract for every port:
// - receive never blocks. It allocates the buffer itself (owner given by the caller, usually the dispatcher),
//   fills in the bytes, the arrival port (this port's number) and the arrival timestamp, and reports one of the
//   ReceiveStatus outcomes. A packet that cannot be taken (larger than a buffer, pool exhausted) is consumed
//   and counted as a drop with its reason, as a real NIC does; the next call reads the next packet.
// - transmit writes the bytes and metadata of a buffer; the caller still owns the buffer and frees it.
// - Counters only grow. Nothing here is thread-safe: a port belongs to its NIC's dispatcher thread.
#pragma once

#include "packet/PacketPool.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace spine::nicrt {

enum class PortDropReason : uint8_t {
  TooLarge,       // received: more bytes than a buffer's dataSize; transmitted: more than the medium carries
  PoolExhausted,  // received while no buffer was free
  NoOutput,       // transmitted on a port that has no output (a pcap port given only an input file)
  OutputFailed,   // transmitted when or after the output failed (the failure itself is counted in errors)
};
inline constexpr size_t kPortDropReasons = 4;
const char* portDropReasonName(PortDropReason reason);

struct PortCounters {
  uint64_t rxPackets = 0, rxBytes = 0;  // packets received into buffers
  uint64_t txPackets = 0, txBytes = 0;  // packets written
  uint64_t rxTruncated = 0;             // received with fewer bytes than were on the wire (capture snaplen)
  uint64_t drops = 0;                   // the sum of dropsBy
  std::array<uint64_t, kPortDropReasons> dropsBy{};
  uint64_t errors = 0;                  // failed reads, writes and flushes (lastError says the latest)
};

enum class ReceiveStatus {
  Packet,   // a packet arrived: ReceiveResult::packet holds it
  Idle,     // nothing now; poll again later
  Dropped,  // a packet arrived and was dropped (counters say why); poll again
  End,      // no packet will ever arrive again (eof() is true)
  Error,    // reading failed (lastError says why); the input is closed, eof() is true
};

struct ReceiveResult {
  ReceiveStatus status = ReceiveStatus::Idle;
  PacketHandle packet;  // valid only with ReceiveStatus::Packet
};

class Port {
public:
  explicit Port(std::string name) : name_(std::move(name)) {}
  virtual ~Port() = default;
  Port(const Port&) = delete;
  Port& operator=(const Port&) = delete;

  // Poll for the next packet; see the contract above.
  virtual ReceiveResult receive(PacketPool& pool, PacketOwner owner = kDispatcherOwner) = 0;
  // Write the packet; false if it was dropped (counted with its reason) or the write failed (counted in errors).
  virtual bool transmit(const PacketBuffer& packet) = 0;
  // Push buffered output to the medium; false on failure (counted, lastError says why).
  virtual bool flush() = 0;
  // No packet will ever be received again (an input file consumed, or a port with no input).
  virtual bool eof() const = 0;

  // How the port was named ("pcap:in.pcap,out.pcap"), for messages and counters.
  const std::string& name() const { return name_; }
  // The number the NIC gave the port (0, 1, ... in the order of --port), stamped on every packet it receives.
  uint32_t number() const { return number_; }
  void setNumber(uint32_t n) { number_ = n; }

  const PortCounters& counters() const { return counters_; }
  const std::string& lastError() const { return lastError_; }  // "" if none yet
  const std::string& lastDrop() const { return lastDrop_; }    // the latest drop, one sentence; "" if none

protected:
  // Take `bytes` (and its timestamp) into a fresh buffer: what every receive does once it has a packet.
  // `wireLength` is the length the packet had on the medium (more than bytes.size() if the capture cut it).
  ReceiveResult deliver(PacketPool& pool, PacketOwner owner, std::span<const uint8_t> bytes, uint64_t wireLength,
                        PacketTimestamp timestamp);
  void countTransmit(uint32_t bytes) {
    ++counters_.txPackets;
    counters_.txBytes += bytes;
  }
  void countDrop(PortDropReason reason, std::string note);
  void countError(std::string message);

private:
  std::string name_;
  uint32_t number_ = 0;
  PortCounters counters_;
  std::string lastError_;
  std::string lastDrop_;
};

}  // namespace spine::nicrt
