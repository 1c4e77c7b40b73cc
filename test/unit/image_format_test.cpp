// The .spxo format: writeImage/readImage round-trip every field, and readImage refuses every damaged,
// truncated, unsigned, untrusted or hostile image with a message that says which problem and where.
#include "image/Format.h"
#include "image/ImageCheck.h"
#include "image/ImageReader.h"
#include "image/ImageWriter.h"
#include "image/Keys.h"
#include "image/detail/Bytes.h"
#include "image_test_support.h"

#include <doctest/doctest.h>

#include <stdexcept>

namespace {

using namespace spine::image;
using detail::ByteWriter;
using image_test::sampleImage;

const KeyPair& testKey() {
  static const KeyPair kp = generateKeyPair();
  return kp;
}
const KeyPair& otherKey() {
  static const KeyPair kp = generateKeyPair();
  return kp;
}
std::vector<PublicKey> trusted() { return {testKey().publicKey}; }

void checkSame(const Image& a, const Image& b) {
  const Manifest &x = a.manifest, &y = b.manifest;
  CHECK(x.module == y.module);
  CHECK(x.target == y.target);
  REQUIRE(x.imports.size() == y.imports.size());
  for (size_t i = 0; i < x.imports.size(); ++i) {
    CHECK(x.imports[i].name == y.imports[i].name);
    CHECK(x.imports[i].fingerprint == y.imports[i].fingerprint);
  }
  REQUIRE(x.exports.size() == y.exports.size());
  for (size_t i = 0; i < x.exports.size(); ++i) {
    CHECK(x.exports[i].name == y.exports[i].name);
    CHECK(x.exports[i].fingerprint == y.exports[i].fingerprint);
  }
  REQUIRE(x.handlers.size() == y.handlers.size());
  for (size_t i = 0; i < x.handlers.size(); ++i) {
    CHECK(x.handlers[i].event == y.handlers[i].event);
    CHECK(x.handlers[i].procedure == y.handlers[i].procedure);
    CHECK(x.handlers[i].guard == y.handlers[i].guard);
  }
  REQUIRE(x.messages.size() == y.messages.size());
  for (size_t i = 0; i < x.messages.size(); ++i) {
    CHECK(x.messages[i].name == y.messages[i].name);
    CHECK(x.messages[i].fingerprint == y.messages[i].fingerprint);
    CHECK(x.messages[i].requests == y.messages[i].requests);
    CHECK(x.messages[i].events == y.messages[i].events);
  }
  CHECK(a.code == b.code);
  CHECK(a.files == b.files);
  REQUIRE(a.sites.size() == b.sites.size());
  for (size_t i = 0; i < a.sites.size(); ++i) {
    CHECK(a.sites[i].file == b.sites[i].file);
    CHECK(a.sites[i].line == b.sites[i].line);
    CHECK(a.sites[i].column == b.sites[i].column);
  }
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The refusal message of `bytes`, which must be refused.
std::string refusal(const std::string& bytes, const std::vector<PublicKey>& keys = trusted()) {
  ReadResult r = readImage(bytes, keys);
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.error.empty());
  return r.error;
}

// Unsigned image bytes built section by section, for images writeImage would refuse to make.
std::string rawImage(const std::string& manifest, const std::string& code, const std::string& files,
                     const std::string& sites) {
  ByteWriter w;
  w.raw("SPXO");
  w.u32(format::kVersion);
  for (auto [tag, payload] : {std::pair<const char*, const std::string&>{"MANI", manifest},
                              {"CODE", code},
                              {"FILE", files},
                              {"SITE", sites}}) {
    w.raw(tag);
    w.u32(static_cast<uint32_t>(payload.size()));
    w.raw(payload);
  }
  return w.bytes();
}

// A manifest payload: module, target, then empty imports/exports/handlers/messages unless `tail` says else.
std::string manifestPayload(const std::string& module, const std::string& tail = std::string(16, '\0')) {
  ByteWriter w;
  w.str(module);
  w.str("x86_64-pc-linux-gnu");
  w.raw(tail);
  return w.bytes();
}

std::string filesPayload(std::initializer_list<const char*> names) {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(names.size()));
  for (const char* n : names) w.str(n);
  return w.bytes();
}

std::string sitesPayload(std::initializer_list<TrapSite> sites) {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(sites.size()));
  for (const TrapSite& s : sites) {
    w.u32(s.file);
    w.u32(s.line);
    w.u32(s.column);
  }
  return w.bytes();
}

std::string signedRaw(const std::string& manifest, const std::string& files = filesPayload({"a.spx"}),
                      const std::string& sites = sitesPayload({})) {
  return signImageBytes(rawImage(manifest, "code", files, sites), testKey().secretKey);
}

TEST_CASE("image: round-trips every manifest field, the code, the files and the trap sites") {
  Image image = sampleImage();
  std::string bytes = writeImage(image, testKey().secretKey);
  CHECK(bytes.substr(0, 4) == "SPXO");
  ReadResult r = readImage(bytes, trusted());
  REQUIRE_MESSAGE(r.ok(), r.error);
  checkSame(image, *r.image);
  REQUIRE(r.signer);
  CHECK(*r.signer == testKey().publicKey);
}

TEST_CASE("image: an empty manifest and no code, files or sites round-trip") {
  Image image;
  image.manifest.module = "M";
  image.manifest.target = "x86_64-pc-linux-gnu";
  ReadResult r = readImage(writeImage(image, testKey().secretKey), trusted());
  REQUIRE_MESSAGE(r.ok(), r.error);
  checkSame(image, *r.image);
}

TEST_CASE("image: writing is deterministic, so the same image is the same file") {
  CHECK(writeImage(sampleImage(), testKey().secretKey) == writeImage(sampleImage(), testKey().secretKey));
}

TEST_CASE("image: accepted when any one of several trusted keys signed it") {
  std::string bytes = writeImage(sampleImage(), testKey().secretKey);
  CHECK(readImage(bytes, {otherKey().publicKey, testKey().publicKey}).ok());
}

TEST_CASE("image: refuses every single flipped byte, naming magic, version or the modification") {
  std::string good = writeImage(sampleImage(), testKey().secretKey);
  size_t trailer = good.size() - format::kTrailerSize;
  for (unsigned char mask : {0x01, 0x80, 0xff}) {
    for (size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      CAPTURE(i);
      CAPTURE(int(mask));
      std::string e = refusal(bad);
      if (i < 4)
        CHECK(contains(e, "not a SPINE image: bad magic"));
      else if (i < 8)
        CHECK(contains(e, "unsupported image format version"));
      else if (i >= trailer && i < trailer + 4)
        CHECK(contains(e, "missing signature: expected the 'SIGN' trailer at offset " + std::to_string(trailer)));
      else
        CHECK(contains(e, "image was modified after signing"));
      (void)readImageUnverified(bad);  // must not crash either
    }
  }
}

TEST_CASE("image: refuses truncation at every length, saying where the file ends") {
  std::string good = writeImage(sampleImage(), testKey().secretKey);
  size_t trailer = good.size() - format::kTrailerSize;
  for (size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    std::string e = refusal(good.substr(0, n));
    if (n == trailer)
      CHECK(contains(e, "missing signature: the file ends at offset " + std::to_string(trailer)));
    else
      CHECK((contains(e, "truncated at offset") || contains(e, "bytes long but only")));
    (void)readImageUnverified(good.substr(0, n));
  }
  CHECK(refusal("") == "truncated at offset 0: the file ends inside the magic (needs 4 bytes, 0 remain)");
  CHECK(refusal("SPXO\x01") ==
        "truncated at offset 4: the file ends inside the format version (needs 4 bytes, 1 remain)");
  CHECK(refusal(good.substr(0, 10)) ==
        "truncated at offset 8: the file ends inside the header of section 'MANI' (needs 8 bytes, 2 remain)");
  CHECK(contains(refusal(good.substr(0, good.size() - 1)),
                 "truncated at offset " + std::to_string(trailer + 36) + ": the file ends inside the signature"));
  CHECK(contains(refusal(good.substr(0, trailer + 10)), "the file ends inside the signer's public key"));
}

TEST_CASE("image: refuses an image signed by a key that is not trusted, naming both keys") {
  std::string bytes = writeImage(sampleImage(), otherKey().secretKey);
  CHECK(refusal(bytes) == "image is signed by key " + keyId(otherKey().publicKey) +
                              ", which is not trusted here (trusted: " + keyId(testKey().publicKey) + ")");
  CHECK(contains(refusal(bytes, {}), "which is not trusted here (no key is trusted)"));
}

TEST_CASE("image: refuses an image without a signature") {
  std::string good = writeImage(sampleImage(), testKey().secretKey);
  std::string unsignedBytes = good.substr(0, good.size() - format::kTrailerSize);
  CHECK(refusal(unsignedBytes) == "missing signature: the file ends at offset " +
                                      std::to_string(unsignedBytes.size()) +
                                      " after the last section, where the 'SIGN' trailer belongs (an unsigned image?)");
  UnverifiedRead u = readImageUnverified(unsignedBytes);
  REQUIRE(u.image);  // inspection still shows the sections
  CHECK_FALSE(u.signatureIntact);
  CHECK(contains(u.signatureProblem, "missing signature"));
}

TEST_CASE("image: refuses bytes after the signature") {
  std::string e = refusal(writeImage(sampleImage(), testKey().secretKey) + "x");
  CHECK(contains(e, "1 unexpected bytes after the signature at offset"));
}

TEST_CASE("image: refuses bad magic and an unsupported version by name") {
  CHECK(refusal("\x7f" "ELF and more bytes than a header") ==
        "not a SPINE image: bad magic '\\x7fELF' at offset 0 (expected 'SPXO')");
  std::string v2 = writeImage(sampleImage(), testKey().secretKey);
  v2[4] = 2;
  CHECK(refusal(v2) == "unsupported image format version 2 at offset 4 (this build reads version 1)");
}

TEST_CASE("image: a signature over a modified image does not verify, and inspection says so") {
  std::string bad = writeImage(sampleImage(), testKey().secretKey);
  bad[32] ^= 0x20;  // a letter of the target triple
  CHECK(contains(refusal(bad), "image was modified after signing: the Ed25519 signature at offset"));
  UnverifiedRead u = readImageUnverified(bad);
  REQUIRE(u.image);
  CHECK_FALSE(u.signatureIntact);
  CHECK(u.signatureProblem == "image was modified after signing");
  UnverifiedRead ok = readImageUnverified(writeImage(sampleImage(), testKey().secretKey));
  CHECK(ok.signatureIntact);
  REQUIRE(ok.signer);
  CHECK(*ok.signer == testKey().publicKey);
}

// The hostile images below carry a valid signature by a trusted key, so the decoder itself is what refuses.

TEST_CASE("image: refuses huge counts in the manifest before allocating anything") {
  ByteWriter tail;
  tail.u32(0xffffffffu);  // imports count
  std::string e = refusal(signedRaw(manifestPayload("M", tail.bytes())));
  CHECK(contains(e, "manifest: imports count 4294967295 at offset"));
  CHECK(contains(e, "cannot fit in the 0 bytes left (each entry takes at least 12)"));

  ByteWriter messages;
  messages.u32(0);  // imports
  messages.u32(0);  // exports
  messages.u32(0);  // handlers
  messages.u32(1);  // messages
  messages.str("Ctl");
  messages.u64(7);
  messages.u32(0x40000000u);  // requests count
  messages.u32(0);            // events count
  e = refusal(signedRaw(manifestPayload("M", messages.bytes())));
  CHECK(contains(e, "manifest: messages[0].requests count 1073741824 at offset"));
}

TEST_CASE("image: refuses a string whose length runs past its section") {
  ByteWriter w;
  w.u32(0x7fffffffu);
  w.raw("Firewall");
  std::string e = refusal(signedRaw(w.bytes()));
  CHECK(e == "manifest: module at offset 16 has length 2147483647 but only 8 bytes remain");
}

TEST_CASE("image: refuses a section length past the end of the file") {
  std::string bytes = rawImage(manifestPayload("M"), "code", filesPayload({}), sitesPayload({}));
  bytes[12] = '\xff';  // MANI length, low byte
  bytes[15] = '\x7f';  // high byte
  std::string e = readImageUnverified(bytes).error;
  CHECK(contains(e, "section 'MANI' at offset 8 is 2130706687 bytes long"));
  CHECK(contains(e, "(truncated, or a corrupt length)"));
  CHECK(contains(refusal(bytes), "section 'MANI' at offset 8 is"));
}

TEST_CASE("image: refuses sections out of order or unknown") {
  std::string bytes = signedRaw(manifestPayload("M"));
  size_t code = bytes.find("CODE");
  bytes.replace(code, 4, "DATA");
  CHECK(contains(readImageUnverified(bytes).error,
                 "expected section 'CODE' at offset " + std::to_string(code) + ", found 'DATA'"));
}

TEST_CASE("image: refuses leftover bytes inside a section") {
  std::string e = refusal(signedRaw(manifestPayload("M", std::string(16, '\0') + "xyz")));
  CHECK(contains(e, "manifest: 3 unexpected bytes at offset"));
}

TEST_CASE("image: refuses bad names in the manifest") {
  CHECK(refusal(signedRaw(manifestPayload(""))) == "manifest module is empty");
  CHECK(refusal(signedRaw(manifestPayload("Fire wall"))) ==
        "manifest module 'Fire wall' contains a space or non-printable byte");
  CHECK(contains(refusal(signedRaw(manifestPayload(std::string("A\0B", 3)))), "'A\\x00B' contains a space"));
  ByteWriter dup;
  dup.u32(2);
  dup.str("Packet");
  dup.u64(1);
  dup.str("Packet");
  dup.u64(1);
  dup.raw(std::string(12, '\0'));
  CHECK(refusal(signedRaw(manifestPayload("M", dup.bytes()))) ==
        "manifest imports[1].name 'Packet' is listed twice");
}

TEST_CASE("image: refuses a trap site whose file index is out of range") {
  std::string bytes = signedRaw(manifestPayload("M"), filesPayload({"a.spx", "b.spx"}),
                                sitesPayload({{0, 1, 1}, {2, 5, 3}}));
  CHECK(refusal(bytes) == "trap site 1: file index 2 out of range (the image has 2 files)");
}

TEST_CASE("image: refuses a file name with a control character") {
  CHECK(refusal(signedRaw(manifestPayload("M"), filesPayload({"a\nb.spx"}))) ==
        "files[0] 'a\\x0ab.spx' contains a control character");
}

TEST_CASE("image: writeImage refuses an image the reader would refuse") {
  Image image = sampleImage();
  image.sites.push_back({7, 1, 1});
  CHECK_THROWS_WITH_AS(writeImage(image, testKey().secretKey),
                       "spxo: trap site 3: file index 7 out of range (the image has 2 files)",
                       std::invalid_argument);
  Image unnamed = sampleImage();
  unnamed.manifest.handlers[0].procedure.clear();
  CHECK_THROWS_WITH_AS(writeImage(unnamed, testKey().secretKey), "spxo: manifest handlers[0].procedure is empty",
                       std::invalid_argument);
  CHECK(checkImage(sampleImage()).empty());
}

TEST_CASE("image: random garbage after a valid header never crashes the readers") {
  uint32_t state = 12345;
  auto next = [&] { return state = state * 1664525u + 1013904223u; };
  std::string good = writeImage(sampleImage(), testKey().secretKey);
  for (int round = 0; round < 2000; ++round) {
    std::string bytes = good;
    int edits = 1 + next() % 8;
    for (int k = 0; k < edits; ++k) bytes[8 + next() % (bytes.size() - 8)] = static_cast<char>(next() >> 24);
    bytes.resize(8 + next() % (bytes.size() - 7));
    CHECK_FALSE(readImage(bytes, trusted()).ok());
    (void)readImageUnverified(bytes);
  }
}

}  // namespace
