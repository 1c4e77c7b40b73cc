// Host <-> NIC round trips, measured in one run against two baselines (bench/README.md, "Host channel"):
//   raw     one cache line bounced between two threads: the physical limit of any shared-memory channel here;
//   rings   a message through two of the host channel's rings and back, nothing else: the rings' own floor;
//   stubs   Ping(x) through the generated stubs, the host channel's rings and the NIC core, in-process and to a
//           spine-nic process;
//   socket  8 bytes bounced over a Unix-domain socket pair between two threads.
// Each round trip is timed alone (steady_clock, the same cost in every row); median and 99th percentile. Then
// one-way throughput: asynchronous calls kept 256 deep. `--quick` runs a few of each (ctest: results only).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

#include "Ping.h"
#include "spine/host/Nic.h"
#include "spine/ring.h"

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  double median = 0, p99 = 0;
};

Stats summarize(std::vector<double> ns) {
  std::sort(ns.begin(), ns.end());
  return {ns[ns.size() / 2], ns[std::min(ns.size() - 1, ns.size() * 99 / 100)]};
}

double nsSince(Clock::time_point t) { return std::chrono::duration<double, std::nano>(Clock::now() - t).count(); }

// One 64-byte line: the initiator writes an odd value, the echo thread answers with the next even one.
Stats rawRoundTrip(int n) {
  alignas(64) static std::atomic<uint64_t> line{0};
  line = 0;
  std::thread echo([n] {
    for (uint64_t i = 1; i < 2 * uint64_t(n) + 1; i += 2) {
      while (line.load(std::memory_order_acquire) != i) {
      }
      line.store(i + 1, std::memory_order_release);
    }
  });
  std::vector<double> ns;
  ns.reserve(n);
  for (uint64_t i = 1; i < 2 * uint64_t(n) + 1; i += 2) {
    auto t = Clock::now();
    line.store(i, std::memory_order_release);
    while (line.load(std::memory_order_acquire) != i + 1) {
    }
    ns.push_back(nsSince(t));
  }
  echo.join();
  return summarize(ns);
}

// A 32-byte message (a Ping request's size) through one host channel ring and back through another, between two
// threads, with nothing else on the path: the floor of the rings' layout, which moves two lines per direction
// (the producer index and the record's slot) where the raw round trip moves one.
Stats ringRoundTrip(int n) {
  constexpr std::uint32_t kSlots = 1024;
  const std::uint64_t bytes = spine_ring_bytes(kSlots);
  std::vector<std::uint8_t> memory(2 * bytes + 64);
  auto *base = reinterpret_cast<std::uint8_t *>((reinterpret_cast<std::uintptr_t>(memory.data()) + 63) & ~std::uintptr_t{63});
  std::uint8_t *there = base, *back = base + bytes;
  spine_ring_init(there, bytes, kSlots);
  spine_ring_init(back, bytes, kSlots);
  std::thread echo([&] {
    spine_ring_consumer in{};
    spine_ring_producer out{};
    if (spine_ring_attach_consumer(&in, there, bytes) != SPINE_RING_OK ||
        spine_ring_attach_producer(&out, back, bytes) != SPINE_RING_OK)
      std::abort();
    std::uint8_t message[64];
    std::uint32_t length = 0;
    for (int i = 0; i < n; ++i) {
      while (spine_ring_try_dequeue(&in, message, sizeof message, &length) != SPINE_RING_OK) {
      }
      while (spine_ring_try_enqueue(&out, message, length) != SPINE_RING_OK) {
      }
    }
  });
  spine_ring_producer out{};
  spine_ring_consumer in{};
  if (spine_ring_attach_producer(&out, there, bytes) != SPINE_RING_OK ||
      spine_ring_attach_consumer(&in, back, bytes) != SPINE_RING_OK)
    std::abort();
  std::vector<double> ns;
  ns.reserve(n);
  std::uint8_t message[32] = {1}, reply[64];
  std::uint32_t length = 0;
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    spine_ring_try_enqueue(&out, message, sizeof message);
    while (spine_ring_try_dequeue(&in, reply, sizeof reply, &length) != SPINE_RING_OK) {
    }
    ns.push_back(nsSince(t));
  }
  echo.join();
  return summarize(ns);
}

Stats socketRoundTrip(int n) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return {};
  std::thread echo([&] {
    uint64_t v;
    for (int i = 0; i < n; ++i) {
      if (read(fds[1], &v, sizeof v) != sizeof v) return;
      if (write(fds[1], &v, sizeof v) != sizeof v) return;
    }
  });
  std::vector<double> ns;
  for (int i = 0; i < n; ++i) {
    uint64_t v = uint64_t(i);
    auto t = Clock::now();
    if (write(fds[0], &v, sizeof v) != sizeof v || read(fds[0], &v, sizeof v) != sizeof v) break;
    ns.push_back(nsSince(t));
  }
  echo.join();
  close(fds[0]);
  close(fds[1]);
  return summarize(ns);
}

// Blocking Ping calls; false if a result is wrong.
bool stubsRoundTrip(spine_gen::Ping::PingClient &client, int n, Stats &out) {
  std::vector<double> ns;
  ns.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    int64_t r = client.Ping(i);
    ns.push_back(nsSince(t));
    if (r != i + 1) return false;
  }
  out = summarize(ns);
  return true;
}

// Calls per second with `depth` asynchronous calls in flight.
bool throughput(spine_gen::Ping::PingClient &client, int n, int depth, double &perSecond) {
  std::vector<std::future<int64_t>> window;
  auto t = Clock::now();
  for (int i = 0; i < n; i += depth) {
    window.clear();
    for (int k = 0; k < depth && i + k < n; ++k) window.push_back(client.PingAsync(i + k));
    for (size_t k = 0; k < window.size(); ++k)
      if (window[k].get() != i + int64_t(k) + 1) return false;
  }
  perSecond = n / (nsSince(t) / 1e9);
  return true;
}

// spine-nic with ping.spxo deployed, in a private directory; killed at the end.
struct NicProcess {
  std::string dir, socket;
  pid_t pid = -1;
  bool start() {
    char tmpl[] = "/tmp/spine-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return false;
    dir = tmpl;
    socket = dir + "/nic.sock";
    std::vector<std::string> args = {HOST_BENCH_SPINE_NIC, "--name", "bench", "--control", socket, "--trust",
                                     HOST_BENCH_KEY, "--deploy", std::string(HOST_BENCH_DIR) + "/ping.spxo"};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return false;
    for (int i = 0; i < 2000 && !std::filesystem::exists(socket); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return std::filesystem::exists(socket);
  }
  ~NicProcess() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
    std::filesystem::remove_all(dir);
  }
};

void row(const char *what, const Stats &s, const Stats &raw) {
  std::printf("  %-34s median %9.0f ns  p99 %9.0f ns   %6.1fx raw\n", what, s.median, s.p99, s.median / raw.median);
}

// The stubs' round trips and throughput through `channel`, printed as rows labelled `where`; false (said) if a
// result came back wrong.
bool measureStubs(const char *where, spine::host::Channel &channel, int n, int nThroughput, const Stats &raw,
                  Stats &out) {
  spine_gen::Ping::PingClient client(channel);
  double perSecond = 0;
  if (!stubsRoundTrip(client, n, out) || !throughput(client, nThroughput, 256, perSecond)) {
    std::fprintf(stderr, "host-roundtrip-bench: a Ping came back wrong (%s)\n", where);
    return false;
  }
  row((std::string("stubs, ") + where).c_str(), out, raw);
  std::printf("  %-34s %9.0f calls/s (256 in flight)\n", (std::string("throughput, ") + where).c_str(), perSecond);
  return true;
}

}  // namespace

int main(int argc, char **argv) {
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  // `--profile`: only the in-process stubs' round trips, many of them, for `perf record`.
  bool profile = argc > 1 && std::strcmp(argv[1], "--profile") == 0;
  if (profile) {
    spine::host::InProcessOptions o;
    o.trustedKeys = {HOST_BENCH_KEY};
    auto nic = spine::host::Nic::inProcess(o);
    spine_gen::Ping::PingClient client(nic->channel(nic->deploy(std::string(HOST_BENCH_DIR) + "/ping.spxo")));
    Stats s;
    if (!stubsRoundTrip(client, argc > 2 ? std::atoi(argv[2]) : 2000000, s)) return 1;
    std::printf("stubs, in-process NIC: median %.0f ns, p99 %.0f ns\n", s.median, s.p99);
    return 0;
  }
  const int n = quick ? 200 : 200000, nThroughput = quick ? 2000 : 1000000;
  std::printf("host round trip (%d round trips each, one run; each timed alone)\n", n);

  Stats raw = rawRoundTrip(n), rings = ringRoundTrip(n), sock = socketRoundTrip(n);
  row("raw cache-line round trip", raw, raw);
  row("bare rings round trip (no stubs)", rings, raw);
  row("Unix-domain socket round trip", sock, raw);

  try {
    spine::host::InProcessOptions o;
    o.trustedKeys = {HOST_BENCH_KEY};
    auto nic = spine::host::Nic::inProcess(o);
    uint32_t id = nic->deploy(std::string(HOST_BENCH_DIR) + "/ping.spxo");
    Stats inProcess, daemon;
    if (!measureStubs("in-process NIC", nic->channel(id), n, nThroughput, raw, inProcess)) return 1;
    NicProcess p;
    if (!p.start()) {
      std::fprintf(stderr, "host-roundtrip-bench: spine-nic did not start\n");
      return 1;
    }
    auto remote = spine::host::Nic::connect(p.socket);
    if (!measureStubs("spine-nic process", remote->channel(1), n, nThroughput, raw, daemon)) return 1;
    std::printf("ratios (medians): stubs/raw %.2f in-process, %.2f spine-nic (goal <= 1.5; the bare rings alone: "
                "%.2f); socket/stubs %.2f in-process, %.2f spine-nic (the brief: stubs >= 10x faster than the socket)\n",
                inProcess.median / raw.median, daemon.median / raw.median, rings.median / raw.median,
                sock.median / inProcess.median, sock.median / daemon.median);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "host-roundtrip-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
