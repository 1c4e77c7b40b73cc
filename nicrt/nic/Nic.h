// The emulated SmartNIC: ports, a packet pool, and the extensions deployed on it, driven by one dispatcher
// thread (the "NIC core"). docs/nic.md describes the dispatcher's rules.
//
//   spine::nicrt::Nic nic({.pool = {.count = 4096}});
//   nic.addPort(std::move(pcapPort));                     // ports 0, 1, ... in the order added
//   auto d = nic.deploy(*image::readImage(bytes, trusted).image);  // only verified images deploy
//   if (!d) report(d.error);                              // nothing running is disturbed
//   while (nic.poll()) {}                                 // or runUntilInputsEnd()
//
// Threads. Every call on a Nic, deploy and unload included, must come from its dispatcher thread: the one
// that polls. So an extension is never invoked re-entrantly or from two threads, and its module variables
// need no locks. Users scale by running more NICs (joined by the peer channel, a later issue).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "image/Image.h"
#include "nic/HostChannel.h"
#include "packet/PacketPool.h"
#include "ports/Port.h"
#include "spine/nicrt/Runtime.h"

namespace spine::nicrt {

// What happens to an extension that traps (any checked runtime error, fuel, stack, heap quota).
enum class FaultPolicy {
  Unload,   // the default: it is removed; its handlers run no more
  Restart,  // it is loaded again from its image, with fresh module state (its body runs again)
  Keep,     // it stays, module state as the trap left it; the next event invokes it again
};
const char *faultPolicyName(FaultPolicy p);

enum class ExtensionState { Loaded, Running, Faulted, Unloading };
const char *extensionStateName(ExtensionState s);

struct DeployOptions {
  FaultPolicy faultPolicy = FaultPolicy::Unload;
  bool hasLimits = false;  // use `limits` instead of the NIC's
  Limits limits;
};

struct FaultRecord {
  uint32_t extension = 0;    // its id
  std::string module;
  uint32_t trapKind = 0;     // enum spx_trap_kind
  std::string message;       // "f.spx:12: checked runtime error: range"
  std::string action;        // what the fault policy did: "unloaded", "restarted", "kept", "restart failed: ..."
};

// A device on the NIC's peer channel (stdlib/Peer.spi): another NIC, a storage or a sink device, numbered
// 0..63. The NIC calls it on its dispatcher thread, with bytes valid during the call; it must not call back
// into the NIC (a device that is another NIC queues what it receives and delivers it from its own thread).
class PeerDevice {
 public:
  virtual ~PeerDevice() = default;
  virtual bool up() const noexcept { return true; }  // false: Peer.Reachable is FALSE, Forward raises Unreachable
  // A packet an extension of NIC `from` forwarded (Peer.Forward), as the bytes it held.
  virtual void receivePacket(uint32_t from, std::span<const uint8_t> frame) noexcept = 0;
  // A message an extension of NIC `from` sent (Peer.Send).
  virtual void receiveMessage(uint32_t from, std::span<const uint8_t> data) noexcept = 0;
};

struct NicOptions {
  PacketPoolOptions pool;
  Limits limits;             // every extension's, unless its DeployOptions say otherwise
  OutputSink output;         // what extensions write (IO, Log); empty: standard output
  bool debuggerSupport = true;
  size_t maxFaultRecords = 1000;  // the oldest are forgotten beyond this
  // The host channel's stand-in until the host runtime attaches (a later issue): events extensions raise are
  // queued here, up to this many messages; beyond, an event is refused and counted (back-pressure, not loss).
  size_t hostQueueMessages = 4096;
  bool hostAttached = true;  // Host.Attached: an in-process NIC's owner is its host; spine-nic has none yet
  uint32_t peerDevice = 0;   // this NIC's number on the peer channel (Peer.Self), 0..63
  // Called on the dispatcher thread once a fault's policy has been applied (FaultRecord::action says how).
  std::function<void(const FaultRecord &)> onFault;
};

struct ExtensionCounters {
  uint64_t invocations = 0;  // guards, handlers and module bodies run
  uint64_t packets = 0;      // packets its handlers were given
  uint64_t sent = 0;         // packets (and copies) it sent
  uint64_t dropped = 0;      // packets (and copies) it dropped
  uint64_t copies = 0;       // copies it made
  uint64_t copiesReclaimed = 0;  // copies it neither sent nor dropped, freed at the end of the invocation
  uint64_t faults = 0;
  uint64_t timerFirings = 0;    // Timer.Fired handlers run
  uint64_t events = 0;          // events it raised that the host channel took
  uint64_t eventsRefused = 0;   // events it raised that the channel could not take (full, or too big)
  uint64_t forwarded = 0;       // packets it forwarded to peer devices
  uint64_t peerSent = 0;        // messages it sent to peer devices
  uint64_t peerReceived = 0;    // Peer.Received handlers run
  uint64_t buffers = 0;         // application buffers registered for it (Buffer.Registered handlers run)
  uint64_t requests = 0;        // host requests it ran (replied Result, Exception or Trapped)
  uint64_t requestsRejected = 0;  // host requests refused before running (malformed, unknown, ...)
};

struct NicCounters {
  uint64_t received = 0;      // packets taken from the ports
  uint64_t unclaimed = 0;     // no handler sent or dropped them: dropped by the NIC
  uint64_t sent = 0;          // transmitted (or attempted) on a port by an extension
  uint64_t sentToMissingPort = 0;  // sent to a port number the NIC does not have: dropped
  uint64_t dropped = 0;       // dropped by an extension
  uint64_t releasedByFault = 0;    // buffers freed because the invocation holding them trapped
};


struct ExtensionInfo {
  uint32_t id = 0;
  std::string module;
  ExtensionState state = ExtensionState::Loaded;
  FaultPolicy faultPolicy = FaultPolicy::Unload;
  ExtensionCounters counters;
  size_t heapUsed = 0;
  PacketOwner owner = 0;  // the pool owner its packets carry while it holds them
};

struct DeployResult {
  uint32_t id = 0;    // the new extension's, when ok
  std::string error;  // why the image was refused (one line per problem), else empty
  explicit operator bool() const { return error.empty(); }
};

class Nic {
 public:
  explicit Nic(NicOptions options = {});
  ~Nic();
  Nic(const Nic &) = delete;
  Nic &operator=(const Nic &) = delete;

  // Adds a port; returns its number (0, 1, ... in the order added, at most 16: Packet.Port is [0..15]).
  uint32_t addPort(std::unique_ptr<Port> port);
  Port *port(uint32_t number);
  size_t portCount() const;

  // Loads, links and initialises an extension (its module bodies run now). A refused image, or one whose
  // body traps, leaves everything running as it was.
  DeployResult deploy(const image::VerifiedImage &image, DeployOptions options = {});
  // Removes an extension between two events; false if there is none with this id.
  bool unload(uint32_t id);
  // Deploys `image` in the place of extension `id` (same position in the dispatch order), then removes the old
  // one, between two events. If the new image is refused the old one keeps running.
  DeployResult replace(uint32_t id, const image::VerifiedImage &image, DeployOptions options = {});

  // One round: at most one packet from each port, each dispatched to the extensions. False when no port had a
  // packet (all idle or at their end).
  bool poll();
  // Polls until every port's input has ended, then flushes every port's output.
  void runUntilInputsEnd();
  bool inputsEnded() const;
  // Whether any extension has a timer running (Timer.Start): then poll() has work even with idle ports.
  bool flush();
  bool hasTimers() const;
  // Whether replies wait for room in the host channel's ring: until the host reads, the NIC takes no request, so
  // a core loop should give its CPU away (the host's threads may need it) rather than spin.
  bool waitingForHost() const;

  // Dispatches a packet the caller allocated from pool() (held by the dispatcher, owner 0): for tests and for
  // ports that are not polled. The packet is gone afterwards.
  void dispatch(PacketHandle packet);

  PacketPool &pool();
  const NicCounters &counters() const;
  std::vector<ExtensionInfo> extensions() const;
  // The extension deployed as `id`, or nullptr: for benchmarks and tests that invoke its procedures directly
  // (on the dispatcher thread, on packets they gave its owner), as the dispatcher would.
  Extension *extension(uint32_t id);
  const std::deque<FaultRecord> &faults() const;

  // A request message from the host to extension `id` (docs/messages.md), served now, between two packets: the
  // extension's generated dispatcher decodes it, runs the request and encodes the reply. Its one reply joins
  // the host messages below; replies are never refused for room, since the host bounds its own pending calls.
  // A request for an extension that does not exist or is not running gets a Rejected reply naming why. A trap
  // gives a Trapped reply and applies the extension's fault policy. False (and no reply) only for a message
  // shorter than the header, which names no call to answer.
  bool hostRequest(uint32_t id, std::span<const uint8_t> message);

  // Peer devices (stdlib/Peer.spi). `device` is the caller's and must outlive the NIC or be detached first.
  // False (nothing changes) if `number` is not 0..63, is this NIC's own, or is taken.
  bool attachPeer(uint32_t number, PeerDevice *device);
  void detachPeer(uint32_t number);
  // A message from peer device `from` to this NIC (Peer.Received): the guards, then the handlers, of every
  // running extension in dispatch order. The extensions read a copy that lasts for their invocation.
  void peerMessage(uint32_t from, std::span<const uint8_t> data);

  // Application buffers (stdlib/Buffer.spi): `memory` is the host's (in the shared region), registered for
  // extension `id` as the host's buffer number `hostId`, until unregistered or the extension goes (unload,
  // restart: a fresh extension has no capabilities). Raises Buffer.Registered to that extension only. False
  // (nothing changes) when no such extension runs, `hostId` is already registered for it, or the NIC already
  // holds kMaxBuffers. An extension reaches only the buffers registered for it.
  static constexpr size_t kMaxBuffers = 4096;
  bool registerBuffer(uint32_t id, uint64_t hostId, std::span<uint8_t> memory);
  // Its capability then behaves as a buffer of size 0 (Write and Notify raise OutOfRange). False if unknown.
  bool unregisterBuffer(uint32_t id, uint64_t hostId);

  // Whether a host application receives the host messages (Host.Attached).
  void setHostAttached(bool attached);
  // From now on requests come from, and replies and events go to, `channel`'s rings (the caller's; nullptr goes
  // back to the host queue). poll() serves up to 64 requests per round, between packets; a reply the host's
  // ring has no room for waits, and no request is taken meanwhile, so nothing accepted is lost.
  void attachHostChannel(HostChannel *channel);
  // The host detached: application buffers it registered through the channel are revoked, replies waiting for
  // it dropped, and both rings emptied for the next host.
  void resetHostChannel();
  const HostChannel *hostChannel() const;

  // The messages extensions sent to the host (events, wire format of docs/messages.md), oldest first, taken
  // out of the host channel's queue: what a host application would receive.
  std::vector<std::vector<uint8_t>> takeHostMessages();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace spine::nicrt
