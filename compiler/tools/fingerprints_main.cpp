// spx-fingerprints: prints the fingerprint of each interface given (as `spinec --print-fingerprint` does), or
// with --print-procedures first, the procedures each declares.
// The build uses it to give the NIC runtime the fingerprints of the stdlib interfaces it implements; it is
// spinec's front end alone, so that spinec itself can link the runtime (for --run) without a build cycle.
#include "driver/Compilation.h"
#include "driver/Options.h"

#include <iostream>

int main(int argc, char **argv) {
  // `spx-fingerprints --print-procedures X.spi` lists procedures instead (the runtime's export check).
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args.front() != "--print-procedures") args.insert(args.begin(), "--print-fingerprint");
  spx::OptionsResult parsed = spx::parseOptions(args);
  if (!parsed.error.empty()) {
    std::cerr << "spx-fingerprints: error: " << parsed.error << "\n";
    return 2;
  }
  spx::Compilation c(parsed.options, std::cout, std::cerr);
  return c.run();
}
