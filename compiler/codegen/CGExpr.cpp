// Expressions: constants, names, designators (fields, elements, dereferences), operators and constructors.
#include "codegen/detail/CG.h"

#include "spine/abi.h"

#include <llvm/IR/Intrinsics.h>

namespace spx::cg {

namespace {
bool isVarSymbol(const Symbol *s) {
  return s && (s->kind == SymKind::Var || s->kind == SymKind::Param || s->kind == SymKind::ForVar ||
               s->kind == SymKind::WithVar || s->kind == SymKind::HandlerVar);
}
}  // namespace

// ---------------------------------------------------------------- variables

llvm::Value *CodeGen::bindVar(Symbol *sym, VarInfo vi) {
  vi.owner = cur;
  uint64_t size = 8, align = 8;
  switch (vi.kind) {
  case VarInfo::Kind::Direct:
    if (rep(vi.type) == Rep::Memory) size = byteSize(vi.type), align = std::max<uint64_t>(byteAlign(vi.type), 8);
    if (rep(vi.type) == Rep::Proc) size = 16;  // parameters and WITH values may hold a nested procedure
    break;
  case VarInfo::Kind::ByRef: size = 16; break;
  case VarInfo::Kind::OpenArray: size = 8 * (1 + vi.dims); break;
  }
  if (cur && cur->hasNested) {
    cur->frameSize = (cur->frameSize + int64_t(align) - 1) / int64_t(align) * int64_t(align);
    vi.frameOffset = cur->frameSize;
    cur->frameSize += int64_t(std::max<uint64_t>(size, 1));
  } else {
    vi.storage = tempBytes(size, align, std::string(sym ? sym->name.text : "v").c_str());
  }
  vars[sym] = vi;
  return slotOf(vi);
}

// Where a variable's slot is: its own storage, or its owner's frame reached through the static links.
llvm::Value *CodeGen::slotOf(const VarInfo &vi) {
  return vi.frameOffset >= 0 ? bytePtr(frameOf(vi.owner), uint64_t(vi.frameOffset)) : vi.storage;
}

llvm::Value *CodeGen::frameOf(ProcInfo *owner) {
  if (owner == cur) return cur->frame;
  llvm::Value *p = cur->env;
  for (ProcInfo *y = cur->parent; y && y != owner; y = y->parent) p = b->CreateLoad(ptrTy, p);
  return p;
}

// An ordinal local may live in a 64-bit slot ("wide", cheaper than its own layout) only if reading or writing
// its own layout at the slot's address, as a VAR parameter or WITH alias does, sees the same value (invariant
// I2 of docs/safety.md): on a little-endian target, a non-negative value in whole bytes is the low bytes of the
// i64. Packed types narrower than whole bytes start at the first byte's high bits, NETORDER ones are
// big-endian, and signed narrow ones sign-extend: they keep their own layout in the slot.
bool CodeGen::wideLocal(const Type *t) {
  if (auto *p = llvm::dyn_cast<PackedType>(t); p && (p->netOrder || p->bits % 8 != 0)) return false;
  if (!mod->getDataLayout().isLittleEndian()) return false;
  int64_t lo, hi;
  ordinalBounds(t, lo, hi);
  return lo >= 0 || layoutOf(t).size == 64;
}

LValue CodeGen::varLValue(Symbol *sym) {
  auto it = vars.find(sym);
  if (it == vars.end()) {
    globalVar(sym);
    it = vars.find(sym);
  }
  const VarInfo &vi = it->second;
  llvm::Value *slot = slotOf(vi);
  LValue lv;
  lv.type = vi.type;
  switch (vi.kind) {
  case VarInfo::Kind::Direct:
    lv.ptr = slot;
    // Ordinal locals live in 64 bits, except signed ones narrower than that: a VAR parameter or WITH alias
    // writes only the type's own bytes, which keeps a zero-extended value right but not a sign-extended one.
    lv.wide = (vi.owner != nullptr || !vi.storage || !llvm::isa<llvm::GlobalVariable>(vi.storage)) &&
              rep(vi.type) == Rep::Ordinal && wideLocal(vi.type);
    break;
  case VarInfo::Kind::ByRef:
    lv.ptr = b->CreateLoad(ptrTy, slot);
    if (llvm::isa<PackedType>(vi.type)) lv.bit = b->CreateLoad(i8Ty, bytePtr(slot, 8));
    break;
  case VarInfo::Kind::OpenArray:
    lv.ptr = b->CreateLoad(ptrTy, slot);
    for (unsigned k = 0; k < vi.dims; ++k) lv.lens.push_back(b->CreateLoad(i64Ty, bytePtr(slot, 8 * (k + 1))));
    break;
  }
  return lv;
}

// ---------------------------------------------------------------- constants

llvm::Constant *CodeGen::textConstant(const std::string &s) {
  auto it = texts.find(s);
  if (it != texts.end()) return it->second;
  auto *arr = llvm::ConstantDataArray::getString(ctx, s, true);
  auto *ty = llvm::StructType::get(ctx, {i64Ty, arr->getType()});
  auto *init = llvm::ConstantStruct::get(ty, {b->getInt64(s.size()), arr});
  auto *g = new llvm::GlobalVariable(*mod, ty, true, llvm::GlobalValue::PrivateLinkage, init, "text");
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  g->setAlignment(llvm::Align(8));
  texts[s] = g;
  return g;
}

namespace {
void putBits(std::vector<uint8_t> &bytes, uint64_t bitOffset, unsigned bits, uint64_t v, bool bigEndian, bool packed) {
  if (packed && bits < 8) {
    unsigned shift = 8 - unsigned(bitOffset % 8) - bits;
    bytes[bitOffset / 8] = uint8_t((bytes[bitOffset / 8] & ~(((1u << bits) - 1) << shift)) | ((v & ((1u << bits) - 1)) << shift));
    return;
  }
  unsigned n = bits / 8;
  for (unsigned k = 0; k < n; ++k) {
    unsigned byteIdx = bigEndian ? n - 1 - k : k;
    bytes[bitOffset / 8 + byteIdx] = uint8_t(v >> (8 * k));
  }
}
}  // namespace

// Lays out a constant of plain-data type `t` at `bitOffset` of `bytes`. Returns null when `t` holds pointers.
llvm::Constant *CodeGen::constBytes(const ConstValue *cv, const Type *t, std::vector<uint8_t> &bytes, uint64_t bitOffset) {
  const Type *s = stripPacked(t);
  auto *p = llvm::dyn_cast<PackedType>(t);
  llvm::Constant *ok = b->getTrue();
  switch (cv->kind) {
  case ConstValue::Kind::Int: {
    unsigned bits = p ? p->bits : unsigned(layoutOf(s).size);
    putBits(bytes, bitOffset, bits, uint64_t(cv->i), p && p->netOrder, p != nullptr);
    return ok;
  }
  case ConstValue::Kind::Set: {
    int64_t lo, hi;
    ordinalBounds(llvm::cast<SetType>(s)->element, lo, hi);
    for (int64_t m : cv->members) {
      uint64_t bit = uint64_t(m - lo);
      bytes[bitOffset / 8 + bit / 8] |= uint8_t(1u << (bit % 8));
    }
    return ok;
  }
  case ConstValue::Kind::Aggregate:
    if (auto *r = llvm::dyn_cast<RecordType>(s)) {
      const std::vector<uint64_t> &offs = fieldBitOffsets(r);
      for (size_t k = 0; k < r->fields.size() && k < cv->elems.size(); ++k)
        if (!constBytes(cv->elems[k], r->fields[k].type, bytes, bitOffset + offs[k])) return nullptr;
      return ok;
    } else {
      const Type *el = elementOf(s);
      uint64_t stride = elementStride(el);
      for (uint64_t k = 0; k < elementCount(*cv); ++k)
        if (!constBytes(elementAt(*cv, k), el, bytes, bitOffset + k * stride)) return nullptr;
      return ok;
    }
  default: return nullptr;
  }
}

RValue CodeGen::emitConst(const ConstValue *cv, const Type *t) {
  RValue r;
  switch (cv->kind) {
  case ConstValue::Kind::Int: r.v = i64(cv->i); return r;
  case ConstValue::Kind::Text: r.v = textConstant(cv->text); return r;
  case ConstValue::Kind::Nil:
    r.v = nullPtr();
    r.env = r.v;
    return r;
  case ConstValue::Kind::Proc:
    r.v = procValueFunction(cv->proc);
    r.env = nullPtr();
    return r;
  case ConstValue::Kind::Set: case ConstValue::Kind::Aggregate: {
    uint64_t size = byteSize(t);
    if (auto *oa = llvm::dyn_cast<OpenArrayType>(stripPacked(t))) {
      // An open array constant has the length of its elements.
      size = (cv->elems.size() * elementStride(oa->element) + 7) / 8;
      r.lens.push_back(i64(int64_t(cv->elems.size())));
    }
    // A long repeat (A{x, ..} of a million elements) is built at run time by a loop, not kept as megabytes of
    // image.
    bool longRepeat = cv->repeatTo > cv->elems.size() && size > kMaxConstBytes;
    std::vector<uint8_t> bytes;
    if (!longRepeat) bytes.assign(std::max<uint64_t>(size, 1), 0);
    if (!longRepeat && constBytes(cv, t, bytes, 0)) {
      auto *init = llvm::ConstantDataArray::get(ctx, bytes);
      auto *g = new llvm::GlobalVariable(*mod, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, "const");
      g->setAlignment(llvm::Align(std::max<uint64_t>(byteAlign(t), 8)));
      g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
      r.addr = g;
      return r;
    }
    // Holds references (TEXT fields): built at run time.
    llvm::Value *tmp = tempBytes(size, std::max<uint64_t>(byteAlign(t), 8), "const");
    chargeBytes(size);
    b->CreateMemSet(tmp, b->getInt8(0), size, llvm::Align(8));
    const Type *s = stripPacked(t);
    if (auto *rec = llvm::dyn_cast<RecordType>(s)) {
      const std::vector<uint64_t> &offs = fieldBitOffsets(rec);
      for (size_t k = 0; k < rec->fields.size() && k < cv->elems.size(); ++k)
        storeValue(fieldLValue(tmp, offs[k], rec->fields[k].type), emitConst(cv->elems[k], rec->fields[k].type),
                   rec->fields[k].type, SourceRange());
    } else {
      const Type *el = elementOf(s);
      for (size_t k = 0; k < cv->elems.size(); ++k)
        storeValue(elementLValue(tmp, i64(int64_t(k)), el), emitConst(cv->elems[k], el), el, SourceRange());
      if (cv->repeatTo > cv->elems.size())
        repeatLastElement(tmp, el, int64_t(cv->elems.size()), int64_t(cv->repeatTo), SourceRange());
    }
    r.addr = tmp;
    return r;
  }
  }
  return r;
}

// ---------------------------------------------------------------- values

llvm::Value *CodeGen::emitOrdinal(Expr *e) { return emit(e).v; }

llvm::Value *CodeGen::emitCond(Expr *e) { return b->CreateICmpNE(emitOrdinal(e), i64(0)); }

llvm::Value *CodeGen::emitPointer(Expr *e) { return emit(e).v; }

RValue CodeGen::loadValue(const LValue &lv) {
  RValue r;
  switch (rep(lv.type)) {
  case Rep::Ordinal: r.v = loadOrdinal(lv); break;
  case Rep::Pointer: r.v = b->CreateAlignedLoad(ptrTy, lv.ptr, llvm::Align(8)); break;
  case Rep::Proc:
    r.v = b->CreateAlignedLoad(ptrTy, lv.ptr, llvm::Align(8));
    r.env = b->CreateAlignedLoad(ptrTy, bytePtr(lv.ptr, 8), llvm::Align(8));
    break;
  case Rep::Memory: r.addr = lv.ptr; break;
  case Rep::OpenArray: r.addr = lv.ptr; r.lens = lv.lens; break;
  case Rep::None: break;
  }
  return r;
}

// The lengths of an array value seen as an open array of `dims` dimensions.
RValue CodeGen::asOpenArray(const RValue &v, const Type *t) {
  RValue r = v;
  if (!r.lens.empty()) return r;
  const Type *s = stripPacked(t);
  while (auto *a = llvm::dyn_cast<ArrayType>(s)) {
    r.lens.push_back(i64(arrayLength(a)));
    s = stripPacked(a->element);
  }
  return r;
}

void CodeGen::storeValue(const LValue &lv, const RValue &v, const Type *from, SourceRange where) {
  switch (rep(lv.type)) {
  case Rep::Ordinal:
    checkAssignRange(v.v, from, lv.type, where);
    storeOrdinal(lv, v.v);
    return;
  case Rep::Pointer: b->CreateAlignedStore(v.v, lv.ptr, llvm::Align(8)); return;
  case Rep::Proc:
    // Only top-level procedures may be stored: a nested one would outlive its frame.
    // Memory holds {code, environment}; what an assignment stores always has no environment (invariant I3).
    if (v.env && !llvm::isa<llvm::ConstantPointerNull>(v.env)) trapIf(b->CreateIsNotNull(v.env), SPX_TRAP_NESTED_PROC, where);
    b->CreateAlignedStore(v.v, lv.ptr, llvm::Align(8));
    b->CreateAlignedStore(nullPtr(), bytePtr(lv.ptr, 8), llvm::Align(8));
    return;
  case Rep::Memory: {
    const Type *s = stripPacked(lv.type);
    if (llvm::isa<ArrayType>(s) && from && rep(from) == Rep::OpenArray) {
      RValue dst = asOpenArray(RValue{nullptr, nullptr, lv.ptr, {}}, lv.type);
      for (size_t k = 0; k < v.lens.size() && k < dst.lens.size(); ++k)
        trapIf(b->CreateICmpNE(v.lens[k], dst.lens[k]), SPX_TRAP_RANGE, where);
    }
    if (v.addr != lv.ptr) {
      chargeBytes(byteSize(lv.type));
      b->CreateMemMove(lv.ptr, llvm::Align(byteAlign(lv.type)), v.addr, llvm::Align(1), byteSize(lv.type));
    }
    return;
  }
  case Rep::OpenArray: {
    RValue src = from ? asOpenArray(v, from) : v;
    for (size_t k = 0; k < lv.lens.size() && k < src.lens.size(); ++k)
      trapIf(b->CreateICmpNE(src.lens[k], lv.lens[k]), SPX_TRAP_RANGE, where);
    llvm::Value *bytes = totalBytes(lv.type, lv.lens);
    chargeBytes(bytes);
    b->CreateMemMove(lv.ptr, llvm::Align(1), src.addr, llvm::Align(1), bytes);
    return;
  }
  case Rep::None: return;
  }
}

void CodeGen::assignInto(const LValue &dst, Expr *src, SourceRange where) {
  if (auto *c = llvm::dyn_cast<ConstructorExpr>(src); c && !c->value && rep(dst.type) == Rep::Memory) {
    // Build in a temporary first: the constructor may read the variable it is assigned to.
    RValue v = emitConstructor(c);
    storeValue(dst, v, src->type, where);
    return;
  }
  storeValue(dst, emit(src), src->type, where);
}

RValue CodeGen::emit(Expr *e) {
  if (e->value && e->cls != ExprClass::Designator) return emitConst(e->value, e->type);
  if (e->value && rep(e->type) != Rep::Memory) return emitConst(e->value, e->type);
  switch (e->kind) {
  case ExprKind::Name: case ExprKind::Field: {
    Symbol *s = e->symbol;
    if (s && s->kind == SymKind::Procedure) {
      RValue r;
      r.v = procValueFunction(s);
      auto it = procs.find(implOf.count(s) ? implOf[s] : s);
      r.env = it != procs.end() && it->second->parent ? envFor(it->second.get()) : nullPtr();
      return r;
    }
    if (s && s->kind == SymKind::Const && s->value) return emitConst(s->value, e->type);
    if (isVarSymbol(s) && e->kind == ExprKind::Name) {
      return loadValue(varLValue(s));
    }
    return loadValue(emitLValue(e));
  }
  case ExprKind::Index: case ExprKind::Deref: return loadValue(emitLValue(e));
  case ExprKind::Unary: {
    auto *u = llvm::cast<UnaryExpr>(e);
    if (u->op == UnaryOp::Not) return RValue{b->CreateXor(emitOrdinal(u->operand), i64(1)), nullptr, nullptr, {}};
    if (u->op == UnaryOp::Pos) return emit(u->operand);
    return RValue{checkedArith(llvm::Intrinsic::ssub_with_overflow, i64(0), emitOrdinal(u->operand), u->opRange),
                  nullptr, nullptr, {}};
  }
  case ExprKind::Binary: return emitBinary(llvm::cast<BinaryExpr>(e));
  case ExprKind::Call: {
    auto *c = llvm::cast<CallExpr>(e);
    if (c->builtin != Builtin::None) return emitBuiltin(c);
    std::string word;
    if (isWordCall(c, word)) return emitWord(c, word);
    if (e->type && rep(e->type) == Rep::Memory) {
      llvm::Value *ret = temp(e->type, "result");
      emitCall(c, ret);
      return RValue{nullptr, nullptr, ret, {}};
    }
    return emitCall(c);
  }
  case ExprKind::Constructor: return emitConstructor(llvm::cast<ConstructorExpr>(e));
  default: return RValue{};
  }
}

// ---------------------------------------------------------------- designators

LValue CodeGen::derefChecked(llvm::Value *ref, const Type *target, SourceRange where) {
  checkNil(ref, where);
  LValue lv{ref, nullptr, target, {}};
  if (rep(target) == Rep::OpenArray) {
    unsigned dims;
    innermostElement(target, dims);
    for (unsigned k = 0; k < dims; ++k) lv.lens.push_back(b->CreateLoad(i64Ty, bytePtr(ref, 8 * k)));
    lv.ptr = bytePtr(ref, (8 * dims + 15) / 16 * 16);
  }
  return lv;
}

LValue CodeGen::emitLValue(Expr *e) {
  switch (e->kind) {
  case ExprKind::Name:
    if (isVarSymbol(e->symbol)) return varLValue(e->symbol);
    break;
  case ExprKind::Field: {
    auto *f = llvm::cast<FieldExpr>(e);
    if (f->symbol && isVarSymbol(f->symbol)) return varLValue(f->symbol);
    if (f->value || !f->base->type) break;
    const RecordType *rec;
    llvm::Value *base;
    if (f->implicitDeref) {
      auto *ref = llvm::cast<RefType>(stripPacked(f->base->type));
      rec = llvm::cast<RecordType>(stripPacked(ref->target));
      base = emitPointer(f->base);
      checkNil(base, f->name.range);
    } else {
      rec = llvm::dyn_cast<RecordType>(stripPacked(f->base->type));
      if (!rec) break;
      base = emitLValue(f->base).ptr;
    }
    const RecordField *field = rec->field(f->name.text);
    return fieldLValue(base, fieldBitOffsets(rec)[size_t(field - rec->fields.data())], field->type);
  }
  case ExprKind::Index: {
    auto *x = llvm::cast<IndexExpr>(e);
    LValue arr;
    if (x->implicitDeref) {
      auto *ref = llvm::cast<RefType>(stripPacked(x->base->type));
      arr = derefChecked(emitPointer(x->base), ref->target, x->base->range);
    } else {
      arr = emitLValue(x->base);
    }
    const Type *at = stripPacked(arr.type);
    llvm::Value *idx = emitOrdinal(x->index);
    const Type *el = elementOf(at);
    std::vector<llvm::Value *> restLens;
    llvm::Value *pos;
    if (auto *fa = llvm::dyn_cast<ArrayType>(at)) {
      int64_t lo, hi, ilo, ihi;
      ordinalBounds(fa->index, lo, hi);
      ordinalBounds(x->index->type, ilo, ihi);
      pos = lo ? b->CreateSub(idx, i64(lo)) : idx;
      // Elided only when every value of the index's type is an index of the array (invariant I1).
      if (!mayElide() || ilo > ihi || ilo < lo || ihi > hi) checkIndex(pos, i64(arrayLength(fa)), x->index->range);
    } else {
      pos = idx;
      checkIndex(pos, arr.lens.empty() ? i64(0) : arr.lens[0], x->index->range);
      restLens.assign(arr.lens.begin() + (arr.lens.empty() ? 0 : 1), arr.lens.end());
    }
    if (rep(el) == Rep::OpenArray) {
      llvm::Value *elemBytes = totalBytes(el, restLens);
      return LValue{bytePtr(arr.ptr, b->CreateMul(pos, elemBytes)), nullptr, el, restLens};
    }
    return elementLValue(arr.ptr, pos, el);
  }
  case ExprKind::Deref: {
    auto *d = llvm::cast<DerefExpr>(e);
    auto *ref = llvm::cast<RefType>(stripPacked(d->operand->type));
    return derefChecked(emitPointer(d->operand), ref->target, d->range);
  }
  case ExprKind::Call: {
    auto *c = llvm::cast<CallExpr>(e);
    if (c->builtin == Builtin::Subarray) return emitSubarray(c);
    if (c->builtin == Builtin::View) return emitView(c);
    break;
  }
  default: break;
  }
  // Not a designator: the value in a temporary.
  RValue v = emit(e);
  switch (rep(e->type)) {
  case Rep::Memory: return LValue{v.addr, nullptr, e->type, {}};
  case Rep::OpenArray: return LValue{v.addr, nullptr, e->type, v.lens};
  default: {
    llvm::Value *tmp = temp(e->type);
    LValue lv{tmp, nullptr, stripPacked(e->type), {}};
    if (rep(e->type) == Rep::Ordinal) lv.type = types.integer();
    storeValue(lv, v, nullptr, e->range);
    lv.type = rep(e->type) == Rep::Ordinal ? types.integer() : e->type;
    return lv;
  }
  }
}

// ---------------------------------------------------------------- operators

namespace {
// Modula-3 DIV and MOD round towards minus infinity.
llvm::Value *floorDiv(llvm::IRBuilder<> &b, llvm::Value *a, llvm::Value *d) {
  llvm::Value *q = b.CreateSDiv(a, d);
  llvm::Value *r = b.CreateSRem(a, d);
  llvm::Value *adjust = b.CreateAnd(b.CreateICmpNE(r, b.getInt64(0)),
                                    b.CreateICmpNE(b.CreateICmpSLT(r, b.getInt64(0)), b.CreateICmpSLT(d, b.getInt64(0))));
  return b.CreateSub(q, b.CreateZExt(adjust, b.getInt64Ty()));
}
llvm::Value *floorMod(llvm::IRBuilder<> &b, llvm::Value *a, llvm::Value *d) {
  llvm::Value *r = b.CreateSRem(a, d);
  llvm::Value *adjust = b.CreateAnd(b.CreateICmpNE(r, b.getInt64(0)),
                                    b.CreateICmpNE(b.CreateICmpSLT(r, b.getInt64(0)), b.CreateICmpSLT(d, b.getInt64(0))));
  return b.CreateSelect(adjust, b.CreateAdd(r, d), r);
}
}  // namespace

RValue CodeGen::emitBinary(BinaryExpr *e) {
  auto val = [](llvm::Value *v) { return RValue{v, nullptr, nullptr, {}}; };
  auto boolv = [&](llvm::Value *c) { return val(b->CreateZExt(c, i64Ty)); };
  if (e->op == BinaryOp::And || e->op == BinaryOp::Or) {
    bool isAnd = e->op == BinaryOp::And;
    llvm::Value *l = emitCond(e->lhs);
    llvm::BasicBlock *lhsEnd = b->GetInsertBlock();
    llvm::BasicBlock *rhs = llvm::BasicBlock::Create(ctx, isAnd ? "and.rhs" : "or.rhs", curFn);
    llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, isAnd ? "and.end" : "or.end", curFn);
    if (isAnd) b->CreateCondBr(l, rhs, done);
    else b->CreateCondBr(l, done, rhs);
    b->SetInsertPoint(rhs);
    llvm::Value *r = emitCond(e->rhs);
    llvm::BasicBlock *rhsEnd = b->GetInsertBlock();
    b->CreateBr(done);
    b->SetInsertPoint(done);
    llvm::PHINode *phi = b->CreatePHI(i1Ty, 2);
    phi->addIncoming(b->getInt1(!isAnd), lhsEnd);
    phi->addIncoming(r, rhsEnd);
    return boolv(phi);
  }
  const Type *lt = e->lhs->type ? stripPacked(e->lhs->type) : nullptr;
  if (lt && (lt->kind == TypeKind::Set || e->op == BinaryOp::In)) return emitSetBinary(e);
  Rep r = rep(lt);
  switch (e->op) {
  case BinaryOp::Eq: case BinaryOp::Ne: {
    llvm::Value *eq;
    if (r == Rep::Memory) {
      RValue a = copyIfChanged(emit(e->lhs), lt, e->rhs);
      RValue c = emit(e->rhs);
      chargeBytes(byteSize(lt));
      eq = equalAt(a.addr, c.addr, lt);
    } else if (r == Rep::Proc) {
      RValue a = emit(e->lhs), c = emit(e->rhs);
      eq = b->CreateICmpEQ(a.v, c.v);
      if (a.env && c.env) eq = b->CreateAnd(eq, b->CreateICmpEQ(a.env, c.env));
    } else {
      llvm::Value *a = emit(e->lhs).v, *c = emit(e->rhs).v;
      eq = b->CreateICmpEQ(a, c);
    }
    return boolv(e->op == BinaryOp::Eq ? eq : b->CreateNot(eq));
  }
  case BinaryOp::Lt: case BinaryOp::Le: case BinaryOp::Gt: case BinaryOp::Ge: {
    llvm::Value *a = emitOrdinal(e->lhs), *c = emitOrdinal(e->rhs);
    llvm::CmpInst::Predicate p = e->op == BinaryOp::Lt ? llvm::CmpInst::ICMP_SLT
                                 : e->op == BinaryOp::Le ? llvm::CmpInst::ICMP_SLE
                                 : e->op == BinaryOp::Gt ? llvm::CmpInst::ICMP_SGT : llvm::CmpInst::ICMP_SGE;
    return boolv(b->CreateICmp(p, a, c));
  }
  case BinaryOp::Add: {
    llvm::Value *a = emitOrdinal(e->lhs);  // left to right (REFERENCE 5.1)
    llvm::Value *c = emitOrdinal(e->rhs);
    return val(checkedArith(llvm::Intrinsic::sadd_with_overflow, a, c, e->opRange));
  }
  case BinaryOp::Sub: {
    llvm::Value *a = emitOrdinal(e->lhs);  // left to right (REFERENCE 5.1)
    llvm::Value *c = emitOrdinal(e->rhs);
    return val(checkedArith(llvm::Intrinsic::ssub_with_overflow, a, c, e->opRange));
  }
  case BinaryOp::Mul: {
    llvm::Value *a = emitOrdinal(e->lhs);  // left to right (REFERENCE 5.1)
    llvm::Value *c = emitOrdinal(e->rhs);
    return val(checkedArith(llvm::Intrinsic::smul_with_overflow, a, c, e->opRange));
  }
  case BinaryOp::Div: case BinaryOp::Mod: {
    llvm::Value *a = emitOrdinal(e->lhs), *d = emitOrdinal(e->rhs);
    trapIf(b->CreateICmpEQ(d, i64(0)), SPX_TRAP_DIV_ZERO, e->opRange);
    llvm::Value *minusOne = b->CreateICmpEQ(d, i64(-1));
    llvm::Value *safe = b->CreateSelect(minusOne, i64(1), d);
    if (e->op == BinaryOp::Div) {
      trapIf(b->CreateAnd(minusOne, b->CreateICmpEQ(a, i64(INT64_MIN))), SPX_TRAP_OVERFLOW, e->opRange);
      return val(b->CreateSelect(minusOne, b->CreateSub(i64(0), a), floorDiv(*b, a, safe)));
    }
    return val(b->CreateSelect(minusOne, i64(0), floorMod(*b, a, safe)));
  }
  default: return RValue{};
  }
}

// Whether every bit of `t`'s layout belongs to a component's value: then equal values have equal bytes. Padding,
// the unused bits of a byte of packed fields, and the bits of a packed element's power-of-two slot beyond its
// own may hold anything (a record copied out of a VIEW carries the packet's bytes there). Once per type: types
// may share components exponentially.
bool CodeGen::denseLayout(const Type *t) {
  auto known = denseCache.find(t);
  if (known != denseCache.end()) return known->second;
  const Type *s = stripPacked(t);
  bool dense;
  switch (s->kind) {
  case TypeKind::Record: {
    auto *r = llvm::cast<RecordType>(s);
    const std::vector<uint64_t> &offs = fieldBitOffsets(r);
    uint64_t end = 0;
    dense = true;
    for (size_t k = 0; k < r->fields.size() && dense; ++k) {
      dense = offs[k] == end && denseLayout(r->fields[k].type);
      end += layoutOf(r->fields[k].type).size;
    }
    dense = dense && end == layoutOf(s).size;
    break;
  }
  case TypeKind::Array: {
    auto *a = llvm::cast<ArrayType>(s);
    dense = denseLayout(a->element) && elementStride(a->element) == layoutOf(a->element).size &&
            layoutOf(s).size == uint64_t(arrayLength(a)) * layoutOf(a->element).size;
    break;
  }
  case TypeKind::Set: dense = true; break;  // set operations keep the bits past the last element zero
  default:
    // Ordinals in whole bytes hold their value's bytes; a packed one of fewer bits is not dense.
    dense = !llvm::isa<PackedType>(t) || llvm::cast<PackedType>(t)->bits % 8 == 0;
  }
  return denseCache[t] = dense;
}

// `=` on records and arrays compares their components (lang/REFERENCE.md section 5.1): bytes where the layout is
// dense, else a comparison function per type (field by field, element by element), so padding and unused bits
// never count, and code grows with the number of types, not with their expansion.
llvm::Value *CodeGen::equalAt(llvm::Value *x, llvm::Value *y, const Type *t) {
  auto bytesEqual = [&](llvm::Value *l, llvm::Value *r, const Type *ty) {
    llvm::Value *cmp = b->CreateCall(mod->getOrInsertFunction("bcmp", llvm::FunctionType::get(b->getInt32Ty(), {ptrTy, ptrTy, i64Ty}, false)),
                                     {l, r, i64(int64_t(byteSize(ty)))});
    return b->CreateICmpEQ(cmp, b->getInt32(0));
  };
  if (denseLayout(t)) return bytesEqual(x, y, t);
  llvm::Function *&fn = equalFns[t];
  if (!fn) {
    fn = llvm::Function::Create(llvm::FunctionType::get(i1Ty, {ptrTy, ptrTy}, false), llvm::GlobalValue::InternalLinkage,
                                "spx.equal", mod);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    llvm::IRBuilderBase::InsertPointGuard guard(*b);
    llvm::DebugLoc savedLoc = b->getCurrentDebugLocation();
    b->SetCurrentDebugLocation(llvm::DebugLoc());
    llvm::Function *savedFn = curFn;
    curFn = fn;
    b->SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
    llvm::Value *px = fn->getArg(0), *py = fn->getArg(1);
    auto component = [&](const LValue &l, const LValue &r) -> llvm::Value * {
      switch (rep(l.type)) {
      case Rep::Ordinal: return b->CreateICmpEQ(loadOrdinal(l), loadOrdinal(r));
      case Rep::Memory: return equalAt(l.ptr, r.ptr, l.type);
      default: return bytesEqual(l.ptr, r.ptr, l.type);  // references and procedures: their bytes are their value
      }
    };
    const Type *s = stripPacked(t);
    if (auto *rec = llvm::dyn_cast<RecordType>(s)) {
      const std::vector<uint64_t> &offs = fieldBitOffsets(rec);
      llvm::Value *all = b->getTrue();
      for (size_t k = 0; k < rec->fields.size(); ++k)
        all = b->CreateAnd(all, component(fieldLValue(px, offs[k], rec->fields[k].type), fieldLValue(py, offs[k], rec->fields[k].type)));
      b->CreateRet(all);
    } else {  // an array of non-dense elements: a loop (the caller charged its work by size)
      auto *a = llvm::cast<ArrayType>(s);
      llvm::BasicBlock *entry = b->GetInsertBlock();
      llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "elem", fn);
      llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "done", fn);
      b->CreateCondBr(b->getInt1(arrayLength(a) > 0), body, done);
      b->SetInsertPoint(body);
      llvm::PHINode *i = b->CreatePHI(i64Ty, 2);
      i->addIncoming(i64(0), entry);
      llvm::Value *same = component(elementLValue(px, i, a->element), elementLValue(py, i, a->element));
      llvm::Value *next = b->CreateAdd(i, i64(1));
      i->addIncoming(next, b->GetInsertBlock());
      llvm::BasicBlock *last = b->GetInsertBlock();
      b->CreateCondBr(b->CreateAnd(same, b->CreateICmpSLT(next, i64(arrayLength(a)))), body, done);
      b->SetInsertPoint(done);
      llvm::PHINode *res = b->CreatePHI(i1Ty, 2);
      res->addIncoming(b->getTrue(), entry);
      res->addIncoming(same, last);
      b->CreateRet(res);
    }
    curFn = savedFn;
    b->SetCurrentDebugLocation(savedLoc);
  }
  return b->CreateCall(fn, {x, y});
}

// Sets are bit strings in memory (bit i is element FIRST + i); the operators work a 64-bit word at a time.
RValue CodeGen::emitSetBinary(BinaryExpr *e) {
  if (e->op == BinaryOp::In) {
    const Type *st = stripPacked(e->rhs->type);
    int64_t lo, hi;
    ordinalBounds(llvm::cast<SetType>(st)->element, lo, hi);
    llvm::Value *x = emitOrdinal(e->lhs);
    RValue s = emit(e->rhs);
    llvm::Value *idx = b->CreateSub(x, i64(lo));
    llvm::Value *inRange = b->CreateICmpULE(idx, i64(hi - lo));
    llvm::Value *safeIdx = b->CreateSelect(inRange, idx, i64(0));
    llvm::Value *word = b->CreateAlignedLoad(i64Ty, b->CreateInBoundsGEP(i64Ty, s.addr, b->CreateLShr(safeIdx, i64(6))), llvm::Align(8));
    llvm::Value *bit = b->CreateAnd(b->CreateLShr(word, b->CreateAnd(safeIdx, i64(63))), i64(1));
    return RValue{b->CreateSelect(inRange, bit, i64(0)), nullptr, nullptr, {}};
  }
  const Type *st = stripPacked(e->lhs->type);
  uint64_t words = std::max<uint64_t>(byteSize(st) / 8, 1);
  RValue l = copyIfChanged(emit(e->lhs), st, e->rhs);
  RValue r = emit(e->rhs);
  // Up to 8 words, one wide integer (LLVM's best code); beyond, a loop over the words, so that neither compile
  // time nor code size grows with the set (an integer of a million bits takes LLVM minutes, and it has no
  // integers wider than 2^23 bits at all).
  constexpr uint64_t kInlineSetWords = 8;
  if (words > kInlineSetWords) return emitWideSetBinary(e->op, st, words, l.addr, r.addr);
  llvm::Type *wt = llvm::IntegerType::get(ctx, unsigned(words * 64));
  llvm::Value *a = b->CreateAlignedLoad(wt, l.addr, llvm::Align(8));
  llvm::Value *c = b->CreateAlignedLoad(wt, r.addr, llvm::Align(8));
  auto boolv = [&](llvm::Value *v) { return RValue{b->CreateZExt(v, i64Ty), nullptr, nullptr, {}}; };
  llvm::Value *zero = llvm::ConstantInt::get(wt, 0);
  llvm::Value *res = nullptr;
  switch (e->op) {
  case BinaryOp::Add: res = b->CreateOr(a, c); break;
  case BinaryOp::Sub: res = b->CreateAnd(a, b->CreateNot(c)); break;
  case BinaryOp::Mul: res = b->CreateAnd(a, c); break;
  case BinaryOp::Slash: res = b->CreateXor(a, c); break;
  case BinaryOp::Eq: return boolv(b->CreateICmpEQ(a, c));
  case BinaryOp::Ne: return boolv(b->CreateICmpNE(a, c));
  case BinaryOp::Le: return boolv(b->CreateICmpEQ(b->CreateAnd(a, b->CreateNot(c)), zero));
  case BinaryOp::Ge: return boolv(b->CreateICmpEQ(b->CreateAnd(c, b->CreateNot(a)), zero));
  case BinaryOp::Lt: return boolv(b->CreateAnd(b->CreateICmpEQ(b->CreateAnd(a, b->CreateNot(c)), zero), b->CreateICmpNE(a, c)));
  case BinaryOp::Gt: return boolv(b->CreateAnd(b->CreateICmpEQ(b->CreateAnd(c, b->CreateNot(a)), zero), b->CreateICmpNE(a, c)));
  default: return RValue{};
  }
  llvm::Value *tmp = temp(st, "set");
  b->CreateAlignedStore(res, tmp, llvm::Align(8));
  return RValue{nullptr, nullptr, tmp, {}};
}

// A set operator on a large set, one word per iteration: the operators write each word of the result; the
// comparisons accumulate the words that differ (a ^ c) and those that break inclusion (a & ~c, or c & ~a).
RValue CodeGen::emitWideSetBinary(BinaryOp op, const Type *set, uint64_t words, llvm::Value *lhs, llvm::Value *rhs) {
  bool isOperator = op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul || op == BinaryOp::Slash;
  chargeBytes(words * 8);
  llvm::Value *res = isOperator ? temp(set, "set") : nullptr;
  llvm::BasicBlock *pre = b->GetInsertBlock();
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "set.word", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "set.words.end", curFn);
  b->CreateBr(body);
  b->SetInsertPoint(body);
  llvm::PHINode *i = b->CreatePHI(i64Ty, 2);
  llvm::PHINode *differ = b->CreatePHI(i64Ty, 2);
  llvm::PHINode *outside = b->CreatePHI(i64Ty, 2);
  i->addIncoming(i64(0), pre);
  differ->addIncoming(i64(0), pre);
  outside->addIncoming(i64(0), pre);
  llvm::Value *a = b->CreateAlignedLoad(i64Ty, b->CreateInBoundsGEP(i64Ty, lhs, i), llvm::Align(8));
  llvm::Value *c = b->CreateAlignedLoad(i64Ty, b->CreateInBoundsGEP(i64Ty, rhs, i), llvm::Align(8));
  llvm::Value *word = nullptr;
  switch (op) {
  case BinaryOp::Add: word = b->CreateOr(a, c); break;
  case BinaryOp::Sub: word = b->CreateAnd(a, b->CreateNot(c)); break;
  case BinaryOp::Mul: word = b->CreateAnd(a, c); break;
  case BinaryOp::Slash: word = b->CreateXor(a, c); break;
  default: break;
  }
  if (word) b->CreateAlignedStore(word, b->CreateInBoundsGEP(i64Ty, res, i), llvm::Align(8));
  llvm::Value *differNext = b->CreateOr(differ, b->CreateXor(a, c));
  llvm::Value *notIn = op == BinaryOp::Ge || op == BinaryOp::Gt ? b->CreateAnd(c, b->CreateNot(a))
                                                                 : b->CreateAnd(a, b->CreateNot(c));
  llvm::Value *outsideNext = b->CreateOr(outside, notIn);
  llvm::Value *next = b->CreateAdd(i, i64(1));
  i->addIncoming(next, body);
  differ->addIncoming(differNext, body);
  outside->addIncoming(outsideNext, body);
  b->CreateCondBr(b->CreateICmpULT(next, i64(int64_t(words))), body, done);
  b->SetInsertPoint(done);
  if (isOperator) return RValue{nullptr, nullptr, res, {}};
  auto boolv = [&](llvm::Value *v) { return RValue{b->CreateZExt(v, i64Ty), nullptr, nullptr, {}}; };
  llvm::Value *same = b->CreateICmpEQ(differNext, i64(0));
  llvm::Value *included = b->CreateICmpEQ(outsideNext, i64(0));
  switch (op) {
  case BinaryOp::Eq: return boolv(same);
  case BinaryOp::Ne: return boolv(b->CreateNot(same));
  case BinaryOp::Le: case BinaryOp::Ge: return boolv(included);
  case BinaryOp::Lt: case BinaryOp::Gt: return boolv(b->CreateAnd(included, b->CreateNot(same)));
  default: return RValue{};
  }
}

// ---------------------------------------------------------------- constructors

// Elements [from, to) of `array` become copies of element from - 1, in a loop: a million elements are a loop,
// not a million stores.
void CodeGen::repeatLastElement(llvm::Value *array, const Type *el, int64_t from, int64_t to, SourceRange where) {
  if (from <= 0 || from >= to) return;
  chargeBytes(uint64_t(to - from) * std::max<uint64_t>(elementStride(el) / 8, 1));
  RValue v = loadValue(elementLValue(array, i64(from - 1), el));
  llvm::BasicBlock *pre = b->GetInsertBlock();
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "cons.repeat", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "cons.repeat.end", curFn);
  b->CreateBr(body);
  b->SetInsertPoint(body);
  llvm::PHINode *j = b->CreatePHI(i64Ty, 2);
  j->addIncoming(i64(from), pre);
  storeValue(elementLValue(array, j, el), v, el, where);
  llvm::Value *next = b->CreateAdd(j, i64(1));
  j->addIncoming(next, b->GetInsertBlock());
  b->CreateCondBr(b->CreateICmpSLT(next, i64(to)), body, done);
  b->SetInsertPoint(done);
}

RValue CodeGen::emitConstructor(ConstructorExpr *e) {
  if (e->value) return emitConst(e->value, e->type);
  const Type *t = e->type;
  const Type *s = stripPacked(t);
  std::vector<llvm::Value *> openLens;
  llvm::Value *tmp;
  if (auto *oa = llvm::dyn_cast<OpenArrayType>(s)) {
    // ARRAY OF T{a, b, c}: as long as its elements.
    uint64_t n = e->elems.size();
    uint64_t size = (n * elementStride(oa->element) + 7) / 8;
    tmp = tempBytes(size, std::max<uint64_t>(layoutOf(oa->element).align / 8, 8), "cons");
    chargeBytes(size);
    b->CreateMemSet(tmp, b->getInt8(0), size, llvm::Align(8));
    openLens.push_back(i64(int64_t(n)));
  } else {
    tmp = temp(t, "cons");
    zeroFill(tmp, t);
  }
  if (auto *st = llvm::dyn_cast<SetType>(s)) {
    int64_t lo, hi;
    ordinalBounds(st->element, lo, hi);
    for (const ConsElem &el : e->elems) {
      llvm::Value *from = emitOrdinal(el.value);
      llvm::Value *to = el.high ? emitOrdinal(el.high) : from;
      checkRange(from, lo, hi, el.value->range);
      if (el.high) checkRange(to, lo, hi, el.high->range);
      // Set bits [from..to] one at a time, paying for a byte's worth of bits (both are in range here).
      if (el.high) chargeBytes(b->CreateSelect(b->CreateICmpSLE(from, to), b->CreateLShr(b->CreateSub(to, from), i64(3)), i64(0)));
      llvm::BasicBlock *pre = b->GetInsertBlock();
      llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "set.elem", curFn);
      llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "set.done", curFn);
      b->CreateCondBr(b->CreateICmpSLE(from, to), body, done);
      b->SetInsertPoint(body);
      llvm::PHINode *x = b->CreatePHI(i64Ty, 2);
      x->addIncoming(from, pre);
      llvm::Value *idx = b->CreateSub(x, i64(lo));
      llvm::Value *wp = b->CreateInBoundsGEP(i64Ty, tmp, b->CreateLShr(idx, i64(6)));
      llvm::Value *w = b->CreateAlignedLoad(i64Ty, wp, llvm::Align(8));
      b->CreateAlignedStore(b->CreateOr(w, b->CreateShl(i64(1), b->CreateAnd(idx, i64(63)))), wp, llvm::Align(8));
      llvm::Value *next = b->CreateAdd(x, i64(1));
      x->addIncoming(next, b->GetInsertBlock());
      b->CreateCondBr(b->CreateICmpSLE(next, to), body, done);
      b->SetInsertPoint(done);
    }
    return RValue{nullptr, nullptr, tmp, {}};
  }
  if (auto *rec = llvm::dyn_cast<RecordType>(s)) {
    const std::vector<uint64_t> &offs = fieldBitOffsets(rec);
    std::vector<Expr *> given(rec->fields.size(), nullptr);
    size_t pos = 0;
    for (const ConsElem &el : e->elems) {
      if (el.kind == ConsElem::Kind::Named) {
        if (const RecordField *f = rec->field(el.name.text)) given[size_t(f - rec->fields.data())] = el.value;
      } else if (pos < given.size()) {
        given[pos++] = el.value;
      }
    }
    for (size_t k = 0; k < rec->fields.size(); ++k) {
      const RecordField &f = rec->fields[k];
      LValue lv = fieldLValue(tmp, offs[k], f.type);
      if (given[k]) assignInto(lv, given[k], given[k]->range);
      else if (f.dflt) storeValue(lv, emitConst(f.dflt, f.type), f.type, e->range);
      else initDefaults(lv.ptr, f.type);
    }
    return RValue{nullptr, nullptr, tmp, {}};
  }
  // Arrays: elements in order; a trailing `..` repeats the last one up to the length.
  const Type *el = elementOf(s);
  int64_t n = 0;
  if (auto *fa = llvm::dyn_cast<ArrayType>(s)) n = arrayLength(fa);
  auto elemLV = [&](llvm::Value *k) { return elementLValue(tmp, k, el); };
  int64_t k = 0;
  Expr *last = nullptr;
  for (const ConsElem &ce : e->elems) {
    if (ce.kind == ConsElem::Kind::Repeat) continue;
    assignInto(elemLV(i64(k)), ce.value, ce.value->range);
    last = ce.value;
    ++k;
  }
  bool repeat = !e->elems.empty() && e->elems.back().kind == ConsElem::Kind::Repeat;
  if (repeat && last && k < n) {
    // The rest repeat the last element, copied from where it was just stored: its expression is evaluated
    // once.
    repeatLastElement(tmp, el, k, n, last->range);
  }
  return RValue{nullptr, nullptr, tmp, openLens};
}

}  // namespace spx::cg
