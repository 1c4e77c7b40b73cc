// Placeholder until the image library lands in this tree (see nicrt/image).
#include "driver/Output.h"

namespace spx {

bool writeImageFile(const std::string &, const CodeGenOutput &, const std::string &, const std::string &,
                    const Options &, std::ostream &err) {
  err << "spinec: error: images cannot be written yet; use --emit=obj, --emit=asm or --emit=llvm\n";
  return false;
}

int runInProcess(const CodeGenOutput &, const std::string &, const std::string &, const Options &, std::ostream &,
                 std::ostream &stdErr) {
  stdErr << "spinec: error: --run is not available yet\n";
  return 1;
}

}  // namespace spx
