// spinec: the SPINE extension compiler driver.
#include "driver/Compilation.h"
#include "driver/Options.h"
#include "run/Output.h"

#include <llvm/Support/ErrorHandling.h>

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string_view>
#include <memory>

namespace {

// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address; clang only answers __has_feature.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kFreeAtExit = true;
#elif defined(__has_feature)
constexpr bool kFreeAtExit = __has_feature(address_sanitizer);
#else
constexpr bool kFreeAtExit = false;
#endif

struct Run {
  const spx::Options *opts;
};

bool dumbTerminal() {
  const char *term = std::getenv("TERM");
  return term && std::string_view(term) == "dumb";
}

int compile(void *p) {
  auto *run = static_cast<Run *>(p);
  // Deliberately never freed: spinec exits right after the compilation, and freeing a large program's parse
  // trees, AST and types would cost a good part of the compile time (clang does the same). Sanitizer builds
  // free everything, so that LeakSanitizer can tell a real leak.
  auto compilation = std::make_unique<spx::Compilation>(*run->opts, std::cout, std::cerr);
  spx::Compilation &c = *compilation;
  if (!kFreeAtExit) c.setRetainParseTrees(true);
  bool color = run->opts->color == spx::ColorMode::Always ||
               (run->opts->color == spx::ColorMode::Auto && isatty(STDERR_FILENO) && !dumbTerminal());
  c.diags().setColor(color);
  int status = c.run();
  std::cout.flush();
  if (!kFreeAtExit) (void)compilation.release();
  return status;
}

// An LLVM fatal error (a back end that cannot select an instruction, say) is a diagnostic, not a crash: exit
// status 1 with the reason. LLVM does not expect the handler to return.
[[noreturn]] void llvmFatalError(void *, const char *reason, bool) {
  std::cout.flush();
  std::cerr << "spinec: error: the LLVM back end failed: " << reason << "\n";
  std::cerr.flush();
  std::_Exit(1);
}

}  // namespace

int main(int argc, char **argv) {
  llvm::install_fatal_error_handler(llvmFatalError, nullptr);
  // spinec allocates many small objects and frees almost none (see compile()): one arena grown in large steps
  // and never trimmed avoids most of the allocator's system calls and page-fault churn.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
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
    std::cout << "spinec " << SPINE_VERSION << " (SPINE extension compiler: front end; LLVM 19)\n";
    return 0;
  }
  if (!opts.keygen.empty()) return spx::runKeygen(opts, std::cout, std::cerr);
  spx::setBackend(spx::runCodeGeneration);
  Run run{&opts};
  return spx::runWithLargeStack(compile, &run);
}
