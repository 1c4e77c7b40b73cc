#include "sema/Types.h"

#include "sema/ConstValue.h"
#include "sema/Scope.h"

#include <llvm/Support/MathExtras.h>

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

namespace spx {

TypeContext::TypeContext() {
  error_ = basic(TypeKind::Error, "<error>");
  integer_ = basic(TypeKind::Integer, "INTEGER");
  char_ = basic(TypeKind::Char, "CHAR");
  text_ = basic(TypeKind::Text, "TEXT");
  refany_ = basic(TypeKind::Refany, "REFANY");
  null_ = basic(TypeKind::Null, "NULL");
  address_ = basic(TypeKind::Address, "ADDRESS");
  real_ = basic(TypeKind::Real, "REAL");
  auto *b = make<EnumType>();
  b->literals = {"FALSE", "TRUE"};
  b->name = "BOOLEAN";
  boolean_ = b;
  auto *c = make<SubrangeType>();
  c->base = integer_;
  c->low = 0;
  c->high = std::numeric_limits<int64_t>::max();
  c->name = "CARDINAL";
  cardinal_ = c;
}

const Type *TypeContext::basic(TypeKind k, const char *name) {
  auto t = std::make_unique<Type>(k);
  t->name = name;
  owned_.push_back(std::move(t));
  return owned_.back().get();
}

const Type *stripPacked(const Type *t) {
  while (auto *p = llvm::dyn_cast_or_null<PackedType>(t)) t = p->base;
  return t;
}

bool isError(const Type *t) { return !t || t->kind == TypeKind::Error; }

bool isOrdinal(const Type *t) {
  t = stripPacked(t);
  if (!t) return false;
  switch (t->kind) {
  case TypeKind::Integer: case TypeKind::Enum: case TypeKind::Char: case TypeKind::Subrange: return true;
  default: return false;
  }
}

const Type *ordinalBase(const Type *t) {
  t = stripPacked(t);
  if (auto *s = llvm::dyn_cast_or_null<SubrangeType>(t)) return s->base;
  return t;
}

void ordinalBounds(const Type *t, int64_t &low, int64_t &high) {
  t = stripPacked(t);
  switch (t->kind) {
  case TypeKind::Integer:
    low = std::numeric_limits<int64_t>::min(), high = std::numeric_limits<int64_t>::max();
    return;
  case TypeKind::Char: low = 0, high = 255; return;
  case TypeKind::Enum:
    low = 0, high = static_cast<int64_t>(llvm::cast<EnumType>(t)->literals.size()) - 1;
    return;
  case TypeKind::Subrange:
    low = llvm::cast<SubrangeType>(t)->low, high = llvm::cast<SubrangeType>(t)->high;
    return;
  default: low = 0, high = -1; return;
  }
}

bool isEmptyOrdinal(const Type *t) {
  if (!isOrdinal(t)) return false;
  int64_t lo, hi;
  ordinalBounds(t, lo, hi);
  return lo > hi;
}

int64_t arrayLength(const ArrayType *a) {
  int64_t lo, hi;
  ordinalBounds(a->index, lo, hi);
  return hi < lo ? 0 : hi - lo + 1;
}

bool isInteger(const Type *t) {
  const Type *b = ordinalBase(t);
  return b && b->kind == TypeKind::Integer;
}

bool isBoolean(const Type *t, const TypeContext &tc) {
  const Type *b = ordinalBase(t);
  return b && sameType(b, tc.boolean());
}

bool isReference(const Type *t) {
  t = stripPacked(t);
  if (!t) return false;
  switch (t->kind) {
  case TypeKind::Ref: case TypeKind::Refany: case TypeKind::Null: case TypeKind::Opaque: case TypeKind::Text:
    return true;
  default: return false;
  }
}

bool isArray(const Type *t) {
  t = stripPacked(t);
  return t && (t->kind == TypeKind::Array || t->kind == TypeKind::OpenArray);
}

const Type *elementOf(const Type *array) {
  array = stripPacked(array);
  if (auto *a = llvm::dyn_cast<ArrayType>(array)) return a->element;
  if (auto *o = llvm::dyn_cast<OpenArrayType>(array)) return o->element;
  return nullptr;
}

namespace {

// Structural equality, coinductive over REF targets and procedure types: a pair under comparison is assumed
// equal, which is what makes recursive types such as `List = REF RECORD next: List END` or
// `P = PROCEDURE (p: P)` compare equal to their own expansion (and the comparison end). Arrays and records
// are remembered too, so that types sharing components compare in time linear in their number: a pair seen
// again was either proven equal or is still being compared (a false answer ends the whole comparison).
class SameTypeCheck {
public:
  bool same(const Type *a, const Type *b) {
    if (a == b) return true;
    if (!a || !b) return false;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case TypeKind::Error: return true;  // errors were reported already; do not pile on
    case TypeKind::Integer: case TypeKind::Char: case TypeKind::Text: case TypeKind::Refany:
    case TypeKind::Null: case TypeKind::Address: case TypeKind::Real:
      return true;
    case TypeKind::Enum: return llvm::cast<EnumType>(a)->literals == llvm::cast<EnumType>(b)->literals;
    case TypeKind::Subrange: {
      auto *x = llvm::cast<SubrangeType>(a), *y = llvm::cast<SubrangeType>(b);
      return x->low == y->low && x->high == y->high && same(x->base, y->base);
    }
    case TypeKind::Set: return same(llvm::cast<SetType>(a)->element, llvm::cast<SetType>(b)->element);
    case TypeKind::Array: {
      auto *x = llvm::cast<ArrayType>(a), *y = llvm::cast<ArrayType>(b);
      if (!assumed_.insert({a, b}).second) return true;  // compared already (a false answer ends it all)
      return same(x->index, y->index) && same(x->element, y->element);
    }
    case TypeKind::OpenArray:
      return same(llvm::cast<OpenArrayType>(a)->element, llvm::cast<OpenArrayType>(b)->element);
    case TypeKind::Record: {
      auto *x = llvm::cast<RecordType>(a), *y = llvm::cast<RecordType>(b);
      if (!assumed_.insert({a, b}).second) return true;  // compared already (a false answer ends it all)
      if (x->fields.size() != y->fields.size()) return false;
      for (size_t i = 0; i < x->fields.size(); ++i) {
        if (x->fields[i].name != y->fields[i].name || !same(x->fields[i].type, y->fields[i].type)) return false;
        const ConstValue *dx = x->fields[i].dflt, *dy = y->fields[i].dflt;
        if ((dx == nullptr) != (dy == nullptr) || (dx && !equalValues(*dx, *dy))) return false;
      }
      return true;
    }
    case TypeKind::Packed: {
      auto *x = llvm::cast<PackedType>(a), *y = llvm::cast<PackedType>(b);
      return x->bits == y->bits && x->netOrder == y->netOrder && same(x->base, y->base);
    }
    case TypeKind::Ref: {
      auto *x = llvm::cast<RefType>(a), *y = llvm::cast<RefType>(b);
      if (x->branded || y->branded) return false;  // a == b handled above
      if (x->untraced != y->untraced) return false;
      if (!assumed_.insert({a, b}).second) return true;
      return same(x->target, y->target);
    }
    case TypeKind::Procedure: {
      auto *x = llvm::cast<ProcType>(a), *y = llvm::cast<ProcType>(b);
      if (!assumed_.insert({a, b}).second) return true;
      if (x->params.size() != y->params.size() || !same(x->result, y->result) || x->raisesAny != y->raisesAny)
        return false;
      // Formal names and defaults are part of a procedure type (calls may name them, or leave them out).
      for (size_t i = 0; i < x->params.size(); ++i) {
        const ProcParam &p = x->params[i], &q = y->params[i];
        if (p.mode != q.mode || p.name != q.name || !same(p.type, q.type)) return false;
        if ((p.dflt == nullptr) != (q.dflt == nullptr) || (p.dflt && !equalValues(*p.dflt, *q.dflt))) return false;
      }
      std::set<Symbol *> rx(x->raises.begin(), x->raises.end()), ry(y->raises.begin(), y->raises.end());
      return rx == ry;
    }
    case TypeKind::Opaque: return false;  // a == b handled above
    }
    return false;
  }

private:
  std::set<std::pair<const Type *, const Type *>> assumed_;
};

}  // namespace

bool sameType(const Type *a, const Type *b) { return SameTypeCheck().same(a, b); }

bool crossesHostChannel(const Type *t, bool asParam) {
  t = stripPacked(t);
  if (!t || isError(t)) return true;
  if (isOrdinal(t) || t->kind == TypeKind::Text || t->kind == TypeKind::Set) return true;
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) return crossesHostChannel(a->element, false);
  if (auto *o = llvm::dyn_cast<OpenArrayType>(t))
    return asParam && crossesHostChannel(o->element, false) && stripPacked(o->element)->kind != TypeKind::OpenArray;
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    for (const auto &f : r->fields)
      if (!crossesHostChannel(f.type, false)) return false;
    return true;
  }
  return false;
}

bool isSubtype(const Type *a, const Type *b) {
  if (sameType(a, b)) return true;
  a = stripPacked(a), b = stripPacked(b);
  if (isError(a) || isError(b)) return true;
  // [lo..hi] <: its base, and a subrange of another subrange with the same base.
  if (isOrdinal(a) && isOrdinal(b) && a->kind == TypeKind::Subrange) {
    if (!sameType(ordinalBase(a), ordinalBase(b))) return false;
    int64_t al, ah, bl, bh;
    ordinalBounds(a, al, ah);
    ordinalBounds(b, bl, bh);
    return al >= bl && ah <= bh;
  }
  if (a->kind == TypeKind::Null) return isReference(b) || b->kind == TypeKind::Procedure;
  if (b->kind == TypeKind::Refany)
    return a->kind == TypeKind::Ref || a->kind == TypeKind::Opaque || a->kind == TypeKind::Text;
  if (auto *oa = llvm::dyn_cast<OpaqueType>(a)) return isSubtype(oa->super, b);
  // A procedure that raises fewer exceptions may stand where more are allowed.
  if (auto *pa = llvm::dyn_cast<ProcType>(a)) {
    auto *pb = llvm::dyn_cast<ProcType>(b);
    if (!pb || pa->params.size() != pb->params.size() || !sameType(pa->result, pb->result)) return false;
    for (size_t i = 0; i < pa->params.size(); ++i)
      if (pa->params[i].mode != pb->params[i].mode || !sameType(pa->params[i].type, pb->params[i].type)) return false;
    if (pb->raisesAny) return true;
    if (pa->raisesAny) return false;
    for (Symbol *e : pa->raises)
      if (std::find(pb->raises.begin(), pb->raises.end(), e) == pb->raises.end()) return false;
    return true;
  }
  // Arrays (Modula-3 2.2.9): same element type and shape, where an open dimension accepts any length and
  // fixed dimensions must have the same number of elements.
  if (isArray(a) && isArray(b)) {
    if (auto *fb = llvm::dyn_cast<ArrayType>(b)) {
      auto *fa = llvm::dyn_cast<ArrayType>(a);
      if (!fa) return false;
      int64_t al, ah, bl, bh;
      ordinalBounds(fa->index, al, ah);
      ordinalBounds(fb->index, bl, bh);
      if (static_cast<__int128>(ah) - al != static_cast<__int128>(bh) - bl) return false;
    }
    const Type *ea = elementOf(a), *eb = elementOf(b);
    return sameType(ea, eb) || (isArray(ea) && isArray(eb) && isSubtype(ea, eb));
  }
  return false;
}

bool assignable(const Type *from, const Type *to) {
  if (isError(from) || isError(to)) return true;
  if (isSubtype(from, to)) return true;
  const Type *f = stripPacked(from), *t = stripPacked(to);
  // Ordinals with the same base: a run-time range check remains unless the ranges are disjoint.
  if (isOrdinal(f) && isOrdinal(t)) {
    if (!sameType(ordinalBase(f), ordinalBase(t))) return false;
    int64_t fl, fh, tl, th;
    ordinalBounds(f, fl, fh);
    ordinalBounds(t, tl, th);
    return !(fh < tl || fl > th);
  }
  // Arrays with the same element type: shapes are checked at run time (an open array's length is not known).
  if (isArray(f) && isArray(t)) {
    // Inner dimensions must fit by type: only the outermost length is left to the run-time check.
    const Type *ef = elementOf(f), *et = elementOf(t);
    return sameType(ef, et) || (isArray(ef) && isArray(et) && (isSubtype(ef, et) || isSubtype(et, ef)));
  }
  // A reference supertype to a subtype (REFANY to REF T) is a narrowing, which needs TYPECASE/NARROW.
  return false;
}

bool containsPointers(const Type *t) {
  t = stripPacked(t);
  if (!t) return false;
  switch (t->kind) {
  case TypeKind::Ref: case TypeKind::Refany: case TypeKind::Null: case TypeKind::Opaque: case TypeKind::Text:
  case TypeKind::Procedure: case TypeKind::Address:
    return true;
  case TypeKind::Array: case TypeKind::OpenArray: return containsPointers(elementOf(t));
  case TypeKind::Record:
    for (const auto &f : llvm::cast<RecordType>(t)->fields)
      if (containsPointers(f.type)) return true;
    return false;
  default: return false;
  }
}

namespace {

uint64_t roundUp(uint64_t v, uint64_t align) { return align <= 1 ? v : (v + align - 1) / align * align; }

// Bits an unpacked ordinal occupies: 8, 16, 32 or 64, the smallest that holds its range.
uint64_t ordinalBits(const Type *t) {
  switch (t->kind) {
  case TypeKind::Integer: return 64;
  case TypeKind::Char: return 8;
  case TypeKind::Enum: {
    size_t n = llvm::cast<EnumType>(t)->literals.size();
    return n <= 256 ? 8 : n <= 65536 ? 16 : 32;
  }
  case TypeKind::Subrange: {
    auto *s = llvm::cast<SubrangeType>(t);
    if (s->base->kind != TypeKind::Integer) return ordinalBits(s->base);
    for (unsigned bits : {8u, 16u, 32u}) {
      int64_t umax = (int64_t{1} << bits) - 1, smin = -(int64_t{1} << (bits - 1)), smax = (int64_t{1} << (bits - 1)) - 1;
      if ((s->low >= 0 && s->high <= umax) || (s->low >= smin && s->high <= smax)) return bits;
    }
    return 64;
  }
  default: return 64;
  }
}

// Sizes saturate here instead of wrapping, so a huge type cannot come out small (Sema refuses sizes past
// kMaxTypeBits).
uint64_t addSat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
uint64_t mulSat(uint64_t a, uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; }

// Places one field or element whose layout is `l` at `offset` (in bits) following lang/REFERENCE.md 4.7 and
// returns its offset.
uint64_t place(const Type *t, Layout l, uint64_t offset, LayoutProblem *problem) {
  if (auto *p = llvm::dyn_cast<PackedType>(t)) {
    // Packed: no alignment, but whole-byte fields start on a byte and narrower ones stay inside one byte.
    if (problem && *problem == LayoutProblem::None) {
      if (p->bits >= 8 && (offset % 8 != 0 || p->bits % 8 != 0)) *problem = LayoutProblem::PackedNotWholeBytes;
      else if (p->bits < 8 && offset / 8 != (offset + p->bits - 1) / 8) *problem = LayoutProblem::PackedCrossesByte;
    }
    return offset;
  }
  return l.align <= 1 || offset > UINT64_MAX - l.align ? offset : roundUp(offset, l.align);
}

}  // namespace

namespace {
// A packed element narrower than a byte takes the next power of two (1, 2, 4 or 8 bits), so that none crosses
// a byte boundary, as the rule for packed fields requires (Sema refuses wider packed elements that are not whole
// bytes).
uint64_t strideOf(const Type *element, Layout e) {
  if (llvm::isa<PackedType>(element)) return e.size >= 8 ? e.size : llvm::PowerOf2Ceil(e.size);
  return e.size > UINT64_MAX - e.align ? e.size : roundUp(e.size, e.align);
}

// An array's or a record's layout, from its components' (each asked once).
Layout compositeLayout(const Type *t) {
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) {
    int64_t lo, hi;
    ordinalBounds(a->index, lo, hi);
    uint64_t n = hi >= lo ? static_cast<uint64_t>(hi - lo) + 1 : 0;
    Layout e = layoutOf(a->element);
    // An array starts on at least a byte.
    return {mulSat(n, strideOf(a->element, e)), std::max<uint64_t>(e.align, 8)};
  }
  uint64_t offset = 0, align = 8;
  for (const auto &f : llvm::cast<RecordType>(t)->fields) {
    Layout l = layoutOf(f.type);
    offset = addSat(place(f.type, l, offset, nullptr), l.size);
    align = std::max(align, l.align);
  }
  return {offset > UINT64_MAX - align ? offset : roundUp(offset, align), align};
}
}  // namespace

Layout layoutOf(const Type *t) {
  if (!t) return {64, 64};
  switch (t->kind) {
  case TypeKind::Packed: return {llvm::cast<PackedType>(t)->bits, 1};
  case TypeKind::Integer: case TypeKind::Char: case TypeKind::Enum: case TypeKind::Subrange: {
    uint64_t b = ordinalBits(t);
    return {b, b};
  }
  case TypeKind::Set: {
    int64_t lo, hi;
    ordinalBounds(llvm::cast<SetType>(t)->element, lo, hi);
    uint64_t n = hi >= lo ? static_cast<uint64_t>(hi - lo) + 1 : 0;
    return {roundUp(n, 64), 64};
  }
  case TypeKind::Array: case TypeKind::Record: {
    if (t->layoutAlign == 0) {
      Layout l = compositeLayout(t);
      t->layoutSize = l.size;
      t->layoutAlign = l.align;
    }
    return {t->layoutSize, t->layoutAlign};
  }
  case TypeKind::OpenArray: return {0, std::max<uint64_t>(layoutOf(elementOf(t)).align, 8)};
  // A procedure value is its code and its environment wherever it is (docs/abi.md): a VAR or READONLY
  // parameter or a WITH alias of a parameter holding a nested procedure must see the environment too.
  case TypeKind::Procedure: return {128, 64};
  default: return {64, 64};  // references, TEXT: one machine word
  }
}

uint64_t bitSize(const Type *t) { return layoutOf(t).size; }

// Elements are laid out like consecutive fields: a packed one takes exactly its bits, any other its size
// rounded up to its alignment.
uint64_t elementStride(const Type *element) { return strideOf(element, layoutOf(element)); }

std::vector<uint64_t> fieldOffsets(const RecordType *r) {
  std::vector<uint64_t> offsets;
  offsets.reserve(r->fields.size());
  uint64_t offset = 0;
  for (const RecordField &f : r->fields) {
    Layout l = layoutOf(f.type);
    offset = place(f.type, l, offset, nullptr);
    offsets.push_back(offset);
    offset = addSat(offset, l.size);
  }
  return offsets;
}

LayoutProblem recordLayoutProblem(const RecordType *r, size_t &field) {
  uint64_t offset = 0;
  for (field = 0; field < r->fields.size(); ++field) {
    LayoutProblem problem = LayoutProblem::None;
    Layout l = layoutOf(r->fields[field].type);
    offset = place(r->fields[field].type, l, offset, &problem);
    if (problem != LayoutProblem::None) return problem;
    offset = addSat(offset, l.size);
  }
  return LayoutProblem::None;
}

namespace {
// Types whose names are being spelled, to stop at a cycle through anonymous types.
thread_local std::vector<const Type *> typesBeingSpelled;
thread_local bool cycleSeen = false;
}  // namespace

std::string typeName(const Type *t) {
  if (!t) return "<none>";
  if (!t->name.empty()) return t->name;
  if (std::find(typesBeingSpelled.begin(), typesBeingSpelled.end(), t) != typesBeingSpelled.end()) {
    cycleSeen = true;
    return "...";
  }
  typesBeingSpelled.push_back(t);
  struct Pop {
    ~Pop() { typesBeingSpelled.pop_back(); }
  } pop;
  switch (t->kind) {
  case TypeKind::Enum: {
    std::string s = "{";
    auto *e = llvm::cast<EnumType>(t);
    for (size_t i = 0; i < e->literals.size(); ++i) s += (i ? ", " : "") + std::string(e->literals[i]);
    return s + "}";
  }
  case TypeKind::Subrange: {
    auto *s = llvm::cast<SubrangeType>(t);
    if (s->base->kind == TypeKind::Integer) return "[" + std::to_string(s->low) + ".." + std::to_string(s->high) + "]";
    if (auto *e = llvm::dyn_cast<EnumType>(s->base))
      if (s->low >= 0 && static_cast<size_t>(s->high) < e->literals.size())
        return "[" + std::string(e->literals[s->low]) + ".." + std::string(e->literals[s->high]) + "]";
    return "[" + std::to_string(s->low) + ".." + std::to_string(s->high) + "] OF " + typeName(s->base);
  }
  case TypeKind::Set: return "SET OF " + typeName(llvm::cast<SetType>(t)->element);
  case TypeKind::Array: {
    auto *a = llvm::cast<ArrayType>(t);
    return "ARRAY " + typeName(a->index) + " OF " + typeName(a->element);
  }
  case TypeKind::OpenArray: return "ARRAY OF " + typeName(llvm::cast<OpenArrayType>(t)->element);
  case TypeKind::Record: {
    std::string s = "RECORD";
    auto *r = llvm::cast<RecordType>(t);
    for (size_t i = 0; i < r->fields.size() && i < 3; ++i)
      s += (i ? "; " : " ") + std::string(r->fields[i].name) + ": " + typeName(r->fields[i].type);
    if (r->fields.size() > 3) s += "; ...";
    return s + " END";
  }
  case TypeKind::Packed: {
    auto *p = llvm::cast<PackedType>(t);
    return "BITS " + std::to_string(p->bits) + " FOR " + typeName(p->base);
  }
  case TypeKind::Ref: {
    auto *r = llvm::cast<RefType>(t);
    std::string s = r->untraced ? "UNTRACED " : "";
    if (r->branded) s += r->brand.empty() ? "BRANDED " : "BRANDED \"" + r->brand + "\" ";
    if (!r->target) return s + "REF ...";  // target not resolved yet (inside its own declaration)
    // A recursive anonymous type is spelled only to the REF that starts the cycle.
    bool outer = cycleSeen;
    cycleSeen = false;
    std::string target = typeName(r->target);
    bool cycle = cycleSeen;
    cycleSeen = outer || cycle;
    if (cycle && r->target->kind == TypeKind::Record) target = "RECORD ... END";
    return s + "REF " + target;
  }
  case TypeKind::Procedure: {
    auto *p = llvm::cast<ProcType>(t);
    std::string s = "PROCEDURE (";
    for (size_t i = 0; i < p->params.size(); ++i) {
      if (i) s += "; ";
      if (p->params[i].mode == ParamMode::Var) s += "VAR ";
      if (p->params[i].mode == ParamMode::Readonly) s += "READONLY ";
      s += std::string(p->params[i].name) + ": " + typeName(p->params[i].type);
      if (p->params[i].dflt) s += " := " + formatValue(*p->params[i].dflt, p->params[i].type);
    }
    s += ")";
    if (p->result) s += ": " + typeName(p->result);
    if (p->raisesAny) {
      s += " RAISES ANY";
    } else if (!p->raises.empty()) {
      s += " RAISES {";
      for (size_t i = 0; i < p->raises.size(); ++i) s += (i ? ", " : "") + p->raises[i]->qualifiedName();
      s += "}";
    }
    return s;
  }
  default: return "<anonymous>";
  }
}

}  // namespace spx
