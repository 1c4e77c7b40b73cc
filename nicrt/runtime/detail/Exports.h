// The runtime's export table: the only things an image's undefined symbols may resolve to.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "spine/nicrt/Runtime.h"

namespace spine::nicrt::detail {

struct ExportedSymbol {
  std::string_view name;  // "IO.Put", "spx_rt_trap"
  void *address;
};

std::span<const ExportedSymbol> exportedSymbolTable();
const ExportedInterface *findExportedInterface(std::string_view name);
// The stdlib fingerprint of `name` (exported or not), or nullopt-like 0 with found = false.
bool stdlibFingerprint(std::string_view name, uint64_t &fingerprint);

}  // namespace spine::nicrt::detail
