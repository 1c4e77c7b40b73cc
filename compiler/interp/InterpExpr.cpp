// Expressions (values) and designators (places).
#include "interp/Interp.h"

#include <limits>

namespace spx::interp {

namespace {
constexpr int64_t kMinInt = std::numeric_limits<int64_t>::min();

const Type *referent(const Type *refType) {
  auto *r = llvm::dyn_cast<RefType>(stripPacked(refType));
  return r ? stripPacked(r->target) : nullptr;
}

void setBit(Value &set, uint64_t k) { set.bits[k / 64] |= uint64_t{1} << (k % 64); }
bool testBit(const Value &set, uint64_t k) { return (set.bits[k / 64] >> (k % 64)) & 1; }
}  // namespace

// ---------------------------------------------------------------- checks

void Interpreter::checkRange(int64_t v, const Type *t, SourceRange at) {
  int64_t lo, hi;
  ordinalBounds(t, lo, hi);
  if (v < lo || v > hi) trap("range", at);
}

void Interpreter::checkStorable(const Value &v, const Type *t, SourceRange at, bool mayBeNested) {
  const Type *st = stripPacked(t);
  if (isOrdinal(st)) {
    checkRange(v.i, st, at);
    return;
  }
  if (st->kind == TypeKind::Procedure) {
    if (!mayBeNested && v.kind == Value::Kind::Proc && v.env) trap("nested procedure stored", at);
    return;
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(st)) {
    int64_t lo, hi;
    ordinalBounds(a->index, lo, hi);
    uint64_t n = hi >= lo ? static_cast<uint64_t>(hi - lo) + 1 : 0;
    if (v.elems.size() != n) trap("range", at);
    if (isArray(a->element))
      for (const Value &e : v.elems) checkStorable(e, a->element, at);
  }
}

int64_t Interpreter::checkedAdd(int64_t a, int64_t b, SourceRange at) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) trap("integer overflow", at);
  return r;
}

// ---------------------------------------------------------------- places

size_t Interpreter::fieldIndex(const Type *recordType, std::string_view name) {
  auto *r = llvm::cast<RecordType>(stripPacked(recordType));
  return static_cast<size_t>(r->field(name) - r->fields.data());
}

Value &Interpreter::element(Value &array, const Type *arrayType, int64_t index, size_t off, size_t len,
                            SourceRange at) {
  __int128 pos = index;
  if (auto *a = llvm::dyn_cast<ArrayType>(stripPacked(arrayType))) {
    int64_t lo, hi;
    ordinalBounds(a->index, lo, hi);
    pos -= lo;
  }
  if (pos < 0 || pos >= static_cast<__int128>(len)) trap("range", at);
  return array.elems[off + static_cast<size_t>(pos)];
}

Place Interpreter::place(Expr *e) {
  switch (e->kind) {
  case ExprKind::Name: return lookupVar(e->symbol, e->range);
  case ExprKind::Field: {
    auto *f = llvm::cast<FieldExpr>(e);
    if (f->base->cls == ExprClass::Interface) return lookupVar(e->symbol, e->range);
    if (f->implicitDeref) {
      Value r = eval(f->base);
      if (!r.ref) trap("NIL dereference", e->range);
      size_t idx = fieldIndex(referent(f->base->type), f->name.text);
      return Place{&r.ref->elems[idx], r.ref, false, 0, 0};
    }
    Place p = place(f->base);
    if (p.viewType) return viewField(p, f->name.text);
    p.v = &p.v->elems[fieldIndex(f->base->type, f->name.text)];
    return p;
  }
  case ExprKind::Deref: {
    Value r = eval(llvm::cast<DerefExpr>(e)->operand);
    if (!r.ref) trap("NIL dereference", e->range);
    return Place{r.ref.get(), r.ref, false, 0, 0};
  }
  case ExprKind::Index: {
    auto *x = llvm::cast<IndexExpr>(e);
    Place bp;
    const Type *at;
    if (x->implicitDeref) {
      Value r = eval(x->base);
      if (!r.ref) trap("NIL dereference", e->range);
      bp = Place{r.ref.get(), r.ref, false, 0, 0};
      at = referent(x->base->type);
    } else {
      bp = place(x->base);
      at = stripPacked(x->base->type);
    }
    int64_t i = eval(x->index).i;
    if (bp.viewType) return viewElement(bp, i, x->index->range);
    size_t off = bp.slice ? bp.off : 0, len = bp.slice ? bp.len : bp.v->elems.size();
    Value &el = element(*bp.v, at, i, off, len, x->index->range);  // spinec reports the index's line
    return Place{&el, bp.keep, false, 0, 0};
  }
  case ExprKind::Call: return builtinPlace(llvm::cast<CallExpr>(e));
  default: break;
  }
  throw Unsupported{"designator of this form", e->range.begin};
}

Value Interpreter::read(const Place &p) {
  if (p.viewType) return viewRead(p, p.viewType, p.bitOff);
  if (!p.slice) return *p.v;
  Value v;
  v.kind = Value::Kind::Agg;
  v.elems.assign(p.v->elems.begin() + static_cast<ptrdiff_t>(p.off),
                 p.v->elems.begin() + static_cast<ptrdiff_t>(p.off + p.len));
  return v;
}

namespace {
// Array lengths must agree, at every level (REFERENCE §4.9: an array value has the variable's shape).
bool sameShape(const Value &dst, const Value &src) {
  if (dst.kind != Value::Kind::Agg || src.kind != Value::Kind::Agg) return true;
  if (dst.elems.size() != src.elems.size()) return false;
  for (size_t k = 0; k < dst.elems.size(); ++k)
    if (dst.elems[k].kind == Value::Kind::Agg && !sameShape(dst.elems[k], src.elems[k])) return false;
  return true;
}
}  // namespace

void Interpreter::store(const Place &p, const Value &v, const Type *t, SourceRange at) {
  checkStorable(v, t, at);
  if (p.viewType) return viewWrite(p, p.viewType, p.bitOff, v);
  if (p.slice) {
    if (v.elems.size() != p.len) trap("range", at);
    for (size_t k = 0; k < p.len; ++k) {
      if (!sameShape(p.v->elems[p.off + k], v.elems[k])) trap("range", at);
      assignInPlace(p.v->elems[p.off + k], v.elems[k]);
    }
    return;
  }
  if (!sameShape(*p.v, v)) trap("range", at);
  assignInPlace(*p.v, v);
}

// ---------------------------------------------------------------- values

Value Interpreter::eval(Expr *e) {
  if (e->value) return fromConst(e->value, e->type);
  switch (e->kind) {
  case ExprKind::Name:
    if (e->symbol->kind == SymKind::Procedure) return procValue(e->symbol);
    return read(lookupVar(e->symbol, e->range));
  case ExprKind::Field: {
    auto *f = llvm::cast<FieldExpr>(e);
    if (f->base->cls == ExprClass::Interface) {
      if (e->symbol->kind == SymKind::Procedure) return procValue(e->symbol);
      return read(lookupVar(e->symbol, e->range));
    }
    if (e->cls == ExprClass::Designator) return read(place(e));
    Value b = eval(f->base);
    return b.elems[fieldIndex(f->base->type, f->name.text)];
  }
  case ExprKind::Deref: return read(place(e));
  case ExprKind::Index: {
    if (e->cls == ExprClass::Designator) return read(place(e));
    auto *x = llvm::cast<IndexExpr>(e);
    Value b = eval(x->base);
    int64_t i = eval(x->index).i;
    return element(b, x->base->type, i, 0, b.elems.size(), x->index->range);
  }
  case ExprKind::Unary: return evalUnary(llvm::cast<UnaryExpr>(e));
  case ExprKind::Binary: return evalBinary(llvm::cast<BinaryExpr>(e));
  case ExprKind::Call: return evalCall(llvm::cast<CallExpr>(e));
  case ExprKind::Constructor: return evalConstructor(llvm::cast<ConstructorExpr>(e));
  default: break;
  }
  throw Unsupported{"expression of this form", e->range.begin};
}

Value Interpreter::evalUnary(UnaryExpr *e) {
  Value v = eval(e->operand);
  switch (e->op) {
  case UnaryOp::Not: v.i = !v.i; return v;
  case UnaryOp::Neg:
    if (v.i == kMinInt) trap("integer overflow", e->opRange);
    v.i = -v.i;
    return v;
  case UnaryOp::Pos: return v;
  }
  return v;
}

Value Interpreter::setOp(BinaryOp op, const Value &a, const Value &b) {
  Value r = a;
  for (size_t k = 0; k < r.bits.size(); ++k) {
    switch (op) {
    case BinaryOp::Add: r.bits[k] |= b.bits[k]; break;
    case BinaryOp::Sub: r.bits[k] &= ~b.bits[k]; break;
    case BinaryOp::Mul: r.bits[k] &= b.bits[k]; break;
    default: r.bits[k] ^= b.bits[k]; break;  // Slash
    }
  }
  return r;
}

namespace {
bool subset(const Value &a, const Value &b) {
  for (size_t k = 0; k < a.bits.size(); ++k)
    if (a.bits[k] & ~b.bits[k]) return false;
  return true;
}
}  // namespace

Value Interpreter::evalBinary(BinaryExpr *e) {
  switch (e->op) {
  case BinaryOp::Or: {
    if (eval(e->lhs).i) return Value::integer(1);
    return Value::integer(eval(e->rhs).i ? 1 : 0);
  }
  case BinaryOp::And: {
    if (!eval(e->lhs).i) return Value::integer(0);
    return Value::integer(eval(e->rhs).i ? 1 : 0);
  }
  default: break;
  }
  Value a = eval(e->lhs);
  Value b = eval(e->rhs);
  bool sets = a.kind == Value::Kind::Set;
  switch (e->op) {
  case BinaryOp::Eq: return Value::integer(equalValues(a, b));
  case BinaryOp::Ne: return Value::integer(!equalValues(a, b));
  case BinaryOp::Lt: return Value::integer(sets ? subset(a, b) && a.bits != b.bits : a.i < b.i);
  case BinaryOp::Le: return Value::integer(sets ? subset(a, b) : a.i <= b.i);
  case BinaryOp::Gt: return Value::integer(sets ? subset(b, a) && a.bits != b.bits : a.i > b.i);
  case BinaryOp::Ge: return Value::integer(sets ? subset(b, a) : a.i >= b.i);
  case BinaryOp::In: {
    // Not a member when outside the set's element range (REFERENCE is silent; Modula-3 makes it FALSE).
    int64_t lo, hi;
    ordinalBounds(llvm::cast<SetType>(stripPacked(e->rhs->type))->element, lo, hi);
    if (a.i < lo || a.i > hi) return Value::integer(0);
    return Value::integer(testBit(b, static_cast<uint64_t>(a.i - lo)));
  }
  case BinaryOp::Add: case BinaryOp::Sub: case BinaryOp::Mul: case BinaryOp::Slash: {
    if (sets) return setOp(e->op, a, b);
    int64_t r = 0;
    bool overflow = e->op == BinaryOp::Add   ? __builtin_add_overflow(a.i, b.i, &r)
                    : e->op == BinaryOp::Sub ? __builtin_sub_overflow(a.i, b.i, &r)
                                             : __builtin_mul_overflow(a.i, b.i, &r);
    if (overflow) trap("integer overflow", e->opRange);
    return Value::integer(r);
  }
  case BinaryOp::Div: case BinaryOp::Mod: {
    if (b.i == 0) trap("division by zero", e->opRange);
    if (a.i == kMinInt && b.i == -1) {
      if (e->op == BinaryOp::Div) trap("integer overflow", e->opRange);
      return Value::integer(0);
    }
    int64_t q = a.i / b.i, m = a.i % b.i;
    if (m != 0 && ((m < 0) != (b.i < 0))) --q, m += b.i;  // round toward minus infinity
    return Value::integer(e->op == BinaryOp::Div ? q : m);
  }
  default: break;
  }
  throw Unsupported{std::string("operator ") + spelling(e->op) + " at run time", e->opRange.begin};
}

Value Interpreter::evalConstructor(ConstructorExpr *e) {
  const Type *t = stripPacked(e->type);
  if (auto *s = llvm::dyn_cast<SetType>(t)) {
    Value v = zero(t);
    int64_t lo, hi;
    ordinalBounds(s->element, lo, hi);
    for (ConsElem &el : e->elems) {
      int64_t a = eval(el.value).i;
      if (el.kind != ConsElem::Kind::Range) {
        checkRange(a, s->element, el.value->range);
        setBit(v, static_cast<uint64_t>(a - lo));
        continue;
      }
      int64_t b = eval(el.high).i;
      if (a > b) continue;  // an empty range adds nothing and is not checked
      checkRange(a, s->element, el.value->range);
      checkRange(b, s->element, el.high->range);
      for (int64_t k = a;; ++k) {
        setBit(v, static_cast<uint64_t>(k - lo));
        if (k == b) break;
      }
    }
    return v;
  }
  Value v;
  v.kind = Value::Kind::Agg;
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    // Elements left to right as written (spinec evaluates named ones in field order).
    std::vector<bool> given(r->fields.size(), false);
    v.elems.resize(r->fields.size());
    size_t next = 0;
    for (ConsElem &el : e->elems) {
      size_t k = el.kind == ConsElem::Kind::Named ? fieldIndex(r, el.name.text) : next++;
      Value x = eval(el.value);
      checkStorable(x, r->fields[k].type, el.value->range);
      v.elems[k] = std::move(x);
      given[k] = true;
    }
    for (size_t k = 0; k < r->fields.size(); ++k)
      if (!given[k]) v.elems[k] = r->fields[k].dflt ? fromConst(r->fields[k].dflt, r->fields[k].type)
                                                    : zero(r->fields[k].type);
    return v;
  }
  const Type *elem = elementOf(t);
  for (ConsElem &el : e->elems) {
    if (el.kind == ConsElem::Kind::Repeat) continue;
    Value x = eval(el.value);
    checkStorable(x, elem, el.value->range);
    v.elems.push_back(std::move(x));
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) {
    int64_t lo, hi;
    ordinalBounds(a->index, lo, hi);
    size_t n = hi >= lo ? static_cast<size_t>(hi - lo) + 1 : 0;
    // The repeated element was evaluated once; its value fills the rest.
    while (v.elems.size() < n) v.elems.push_back(v.elems.back());
  }
  return v;
}

}  // namespace spx::interp
