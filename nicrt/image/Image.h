// The .spxo extension image, in memory. spinec fills one in and writes it (writeImage); the NIC runtime's
// loader reads one back (readImage), refusing it unless its signature verifies against a trusted key.
// The file format is documented in docs/image-format.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spine::image {

struct InterfaceRef {
  std::string name;          // "Packet"
  uint64_t fingerprint = 0;  // spinec --print-fingerprint
};

// A handler of an event: `procedure` runs when `event` ("Packet.Arrived") is raised and `guard` (a symbol,
// empty for none) returns TRUE.
struct Handler {
  std::string event;
  std::string procedure;  // symbol
  std::string guard;      // symbol or empty
};

// A message interface the image implements (requests) or raises (events), for the runtime's dispatcher.
struct MessageInterface {
  std::string name;
  uint64_t fingerprint = 0;
  std::vector<std::string> requests;  // procedure symbols, in declaration order (the request's index)
  std::vector<std::string> events;    // event names, in declaration order
};

struct Manifest {
  std::string module;                     // the main module's name
  std::string target;                     // LLVM target triple of the code
  std::vector<InterfaceRef> imports;      // interfaces the image links against (the runtime must export them)
  std::vector<InterfaceRef> exports;      // interfaces the image implements
  std::vector<Handler> handlers;
  std::vector<MessageInterface> messages;
};

// Where a checked runtime error can happen; the code passes the index of its site to spx_rt_trap.
struct TrapSite {
  uint32_t file = 0;  // index into Image::files
  uint32_t line = 0;
  uint32_t column = 0;
};

struct Image {
  Manifest manifest;
  std::string code;                // a relocatable object file for manifest.target (ELF on Linux)
  std::vector<std::string> files;  // source file names, for trap sites
  std::vector<TrapSite> sites;
};

using PublicKey = std::array<uint8_t, 32>;  // Ed25519
using SecretKey = std::array<uint8_t, 64>;  // Ed25519 (libsodium's seed + public key form)

}  // namespace spine::image
