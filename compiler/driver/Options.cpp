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
         "  --print-procedures     Print the procedures (not events) of each interface given, I.P per line\n"
         "  -verify                Check diagnostics against the expected-error/-warning/-note comments in\n"
         "                         the sources (for tests); implies -fsyntax-only\n"
         "  -I <dir>               Search <dir> for imported interfaces (before the bundled stdlib)\n"
         "  --stdlib <dir>         Use <dir> as the standard library instead of the bundled one\n"
         "  -o <file>              Write the output to <file> (default: the first module's name with the\n"
         "                         extension of the --emit kind, in the current directory)\n"
         "  -O0, -O1, -O2          Optimisation level (default -O2; checks stay in at every level)\n"
         "  --emit=<kind>          What to write: image (.spxo, signed; the default), obj (.o), asm (.s),\n"
         "                         llvm (.ll)\n"
         "  --target=<triple>      LLVM target triple of the code (default: this host); the architecture\n"
         "                         must be x86_64, aarch64 or riscv64\n"
         "  -g                     Emit DWARF debug information for the .spx sources\n"
         "  --oracle               Test mode: elide no check, and check every load, store and memory copy of\n"
         "                         the generated code against the memory the extension owns; an access\n"
         "                         outside it is a compiler bug, reported as a checked runtime error\n"
         "                         'memory-safety oracle' (exit status 4 under --run)\n"
         "  --sign-key <file>      Sign the image with this secret key (from --keygen); default: the\n"
         "                         development key, $SPINE_DEV_KEY or ~/.spine/dev.key, made on first use\n"
         "  --keygen <prefix>      Write a new Ed25519 key pair to <prefix>.key and <prefix>.pub and exit\n"
         "  --stubs <dir>          Write C++ host stubs for every message interface into <dir>\n"
         "  --run                  Compile, load on an in-process NIC and run the module bodies; IO output\n"
         "                         goes to stdout; a checked runtime error exits with status 3\n"
         "  --fuel=<n>             With --run: the work budget (loop iterations and calls)\n"
         "  --heap=<bytes>         With --run: the heap quota\n"
         "  -ferror-limit=<n>      Stop after <n> errors (default 20; 0 means no limit)\n"
         "  --color=<when>         Colour diagnostics: auto (on a terminal), always, never\n"
         "  -fcolor-diagnostics    Same as --color=always\n"
         "  -fno-color-diagnostics Same as --color=never\n"
         "  -h, --help             Show this help\n"
         "  --version              Show the version\n"
         "\n"
         "Interfaces are looked up as <Name>.spi in: the files given, each -I directory in order, the\n"
         "directories of the files given, then the standard library.\n"
         "Exit status: 0 success, 1 errors in the sources, 2 bad usage, 3 a checked runtime error under --run,\n"
         "4 the memory-safety oracle caught a compiler bug under --oracle --run.\n";
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
    else if (a == "--print-procedures") o.printProcedures = true;
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
    } else if (a == "-O0" || a == "-O1" || a == "-O2" || a == "-O3") {
      o.optLevel = a == "-O3" ? 2 : unsigned(a[2] - '0');
    } else if (a == "-g") {
      o.debugInfo = true;
    } else if (a == "--oracle") {
      o.oracle = true;
    } else if (a.rfind("--emit", 0) == 0) {
      std::string v;
      if (!value("--emit", v)) return fail("option '--emit' needs a kind: image, obj, asm or llvm");
      if (v == "image") o.emit = EmitKind::Image;
      else if (v == "obj") o.emit = EmitKind::Object;
      else if (v == "asm") o.emit = EmitKind::Assembly;
      else if (v == "llvm") o.emit = EmitKind::LLVM;
      else return fail("invalid value '" + v + "' for --emit: expected image, obj, asm or llvm");
    } else if (a.rfind("--target", 0) == 0) {
      if (!value("--target", o.target) || o.target.empty()) return fail("option '--target' needs a triple");
    } else if (a.rfind("--sign-key", 0) == 0) {
      if (!value("--sign-key", o.signKey) || o.signKey.empty()) return fail("option '--sign-key' needs a file");
    } else if (a.rfind("--keygen", 0) == 0) {
      if (!value("--keygen", o.keygen) || o.keygen.empty()) return fail("option '--keygen' needs a file prefix");
    } else if (a.rfind("--stubs", 0) == 0) {
      if (!value("--stubs", o.stubsDir) || o.stubsDir.empty()) return fail("option '--stubs' needs a directory");
    } else if (a == "--run") {
      o.run = true;
    } else if (a.rfind("--fuel", 0) == 0 || a.rfind("--heap", 0) == 0) {
      bool fuel = a.rfind("--fuel", 0) == 0;
      std::string flag = fuel ? "--fuel" : "--heap", v;
      if (!value(flag, v)) return fail("option '" + flag + "' needs a number");
      char *end = nullptr;
      unsigned long long n = v.empty() || v[0] == '-' ? 0 : std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || v[0] == '-' || *end != '\0' || n == 0 || n > (1ull << 62))
        return fail("invalid value '" + v + "' for " + flag + ": expected a number from 1 to 2^62");
      if (fuel) o.fuel = int64_t(n);
      else o.heapBytes = n;
    } else if (a == "--") {
      for (++i; i < args.size(); ++i) o.inputs.push_back(args[i]);
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return fail("unknown option '" + a + "'");
    } else {
      o.inputs.push_back(a);
    }
  }
  if (!o.help && !o.version && o.keygen.empty() && o.inputs.empty()) return fail("no input files");
  return r;
}

}  // namespace spx
