// The NIC runtime's loader: what it links, what it refuses and how it says so, and unloading.
#include <sys/mman.h>
#include <type_traits>
#include <unistd.h>

#include "NicrtTestSupport.h"
#include "detail/Exports.h"

using namespace nicrt_test;
using spine::nicrt::Runtime;

TEST_CASE("loads an image that uses only exported symbols and runs its body") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("hello", "Hello")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  CHECK(loaded.extension->module() == "Hello");
  CHECK(loaded.extension->runInit().ok());
  CHECK(c.out == "Hello, world -42\nHello, [Hello] Info: logged\n[Hello] Warning: careful\n");
}

TEST_CASE("loads an image built with debug info (registered with the debugger)") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("hello-g", "Hello")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  CHECK(loaded.extension->runInit().ok());
  CHECK(c.out.starts_with("Hello, world -42\n"));
}

TEST_CASE("refuses undefined symbols the runtime does not export, naming each") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("bad_symbols", "Bad")));
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error.find("image refers to printf, which the runtime does not export") != std::string::npos);
  CHECK(loaded.error.find("image imports Disk.Read, which the runtime does not export (it does not provide "
                          "interface Disk)") != std::string::npos);
  CHECK(loaded.error.find("image imports IO.Frob, which the runtime does not export") != std::string::npos);
  CHECK(c.out.empty());
}

TEST_CASE("refuses an import of an interface the runtime does not provide") {
  Runtime rt;
  auto img = makeImage("hello", "Hello");
  img.manifest.imports.push_back({"Disk", 0x1234});
  auto loaded = rt.load(verify(img));
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error == "image imports interface Disk, which this runtime does not provide");
}

TEST_CASE("refuses an import with a stale fingerprint") {
  Runtime rt;
  auto img = makeImage("hello", "Hello");
  uint64_t real = exportedFingerprint("IO");
  img.manifest.imports[0].fingerprint = 0x00000000deadbeefull;
  auto loaded = rt.load(verify(img));
  REQUIRE_FALSE(loaded);
  char expected[200];
  std::snprintf(expected, sizeof expected,
                "image was compiled against interface IO with fingerprint 00000000deadbeef, the runtime provides "
                "%016llx (stale import: recompile)",
                static_cast<unsigned long long>(real));
  CHECK(loaded.error == expected);
}

TEST_CASE("refuses a call into an exported interface the manifest does not import") {
  Runtime rt;
  auto img = makeImage("hello", "Hello");
  img.manifest.imports.erase(img.manifest.imports.begin());  // drop IO
  auto loaded = rt.load(verify(img));
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error.find("image uses IO.Put but its manifest does not import interface IO") != std::string::npos);
}

TEST_CASE("refuses code that is not an x86-64 relocatable object") {
  Runtime rt;
  auto img = makeImage("hello", "Hello");
  img.code = "not an object file";
  auto loaded = rt.load(verify(img));
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error.find("image code is not an object file") != std::string::npos);

  img = makeImage("hello", "Hello");
  img.manifest.target = "aarch64-unknown-linux-gnu";
  loaded = rt.load(verify(img));
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error.find("image is for target aarch64-unknown-linux-gnu") != std::string::npos);
}

TEST_CASE("refuses code that is not position-independent") {
  Runtime rt;
  auto loaded = rt.load(verify(makeImage("hello-nopic", "Hello")));
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error.find("image code is not position-independent: R_X86_64_32") != std::string::npos);
  CHECK(loaded.error.find("relocation in .text") != std::string::npos);
}

TEST_CASE("exports every stdlib interface with the stdlib's fingerprints, and no process symbols") {
  std::vector<std::string> names;
  for (const auto &i : Runtime::exportedInterfaces()) {
    names.emplace_back(i.name);
    CHECK(i.fingerprint != 0);
  }
  CHECK(names == std::vector<std::string>{"IO", "Log", "Word", "Net", "Packet", "Table", "Checksum", "Timer", "Host",
                                          "Peer", "Buffer"});
  auto symbols = Runtime::exportedSymbols();
  CHECK(std::find(symbols.begin(), symbols.end(), "spx_rt_trap") != symbols.end());
  CHECK(std::find(symbols.begin(), symbols.end(), "printf") == symbols.end());
}

// Only image::readImage makes a VerifiedImage, and the loader takes nothing else: an Image that was never
// verified (built in memory, or read with readImageUnverified) cannot even be passed to it.
static_assert(!std::is_constructible_v<spine::image::VerifiedImage, spine::image::Image>);
static_assert(!std::is_invocable_v<decltype(&Runtime::load), Runtime &, const spine::image::Image &>);
static_assert(std::is_invocable_v<decltype(&Runtime::load), Runtime &, const spine::image::VerifiedImage &>);

TEST_CASE("every procedure of every exported interface is in the export table") {
  // The list comes from stdlib/*.spi through spinec's front end at build time (GenerateFingerprints.cmake).
  CHECK(spine::nicrt::detail::missingExports() == std::vector<std::string>{});
}

TEST_CASE("lookup finds the image's own symbols only") {
  Runtime rt;
  auto loaded = rt.load(verify(makeImage("hello", "Hello")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  CHECK(loaded.extension->lookup("Hello.Filter") != nullptr);
  CHECK(loaded.extension->lookup("Hello.Missing") == nullptr);
  CHECK(loaded.extension->lookup("IO.Put") == nullptr);      // the runtime's, not the image's
  CHECK(loaded.extension->lookup("printf") == nullptr);
}

TEST_CASE("unloading frees the extension's code") {
  Runtime rt;
  auto loaded = rt.load(verify(makeImage("hello", "Hello")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  long pageSize = sysconf(_SC_PAGESIZE);
  auto page = reinterpret_cast<void *>(reinterpret_cast<uintptr_t>(loaded.extension->lookup("Hello.Count")) &
                                       ~static_cast<uintptr_t>(pageSize - 1));
  CHECK(msync(page, pageSize, MS_ASYNC) == 0);  // mapped
  loaded.extension.reset();
  CHECK(msync(page, pageSize, MS_ASYNC) == -1);  // unmapped
  // The same module loads again afterwards.
  auto again = rt.load(verify(makeImage("hello", "Hello")));
  REQUIRE_MESSAGE(again, again.error);
}

TEST_CASE("loads and unloads 200 images in a row") {
  CapturingRuntime c;
  for (int i = 0; i < 200; ++i) {
    auto loaded = c.rt.load(verify(makeImage(i % 2 ? "hello" : "trap", i % 2 ? "Hello" : "Trap")));
    REQUIRE_MESSAGE(loaded, loaded.error);
    loaded.extension->runInit();
    c.out.clear();
  }
}
