#include "sema/ConstValue.h"

#include "sema/Types.h"

#include <algorithm>
#include <cstdio>

namespace spx {

std::string quoteLiteral(std::string_view text, char quote) {
  std::string s(1, quote);
  for (unsigned char c : text) {
    switch (c) {
    case '\n': s += "\\n"; break;
    case '\t': s += "\\t"; break;
    case '\r': s += "\\r"; break;
    case '\f': s += "\\f"; break;
    case '\\': s += "\\\\"; break;
    default:
      if (c == static_cast<unsigned char>(quote)) {
        s += '\\';
        s += static_cast<char>(c);
      } else if (c < 0x20 || c >= 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03o", c);
        s += buf;
      } else {
        s += static_cast<char>(c);
      }
    }
  }
  return s + quote;
}

bool equalValues(const ConstValue &a, const ConstValue &b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
  case ConstValue::Kind::Int: return a.i == b.i;
  case ConstValue::Kind::Text: return a.text == b.text;
  case ConstValue::Kind::Set: return a.members == b.members;
  case ConstValue::Kind::Nil: return true;
  case ConstValue::Kind::Proc: return a.proc == b.proc;
  case ConstValue::Kind::Aggregate: {
    if (elementCount(a) != elementCount(b)) return false;
    if (a.elems.empty() || b.elems.empty()) return a.elems.empty() && b.elems.empty();
    // Past the longer of the two element lists both repeat their last element, compared at its end.
    size_t listed = std::max(a.elems.size(), b.elems.size());
    for (size_t k = 0; k < listed; ++k)
      if (!equalValues(*elementAt(a, k), *elementAt(b, k))) return false;
    return true;
  }
  }
  return false;
}

std::string formatValue(const ConstValue &v, const Type *type) {
  switch (v.kind) {
  case ConstValue::Kind::Int: {
    const Type *base = ordinalBase(type);
    if (auto *e = llvm::dyn_cast_or_null<EnumType>(base))
      if (v.i >= 0 && static_cast<size_t>(v.i) < e->literals.size()) return std::string(e->literals[v.i]);
    if (base && base->kind == TypeKind::Char) {
      if (v.i >= 0x20 && v.i < 0x7f) return std::string("'") + static_cast<char>(v.i) + "'";
      return "VAL(" + std::to_string(v.i) + ", CHAR)";
    }
    return std::to_string(v.i);
  }
  case ConstValue::Kind::Text: return quoteLiteral(v.text, '"');
  case ConstValue::Kind::Set: {
    const Type *elem = nullptr;
    if (auto *st = llvm::dyn_cast_or_null<SetType>(stripPacked(type))) elem = st->element;
    std::string s = "{";
    for (size_t k = 0; k < v.members.size(); ++k) {
      ConstValue m;
      m.i = v.members[k];
      s += (k ? ", " : "") + formatValue(m, elem);
    }
    return s + "}";
  }
  case ConstValue::Kind::Nil: return "NIL";
  case ConstValue::Kind::Proc: return "<procedure>";
  case ConstValue::Kind::Aggregate: {
    // Element types come from the array or record type when known.
    const Type *t = stripPacked(type);
    std::string s = "{";
    for (size_t k = 0; k < v.elems.size(); ++k) {
      const Type *et = nullptr;
      if (t && isArray(t)) et = elementOf(t);
      else if (auto *r = llvm::dyn_cast_or_null<RecordType>(t); r && k < r->fields.size()) et = r->fields[k].type;
      s += (k ? ", " : "") + formatValue(*v.elems[k], et);
    }
    if (v.repeatTo > v.elems.size()) s += ", ..";
    return s + "}";
  }
  }
  return "?";
}

}  // namespace spx
