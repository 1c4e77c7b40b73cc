// The NIC side of message interfaces (lang/REFERENCE.md 8.3, docs/messages.md): each event of a message interface
// a module exports gets a definition here, which encodes its arguments in the wire format and hands the message
// to the runtime (spx_rt_event_begin/end, include/spine/abi.h). The encoding is generated per type, never
// interpreted at run time: ordinals in their wire width, little-endian; sets as their 64-bit words; TEXT as a
// u32 length and its bytes; arrays and records element by element and field by field; open arrays with a u32
// count first. Sizes are computed first (constant where the type allows), so the message is written once, in
// place, into the buffer the runtime reserved.
#include "codegen/detail/CG.h"

#include <algorithm>

#include "spine/abi.h"
#include "spine/wire.h"

namespace spx::cg {

// The wire size of every value of `t`, when it does not depend on the value (no TEXT inside).
bool CodeGen::fixedWireSize(const Type *t, uint64_t &size) {
  t = stripPacked(t);
  if (isOrdinal(t)) {
    int64_t lo = 0, hi = -1;
    ordinalBounds(t, lo, hi);
    size = spine_wire_ordinal_width(lo, hi);
    return true;
  }
  if (auto *s = llvm::dyn_cast<SetType>(t)) {
    size = setWordCount(s) * 8;
    return true;
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) {
    uint64_t e = 0;
    if (!fixedWireSize(a->element, e)) return false;
    size = e * static_cast<uint64_t>(arrayLength(a));
    return true;
  }
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    size = 0;
    for (const RecordField &f : r->fields) {
      uint64_t e = 0;
      if (!fixedWireSize(f.type, e)) return false;
      size += e;
    }
    return true;
  }
  return false;  // TEXT (and open arrays, counted by their caller)
}

// The wire size of the value at `lv` (an ordinal is never asked: its size is fixed).
llvm::Value *CodeGen::wireSize(const LValue &lv) {
  const Type *t = stripPacked(lv.type);
  uint64_t fixed = 0;
  if (fixedWireSize(t, fixed)) return i64(int64_t(fixed));
  if (t->kind == TypeKind::Text) {
    llvm::Value *text = b->CreateAlignedLoad(ptrTy, lv.ptr, llvm::Align(1));
    llvm::BasicBlock *some = llvm::BasicBlock::Create(ctx, "wire.text", curFn);
    llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "wire.text.done", curFn);
    llvm::BasicBlock *from = b->GetInsertBlock();
    b->CreateCondBr(b->CreateIsNull(text), done, some);
    b->SetInsertPoint(some);
    llvm::Value *len = b->CreateAlignedLoad(i64Ty, text, llvm::Align(8));
    llvm::BasicBlock *someEnd = b->GetInsertBlock();
    b->CreateBr(done);
    b->SetInsertPoint(done);
    llvm::PHINode *n = b->CreatePHI(i64Ty, 2);
    n->addIncoming(i64(0), from);
    n->addIncoming(len, someEnd);
    return b->CreateAdd(n, i64(4));
  }
  llvm::Value *sum = b->CreateAlloca(i64Ty);
  b->CreateStore(i64(0), sum);
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) {
    llvm::Value *base = lv.ptr;
    forEachIndex(i64(arrayLength(a)), [&](llvm::Value *i) {
      llvm::Value *s = wireSize(elementLValue(base, i, a->element));
      b->CreateStore(b->CreateAdd(b->CreateLoad(i64Ty, sum), s), sum);
    });
  } else if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    const std::vector<uint64_t> &offsets = fieldBitOffsets(r);
    for (size_t k = 0; k < r->fields.size(); ++k) {
      llvm::Value *s = wireSize(fieldLValue(lv.ptr, offsets[k], r->fields[k].type));
      b->CreateStore(b->CreateAdd(b->CreateLoad(i64Ty, sum), s), sum);
    }
  }
  return b->CreateLoad(i64Ty, sum);
}

// Writes the value at `lv` at `cursor`; returns the cursor after it.
llvm::Value *CodeGen::wirePut(const LValue &lv, llvm::Value *cursor) {
  const Type *t = stripPacked(lv.type);
  if (isOrdinal(t)) {
    int64_t lo = 0, hi = -1;
    ordinalBounds(t, lo, hi);
    unsigned w = spine_wire_ordinal_width(lo, hi);
    llvm::Value *v = lv.wide ? b->CreateLoad(i64Ty, lv.ptr) : loadOrdinal(lv);
    // Little-endian on the wire; every target spinec accepts is little-endian, so a plain store of the low bytes.
    b->CreateAlignedStore(b->CreateTrunc(v, b->getIntNTy(8 * w)), cursor, llvm::Align(1));
    return bytePtr(cursor, w);
  }
  if (auto *s = llvm::dyn_cast<SetType>(t)) {
    uint64_t bytes = setWordCount(s) * 8;
    b->CreateMemCpy(cursor, llvm::Align(1), lv.ptr, llvm::Align(1), bytes);
    return bytePtr(cursor, bytes);
  }
  if (t->kind == TypeKind::Text) {
    llvm::Value *text = b->CreateAlignedLoad(ptrTy, lv.ptr, llvm::Align(1));
    llvm::BasicBlock *some = llvm::BasicBlock::Create(ctx, "wire.text", curFn);
    llvm::BasicBlock *none = llvm::BasicBlock::Create(ctx, "wire.notext", curFn);
    llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "wire.text.done", curFn);
    b->CreateCondBr(b->CreateIsNull(text), none, some);
    b->SetInsertPoint(none);
    b->CreateAlignedStore(b->getInt32(0), cursor, llvm::Align(1));
    llvm::Value *afterNone = bytePtr(cursor, 4);
    b->CreateBr(done);
    b->SetInsertPoint(some);
    llvm::Value *len = b->CreateAlignedLoad(i64Ty, text, llvm::Align(8));
    b->CreateAlignedStore(b->CreateTrunc(len, i32Ty), cursor, llvm::Align(1));
    b->CreateMemCpy(bytePtr(cursor, 4), llvm::Align(1), bytePtr(text, 8), llvm::Align(1), len);
    llvm::Value *afterSome = bytePtr(bytePtr(cursor, 4), len);
    llvm::BasicBlock *someEnd = b->GetInsertBlock();
    b->CreateBr(done);
    b->SetInsertPoint(done);
    llvm::PHINode *c = b->CreatePHI(ptrTy, 2);
    c->addIncoming(afterNone, none);
    c->addIncoming(afterSome, someEnd);
    return c;
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) {
    llvm::Value *at = b->CreateAlloca(ptrTy);
    b->CreateStore(cursor, at);
    llvm::Value *base = lv.ptr;
    forEachIndex(i64(arrayLength(a)), [&](llvm::Value *i) {
      b->CreateStore(wirePut(elementLValue(base, i, a->element), b->CreateLoad(ptrTy, at)), at);
    });
    return b->CreateLoad(ptrTy, at);
  }
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    const std::vector<uint64_t> &offsets = fieldBitOffsets(r);
    for (size_t k = 0; k < r->fields.size(); ++k)
      cursor = wirePut(fieldLValue(lv.ptr, offsets[k], r->fields[k].type), cursor);
    return cursor;
  }
  return cursor;  // nothing else crosses the host channel (Sema)
}

// Defines event `sym` (an <*EVENT*> procedure of message interface `info`, which a module of this compilation
// exports): encode the arguments, then post the message.
llvm::Function *CodeGen::eventFunction(Symbol *sym) {
  auto known = eventFns.find(sym);
  if (known != eventFns.end()) return known->second;
  const InterfaceInfo *info = messageInterfaceOf(sym);
  const auto *pt = llvm::cast<ProcType>(sym->type);
  auto *fn = llvm::Function::Create(procFnType(pt, false), llvm::GlobalValue::InternalLinkage, symbolName(sym), mod);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  eventFns[sym] = fn;
  uint32_t index = 0;
  while (index < info->events.size() && info->events[index] != sym) ++index;

  llvm::IRBuilderBase::InsertPoint saved = b->saveIP();
  llvm::Function *savedFn = curFn;
  llvm::DebugLoc savedLoc = b->getCurrentDebugLocation();
  curFn = fn;
  b->SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  b->SetCurrentDebugLocation(llvm::DebugLoc());

  // Each argument as a place in memory (VALUE ordinals in a 64-bit temporary), with its count if open.
  struct Arg {
    LValue lv;
    llvm::Value *count = nullptr;  // open arrays
  };
  std::vector<Arg> args;
  auto param = fn->arg_begin();
  for (const ProcParam &p : pt->params) {
    Arg a;
    a.lv.type = p.type;
    Rep r = rep(p.type);
    if (r == Rep::OpenArray) {
      a.lv.ptr = &*param++;
      a.count = &*param++;
      a.lv.type = elementOf(p.type);
    } else if (p.mode == ParamMode::Value && r == Rep::Ordinal) {
      llvm::Value *tmp = b->CreateAlloca(i64Ty);
      b->CreateStore(&*param++, tmp);
      a.lv.ptr = tmp;
      a.lv.wide = true;
    } else if (p.mode == ParamMode::Value && r == Rep::Pointer) {
      llvm::Value *tmp = b->CreateAlloca(ptrTy);  // TEXT: wireSize and wirePut read it from memory
      b->CreateStore(&*param++, tmp);
      a.lv.ptr = tmp;
    } else {
      a.lv.ptr = &*param++;
    }
    args.push_back(a);
  }

  // Encoding costs fuel like any work in proportion to a size (docs/safety.md, I6): the arguments' bytes in memory
  // (the size loops walk them) and the message's. A fuel trap is reported at the event's declaration.
  SourceRange savedWork = workSite;
  workSite = sym->decl ? sym->decl->range : SourceRange();
  for (const Arg &a : args)
    chargeBytes(a.count ? b->CreateMul(a.count, i64(int64_t(std::max<uint64_t>(elementStride(a.lv.type) / 8, 1))))
                        : i64(int64_t(a.lv.wide ? 8 : std::max<uint64_t>(byteSize(a.lv.type), 1))));
  llvm::Value *size = i64(0);
  for (const Arg &a : args) {
    if (!a.count) {
      size = b->CreateAdd(size, wireSize(a.lv));
      continue;
    }
    uint64_t fixed = 0;
    llvm::Value *elems;
    if (fixedWireSize(a.lv.type, fixed)) {
      elems = b->CreateMul(a.count, i64(int64_t(fixed)));
    } else {
      llvm::Value *sum = b->CreateAlloca(i64Ty);
      b->CreateStore(i64(0), sum);
      forEachIndex(a.count, [&](llvm::Value *i) {
        llvm::Value *s = wireSize(elementLValue(a.lv.ptr, i, a.lv.type));
        b->CreateStore(b->CreateAdd(b->CreateLoad(i64Ty, sum), s), sum);
      });
      elems = b->CreateLoad(i64Ty, sum);
    }
    size = b->CreateAdd(size, b->CreateAdd(elems, i64(4)));
  }

  // The runtime reserves the message (header filled in) and returns where its payload goes, or NULL when it
  // cannot take it (no host, channel full, too big): then nothing is written (the runtime counts it).
  llvm::FunctionCallee begin = mod->getOrInsertFunction(
      "spx_rt_event_begin", llvm::FunctionType::get(ptrTy, {i64Ty, i32Ty, i64Ty}, false));
  llvm::FunctionCallee end =
      mod->getOrInsertFunction("spx_rt_event_end", llvm::FunctionType::get(b->getVoidTy(), {ptrTy}, false));
  chargeBytes(size);
  workSite = savedWork;
  llvm::Value *payload =
      b->CreateCall(begin, {b->getInt64(info->fingerprint), b->getInt32(index), size});
  llvm::BasicBlock *write = llvm::BasicBlock::Create(ctx, "event.write", fn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "event.done", fn);
  b->CreateCondBr(b->CreateIsNull(payload), done, write);
  b->SetInsertPoint(write);
  llvm::Value *cursor = payload;
  for (const Arg &a : args) {
    if (!a.count) {
      cursor = wirePut(a.lv, cursor);
      continue;
    }
    b->CreateAlignedStore(b->CreateTrunc(a.count, i32Ty), cursor, llvm::Align(1));
    llvm::Value *at = b->CreateAlloca(ptrTy);
    b->CreateStore(bytePtr(cursor, 4), at);
    forEachIndex(a.count, [&](llvm::Value *i) {
      b->CreateStore(wirePut(elementLValue(a.lv.ptr, i, a.lv.type), b->CreateLoad(ptrTy, at)), at);
    });
    cursor = b->CreateLoad(ptrTy, at);
  }
  b->CreateCall(end, {payload});
  b->CreateBr(done);
  b->SetInsertPoint(done);
  b->CreateRetVoid();

  curFn = savedFn;
  b->restoreIP(saved);
  b->SetCurrentDebugLocation(savedLoc);
  return fn;
}

// The message interface that declares event `sym`, if a module of this compilation exports it.
const InterfaceInfo *CodeGen::messageInterfaceOf(Symbol *sym) {
  if (!sym || !sym->isEvent || !sym->unit || !sym->unit->isMessages()) return nullptr;
  for (InterfaceInfo *i : in_.interfaces) {
    if (i->unit != sym->unit) continue;
    for (Unit *m : in_.modules)
      if (std::find(i->exporters.begin(), i->exporters.end(), m) != i->exporters.end()) return i;
  }
  return nullptr;
}

}  // namespace spx::cg
