#include "image/ImageReader.h"

#include "image/Format.h"
#include "image/ImageCheck.h"
#include "image/Keys.h"
#include "image/detail/Bytes.h"
#include "image/detail/Sodium.h"

#include <algorithm>
#include <cstring>

namespace spine::image {
namespace {

using detail::ByteReader;


// A 4-byte tag for a message, non-printable bytes escaped.
std::string showTag(std::string_view bytes) {
  std::string out = "'";
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out + "'";
}

std::string truncatedAt(size_t offset, const std::string& inside, size_t need, size_t have) {
  return "truncated at offset " + std::to_string(offset) + ": the file ends inside " + inside + " (needs " +
         std::to_string(need) + " bytes, " + std::to_string(have) + " remain)";
}

uint32_t le32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

// The magic and the version: checked first, so a file that is not an image, or one from a newer spinec, is
// named as such rather than as a bad signature.
std::string checkHeader(std::string_view b) {
  size_t n = std::min(b.size(), format::kMagic.size());
  if (b.substr(0, n) != format::kMagic.substr(0, n))
    return "not a SPINE image: bad magic " + showTag(b.substr(0, n)) + " at offset 0 (expected 'SPXO')";
  if (b.size() < format::kMagic.size()) return truncatedAt(0, "the magic", 4, b.size());
  if (b.size() < format::kHeaderSize) return truncatedAt(4, "the format version", 4, b.size() - 4);
  uint32_t version = le32(b, 4);
  if (version != format::kVersion)
    return "unsupported image format version " + std::to_string(version) + " at offset 4 (this build reads version " +
           std::to_string(format::kVersion) + ")";
  return "";
}

struct Span {
  size_t begin = 0, end = 0;
};

// Where the sections and the trailer are. `sectionError` is set if the sections cannot be found;
// `trailerError` if they can but the signature trailer is missing or malformed.
struct Framing {
  Span manifest, code, files, sites;
  size_t trailer = 0;
  std::string sectionError, trailerError;
};

Framing frame(std::string_view b) {
  Framing f;
  size_t pos = format::kHeaderSize;
  std::pair<std::string_view, Span*> sections[] = {{format::kManifestTag, &f.manifest},
                                                   {format::kCodeTag, &f.code},
                                                   {format::kFilesTag, &f.files},
                                                   {format::kSitesTag, &f.sites}};
  for (auto [tag, span] : sections) {
    std::string name = "section '" + std::string(tag) + "'";
    size_t left = b.size() - pos;
    if (left < format::kSectionHeaderSize) {
      f.sectionError = truncatedAt(pos, "the header of " + name, format::kSectionHeaderSize, left);
      return f;
    }
    if (b.substr(pos, 4) != tag) {
      f.sectionError = "expected " + name + " at offset " + std::to_string(pos) + ", found " + showTag(b.substr(pos, 4));
      return f;
    }
    uint32_t length = le32(b, pos + 4);
    left -= format::kSectionHeaderSize;
    if (length > left) {
      f.sectionError = name + " at offset " + std::to_string(pos) + " is " + std::to_string(length) +
                       " bytes long but only " + std::to_string(left) +
                       " bytes follow its header (truncated, or a corrupt length)";
      return f;
    }
    span->begin = pos + format::kSectionHeaderSize;
    span->end = span->begin + length;
    pos = span->end;
  }
  f.trailer = pos;
  size_t left = b.size() - pos;
  std::string_view tag = b.substr(pos, std::min<size_t>(left, 4));
  if (left == 0) {
    f.trailerError = "missing signature: the file ends at offset " + std::to_string(pos) +
                     " after the last section, where the 'SIGN' trailer belongs (an unsigned image?)";
  } else if (tag != format::kSignatureTag.substr(0, tag.size())) {
    f.trailerError = "missing signature: expected the 'SIGN' trailer at offset " + std::to_string(pos) +
                     ", found " + showTag(tag);
  } else if (left < 4) {
    f.trailerError = truncatedAt(pos, "the signature trailer's tag", 4, left);
  } else if (left < 4 + format::kPublicKeySize) {
    f.trailerError = truncatedAt(pos + 4, "the signer's public key", format::kPublicKeySize, left - 4);
  } else if (left < format::kTrailerSize) {
    f.trailerError = truncatedAt(pos + 4 + format::kPublicKeySize, "the signature", format::kSignatureSize,
                                 left - 4 - format::kPublicKeySize);
  } else if (left > format::kTrailerSize) {
    f.trailerError = std::to_string(left - format::kTrailerSize) + " unexpected bytes after the signature at offset " +
                     std::to_string(pos + format::kTrailerSize);
  }
  return f;
}

std::string at(const char* list, uint32_t i, const char* field) {
  return std::string(list) + "[" + std::to_string(i) + "]." + field;
}

void readRefs(ByteReader& r, std::vector<InterfaceRef>& out, const char* list) {
  uint32_t n = r.count(std::string(list) + " count", 4 + 8);
  out.resize(n);
  for (uint32_t i = 0; i < n && !r.failed(); ++i) {
    out[i].name = r.str(at(list, i, "name"));
    out[i].fingerprint = r.u64(at(list, i, "fingerprint"));
  }
}

void readStrings(ByteReader& r, std::vector<std::string>& out, const std::string& list) {
  uint32_t n = r.count(list + " count", 4);
  out.resize(n);
  for (uint32_t i = 0; i < n && !r.failed(); ++i) out[i] = r.str(list + "[" + std::to_string(i) + "]");
}

std::string decodeManifest(std::string_view b, Span s, Manifest& m) {
  ByteReader r(b, s.begin, s.end, "manifest");
  m.module = r.str("module");
  m.target = r.str("target");
  readRefs(r, m.imports, "imports");
  readRefs(r, m.exports, "exports");
  uint32_t nh = r.count("handlers count", 3 * 4);
  m.handlers.resize(nh);
  for (uint32_t i = 0; i < nh && !r.failed(); ++i) {
    m.handlers[i].event = r.str(at("handlers", i, "event"));
    m.handlers[i].procedure = r.str(at("handlers", i, "procedure"));
    m.handlers[i].guard = r.str(at("handlers", i, "guard"));
  }
  uint32_t nm = r.count("messages count", 4 + 8 + 4 + 4);
  m.messages.resize(nm);
  for (uint32_t i = 0; i < nm && !r.failed(); ++i) {
    MessageInterface& mi = m.messages[i];
    mi.name = r.str(at("messages", i, "name"));
    mi.fingerprint = r.u64(at("messages", i, "fingerprint"));
    readStrings(r, mi.requests, at("messages", i, "requests"));
    readStrings(r, mi.events, at("messages", i, "events"));
  }
  r.expectEnd();
  return r.error();
}

std::string decodeSites(std::string_view b, Span s, std::vector<TrapSite>& sites) {
  ByteReader r(b, s.begin, s.end, "trap sites");
  uint32_t n = r.count("count", 3 * 4);
  sites.resize(n);
  for (uint32_t i = 0; i < n && !r.failed(); ++i) {
    std::string site = "site " + std::to_string(i);
    sites[i].file = r.u32(site + " file");
    sites[i].line = r.u32(site + " line");
    sites[i].column = r.u32(site + " column");
  }
  r.expectEnd();
  return r.error();
}

std::string decode(std::string_view b, const Framing& f, Image& image) {
  if (std::string e = decodeManifest(b, f.manifest, image.manifest); !e.empty()) return e;
  image.code.assign(b.substr(f.code.begin, f.code.end - f.code.begin));
  ByteReader files(b, f.files.begin, f.files.end, "files");
  readStrings(files, image.files, "files");
  files.expectEnd();
  if (files.failed()) return files.error();
  if (std::string e = decodeSites(b, f.sites, image.sites); !e.empty()) return e;
  return checkImage(image);
}

PublicKey keyAt(std::string_view b, size_t offset) {
  PublicKey key;
  std::memcpy(key.data(), b.data() + offset, key.size());
  return key;
}

// Whether the last kSignatureSize bytes sign everything before them with the key just before them.
bool signatureVerifies(std::string_view b, const PublicKey& key) {
  detail::initSodium();
  size_t signedSize = b.size() - format::kSignatureSize;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(b.data()) + signedSize,
                                     reinterpret_cast<const unsigned char*>(b.data()), signedSize,
                                     key.data()) == 0;
}

const char* const kModified = "image was modified after signing";

}  // namespace

ReadResult readImage(std::string_view b, const std::vector<PublicKey>& trusted) {
  ReadResult result;
  if (std::string e = checkHeader(b); !e.empty()) {
    result.error = e;
    return result;
  }
  // Authenticate before decoding anything. The trailer's place is known from the end of the file alone, so
  // a modified length field is reported as the modification it is. A file without a trailer there is framed
  // only to say precisely what is wrong (truncated where, or unsigned).
  size_t trailer = b.size() - std::min(b.size(), format::kTrailerSize);
  if (b.size() < format::kHeaderSize + format::kTrailerSize || b.substr(trailer, 4) != format::kSignatureTag) {
    Framing f = frame(b);
    result.error = !f.sectionError.empty()   ? f.sectionError
                   : !f.trailerError.empty() ? f.trailerError
                                             : "missing signature: no 'SIGN' trailer at the end of the file";
    return result;
  }
  PublicKey signer = keyAt(b, trailer + 4);
  if (!signatureVerifies(b, signer)) {
    result.error = std::string(kModified) + ": the Ed25519 signature at offset " +
                   std::to_string(trailer + 4 + format::kPublicKeySize) + " does not match the contents for key " +
                   keyId(signer);
    return result;
  }
  if (std::find(trusted.begin(), trusted.end(), signer) == trusted.end()) {
    std::string ids;
    for (size_t i = 0; i < trusted.size() && i < 8; ++i) ids += (i ? ", " : "") + keyId(trusted[i]);
    if (trusted.size() > 8) ids += ", ...";
    result.error = "image is signed by key " + keyId(signer) + ", which is not trusted here (" +
                   (trusted.empty() ? std::string("no key is trusted") : "trusted: " + ids) + ")";
    return result;
  }
  result.signer = signer;
  Framing f = frame(b);
  if (std::string e = !f.sectionError.empty() ? f.sectionError : f.trailerError; !e.empty()) {
    result.error = e;
    return result;
  }
  Image image;
  if (std::string e = decode(b, f, image); !e.empty()) {
    result.error = e;
    return result;
  }
  result.image = VerifiedImage(std::move(image));
  return result;
}

UnverifiedRead readImageUnverified(std::string_view b) {
  UnverifiedRead result;
  if (std::string e = checkHeader(b); !e.empty()) {
    result.error = e;
    result.signatureProblem = "no signature found";
    return result;
  }
  Framing f = frame(b);
  if (!f.sectionError.empty()) {
    result.error = f.sectionError;
    result.signatureProblem = "no signature found";
    return result;
  }
  if (!f.trailerError.empty()) {
    result.signatureProblem = f.trailerError;
  } else {
    result.signer = keyAt(b, f.trailer + 4);
    result.signatureIntact = signatureVerifies(b, *result.signer);
    if (!result.signatureIntact) result.signatureProblem = kModified;
  }
  Image image;
  if (std::string e = decode(b, f, image); !e.empty()) {
    result.error = e;
    return result;
  }
  result.image = std::move(image);
  return result;
}

}  // namespace spine::image
