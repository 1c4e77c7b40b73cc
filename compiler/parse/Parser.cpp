// Drives ANTLR: prepares the character stream, screens the token stream for lexical errors and runaway
// nesting, parses (fast SLL first, full LL with error recovery only if that fails) and hands a clean parse tree
// to the AST builder. Syntax errors are reported in clang's style through the DiagnosticsEngine.
#include "parse/Parser.h"

#include "parse/detail/ASTBuilder.h"

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
  case SpxLexer::ID: case SpxLexer::INT_LIT: case SpxLexer::REAL_LIT:
    return describeTokenType(t.getType(), vocab) + " '" + t.getText() + "'";
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
    if (inErrorRecoveryMode(recognizer)) return;
    beginErrorCondition(recognizer);
    antlr4::Token *t = recognizer->getCurrentToken();
    diags_.report(DiagId::err_unexpected, rangeOf(t), describeToken(*t, recognizer->getVocabulary()));
  }
  void reportMissingToken(antlr4::Parser *recognizer) override {
    if (inErrorRecoveryMode(recognizer)) return;
    beginErrorCondition(recognizer);
    // Point just past the previous token, where the missing one belongs (clang does the same for ';').
    antlr4::Token *prev = recognizer->getTokenStream()->LT(-1);
    antlr4::Token *cur = recognizer->getCurrentToken();
    SourceRange where = prev ? SourceRange(sm_.locAt(file_, static_cast<uint32_t>(prev->getStopIndex() + 1)))
                             : rangeOf(cur);
    diags_.report(DiagId::err_expected, where, describeExpected(recognizer->getExpectedTokens(), recognizer->getVocabulary()));
  }

private:
  // Called from DefaultErrorStrategy::reportError, which has already entered error-recovery mode.
  void reportAt(antlr4::Parser *recognizer, antlr4::Token *t) {
    antlr4::misc::IntervalSet expected = recognizer->getExpectedTokens();
    if (expected.contains(static_cast<size_t>(SpxLexer::ID)) && expected.contains(static_cast<size_t>(SpxLexer::INT_LIT)) &&
        expected.contains(static_cast<size_t>(SpxLexer::TEXT_LIT))) {
      diags_.report(DiagId::err_expected_found, rangeOf(t), "an expression", describeToken(*t, recognizer->getVocabulary()));
      return;
    }
    if (expected.size() > 0 && expected.size() <= kMaxListedTokens)
      diags_.report(DiagId::err_expected_found, rangeOf(t), describeExpected(expected, recognizer->getVocabulary()),
                    describeToken(*t, recognizer->getVocabulary()));
    else
      diags_.report(DiagId::err_unexpected, rangeOf(t), describeToken(*t, recognizer->getVocabulary()));
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
  const SourceManager &sm_;
  FileId file_;
  DiagnosticsEngine &diags_;
};

// ANTLR decodes its input as UTF-8 and would throw on invalid bytes. The language is ASCII, so every byte at or
// above 0x80 is mapped to 0x01: offsets stay byte offsets, such bytes are still accepted inside comments and
// literals (whose values the AST builder decodes from the original text), and anywhere else they become an
// invalid-character token that is reported with the original byte.
std::string asciiImage(std::string_view text) {
  std::string out(text);
  for (char &c : out)
    if (static_cast<unsigned char>(c) >= 0x80) c = '\x01';
  return out;
}

// True if a '+', '-' or NOT after `prev` is a prefix operator (prev cannot end an operand).
bool startsOperand(const antlr4::Token *prev) {
  if (!prev) return true;
  switch (prev->getType()) {
  case SpxLexer::ID: case SpxLexer::INT_LIT: case SpxLexer::REAL_LIT: case SpxLexer::CHAR_LIT:
  case SpxLexer::TEXT_LIT: case SpxLexer::END:
    return false;
  default: {
    std::string text = prev->getText();
    return !(text == ")" || text == "]" || text == "}" || text == "^");
  }
  }
}

// Screens the token stream before parsing: reports lexical errors (which the permissive lexer turned into
// tokens) and refuses input nested so deeply that a recursive-descent parser would exhaust its stack.
// Returns false if parsing should not go ahead.
bool screenTokens(antlr4::CommonTokenStream &tokens, std::string_view original, const SourceManager &sm,
                  FileId file, DiagnosticsEngine &diags, const ParseLimits &limits) {
  const auto &all = tokens.getTokens();
  auto rangeOf = [&](const antlr4::Token *t) {
    return SourceRange(sm.locAt(file, static_cast<uint32_t>(t->getStartIndex())),
                       sm.locAt(file, static_cast<uint32_t>(t->getStopIndex() + 1)));
  };
  bool ok = true;
  unsigned depth = 0, prefixRun = 0;
  const antlr4::Token *prevDefault = nullptr;
  for (size_t i = 0; i < all.size(); ++i) {
    const antlr4::Token *t = all[i];
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    size_t type = t->getType();
    const antlr4::Token *next = nullptr;
    for (size_t j = i + 1; j < all.size(); ++j)
      if (all[j]->getChannel() == antlr4::Token::DEFAULT_CHANNEL) { next = all[j]; break; }
    auto followedByStar = [&] {
      return next && next->getStartIndex() == t->getStopIndex() + 1 && next->getText() == "*";
    };
    if (type == SpxLexer::ERROR_CHAR) {
      unsigned char c = static_cast<unsigned char>(original[t->getStartIndex()]);
      if (c == '"') diags.report(DiagId::err_unterminated_text, rangeOf(t));
      else if (c == '\'') diags.report(DiagId::err_unterminated_char, rangeOf(t));
      else if (c >= 0x21 && c < 0x7f) diags.report(DiagId::err_invalid_char, rangeOf(t), std::string(1, c));
      else diags.report(DiagId::err_invalid_byte, rangeOf(t), c);
      ok = false;
    } else if (t->getText() == "(" && followedByStar()) {
      // A closed comment never reaches the parser, so "(" directly followed by "*" is one left open.
      diags.report(DiagId::err_unterminated_comment, SourceRange(rangeOf(t).begin, rangeOf(next).end));
      return false;
    } else if (t->getText() == "<" && followedByStar()) {
      diags.report(DiagId::err_unterminated_pragma, SourceRange(rangeOf(t).begin, rangeOf(next).end));
      return false;
    }
    // Nesting: brackets, END-terminated constructs and runs of prefix operators all recurse in the parser.
    std::string text = t->getText();
    bool opens = text == "(" || text == "[" || text == "{" || type == SpxLexer::BEGIN || type == SpxLexer::IF ||
                 type == SpxLexer::WHILE || type == SpxLexer::FOR || type == SpxLexer::CASE ||
                 type == SpxLexer::WITH || type == SpxLexer::TRY || type == SpxLexer::LOOP ||
                 type == SpxLexer::RECORD || type == SpxLexer::LOCK || type == SpxLexer::REPEAT;
    bool closes = text == ")" || text == "]" || text == "}" || type == SpxLexer::END || type == SpxLexer::UNTIL;
    if (opens) ++depth;
    if (closes && depth > 0) --depth;
    bool prefixOp = (type == SpxLexer::NOT || text == "-" || text == "+") && startsOperand(prevDefault);
    prefixRun = prefixOp ? prefixRun + 1 : 0;
    if (depth + prefixRun > limits.maxNesting) {
      diags.report(DiagId::err_nesting_too_deep, rangeOf(t), limits.maxNesting);
      return false;
    }
    prevDefault = t;
  }
  return ok;
}

}  // namespace

Unit *parseUnit(FileId file, const SourceManager &sm, ASTContext &ctx, DiagnosticsEngine &diags,
                const ParseLimits &limits) {
  std::string_view original = sm.text(file);
  antlr4::ANTLRInputStream input(asciiImage(original));
  SpxLexer lexer(&input);
  lexer.removeErrorListeners();  // every character lexes (ERROR_CHAR catches the rest)
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();

  unsigned errorsBefore = diags.errorCount();
  if (!screenTokens(tokens, original, sm, file, diags, limits)) return nullptr;

  SpxParser parser(&tokens);
  parser.removeErrorListeners();
  // Stage 1: SLL prediction, bail out at the first error. Valid input almost always parses here, fast.
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  SpxParser::CompilationUnitContext *tree = nullptr;
  try {
    tree = parser.compilationUnit();
  } catch (const antlr4::ParseCancellationException &) {
    // Stage 2: full LL with recovery, so that every syntax error in the file is reported once.
    tokens.seek(0);
    parser.reset();
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    parser.setErrorHandler(std::make_shared<ErrorStrategy>(sm, file, diags));
    tree = parser.compilationUnit();
  }
  if (diags.errorCount() != errorsBefore || !tree) return nullptr;
  if (parser.getNumberOfSyntaxErrors() != 0) {
    // Every syntax error goes through ErrorStrategy; this is a backstop so that an unreported one can never
    // let a broken tree reach the AST builder.
    diags.report(DiagId::err_unexpected, SourceRange(sm.locAt(file, 0)), "input");
    return nullptr;
  }

  detail::ASTBuilder builder(sm, file, tokens, ctx, diags, limits);
  Unit *unit = builder.build(tree);
  return diags.errorCount() != errorsBefore ? nullptr : unit;
}

}  // namespace spx
