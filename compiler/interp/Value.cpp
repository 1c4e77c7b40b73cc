#include "interp/Value.h"

namespace spx::interp {

bool equalValues(const Value &a, const Value &b) {
  // NIL is one value for references and procedures alike.
  bool aNil = (a.kind == Value::Kind::Ref && !a.ref) || (a.kind == Value::Kind::Proc && !a.proc);
  bool bNil = (b.kind == Value::Kind::Ref && !b.ref) || (b.kind == Value::Kind::Proc && !b.proc);
  if (aNil || bNil) return aNil == bNil;
  if (a.kind != b.kind) return false;
  switch (a.kind) {
  case Value::Kind::Int: return a.i == b.i;
  case Value::Kind::Text: return a.i == b.i;
  case Value::Kind::Set: return a.bits == b.bits;
  case Value::Kind::Ref: return a.ref == b.ref;
  case Value::Kind::Proc: return a.proc == b.proc && a.env == b.env;
  case Value::Kind::Agg:
    if (a.elems.size() != b.elems.size()) return false;
    for (size_t k = 0; k < a.elems.size(); ++k)
      if (!equalValues(a.elems[k], b.elems[k])) return false;
    return true;
  }
  return false;
}

void assignInPlace(Value &dst, const Value &src) {
  if (dst.kind == Value::Kind::Agg && src.kind == Value::Kind::Agg && dst.elems.size() == src.elems.size()) {
    for (size_t k = 0; k < src.elems.size(); ++k) assignInPlace(dst.elems[k], src.elems[k]);
    return;
  }
  dst = src;
}

}  // namespace spx::interp
