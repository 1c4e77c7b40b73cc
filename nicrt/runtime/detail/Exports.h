// The runtime's export table: the only things an image's undefined symbols may resolve to.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spine/nicrt/Runtime.h"

namespace spine::nicrt::detail {

struct ExportedSymbol {
  std::string_view name;  // "IO.Put", "spx_rt_trap"
  void *address;
};

std::span<const ExportedSymbol> exportedSymbolTable();
// The procedures of exported interfaces (from the stdlib's .spi, as spinec reads them at build time) that the
// table lacks: must be empty, or an image calling one would be refused although its interface is exported.
std::vector<std::string> missingExports();
const ExportedInterface *findExportedInterface(std::string_view name);
// The stdlib fingerprint of `name` (exported or not), or nullopt-like 0 with found = false.
bool stdlibFingerprint(std::string_view name, uint64_t &fingerprint);

}  // namespace spine::nicrt::detail
