#include "image/ImageWriter.h"

#include "image/Format.h"
#include "image/ImageCheck.h"
#include "image/detail/Bytes.h"
#include "image/detail/Sodium.h"

#include <limits>
#include <stdexcept>

namespace spine::image {
namespace {

using detail::ByteWriter;

uint32_t checkedSize(size_t n, const char* what) {
  if (n > std::numeric_limits<uint32_t>::max())
    throw std::length_error(std::string("spxo: ") + what + " is too large for the image format");
  return static_cast<uint32_t>(n);
}

void writeStr(ByteWriter& w, const std::string& s, const char* what) {
  checkedSize(s.size(), what);
  w.str(s);
}

void writeRefs(ByteWriter& w, const std::vector<InterfaceRef>& refs) {
  w.u32(checkedSize(refs.size(), "interface list"));
  for (const InterfaceRef& r : refs) {
    writeStr(w, r.name, "interface name");
    w.u64(r.fingerprint);
  }
}

std::string manifestBytes(const Manifest& m) {
  ByteWriter w;
  writeStr(w, m.module, "module name");
  writeStr(w, m.target, "target");
  writeRefs(w, m.imports);
  writeRefs(w, m.exports);
  w.u32(checkedSize(m.handlers.size(), "handler list"));
  for (const Handler& h : m.handlers) {
    writeStr(w, h.event, "event name");
    writeStr(w, h.procedure, "handler procedure");
    writeStr(w, h.guard, "handler guard");
  }
  w.u32(checkedSize(m.messages.size(), "message interface list"));
  for (const MessageInterface& mi : m.messages) {
    writeStr(w, mi.name, "message interface name");
    w.u64(mi.fingerprint);
    w.u32(checkedSize(mi.requests.size(), "request list"));
    for (const std::string& r : mi.requests) writeStr(w, r, "request");
    w.u32(checkedSize(mi.events.size(), "event list"));
    for (const std::string& e : mi.events) writeStr(w, e, "event");
  }
  return std::move(w.bytes());
}

std::string filesBytes(const std::vector<std::string>& files) {
  ByteWriter w;
  w.u32(checkedSize(files.size(), "file list"));
  for (const std::string& f : files) writeStr(w, f, "file name");
  return std::move(w.bytes());
}

std::string sitesBytes(const std::vector<TrapSite>& sites) {
  ByteWriter w;
  w.u32(checkedSize(sites.size(), "trap site list"));
  for (const TrapSite& s : sites) {
    w.u32(s.file);
    w.u32(s.line);
    w.u32(s.column);
  }
  return std::move(w.bytes());
}

void section(ByteWriter& w, std::string_view tag, std::string_view payload) {
  w.raw(tag);
  w.u32(checkedSize(payload.size(), "section"));
  w.raw(payload);
}

}  // namespace

std::string writeImage(const Image& image, const SecretKey& key) {
  if (std::string e = checkImage(image); !e.empty()) throw std::invalid_argument("spxo: " + e);

  ByteWriter w;
  w.raw(format::kMagic);
  w.u32(format::kVersion);
  section(w, format::kManifestTag, manifestBytes(image.manifest));
  section(w, format::kCodeTag, image.code);
  section(w, format::kFilesTag, filesBytes(image.files));
  section(w, format::kSitesTag, sitesBytes(image.sites));

  return signImageBytes(std::move(w.bytes()), key);
}

std::string signImageBytes(std::string out, const SecretKey& key) {
  detail::initSodium();
  out.append(format::kSignatureTag);
  // libsodium's secret key holds the public key in its second half.
  out.append(reinterpret_cast<const char*>(key.data()) + 32, format::kPublicKeySize);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(out.data()), out.size(), key.data());
  out.append(reinterpret_cast<const char*>(sig), sizeof sig);
  return out;
}

}  // namespace spine::image
