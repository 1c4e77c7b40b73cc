// Internal to compiler/parse: putting back forgotten semicolons. A missing ';' between two statements or
// declarations on different lines is the most common syntax error; rather than let token-level recovery
// stumble, the parser inserts the ';', reports "expected ';'" where it belongs, and reads on as meant.
#pragma once

#include "diag/Diagnostics.h"
#include "parse/Parser.h"

#include <antlr4-runtime.h>

#include "SpxLexer.h"
#include "SpxParser.h"

namespace spx::detail {

using grammar::SpxParser;

// A token stream in which a forgotten ';' can be put back.
class RepairableTokenStream : public antlr4::CommonTokenStream {
public:
  using antlr4::CommonTokenStream::CommonTokenStream;
  void insertBefore(size_t index, std::unique_ptr<antlr4::Token> token);
  void erase(size_t index);

private:
  void renumber(size_t from);
};

// When the first syntax error is at the first token of a line, tries a ';' before it and keeps it if the parse
// then gets further; repeats. Returns the token index of the first error that remains (SIZE_MAX if none).
size_t repairSemicolons(RepairableTokenStream &tokens, SpxParser &parser, const SourceManager &sm, FileId file,
                        DiagnosticsEngine &diags);

}  // namespace spx::detail
