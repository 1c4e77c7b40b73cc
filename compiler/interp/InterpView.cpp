// VIEW(bytes, T) (REFERENCE §8.5): a designator for the first BYTESIZE(T) bytes of `bytes` seen as a T laid out
// as §4.7 says (Sema's fieldOffsets/elementStride/layoutOf: the language exposes the layout here). Reads decode
// from the bytes, writes encode into them, so aliases of the bytes see every change.
#include "interp/Interp.h"

namespace spx::interp {

namespace {
// The number of bits an ordinal of type `t` takes where it is stored.
unsigned storedBits(const Type *t) {
  if (auto *p = llvm::dyn_cast<PackedType>(t)) return p->bits;
  return static_cast<unsigned>(layoutOf(t).size);
}
bool netOrder(const Type *t) {
  auto *p = llvm::dyn_cast<PackedType>(t);
  return p && p->netOrder;
}
uint8_t byteAt(const Place &p, uint64_t k) { return static_cast<uint8_t>(p.v->elems[p.off + k].i & 0xFF); }
void setByte(const Place &p, uint64_t k, uint8_t b) {
  p.v->elems[p.off + k].i = p.signedBytes ? static_cast<int8_t>(b) : b;
}
}  // namespace

Place Interpreter::viewPlace(CallExpr *e) {
  Expr *bytes = e->args[0].value;
  Place bp;
  if (bytes->cls == ExprClass::Designator) {
    bp = place(bytes);
    if (bp.viewType) throw Unsupported{"VIEW of bytes inside a VIEW", e->range.begin};
  } else {
    bp.keep = std::make_shared<Value>(eval(bytes));
    bp.v = bp.keep.get();
  }
  size_t have = bp.slice ? bp.len : bp.v->elems.size();
  const Type *t = e->args[1].value->type;
  uint64_t need = (bitSize(t) + 7) / 8;
  if (need > have) trap("VIEW beyond the data", e->range);
  int64_t lo, hi;
  ordinalBounds(elementOf(stripPacked(bytes->type)), lo, hi);
  Place p;
  p.v = bp.v;
  p.keep = bp.keep;
  p.off = bp.slice ? bp.off : 0;
  p.len = have;
  p.viewType = t;
  p.signedBytes = lo < 0;
  return p;
}

Place Interpreter::viewField(const Place &p, std::string_view field) {
  auto *r = llvm::cast<RecordType>(stripPacked(p.viewType));
  size_t idx = fieldIndex(r, field);
  Place q = p;
  q.viewType = r->fields[idx].type;
  q.bitOff = p.bitOff + fieldOffsets(r)[idx];
  return q;
}

Place Interpreter::viewElement(const Place &p, int64_t index, SourceRange at) {
  auto *a = llvm::cast<ArrayType>(stripPacked(p.viewType));
  int64_t lo, hi;
  ordinalBounds(a->index, lo, hi);
  if (index < lo || index > hi) trap("range", at);
  Place q = p;
  q.viewType = a->element;
  q.bitOff = p.bitOff + static_cast<uint64_t>(index - lo) * elementStride(a->element);
  return q;
}

Value Interpreter::viewRead(const Place &p, const Type *t, uint64_t bitOff) {
  const Type *st = stripPacked(t);
  if (auto *r = llvm::dyn_cast<RecordType>(st)) {
    Value v;
    v.kind = Value::Kind::Agg;
    std::vector<uint64_t> offs = fieldOffsets(r);
    for (size_t k = 0; k < r->fields.size(); ++k) v.elems.push_back(viewRead(p, r->fields[k].type, bitOff + offs[k]));
    return v;
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(st)) {
    Value v;
    v.kind = Value::Kind::Agg;
    int64_t lo, hi;
    ordinalBounds(a->index, lo, hi);
    uint64_t stride = elementStride(a->element);
    for (int64_t k = 0; lo <= hi && k <= hi - lo; ++k)
      v.elems.push_back(viewRead(p, a->element, bitOff + static_cast<uint64_t>(k) * stride));
    return v;
  }
  unsigned n = storedBits(t);
  uint64_t bits = 0;
  if (n < 8) {  // within one byte, from the most significant bit down
    bits = (byteAt(p, bitOff / 8) >> (8 - bitOff % 8 - n)) & ((1u << n) - 1);
  } else {
    unsigned bytes = n / 8;
    for (unsigned k = 0; k < bytes; ++k) {
      uint64_t b = byteAt(p, bitOff / 8 + k);
      bits |= netOrder(t) ? b << (8 * (bytes - 1 - k)) : b << (8 * k);
    }
  }
  int64_t lo, hi;
  ordinalBounds(st, lo, hi);
  if (lo < 0 && n < 64 && (bits >> (n - 1)) & 1) bits |= ~uint64_t{0} << n;  // two's complement
  return Value::integer(static_cast<int64_t>(bits));
}

void Interpreter::viewWrite(const Place &p, const Type *t, uint64_t bitOff, const Value &v) {
  const Type *st = stripPacked(t);
  if (auto *r = llvm::dyn_cast<RecordType>(st)) {
    std::vector<uint64_t> offs = fieldOffsets(r);
    for (size_t k = 0; k < r->fields.size(); ++k) viewWrite(p, r->fields[k].type, bitOff + offs[k], v.elems[k]);
    return;
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(st)) {
    uint64_t stride = elementStride(a->element);
    for (size_t k = 0; k < v.elems.size(); ++k) viewWrite(p, a->element, bitOff + k * stride, v.elems[k]);
    return;
  }
  unsigned n = storedBits(t);
  uint64_t bits = static_cast<uint64_t>(v.i);
  if (n < 8) {
    unsigned shift = 8 - bitOff % 8 - n;
    uint8_t mask = static_cast<uint8_t>(((1u << n) - 1) << shift);
    uint8_t old = byteAt(p, bitOff / 8);
    setByte(p, bitOff / 8, static_cast<uint8_t>((old & ~mask) | ((bits << shift) & mask)));
    return;
  }
  unsigned bytes = n / 8;
  for (unsigned k = 0; k < bytes; ++k) {
    unsigned shift = netOrder(t) ? 8 * (bytes - 1 - k) : 8 * k;
    setByte(p, bitOff / 8 + k, static_cast<uint8_t>(bits >> shift));
  }
}

}  // namespace spx::interp
