// Constant folding of the Word interface (Modula-3's unsigned operations on INTEGER bit patterns), so that
// `CONST Mask = Word.And(x, 16_FF)` is a constant as the language requires.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace spx {

enum class WordFoldError { None, DivisionByZero, BitRange };

// Folds Word.<proc>(args...). Returns nothing when `proc` is not a Word procedure or the call would be a
// checked runtime error (then `error` says which).
std::optional<int64_t> foldWordCall(std::string_view proc, const std::vector<int64_t> &args, WordFoldError &error);

}  // namespace spx
