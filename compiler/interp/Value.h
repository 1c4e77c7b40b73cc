// The interpreter's values: structured, not laid out in memory. An ordinal is its ordinal number; arrays and
// records are vectors of components; a set is a bit vector over its element type's range; a REF (and a TEXT)
// is a shared heap cell, compared by identity; a procedure is its declaration plus the frame it reaches
// (static link), null for a top-level one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace spx {
struct Symbol;
}

namespace spx::interp {

struct Frame;

struct Value {
  enum class Kind : uint8_t { Int, Agg, Set, Ref, Proc, Text };
  Kind kind = Kind::Int;
  int64_t i = 0;                 // Int; Text: index in the interpreter's text table
  std::vector<Value> elems;      // Agg: array elements or record fields, in order
  std::vector<uint64_t> bits;    // Set: bit k is member FIRST(element type) + k
  std::shared_ptr<Value> ref;    // Ref: the referent; null is NIL (also for TEXT and REFANY)
  const Symbol *proc = nullptr;  // Proc: the implementation (or runtime procedure); null is NIL
  Frame *env = nullptr;          // Proc: the frame a nested procedure reaches; null for top-level ones

  static Value integer(int64_t v) {
    Value r;
    r.i = v;
    return r;
  }
  static Value nilRef() {
    Value r;
    r.kind = Kind::Ref;
    return r;
  }
};

bool equalValues(const Value &a, const Value &b);

// Assigns `src` into `dst` component by component, so that aliases of `dst`'s components stay valid.
void assignInPlace(Value &dst, const Value &src);

}  // namespace spx::interp
