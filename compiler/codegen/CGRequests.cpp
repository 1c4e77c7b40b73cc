// The NIC side of a message interface's requests (lang/REFERENCE.md 8.3, docs/messages.md): for each message
// interface a module exports, the image defines
//   uint64_t "spx.request.I"(uint32_t index, const uint8_t *payload, uint64_t length)
// which the runtime calls, in a protected invocation, with a request's payload (include/spine/abi.h). It is
// generated per interface, never interpreted: one pass checks that the payload decodes exactly (every length
// against the bytes left, every ordinal in its type's range, no set bit beyond a set's elements, no bytes left
// over) and touches nothing; only then a second pass decodes the arguments, the request runs, and its result
// or exception is encoded into the reply the runtime reserved. A malformed payload never reaches the extension.
//
// Where the arguments live: ordinals and TEXT references in the dispatcher's frame; records, arrays, sets and
// open arrays in the invocation's scratch memory (spx_rt_request_scratch), which the runtime frees when the
// invocation ends — no such argument can outlive it (no ADR; a closure cannot escape its frame). A TEXT
// argument may be kept in a module variable, so its characters are allocated in the extension's heap
// (spx_rt_new), like any TEXT the extension makes; docs/messages.md says so.
#include "codegen/detail/CG.h"

#include <algorithm>

#include "spine/abi.h"
#include "spine/wire.h"

namespace spx::cg {

// The fewest wire bytes a value of `t` takes (TEXT: its count).
uint64_t CodeGen::minWireSize(const Type *t) {
  t = stripPacked(t);
  uint64_t fixed = 0;
  if (fixedWireSize(t, fixed)) return fixed;
  if (t->kind == TypeKind::Text) return 4;
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) return minWireSize(a->element) * static_cast<uint64_t>(arrayLength(a));
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    uint64_t sum = 0;
    for (const RecordField &f : r->fields) sum += minWireSize(f.type);
    return sum;
  }
  return 0;
}

// Branches to the request's rejection, reporting `valueAt` (the value's first byte), when fewer than `n` bytes
// are left at `off`.
void CodeGen::requireWireBytes(RequestDecoder &d, llvm::Value *off, llvm::Value *n, llvm::Value *valueAt) {
  rejectIf(d, b->CreateICmpUGT(n, b->CreateSub(d.length, off)), valueAt ? valueAt : off);
}

void CodeGen::rejectIf(RequestDecoder &d, llvm::Value *cond, llvm::Value *off) {
  llvm::BasicBlock *bad = llvm::BasicBlock::Create(ctx, "request.bad", curFn);
  llvm::BasicBlock *ok = llvm::BasicBlock::Create(ctx, "request.ok", curFn);
  b->CreateCondBr(cond, bad, ok);
  b->SetInsertPoint(bad);
  b->CreateStore(off, d.badAt);
  b->CreateBr(d.reject);
  b->SetInsertPoint(ok);
}

// The u32 count (of a TEXT's bytes or an open array's elements) at payload offset `off`, as an i64.
llvm::Value *CodeGen::loadWireCount(RequestDecoder &d, llvm::Value *off) {
  return b->CreateZExt(b->CreateAlignedLoad(i32Ty, bytePtr(d.payload, off), llvm::Align(1)), i64Ty);
}

// The ordinal of type `t` at payload offset `off`, in its wire width, as an i64 (sign-extended when its range
// has negative values).
llvm::Value *CodeGen::loadWireOrdinal(RequestDecoder &d, const Type *t, llvm::Value *off) {
  int64_t lo = 0, hi = -1;
  ordinalBounds(t, lo, hi);
  unsigned w = spine_wire_ordinal_width(lo, hi);
  llvm::Value *raw = b->CreateAlignedLoad(b->getIntNTy(8 * w), bytePtr(d.payload, off), llvm::Align(1));
  return lo < 0 ? b->CreateSExt(raw, i64Ty) : b->CreateZExt(raw, i64Ty);
}

// Checks the wire value of type `t` at payload offset `off` without decoding it; returns the offset after it.
llvm::Value *CodeGen::wireCheck(RequestDecoder &d, const Type *t, llvm::Value *off) {
  t = stripPacked(t);
  if (isOrdinal(t)) {
    int64_t lo = 0, hi = -1;
    ordinalBounds(t, lo, hi);
    unsigned w = spine_wire_ordinal_width(lo, hi);
    requireWireBytes(d, off, i64(w));
    llvm::Value *v = loadWireOrdinal(d, t, off);
    // A value out of [lo..hi], including an 8-byte unsigned one above 2^63-1 (negative here, below lo >= 0).
    if (lo > hi) rejectIf(d, b->getTrue(), off);
    else if (wireNeedsCheck(t)) rejectIf(d, b->CreateOr(b->CreateICmpSLT(v, i64(lo)), b->CreateICmpSGT(v, i64(hi))), off);
    return b->CreateAdd(off, i64(w));
  }
  if (auto *s = llvm::dyn_cast<SetType>(t)) {
    uint64_t words = setWordCount(s), n = setElementCount(s);
    requireWireBytes(d, off, i64(int64_t(words * 8)));
    if (n % 64 != 0) {
      llvm::Value *last = bytePtr(d.payload, b->CreateAdd(off, i64(int64_t((words - 1) * 8))));
      llvm::Value *word = b->CreateAlignedLoad(i64Ty, last, llvm::Align(1));
      llvm::Value *beyond = b->CreateLShr(word, i64(int64_t(n % 64)));
      rejectIf(d, b->CreateICmpNE(beyond, i64(0)), off);
    }
    return b->CreateAdd(off, i64(int64_t(words * 8)));
  }
  if (t->kind == TypeKind::Text) {
    requireWireBytes(d, off, i64(4));
    llvm::Value *n = loadWireCount(d, off);
    llvm::Value *chars = b->CreateAdd(off, i64(4));
    requireWireBytes(d, chars, n, off);
    // What its spx_text will take in the heap (spx_rt_new rounds to 16): checked against the quota before decoding.
    llvm::Value *heap = b->CreateAnd(b->CreateAdd(n, i64(9 + 15)), i64(~int64_t{15}));
    b->CreateStore(b->CreateAdd(b->CreateLoad(i64Ty, d.textBytes), heap), d.textBytes);
    return b->CreateAdd(chars, n);
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) return wireCheckElements(d, a->element, i64(arrayLength(a)), off);
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    for (const RecordField &f : r->fields) off = wireCheck(d, f.type, off);
    return off;
  }
  return off;  // nothing else crosses the host channel (Sema)
}

// Checks `count` consecutive wire values of type `element` from `off`: only their size when every value of that
// size is valid, else one by one.
llvm::Value *CodeGen::wireCheckElements(RequestDecoder &d, const Type *element, llvm::Value *count, llvm::Value *off) {
  uint64_t fixed = 0;
  if (fixedWireSize(element, fixed) && !wireNeedsCheck(element)) {
    llvm::Value *total = b->CreateMul(count, i64(int64_t(fixed)));
    requireWireBytes(d, off, total);
    return b->CreateAdd(off, total);
  }
  llvm::Value *at = b->CreateAlloca(i64Ty);
  b->CreateStore(off, at);
  forEachIndex(count, [&](llvm::Value *) { b->CreateStore(wireCheck(d, element, b->CreateLoad(i64Ty, at)), at); });
  return b->CreateLoad(i64Ty, at);
}

// Whether a value of `t` holds a TEXT (whose characters a decoded request allocates in the heap).
bool CodeGen::containsText(const Type *t) {
  t = stripPacked(t);
  if (t->kind == TypeKind::Text) return true;
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) return containsText(a->element);
  if (auto *o = llvm::dyn_cast<OpenArrayType>(t)) return containsText(o->element);
  if (auto *r = llvm::dyn_cast<RecordType>(t))
    return std::any_of(r->fields.begin(), r->fields.end(), [&](const RecordField &f) { return containsText(f.type); });
  return false;
}

// Whether some wire value of `t` of the right size is not a value of `t` (a check per value is needed).
bool CodeGen::wireNeedsCheck(const Type *t) {
  t = stripPacked(t);
  if (isOrdinal(t)) {
    int64_t lo = 0, hi = -1;
    ordinalBounds(t, lo, hi);
    unsigned w = spine_wire_ordinal_width(lo, hi);
    if (w == 8) return !(lo == INT64_MIN && hi == INT64_MAX);
    int64_t span = int64_t{1} << (8 * w);
    return !((lo == 0 && hi == span - 1) || (lo == -span / 2 && hi == span / 2 - 1));
  }
  if (auto *s = llvm::dyn_cast<SetType>(t)) return setElementCount(s) % 64 != 0;
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) return wireNeedsCheck(a->element);
  if (auto *r = llvm::dyn_cast<RecordType>(t))
    return std::any_of(r->fields.begin(), r->fields.end(), [&](const RecordField &f) { return wireNeedsCheck(f.type); });
  return true;  // TEXT: its count
}

// Decodes the (already checked) wire value at `off` into `lv`; returns the offset after it.
llvm::Value *CodeGen::wireGet(RequestDecoder &d, const LValue &lv, llvm::Value *off) {
  const Type *t = stripPacked(lv.type);
  if (isOrdinal(t)) {
    int64_t lo = 0, hi = -1;
    ordinalBounds(t, lo, hi);
    unsigned w = spine_wire_ordinal_width(lo, hi);
    llvm::Value *v = loadWireOrdinal(d, t, off);
    if (lv.wide) b->CreateStore(v, lv.ptr);
    else storeOrdinal(lv, v);
    return b->CreateAdd(off, i64(w));
  }
  if (auto *s = llvm::dyn_cast<SetType>(t)) {
    uint64_t bytes = setWordCount(s) * 8;
    b->CreateMemCpy(lv.ptr, llvm::Align(1), bytePtr(d.payload, off), llvm::Align(1), bytes);
    return b->CreateAdd(off, i64(int64_t(bytes)));
  }
  if (t->kind == TypeKind::Text) {
    llvm::Value *n = loadWireCount(d, off);
    // struct spx_text: the count, the characters, a NUL (the heap hands out zeroed memory).
    llvm::Value *text = b->CreateCall(newFn, {b->CreateAdd(n, i64(9)), b->getInt32(SPX_SITE_UNKNOWN)});
    b->CreateAlignedStore(n, text, llvm::Align(8));
    b->CreateMemCpy(bytePtr(text, 8), llvm::Align(1), bytePtr(d.payload, b->CreateAdd(off, i64(4))), llvm::Align(1), n);
    b->CreateAlignedStore(text, lv.ptr, llvm::Align(1));
    return b->CreateAdd(off, b->CreateAdd(n, i64(4)));
  }
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) return wireGetElements(d, lv.ptr, a->element, i64(arrayLength(a)), off);
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    const std::vector<uint64_t> &offsets = fieldBitOffsets(r);
    for (size_t k = 0; k < r->fields.size(); ++k) off = wireGet(d, fieldLValue(lv.ptr, offsets[k], r->fields[k].type), off);
    return off;
  }
  return off;
}

llvm::Value *CodeGen::wireGetElements(RequestDecoder &d, llvm::Value *base, const Type *element, llvm::Value *count,
                                      llvm::Value *off) {
  llvm::Value *at = b->CreateAlloca(i64Ty);
  b->CreateStore(off, at);
  forEachIndex(count, [&](llvm::Value *i) {
    b->CreateStore(wireGet(d, elementLValue(base, i, element), b->CreateLoad(i64Ty, at)), at);
  });
  return b->CreateLoad(i64Ty, at);
}

// Scratch memory for an argument or result of `bytes` bytes; a request whose arguments need more than the
// runtime grants (the extension's heap quota) is refused as too large before anything runs.
llvm::Value *CodeGen::requestScratch(llvm::Value *bytes) {
  llvm::FunctionCallee scratch = mod->getOrInsertFunction(
      "spx_rt_request_scratch", llvm::FunctionType::get(ptrTy, {i64Ty}, false));
  llvm::Value *p = b->CreateCall(scratch, {bytes});
  llvm::BasicBlock *none = llvm::BasicBlock::Create(ctx, "scratch.none", curFn);
  llvm::BasicBlock *ok = llvm::BasicBlock::Create(ctx, "scratch.ok", curFn);
  b->CreateCondBr(b->CreateIsNull(p), none, ok);
  b->SetInsertPoint(none);
  b->CreateRet(b->getInt64(SPX_REQUEST_TOO_LARGE));
  b->SetInsertPoint(ok);
  return p;
}

// Writes a reply of kind `kind` whose payload is the optional u16 `position` then the value at `lv` (none when
// lv.type is null).
void CodeGen::emitReply(uint32_t kind, const LValue &lv, int64_t position, uint32_t replySite) {
  llvm::FunctionCallee begin = mod->getOrInsertFunction(
      "spx_rt_reply_begin", llvm::FunctionType::get(ptrTy, {i32Ty, i64Ty, i32Ty}, false));
  llvm::FunctionCallee end =
      mod->getOrInsertFunction("spx_rt_reply_end", llvm::FunctionType::get(b->getVoidTy(), {ptrTy}, false));
  llvm::Value *size = i64(position >= 0 ? 2 : 0);
  if (lv.type) size = b->CreateAdd(size, wireSize(lv));
  chargeBytes(size);
  // Never NULL: a reply the channel cannot carry (over SPINE_WIRE_MAX_PAYLOAD) traps at the request.
  llvm::Value *start = b->CreateCall(begin, {b->getInt32(kind), size, b->getInt32(replySite)});
  llvm::Value *cursor = start;
  if (position >= 0) {
    b->CreateAlignedStore(b->getInt16(uint16_t(position)), cursor, llvm::Align(1));
    cursor = bytePtr(cursor, 2);
  }
  if (lv.type) wirePut(lv, cursor);
  b->CreateCall(end, {start});
}

// Request `sym` (the interface's symbol): check, decode, call, reply. Returns from the dispatcher.
void CodeGen::emitRequest(RequestDecoder &d, Symbol *sym) {
  const auto *pt = llvm::cast<ProcType>(sym->type);
  Symbol *impl = implOf.count(sym) ? implOf[sym] : sym;
  SourceRange where = impl->decl ? impl->decl->range : (sym->decl ? sym->decl->range : SourceRange());
  workSite = where;
  uint32_t requestSite = site(where);

  // 1. Check the whole payload; nothing is decoded or allocated before it passes.
  b->CreateStore(i64(0), d.textBytes);
  llvm::Value *off = i64(0);
  for (const ProcParam &p : pt->params) {
    const Type *t = stripPacked(p.type);
    if (auto *o = llvm::dyn_cast<OpenArrayType>(t)) {
      requireWireBytes(d, off, i64(4));
      llvm::Value *count = loadWireCount(d, off);
      llvm::Value *countAt = off;
      off = b->CreateAdd(off, i64(4));
      // No overflow below: count <= 2^24, and an element's wire size is at most 8 bytes per bit of its memory
      // (a packed BOOLEAN), which Sema bounds to 1 GiB, so count * least < 2^58.
      uint64_t least = minWireSize(o->element);
      // The count first, against the limit and the bytes left, so no loop runs for a count the payload cannot hold.
      rejectIf(d, b->CreateICmpUGT(count, i64(SPINE_WIRE_MAX_COUNT)), countAt);
      if (least > 0) requireWireBytes(d, off, b->CreateMul(count, i64(int64_t(least))));
      chargeBytes(count);
      off = wireCheckElements(d, o->element, count, off);
      continue;
    }
    off = wireCheck(d, t, off);
  }
  rejectIf(d, b->CreateICmpNE(off, d.length), off);  // bytes left over
  // The TEXT arguments stay in the extension's heap: a request whose texts the quota cannot hold is refused as too
  // large, rather than trapping (heap quota) half-way through decoding.
  if (std::any_of(pt->params.begin(), pt->params.end(), [&](const ProcParam &p) { return containsText(p.type); })) {
    llvm::FunctionCallee fits = mod->getOrInsertFunction(
        "spx_rt_request_heap_fits", llvm::FunctionType::get(i64Ty, {i64Ty}, false));
    llvm::BasicBlock *tooLarge = llvm::BasicBlock::Create(ctx, "request.texts.too.large", curFn);
    llvm::BasicBlock *fit = llvm::BasicBlock::Create(ctx, "request.texts.fit", curFn);
    llvm::Value *ok = b->CreateCall(fits, {b->CreateLoad(i64Ty, d.textBytes)});
    b->CreateCondBr(b->CreateICmpEQ(ok, i64(0)), tooLarge, fit);
    b->SetInsertPoint(tooLarge);
    b->CreateRet(b->getInt64(SPX_REQUEST_TOO_LARGE));
    b->SetInsertPoint(fit);
  }

  // 2. Decode into the arguments.
  std::vector<llvm::Value *> args;
  llvm::Value *sret = nullptr;
  if (pt->result && rep(pt->result) == Rep::Memory) {
    sret = requestScratch(i64(int64_t(std::max<uint64_t>(byteSize(pt->result), 1))));
    args.push_back(sret);
  }
  off = i64(0);
  for (const ProcParam &p : pt->params) {
    Rep r = rep(p.type);
    const Type *t = stripPacked(p.type);
    if (r == Rep::OpenArray) {
      const Type *element = llvm::cast<OpenArrayType>(t)->element;
      llvm::Value *count = loadWireCount(d, off);
      off = b->CreateAdd(off, i64(4));
      llvm::Value *data = requestScratch(b->CreateAdd(totalBytes(t, {count}), i64(1)));
      off = wireGetElements(d, data, element, count, off);
      args.push_back(data);
      args.push_back(count);
    } else if (r == Rep::Ordinal && p.mode == ParamMode::Value) {
      llvm::Value *tmp = b->CreateAlloca(i64Ty);
      off = wireGet(d, LValue{tmp, nullptr, p.type, {}, true}, off);
      args.push_back(b->CreateLoad(i64Ty, tmp));
    } else if (r == Rep::Pointer && p.mode == ParamMode::Value) {
      llvm::Value *tmp = b->CreateAlloca(ptrTy);
      off = wireGet(d, LValue{tmp, nullptr, p.type, {}}, off);
      args.push_back(b->CreateLoad(ptrTy, tmp));
    } else {
      // READONLY parameters and VALUE aggregates: by reference, in the parameter type's own layout.
      llvm::Value *mem = requestScratch(i64(int64_t(std::max<uint64_t>(byteSize(p.type), 1))));
      off = wireGet(d, LValue{mem, nullptr, p.type, {}}, off);
      args.push_back(mem);
    }
  }

  // 3. Run it, then reply with its result or the exception it raised.
  llvm::Value *result = b->CreateCall(procFunction(sym), args);
  llvm::Value *excSlot = b->CreateStructGEP(state->getValueType(), state, 2);
  llvm::Value *exc = b->CreateLoad(ptrTy, excSlot);
  llvm::BasicBlock *raised = llvm::BasicBlock::Create(ctx, "request.raised", curFn);
  llvm::BasicBlock *returned = llvm::BasicBlock::Create(ctx, "request.returned", curFn);
  b->CreateCondBr(b->CreateIsNotNull(exc), raised, returned);

  b->SetInsertPoint(returned);
  LValue res;
  if (pt->result) {
    res.type = pt->result;
    switch (rep(pt->result)) {
    case Rep::Ordinal:
      res.ptr = b->CreateAlloca(i64Ty);
      res.wide = true;
      b->CreateStore(result, res.ptr);
      break;
    case Rep::Pointer:
      res.ptr = b->CreateAlloca(ptrTy);
      b->CreateStore(result, res.ptr);
      break;
    default: res.ptr = sret; break;
    }
  }
  emitReply(SPINE_WIRE_RESULT, res, -1, requestSite);
  b->CreateRet(i64(SPX_REQUEST_RAN));

  b->SetInsertPoint(raised);
  for (size_t k = 0; k < pt->raises.size(); ++k) {
    Symbol *e = pt->raises[k];
    llvm::BasicBlock *match = llvm::BasicBlock::Create(ctx, "request.exception", curFn);
    llvm::BasicBlock *next = llvm::BasicBlock::Create(ctx, "request.exception.next", curFn);
    llvm::GlobalVariable *g = exceptionGlobal(e);
    b->CreateCondBr(b->CreateICmpEQ(exc, g), match, next);
    b->SetInsertPoint(match);
    b->CreateStore(nullPtr(), excSlot);
    emitReply(SPINE_WIRE_EXCEPTION, e->excArg ? LValue{g, nullptr, e->excArg, {}} : LValue{}, int64_t(k), requestSite);
    b->CreateRet(i64(SPX_REQUEST_RAN));
    b->SetInsertPoint(next);
  }
  // An exception the request does not list escaped it: a checked runtime error (Modula-3), at the request.
  trap(SPX_TRAP_EXCEPTION, where);
}

// Defines "spx.request.I" for message interface `info`, which a module of this compilation exports.
void CodeGen::defineRequestDispatcher(const InterfaceInfo *info) {
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(i64Ty, {i32Ty, ptrTy, i64Ty}, false),
                                    llvm::GlobalValue::ExternalLinkage,
                                    "spx.request." + std::string(info->unit->name.text), mod);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::Function *savedFn = curFn;
  curFn = fn;
  b->SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  b->SetCurrentDebugLocation(llvm::DebugLoc());

  RequestDecoder d;
  d.payload = fn->getArg(1);
  d.length = fn->getArg(2);
  d.badAt = b->CreateAlloca(i64Ty);
  d.textBytes = b->CreateAlloca(i64Ty);
  llvm::BasicBlock *dispatch = llvm::BasicBlock::Create(ctx, "dispatch", fn);
  d.reject = llvm::BasicBlock::Create(ctx, "reject", fn);
  // Reading the payload is work in proportion to its size (I6), charged at the interface.
  workSite = info->unit->range;
  chargeBytes(d.length);
  b->CreateBr(dispatch);

  b->SetInsertPoint(d.reject);
  b->CreateRet(b->CreateAdd(b->CreateLoad(i64Ty, d.badAt), i64(1)));  // 1 + the offset of the bad bytes

  b->SetInsertPoint(dispatch);
  llvm::BasicBlock *unknown = llvm::BasicBlock::Create(ctx, "request.unknown", fn);
  llvm::SwitchInst *sw = b->CreateSwitch(fn->getArg(0), unknown, unsigned(info->requests.size()));
  for (size_t k = 0; k < info->requests.size(); ++k) {
    llvm::BasicBlock *bb = llvm::BasicBlock::Create(ctx, "request", fn);
    sw->addCase(b->getInt32(uint32_t(k)), bb);
    b->SetInsertPoint(bb);
    emitRequest(d, info->requests[k]);
  }
  b->SetInsertPoint(unknown);
  b->CreateRet(b->getInt64(SPX_REQUEST_NO_SUCH_INDEX));
  curFn = savedFn;
}

void CodeGen::defineRequestDispatchers() {
  for (const InterfaceInfo *info : in_.interfaces) {
    if (!info->unit || !info->unit->isMessages()) continue;
    bool exported = std::any_of(in_.modules.begin(), in_.modules.end(), [&](Unit *m) {
      return std::find(info->exporters.begin(), info->exporters.end(), m) != info->exporters.end();
    });
    if (exported) defineRequestDispatcher(info);
  }
}

}  // namespace spx::cg
