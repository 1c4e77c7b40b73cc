// The predeclared procedures that are not folded to constants (ABS .. VIEW), and the Word interface, which
// is compiled inline (as Modula-3 compilers do) into unsigned machine operations.
#include "codegen/detail/CG.h"

#include "spine/abi.h"

#include <llvm/IR/Intrinsics.h>

namespace spx::cg {

namespace {
RValue val(llvm::Value *v) { return RValue{v, nullptr, nullptr, {}}; }
}  // namespace

bool CodeGen::isWordCall(CallExpr *e, std::string &name) {
  Symbol *s = e->callee->symbol;
  if (!s || s->kind != SymKind::Procedure || !s->unit || !s->unit->isInterface() || s->unit->name.text != "Word") return false;
  name = std::string(s->name.text);
  return true;
}

RValue CodeGen::emitWord(CallExpr *e, const std::string &n) {
  std::vector<llvm::Value *> a;
  for (Expr *x : e->boundArgs) a.push_back(emitOrdinal(x));
  auto boolv = [&](llvm::Value *c) { return val(b->CreateZExt(c, i64Ty)); };
  auto bitRange = [&](llvm::Value *v, int64_t lo, int64_t hi, Expr *where) { checkRange(v, lo, hi, where->range); };
  if (n == "Plus") return val(b->CreateAdd(a[0], a[1]));
  if (n == "Times") return val(b->CreateMul(a[0], a[1]));
  if (n == "Minus") return val(b->CreateSub(a[0], a[1]));
  if (n == "Divide" || n == "Mod") {
    trapIf(b->CreateICmpEQ(a[1], i64(0)), SPX_TRAP_DIV_ZERO, e->boundArgs[1]->range);
    return val(n == "Divide" ? b->CreateUDiv(a[0], a[1]) : b->CreateURem(a[0], a[1]));
  }
  if (n == "LT") return boolv(b->CreateICmpULT(a[0], a[1]));
  if (n == "LE") return boolv(b->CreateICmpULE(a[0], a[1]));
  if (n == "GT") return boolv(b->CreateICmpUGT(a[0], a[1]));
  if (n == "GE") return boolv(b->CreateICmpUGE(a[0], a[1]));
  if (n == "And") return val(b->CreateAnd(a[0], a[1]));
  if (n == "Or") return val(b->CreateOr(a[0], a[1]));
  if (n == "Xor") return val(b->CreateXor(a[0], a[1]));
  if (n == "Not") return val(b->CreateNot(a[0]));
  if (n == "Shift") {
    // Shift(x, n): left for n > 0, right for n < 0, 0 once |n| >= 64.
    llvm::Value *neg = b->CreateICmpSLT(a[1], i64(0));
    llvm::Value *mag = b->CreateSelect(neg, b->CreateSub(i64(0), a[1]), a[1]);
    llvm::Value *big = b->CreateICmpUGE(mag, i64(64));
    llvm::Value *safe = b->CreateSelect(big, i64(0), mag);
    llvm::Value *r = b->CreateSelect(neg, b->CreateLShr(a[0], safe), b->CreateShl(a[0], safe));
    return val(b->CreateSelect(big, i64(0), r));
  }
  if (n == "Rotate") return val(b->CreateIntrinsic(llvm::Intrinsic::fshl, {i64Ty}, {a[0], a[0], b->CreateAnd(a[1], i64(63))}));
  if (n == "LeftShift" || n == "RightShift" || n == "LeftRotate" || n == "RightRotate") {
    bitRange(a[1], 0, 63, e->boundArgs[1]);
    if (n == "LeftShift") return val(b->CreateShl(a[0], a[1]));
    if (n == "RightShift") return val(b->CreateLShr(a[0], a[1]));
    auto id = n == "LeftRotate" ? llvm::Intrinsic::fshl : llvm::Intrinsic::fshr;
    return val(b->CreateIntrinsic(id, {i64Ty}, {a[0], a[0], a[1]}));
  }
  if (n == "Extract" || n == "Insert") {
    llvm::Value *i = a[n == "Extract" ? 1 : 2], *w = a[n == "Extract" ? 2 : 3];
    Expr *wi = e->boundArgs[n == "Extract" ? 2 : 3];
    bitRange(i, 0, 64, e->boundArgs[n == "Extract" ? 1 : 2]);
    bitRange(w, 0, 64, wi);
    trapIf(b->CreateICmpSGT(w, b->CreateSub(i64(64), i)), SPX_TRAP_RANGE, wi->range);
    // mask = w bits, computed without a shift by 64.
    llvm::Value *mask = b->CreateSelect(b->CreateICmpEQ(w, i64(64)), i64(-1),
                                        b->CreateSub(b->CreateShl(i64(1), b->CreateAnd(w, i64(63))), i64(1)));
    llvm::Value *si = b->CreateAnd(i, i64(63));
    llvm::Value *i64case = b->CreateICmpEQ(i, i64(64));
    if (n == "Extract") return val(b->CreateSelect(i64case, i64(0), b->CreateAnd(b->CreateLShr(a[0], si), mask)));
    llvm::Value *m = b->CreateShl(mask, si);
    llvm::Value *r = b->CreateOr(b->CreateAnd(a[0], b->CreateNot(m)), b->CreateAnd(b->CreateShl(a[1], si), m));
    return val(b->CreateSelect(i64case, a[0], r));
  }
  // Any other Word procedure is a call like any other.
  return emitCall(e);
}

LValue CodeGen::emitSubarray(CallExpr *e) {
  LValue arr = emitLValue(e->args[0].value);
  RValue ov = asOpenArray(RValue{nullptr, nullptr, arr.ptr, arr.lens}, arr.type);
  llvm::Value *from = emitOrdinal(e->args[1].value);
  llvm::Value *len = emitOrdinal(e->args[2].value);
  llvm::Value *n = ov.lens.empty() ? i64(0) : ov.lens[0];
  // 0 <= from, 0 <= len, from + len <= n, without overflow: from <= n and len <= n - from (unsigned).
  llvm::Value *bad = b->CreateOr(b->CreateICmpUGT(from, n), b->CreateICmpUGT(len, b->CreateSub(n, from)));
  trapIf(bad, SPX_TRAP_RANGE, e->range);
  const Type *el = elementOf(stripPacked(arr.type));
  std::vector<llvm::Value *> rest(ov.lens.begin() + (ov.lens.empty() ? 0 : 1), ov.lens.end());
  llvm::Value *elemBytes;
  if (rep(el) == Rep::OpenArray) {
    elemBytes = totalBytes(el, rest);
  } else {
    // A fixed element (an inner fixed array too: its lengths in `rest` are already in its size). Sema refuses
    // SUBARRAY of elements narrower than a byte, so the subarray starts on a byte.
    elemBytes = i64(int64_t(elementStride(el) / 8));
  }
  LValue r{bytePtr(arr.ptr, b->CreateMul(from, elemBytes)), nullptr, e->type, {len}};
  r.lens.insert(r.lens.end(), rest.begin(), rest.end());
  return r;
}

LValue CodeGen::emitView(CallExpr *e) {
  LValue bytes = emitLValue(e->args[0].value);
  RValue ov = asOpenArray(RValue{nullptr, nullptr, bytes.ptr, bytes.lens}, bytes.type);
  const Type *t = e->type;
  llvm::Value *n = ov.lens.empty() ? i64(0) : ov.lens[0];
  trapIf(b->CreateICmpULT(n, i64(int64_t(byteSize(t)))), SPX_TRAP_VIEW, e->range);
  return LValue{bytes.ptr, nullptr, t, {}};
}

void CodeGen::emitIncDec(CallExpr *e, bool inc) {
  Expr *v = e->args[0].value;
  LValue lv = emitLValue(v);
  llvm::Value *old = loadOrdinal(lv);
  llvm::Value *by = e->args.size() > 1 ? emitOrdinal(e->args[1].value) : i64(1);
  llvm::Value *nv = checkedArith(inc ? llvm::Intrinsic::sadd_with_overflow : llvm::Intrinsic::ssub_with_overflow, old, by, e->range);
  int64_t lo, hi;
  ordinalBounds(lv.type, lo, hi);
  checkRange(nv, lo, hi, e->range);
  storeOrdinal(lv, nv);
}

RValue CodeGen::emitBuiltin(CallExpr *e) {
  setLocation(e->range);
  auto arg = [&](size_t k) { return e->args[k].value; };
  switch (e->builtin) {
  case Builtin::Abs: {
    llvm::Value *x = emitOrdinal(arg(0));
    trapIf(b->CreateICmpEQ(x, i64(INT64_MIN)), SPX_TRAP_OVERFLOW, e->range);
    return val(b->CreateSelect(b->CreateICmpSLT(x, i64(0)), b->CreateSub(i64(0), x), x));
  }
  case Builtin::Min: case Builtin::Max: {
    llvm::Value *x = emitOrdinal(arg(0)), *y = emitOrdinal(arg(1));
    llvm::Value *lt = b->CreateICmpSLT(x, y);
    return val(e->builtin == Builtin::Min ? b->CreateSelect(lt, x, y) : b->CreateSelect(lt, y, x));
  }
  case Builtin::First: case Builtin::Last: case Builtin::Number: {
    // Only open arrays are left for run time.
    LValue lv = emitLValue(arg(0));
    RValue ov = asOpenArray(RValue{nullptr, nullptr, lv.ptr, lv.lens}, lv.type);
    llvm::Value *n = ov.lens.empty() ? i64(0) : ov.lens[0];
    if (e->builtin == Builtin::Number) return val(n);
    return val(e->builtin == Builtin::First ? i64(0) : b->CreateSub(n, i64(1)));
  }
  case Builtin::Ord: return val(emitOrdinal(arg(0)));
  case Builtin::Val: {
    llvm::Value *x = emitOrdinal(arg(0));
    int64_t lo, hi;
    ordinalBounds(e->type, lo, hi);
    checkRange(x, lo, hi, arg(0)->range);
    return val(x);
  }
  case Builtin::BitSize: case Builtin::ByteSize: case Builtin::AdrSize: {
    LValue lv = emitLValue(arg(0));
    llvm::Value *bytes = totalBytes(lv.type, lv.lens);
    if (e->builtin != Builtin::BitSize) return val(bytes);
    // A one-dimensional open array of packed elements holds exactly its elements' bits, as a fixed array does
    // (BITSIZE(ARRAY [0..4] OF BITS 4 FOR ...) = 20); rows of more dimensions start on a byte.
    unsigned dims;
    const Type *inner = innermostElement(lv.type, dims);
    if (lv.lens.size() == 1) return val(b->CreateMul(lv.lens[0], i64(int64_t(elementStride(inner)))));
    return val(b->CreateMul(bytes, i64(8)));
  }
  case Builtin::New: {
    auto *rt = llvm::cast<RefType>(stripPacked(arg(0)->type));
    const Type *target = rt->target;
    std::vector<llvm::Value *> lens;
    llvm::Value *size, *data;
    uint32_t where = site(e->range);
    if (rep(target) == Rep::OpenArray) {
      for (size_t k = 1; k < e->args.size(); ++k) {
        llvm::Value *n = emitOrdinal(arg(k));
        trapIf(b->CreateICmpSLT(n, i64(0)), SPX_TRAP_RANGE, arg(k)->range);
        lens.push_back(n);
      }
      uint64_t header = (8 * lens.size() + 15) / 16 * 16;
      // The size in bytes, with every product checked: a size that wraps would allocate too little (the
      // runtime traps sizes beyond the quota; this traps those beyond 2^64 the same way).
      unsigned dims;
      const Type *inner = innermostElement(target, dims);
      uint64_t strideBits = elementStride(inner);
      llvm::Value *count = i64(1);
      auto mulChecked = [&](llvm::Value *x, llvm::Value *y) {
        llvm::Value *r = b->CreateBinaryIntrinsic(llvm::Intrinsic::umul_with_overflow, x, y);
        trapIf(b->CreateExtractValue(r, 1), SPX_TRAP_HEAP, e->range);
        return b->CreateExtractValue(r, 0);
      };
      for (llvm::Value *n : lens) count = mulChecked(count, n);
      llvm::Value *bits = mulChecked(count, i64(int64_t(strideBits)));
      trapIf(b->CreateICmpUGT(bits, i64(INT64_MAX - 1024)), SPX_TRAP_HEAP, e->range);
      size = b->CreateAdd(b->CreateLShr(b->CreateAdd(bits, i64(7)), i64(3)), i64(int64_t(header)));
      chargeBytes(size);  // the runtime zeroes it
      llvm::Value *p = b->CreateCall(newFn, {size, b->getInt32(where)});
      for (size_t k = 0; k < lens.size(); ++k) b->CreateStore(lens[k], bytePtr(p, 8 * k));
      data = bytePtr(p, header);
      initElements(data, inner, count);
      return val(p);
    }
    size = i64(int64_t(std::max<uint64_t>(byteSize(target), 1)));
    chargeBytes(size);  // the runtime zeroes it
    llvm::Value *p = b->CreateCall(newFn, {size, b->getInt32(where)});
    initDefaults(p, target);
    if (auto *rec = llvm::dyn_cast<RecordType>(stripPacked(target))) {
      const std::vector<uint64_t> &offs = fieldBitOffsets(rec);
      for (size_t k = 1; k < e->args.size(); ++k)
        if (const RecordField *f = rec->field(e->args[k].name.text))
          assignInto(fieldLValue(p, offs[size_t(f - rec->fields.data())], f->type), arg(k), arg(k)->range);
    }
    return val(p);
  }
  case Builtin::Subarray: case Builtin::View: return loadValue(emitLValue(e));
  default: return RValue{};
  }
}

}  // namespace spx::cg
