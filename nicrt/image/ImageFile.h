// Reading an image file for deployment: what spine-nic and an in-process spine::host::Nic both read before
// image::readImage verifies the bytes.
#pragma once

#include <cstdint>
#include <string>

namespace spine::image {

// The largest image file a NIC reads: far above any image the quotas let run (code and data are bounded by
// Limits::imageBytes), and small enough that a deploy of the wrong file cannot exhaust the NIC's memory.
constexpr uintmax_t kMaxImageFileBytes = uintmax_t{256} << 20;

// Reads the regular file `path` of at most kMaxImageFileBytes into `bytes`; false with `error` naming the path
// otherwise ("PATH: cannot open", "PATH: not a regular file", "PATH: N bytes, more than an image may have").
bool readImageFile(const std::string &path, std::string &bytes, std::string &error);

}  // namespace spine::image
