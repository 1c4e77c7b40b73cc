// The outputs of a compilation beyond plain files: a signed image, and a run on an in-process NIC.
#pragma once

#include "codegen/CodeGen.h"
#include "driver/Options.h"
#include "image/Image.h"

#include <optional>
#include <ostream>
#include <string>

namespace spx {

// The image's contents: manifest, code, files and trap sites.
spine::image::Image makeImage(const CodeGenOutput &out, const std::string &object, const std::string &triple);
// The secret key images are signed with: --sign-key's, or the development key (made on first use).
std::optional<spine::image::SecretKey> signingKey(const Options &opts, std::ostream &err);
bool signImage(const spine::image::Image &img, const spine::image::SecretKey &key, std::string &bytes,
               std::ostream &err);
// spinec --keygen PREFIX.
int runKeygen(const Options &opts, std::ostream &out, std::ostream &err);
bool writeOutputFile(const std::string &path, const std::string &bytes, std::string &error);
// Provided by spx_outputs (compiler/run), which only spinec links: the build's front-end tools have neither.
// Writes the signed .spxo image for `out` with the object code `object`. Reports problems on `err`.
bool writeImageFile(const std::string &path, const CodeGenOutput &out, const std::string &object,
                    const std::string &triple, const Options &opts, std::ostream &err);
// `spinec --run`: signs the image, loads it on an in-process NIC, runs the module bodies. Returns the exit
// status: 0, or 3 after a checked runtime error, 4 after the memory-safety oracle's (--oracle: a compiler bug),
// 1 when the image cannot be loaded.
int runInProcess(const CodeGenOutput &out, const std::string &object, const std::string &triple, const Options &opts,
                 std::ostream &stdOut, std::ostream &stdErr);

}  // namespace spx
