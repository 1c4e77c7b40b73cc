// Internal to compiler/parse: facts about the generated grammar that several parts of the parser need.
#pragma once

#include "diag/Diagnostics.h"
#include "parse/Parser.h"

#include <antlr4-runtime.h>

#include "SpxLexer.h"
#include "SpxParser.h"

namespace spx::detail {

using grammar::SpxLexer;
using grammar::SpxParser;

// The grammar's token vocabulary (names and literals of every token type).
const antlr4::dfa::Vocabulary &grammarVocabulary();
// The token type of a keyword or punctuation literal, e.g. literalType(";"); 0 if there is none.
size_t literalType(std::string_view literal);

// How a token is named in a message: "';'", "'END'", "identifier 'x'", "end of file".
std::string describeToken(const antlr4::Token &t);
// A set of expected tokens: "';', 'END' or an identifier".
std::string describeExpected(const antlr4::misc::IntervalSet &set);

}  // namespace spx::detail
