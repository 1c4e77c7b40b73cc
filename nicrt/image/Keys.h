// Ed25519 signing keys: making them, their key files, their short ids, and the development key that spinec
// signs with when it is given no key. docs/image-format.md describes the files.
//
// A secret key file <prefix>.key (mode 0600) and a public key file <prefix>.pub are small text files:
//     SPINE ed25519 secret key          SPINE ed25519 public key
//     # id 3f2a9c0d4b1e7a55             # id 3f2a9c0d4b1e7a55
//     <128 hex digits>                  <64 hex digits>
// Errors are returned in `err` as one sentence that names the file and what is wrong with it.
#pragma once

#include "image/Image.h"

#include <optional>
#include <string>

namespace spine::image {

struct KeyPair {
  PublicKey publicKey{};
  SecretKey secretKey{};
};

KeyPair generateKeyPair();
// The public half of a secret key (libsodium keeps it in the secret key's second 32 bytes).
PublicKey publicKeyOf(const SecretKey& key);
// A short name for a key in messages: the first 8 bytes of BLAKE2b-256(public key), as 16 hex digits.
std::string keyId(const PublicKey& key);
// "<x>.pub" for "<x>.key", else the path with ".pub" appended.
std::string publicKeyPathFor(const std::string& secretKeyPath);

std::optional<SecretKey> readSecretKey(const std::string& path, std::string& err);
std::optional<PublicKey> readPublicKey(const std::string& path, std::string& err);
// Create the file (the secret key with mode 0600); refuse if it already exists, so a key is never lost by
// overwriting it. The file appears complete or not at all.
bool writeSecretKey(const std::string& path, const SecretKey& key, std::string& err);
bool writePublicKey(const std::string& path, const PublicKey& key, std::string& err);
// Generate a key pair and write <prefix>.key and <prefix>.pub; refuses if either exists.
std::optional<KeyPair> writeKeyPair(const std::string& prefix, std::string& err);

// Where the development key lives: $SPINE_DEV_KEY if set and not empty, else ~/.spine/dev.key; its public
// key is beside it (publicKeyPathFor). Empty if there is no home directory and no $SPINE_DEV_KEY.
std::string devKeyPath();
// The development key, created (with its .pub and the folder, mode 0700) on first use. When it is created,
// `note` says so, where it is, and that its images load only where it is trusted; otherwise `note` is left
// empty. Safe when several processes race to create it: all end up with the same key.
std::optional<SecretKey> loadOrCreateDevKey(std::string& note, std::string& err);

}  // namespace spine::image
