// Internal to compiler/parse: the pass over the token stream before parsing. It reports lexical errors (which
// the lexer turned into ERROR_CHAR tokens) and keywords of unsupported features, and refuses input nested so
// deeply that the recursive-descent parser would exhaust its stack.
#pragma once

#include "diag/Diagnostics.h"
#include "parse/Parser.h"

#include <antlr4-runtime.h>

#include "SpxLexer.h"
#include "SpxParser.h"

namespace spx::detail {

using grammar::SpxParser;

// Returns false if parsing should not go ahead.
bool screenTokens(antlr4::CommonTokenStream &tokens, std::string_view original, const SourceManager &sm, FileId file,
                  DiagnosticsEngine &diags, const ParseLimits &limits);

}  // namespace spx::detail
