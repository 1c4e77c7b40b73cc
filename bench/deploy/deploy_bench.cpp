// Deploy benchmark: how long it takes to get an extension running, measured the same run against the loaders
// it is compared with (bench/README.md, "Deploy benchmark"):
//   spine    readImage (Ed25519 signature, decode) + Runtime::load + runInit + destroying the Extension;
//   jitlink  readImage + the JITLink loader nicrt used before (jitlink_baseline.h) + spx.init + unload;
//   libbpf   bpf_object__open_mem + bpf_object__load (kernel verifier) + close, of the XDP twin in-process;
//   bpftool  `bpftool prog load OBJ PIN type xdp`, the whole process, wall clock.
// Rounds are interleaved (one of each per round) so that load on the machine hits all of them alike.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "bpf_baselines.h"
#include "image/ImageReader.h"
#include "image/Keys.h"
#include "jitlink_baseline.h"
#include "spine/nicrt/Runtime.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string image = DEPLOY_BENCH_IMAGE;
  std::string trust = DEPLOY_BENCH_KEY;
  std::string bpfObject = DEPLOY_BENCH_BPF_OBJECT;  // empty: not built (clang-19 without the BPF target)
  std::string bpftool = "bpftool";
  std::string bpffs = "/sys/fs/bpf";
  int reps = 200;
  int bpftoolReps = 20;
  int warmup = 3;
};

const char kUsage[] =
    "usage: deploy-bench [--reps N] [--bpftool-reps N] [--warmup N] [--image X.spxo --trust KEY.pub]\n"
    "                    [--bpf-object X.bpf.o] [--bpftool PATH] [--bpffs DIR]\n";

bool parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    auto number = [&](int &out) {
      std::string v;
      if (!value(v)) return false;
      char *end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0 || n > 1'000'000) {
        std::fprintf(stderr, "deploy-bench: %s needs a count from 0 to 1000000, not '%s'\n", a.c_str(), v.c_str());
        return false;
      }
      out = static_cast<int>(n);
      return true;
    };
    bool ok = a == "--reps"           ? number(o.reps)
              : a == "--bpftool-reps" ? number(o.bpftoolReps)
              : a == "--warmup"       ? number(o.warmup)
              : a == "--image"        ? value(o.image)
              : a == "--trust"        ? value(o.trust)
              : a == "--bpf-object"   ? value(o.bpfObject)
              : a == "--bpftool"      ? value(o.bpftool)
              : a == "--bpffs"        ? value(o.bpffs)
                                      : false;
    if (!ok) {
      std::fputs(kUsage, stderr);
      return false;
    }
  }
  if (o.reps < 1) {
    std::fprintf(stderr, "deploy-bench: --reps must be at least 1\n");
    return false;
  }
  return true;
}

std::optional<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One measured way of deploying: its samples in microseconds, or why it was skipped.
struct Series {
  std::string name, what;
  std::vector<double> us;
  std::string skipped;
  bool failed = false;

  bool usable() const { return skipped.empty() && !failed && !us.empty(); }
  double percentile(double p) const {
    std::vector<double> v = us;
    std::sort(v.begin(), v.end());
    size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
  }
  double median() const {
    std::vector<double> v = us;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
};

// Times `run` once; a failure marks the series failed (and is reported once).
void timeOnce(Series &s, bool record, const std::function<bool(std::string &)> &run) {
  if (!s.skipped.empty() || s.failed) return;
  std::string error;
  auto t0 = Clock::now();
  bool ok = run(error);
  auto t1 = Clock::now();
  if (!ok) {
    std::fprintf(stderr, "deploy-bench: %s failed: %s\n", s.name.c_str(), error.c_str());
    s.failed = true;
    return;
  }
  if (record) s.us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
}

void printRatio(const Series &spine, const Series &other) {
  if (!spine.usable() || !other.usable()) {
    std::printf("  spine / %-8s  n/a (%s)\n", other.name.c_str(),
                !other.skipped.empty() ? "baseline skipped" : "a side failed");
    return;
  }
  double r = spine.median() / other.median();
  std::printf("  spine / %-8s %7.3f   %s\n", other.name.c_str(), r, r < 1.0 ? "faster: goal met" : "NOT faster: goal missed");
}

}  // namespace

int main(int argc, char **argv) {
  Options opt;
  if (!parse(argc, argv, opt)) return 2;

  auto imageBytes = readFile(opt.image);
  if (!imageBytes) {
    std::fprintf(stderr, "deploy-bench: cannot read the image '%s'\n", opt.image.c_str());
    return 2;
  }
  std::string keyError;
  auto key = spine::image::readPublicKey(opt.trust, keyError);
  if (!key) {
    std::fprintf(stderr, "deploy-bench: %s\n", keyError.c_str());
    return 2;
  }
  const std::vector<spine::image::PublicKey> trusted{*key};
  auto first = spine::image::readImage(*imageBytes, trusted);
  if (!first.ok()) {
    std::fprintf(stderr, "deploy-bench: %s: %s\n", opt.image.c_str(), first.error.c_str());
    return 1;
  }

  spine::nicrt::RuntimeOptions rtOptions;
  rtOptions.output = [](std::string_view) {};
  spine::nicrt::Runtime runtime(std::move(rtOptions));
  spine::bench::JitlinkBaseline jitlink;

  Series verify{"verify", "readImage alone (signature + decode)", {}, {}, false};
  Series spine{"spine", "readImage + Runtime::load + runInit + unload", {}, {}, false};
  Series jit{"jitlink", "readImage + JITLink link + spx.init + unload", {}, {}, false};
  Series spineLoad{"spine", "  Runtime::load + runInit + unload (no verify)", {}, {}, false};
  Series jitLoad{"jitlink", "  link + spx.init + unload (no verify)", {}, {}, false};
  Series libbpf{"libbpf", "open_mem + load (verifier) + close, in-process", {}, {}, false};
  Series bpftool{"bpftool", "`bpftool prog load OBJ PIN type xdp`, process", {}, {}, false};

  std::optional<spine::bench::LibbpfLoader> libbpfLoader;
  std::optional<spine::bench::BpftoolLoader> bpftoolLoader;
  if (opt.bpfObject.empty()) {
    libbpf.skipped = bpftool.skipped = "no XDP object (clang-19 has no BPF target, or libbpf's headers are missing)";
  } else if (auto obj = readFile(opt.bpfObject); !obj) {
    libbpf.skipped = bpftool.skipped = "cannot read the XDP object '" + opt.bpfObject + "'";
  } else {
    libbpfLoader.emplace(std::move(*obj));
    libbpf.skipped = libbpfLoader->probe();
    if (opt.bpftoolReps == 0) {
      bpftool.skipped = "--bpftool-reps 0";
    } else {
      bpftoolLoader.emplace(opt.bpftool, opt.bpfObject, opt.bpffs);
      bpftool.skipped = bpftoolLoader->probe();
    }
  }

  auto deploySpine = [&](std::string &error) {
    auto read = spine::image::readImage(*imageBytes, trusted);
    if (!read.ok()) return error = read.error, false;
    auto loaded = runtime.load(*read.image);
    if (!loaded) return error = loaded.error, false;
    spine::nicrt::Outcome o = loaded.extension->runInit();
    if (!o.ok()) return error = o.message(), false;
    return true;  // the Extension is destroyed (unloaded) here, inside the timing
  };
  auto deployJitlink = [&](std::string &error) {
    auto read = spine::image::readImage(*imageBytes, trusted);
    if (!read.ok()) return error = read.error, false;
    error = jitlink.loadInitUnload(*read.image);
    return error.empty();
  };
  // The loaders alone, on the image read once before the rounds.
  const spine::image::VerifiedImage &img = *first.image;
  auto loadSpine = [&](std::string &error) {
    auto loaded = runtime.load(img);
    if (!loaded) return error = loaded.error, false;
    spine::nicrt::Outcome o = loaded.extension->runInit();
    if (!o.ok()) return error = o.message(), false;
    return true;
  };
  auto loadJitlink = [&](std::string &error) {
    error = jitlink.loadInitUnload(img);
    return error.empty();
  };
  auto readOnly = [&](std::string &error) {
    auto read = spine::image::readImage(*imageBytes, trusted);
    if (!read.ok()) error = read.error;
    return read.ok();
  };

  // bpftool forks a process per deploy: it runs in every k-th recorded round only.
  int rounds = opt.warmup + opt.reps;
  int bpftoolEvery = opt.bpftoolReps > 0 ? std::max(1, opt.reps / opt.bpftoolReps) : 0;
  for (int i = 0; i < rounds; ++i) {
    bool record = i >= opt.warmup;
    int r = i - opt.warmup;
    timeOnce(verify, record, readOnly);
    timeOnce(spine, record, deploySpine);
    timeOnce(jit, record, deployJitlink);
    timeOnce(spineLoad, record, loadSpine);
    timeOnce(jitLoad, record, loadJitlink);
    if (libbpfLoader) timeOnce(libbpf, record, [&](std::string &e) { return libbpfLoader->openLoadClose(e); });
    // Its probe was its warm-up.
    if (bpftoolLoader && record && r % bpftoolEvery == 0 && static_cast<int>(bpftool.us.size()) < opt.bpftoolReps)
      timeOnce(bpftool, record, [&](std::string &e) { return bpftoolLoader->load(e); });
  }

  std::printf("deploy benchmark: %s (image %zu bytes, code %zu bytes) against %s\n", opt.image.c_str(),
              imageBytes->size(), img->code.size(), opt.bpfObject.empty() ? "(no XDP object)" : opt.bpfObject.c_str());
  std::printf("%d rounds after %d warm-up, interleaved; bpftool in %zu of them; microseconds\n", opt.reps, opt.warmup,
              bpftool.us.size());
  std::printf("  %-8s %-48s %10s %10s\n", "", "", "median", "p90");
  for (const Series *s : {&verify, &spine, &jit, &spineLoad, &jitLoad, &libbpf, &bpftool}) {
    if (!s->skipped.empty()) {
      std::printf("  %-8s skipped: %s\n", s->name.c_str(), s->skipped.c_str());
    } else if (s->failed || s->us.empty()) {
      std::printf("  %-8s %-48s %10s %10s\n", s->name.c_str(), s->what.c_str(), s->failed ? "failed" : "-", "");
    } else {
      std::printf("  %-8s %-48s %10.1f %10.1f\n", s->name.c_str(), s->what.c_str(), s->median(), s->percentile(0.9));
    }
  }
  std::printf("ratios of medians (goal: below 1.0, spine deploys faster than each):\n");
  for (const Series *s : {&jit, &libbpf, &bpftool}) printRatio(spine, *s);
  std::printf("the loaders alone, on an image already verified:\n");
  printRatio(spineLoad, jitLoad);
  bool failed = false;
  for (const Series *s : {&verify, &spine, &jit, &spineLoad, &jitLoad, &libbpf, &bpftool}) failed |= s->failed;
  return failed ? 1 : 0;
}
