// libsodium must be initialised once before use; every entry point of spine_image that signs, verifies,
// hashes or makes keys calls this first. Internal to spine_image.
#pragma once

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace spine::image::detail {

inline void initSodium() {
  static const bool ok = sodium_init() >= 0;  // thread-safe; 1 means "already initialised"
  if (!ok) {
    std::fputs("spine: libsodium failed to initialise\n", stderr);
    std::abort();
  }
}

}  // namespace spine::image::detail
