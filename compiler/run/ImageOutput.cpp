// The image of a compilation: its code, manifest and trap sites (nicrt/image/Image.h), signed when written.
#include "run/Output.h"

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

bool writeImageFile(const std::string &, const CodeGenOutput &, const std::string &, const std::string &,
                    const Options &, std::ostream &err) {
  err << "spinec: error: images cannot be written yet; use --emit=obj, --emit=asm or --emit=llvm\n";
  return false;
}

}  // namespace spx
