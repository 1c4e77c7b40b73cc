// The runtime's IO line buffer: complete lines go on whole, and a line that never ends cannot grow the
// runtime's memory beyond kMaxPartialLine (issue 7, item 7).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "detail/ExtensionImpl.h"

using spine::nicrt::Extension;
using spine::nicrt::OutputSink;

namespace {

struct RecordingSink {
  std::vector<std::string> pieces;
  size_t bytes = 0;
  OutputSink sink = [this](std::string_view s) {
    pieces.emplace_back(s);
    bytes += s.size();
  };
};

}  // namespace

TEST_CASE("IO output: short writes make one piece per complete line") {
  RecordingSink out;
  Extension::Impl x;
  x.sink = &out.sink;
  x.write("a");
  x.write("b");
  CHECK(out.pieces.empty());
  x.write("c\nd");
  REQUIRE(out.pieces.size() == 1);
  CHECK(out.pieces[0] == "abc\n");
  x.flushOutput();
  CHECK(out.pieces.back() == "d");
}

TEST_CASE("IO output: megabytes without a newline keep the partial line bounded") {
  RecordingSink out;
  Extension::Impl x;
  x.sink = &out.sink;
  const std::string chunk(1000, 'x');
  size_t largestPending = 0;
  for (int i = 0; i < 8000; ++i) {  // 8 MB, no newline
    x.write(chunk);
    largestPending = std::max(largestPending, x.pendingOutput.capacity());
  }
  CHECK(x.pendingOutput.size() <= Extension::Impl::kMaxPartialLine);
  CHECK(largestPending <= 2 * Extension::Impl::kMaxPartialLine);
  x.flushOutput();
  CHECK(out.bytes == 8000 * chunk.size());
}

TEST_CASE("IO output: one write longer than the bound goes straight on, in order") {
  RecordingSink out;
  Extension::Impl x;
  x.sink = &out.sink;
  x.write("head ");
  x.write(std::string(3 * Extension::Impl::kMaxPartialLine, 'y'));
  x.write(std::string(2 * Extension::Impl::kMaxPartialLine, 'z') + "\nrest");
  CHECK(x.pendingOutput == "rest");
  std::string all;
  for (const std::string &p : out.pieces) all += p;
  CHECK(all == "head " + std::string(3 * Extension::Impl::kMaxPartialLine, 'y') +
                   std::string(2 * Extension::Impl::kMaxPartialLine, 'z') + "\n");
  CHECK(x.pendingOutput.capacity() <= 2 * Extension::Impl::kMaxPartialLine);
}
