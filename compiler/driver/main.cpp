// spinec: the SPINE extension compiler driver.
#include "driver/Compilation.h"
#include "driver/Options.h"

#include <unistd.h>

#include <iostream>

namespace {

struct Run {
  const spx::Options *opts;
};

int compile(void *p) {
  auto *run = static_cast<Run *>(p);
  // Deliberately never freed: spinec exits right after the compilation, and freeing a large program's parse
  // trees, AST and types would cost a good part of the compile time (clang does the same).
  auto *compilation = new spx::Compilation(*run->opts, std::cout, std::cerr);
  spx::Compilation &c = *compilation;
  c.setRetainParseTrees(true);
  bool color = run->opts->color == spx::ColorMode::Always ||
               (run->opts->color == spx::ColorMode::Auto && isatty(STDERR_FILENO));
  c.diags().setColor(color);
  int status = c.run();
  std::cout.flush();
  return status;
}

}  // namespace

int main(int argc, char **argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  spx::OptionsResult parsed = spx::parseOptions(args);
  if (!parsed.error.empty()) {
    std::cerr << "spinec: error: " << parsed.error << "\nRun 'spinec --help' for the options.\n";
    return 2;
  }
  const spx::Options &opts = parsed.options;
  if (opts.help) {
    std::cout << spx::usageText();
    return 0;
  }
  if (opts.version) {
    std::cout << "spinec " << SPINE_VERSION << " (SPINE extension compiler; LLVM 19 back end)\n";
    return 0;
  }
  Run run{&opts};
  return spx::runWithLargeStack(compile, &run);
}
