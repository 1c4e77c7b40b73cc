// Helpers for the NIC's tests: the signed images of Inputs/nic/*.spx that the build compiles with spinec.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "image/ImageReader.h"
#include "image/Keys.h"

namespace nic_test {

// The image Inputs/nic/<name>.spx compiled to, verified against the tests' own key.
inline spine::image::VerifiedImage loadImage(const std::string &name) {
  std::string dir = SPINE_NIC_TEST_IMAGES;
  std::ifstream in(dir + "/" + name + ".spxo", std::ios::binary);
  REQUIRE_MESSAGE(in, "missing test image " << name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string err;
  auto key = spine::image::readPublicKey(dir + "/test.pub", err);
  REQUIRE_MESSAGE(key, err);
  spine::image::ReadResult r = spine::image::readImage(ss.str(), {*key});
  REQUIRE_MESSAGE(r.ok(), r.error);
  return *r.image;
}

}  // namespace nic_test
