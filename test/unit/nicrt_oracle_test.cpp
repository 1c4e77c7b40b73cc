// The memory-safety oracle's runtime check (spx_rt_oracle_check): an extension's own memory passes, anything
// else traps with SPX_TRAP_ORACLE. Inputs/nicrt/oracle.c calls the check the way spinec --oracle code does.
#include <string>
#include <vector>

#include "NicrtTestSupport.h"

using namespace nicrt_test;
using spine::nicrt::Extension;
using spine::nicrt::Outcome;

namespace {
struct OracleExtension {
  CapturingRuntime c;
  spine::nicrt::LoadResult loaded = c.rt.load(verify(makeImage("oracle", "Oracle")));
  Extension &x() {
    REQUIRE_MESSAGE(loaded, loaded.error);
    return *loaded.extension;
  }
  template <class Fn>
  Fn *fn(const char *symbol) {
    REQUIRE_MESSAGE(x().lookup(symbol) != nullptr, "no symbol " << symbol);
    return x().lookupAs<Fn>(symbol);
  }
};

void checkOracleTrap(const Outcome &o, uint32_t line, const char *what) {
  CHECK(o.trapped());
  CHECK(o.trapKind == SPX_TRAP_ORACLE);
  CHECK(o.line == line);
  CHECK(o.message().find("Oracle.spx:" + std::to_string(line) + ": checked runtime error: memory-safety oracle: ") == 0);
  CHECK(o.detail.find(what) != std::string::npos);
  CHECK(o.detail.find("compiler bug") != std::string::npos);
}
}  // namespace

TEST_CASE("the oracle lets an extension use its globals, constants, state, heap blocks and stack") {
  OracleExtension e;
  auto own = e.fn<int64_t()>("Oracle.OwnMemory");
  REQUIRE(e.x().runInit().ok());
  auto r = e.x().invoke(own);
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(r.value == 5 + 4 + 1);
  CHECK(e.x().invoke(own).value == 5 + 4 + 2);
}

TEST_CASE("the oracle traps a write to host memory") {
  OracleExtension e;
  int64_t host = 0;
  Outcome o = e.x().invoke(e.fn<void(int64_t *)>("Oracle.WriteHost"), &host);
  checkOracleTrap(o, 14, "write of 8 bytes");
  CHECK(host == 0);
}

TEST_CASE("the oracle traps a read one byte past a heap block") {
  OracleExtension e;
  Outcome o = e.x().invoke(e.fn<int64_t()>("Oracle.ReadPastHeapBlock"));
  checkOracleTrap(o, 15, "read of 1 byte at");  // the write to the block's last byte passed
}

TEST_CASE("the oracle tells one module variable from the next") {
  OracleExtension e;
  Outcome o = e.x().invoke(e.fn<void()>("Oracle.StraddleVariables"));
  checkOracleTrap(o, 11, "read of 8 bytes");
}

TEST_CASE("the oracle traps a write to the extension's constants") {
  OracleExtension e;
  Outcome o = e.x().invoke(e.fn<void()>("Oracle.WriteConstant"));
  checkOracleTrap(o, 16, "into the extension's constants");
}

TEST_CASE("the oracle allows the invocation's bytes, and only those") {
  OracleExtension e;
  auto sum = e.fn<int64_t(const uint8_t *, int64_t)>("Oracle.Sum");
  std::vector<uint8_t> packet(32, 2);
  checkOracleTrap(e.x().invoke(sum, packet.data(), 32), 17, "read of 1 byte at");
  e.x().setInvocationBytes(packet.data(), 16);
  auto r = e.x().invoke(sum, packet.data(), 16);
  REQUIRE_MESSAGE(r.ok(), r.message());
  CHECK(r.value == 32);
  checkOracleTrap(e.x().invoke(sum, packet.data(), 17), 17, "outside the extension's memory");
}

TEST_CASE("the oracle traps an access to the host's stack above the invocation") {
  OracleExtension e;
  auto write = e.fn<void(int64_t *)>("Oracle.WriteHost");
  int64_t callerLocal = 0;  // above the invocation's entry frame: the host's, not the extension's
  checkOracleTrap(e.x().invoke(write, &callerLocal), 14, "outside the extension's memory");
}
