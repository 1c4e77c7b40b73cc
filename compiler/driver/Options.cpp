#include "driver/Options.h"

#include <cstdlib>

namespace spx {

const char *usageText() {
  return "USAGE: spinec [options] <file.spx | file.spi>...\n"
         "\n"
         "Compiles SPINE extension modules (.spx) and interfaces (.spi).\n"
         "\n"
         "OPTIONS:\n"
         "  -fsyntax-only          Parse and check the sources; write nothing\n"
         "  --dump-ast             Print the checked syntax tree of each input\n"
         "  --print-fingerprint    Print the fingerprint of each interface given as input\n"
         "  -verify                Check diagnostics against the expected-error/-warning/-note comments in\n"
         "                         the sources (for tests); implies -fsyntax-only\n"
         "  -I <dir>               Search <dir> for imported interfaces (before the bundled stdlib)\n"
         "  --stdlib <dir>         Use <dir> as the standard library instead of the bundled one\n"
         "  -o <file>              Write the output to <file>\n"
         "  -ferror-limit=<n>      Stop after <n> errors (default 20; 0 means no limit)\n"
         "  --color=<when>         Colour diagnostics: auto (on a terminal), always, never\n"
         "  -fcolor-diagnostics    Same as --color=always\n"
         "  -fno-color-diagnostics Same as --color=never\n"
         "  -h, --help             Show this help\n"
         "  --version              Show the version\n"
         "\n"
         "Interfaces are looked up as <Name>.spi in: the files given, each -I directory in order, the\n"
         "directories of the files given, then the standard library.\n"
         "Exit status: 0 success, 1 errors in the sources, 2 bad usage.\n";
}

OptionsResult parseOptions(const std::vector<std::string> &args) {
  OptionsResult r;
  Options &o = r.options;
  auto fail = [&](std::string msg) {
    r.error = std::move(msg);
    return r;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    auto value = [&](const std::string &flag, std::string &out) {
      if (a.size() > flag.size() && a.compare(0, flag.size(), flag) == 0) {
        out = a.substr(flag.size());
        if (!out.empty() && out[0] == '=') out.erase(0, 1);
        return true;
      }
      if (a == flag) {
        if (i + 1 >= args.size()) return false;
        out = args[++i];
        return true;
      }
      return false;
    };
    if (a == "-fsyntax-only") o.syntaxOnly = true;
    else if (a == "--dump-ast") o.dumpAst = true;
    else if (a == "-verify") o.verify = o.syntaxOnly = true;
    else if (a == "--print-fingerprint") o.printFingerprint = true;
    else if (a == "-h" || a == "--help" || a == "-help") o.help = true;
    else if (a == "--version") o.version = true;
    else if (a == "-fcolor-diagnostics") o.color = ColorMode::Always;
    else if (a == "-fno-color-diagnostics") o.color = ColorMode::Never;
    else if (a.rfind("--color", 0) == 0) {
      std::string v = a == "--color" ? "always" : a.rfind("--color=", 0) == 0 ? a.substr(8) : "";
      if (v == "always") o.color = ColorMode::Always;
      else if (v == "never") o.color = ColorMode::Never;
      else if (v == "auto") o.color = ColorMode::Auto;
      else return fail("invalid value '" + v + "' for --color: expected auto, always or never");
    } else if (a.rfind("-ferror-limit=", 0) == 0) {
      std::string v = a.substr(14);
      char *end = nullptr;
      unsigned long n = v.empty() ? 0 : std::strtoul(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || v[0] == '-' || n > 1000000)
        return fail("invalid value '" + v + "' for -ferror-limit: expected a number from 0 to 1000000");
      o.errorLimit = static_cast<unsigned>(n);
    } else if (a.rfind("-I", 0) == 0) {
      std::string dir;
      if (!value("-I", dir) || dir.empty()) return fail("option '-I' needs a directory");
      o.includeDirs.push_back(dir);
    } else if (a.rfind("--stdlib", 0) == 0) {
      if (!value("--stdlib", o.stdlibDir) || o.stdlibDir.empty()) return fail("option '--stdlib' needs a directory");
    } else if (a == "-o") {
      if (!value("-o", o.output) || o.output.empty()) return fail("option '-o' needs a file name");
    } else if (a == "--") {
      for (++i; i < args.size(); ++i) o.inputs.push_back(args[i]);
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return fail("unknown option '" + a + "'");
    } else {
      o.inputs.push_back(a);
    }
  }
  if (!o.help && !o.version && o.inputs.empty()) return fail("no input files");
  return r;
}

}  // namespace spx
