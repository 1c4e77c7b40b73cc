// spine::host::Nic: one API for a NIC, in-process (the NIC core is a thread of this program: the embedded
// default for tests and the demo) or the spine-nic daemon (connected by name through its control socket). It
// deploys and unloads extensions, lists them with their counters, reports faults and logs, and gives the
// channel to each extension that the generated stubs take.
//
//   auto nic = spine::host::Nic::inProcess({.trustedKeys = {"dev.pub"}, .ports = {"pcap:in.pcap,out.pcap"}});
//   uint32_t fw = nic->deploy("firewall.spxo");
//   spine_gen::Firewall::FirewallClient client(nic->channel(fw));
//   client.AddRule(rule);
//
// Errors are typed: NicError (and its DeployError, NoSuchExtension, NicUnreachable) derive from
// spine::host::Error. Threads: every method may be called from any thread; they are serialised.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "spine/host/Channel.h"
#include "spine/host/Errors.h"
#include "spine/host/HostRegion.h"

namespace spine::host {

class NicError : public Error {
 public:
  using Error::Error;
};
// The image was refused: reasons() has one line per problem (signature, imports, fingerprints, module body...).
class DeployError : public NicError {
 public:
  DeployError(const std::string &what, std::vector<std::string> reasons)
      : NicError(what), reasons_(std::move(reasons)) {}
  const std::vector<std::string> &reasons() const { return reasons_; }

 private:
  std::vector<std::string> reasons_;
};
class NoSuchExtension : public NicError {
 public:
  using NicError::NicError;
};
// A spine-nic that does not exist, is not running, or went away.
class NicUnreachable : public NicError {
 public:
  using NicError::NicError;
};

enum class FaultPolicy { Unload, Restart, Keep };

struct ExtensionStatus {
  std::uint32_t id = 0;
  std::string module;
  std::string state;        // loaded, running, faulted, unloading
  std::string faultPolicy;  // unload, restart, keep
  std::uint64_t heapBytes = 0;
  std::uint64_t packets = 0, sent = 0, dropped = 0, faults = 0, events = 0, eventsRefused = 0, requests = 0,
                requestsRejected = 0;
};

struct FaultReport {
  std::uint32_t extension = 0;
  std::string module;
  std::string message;  // "file.spx:12: checked runtime error: range"
  std::string action;   // what the fault policy did: unloaded, restarted, kept, ...
};

struct InProcessOptions {
  std::string name = "nic0";
  std::vector<std::string> trustedKeys;  // public key files (.pub) whose images the NIC loads
  std::vector<std::string> ports;        // port specs, as spine-nic's --port: pcap:IN[,OUT]
  std::uint64_t fuel = 0;                // 0: the runtime's defaults
  std::uint64_t heapBytes = 0;
  std::uint32_t requestSlots = 1024, replySlots = 4096;  // the host channel's rings
  std::uint64_t bufferBytes = 16 << 20;                  // its part for application buffers
};

class Nic {
 public:
  // A NIC whose core is a thread of this program. Throws NicError for a bad key file or port.
  static std::unique_ptr<Nic> inProcess(const InProcessOptions &options);
  // The spine-nic named `name` ($XDG_RUNTIME_DIR/spine/NAME.sock, else /run/spine/NAME.sock), or the control
  // socket at `name` when it contains a '/'. Throws NicUnreachable, naming the NIC and the socket, at once.
  static std::unique_ptr<Nic> connect(const std::string &name);
  static std::string socketPath(const std::string &name);

  virtual ~Nic();
  Nic(const Nic &) = delete;
  Nic &operator=(const Nic &) = delete;

  // Deploys the signed image at `path`; its extension id. Throws DeployError with the NIC's reasons.
  virtual std::uint32_t deploy(const std::string &path, FaultPolicy policy = FaultPolicy::Unload) = 0;
  // Throws NoSuchExtension.
  virtual void unload(std::uint32_t id) = 0;
  virtual std::vector<ExtensionStatus> list() = 0;
  virtual std::vector<FaultReport> faults() = 0;
  virtual std::vector<std::string> logs(std::size_t lines = 100) = 0;
  // The counters as spine-nic prints them (NIC, pool, ports, host channel, extensions), one line each.
  virtual std::vector<std::string> counters() = 0;
  // Adds a trusted key (a .pub file) for the images deployed from now on.
  virtual void trust(const std::string &publicKeyPath) = 0;

  // The channel to extension `id`, for the generated stubs (valid while this Nic lives).
  virtual Channel &channel(std::uint32_t id) = 0;
  // The host channel's region: application buffers (allocateBuffer, registerBuffer, onBufferReady).
  virtual HostRegion &region() = 0;
  // Adds a port (a spec as spine-nic's --port) to an in-process NIC, e.g. once its extensions and buffers are
  // ready; its number. spine-nic's ports are fixed at its start: NicError.
  virtual std::uint32_t addPort(const std::string &spec) = 0;
  virtual const std::string &name() const = 0;

 protected:
  Nic() = default;
};

}  // namespace spine::host
