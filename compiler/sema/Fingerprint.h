// Interface fingerprints: a 64-bit hash of an interface's declarations, in order, with every type expanded to
// its structure (so a change in an imported type changes the fingerprint too). Comments, layout and the
// spelling of constant expressions do not matter; names, types, values and order do. Images record the
// fingerprint of each interface they were compiled against, so a stale import is caught at link time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace spx {

struct InterfaceInfo;

// The canonical text that is hashed (exposed for tests and --dump-fingerprint-input style debugging).
std::string fingerprintText(const InterfaceInfo &info);
// Nothing when the expanded types exceed kMaxFingerprintText bytes (types sharing components expand
// exponentially): the interface is then refused.
std::optional<uint64_t> fingerprint(const InterfaceInfo &info);
constexpr size_t kMaxFingerprintText = 64 << 20;

}  // namespace spx
