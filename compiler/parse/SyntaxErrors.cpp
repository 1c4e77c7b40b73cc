#include "parse/detail/SyntaxErrors.h"

#include "parse/detail/Grammar.h"

namespace spx::detail {
namespace {

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
    diags_.report(DiagId::err_expected, where, describeExpected(recognizer->getExpectedTokens()));
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
    antlr4::misc::IntervalSet expected = recognizer->getExpectedTokens();
    if (expected.contains(static_cast<size_t>(SpxLexer::ID)) && expected.contains(static_cast<size_t>(SpxLexer::INT_LIT)) &&
        expected.contains(static_cast<size_t>(SpxLexer::TEXT_LIT))) {
      diags_.report(DiagId::err_expected_found, rangeOf(t), "an expression", describeToken(*t));
      return;
    }
    if (expected.size() > 0 && expected.size() <= kMaxListedTokens)
      diags_.report(DiagId::err_expected_found, rangeOf(t), describeExpected(expected), describeToken(*t));
    else
      diags_.report(DiagId::err_unexpected, rangeOf(t), describeToken(*t));
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

}  // namespace

std::shared_ptr<antlr4::ANTLRErrorStrategy> makeReportingStrategy(const SourceManager &sm, FileId file,
                                                                  DiagnosticsEngine &diags) {
  return std::make_shared<ErrorStrategy>(sm, file, diags);
}

}  // namespace spx::detail
