// Helpers for the NIC runtime's tests: images wrapping the C test extensions of Inputs/nicrt.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "image/ImageReader.h"
#include "image/ImageWriter.h"
#include "image/Keys.h"
#include "spine/nicrt/Runtime.h"

namespace nicrt_test {

inline std::string readObject(const std::string &name) {
  std::ifstream in(std::string(SPINE_NICRT_TEST_OBJECTS) + "/" + name + ".o", std::ios::binary);
  REQUIRE_MESSAGE(in, "missing test object " << name << ".o");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline uint64_t exportedFingerprint(std::string_view iface) {
  for (const auto &i : spine::nicrt::Runtime::exportedInterfaces())
    if (i.name == iface) return i.fingerprint;
  FAIL("the runtime does not export " << std::string(iface));
  return 0;
}

// An image of `object` for module `module`, importing IO and Log with the runtime's fingerprints. Site 0 is
// unknown; sites 1.. are lines 11, 12, ... of <module>.spx, column 7.
inline spine::image::Image makeImage(const std::string &object, const std::string &module) {
  spine::image::Image img;
  img.manifest.module = module;
  img.manifest.target = "x86_64-pc-linux-gnu";
  img.manifest.imports = {{"IO", exportedFingerprint("IO")}, {"Log", exportedFingerprint("Log")}};
  img.code = readObject(object);
  img.files = {"other.spx", module + ".spx"};
  img.sites.push_back({0, 0, 0});
  for (uint32_t i = 1; i < 8; ++i) img.sites.push_back({1, 10 + i, 7});
  return img;
}

// `img` as the runtime's loader takes it: written, signed with a key of the tests' own, and read back by
// image::readImage (the only maker of a VerifiedImage). A malformed image fails the test here.
inline spine::image::VerifiedImage verify(const spine::image::Image &img) {
  static const spine::image::KeyPair key = spine::image::generateKeyPair();
  spine::image::ReadResult r = spine::image::readImage(spine::image::writeImage(img, key.secretKey), {key.publicKey});
  REQUIRE_MESSAGE(r.ok(), r.error);
  return *r.image;
}

// A runtime whose output is collected in `out`.
struct CapturingRuntime {
  std::string out;
  spine::nicrt::Runtime rt;
  explicit CapturingRuntime(spine::nicrt::Limits limits = {})
      : rt(spine::nicrt::RuntimeOptions{[this](std::string_view s) { out.append(s); }, limits, true}) {}
};

}  // namespace nicrt_test
