// The constants of the .spxo file format (docs/image-format.md describes it byte by byte).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace spine::image::format {

inline constexpr std::string_view kMagic = "SPXO";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderSize = 8;  // magic, version

// Sections, each a 4-byte tag and a u32 payload length, in exactly this order.
inline constexpr std::string_view kManifestTag = "MANI";
inline constexpr std::string_view kCodeTag = "CODE";
inline constexpr std::string_view kFilesTag = "FILE";
inline constexpr std::string_view kSitesTag = "SITE";
inline constexpr size_t kSectionHeaderSize = 8;

// The trailer: "SIGN", the signer's Ed25519 public key, then the signature of every byte before it.
inline constexpr std::string_view kSignatureTag = "SIGN";
inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;
inline constexpr size_t kTrailerSize = 4 + kPublicKeySize + kSignatureSize;

// Names in the manifest (identifiers, symbols, the target triple) and file names are at most this long.
inline constexpr size_t kMaxNameLength = 4096;

}  // namespace spine::image::format
