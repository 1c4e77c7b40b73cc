// Reads a .spxo file back into an in-memory image. The runtime's loader uses readImage, which accepts an image
// only if its signature verifies and its signer is trusted; inspection tools may use readImageUnverified.
// Neither ever trusts a length: every count and size is checked against the bytes that remain before
// anything is allocated, so hostile input is refused, never a crash or a huge allocation.
#pragma once

#include "image/Image.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spine::image {

struct ReadResult;

// An image whose signature verified against a trusted key. Only readImage makes one, and the NIC runtime's
// loader (Runtime::load, Nic::deploy) takes nothing else, so no code path can run bytes that were not signed by a
// key the NIC trusts. Read-only: read it like any Image (`v->manifest`, or as `const Image &`).
class VerifiedImage {
 public:
  const Image &image() const { return image_; }
  const Image *operator->() const { return &image_; }
  operator const Image &() const { return image_; }

 private:
  friend ReadResult readImage(std::string_view bytes, const std::vector<PublicKey>& trusted);
  explicit VerifiedImage(Image image) : image_(std::move(image)) {}
  Image image_;
};

struct ReadResult {
  std::optional<VerifiedImage> image;  // set if and only if the image was accepted
  std::string error;                // otherwise, why it was refused (one sentence naming field and offset)
  std::optional<PublicKey> signer;  // the key that signed it, once the signature has verified
  bool ok() const { return image.has_value(); }
};

// Accepts `bytes` only if it is a well-formed version-1 image, its Ed25519 signature verifies, and the key
// that made it is one of `trusted`. The signature is checked before any section is decoded.
ReadResult readImage(std::string_view bytes, const std::vector<PublicKey>& trusted);

// For inspection tools only (spine-image show): decodes the sections whatever the signature says, and
// reports on the signature separately. Never use this to decide whether to run an image.
struct UnverifiedRead {
  std::optional<Image> image;       // the decoded sections, if they are well formed
  std::string error;                // otherwise, why not
  std::optional<PublicKey> signer;  // the key named in the signature trailer, if there is one
  bool signatureIntact = false;     // the signature verifies against `signer` (says nothing about trust)
  std::string signatureProblem;     // when not intact: missing, truncated, or "image was modified after signing"
};
UnverifiedRead readImageUnverified(std::string_view bytes);

}  // namespace spine::image
