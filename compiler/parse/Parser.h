// The parser: source text in, typed AST out. ANTLR is an implementation detail of this folder; no ANTLR type
// appears in this header or anywhere past it.
#pragma once

#include "ast/AST.h"
#include "diag/Diagnostics.h"

namespace spx {

struct ParseLimits {
  unsigned maxNesting = 256;          // brackets, blocks and prefix operators, as clang's -fbracket-depth
  unsigned maxOperands = 100000;      // operands of one binary-operator chain
};

// Parses one file. Returns null when the file has syntax errors (already reported); the caller then skips
// semantic analysis, so a syntax error never causes follow-on errors.
Unit *parseUnit(FileId file, const SourceManager &sm, ASTContext &ctx, DiagnosticsEngine &diags,
                const ParseLimits &limits = {});

}  // namespace spx
