// spine-nic: the emulated SmartNIC as a program. Ports (pcap files now), trusted keys, extensions deployed at
// start, limits; runs the dispatcher on its main thread (the NIC core) until SIGTERM/SIGINT or, with
// --exit-on-eof, until every input is consumed; then flushes every output and prints its counters.
// docs/spine-nic.md is the manual.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "image/ImageReader.h"
#include "image/Keys.h"
#include "nic/Nic.h"
#include "ports/PortSpec.h"

namespace {

using namespace spine;

volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

bool readFile(const std::string &path, std::string &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::optional<nicrt::FaultPolicy> parsePolicy(const std::string &s) {
  if (s == "unload") return nicrt::FaultPolicy::Unload;
  if (s == "restart") return nicrt::FaultPolicy::Restart;
  if (s == "keep") return nicrt::FaultPolicy::Keep;
  return std::nullopt;
}

void printCounters(const std::string &name, nicrt::Nic &nic) {
  const nicrt::NicCounters &c = nic.counters();
  std::fprintf(stderr,
               "spine-nic %s: received %llu, sent %llu, dropped %llu, unclaimed %llu, sent to a missing port %llu, "
               "released by faults %llu\n",
               name.c_str(), (unsigned long long)c.received, (unsigned long long)c.sent,
               (unsigned long long)c.dropped, (unsigned long long)c.unclaimed,
               (unsigned long long)c.sentToMissingPort, (unsigned long long)c.releasedByFault);
  for (size_t i = 0; i < nic.portCount(); ++i) {
    const nicrt::Port &p = *nic.port(static_cast<uint32_t>(i));
    const nicrt::PortCounters &pc = p.counters();
    std::fprintf(stderr, "  port %zu %s: rx %llu packets %llu bytes, tx %llu packets %llu bytes, drops %llu, errors %llu\n",
                 i, p.name().c_str(), (unsigned long long)pc.rxPackets, (unsigned long long)pc.rxBytes,
                 (unsigned long long)pc.txPackets, (unsigned long long)pc.txBytes, (unsigned long long)pc.drops,
                 (unsigned long long)pc.errors);
  }
  for (const nicrt::ExtensionInfo &x : nic.extensions())
    std::fprintf(stderr, "  extension %u %s (%s): packets %llu, sent %llu, dropped %llu, faults %llu\n", x.id,
                 x.module.c_str(), nicrt::extensionStateName(x.state), (unsigned long long)x.counters.packets,
                 (unsigned long long)x.counters.sent, (unsigned long long)x.counters.dropped,
                 (unsigned long long)x.counters.faults);
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"spine-nic: an emulated SmartNIC that runs SPINE extensions on its ports"};
  std::string name = "nic0";
  std::vector<std::string> portSpecs, trustPaths, deployPaths;
  bool exitOnEof = false, keepGoing = false;
  std::string policyName = "unload";
  nicrt::NicOptions options;
  uint64_t fuel = static_cast<uint64_t>(options.limits.fuel);
  app.add_option("--name", name, "The NIC's name (in messages and counters)")->capture_default_str();
  app.add_option("--port", portSpecs, "A port: pcap:IN[,OUT] or pcap:,OUT; numbered 0, 1, ... in order given");
  app.add_option("--trust", trustPaths, "A public key (.pub) whose signed images this NIC loads")
      ->check(CLI::ExistingFile);
  app.add_option("--deploy", deployPaths, "An image (.spxo) to deploy at start, in dispatch order")
      ->check(CLI::ExistingFile);
  app.add_flag("--keep-going", keepGoing, "A --deploy image that is refused is reported and skipped, not fatal");
  app.add_flag("--exit-on-eof", exitOnEof, "Stop once every pcap input is consumed and every output flushed");
  app.add_option("--fault-policy", policyName, "What happens to an extension that traps: unload, restart, keep")
      ->capture_default_str();
  app.add_option("--pool-size", options.pool.count, "Packet buffers in the pool")->capture_default_str();
  app.add_option("--buffer-size", options.pool.dataSize, "Largest packet a buffer holds, in bytes")
      ->capture_default_str();
  app.add_option("--headroom", options.pool.headroom, "Bytes before each packet, to grow at its head")
      ->capture_default_str();
  app.add_option("--tailroom", options.pool.tailroom, "Bytes after the largest packet, to grow at its tail")
      ->capture_default_str();
  app.add_option("--fuel", fuel, "Work budget of each invocation")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--stack", options.limits.stackBytes, "Stack of each invocation, in bytes")->capture_default_str();
  app.add_option("--heap", options.limits.heapBytes, "Heap quota of each extension, in bytes")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  options.limits.fuel = static_cast<int64_t>(std::min<uint64_t>(fuel, INT64_MAX));

  auto policy = parsePolicy(policyName);
  if (!policy) {
    std::fprintf(stderr, "spine-nic: error: --fault-policy %s: expected unload, restart or keep\n", policyName.c_str());
    return 2;
  }
  if (std::string e = nicrt::validatePacketPoolOptions(options.pool); !e.empty()) {
    std::fprintf(stderr, "spine-nic: error: %s\n", e.c_str());
    return 2;
  }
  if (!deployPaths.empty() && trustPaths.empty()) {
    std::fprintf(stderr, "spine-nic: error: --deploy needs at least one --trust key: the NIC loads only images "
                         "signed by a key it trusts\n");
    return 2;
  }
  std::vector<image::PublicKey> trusted;
  for (const std::string &path : trustPaths) {
    std::string err;
    auto key = image::readPublicKey(path, err);
    if (!key) {
      std::fprintf(stderr, "spine-nic: error: --trust %s: %s\n", path.c_str(), err.c_str());
      return 2;
    }
    trusted.push_back(*key);
  }

  options.onFault = [&name](const nicrt::FaultRecord &f) {
    std::fprintf(stderr, "spine-nic %s: extension %u (%s) trapped: %s; %s\n", name.c_str(), f.extension,
                 f.module.c_str(), f.message.c_str(), f.action.c_str());
  };
  nicrt::Nic nic(options);
  for (const std::string &spec : portSpecs) {
    std::string err;
    std::unique_ptr<nicrt::Port> port = nicrt::openPort(spec, err);
    if (!port) {
      std::fprintf(stderr, "spine-nic: error: --port %s: %s\n", spec.c_str(), err.c_str());
      return 2;
    }
    if (nic.addPort(std::move(port)) == UINT32_MAX) {
      std::fprintf(stderr, "spine-nic: error: --port %s: a NIC has at most 16 ports\n", spec.c_str());
      return 2;
    }
  }
  for (const std::string &path : deployPaths) {
    std::string bytes, err;
    if (!readFile(path, bytes, err)) {
      std::fprintf(stderr, "spine-nic: error: --deploy %s\n", err.c_str());
      return 2;
    }
    image::ReadResult read = image::readImage(bytes, trusted);
    if (!read.ok()) {
      std::fprintf(stderr, "spine-nic: error: --deploy %s: image refused: %s\n", path.c_str(), read.error.c_str());
      if (keepGoing) continue;
      return 2;
    }
    nicrt::DeployOptions d;
    d.faultPolicy = *policy;
    nicrt::DeployResult r = nic.deploy(*read.image, d);
    if (!r) {
      std::fprintf(stderr, "spine-nic: error: --deploy %s: image refused:\n%s\n", path.c_str(), r.error.c_str());
      if (keepGoing) continue;
      return 2;
    }
    std::fprintf(stderr, "spine-nic %s: deployed %s as extension %u (%s)\n", name.c_str(), path.c_str(), r.id,
                 read.image->manifest.module.c_str());
  }

  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  while (!gStop) {
    if (exitOnEof && nic.inputsEnded()) break;
    if (!nic.poll()) {
      if (exitOnEof && nic.inputsEnded()) break;
      struct timespec pause = {0, 200'000};  // idle: a real NIC core would wait for its rings
      nanosleep(&pause, nullptr);
    }
  }
  bool flushed = nic.flush();
  printCounters(name, nic);
  if (!flushed) {
    std::fprintf(stderr, "spine-nic %s: error: flushing a port's output failed\n", name.c_str());
    return 1;
  }
  return 0;
}
