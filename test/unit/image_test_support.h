// Shared by the image unit tests: a small image with every manifest field set, and a scratch folder.
#pragma once

#include "image/Image.h"

#include <cstdlib>
#include <filesystem>
#include <string>

namespace image_test {

inline spine::image::Image sampleImage() {
  using namespace spine::image;
  Image image;
  image.manifest.module = "Firewall";
  image.manifest.target = "x86_64-pc-linux-gnu";
  image.manifest.imports = {{"Packet", 0x0123456789abcdefULL}, {"IO", 0xfedcba9876543210ULL}};
  image.manifest.exports = {{"FirewallCtl", 0x1111222233334444ULL}};
  image.manifest.handlers = {{"Packet.Arrived", "Firewall.OnPacket", "Firewall.IsTcp"},
                             {"Timer.Tick", "Firewall.OnTick", ""}};
  image.manifest.messages = {{"FirewallCtl", 0x5555666677778888ULL, {"FirewallCtl.Block", "FirewallCtl.Count"},
                              {"FirewallCtl.Dropped"}}};
  image.code = std::string("\x7f" "ELF\x02\x01\x01\0code bytes", 18);
  image.files = {"firewall.spx", "lib/rules.spx"};
  image.sites = {{0, 12, 5}, {1, 40, 17}, {0, 99, 1}};
  return image;
}

// A fresh folder under the system's temporary folder, removed when the test ends.
class ScratchDir {
public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "spine-image-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

}  // namespace image_test
