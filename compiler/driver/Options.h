// spinec's command line. Parsing never exits: it returns a result the driver acts on, so it can be tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spx {

enum class ColorMode { Auto, Always, Never };
enum class EmitKind { Image, Object, Assembly, LLVM };

struct Options {
  std::vector<std::string> inputs;
  std::vector<std::string> includeDirs;
  std::string stdlibDir;
  std::string output;
  bool syntaxOnly = false;
  bool dumpAst = false;
  bool printFingerprint = false;
  bool printProcedures = false;  // each input interface's procedures, "I.P" per line (not its events)
  bool verify = false;  // -verify: check diagnostics against expected-* comments (implies -fsyntax-only)
  bool help = false;
  bool version = false;
  unsigned errorLimit = 20;
  ColorMode color = ColorMode::Auto;
  // Code generation.
  unsigned optLevel = 2;           // -O0, -O1, -O2 (default: checks are cheap only once optimised)
  EmitKind emit = EmitKind::Image; // --emit=image|obj|asm|llvm
  std::string target;              // --target=<triple>; empty: the host
  bool debugInfo = false;          // -g: DWARF for the .spx sources
  // --oracle: a test mode that elides no check and checks every memory access of the generated code against
  // the memory the extension owns (docs/safety.md, "The memory-safety oracle").
  bool oracle = false;
  std::string signKey;             // --sign-key <file.key>; empty: the development key
  std::string keygen;              // --keygen <prefix>: write <prefix>.key and <prefix>.pub, compile nothing
  std::string stubsDir;            // --stubs <dir>: C++ host stubs for each message interface
  // --run: compile, load on an in-process NIC and run the module bodies.
  bool run = false;
  int64_t fuel = 0;                // --fuel=<n>: work budget of the run (0: the runtime's default)
  uint64_t heapBytes = 0;          // --heap=<bytes>: heap quota of the run (0: the runtime's default)
};

struct OptionsResult {
  Options options;
  std::string error;  // non-empty: bad usage (exit status 2)
};

OptionsResult parseOptions(const std::vector<std::string> &args);
const char *usageText();

}  // namespace spx
