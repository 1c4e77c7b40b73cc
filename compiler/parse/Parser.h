// The parser: source text in, typed AST out. ANTLR is an implementation detail of this folder; no ANTLR type
// appears in this header or anywhere past it.
#pragma once

#include "ast/AST.h"
#include "diag/Diagnostics.h"

#include <memory>

namespace spx {

struct ParseLimits {
  unsigned maxNesting = 256;          // brackets, blocks and prefix operators, as clang's -fbracket-depth
  unsigned maxOperands = 100000;      // operands of one binary-operator chain
};

// ANTLR's state for one parsed file (character stream, tokens, parse tree). Freeing a large parse tree costs
// about as much as building it, so a short-lived compiler process may keep these until it exits.
class ParseArtifacts {
public:
  virtual ~ParseArtifacts() = default;
};

// Parses one file. Returns null when the file has syntax errors (already reported); the caller then skips
// semantic analysis, so a syntax error never causes follow-on errors.
// When `keep` is given, the ANTLR state is moved there instead of being freed.
Unit *parseUnit(FileId file, const SourceManager &sm, ASTContext &ctx, DiagnosticsEngine &diags,
                const ParseLimits &limits = {}, std::unique_ptr<ParseArtifacts> *keep = nullptr);

}  // namespace spx
