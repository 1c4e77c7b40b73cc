#include "parse/detail/SemicolonRepair.h"

#include "parse/detail/Grammar.h"

namespace spx::detail {

void RepairableTokenStream::insertBefore(size_t index, std::unique_ptr<antlr4::Token> token) {
  _tokens.insert(_tokens.begin() + static_cast<std::ptrdiff_t>(index), std::move(token));
  renumber(index);
}

void RepairableTokenStream::erase(size_t index) {
  _tokens.erase(_tokens.begin() + static_cast<std::ptrdiff_t>(index));
  renumber(index);
}

void RepairableTokenStream::renumber(size_t from) {
  for (size_t i = from; i < _tokens.size(); ++i)
    if (auto *w = dynamic_cast<antlr4::WritableToken *>(_tokens[i].get())) w->setTokenIndex(i);
}

namespace {

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

// Token index of the first syntax error (full LL prediction), or SIZE_MAX if the tokens parse.
size_t firstError(antlr4::CommonTokenStream &tokens, SpxParser &parser) {
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

}  // namespace

size_t repairSemicolons(RepairableTokenStream &tokens, SpxParser &parser, const SourceManager &sm, FileId file,
                        DiagnosticsEngine &diags) {
  const size_t semicolon = literalType(";");
  constexpr int kMaxRepairs = 50;
  size_t error = firstError(tokens, parser);
  for (int repairs = 0; error != SIZE_MAX && repairs < kMaxRepairs; ++repairs) {
    antlr4::Token *at = tokens.get(error);
    if (at->getType() == antlr4::Token::EOF || error == 0) break;
    antlr4::Token *prev = nullptr;
    for (size_t i = error; i-- > 0;)
      if (tokens.get(i)->getChannel() == antlr4::Token::DEFAULT_CHANNEL) { prev = tokens.get(i); break; }
    if (!prev || prev->getType() == semicolon || prev->getLine() == at->getLine()) break;
    size_t where = prev->getStopIndex() + 1;
    auto token = std::make_unique<antlr4::CommonToken>(semicolon, ";");
    token->setStartIndex(where);
    token->setStopIndex(where - 1);  // an empty token: it was never in the source
    token->setLine(prev->getLine());
    size_t insertAt = prev->getTokenIndex() + 1;
    tokens.insertBefore(insertAt, std::move(token));
    size_t after = firstError(tokens, parser);
    if (after != SIZE_MAX && after <= error + 1) {
      tokens.erase(insertAt);  // no better: this was not a forgotten ';'
      break;
    }
    diags.report(DiagId::err_expected, SourceRange(sm.locAt(file, static_cast<uint32_t>(where))), "';'");
    error = after;
  }
  return error;
}

}  // namespace spx::detail
