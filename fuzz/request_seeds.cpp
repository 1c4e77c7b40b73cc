// Writes request_fuzzer's seed corpus into the folder given as the only argument: the requests the generated
// host stubs of AllTypes (test/stubs/Inputs/AllTypes.spi) send for calls that reach every path of
// AllTypesNic.spx (results, each exception, a division by zero, an endless loop), in the fuzzer's input form
// (fuzz/request_fuzzer.cpp): the request index as the first byte and the payload after it; and a few as whole
// messages (first byte 0xFF). The stubs make the bytes, so the seeds follow the interface and the wire format.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "AllTypes.h"
#include "AllTypesSample.h"
#include "spine/wire.h"

namespace at = spine_gen::AllTypes;

namespace {

// A channel that keeps what the stubs send and never answers (the pending calls fail when it closes).
class CapturingChannel final : public spine::host::Channel {
 public:
  std::vector<spine::host::Bytes> sent;
  ~CapturingChannel() override { close(); }

 protected:
  void transmit(const std::uint8_t *message, std::size_t size) override { sent.emplace_back(message, message + size); }
};

using all_types_test::sample;

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: request_seeds FOLDER\n");
    return 2;
  }
  CapturingChannel channel;
  {
    at::AllTypesClient client(channel);
    at::Everything e = sample();
    (void)client.EchoAsync(e);
    (void)client.EchoAsync(at::Everything{});
    for (int64_t i = 1; i <= 6; ++i) {  // Plain, WithText, WithRecord, WithSet, 1 DIV 0, LOOP END
      e.i = i;
      (void)client.EchoAsync(e);
    }
    (void)client.SumAsync({1, -2, 2147483647, -2147483647 - 1}, {"a", "", "b c"}, {true, false, true});
    (void)client.SumAsync({}, {}, {});
    at::Grid grid = {{{{-129, 127}}, {{0, 1}}, {{2, 3}}}};
    (void)client.PointsAsync({at::Point{-7, 8}, at::Point{1, 1}, at::Point{INT64_MIN, INT64_MAX}}, grid);
    (void)client.PointsAsync({at::Point{5, 6}}, grid);
    (void)client.PointsAsync({}, grid);  // Packet.Exhausted
    (void)client.NopAsync();
    (void)client.KeywordsAsync(at::Keyword::new_, -1, "kept");
    (void)client.KeywordsAsync(at::Keyword::int_, 0, "");
    (void)client.ChooseAsync(at::Color::Green, '9', 1);
    (void)client.ChooseAsync(at::Color::Red, '0', 3);
  }
  std::string dir = argv[1];
  int n = 0;
  auto write = [&](const std::string &name, uint8_t first, const uint8_t *bytes, size_t size) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out.put(static_cast<char>(first));
    out.write(reinterpret_cast<const char *>(bytes), static_cast<std::streamsize>(size));
    if (!out) {
      std::fprintf(stderr, "request_seeds: cannot write %s/%s\n", dir.c_str(), name.c_str());
      std::exit(1);
    }
    ++n;
  };
  for (size_t i = 0; i < channel.sent.size(); ++i) {
    const spine::host::Bytes &m = channel.sent[i];
    uint16_t index = spine_wire_header_load(m.data()).index;
    write("payload-" + std::to_string(i), static_cast<uint8_t>(index), m.data() + SPINE_WIRE_HEADER_SIZE,
          m.size() - SPINE_WIRE_HEADER_SIZE);
    if (i % 4 == 0) write("message-" + std::to_string(i), 0xFF, m.data(), m.size());
  }
  std::printf("request_seeds: %d seeds in %s\n", n, dir.c_str());
  return 0;
}
