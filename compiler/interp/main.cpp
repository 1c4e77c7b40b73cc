// spx-interp: runs a program's module bodies by interpreting the checked AST and prints what IO writes, so
// that spinec's output can be compared with an independent reference. Takes spinec's options and inputs
// (the code-generation options are accepted and ignored; --fuel and --heap set the limits); exit status as
// `spinec --run`: 0, 1 errors in the sources, 2 bad usage, 3 a checked runtime error, 4 a construct the
// interpreter does not model.
#include "driver/Compilation.h"
#include "driver/Options.h"
#include "interp/Interp.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string_view>

namespace {

spx::interp::RunLimits gLimits;
std::string gStdlibDir;

// The in-process NIC provides only these stdlib interfaces (nicrt/runtime/Exports.cpp); spinec --run refuses an
// image that imports another one it does not implement itself, and so does the interpreter.
bool refusedByRuntime(spx::Compilation &c) {
  namespace fs = std::filesystem;
  constexpr std::string_view kProvided[] = {"IO", "Log", "Word", "Net"};
  std::error_code ec;
  fs::path stdlib = fs::weakly_canonical(gStdlibDir, ec);
  std::vector<std::string> missing;
  for (spx::InterfaceInfo *info : c.checkedInterfaces()) {
    fs::path file = fs::weakly_canonical(c.sources().name(info->unit->file), ec);
    if (ec || file.parent_path() != stdlib || !info->exporters.empty()) continue;
    std::string_view name = info->unit->name.text;
    if (std::find(std::begin(kProvided), std::end(kProvided), name) == std::end(kProvided))
      missing.push_back(std::string(name));
  }
  if (missing.empty()) return false;
  std::cerr << "spx-interp: error: the in-process NIC would refuse the image:\n";
  for (const std::string &m : missing)
    std::cerr << "image imports interface " << m << ", which this runtime does not provide\n";
  return true;
}

int interpret(spx::Compilation &c) {
  spx::interp::Interpreter interp(c.sources(), std::cout, gLimits);
  std::vector<spx::Unit *> modules = c.checkedModules();
  if (modules.empty()) {
    std::cerr << "spx-interp: error: no module to run\n";
    return 1;
  }
  if (refusedByRuntime(c)) return 1;
  for (spx::Unit *m : modules) interp.addModule(m);
  for (spx::InterfaceInfo *info : c.checkedInterfaces()) interp.addInterface(info);
  return interp.run(std::cerr);
}

struct Run {
  const spx::Options *opts;
};

// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; clang only answers __has_feature.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kFreeAtExit = true;
#elif defined(__has_feature)
constexpr bool kFreeAtExit = __has_feature(address_sanitizer);
#else
constexpr bool kFreeAtExit = false;
#endif

int compileAndRun(void *p) {
  auto *run = static_cast<Run *>(p);
  // Never freed: the process exits right after (as spinec does). Sanitizer builds free everything, so that
  // LeakSanitizer can tell a real leak.
  auto c = std::make_unique<spx::Compilation>(*run->opts, std::cout, std::cerr);
  if (!kFreeAtExit) c->setRetainParseTrees(true);
  c->diags().setColor(false);
  int status = c->run();
  std::cout.flush();
  if (!kFreeAtExit) (void)c.release();
  return status;
}

}  // namespace

int main(int argc, char **argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  spx::OptionsResult parsed = spx::parseOptions(args);
  if (!parsed.error.empty()) {
    std::cerr << "spx-interp: error: " << parsed.error << "\n";
    return 2;
  }
  spx::Options opts = parsed.options;
  if (opts.help) {
    std::cout << "usage: spx-interp [-I dir ...] [--fuel=N] [--heap=BYTES] file.spx ...\n";
    return 0;
  }
  opts.syntaxOnly = opts.dumpAst = opts.printFingerprint = opts.verify = false;
  opts.stubsDir.clear();
  gStdlibDir = opts.stdlibDir.empty() ? std::string(SPINE_STDLIB_DIR) : opts.stdlibDir;
  if (opts.fuel > 0) gLimits.fuel = opts.fuel;
  if (opts.heapBytes > 0) gLimits.heapBytes = opts.heapBytes;
  spx::setBackend(interpret);
  Run run{&opts};
  return spx::runWithLargeStack(compileAndRun, &run);
}
