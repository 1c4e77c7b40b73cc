#include "parse/detail/Lexer.h"

#include "SpxLexer.h"

#include <cctype>

namespace spx::detail {

using grammar::SpxLexer;

namespace {
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return isLetter(c) || isDigit(c); }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
}  // namespace

Lexer::Lexer(std::string_view text, antlr4::CharStream *stream, const antlr4::dfa::Vocabulary &vocabulary)
    : text_(text), stream_(stream) {
  // The grammar names every keyword and punctuation token by its literal, e.g. "'END'" or "':='".
  static std::vector<std::string> names;  // owns the keys; identical for every instance
  static std::vector<size_t> types;
  static std::once_flag once;
  std::call_once(once, [&] {
    for (size_t t = 1; t <= vocabulary.getMaxTokenType(); ++t) {
      std::string lit = vocabulary.getLiteralName(t);
      if (lit.size() >= 3 && lit.front() == '\'' && lit.back() == '\'') {
        names.push_back(lit.substr(1, lit.size() - 2));
        types.push_back(t);
      }
    }
  });
  for (size_t i = 0; i < names.size(); ++i) literalTypes_.emplace(names[i], types[i]);
}

std::unique_ptr<antlr4::Token> Lexer::make(size_t type, size_t start, size_t channel) {
  auto t = std::make_unique<antlr4::CommonToken>(std::make_pair(static_cast<antlr4::TokenSource *>(this), stream_),
                                                 type, channel, start, pos_ - 1);
  // Line and column of the token's start: count the newlines it spans afterwards.
  t->setLine(line_);
  t->setCharPositionInLine(start - lineStart_);
  for (size_t i = start; i < pos_; ++i)
    if (text_[i] == '\n') ++line_, lineStart_ = i + 1;
  return t;
}

void Lexer::skipSpaceAndComments(bool &unterminatedComment, size_t &commentStart) {
  for (;;) {
    while (pos_ < text_.size() && isSpace(text_[pos_])) {
      if (text_[pos_] == '\n') ++line_, lineStart_ = pos_ + 1;
      ++pos_;
    }
    if (!(at(pos_) == '(' && at(pos_ + 1) == '*')) return;
    // Comments nest.
    size_t start = pos_, depth = 0, i = pos_;
    while (i < text_.size()) {
      if (text_[i] == '(' && at(i + 1) == '*') {
        ++depth, i += 2;
      } else if (text_[i] == '*' && at(i + 1) == ')') {
        i += 2;
        if (--depth == 0) break;
      } else {
        ++i;
      }
    }
    if (depth != 0) {
      unterminatedComment = true;
      commentStart = start;
      return;
    }
    for (size_t k = pos_; k < i; ++k)
      if (text_[k] == '\n') ++line_, lineStart_ = k + 1;
    pos_ = i;
  }
}

// Scans a CHAR or TEXT literal starting at pos_ (the quote): any backslash pair, no raw newline.
size_t Lexer::scanQuoted(char quote) {
  size_t i = pos_ + 1;
  while (i < text_.size()) {
    char c = text_[i];
    if (c == quote) return i + 1;
    if (c == '\n' || c == '\r') return 0;
    if (c == '\\') {
      if (i + 1 >= text_.size() || text_[i + 1] == '\n' || text_[i + 1] == '\r') return 0;
      i += 2;
      continue;
    }
    ++i;
  }
  return 0;
}

std::unique_ptr<antlr4::Token> Lexer::nextToken() {
  bool unterminated = false;
  size_t commentStart = 0;
  if (!done_) skipSpaceAndComments(unterminated, commentStart);
  if (unterminated) {
    // The rest of the file is an unterminated comment: one error token for it, then end of file.
    size_t start = commentStart;
    pos_ = text_.size();
    done_ = true;
    return make(SpxLexer::ERROR_CHAR, start);
  }
  size_t start = pos_;
  if (done_ || pos_ >= text_.size()) {
    done_ = true;
    auto eof = std::make_unique<antlr4::CommonToken>(
        std::make_pair(static_cast<antlr4::TokenSource *>(this), stream_), antlr4::Token::EOF,
        antlr4::Token::DEFAULT_CHANNEL, text_.size(), text_.size() - 1);
    eof->setLine(line_);
    eof->setCharPositionInLine(text_.size() - lineStart_);
    return eof;
  }
  char c = text_[pos_];
  if (isLetter(c)) {
    while (pos_ < text_.size() && (isAlnum(text_[pos_]) || text_[pos_] == '_')) ++pos_;
    auto it = literalTypes_.find(text_.substr(start, pos_ - start));
    return make(it != literalTypes_.end() ? it->second : size_t{SpxLexer::ID}, start);
  }
  if (isDigit(c)) {
    while (isDigit(at(pos_))) ++pos_;
    if (at(pos_) == '.' && isDigit(at(pos_ + 1))) {
      pos_ += 1;
      while (isDigit(at(pos_))) ++pos_;
      char e = at(pos_);
      if (e == 'E' || e == 'e' || e == 'D' || e == 'd' || e == 'X' || e == 'x') {
        size_t k = pos_ + 1;
        if (at(k) == '+' || at(k) == '-') ++k;
        if (isDigit(at(k))) {
          pos_ = k;
          while (isDigit(at(pos_))) ++pos_;
        }
      }
      return make(SpxLexer::REAL_LIT, start);
    }
    if (at(pos_) == '_' && isAlnum(at(pos_ + 1))) {
      ++pos_;
      while (isAlnum(at(pos_))) ++pos_;
    }
    return make(SpxLexer::INT_LIT, start);
  }
  if (c == '\'' || c == '"') {
    size_t end = scanQuoted(c);
    if (end == 0) {
      ++pos_;  // as ANTLR's lexer does: the lone quote is an error token, lexing goes on after it
      return make(SpxLexer::ERROR_CHAR, start);
    }
    pos_ = end;
    return make(c == '\'' ? SpxLexer::CHAR_LIT : SpxLexer::TEXT_LIT, start);
  }
  if (c == '<' && at(pos_ + 1) == '*') {
    size_t close = text_.find("*>", pos_ + 2);
    if (close == std::string_view::npos) {
      pos_ = text_.size();
      done_ = true;
      return make(SpxLexer::ERROR_CHAR, start);
    }
    pos_ = close + 2;
    return make(SpxLexer::PRAGMA, start, 2);
  }
  // Punctuation: the longest literal that matches (all are one or two characters).
  if (pos_ + 1 < text_.size()) {
    auto two = literalTypes_.find(text_.substr(pos_, 2));
    if (two != literalTypes_.end()) {
      pos_ += 2;
      return make(two->second, start);
    }
  }
  auto one = literalTypes_.find(text_.substr(pos_, 1));
  ++pos_;
  return make(one != literalTypes_.end() ? one->second : size_t{SpxLexer::ERROR_CHAR}, start);
}

}  // namespace spx::detail
