// Host <-> NIC round trips, measured in one run against two baselines (bench/README.md, "Host channel"):
//   raw     one cache line bounced between two threads: the physical limit of any shared-memory channel here;
//   rings   a message through two of the host channel's rings and back, nothing else: the rings' own floor;
//   stubs   Ping(x) through the generated stubs, the host channel's rings and the NIC core, in-process and to a
//           spine-nic process;
//   socket  8 bytes bounced over a Unix-domain socket pair between two threads.
// Each round trip is timed alone (steady_clock, the same cost in every row); median and 99th percentile. The rows
// take turns in rounds, and each ratio compares a row with raw in the same rounds (see main). Then throughput:
// asynchronous calls kept 256 deep. `--quick` runs a few of each (ctest: results only); `--profile [N]` only
// the in-process stubs, for perf.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "Ping.h"
#include "PingNic.h"
#include "nic/CoreIdle.h"
#include "spine/host/Nic.h"
#include "spine/ring.h"

extern char **environ;

namespace {

using Clock = std::chrono::steady_clock;

// The median and 99th percentile, and the mean of the middle half (the interquartile mean): as steady as the
// median, but finer than the clock's steps, so two versions a few nanoseconds apart can be told apart.
struct Stats {
  double median = 0, p99 = 0, iqm = 0;
};

Stats summarize(std::vector<double> ns) {
  std::sort(ns.begin(), ns.end());
  std::size_t from = ns.size() / 4, to = std::max(from + 1, ns.size() - ns.size() / 4);
  double sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += ns[i];
  return {ns[ns.size() / 2], ns[std::min(ns.size() - 1, ns.size() * 99 / 100)], sum / double(to - from)};
}

double nsSince(Clock::time_point t) { return std::chrono::duration<double, std::nano>(Clock::now() - t).count(); }

// One 64-byte line: the initiator writes an odd value, the echo thread answers with the next even one. Both poll
// flat out: with a pause between looks (as the rings' pollers make) the bounce is slower here (120 ns against 110
// with the vCPUs close), and the faster is the stricter baseline.
std::vector<double> rawRoundTrip(int n) {
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
  return ns;
}

// A 32-byte message (a Ping request's size) through one host channel ring and back through another, between two
// threads, with nothing else on the path: the floor of the rings' layout. Each side polls as the runtime's do
// (spine_ring_relax between looks).
std::vector<double> ringRoundTrip(int n) {
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
      while (spine_ring_try_dequeue(&in, message, sizeof message, &length) != SPINE_RING_OK) spine_ring_relax();
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
    while (spine_ring_try_dequeue(&in, reply, sizeof reply, &length) != SPINE_RING_OK) spine_ring_relax();
    ns.push_back(nsSince(t));
  }
  echo.join();
  return ns;
}

std::vector<double> socketRoundTrip(int n) {
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
  return ns;
}

// Blocking Ping calls, from `from` on; false if a result is wrong.
bool stubsRoundTrip(spine_gen::Ping::PingClient &client, int n, std::vector<double> &ns, int64_t from = 0) {
  ns.clear();
  ns.reserve(n);
  for (int64_t i = from; i < from + n; ++i) {
    auto t = Clock::now();
    int64_t r = client.Ping(i);
    ns.push_back(nsSince(t));
    if (r != i + 1) return false;
  }
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

// One-way sends per second: `n` PingSend calls back to back (the rings batch them: the NIC takes up to 64 a round),
// then one blocking Ping, which the NIC serves after all of them.
bool oneWayThroughput(spine_gen::Ping::PingClient &client, int n, double &perSecond) {
  auto t = Clock::now();
  for (int i = 0; i < n; ++i) client.PingSend(i);
  if (client.Ping(-1, std::chrono::seconds(60)) != 0) return false;
  perSecond = n / (nsSince(t) / 1e9);
  return true;
}

// The NIC runtime's share of a round trip: a NIC core on a thread of its own (as the in-process NIC's, waiting
// between rounds as it does), and on this thread a host with nothing of the host runtime, which writes each Ping
// request into the ring and reads the reply out of it by hand (PingNic.h).
class BareHostNic {
 public:
  bool start() { return ping_.start(); }
  // Ping(from), Ping(from + 1), ... one at a time; false if a reply is wrong. The core runs only for these round
  // trips: idle, it would spin and yield on a vCPU the next rows need.
  bool roundTrips(int n, std::vector<double> &ns, int64_t from) {
    std::atomic<bool> stop{false};
    std::thread core([&stop, &nic = ping_.nic(), &channel = ping_.channel()] {
      spine::nicrt::CoreIdle idle;
      const std::function<bool()> awake = [&stop] { return stop.load(); };
      while (!stop.load(std::memory_order_acquire)) {
        if (nic.poll()) {
          idle.busy();
          continue;
        }
        idle.idle(nic, channel, awake);
      }
    });
    bool right = true;
    ns.clear();
    ns.reserve(n);
    for (int64_t x = from; x < from + n && right; ++x) {
      auto t = Clock::now();
      right = ping_.send(x);
      while (right && !ping_.replyReady()) spine_ring_relax();
      right = right && ping_.takeReply(x);
      ns.push_back(nsSince(t));
    }
    stop = true;
    ping_.channel().wake();
    core.join();
    return right;
  }

 private:
  PingNic ping_;
};

// spine-nic with ping.spxo deployed, in a private directory; killed at the end.
struct NicProcess {
  std::string dir, socket;
  pid_t pid = -1;
  bool start() {
    char tmpl[] = "/tmp/spine-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return false;
    dir = tmpl;
    socket = dir + "/nic.sock";
    // SPINE_BENCH_NIC: another spine-nic (one built from other sources, to compare two versions in turns).
    const char *nic = std::getenv("SPINE_BENCH_NIC");
    std::vector<std::string> args = {nic && *nic ? nic : HOST_BENCH_SPINE_NIC, "--name", "bench", "--control", socket, "--trust",
                                     HOST_BENCH_KEY, "--deploy", std::string(HOST_BENCH_DIR) + "/ping.spxo",
                                     // A bench that crashes leaves no NIC spinning behind (started from main).
                                     "--exit-with", std::to_string(getpid())};
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

// One row's round trips over all rounds: the samples (each round's first quarter dropped, while the other side
// of the round trip warms up or a NIC that just went idle stops spinning) and each round's median.
struct Series {
  std::vector<double> kept, roundMedians;
  void add(std::vector<double> round) {
    round.erase(round.begin(), round.begin() + static_cast<std::ptrdiff_t>(round.size() / 4));
    kept.insert(kept.end(), round.begin(), round.end());
    roundMedians.push_back(summarize(round).median);
  }
  // The median of this row's round medians over raw's in the same rounds: both rows met the same placement of
  // the two vCPUs, which moves the raw round trip between about 110 and 360 ns on this machine.
  // With `placement` 1 or 2, only the rounds whose raw median says the vCPUs were close (1) or apart (2).
  double ratioTo(const Series &raw, int placement = 0) const {
    std::vector<double> r;
    for (size_t i = 0; i < roundMedians.size() && i < raw.roundMedians.size(); ++i)
      if (placement == 0 || (raw.roundMedians[i] < kApartNs) == (placement == 1))
        r.push_back(roundMedians[i] / raw.roundMedians[i]);
    return r.empty() ? 0 : summarize(r).median;
  }
  // A raw round trip this slow or slower: the two vCPUs sat apart (about 110 ns close, 270-400 ns apart).
  static constexpr double kApartNs = 200;
};

// The ratios again, for the rounds of each placement of the vCPUs apart (the goal's ratio depends on it).
void byPlacement(const Series &raw, const Series &rings, const Series &bareHost, const Series &inProcess,
                 const Series &toDaemon) {
  for (int placement : {1, 2}) {
    const char *which = placement == 1 ? "close (raw < 200 ns)" : "apart (raw >= 200 ns)";
    int n = 0;
    for (double m : raw.roundMedians) n += (m < Series::kApartNs) == (placement == 1);
    if (n == 0) {
      std::printf("  vCPUs %s: no round\n", which);
      continue;
    }
    std::printf("  vCPUs %s, %d rounds: bare rings %.2fx raw, NIC runtime + bare host %.2fx, stubs %.2fx in-process, "
                "%.2fx spine-nic\n", which, n, rings.ratioTo(raw, placement), bareHost.ratioTo(raw, placement),
                inProcess.ratioTo(raw, placement), toDaemon.ratioTo(raw, placement));
  }
}

void row(const char *what, const Series &s, const Series &raw) {
  Stats all = summarize(s.kept);
  std::printf("  %-34s median %9.0f ns  iqm %9.1f ns  p99 %9.0f ns   %6.2fx raw\n", what, all.median, all.iqm, all.p99,
              s.ratioTo(raw));
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
    std::vector<double> ns;
    if (!stubsRoundTrip(client, argc > 2 ? std::atoi(argv[2]) : 2000000, ns)) return 1;
    Stats s = summarize(ns);
    std::printf("stubs, in-process NIC: median %.0f ns, p99 %.0f ns\n", s.median, s.p99);
    return 0;
  }
  // Rounds: each runs every row for a chunk of round trips, so every row meets the same placements of the two
  // vCPUs (bench/README.md, "Host round trip").
  const int rounds = quick ? 2 : 20, chunk = quick ? 200 : 10000, nThroughput = quick ? 2000 : 1000000;
  std::printf("host round trip (%d rounds of %d round trips per row, each timed alone; ratios: median over the rounds "
              "of the row's median / raw's in the same round)\n", rounds, chunk);
  try {
    spine::host::InProcessOptions o;
    o.trustedKeys = {HOST_BENCH_KEY};
    auto nic = spine::host::Nic::inProcess(o);
    spine_gen::Ping::PingClient local(nic->channel(nic->deploy(std::string(HOST_BENCH_DIR) + "/ping.spxo")));
    NicProcess p;
    if (!p.start()) {
      std::fprintf(stderr, "host-roundtrip-bench: spine-nic did not start\n");
      return 1;
    }
    auto remote = spine::host::Nic::connect(p.socket);
    spine_gen::Ping::PingClient daemon(remote->channel(1));
    BareHostNic bare;
    if (!bare.start()) return 1;

    Series raw, rings, bareHost, inProcess, toDaemon;
    std::vector<double> samples;
    for (int r = 0; r < rounds; ++r) {
      raw.add(rawRoundTrip(chunk));
      rings.add(ringRoundTrip(chunk));
      if (!bare.roundTrips(chunk, samples, int64_t{r} * chunk)) throw std::runtime_error("a Ping came back wrong (bare host)");
      bareHost.add(samples);
      if (!stubsRoundTrip(local, chunk, samples, int64_t{r} * chunk)) throw std::runtime_error("a Ping came back wrong (in-process NIC)");
      inProcess.add(samples);
      if (!stubsRoundTrip(daemon, chunk, samples, int64_t{r} * chunk)) throw std::runtime_error("a Ping came back wrong (spine-nic)");
      toDaemon.add(samples);
    }
    Series sock;
    sock.add(socketRoundTrip(quick ? 200 : 50000));  // some 400 times the others: one block is enough
    row("raw cache-line round trip", raw, raw);
    row("bare rings round trip (no stubs)", rings, raw);
    row("NIC runtime, bare host (no stubs)", bareHost, raw);
    row("stubs, in-process NIC", inProcess, raw);
    row("stubs, spine-nic process", toDaemon, raw);
    Stats socket = summarize(sock.kept);
    std::printf("  %-34s median %9.0f ns  p99 %9.0f ns\n", "Unix-domain socket round trip", socket.median, socket.p99);
    auto [lo, hi] = std::minmax_element(raw.roundMedians.begin(), raw.roundMedians.end());
    std::printf("  (raw round trip per round: %.0f to %.0f ns)\n", *lo, *hi);
    byPlacement(raw, rings, bareHost, inProcess, toDaemon);

    double perSecondLocal = 0, perSecondDaemon = 0;
    if (!throughput(local, nThroughput, 256, perSecondLocal) || !throughput(daemon, nThroughput, 256, perSecondDaemon))
      throw std::runtime_error("an asynchronous Ping came back wrong");
    std::printf("  asynchronous calls (256 in flight): %.0f calls/s in-process, %.0f calls/s to spine-nic\n",
                perSecondLocal, perSecondDaemon);
    if (!oneWayThroughput(local, nThroughput, perSecondLocal) || !oneWayThroughput(daemon, nThroughput, perSecondDaemon))
      throw std::runtime_error("a Ping after one-way sends came back wrong");
    std::printf("  one-way sends (PingSend, batched by the rings): %.0f messages/s in-process, %.0f to spine-nic\n",
                perSecondLocal, perSecondDaemon);
    double stubsMedianLocal = summarize(inProcess.kept).median, stubsMedianDaemon = summarize(toDaemon.kept).median;
    std::printf("ratios: stubs/raw %.2f in-process, %.2f spine-nic (goal <= 1.5; the bare rings alone: %.2f); "
                "socket/stubs %.0f in-process, %.0f spine-nic (the brief: stubs >= 10x faster than the socket)\n",
                inProcess.ratioTo(raw), toDaemon.ratioTo(raw), rings.ratioTo(raw), socket.median / stubsMedianLocal,
                socket.median / stubsMedianDaemon);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "host-roundtrip-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
