// libFuzzer target for the image loader: any bytes must be accepted or refused with a message, never a crash,
// a sanitizer report, a hang or a huge allocation. Half the inputs are signed first with a fixed trusted key,
// so the fuzzer also reaches the section decoder that readImage runs only on authenticated bytes.
#include "image/ImageReader.h"
#include "image/ImageWriter.h"

#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const spine::image::SecretKey& fuzzKey() {
  static const spine::image::SecretKey key = [] {
    spine::image::SecretKey sk;
    spine::image::PublicKey pk;
    unsigned char seed[crypto_sign_SEEDBYTES] = {42};
    if (sodium_init() < 0) __builtin_trap();
    crypto_sign_seed_keypair(pk.data(), sk.data(), seed);
    return sk;
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  const spine::image::SecretKey& key = fuzzKey();
  std::vector<spine::image::PublicKey> trusted(1);
  std::copy(key.begin() + 32, key.end(), trusted[0].begin());
  std::string bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
  if (data[0] & 1) bytes = spine::image::signImageBytes(std::move(bytes), key);
  spine::image::ReadResult r = spine::image::readImage(bytes, trusted);
  if (!r.ok() && r.error.empty()) __builtin_trap();  // a refusal always says why
  (void)spine::image::readImageUnverified(bytes);
  return 0;
}
