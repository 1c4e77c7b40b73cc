// spinec's command line. Parsing never exits: it returns a result the driver acts on, so it can be tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace spx {

enum class ColorMode { Auto, Always, Never };

struct Options {
  std::vector<std::string> inputs;
  std::vector<std::string> includeDirs;
  std::string stdlibDir;
  std::string output;
  bool syntaxOnly = false;
  bool dumpAst = false;
  bool printFingerprint = false;
  bool verify = false;  // -verify: check diagnostics against expected-* comments (implies -fsyntax-only)
  bool help = false;
  bool version = false;
  unsigned errorLimit = 20;
  ColorMode color = ColorMode::Auto;
};

struct OptionsResult {
  Options options;
  std::string error;  // non-empty: bad usage (exit status 2)
};

OptionsResult parseOptions(const std::vector<std::string> &args);
const char *usageText();

}  // namespace spx
