#include "parse/detail/Grammar.h"

#include <unordered_map>

namespace spx::detail {

// The grammar's token vocabulary (names and literals of every token type). It is a static of the generated
// lexer class, reachable only through an instance.
const antlr4::dfa::Vocabulary &grammarVocabulary() {
  static antlr4::ANTLRInputStream empty(std::string{});
  static SpxLexer lexer(&empty);
  return lexer.getVocabulary();
}

size_t literalType(std::string_view literal) {
  static const std::unordered_map<std::string, size_t> types = [] {
    std::unordered_map<std::string, size_t> m;
    const antlr4::dfa::Vocabulary &v = grammarVocabulary();
    for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
      std::string n = v.getLiteralName(t);
      if (n.size() >= 3) m.emplace(n.substr(1, n.size() - 2), t);
    }
    return m;
  }();
  auto it = types.find(std::string(literal));
  return it == types.end() ? 0 : it->second;
}

namespace {
// How a token type is named: keywords and punctuation quoted, the rest by kind.
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

}  // namespace

std::string describeToken(const antlr4::Token &t) {
  const antlr4::dfa::Vocabulary &vocab = grammarVocabulary();
  switch (t.getType()) {
  case antlr4::Token::EOF: return "end of file";
  case SpxLexer::ID: return "identifier '" + t.getText() + "'";
  case SpxLexer::INT_LIT: return "integer literal '" + t.getText() + "'";
  case SpxLexer::REAL_LIT: return "real literal '" + t.getText() + "'";
  default: return describeTokenType(t.getType(), vocab);
  }
}

std::string describeExpected(const antlr4::misc::IntervalSet &set) {
  const antlr4::dfa::Vocabulary &vocab = grammarVocabulary();
  std::vector<std::string> names;
  for (ssize_t type : set.toList()) names.push_back(describeTokenType(static_cast<size_t>(type), vocab));
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace spx::detail
