// Values of constant expressions, folded exactly at compile time. Ordinals (INTEGER, CHAR, BOOLEAN,
// enumerations) are Int with their ordinal number; sets keep their members sorted.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace spx {

struct Symbol;
class Type;

struct ConstValue {
  enum class Kind { Int, Text, Set, Nil, Proc, Aggregate } kind = Kind::Int;
  int64_t i = 0;
  std::string text;
  std::vector<int64_t> members;            // Set
  std::vector<const ConstValue *> elems;   // Aggregate: array elements or record fields, in order
  Symbol *proc = nullptr;                  // Proc: a top-level procedure
  // Aggregate of a large array type built with a repeat (`A{x, ..}` of more than kMaxExpandedElements): its
  // number of elements, of which those past `elems` repeat the last one of `elems`. 0 otherwise.
  uint64_t repeatTo = 0;
};

// Array constructors up to this many elements are expanded element by element; longer ones keep the repeat.
constexpr uint64_t kMaxExpandedElements = 65536;
// An Aggregate's number of elements, and its element `k` (< elementCount), repeats included.
inline uint64_t elementCount(const ConstValue &v) { return v.repeatTo > v.elems.size() ? v.repeatTo : v.elems.size(); }
inline const ConstValue *elementAt(const ConstValue &v, uint64_t k) {
  return k < v.elems.size() ? v.elems[k] : v.elems.back();
}

bool equalValues(const ConstValue &a, const ConstValue &b);
// `text` as a Modula-3 literal between `quote`s, escaped so that it stays on one line (\n, \t, \ooo ...).
std::string quoteLiteral(std::string_view text, char quote);
std::string formatValue(const ConstValue &v, const Type *type);

class ConstArena {
public:
  const ConstValue *make(ConstValue v) {
    values_.push_back(std::move(v));
    return &values_.back();
  }
  // Moves the text out of a value this arena made (only for intermediates that nothing else refers to).
  std::string takeText(const ConstValue *v) { return std::move(const_cast<ConstValue *>(v)->text); }
  const ConstValue *integer(int64_t i) {
    ConstValue v;
    v.i = i;
    return make(std::move(v));
  }

private:
  std::deque<ConstValue> values_;
};

}  // namespace spx
