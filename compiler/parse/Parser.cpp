// Drives ANTLR: prepares the character stream, screens the token stream for lexical errors and runaway
// nesting, parses (fast SLL first, full LL with error recovery only if that fails) and hands a clean parse tree
// to the AST builder. Syntax errors are reported in clang's style through the DiagnosticsEngine.
#include "parse/Parser.h"

#include "parse/detail/ASTBuilder.h"
#include "parse/detail/Lexer.h"

#include <antlr4-runtime.h>

#include "SpxLexer.h"
#include "SpxParser.h"

namespace spx {
namespace {

using grammar::SpxLexer;
using grammar::SpxParser;

// How a token is named in a message: keywords and punctuation quoted, the rest by kind.
std::string describeTokenType(size_t type, const antlr4::dfa::Vocabulary &vocab) {
  switch (type) {
  case antlr4::Token::EOF: return "end of file";
  case SpxLexer::ID: return "an identifier";
  case SpxLexer::INT_LIT: return "an integer literal";
  case SpxLexer::REAL_LIT: return "a real literal";
  case SpxLexer::CHAR_LIT: return "a character literal";
  case SpxLexer::TEXT_LIT: return "a text literal";
  default: {
    std::string lit = vocab.getLiteralName(type);
    return lit.empty() ? vocab.getSymbolicName(type) : lit;
  }
  }
}

std::string describeToken(const antlr4::Token &t, const antlr4::dfa::Vocabulary &vocab) {
  switch (t.getType()) {
  case antlr4::Token::EOF: return "end of file";
  case SpxLexer::ID: return "identifier '" + t.getText() + "'";
  case SpxLexer::INT_LIT: return "integer literal '" + t.getText() + "'";
  case SpxLexer::REAL_LIT: return "real literal '" + t.getText() + "'";
  default: return describeTokenType(t.getType(), vocab);
  }
}

std::string describeExpected(const antlr4::misc::IntervalSet &set, const antlr4::dfa::Vocabulary &vocab) {
  std::vector<std::string> names;
  for (ssize_t type : set.toList()) names.push_back(describeTokenType(static_cast<size_t>(type), vocab));
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// Reports syntax errors with our wording and locations. ANTLR's DefaultErrorStrategy already stays quiet
// while it is recovering (until a token matches), which keeps follow-on errors down.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
public:
  ErrorStrategy(const SourceManager &sm, FileId file, DiagnosticsEngine &diags)
      : sm_(sm), file_(file), diags_(diags) {}

protected:
  void reportNoViableAlternative(antlr4::Parser *recognizer, const antlr4::NoViableAltException &e) override {
    reportAt(recognizer, e.getOffendingToken());
  }
  void reportInputMismatch(antlr4::Parser *recognizer, const antlr4::InputMismatchException &e) override {
    reportAt(recognizer, e.getOffendingToken());
  }
  void reportFailedPredicate(antlr4::Parser *recognizer, const antlr4::FailedPredicateException &e) override {
    reportAt(recognizer, e.getOffendingToken());
  }
  void reportUnwantedToken(antlr4::Parser *recognizer) override {
    // Recovery deletes this token next; matching the token after it is no sign of a fresh start.
    deleted_ = recognizer->getCurrentToken()->getTokenIndex();
    if (inErrorRecoveryMode(recognizer)) return;
    beginErrorCondition(recognizer);
    reportAt(recognizer, recognizer->getCurrentToken());
  }
  void reportMissingToken(antlr4::Parser *recognizer) override {
    if (inErrorRecoveryMode(recognizer)) return;
    beginErrorCondition(recognizer);
    if (quiet_) return;
    quiet_ = true;
    // Point just past the previous token, where the missing one belongs (clang does the same for ';').
    antlr4::Token *prev = recognizer->getTokenStream()->LT(-1);
    antlr4::Token *cur = recognizer->getCurrentToken();
    SourceRange where = prev ? SourceRange(sm_.locAt(file_, static_cast<uint32_t>(prev->getStopIndex() + 1)))
                             : rangeOf(cur);
    diags_.report(DiagId::err_expected, where, describeExpected(recognizer->getExpectedTokens(), recognizer->getVocabulary()));
  }
  // After a syntax error, recovery often trips over the rest of the broken statement. Errors stay quiet until
  // the parser has matched a ';' that ends a statement or declaration.
  void reportMatch(antlr4::Parser *recognizer) override {
    antlr4::DefaultErrorStrategy::reportMatch(recognizer);
    if (!quiet_) return;
    antlr4::Token *t = recognizer->getTokenStream()->LT(-1);
    if (t && t->getTokenIndex() != deleted_ && t->getText() == ";") quiet_ = false;
  }

private:
  // Called from DefaultErrorStrategy::reportError (or reportUnwantedToken), in error-recovery mode already.
  void reportAt(antlr4::Parser *recognizer, antlr4::Token *t) {
    if (quiet_) return;
    quiet_ = true;
    const antlr4::dfa::Vocabulary &vocab = recognizer->getVocabulary();
    antlr4::misc::IntervalSet expected = recognizer->getExpectedTokens();
    if (expected.contains(static_cast<size_t>(SpxLexer::ID)) && expected.contains(static_cast<size_t>(SpxLexer::INT_LIT)) &&
        expected.contains(static_cast<size_t>(SpxLexer::TEXT_LIT))) {
      diags_.report(DiagId::err_expected_found, rangeOf(t), "an expression", describeToken(*t, vocab));
      return;
    }
    if (expected.size() > 0 && expected.size() <= kMaxListedTokens)
      diags_.report(DiagId::err_expected_found, rangeOf(t), describeExpected(expected, vocab), describeToken(*t, vocab));
    else
      diags_.report(DiagId::err_unexpected, rangeOf(t), describeToken(*t, vocab));
  }
  SourceRange rangeOf(antlr4::Token *t) {
    if (t->getType() == antlr4::Token::EOF) {
      uint32_t end = static_cast<uint32_t>(sm_.text(file_).size());
      return SourceRange(sm_.locAt(file_, end));
    }
    return {sm_.locAt(file_, static_cast<uint32_t>(t->getStartIndex())),
            sm_.locAt(file_, static_cast<uint32_t>(t->getStopIndex() + 1))};
  }

  static constexpr size_t kMaxListedTokens = 4;
  bool quiet_ = false;
  size_t deleted_ = SIZE_MAX;
  const SourceManager &sm_;
  FileId file_;
  DiagnosticsEngine &diags_;
};

// ANTLR decodes its input as UTF-8 and would throw on invalid bytes. The language is ASCII, so every byte at or
// above 0x80 is mapped to 0x01 in the copy ANTLR sees: offsets stay byte offsets. ANTLR only uses that copy for
// token text in messages; the lexer and the AST builder read the original bytes.
std::string asciiImage(std::string_view text) {
  std::string out(text);
  for (char &c : out)
    if (static_cast<unsigned char>(c) >= 0x80) c = '\x01';
  return out;
}

// The grammar's token vocabulary (names and literals of every token type). It is a static of the generated
// lexer class, reachable only through an instance.
const antlr4::dfa::Vocabulary &grammarVocabulary() {
  static antlr4::ANTLRInputStream empty(std::string{});
  static SpxLexer lexer(&empty);
  return lexer.getVocabulary();
}

// Token types of the punctuation the screening pass needs, looked up by literal in the grammar's vocabulary.
struct Punctuation {
  size_t lparen = 0, lbrack = 0, lbrace = 0, rparen = 0, rbrack = 0, rbrace = 0, plus = 0, minus = 0, caret = 0,
         semicolon = 0;
  explicit Punctuation(const antlr4::dfa::Vocabulary &v) {
    for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
      std::string n = v.getLiteralName(t);
      if (n == "'('") lparen = t;
      else if (n == "'['") lbrack = t;
      else if (n == "'{'") lbrace = t;
      else if (n == "')'") rparen = t;
      else if (n == "']'") rbrack = t;
      else if (n == "'}'") rbrace = t;
      else if (n == "'+'") plus = t;
      else if (n == "'-'") minus = t;
      else if (n == "'^'") caret = t;
      else if (n == "';'") semicolon = t;
    }
  }
};

// Screens the token stream before parsing: reports lexical errors (which the lexer turned into ERROR_CHAR
// tokens) and refuses input nested so deeply that a recursive-descent parser would exhaust its stack.
// Returns false if parsing should not go ahead.
bool screenTokens(antlr4::CommonTokenStream &tokens, const antlr4::dfa::Vocabulary &vocab, std::string_view original,
                  const SourceManager &sm, FileId file, DiagnosticsEngine &diags, const ParseLimits &limits) {
  static const Punctuation p(vocab);
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

}  // namespace

namespace {

// A token stream in which a forgotten ';' can be put back, so that the parser reads on as the programmer meant.
class RepairableTokenStream : public antlr4::CommonTokenStream {
public:
  using antlr4::CommonTokenStream::CommonTokenStream;
  void insertBefore(size_t index, std::unique_ptr<antlr4::Token> token) {
    _tokens.insert(_tokens.begin() + static_cast<std::ptrdiff_t>(index), std::move(token));
    renumber(index);
  }
  void erase(size_t index) {
    _tokens.erase(_tokens.begin() + static_cast<std::ptrdiff_t>(index));
    renumber(index);
  }

private:
  void renumber(size_t from) {
    for (size_t i = from; i < _tokens.size(); ++i)
      if (auto *w = dynamic_cast<antlr4::WritableToken *>(_tokens[i].get())) w->setTokenIndex(i);
  }
};

// Parses until the first syntax error and records where it is, without reporting anything.
class ProbeStrategy : public antlr4::BailErrorStrategy {
public:
  size_t errorToken = SIZE_MAX;

  void recover(antlr4::Parser *recognizer, std::exception_ptr e) override {
    try {
      std::rethrow_exception(e);
    } catch (const antlr4::RecognitionException &re) {
      errorToken = re.getOffendingToken() ? re.getOffendingToken()->getTokenIndex() : recognizer->getCurrentToken()->getTokenIndex();
    } catch (...) {
      errorToken = recognizer->getCurrentToken()->getTokenIndex();
    }
    antlr4::BailErrorStrategy::recover(recognizer, e);
  }
  antlr4::Token *recoverInline(antlr4::Parser *recognizer) override {
    errorToken = recognizer->getCurrentToken()->getTokenIndex();
    return antlr4::BailErrorStrategy::recoverInline(recognizer);
  }
};

struct AntlrState : ParseArtifacts {
  AntlrState(std::string_view original)
      : input(asciiImage(original)), lexer(original, &input, grammarVocabulary()), tokens(&lexer), parser(&tokens) {}
  antlr4::ANTLRInputStream input;
  detail::Lexer lexer;
  RepairableTokenStream tokens;
  SpxParser parser;

  // Token index of the first syntax error (full LL prediction), or SIZE_MAX if the tokens parse.
  size_t firstError() {
    auto probe = std::make_shared<ProbeStrategy>();
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(probe);
    try {
      parser.compilationUnit();
    } catch (const antlr4::ParseCancellationException &) {
    }
    return probe->errorToken;
  }
};

// Repairs forgotten semicolons between statements or declarations on different lines, the most common syntax
// error: when the first error is at the first token of a line, a ';' is tried before that token, and kept if
// the parse then gets further. Each repair is reported as "expected ';'" where the ';' belongs. Returns the
// token index of the first error that remains (SIZE_MAX if none).
size_t repairSemicolons(AntlrState &state, const SourceManager &sm, FileId file, DiagnosticsEngine &diags) {
  const antlr4::dfa::Vocabulary &vocab = grammarVocabulary();
  size_t semicolon = 0;
  for (size_t t = 1; t <= vocab.getMaxTokenType(); ++t)
    if (vocab.getLiteralName(t) == "';'") semicolon = t;
  constexpr int kMaxRepairs = 50;
  size_t error = state.firstError();
  for (int repairs = 0; error != SIZE_MAX && repairs < kMaxRepairs; ++repairs) {
    antlr4::Token *at = state.tokens.get(error);
    if (at->getType() == antlr4::Token::EOF || error == 0) break;
    antlr4::Token *prev = nullptr;
    for (size_t i = error; i-- > 0;)
      if (state.tokens.get(i)->getChannel() == antlr4::Token::DEFAULT_CHANNEL) { prev = state.tokens.get(i); break; }
    if (!prev || prev->getType() == semicolon || prev->getLine() == at->getLine()) break;
    size_t where = prev->getStopIndex() + 1;
    auto token = std::make_unique<antlr4::CommonToken>(semicolon, ";");
    token->setStartIndex(where);
    token->setStopIndex(where - 1);  // an empty token: it was never in the source
    token->setLine(prev->getLine());
    size_t insertAt = prev->getTokenIndex() + 1;
    state.tokens.insertBefore(insertAt, std::move(token));
    size_t after = state.firstError();
    if (after != SIZE_MAX && after <= error + 1) {
      state.tokens.erase(insertAt);  // no better: this was not a forgotten ';'
      break;
    }
    diags.report(DiagId::err_expected, SourceRange(sm.locAt(file, static_cast<uint32_t>(where))), "';'");
    error = after;
  }
  return error;
}
}  // namespace

Unit *parseUnit(FileId file, const SourceManager &sm, ASTContext &ctx, DiagnosticsEngine &diags,
                const ParseLimits &limits, std::unique_ptr<ParseArtifacts> *keep) {
  std::string_view original = sm.text(file);
  auto state = std::make_unique<AntlrState>(original);
  Unit *unit = nullptr;
  auto finish = [&](Unit *u) {
    if (keep) *keep = std::move(state);
    return u;
  };
  RepairableTokenStream &tokens = state->tokens;
  tokens.fill();

  unsigned errorsBefore = diags.errorCount();
  if (!screenTokens(tokens, grammarVocabulary(), original, sm, file, diags, limits)) return finish(nullptr);

  SpxParser &parser = state->parser;
  parser.removeErrorListeners();
  // Stage 1: SLL prediction, bail out at the first error. Valid input almost always parses here, fast.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  SpxParser::CompilationUnitContext *tree = nullptr;
  try {
    tree = parser.compilationUnit();
  } catch (const antlr4::ParseCancellationException &) {
    // Stage 2: put back forgotten semicolons, then parse with full LL and recovery so that every remaining
    // syntax error is reported once.
    tree = nullptr;
    if (repairSemicolons(*state, sm, file, diags) != SIZE_MAX) {
      tokens.seek(0);
      parser.reset();
      parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
      parser.setErrorHandler(std::make_shared<ErrorStrategy>(sm, file, diags));
      tree = parser.compilationUnit();
    }
  }
  if (diags.errorCount() != errorsBefore || !tree) return finish(nullptr);
  if (parser.getNumberOfSyntaxErrors() != 0) {
    // Every syntax error goes through ErrorStrategy; this is a backstop so that an unreported one can never
    // let a broken tree reach the AST builder.
    diags.report(DiagId::err_unexpected, SourceRange(sm.locAt(file, 0)), "input");
    return finish(nullptr);
  }

  detail::ASTBuilder builder(sm, file, tokens, ctx, diags, limits);
  unit = builder.build(tree);
  return finish(diags.errorCount() != errorsBefore ? nullptr : unit);
}

}  // namespace spx
