// spinec --run: the image goes to an in-process NIC (nicrt's Runtime) exactly as it would to a real one --
// loaded, linked against the runtime's exports only, and its module bodies run in a protected invocation.
#include "run/Output.h"

#include "image/ImageReader.h"
#include "image/Keys.h"
#include "spine/nicrt/Runtime.h"

#include <iostream>

namespace spx {

int runInProcess(const CodeGenOutput &out, const std::string &object, const std::string &triple, const Options &opts,
                 std::ostream &stdOut, std::ostream &stdErr) {
  // Through the real image path: signed, written to bytes, read back and verified by the NIC, which trusts
  // the key it was signed with (the user's own, or the development key).
  std::optional<spine::image::SecretKey> key = signingKey(opts, stdErr);
  if (!key) return 1;
  std::string bytes;
  if (!signImage(makeImage(out, object, triple), *key, bytes, stdErr)) return 1;
  spine::image::ReadResult read = spine::image::readImage(bytes, {spine::image::publicKeyOf(*key)});
  if (!read.ok()) {
    stdErr << "spinec: error: the in-process NIC refused the image: " << read.error << "\n";
    return 1;
  }
  const spine::image::VerifiedImage &img = *read.image;
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
    if (o.file.empty()) stdErr << "<unknown>: checked runtime error: " << o.what() << "\n";
    else stdErr << o.file << ":" << o.line << ": checked runtime error: " << o.what() << "\n";
    // The oracle's trap is a bug of spinec, not of the program: a status of its own, so that no test or
    // script that expects a checked runtime error (3) takes it for one.
    return o.trapKind == SPX_TRAP_ORACLE ? 4 : 3;
  }
  if (!o.ok()) {
    stdErr << "spinec: error: " << o.message() << "\n";
    return 3;
  }
  return 0;
}

}  // namespace spx
