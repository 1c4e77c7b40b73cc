// The rules an image's contents must follow beyond its byte layout: names present and printable, no interface
// listed twice, every trap site's file index in range. The writer refuses to write, and the reader to load,
// an image that breaks them, so both sides agree on what a valid image is.
#pragma once

#include "image/Image.h"

#include <string>

namespace spine::image {

// Empty if `image` is valid, else what is wrong, naming the field ("manifest imports[1].name is empty").
std::string checkImage(const Image& image);

}  // namespace spine::image
