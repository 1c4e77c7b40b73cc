// Protected invocations: traps, fuel, stack and heap limits, escaping exceptions, output, isolation.
#include <cstring>
#include <vector>

#include "NicrtTestSupport.h"

using namespace nicrt_test;
using spine::nicrt::Extension;
using spine::nicrt::Outcome;

namespace {
template <class Fn>
Fn *must(const Extension &x, const char *symbol) {
  Fn *fn = x.lookupAs<Fn>(symbol);
  REQUIRE_MESSAGE(x.lookup(symbol) != nullptr, "no symbol " << symbol);
  return fn;
}
}  // namespace

TEST_CASE("a trap stops the invocation and reports kind and source position") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("trap", "Trap")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  Extension &x = *loaded.extension;
  Outcome o = x.runInit();
  CHECK(o.trapped());
  CHECK(o.trapKind == SPX_TRAP_RANGE);
  CHECK(o.site == 1);
  CHECK(o.file == "Trap.spx");
  CHECK(o.line == 11);
  CHECK(o.column == 7);
  CHECK(o.message() == "Trap.spx:11: checked runtime error: range");
  // What the body wrote before the trap arrives; nothing after it ran.
  CHECK(c.out == "before\n");
  CHECK(*static_cast<int64_t *>(x.lookup("Trap.reachedAfter")) == 0);
}

TEST_CASE("an extension keeps working after one of its invocations trapped") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("trap", "Trap")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  auto divide = must<int64_t(int64_t)>(*loaded.extension, "Trap.Divide");
  auto r = loaded.extension->invoke(divide, 0);
  CHECK(r.trapped());
  CHECK(r.trapKind == SPX_TRAP_DIV_ZERO);
  CHECK(r.message() == "Trap.spx:12: checked runtime error: division by zero");
  auto ok = loaded.extension->invoke(divide, 4);
  CHECK(ok.ok());
  CHECK(ok.value == 25);
}

TEST_CASE("a trap at a site missing from the table is still reported") {
  CapturingRuntime c;
  auto img = makeImage("trap", "Trap");
  img.sites.resize(1);
  auto loaded = c.rt.load(verify(img));
  REQUIRE_MESSAGE(loaded, loaded.error);
  Outcome o = loaded.extension->runInit();
  CHECK(o.trapped());
  CHECK(o.file.empty());
  CHECK(o.message() == "<trap site 1>: checked runtime error: range");
}

TEST_CASE("invoke calls an exported procedure with the open-array ABI, many times") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("hello", "Hello")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  auto filter = must<int64_t(uint8_t *, int64_t)>(*loaded.extension, "Hello.Filter");
  std::vector<uint8_t> packet(64);
  for (size_t i = 0; i < packet.size(); ++i) packet[i] = static_cast<uint8_t>(i);
  int64_t total = 0;
  for (int i = 0; i < 10000; ++i) {
    auto r = loaded.extension->invoke(filter, packet.data(), static_cast<int64_t>(packet.size()));
    REQUIRE(r.ok());
    total += r.value;
  }
  CHECK(total == 10000 * (63 * 64 / 2));
}

TEST_CASE("fuel is per invocation and exhausting it traps") {
  spine::nicrt::Limits limits;
  limits.fuel = 1000;
  CapturingRuntime c(limits);
  auto loaded = c.rt.load(verify(makeImage("limits", "Limits")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  Extension &x = *loaded.extension;
  auto spin = must<int64_t(int64_t)>(x, "Limits.Spin");
  for (int i = 0; i < 10; ++i) CHECK(x.invoke(spin, 900).ok());  // refilled every time
  CHECK(x.fuelLeft() == 100);
  auto forever = must<void()>(x, "Limits.SpinForever");
  Outcome o = x.invoke(forever);
  CHECK(o.trapped());
  CHECK(o.trapKind == SPX_TRAP_FUEL);
  CHECK(o.message() == "Limits.spx:11: checked runtime error: fuel exhausted");
  x.limits().fuel = 10;
  CHECK(x.invoke(spin, 20).trapped());
}

TEST_CASE("unbounded recursion traps at the stack limit") {
  spine::nicrt::Limits limits;
  limits.stackBytes = 128 * 1024;
  CapturingRuntime c(limits);
  auto loaded = c.rt.load(verify(makeImage("limits", "Limits")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  auto recurse = must<int64_t()>(*loaded.extension, "Limits.Recurse");
  auto r = loaded.extension->invoke(recurse);
  CHECK(r.trapped());
  CHECK(r.trapKind == SPX_TRAP_STACK);
  CHECK(r.message() == "Limits.spx:12: checked runtime error: stack limit");
  // And again: the stack was unwound, not leaked.
  for (int i = 0; i < 100; ++i) CHECK(loaded.extension->invoke(recurse).trapKind == SPX_TRAP_STACK);
}

TEST_CASE("NEW gives zeroed 16-aligned storage and traps beyond the heap quota") {
  spine::nicrt::Limits limits;
  limits.heapBytes = 256 * 1024;
  CapturingRuntime c(limits);
  auto loaded = c.rt.load(verify(makeImage("limits", "Limits")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  Extension &x = *loaded.extension;
  auto alloc = must<void *(int64_t)>(x, "Limits.Alloc");
  for (int64_t size : {1, 24, 100, 5000, 70000}) {
    auto r = x.invoke(alloc, size);
    REQUIRE(r.ok());
    CHECK(reinterpret_cast<uintptr_t>(r.value) % 16 == 0);
    auto *bytes = static_cast<unsigned char *>(r.value);
    bool zero = true;
    for (int64_t i = 0; i < size; ++i) zero = zero && bytes[i] == 0;
    CHECK(zero);
    std::memset(bytes, 0xAB, static_cast<size_t>(size));  // the extension owns it now
  }
  CHECK(x.invoke(alloc, 0).ok());
  auto huge = x.invoke(alloc, -1);  // 2^64 - 1 bytes
  CHECK(huge.trapped());
  CHECK(huge.trapKind == SPX_TRAP_HEAP);
  auto exhaust = must<void()>(x, "Limits.ExhaustHeap");
  Outcome o = x.invoke(exhaust);
  CHECK(o.trapped());
  CHECK(o.trapKind == SPX_TRAP_HEAP);
  CHECK(o.message() == "Limits.spx:13: checked runtime error: heap quota");
  CHECK(x.heapUsed() <= limits.heapBytes);
  CHECK(x.heapUsed() > limits.heapBytes - 1008);
}

TEST_CASE("an exception escaping an invocation is reported") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("limits", "Limits")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  auto raise = must<void()>(*loaded.extension, "Limits.Raise");
  Outcome o = loaded.extension->invoke(raise);
  CHECK(o.status == Outcome::Status::ExceptionEscaped);
  CHECK(o.exception == loaded.extension->lookup("Limits.Failure"));
  // exc is cleared for the next invocation.
  auto spin = must<int64_t(int64_t)>(*loaded.extension, "Limits.Spin");
  CHECK(loaded.extension->invoke(spin, 1).ok());
}

TEST_CASE("two extensions side by side: one traps, the other keeps working") {
  CapturingRuntime c;
  auto a = c.rt.load(verify(makeImage("hello", "Hello")));
  auto b = c.rt.load(verify(makeImage("trap", "Trap")));
  auto a2 = c.rt.load(verify(makeImage("hello", "Hello")));  // the same module twice: separate state
  REQUIRE_MESSAGE(a, a.error);
  REQUIRE_MESSAGE(b, b.error);
  REQUIRE_MESSAGE(a2, a2.error);
  auto countA = must<int64_t()>(*a.extension, "Hello.Count");
  auto countA2 = must<int64_t()>(*a2.extension, "Hello.Count");
  auto divide = must<int64_t(int64_t)>(*b.extension, "Trap.Divide");
  CHECK(a.extension->lookup("Hello.Count") != a2.extension->lookup("Hello.Count"));
  for (int64_t i = 1; i <= 50; ++i) {
    CHECK(b.extension->invoke(divide, 0).trapped());
    auto r = a.extension->invoke(countA);
    REQUIRE(r.ok());
    CHECK(r.value == i);
  }
  CHECK(b.extension->runInit().trapped());
  b.extension.reset();  // unload the faulting one
  CHECK(a.extension->invoke(countA).value == 51);
  CHECK(a2.extension->invoke(countA2).value == 1);
}
