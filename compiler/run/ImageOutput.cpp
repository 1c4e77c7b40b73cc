// The image of a compilation: its code, manifest and trap sites (nicrt/image/Image.h), signed with the
// user's key (--sign-key) or the development key, and written as a .spxo file (docs/image-format.md).
#include "run/Output.h"

#include "image/ImageWriter.h"
#include "image/Keys.h"

#include <stdexcept>

namespace spx {

spine::image::Image makeImage(const CodeGenOutput &out, const std::string &object, const std::string &triple) {
  spine::image::Image img;
  img.manifest.module = out.mainModule;
  img.manifest.target = triple;
  for (auto &[name, fp] : out.imports) img.manifest.imports.push_back({name, fp});
  for (auto &[name, fp] : out.exports) img.manifest.exports.push_back({name, fp});
  for (const HandlerInfo &h : out.handlers) img.manifest.handlers.push_back({h.event, h.procedure, h.guard});
  for (const MessageInfo &m : out.messages) img.manifest.messages.push_back({m.name, m.fingerprint, m.requests, m.events});
  img.code = object;
  img.files = out.files;
  for (const TrapSiteInfo &s : out.sites) img.sites.push_back({s.file, s.line, s.column});
  return img;
}

std::optional<spine::image::SecretKey> signingKey(const Options &opts, std::ostream &err) {
  std::string problem, note;
  std::optional<spine::image::SecretKey> key;
  if (!opts.signKey.empty()) key = spine::image::readSecretKey(opts.signKey, problem);
  else key = spine::image::loadOrCreateDevKey(note, problem);
  if (!note.empty()) err << "spinec: note: " << note << "\n";
  if (!key) err << "spinec: error: " << problem << "\n";
  return key;
}

bool signImage(const spine::image::Image &img, const spine::image::SecretKey &key, std::string &bytes,
               std::ostream &err) {
  try {
    bytes = spine::image::writeImage(img, key);
    return true;
  } catch (const std::exception &e) {
    err << "spinec: error: cannot write the image: " << e.what() << "\n";
    return false;
  }
}

bool writeImageFile(const std::string &path, const CodeGenOutput &out, const std::string &object,
                    const std::string &triple, const Options &opts, std::ostream &err) {
  std::optional<spine::image::SecretKey> key = signingKey(opts, err);
  if (!key) return false;
  std::string bytes, error;
  if (!signImage(makeImage(out, object, triple), *key, bytes, err)) return false;
  if (!writeOutputFile(path, bytes, error)) {
    err << "spinec: error: " << error << "\n";
    return false;
  }
  return true;
}

int runKeygen(const Options &opts, std::ostream &out, std::ostream &err) {
  std::string problem;
  std::optional<spine::image::KeyPair> kp = spine::image::writeKeyPair(opts.keygen, problem);
  if (!kp) {
    err << "spinec: error: " << problem << "\n";
    return 1;
  }
  out << "wrote " << opts.keygen << ".key (secret: sign with --sign-key " << opts.keygen << ".key) and "
      << opts.keygen << ".pub (public: give it to the NICs that should trust the images), key id "
      << spine::image::keyId(kp->publicKey) << "\n";
  return 0;
}

}  // namespace spx
