// spinec --run: the image goes to an in-process NIC (nicrt's Runtime) exactly as it would to a real one --
// loaded, linked against the runtime's exports only, and its module bodies run in a protected invocation.
#include "run/Output.h"

#include "spine/nicrt/Runtime.h"

#include <iostream>

namespace spx {

int runInProcess(const CodeGenOutput &out, const std::string &object, const std::string &triple, const Options &opts,
                 std::ostream &stdOut, std::ostream &stdErr) {
  spine::image::Image img = makeImage(out, object, triple);
  spine::nicrt::RuntimeOptions ro;
  ro.output = [&stdOut](std::string_view text) {
    stdOut.write(text.data(), std::streamsize(text.size()));
    stdOut.flush();
  };
  if (opts.fuel > 0) ro.limits.fuel = opts.fuel;
  if (opts.heapBytes > 0) ro.limits.heapBytes = opts.heapBytes;
  spine::nicrt::Runtime runtime(ro);
  spine::nicrt::LoadResult loaded = runtime.load(img);
  if (!loaded) {
    stdErr << "spinec: error: the in-process NIC refused the image:\n" << loaded.error << "\n";
    return 1;
  }
  spine::nicrt::Outcome o = loaded.extension->runInit();
  stdOut.flush();
  if (o.trapped()) {
    if (o.file.empty()) stdErr << "<unknown>: checked runtime error: " << o.trapName() << "\n";
    else stdErr << o.file << ":" << o.line << ": checked runtime error: " << o.trapName() << "\n";
    return 3;
  }
  if (!o.ok()) {
    stdErr << "spinec: error: " << o.message() << "\n";
    return 3;
  }
  return 0;
}

}  // namespace spx
