// spx-interp: runs a program's module bodies by interpreting the checked AST and prints what IO writes, so
// that spinec's output can be compared with an independent reference. Takes spinec's options and inputs
// (the code-generation options are accepted and ignored; --fuel and --heap set the limits); exit status as
// `spinec --run`: 0, 1 errors in the sources, 2 bad usage, 3 a checked runtime error, 4 a construct the
// interpreter does not model.
#include "driver/Compilation.h"
#include "driver/Options.h"
#include "interp/Interp.h"

#include <iostream>
#include <sstream>

namespace {

spx::interp::RunLimits gLimits;

int interpret(spx::Compilation &c) {
  spx::interp::Interpreter interp(c.sources(), std::cout, gLimits);
  std::vector<spx::Unit *> modules = c.checkedModules();
  if (modules.empty()) {
    std::cerr << "spx-interp: error: no module to run\n";
    return 1;
  }
  for (spx::Unit *m : modules) interp.addModule(m);
  for (spx::InterfaceInfo *info : c.checkedInterfaces()) interp.addInterface(info);
  return interp.run(std::cerr);
}

struct Run {
  const spx::Options *opts;
};

int compileAndRun(void *p) {
  auto *run = static_cast<Run *>(p);
  // Never freed: the process exits right after (as spinec does).
  auto *c = new spx::Compilation(*run->opts, std::cout, std::cerr);
  c->setRetainParseTrees(true);
  c->diags().setColor(false);
  int status = c->run();
  std::cout.flush();
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
  if (opts.fuel > 0) gLimits.fuel = opts.fuel;
  if (opts.heapBytes > 0) gLimits.heapBytes = opts.heapBytes;
  spx::setBackend(interpret);
  Run run{&opts};
  return spx::runWithLargeStack(compileAndRun, &run);
}
