// Memory layout as lang/REFERENCE.md 4.7 defines it, and loads and stores of ordinals in any of their
// representations: natural (i8..i64), packed whole bytes, packed inside a byte (high bits first), and
// <*NETORDER*> big-endian.
#include "codegen/detail/CG.h"

#include <llvm/IR/MDBuilder.h>

namespace spx::cg {

uint64_t CodeGen::byteSize(const Type *t) { return (layoutOf(t).size + 7) / 8; }

uint64_t CodeGen::byteAlign(const Type *t) {
  uint64_t a = layoutOf(t).align / 8;
  return a == 0 ? 1 : a;
}

const std::vector<uint64_t> &CodeGen::fieldBitOffsets(const RecordType *r) {
  auto it = fieldOffsetCache.find(r);
  if (it == fieldOffsetCache.end()) it = fieldOffsetCache.emplace(r, fieldOffsets(r)).first;
  return it->second;
}

// Element `index` (counted from 0) of the fixed-size elements at `array`: elements packed narrower than a byte
// may start inside one.
LValue CodeGen::elementLValue(llvm::Value *array, llvm::Value *index, const Type *element) {
  uint64_t stride = elementStride(element);
  if (stride % 8 == 0) return LValue{bytePtr(array, b->CreateMul(index, i64(int64_t(stride / 8)))), nullptr, element, {}};
  llvm::Value *bitpos = b->CreateMul(index, i64(int64_t(stride)));
  return LValue{bytePtr(array, b->CreateLShr(bitpos, i64(3))), b->CreateTrunc(b->CreateAnd(bitpos, i64(7)), i8Ty),
                element, {}};
}

// A field at `bitOffset` of the record at `record`: packed fields narrower than a byte may start inside one.
LValue CodeGen::fieldLValue(llvm::Value *record, uint64_t bitOffset, const Type *fieldType) {
  return LValue{bytePtr(record, bitOffset / 8), bitOffset % 8 ? b->getInt8(uint8_t(bitOffset % 8)) : nullptr,
                fieldType, {}};
}

Rep CodeGen::rep(const Type *t) {
  if (!t) return Rep::None;
  t = stripPacked(t);
  switch (t->kind) {
  case TypeKind::Integer: case TypeKind::Enum: case TypeKind::Char: case TypeKind::Subrange: return Rep::Ordinal;
  case TypeKind::Ref: case TypeKind::Refany: case TypeKind::Null: case TypeKind::Text: case TypeKind::Opaque:
  case TypeKind::Address: return Rep::Pointer;
  case TypeKind::Procedure: return Rep::Proc;
  case TypeKind::OpenArray: return Rep::OpenArray;
  case TypeKind::Set: case TypeKind::Array: case TypeKind::Record: return Rep::Memory;
  default: return Rep::None;
  }
}

llvm::Value *CodeGen::bytePtr(llvm::Value *base, llvm::Value *offset) {
  return b->CreateInBoundsGEP(i8Ty, base, offset);
}
llvm::Value *CodeGen::bytePtr(llvm::Value *base, uint64_t offset) {
  if (offset == 0) return base;
  return b->CreateConstInBoundsGEP1_64(i8Ty, base, offset);
}

namespace {
bool isSigned(const Type *t) {
  int64_t lo, hi;
  ordinalBounds(t, lo, hi);
  return lo < 0;
}
}  // namespace

llvm::Value *CodeGen::loadOrdinal(const LValue &lv) {
  const Type *t = lv.type;
  if (lv.wide) {
    auto *ld = b->CreateAlignedLoad(i64Ty, lv.ptr, llvm::Align(8));
    int64_t lo, hi;
    ordinalBounds(t, lo, hi);
    // A wide slot holds a value of its type (invariant I1): the optimiser may drop checks on what it loads.
    if (mayElide() && lo <= hi && !(lo == INT64_MIN && hi == INT64_MAX) && uint64_t(hi) + 1 != uint64_t(lo)) {
      llvm::MDBuilder md(ctx);
      ld->setMetadata(llvm::LLVMContext::MD_range, md.createRange(llvm::APInt(64, uint64_t(lo), true),
                                                                   llvm::APInt(64, uint64_t(hi) + 1, true)));
    }
    return ld;
  }
  bool sgn = isSigned(t);
  auto *p = llvm::dyn_cast<PackedType>(t);
  if (p && p->bits < 8) {  // wider packed values are whole bytes on a byte boundary (Sema's layout rules)
    // Inside one byte, high bits first: the field's bits are [bit, bit+n) counted from bit 7 down.
    llvm::Value *byte = b->CreateZExt(b->CreateLoad(i8Ty, lv.ptr), i64Ty);
    llvm::Value *bit = lv.bit ? b->CreateZExt(lv.bit, i64Ty) : i64(0);
    llvm::Value *shift = b->CreateSub(i64(8 - int64_t(p->bits)), bit);
    llvm::Value *v = b->CreateAnd(b->CreateLShr(byte, shift), i64((int64_t{1} << p->bits) - 1));
    if (sgn) {
      llvm::Value *s = i64(64 - int64_t(p->bits));
      v = b->CreateAShr(b->CreateShl(v, s), s);
    }
    return v;
  }
  unsigned bits = p ? p->bits : unsigned(layoutOf(t).size);
  llvm::Value *v;
  if (p && p->netOrder) {
    // Big-endian whatever the host: assemble the bytes (LLVM turns this into a load and a bswap).
    v = i64(0);
    for (unsigned k = 0; k < bits / 8; ++k) {
      llvm::Value *byte = b->CreateZExt(b->CreateLoad(i8Ty, bytePtr(lv.ptr, k)), i64Ty);
      v = b->CreateOr(b->CreateShl(v, 8), byte);
    }
    if (sgn && bits < 64) {
      llvm::Value *s = i64(64 - int64_t(bits));
      v = b->CreateAShr(b->CreateShl(v, s), s);
    }
    return v;
  }
  llvm::Type *it = b->getIntNTy(bits);
  auto *ld = b->CreateAlignedLoad(it, lv.ptr, llvm::Align(p ? 1 : std::max<uint64_t>(bits / 8, 1)));
  // What memory of this type can hold (invariants I1 and I2): lets the optimiser drop range checks on values
  // loaded from it.
  int64_t lo, hi;
  ordinalBounds(t, lo, hi);
  if (mayElide() && bits <= 64 && lo <= hi && !(lo == INT64_MIN && hi == INT64_MAX) &&
      uint64_t(hi) - uint64_t(lo) < uint64_t(INT64_MAX)) {  // unsigned: the width of [FIRST(INTEGER)..x] overflows
    llvm::APInt l(bits, uint64_t(lo), true), h(bits, uint64_t(hi) + 1, true);
    if (l != h) {
      llvm::MDBuilder md(ctx);
      ld->setMetadata(llvm::LLVMContext::MD_range, md.createRange(l, h));
    }
  }
  if (bits == 64) return ld;
  return sgn ? b->CreateSExt(ld, i64Ty) : b->CreateZExt(ld, i64Ty);
}

void CodeGen::storeOrdinal(const LValue &lv, llvm::Value *v) {
  const Type *t = lv.type;
  if (lv.wide) {
    b->CreateAlignedStore(v, lv.ptr, llvm::Align(8));
    return;
  }
  auto *p = llvm::dyn_cast<PackedType>(t);
  if (p && p->bits < 8) {  // wider packed values are whole bytes on a byte boundary (Sema's layout rules)
    llvm::Value *byte = b->CreateZExt(b->CreateLoad(i8Ty, lv.ptr), i64Ty);
    llvm::Value *bit = lv.bit ? b->CreateZExt(lv.bit, i64Ty) : i64(0);
    llvm::Value *shift = b->CreateSub(i64(8 - int64_t(p->bits)), bit);
    llvm::Value *mask = b->CreateShl(i64((int64_t{1} << p->bits) - 1), shift);
    llvm::Value *nv = b->CreateOr(b->CreateAnd(byte, b->CreateNot(mask)), b->CreateAnd(b->CreateShl(v, shift), mask));
    b->CreateStore(b->CreateTrunc(nv, i8Ty), lv.ptr);
    return;
  }
  unsigned bits = p ? p->bits : unsigned(layoutOf(t).size);
  if (p && p->netOrder) {
    for (unsigned k = 0; k < bits / 8; ++k) {
      llvm::Value *byte = b->CreateTrunc(b->CreateLShr(v, i64(int64_t(bits) - 8 * int64_t(k + 1))), i8Ty);
      b->CreateStore(byte, bytePtr(lv.ptr, k));
    }
    return;
  }
  llvm::Type *it = b->getIntNTy(bits);
  b->CreateAlignedStore(bits == 64 ? v : b->CreateTrunc(v, it), lv.ptr,
                        llvm::Align(p ? 1 : std::max<uint64_t>(bits / 8, 1)));
}

llvm::AllocaInst *CodeGen::tempBytes(uint64_t size, uint64_t align, const char *name) {
  llvm::IRBuilder<> entry(&curFn->getEntryBlock(), curFn->getEntryBlock().begin());
  auto *a = entry.CreateAlloca(llvm::ArrayType::get(i8Ty, size == 0 ? 1 : size), nullptr, name);
  a->setAlignment(llvm::Align(std::max<uint64_t>(align, 8)));
  return a;
}

llvm::AllocaInst *CodeGen::temp(const Type *t, const char *name) {
  Rep r = rep(t);
  if (r == Rep::Ordinal || r == Rep::Pointer) return tempBytes(8, 8, name);
  if (r == Rep::Proc) return tempBytes(16, 8, name);
  return tempBytes(byteSize(t), byteAlign(t), name);
}

void CodeGen::copyBytes(llvm::Value *dst, llvm::Value *src, llvm::Value *size, uint64_t align) {
  chargeBytes(size);
  b->CreateMemCpy(dst, llvm::Align(align), src, llvm::Align(align), size);
}

const Type *CodeGen::innermostElement(const Type *t, unsigned &openDims) {
  openDims = 0;
  t = stripPacked(t);
  while (auto *oa = llvm::dyn_cast<OpenArrayType>(t)) {
    ++openDims;
    t = oa->element;
    if (!llvm::isa<OpenArrayType>(stripPacked(t))) return t;
    t = stripPacked(t);
  }
  return t;
}

// Bytes of an open array with the given lengths (the innermost non-open element is of fixed size).
llvm::Value *CodeGen::totalBytes(const Type *openArray, const std::vector<llvm::Value *> &lens) {
  unsigned dims;
  const Type *elem = innermostElement(openArray, dims);
  uint64_t stride = elementStride(elem);
  llvm::Value *n = i64(1);
  for (llvm::Value *len : lens) n = b->CreateMul(n, len);
  // Packed elements may take less than a byte each, but only in one dimension: Sema refuses open arrays of open
  // arrays of them, so every row of more dimensions is whole bytes (I5).
  return b->CreateUDiv(b->CreateAdd(b->CreateMul(n, i64(int64_t(stride))), i64(7)), i64(8));
}

void CodeGen::zeroFill(llvm::Value *dst, const Type *t) {
  chargeBytes(byteSize(t));
  b->CreateMemSet(dst, b->getInt8(0), byteSize(t), llvm::Align(byteAlign(t)));
}

// Does the zero value of `t` differ from all-zero bits (a subrange without 0, or a field default)?
bool CodeGen::needsInit(const Type *t) {
  const Type *s = stripPacked(t);
  switch (s->kind) {
  case TypeKind::Subrange: {
    auto *sr = llvm::cast<SubrangeType>(s);
    return sr->low > 0 || sr->high < 0;
  }
  case TypeKind::Array: case TypeKind::Record: {
    auto known = needsInitCache.find(s);
    if (known != needsInitCache.end()) return known->second;
    bool needs = false;
    if (auto *a = llvm::dyn_cast<ArrayType>(s)) {
      needs = needsInit(a->element);
    } else {
      for (const RecordField &f : llvm::cast<RecordType>(s)->fields)
        if (f.dflt || needsInit(f.type)) {
          needs = true;
          break;
        }
    }
    needsInitCache[s] = needs;
    return needs;
  }
  default: return false;
  }
}

// Calls body(i) for i in [0, n): an ordinary counted loop.
void CodeGen::forEachIndex(llvm::Value *n, const std::function<void(llvm::Value *)> &body) {
  llvm::BasicBlock *before = b->GetInsertBlock();
  llvm::BasicBlock *loop = llvm::BasicBlock::Create(ctx, "loop", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "loop.done", curFn);
  b->CreateCondBr(b->CreateICmpSGT(n, i64(0)), loop, done);
  b->SetInsertPoint(loop);
  llvm::PHINode *i = b->CreatePHI(i64Ty, 2);
  i->addIncoming(i64(0), before);
  body(i);
  llvm::Value *next = b->CreateAdd(i, i64(1));
  i->addIncoming(next, b->GetInsertBlock());
  b->CreateCondBr(b->CreateICmpSLT(next, n), loop, done);
  b->SetInsertPoint(done);
}

// The zero values of `n` consecutive elements of type `elem` at `dst` (a loop: arrays may be large).
void CodeGen::initElements(llvm::Value *dst, const Type *elem, llvm::Value *n) {
  if (!needsInit(elem)) return;
  chargeBytes(b->CreateMul(n, i64(int64_t(std::max<uint64_t>(elementStride(elem) / 8, 1)))));
  forEachIndex(n, [&](llvm::Value *i) {
    LValue el = elementLValue(dst, i, elem);
    if (!el.bit) {
      initDefaults(el.ptr, elem);
    } else {
      // Packed narrower than a byte: a subrange, whose zero value is its low bound.
      storeOrdinal(el, i64(llvm::cast<SubrangeType>(stripPacked(elem))->low));
    }
  });
}

// Stores the zero values that are not all-zero bits (memory is zeroed first), and record field defaults.
void CodeGen::initDefaults(llvm::Value *dst, const Type *t) {
  if (!needsInit(t)) return;
  const Type *s = stripPacked(t);
  if (auto *sr = llvm::dyn_cast<SubrangeType>(s)) {
    storeOrdinal({dst, nullptr, t, {}}, i64(sr->low));
    return;
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(s)) {
    initElements(dst, a->element, i64(arrayLength(a)));
    return;
  }
  auto *r = llvm::cast<RecordType>(s);
  const std::vector<uint64_t> &offs = fieldBitOffsets(r);
  // A second field of an aggregate type already initialised here is a copy of the first: with types sharing
  // components (`R2 = RECORD a, b: R1 END`), field by field would be code exponential in their depth.
  std::unordered_map<const Type *, llvm::Value *> initialised;
  for (size_t k = 0; k < r->fields.size(); ++k) {
    const RecordField &f = r->fields[k];
    LValue lv = fieldLValue(dst, offs[k], f.type);
    if (f.dflt) {
      storeValue(lv, emitConst(f.dflt, f.type), f.type, f.range);
      continue;
    }
    if (!needsInit(f.type)) continue;
    if (auto *sr = llvm::dyn_cast<SubrangeType>(stripPacked(f.type))) {
      storeOrdinal(lv, i64(sr->low));  // at the field's own bit offset, which a packed field may have
      continue;
    }
    bool copyable = !llvm::isa<PackedType>(f.type) && offs[k] % 8 == 0 && rep(f.type) == Rep::Memory;
    auto first = copyable ? initialised.find(f.type) : initialised.end();
    if (first != initialised.end()) {
      copyBytes(lv.ptr, first->second, i64(int64_t(byteSize(f.type))), 1);
      continue;
    }
    initDefaults(lv.ptr, f.type);
    if (copyable) initialised[f.type] = lv.ptr;
  }
}

}  // namespace spx::cg
