// Writes an in-memory image as the bytes of a signed .spxo file (docs/image-format.md).
#pragma once

#include "image/Image.h"

#include <string>

namespace spine::image {

// The .spxo bytes of `image`, signed with `key`. Throws std::invalid_argument (with checkImage's message) if
// the image breaks the format's rules, and std::length_error if a section or list exceeds 2^32-1 bytes or
// entries, so what is written is always something readImage accepts.
std::string writeImage(const Image& image, const SecretKey& key);

// Appends the signature trailer ("SIGN", the public key, the Ed25519 signature of everything before it) to
// the unsigned bytes of an image. writeImage ends with it; tests use it to sign deliberately malformed images.
std::string signImageBytes(std::string unsignedBytes, const SecretKey& key);

}  // namespace spine::image
