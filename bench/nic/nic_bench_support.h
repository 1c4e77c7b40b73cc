// What the three NIC benchmarks share (bench/README.md, "NIC benchmarks"): reading the signed images the build
// made, a port that discards what it is given, the frames they push, resident memory, and argument parsing.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "image/ImageReader.h"
#include "image/Keys.h"
#include "nic/Nic.h"
#include "ports/Port.h"

namespace nicbench {

[[noreturn]] inline void fail(const std::string &why) {
  std::fprintf(stderr, "nic-bench: %s\n", why.c_str());
  std::exit(1);
}

// A signed image of this build (bench/nic/CMakeLists.txt), verified as spine-nic would against the bench key.
inline spine::image::VerifiedImage readSignedImage(const std::string &name) {
  const std::string path = std::string(NIC_BENCH_IMAGES) + "/" + name + ".spxo";
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read image '" + path + "'");
  const std::string bytes(std::istreambuf_iterator<char>(in), {});
  std::string error;
  auto key = spine::image::readPublicKey(NIC_BENCH_KEY, error);
  if (!key) fail(error);
  auto read = spine::image::readImage(bytes, {*key});
  if (!read.ok()) fail("image '" + path + "': " + read.error);
  return std::move(*read.image);
}

inline uint32_t deployOrFail(spine::nicrt::Nic &nic, const std::string &name) {
  auto d = nic.deploy(readSignedImage(name));
  if (!d) fail("deploying " + name + ": " + d.error);
  return d.id;
}

// A wire that loses everything: counts what it is given and keeps nothing, so a benchmark times the NIC and not
// a queue (MemoryPort copies every packet into a growing vector).
class DiscardPort final : public spine::nicrt::Port {
 public:
  DiscardPort() : Port("discard") {}
  spine::nicrt::ReceiveResult receive(spine::nicrt::PacketPool &, spine::nicrt::PacketOwner) override {
    return {spine::nicrt::ReceiveStatus::End, {}};
  }
  bool transmit(const spine::nicrt::PacketBuffer &packet) override {
    countTransmit(packet.length());
    return true;
  }
  bool flush() override { return true; }
  bool eof() const override { return true; }
};

// Adds a DiscardPort to `nic` (as its port 0 in these benchmarks) and returns it, for its counters.
inline spine::nicrt::Port *addDiscardPort(spine::nicrt::Nic &nic) {
  auto owned = std::make_unique<DiscardPort>();
  spine::nicrt::Port *port = owned.get();
  nic.addPort(std::move(owned));
  return port;
}

// Frames of 64 to 1,500 bytes (lengths spread evenly, in a fixed shuffled order): an Ethernet + IPv4 + UDP
// header, then a counting payload. frame(i) is the i-th packet's bytes.
class Frames {
 public:
  Frames() {
    bytes_.resize(1500);
    const uint8_t header[42] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,       // Ethernet, IPv4
                                0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0,           // IPv4, UDP
                                10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x40, 0x9c, 0x41, 0, 0, 0, 0};
    for (size_t i = 0; i < bytes_.size(); ++i) bytes_[i] = i < sizeof header ? header[i] : uint8_t(i);
    uint64_t x = 0x9e3779b97f4a7c15;
    lengths_.resize(kLengths);
    for (uint32_t i = 0; i < kLengths; ++i) lengths_[i] = 64 + i * (1500 - 64) / (kLengths - 1);
    for (uint32_t i = kLengths - 1; i > 0; --i) {  // Fisher-Yates with xorshift64: the same order every run
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      std::swap(lengths_[i], lengths_[x % (i + 1)]);
    }
  }
  std::span<const uint8_t> frame(uint64_t i) const { return {bytes_.data(), lengths_[i % kLengths]}; }

 private:
  static constexpr uint32_t kLengths = 1024;
  std::vector<uint8_t> bytes_;
  std::vector<uint32_t> lengths_;
};

// Resident memory of this process (the second field of /proc/self/statm, in pages) in KiB.
inline uint64_t residentKiB() {
  std::FILE *f = std::fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (!f || std::fscanf(f, "%lu %lu", &size, &resident) != 2) fail("cannot read /proc/self/statm");
  std::fclose(f);
  return uint64_t{resident} * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) / 1024;
}

// "--name N": a count from `min` to `max`; exits with the usage otherwise.
inline bool countOption(int argc, char **argv, int &i, const char *name, uint64_t &out, uint64_t min, uint64_t max,
                        const char *usage) {
  if (std::string(argv[i]) != name) return false;
  char *end = nullptr;
  const char *v = i + 1 < argc ? argv[++i] : "";
  unsigned long long n = std::strtoull(v, &end, 10);
  if (!*v || *end || n < min || n > max) {
    std::fprintf(stderr, "nic-bench: %s needs a count from %llu to %llu, not '%s'\n%s", name,
                 static_cast<unsigned long long>(min), static_cast<unsigned long long>(max), v, usage);
    std::exit(2);
  }
  out = n;
  return true;
}

}  // namespace nicbench
