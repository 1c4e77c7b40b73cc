// libFuzzer target for the whole front end: any bytes, compiled as a module that may import the bundled
// stdlib, must give diagnostics or success, never a crash, a sanitizer report or a hang.
#include "driver/Compilation.h"
#include "driver/Options.h"

#include <cstddef>
#include <cstdint>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  spx::Options opts;
  opts.syntaxOnly = true;
  opts.errorLimit = 50;
  std::ostringstream out, err;
  spx::Compilation c(opts, out, err);
  c.addMemoryInput("fuzz.spx", std::string(reinterpret_cast<const char *>(data), size));
  c.run();
  return 0;
}
