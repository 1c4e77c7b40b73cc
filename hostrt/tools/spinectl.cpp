// spinectl: manage a running spine-nic from the shell, through spine::host::Nic (docs/spinectl.md).
//
//   spinectl --nic nic0 list            spinectl --nic nic0 --json list
//   spinectl --nic nic0 deploy firewall.spxo [--policy restart]
//   spinectl --nic nic0 unload Firewall   (a module name or an id)
//   spinectl --nic nic0 stats | faults | logs [-n N] [--follow [--for SECONDS]] | trust KEY.pub
//
// Exit status: 0 done; 1 the NIC refused or failed (the reason on stderr); 2 bad usage; 3 the NIC is not running.
#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "spine/host/Nic.h"

namespace {

using namespace spine::host;

volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

// JSON text for `s` (RFC 8259 string escapes; bytes >= 0x80 pass through: NIC messages are UTF-8 or ASCII).
std::string json(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string jsonLines(const std::vector<std::string> &lines) {
  std::string out = "[";
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? ", " : "") + json(lines[i]);
  return out + "]";
}

std::string jsonExtension(const ExtensionStatus &x) {
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  return "{\"id\": " + n(x.id) + ", \"module\": " + json(x.module) + ", \"state\": " + json(x.state) +
         ", \"faultPolicy\": " + json(x.faultPolicy) + ", \"heapBytes\": " + n(x.heapBytes) +
         ", \"counters\": {\"packets\": " + n(x.packets) + ", \"sent\": " + n(x.sent) + ", \"dropped\": " + n(x.dropped) +
         ", \"faults\": " + n(x.faults) + ", \"events\": " + n(x.events) + ", \"eventsRefused\": " + n(x.eventsRefused) +
         ", \"requests\": " + n(x.requests) + ", \"requestsRejected\": " + n(x.requestsRejected) + "}}";
}

// The extension `what` names: an id, or the module of exactly one deployed extension.
std::uint32_t resolveExtension(Nic &nic, const std::string &what) {
  if (!what.empty() && what.find_first_not_of("0123456789") == std::string::npos && what.size() < 10)
    return static_cast<std::uint32_t>(std::stoul(what));
  std::uint32_t found = 0;
  int count = 0;
  for (const ExtensionStatus &x : nic.list())
    if (x.module == what) {
      found = x.id;
      ++count;
    }
  if (count == 0) throw NoSuchExtension("no extension is module " + what + " on NIC " + nic.name());
  if (count > 1) throw NicError(std::to_string(count) + " extensions are module " + what + ": name one by its id");
  return found;
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"spinectl: manage a running spine-nic (deploy, unload, list, stats, logs, faults, trust)"};
  app.require_subcommand(1);
  std::string nicName = "nic0";
  bool asJson = false;
  app.add_option("--nic", nicName, "The NIC's name (its control socket $XDG_RUNTIME_DIR/spine/NAME.sock) or socket path")
      ->capture_default_str();
  app.add_flag("--json", asJson, "Machine-readable output (one JSON value)");

  std::string imagePath, policyName = "unload", extension, keyPath;
  size_t lines = 100;
  bool follow = false;
  double followSeconds = 0;
  CLI::App *deploy = app.add_subcommand("deploy", "Deploy a signed image (.spxo)");
  deploy->add_option("IMAGE", imagePath, "The image")->required();
  deploy->add_option("--policy", policyName, "What happens when it traps: unload, restart or keep")
      ->check(CLI::IsMember({"unload", "restart", "keep"}))
      ->capture_default_str();
  CLI::App *unload = app.add_subcommand("unload", "Unload an extension");
  unload->add_option("EXTENSION", extension, "Its id, or its module's name")->required();
  CLI::App *list = app.add_subcommand("list", "The extensions: id, module, state, fault policy, counters");
  CLI::App *stats = app.add_subcommand("stats", "The NIC's counters: NIC, pool, ports, host channel, extensions");
  CLI::App *logs = app.add_subcommand("logs", "What extensions wrote (IO, Log)");
  logs->add_option("-n,--lines", lines, "How many of the last lines")->capture_default_str();
  logs->add_flag("-f,--follow", follow, "Then print new lines as they come, until interrupted");
  logs->add_option("--for", followSeconds, "With --follow: stop after this many seconds");
  CLI::App *faults = app.add_subcommand("faults", "The recorded faults: extension, source line, what the policy did");
  CLI::App *trust = app.add_subcommand("trust", "Trust a public key (.pub) for later deploys");
  trust->add_option("KEY", keyPath, "The key file")->required()->check(CLI::ExistingFile);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    std::unique_ptr<Nic> nic = Nic::connect(nicName);
    if (*deploy) {
      FaultPolicy policy = policyName == "restart" ? FaultPolicy::Restart
                           : policyName == "keep"  ? FaultPolicy::Keep
                                                   : FaultPolicy::Unload;
      std::uint32_t id = nic->deploy(imagePath, policy);
      if (asJson) std::printf("{\"id\": %u}\n", id);
      else std::printf("deployed %s as extension %u\n", imagePath.c_str(), id);
    } else if (*unload) {
      std::uint32_t id = resolveExtension(*nic, extension);
      nic->unload(id);
      if (asJson) std::printf("{\"unloaded\": %u}\n", id);
      else std::printf("unloaded extension %u\n", id);
    } else if (*list) {
      std::vector<ExtensionStatus> xs = nic->list();
      if (asJson) {
        std::string out = "[";
        for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + jsonExtension(xs[i]);
        std::printf("%s]\n", out.c_str());
      } else {
        std::printf("%-4s %-20s %-10s %-8s %10s %10s %10s %7s %9s\n", "ID", "MODULE", "STATE", "POLICY", "PACKETS",
                    "SENT", "DROPPED", "FAULTS", "REQUESTS");
        for (const ExtensionStatus &x : xs)
          std::printf("%-4u %-20s %-10s %-8s %10llu %10llu %10llu %7llu %9llu\n", x.id, x.module.c_str(),
                      x.state.c_str(), x.faultPolicy.c_str(), static_cast<unsigned long long>(x.packets),
                      static_cast<unsigned long long>(x.sent), static_cast<unsigned long long>(x.dropped),
                      static_cast<unsigned long long>(x.faults), static_cast<unsigned long long>(x.requests));
      }
    } else if (*stats) {
      std::vector<std::string> counters = nic->counters();
      if (asJson) {
        std::string out = "{\"nic\": " + json(nic->name()) + ", \"lines\": " + jsonLines(counters) + ", \"extensions\": [";
        std::vector<ExtensionStatus> xs = nic->list();
        for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + jsonExtension(xs[i]);
        std::printf("%s]}\n", out.c_str());
      } else {
        for (const std::string &l : counters) std::printf("%s\n", l.c_str());
      }
    } else if (*faults) {
      std::vector<FaultReport> fs = nic->faults();
      if (asJson) {
        std::string out = "[";
        for (size_t i = 0; i < fs.size(); ++i)
          out += std::string(i ? ", " : "") + "{\"extension\": " + std::to_string(fs[i].extension) +
                 ", \"module\": " + json(fs[i].module) + ", \"message\": " + json(fs[i].message) +
                 ", \"action\": " + json(fs[i].action) + "}";
        std::printf("%s]\n", out.c_str());
      } else {
        for (const FaultReport &f : fs)
          std::printf("extension %u (%s): %s; %s\n", f.extension, f.module.c_str(), f.message.c_str(), f.action.c_str());
      }
    } else if (*logs) {
      std::vector<std::string> seen = nic->logs(lines);
      if (asJson && !follow) std::printf("%s\n", jsonLines(seen).c_str());
      else for (const std::string &l : seen) std::printf("%s\n", l.c_str());
      if (follow) {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(followSeconds);
        while (!gStop && (followSeconds <= 0 || std::chrono::steady_clock::now() < until)) {
          std::fflush(stdout);
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          // The NIC keeps the last lines: what follows the longest overlap with what was seen is new.
          std::vector<std::string> now = nic->logs(1000);
          size_t overlap = std::min(seen.size(), now.size());
          while (overlap > 0 && !std::equal(seen.end() - static_cast<std::ptrdiff_t>(overlap), seen.end(), now.begin()))
            --overlap;
          for (size_t i = overlap; i < now.size(); ++i) std::printf("%s\n", now[i].c_str());
          seen = std::move(now);
        }
      }
    } else if (*trust) {
      nic->trust(keyPath);
      if (!asJson) std::printf("trusted %s\n", keyPath.c_str());
      else std::printf("{\"trusted\": %s}\n", json(keyPath).c_str());
    }
    return 0;
  } catch (const NicUnreachable &e) {
    std::fprintf(stderr, "spinectl: error: %s\n", e.what());
    return 3;
  } catch (const DeployError &e) {
    std::fprintf(stderr, "spinectl: error: %s\n", e.what());
    for (size_t i = 1; i < e.reasons().size(); ++i) std::fprintf(stderr, "  %s\n", e.reasons()[i].c_str());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "spinectl: error: %s\n", e.what());
    return 1;
  }
}
