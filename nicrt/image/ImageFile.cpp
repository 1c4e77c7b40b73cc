#include "image/ImageFile.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace spine::image {

bool readImageFile(const std::string &path, std::string &bytes, std::string &error) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    error = path + (std::filesystem::exists(path, ec) ? ": not a regular file" : ": cannot open");
    return false;
  }
  if (uintmax_t size = std::filesystem::file_size(path, ec); !ec && size > kMaxImageFileBytes) {
    error = path + ": " + std::to_string(size) + " bytes, more than an image may have (" +
            std::to_string(kMaxImageFileBytes) + ")";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  return true;
}

}  // namespace spine::image
