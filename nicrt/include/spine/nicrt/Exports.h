// The runtime's export table with addresses, for tools that link images by other means than Runtime::load
// (bench/deploy's JITLink baseline). Runtime::exportedSymbols() gives the same names without addresses.
#pragma once

#include <span>
#include <string_view>

namespace spine::nicrt {

struct ExportedSymbol {
  std::string_view name;  // "IO.Put", "spx_rt_trap", "memcpy"
  void *address;          // what an image's undefined symbol of that name resolves to
};

// Every symbol an image may leave undefined, with its address in this process.
std::span<const ExportedSymbol> exportedSymbolTable();

}  // namespace spine::nicrt
