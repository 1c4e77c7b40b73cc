// spine/nicrt/Exports.h: the export table's names and addresses, copied once from the runtime's own table.
#include <vector>

#include "detail/Exports.h"
#include "spine/nicrt/Exports.h"

namespace spine::nicrt {

std::span<const ExportedSymbol> exportedSymbolTable() {
  static const std::vector<ExportedSymbol> table = [] {
    std::vector<ExportedSymbol> v;
    for (const detail::ExportedSymbol &s : detail::exportedSymbolTable()) v.push_back({s.name, s.address});
    return v;
  }();
  return table;
}

}  // namespace spine::nicrt
