// The AST dumper behind `spinec --dump-ast`: one node per line, indented two spaces per depth, with Sema's
// annotations (types, constant values, resolved types) when Sema has run.
#pragma once

#include <iosfwd>

namespace spx {

struct Unit;
class SourceManager;

void dumpUnit(const Unit &unit, const SourceManager &sm, std::ostream &out);

}  // namespace spx
