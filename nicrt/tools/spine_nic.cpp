// spine-nic: the emulated SmartNIC as a program. Ports (pcap files now), trusted keys, extensions deployed at
// start, limits; runs the dispatcher on its main thread (the NIC core) until SIGTERM/SIGINT or, with
// --exit-on-eof, until every input is consumed; then flushes every output and prints its counters.
// docs/spine-nic.md is the manual.
#include <CLI/CLI.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <deque>
#include <cstdio>
#include <sstream>

#include "image/ImageFile.h"
#include "image/ImageReader.h"
#include "image/Keys.h"
#include "nic/ControlServer.h"
#include "nic/CoreIdle.h"
#include "nic/Nic.h"
#include "nic/NicReport.h"
#include "ports/PortSpec.h"

namespace {

using namespace spine;

volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

using nicrt::formatLine;

// Reads, verifies and deploys the image at `path`; the reply or error as one or more lines.
struct Deployer {
  nicrt::Nic &nic;
  std::vector<image::PublicKey> &trusted;
  std::vector<std::string> deploy(const std::string &path, nicrt::FaultPolicy policy, uint32_t replacing = 0) {
    std::string bytes, err;
    if (!image::readImageFile(path, bytes, err)) return {"error: " + err};
    image::ReadResult read = image::readImage(bytes, trusted);
    if (!read.ok()) return {"error: " + path + ": image refused: " + read.error};
    nicrt::DeployOptions d;
    d.faultPolicy = policy;
    nicrt::DeployResult r = replacing ? nic.replace(replacing, *read.image, d) : nic.deploy(*read.image, d);
    if (!r) {
      std::vector<std::string> lines{"error: " + path + ": image refused:"};
      std::stringstream ss(r.error);
      for (std::string l; std::getline(ss, l);) lines.push_back("  " + l);
      return lines;
    }
    return {formatLine("ok: deployed %s as extension %u (%s)", path.c_str(), r.id, (*read.image)->manifest.module.c_str())};
  }
};

std::optional<nicrt::FaultPolicy> parsePolicy(const std::string &s) {
  if (s == "unload") return nicrt::FaultPolicy::Unload;
  if (s == "restart") return nicrt::FaultPolicy::Restart;
  if (s == "keep") return nicrt::FaultPolicy::Keep;
  return std::nullopt;
}

std::vector<std::string> runCommand(const std::string &line, const std::string &name, nicrt::Nic &nic,
                                    Deployer &deployer, nicrt::FaultPolicy defaultPolicy,
                                    const std::deque<std::string> &logs) {
  std::stringstream ss(line);
  std::string cmd;
  ss >> cmd;
  std::vector<std::string> args;
  for (std::string a; ss >> a;) args.push_back(a);
  auto number = [](const std::string &s, uint64_t &out) {
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    out = std::stoull(s);
    return true;
  };
  if (cmd == "help" || cmd.empty())
    return {"commands: list, counters, faults, logs [N], deploy PATH [unload|restart|keep], unload ID,",
            "          replace ID PATH [unload|restart|keep], trust KEY.pub, channel, help"};
  if (cmd == "list") return nicrt::extensionLines(nic);
  if (cmd == "counters") return nicrt::counterLines(name, nic);
  if (cmd == "faults") return nicrt::faultLines(nic);
  if (cmd == "logs") {
    uint64_t n = 100;
    if (args.size() > 1 || (args.size() == 1 && !number(args[0], n))) return {"error: usage: logs [N]"};
    size_t from = logs.size() > n ? logs.size() - n : 0;
    return std::vector<std::string>(logs.begin() + static_cast<std::ptrdiff_t>(from), logs.end());
  }
  if (cmd == "deploy" || cmd == "replace") {
    size_t at = cmd == "replace" ? 1 : 0;
    uint64_t id = 0;
    if (args.size() < at + 1 || args.size() > at + 2 || (at && !number(args[0], id)))
      return {"error: usage: " + cmd + (at ? " ID" : "") + " PATH [unload|restart|keep]"};
    nicrt::FaultPolicy policy = defaultPolicy;
    if (args.size() == at + 2) {
      auto p = parsePolicy(args[at + 1]);
      if (!p) return {"error: fault policy " + args[at + 1] + ": expected unload, restart or keep"};
      policy = *p;
    }
    if (at && id == 0) return {"error: no extension with id 0"};
    return deployer.deploy(args[at], policy, static_cast<uint32_t>(id));
  }
  if (cmd == "trust") {
    if (args.size() != 1) return {"error: usage: trust KEY.pub"};
    std::string err;
    auto key = image::readPublicKey(args[0], err);
    if (!key) return {"error: " + args[0] + ": " + err};
    deployer.trusted.push_back(*key);
    return {"ok: images signed by " + args[0] + " are trusted from now on"};
  }
  if (cmd == "unload") {
    uint64_t id = 0;
    if (args.size() != 1 || !number(args[0], id)) return {"error: usage: unload ID"};
    if (id > UINT32_MAX || !nic.unload(static_cast<uint32_t>(id))) return {"error: no extension with id " + args[0]};
    return {"ok: unloaded extension " + args[0]};
  }
  return {"error: unknown command '" + cmd + "' (try help)"};
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"spine-nic: an emulated SmartNIC that runs SPINE extensions on its ports"};
  std::string name = "nic0";
  std::vector<std::string> portSpecs, trustPaths, deployPaths;
  bool exitOnEof = false, keepGoing = false;
  std::string policyName = "unload";
  nicrt::NicOptions options;
  options.hostAttached = false;  // no host channel yet (the host runtime's issue): Host.Attached is FALSE
  uint64_t fuel = static_cast<uint64_t>(options.limits.fuel);
  app.add_option("--name", name, "The NIC's name (in messages and counters)")->capture_default_str();
  app.add_option("--port", portSpecs, "A port: pcap:IN[,OUT] or pcap:,OUT; numbered 0, 1, ... in order given");
  app.add_option("--trust", trustPaths, "A public key (.pub) whose signed images this NIC loads")
      ->check(CLI::ExistingFile);
  app.add_option("--deploy", deployPaths, "An image (.spxo) to deploy at start, in dispatch order")
      ->check(CLI::ExistingFile);
  std::string controlPath;
  bool noControl = false;
  app.add_option("--control", controlPath,
                 "The control socket (default $XDG_RUNTIME_DIR/spine/NAME.sock, else /run/spine/NAME.sock)");
  app.add_flag("--no-control", noControl, "Open no control socket");
  app.add_flag("--keep-going", keepGoing, "A --deploy image that is refused is reported and skipped, not fatal");
  app.add_flag("--exit-on-eof", exitOnEof, "Stop once every pcap input is consumed and every output flushed");
  int64_t exitWith = 0;
  app.add_option("--exit-with", exitWith,
                 "Stop (as on SIGTERM) when the process PID that started this NIC exits (its starting thread): for "
                 "tests and benches, so that a NIC never outlives a run that crashed")
      ->check(CLI::PositiveNumber);
  app.add_option("--fault-policy", policyName, "What happens to an extension that traps: unload, restart, keep")
      ->capture_default_str();
  app.add_option("--pool-size", options.pool.count, "Packet buffers in the pool")->capture_default_str();
  app.add_option("--buffer-size", options.pool.dataSize, "Largest packet a buffer holds, in bytes")
      ->capture_default_str();
  app.add_option("--headroom", options.pool.headroom, "Bytes before each packet, to grow at its head")
      ->capture_default_str();
  app.add_option("--tailroom", options.pool.tailroom, "Bytes after the largest packet, to grow at its tail")
      ->capture_default_str();
  app.add_option("--fuel", fuel, "Work budget of each invocation")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, static_cast<uint64_t>(INT64_MAX)));
  app.add_option("--stack", options.limits.stackBytes, "Stack of each invocation, in bytes")->capture_default_str();
  app.add_option("--heap", options.limits.heapBytes, "Heap quota of each extension, in bytes")->capture_default_str();
  uint32_t toNicSlots = 1024, toHostSlots = 4096;
  uint64_t bufferBytes = 16 << 20;
  app.add_option("--buffer-bytes", bufferBytes, "Bytes of the host channel's region for application buffers")
      ->capture_default_str();
  app.add_option("--request-slots", toNicSlots, "64-byte slots of the host channel's ring of requests (a power of two)")
      ->capture_default_str();
  app.add_option("--reply-slots", toHostSlots,
                 "64-byte slots of the host channel's ring of replies and events (a power of two)")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success &e) {
    return app.exit(e);  // --help
  } catch (const CLI::ParseError &e) {
    std::fprintf(stderr, "spine-nic: error: %s (try --help)\n", e.what());
    return 2;
  }
  options.limits.fuel = static_cast<int64_t>(std::min<uint64_t>(fuel, INT64_MAX));

  // The handlers first: SIGTERM (or the parent's death, below) during the start stops the NIC once it has
  // started, with its outputs flushed.
  std::signal(SIGTERM, onSignal);
  std::signal(SIGINT, onSignal);
  // After the handler: the parent's death is a SIGTERM, and it may come at once. The parent is named (not taken
  // from getppid() at start) because it may die before this program even starts, leaving it to the reaper.
  if (exitWith != 0) {
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
      std::perror("spine-nic: error: --exit-with: prctl(PR_SET_PDEATHSIG)");
      return 2;
    }
    if (::getppid() != static_cast<pid_t>(exitWith)) {
      std::fprintf(stderr, "spine-nic: error: --exit-with %lld: this NIC's parent is %lld (the process named is gone, "
                   "or did not start it)\n", static_cast<long long>(exitWith), static_cast<long long>(::getppid()));
      return 2;
    }
  }

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

  // What extensions write goes to standard output, and the last kLogLines lines are kept for `logs`.
  constexpr size_t kLogLines = 1000;
  std::deque<std::string> logs;
  std::string partial;
  options.output = [&logs, &partial](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    partial.append(text);
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      logs.push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
      if (logs.size() > kLogLines) logs.pop_front();
    }
    if (partial.size() > 4096) partial.clear();  // a line that never ends is not kept
  };
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
  // The host channel's shared region (docs/spine-nic.md, "The host channel"): one per NIC, handed to one host
  // connection at a time by the control command "channel".
  std::string channelError;
  std::unique_ptr<nicrt::HostChannel> channel = nicrt::HostChannel::create(toNicSlots, toHostSlots, bufferBytes, channelError);
  if (!channel) {
    std::fprintf(stderr, "spine-nic: error: --request-slots/--reply-slots: %s\n", channelError.c_str());
    return 2;
  }
  nic.attachHostChannel(channel.get());
  uint64_t channelHolder = 0;  // the control connection that holds the channel, or 0

  Deployer deployer{nic, trusted};
  for (const std::string &path : deployPaths) {
    std::vector<std::string> reply = deployer.deploy(path, *policy);
    bool ok = reply.front().starts_with("ok");
    for (const std::string &line : reply)
      std::fprintf(stderr, ok ? "spine-nic %s: %s\n" : "spine-nic %s: --deploy %s\n", name.c_str(),
                   ok ? line.c_str() + 4 : line.c_str());
    if (!ok && !keepGoing) return 2;
  }

  // The control socket: commands run on this thread, between packets (ControlServer.h, docs/spine-nic.md).
  std::unique_ptr<nicrt::ControlServer> control;
  if (!noControl) {
    if (controlPath.empty()) controlPath = nicrt::ControlServer::defaultPath(name);
    std::string err;
    control = nicrt::ControlServer::listen(
        controlPath,
        [&](const std::string &line, uint64_t client) -> nicrt::ControlServer::Reply {
          if (line == "channel") {
            if (channelHolder != 0 && channelHolder != client)
              return {"error: the host channel is held by another control connection (one host at a time)"};
            channelHolder = client;
            nic.setHostAttached(true);
            const spine_channel_header &l = channel->layout();
            return {{formatLine("ok: channel %llu bytes, %u request slots, %u reply slots (the region's fd is attached)",
                            static_cast<unsigned long long>(channel->regionBytes()), l.to_nic_slots,
                            l.to_host_slots)},
                    channel->fd()};
          }
          return runCommand(line, name, nic, deployer, *policy, logs);
        },
        err);
    if (!control) {
      std::fprintf(stderr, "spine-nic: error: --control: %s\n", err.c_str());
      return 2;
    }
    std::fprintf(stderr, "spine-nic %s: control socket %s\n", name.c_str(), control->path().c_str());
    // The host that held the channel is gone: what it left in the rings is dropped, and the next host starts clean.
    control->onDisconnect([&](uint64_t client) {
      if (client != channelHolder) return;
      channelHolder = 0;
      nic.setHostAttached(false);
      nic.resetHostChannel();
    });
  }

  uint32_t round = 0;
  nicrt::CoreIdle idle;
  while (!gStop) {
    if (exitOnEof && nic.inputsEnded()) break;
    bool busy = nic.poll();
    // The control socket costs a system call (a microsecond or more, which a host's call would wait for): look
    // at it every 8192 rounds (a fraction of a millisecond when idle), and in every round once asleep.
    if (control && ((++round & 8191) == 0 || idle.sleeping())) control->poll();
    if (busy) {
      idle.busy();
      continue;
    }
    if (exitOnEof && nic.inputsEnded()) break;
    idle.idle(nic, *channel);
  }
  bool flushed = nic.flush();
  for (const std::string &line : nicrt::counterLines(name, nic)) std::fprintf(stderr, "%s\n", line.c_str());
  if (!flushed) {
    std::fprintf(stderr, "spine-nic %s: error: flushing a port's output failed\n", name.c_str());
    return 1;
  }
  return 0;
}
