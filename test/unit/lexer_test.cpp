// The hand-written lexer must produce exactly the tokens that the lexer rules of lang/Spx.g4 describe. These
// tests run ANTLR's generated lexer (the reference) and ours over the same inputs and compare every token.
#include "parse/detail/Lexer.h"

#include <doctest/doctest.h>

#include "SpxLexer.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace {

using spx::grammar::SpxLexer;

struct Tok {
  size_t type, channel, start, stop;
  bool operator==(const Tok &) const = default;
};

std::string ascii(std::string s) {
  for (char &c : s)
    if (static_cast<unsigned char>(c) >= 0x80) c = '\x01';
  return s;
}

// Tokens as ANTLR's generated lexer produces them (comments and white space are skipped by its rules).
std::vector<Tok> reference(const std::string &text) {
  antlr4::ANTLRInputStream in(ascii(text));
  SpxLexer lexer(&in);
  lexer.removeErrorListeners();
  std::vector<Tok> out;
  for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken())
    out.push_back({t->getType(), t->getChannel(), t->getStartIndex(), t->getStopIndex()});
  return out;
}

std::vector<Tok> ours(const std::string &text) {
  antlr4::ANTLRInputStream in(ascii(text));
  SpxLexer vocabSource(&in);
  spx::detail::Lexer lexer(text, &in, vocabSource.getVocabulary());
  std::vector<Tok> out;
  for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken())
    out.push_back({t->getType(), t->getChannel(), t->getStartIndex(), t->getStopIndex()});
  return out;
}

// Our lexer deliberately differs on an unterminated comment or pragma (one error token to the end of the file,
// instead of ANTLR's '(' '*' ... tokens), so such inputs are not compared.
bool hasUnterminatedCommentOrPragma(const std::string &text) {
  int depth = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '(' && text[i + 1] == '*') ++depth, ++i;
    else if (text[i] == '*' && text[i + 1] == ')' && depth > 0) --depth, ++i;
  }
  if (depth > 0) return true;
  size_t p = 0;
  while ((p = text.find("<*", p)) != std::string::npos) {
    size_t close = text.find("*>", p + 2);
    if (close == std::string::npos) return true;
    p = close + 2;
  }
  return false;
}

void compare(const std::string &text, const std::string &what) {
  if (hasUnterminatedCommentOrPragma(text)) return;
  auto a = reference(text), b = ours(text);
  INFO("input: " << what);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("token " << i << " at offset " << a[i].start);
    CHECK(a[i].type == b[i].type);
    CHECK(a[i].start == b[i].start);
    CHECK(a[i].stop == b[i].stop);
    CHECK(a[i].channel == b[i].channel);
  }
}

}  // namespace

TEST_CASE("hand-written lexer matches the grammar's lexer on every test and sample source") {
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const char *dir : {"test", "samples", "stdlib"}) {
    fs::path root = fs::path(SPINE_SOURCE_DIR) / dir;
    if (!fs::exists(root)) continue;
    for (const auto &entry : fs::recursive_directory_iterator(root)) {
      auto ext = entry.path().extension();
      if (ext != ".spx" && ext != ".spi") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      compare(ss.str(), entry.path().string());
      ++files;
    }
  }
  CHECK(files > 20);
}

TEST_CASE("hand-written lexer matches the grammar's lexer on tricky fragments") {
  const char *cases[] = {
      "a..b 1..2 1.5 1.5E3 1.5E 1.5e+7 2_1010 16_FF 16_ 7_ 3.x",
      "x:=y; a<:b a<=b a<b a>=b a=>b a#b a^.c[1]{2}",
      "'a' '\\n' '\\'' '\\101' \"text\\\"more\" \"\" 'ab' '",
      "\"unterminated\n x",
      "(* c (* nested *) still *) x (**) y",
      "<* PRAGMA a b *> x <**> y",
      "BEGIN END Begin begin_1 _x x_ 9abc",
      "@ $ ! ? ` ~ % \\ \x01 \xff\xfe",
      "a\r\nb\tc\fd",
      "",
  };
  for (const char *c : cases) compare(c, c);
}

TEST_CASE("hand-written lexer matches the grammar's lexer on random token soup") {
  const char *pieces[] = {"a", "Z9", "_", "1", "16_FF", "2_", ".", "..", "5", "E", "+", "-", "'", "\"", "\\", "(",
                          ")", "*", "(*", "*)", "<*", "*>", "<", ">", "=", ":", ":=", "<:", "#", "^", "{", "}", "[",
                          "]", ";", ",", "|", "&", "/", " ", "\n", "\t", "IF", "END", "\x80", "x"};
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1), len(0, 40);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    for (size_t k = len(rng); k > 0; --k) s += pieces[pick(rng)];
    compare(s, s);
  }
}
