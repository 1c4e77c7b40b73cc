// The firewall's host program: deploys firewall.spx on an in-process NIC, manages its rules through the C++
// stubs spinec generated from Firewall.spi, hears each packet the rules drop (the Blocked event), then feeds the
// NIC a capture and prints what the host saw. `make demo` runs it on the bundled capture.
//
//   firewall-host IMAGE TRUSTED.pub CAPTURE [OUT.pcap]
//
// Everything between this program and the extension goes through the NIC's shared region: requests and their
// replies, and events, with no system call on the way.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "Firewall.h"
#include "spine/host/Nic.h"

namespace fw = spine_gen::Firewall;

namespace {

std::string ipv4(std::int64_t a) {
  return std::to_string((a >> 24) & 255) + "." + std::to_string((a >> 16) & 255) + "." + std::to_string((a >> 8) & 255) +
         "." + std::to_string(a & 255);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: firewall-host IMAGE TRUSTED.pub CAPTURE [OUT.pcap]\n");
    return 2;
  }
  try {
    spine::host::InProcessOptions options;
    options.name = "demo";
    options.trustedKeys = {argv[2]};
    auto nic = spine::host::Nic::inProcess(options);
    std::uint32_t id = nic->deploy(argv[1]);
    std::printf("deployed %s as extension %u\n", argv[1], id);
    fw::FirewallClient firewall(nic->channel(id));

    std::mutex m;
    int blocked = 0;
    auto subscription = firewall.onBlocked([&](std::int64_t src, std::int64_t port) {
      std::lock_guard<std::mutex> lock(m);
      std::printf("  event Blocked: a packet from %s to port %lld was dropped on the NIC\n", ipv4(src).c_str(),
                  static_cast<long long>(port));
      ++blocked;
    });

    // Block UDP from 10.200.0.1 to port 40000; everything else passes.
    fw::Rule rule;
    rule.src = 0x0AC80001;
    rule.srcMask = 0xFFFFFFFF;
    rule.protocol = 17;
    rule.port = 40000;
    rule.action = fw::Action::Block;
    fw::RuleId r = firewall.AddRule(rule);
    std::printf("AddRule(block UDP 10.200.0.1 -> port 40000) = rule %u\n", unsigned(r));
    try {
      firewall.RemoveRule(42);
    } catch (const fw::NoSuchRule &e) {
      std::printf("RemoveRule(42) raised Firewall.NoSuchRule(%u), as there is no rule 42\n", unsigned(e.arg()));
    }

    // Now the traffic. The output port first (port 0): the capture starts flowing as soon as its port (port 1)
    // exists, and the firewall sends what it allows across, to port 0.
    nic->addPort(argc == 5 ? std::string("pcap:,") + argv[4] : std::string("pcap:,/dev/null"));
    nic->addPort(std::string("pcap:") + argv[3]);
    fw::Counters c;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    do {  // the NIC works on its own thread; ask until it has seen the whole capture
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      c = firewall.Stats();
    } while (c.packets + c.passed < 32 && std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the last events
    std::lock_guard<std::mutex> lock(m);
    std::printf("Stats: %lld IPv4 packets, %lld allowed, %lld blocked, %lld malformed; %lld others passed\n",
                static_cast<long long>(c.packets), static_cast<long long>(c.allowed),
                static_cast<long long>(c.blocked), static_cast<long long>(c.malformed),
                static_cast<long long>(c.passed));
    std::printf("the host heard %d Blocked events\n", blocked);
    for (const spine::host::ExtensionStatus &x : nic->list())
      std::printf("extension %u %s: %s, %llu requests served\n", x.id, x.module.c_str(), x.state.c_str(),
                  static_cast<unsigned long long>(x.requests));
    return blocked == c.blocked ? 0 : 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "firewall-host: %s\n", e.what());
    return 1;
  }
}
