// Drives ANTLR: lexes (our lexer), screens the tokens, parses with fast SLL prediction and, only if that fails,
// repairs forgotten semicolons and parses again with full LL and error recovery so that every syntax error is
// reported once; then hands the clean parse tree to the AST builder.
#include "parse/Parser.h"

#include "parse/detail/ASTBuilder.h"
#include "parse/detail/Grammar.h"
#include "parse/detail/Lexer.h"
#include "parse/detail/SemicolonRepair.h"
#include "parse/detail/SyntaxErrors.h"
#include "parse/detail/TokenScreen.h"

namespace spx {
namespace {

using grammar::SpxParser;

// ANTLR decodes its input as UTF-8 and would throw on invalid bytes. The language is ASCII, so every byte at or
// above 0x80 is mapped to 0x01 in the copy ANTLR sees: offsets stay byte offsets. ANTLR only uses that copy for
// token text in messages; the lexer and the AST builder read the original bytes.
std::string asciiImage(std::string_view text) {
  std::string out(text);
  for (char &c : out)
    if (static_cast<unsigned char>(c) >= 0x80) c = '\x01';
  return out;
}

bool startsDeclaration(size_t type) {
  using grammar::SpxLexer;
  return type == SpxLexer::CONST || type == SpxLexer::TYPE || type == SpxLexer::VAR ||
         type == SpxLexer::EXCEPTION || type == SpxLexer::PROCEDURE || type == SpxLexer::REVEAL;
}

// Frees the parse trees built so far (Parser::reset drops every context) and goes on from the same token.
void restartAtCurrentToken(SpxParser &parser, antlr4::CommonTokenStream &tokens) {
  size_t at = tokens.index();
  parser.reset();
  tokens.seek(at);
}

struct AntlrState : ParseArtifacts {
  AntlrState(std::string_view original)
      : input(asciiImage(original)), lexer(original, &input, detail::grammarVocabulary()), tokens(&lexer), parser(&tokens) {}
  antlr4::ANTLRInputStream input;
  detail::Lexer lexer;
  detail::RepairableTokenStream tokens;
  SpxParser parser;
};

}  // namespace

Unit *parseUnit(FileId file, const SourceManager &sm, ASTContext &ctx, DiagnosticsEngine &diags,
                const ParseLimits &limits, std::unique_ptr<ParseArtifacts> *keep) {
  std::string_view original = sm.text(file);
  auto state = std::make_unique<AntlrState>(original);
  auto finish = [&](Unit *u) {
    if (keep) *keep = std::move(state);
    return u;
  };
  detail::RepairableTokenStream &tokens = state->tokens;
  tokens.fill();

  unsigned errorsBefore = diags.errorCount();
  if (!detail::screenTokens(tokens, original, sm, file, diags, limits)) return finish(nullptr);

  SpxParser &parser = state->parser;
  parser.removeErrorListeners();
  // Stage 1: SLL prediction, bail out at the first error, one top-level declaration at a time. Valid input
  // almost always parses here, fast, and the parse tree of a declaration is freed as soon as it is in the AST.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  {
    detail::ASTBuilder builder(sm, file, tokens, ctx, diags, limits);
    Unit *unit = nullptr;
    try {
      unit = builder.beginUnit(parser.unitHeader());
      while (startsDeclaration(tokens.LA(1))) {
        restartAtCurrentToken(parser, tokens);
        builder.addDeclaration(unit, parser.declaration());
      }
      restartAtCurrentToken(parser, tokens);
      builder.finishUnit(unit, parser.unitTail());
    } catch (const antlr4::ParseCancellationException &) {
      unit = nullptr;  // the builder's findings are dropped with it; stage 2 parses everything again
    }
    if (unit) {
      builder.commitDiagnostics();
      return finish(diags.errorCount() != errorsBefore ? nullptr : unit);
    }
  }

  // Stage 2: put back forgotten semicolons, then parse with full LL and recovery so that every remaining
  // syntax error is reported once.
  SpxParser::CompilationUnitContext *tree = nullptr;
  if (detail::repairSemicolons(tokens, parser, sm, file, diags) != SIZE_MAX) {
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(detail::makeReportingStrategy(sm, file, diags));
    tree = parser.compilationUnit();
  }
  if (diags.errorCount() != errorsBefore || !tree) return finish(nullptr);
  if (parser.getNumberOfSyntaxErrors() != 0) {
    // Every syntax error goes through the reporting strategy; this is a backstop so that an unreported one can
    // never let a broken tree reach the AST builder.
    diags.report(DiagId::err_unexpected, SourceRange(sm.locAt(file, 0)), "input");
    return finish(nullptr);
  }
  // The tokens parse as a whole although the fast path gave up (an SLL conflict): build from this tree.
  detail::ASTBuilder builder(sm, file, tokens, ctx, diags, limits);
  Unit *unit = builder.build(tree);
  builder.commitDiagnostics();
  return finish(diags.errorCount() != errorsBefore ? nullptr : unit);
}

}  // namespace spx
