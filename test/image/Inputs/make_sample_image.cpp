// spine-image-sample SECRET.key OUT.spxo: writes the unit tests' sample image (every manifest field set),
// signed with SECRET.key. The lit tests in test/image use it until spinec writes images itself.
#include "image/ImageWriter.h"
#include "image/Keys.h"
#include "image_test_support.h"

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: spine-image-sample SECRET.key OUT.spxo\n";
    return 2;
  }
  std::string err;
  std::optional<spine::image::SecretKey> key = spine::image::readSecretKey(argv[1], err);
  if (!key) {
    std::cerr << "spine-image-sample: error: " << err << "\n";
    return 1;
  }
  std::ofstream(argv[2], std::ios::binary) << spine::image::writeImage(image_test::sampleImage(), *key);
  return 0;
}
