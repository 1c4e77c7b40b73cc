#include "parse/detail/TokenScreen.h"

#include "parse/detail/Grammar.h"

namespace spx::detail {
namespace {

// Token types of the punctuation the screening pass needs.
struct Punctuation {
  size_t lparen = literalType("("), lbrack = literalType("["), lbrace = literalType("{"), rparen = literalType(")"),
         rbrack = literalType("]"), rbrace = literalType("}"), plus = literalType("+"), minus = literalType("-"),
         caret = literalType("^"), semicolon = literalType(";");
};

}  // namespace

bool screenTokens(antlr4::CommonTokenStream &tokens, std::string_view original, const SourceManager &sm, FileId file,
                  DiagnosticsEngine &diags, const ParseLimits &limits) {
  static const Punctuation p;
  auto rangeOf = [&](size_t start, size_t len) {
    return SourceRange(sm.locAt(file, static_cast<uint32_t>(start)), sm.locAt(file, static_cast<uint32_t>(start + len)));
  };
  bool ok = true;
  unsigned depth = 0, prefixRun = 0, constructorRun = 0;
  bool operandEnded = false;  // the previous token can end an operand, so '+'/'-' after it are binary
  for (antlr4::Token *t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    size_t type = t->getType();
    if (type == antlr4::Token::EOF) break;
    size_t start = t->getStartIndex();
    if (type == SpxLexer::ERROR_CHAR) {
      unsigned char c = static_cast<unsigned char>(original[start]);
      if (c == '(') {
        diags.report(DiagId::err_unterminated_comment, rangeOf(start, 2));
        return false;
      }
      if (c == '<') {
        diags.report(DiagId::err_unterminated_pragma, rangeOf(start, 2));
        return false;
      }
      if (c == '"') diags.report(DiagId::err_unterminated_text, rangeOf(start, 1));
      else if (c == '\'') diags.report(DiagId::err_unterminated_char, rangeOf(start, 1));
      else if (c >= 0x21 && c < 0x7f) diags.report(DiagId::err_invalid_char, rangeOf(start, 1), std::string(1, static_cast<char>(c)));
      else diags.report(DiagId::err_invalid_byte, rangeOf(start, 1), c);
      ok = false;
      if (diags.limitReached()) return false;
      continue;
    }
    // Modula-3 keywords of features SPINE leaves out: no production uses them, so say so instead of letting
    // the parser stumble.
    if (type == SpxLexer::OBJECT || type == SpxLexer::METHODS || type == SpxLexer::OVERRIDES ||
        type == SpxLexer::TYPECASE || type == SpxLexer::GENERIC) {
      diags.report(DiagId::err_unsupported_keyword, rangeOf(start, t->getStopIndex() + 1 - start), t->getText());
      ok = false;
      continue;
    }
    // Nesting: brackets, END-terminated constructs and runs of prefix operators all recurse in the parser.
    bool opens = type == p.lparen || type == p.lbrack || type == p.lbrace || type == SpxLexer::BEGIN ||
                 type == SpxLexer::IF || type == SpxLexer::WHILE || type == SpxLexer::FOR || type == SpxLexer::CASE ||
                 type == SpxLexer::WITH || type == SpxLexer::TRY || type == SpxLexer::LOOP ||
                 type == SpxLexer::RECORD || type == SpxLexer::LOCK || type == SpxLexer::REPEAT;
    bool closes = type == p.rparen || type == p.rbrack || type == p.rbrace || type == SpxLexer::END ||
                  type == SpxLexer::UNTIL;
    if (opens) ++depth;
    if (closes && depth > 0) --depth;
    bool prefixOp = (type == SpxLexer::NOT || type == p.plus || type == p.minus) && !operandEnded;
    prefixRun = prefixOp ? prefixRun + 1 : 0;
    // Type constructors nest without a closing token (REF REF ARRAY OF ...): count them up to the next ';'.
    if (type == SpxLexer::REF || type == SpxLexer::ARRAY || type == SpxLexer::SET || type == SpxLexer::BITS ||
        type == SpxLexer::PROCEDURE)
      ++constructorRun;
    else if (type == p.semicolon)
      constructorRun = 0;
    if (depth + prefixRun + constructorRun > limits.maxNesting) {
      diags.report(DiagId::err_nesting_too_deep, rangeOf(start, t->getStopIndex() + 1 - start), limits.maxNesting);
      return false;
    }
    operandEnded = type == SpxLexer::ID || type == SpxLexer::INT_LIT || type == SpxLexer::REAL_LIT ||
                   type == SpxLexer::CHAR_LIT || type == SpxLexer::TEXT_LIT || type == SpxLexer::END ||
                   type == p.rparen || type == p.rbrack || type == p.rbrace || type == p.caret;
  }
  return ok;
}


}  // namespace spx::detail
