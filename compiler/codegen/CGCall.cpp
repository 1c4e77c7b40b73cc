// Procedures and calls: the ABI of include/spine/abi.h on both sides (parameters in, arguments out),
// nested procedures' environments, calls through procedure values, and the check for a pending exception
// after a call whose type may raise.
#include "codegen/detail/CG.h"

#include "spine/abi.h"

namespace spx::cg {

// The environment a nested procedure `callee` needs: the frame of the procedure that declares it.
llvm::Value *CodeGen::envFor(ProcInfo *callee) {
  if (!callee->parent) return nullPtr();
  return frameOf(callee->parent);
}

void CodeGen::declareLocals(const std::vector<Decl *> &decls) {
  for (Decl *d : decls) {
    auto *vd = llvm::dyn_cast<VarDecl>(d);
    if (!vd || !vd->symbol) continue;
    if (vd->symbol->level == 0) {
      globalVar(vd->symbol);
      continue;
    }
    VarInfo vi;
    vi.type = vd->symbol->type;
    bindVar(vd->symbol, vi);
  }
}

// Every variable of a block holds its type's zero value before any initializer runs, because an initializer
// may read a variable declared after it (invariant I1). Module variables get theirs in spx.init, before any
// module body runs (defineInit); locals here. Then the initializers, in order.
void CodeGen::initLocals(const std::vector<Decl *> &decls) {
  declareLocals(decls);
  for (Decl *d : decls) {
    auto *vd = llvm::dyn_cast<VarDecl>(d);
    if (!vd || !vd->symbol || vd->symbol->level == 0) continue;
    setLocation(vd->range);
    LValue lv = varLValue(vd->symbol);
    if (rep(lv.type) == Rep::Memory) zeroFill(lv.ptr, lv.type);
    else b->CreateAlignedStore(llvm::Constant::getNullValue(rep(lv.type) == Rep::Ordinal ? i64Ty : ptrTy), lv.ptr, llvm::Align(8));
    if (rep(lv.type) == Rep::Proc) b->CreateAlignedStore(nullPtr(), bytePtr(lv.ptr, 8), llvm::Align(8));
    if (cur && vars[vd->symbol].frameOffset < 0) declareDebugVar(vd->symbol, lv.ptr, lv.type, false, 0);
    if (lv.wide) {
      int64_t lo, hi;
      ordinalBounds(lv.type, lo, hi);
      if (lo > 0 || hi < 0) storeOrdinal(lv, i64(lo));
    } else {
      initDefaults(lv.ptr, lv.type);
    }
  }
  for (Decl *d : decls) {
    auto *vd = llvm::dyn_cast<VarDecl>(d);
    if (!vd || !vd->symbol || !vd->init) continue;
    setLocation(vd->range);
    assignInto(varLValue(vd->symbol), vd->init, vd->init->range);
  }
}

void CodeGen::defineProcedure(ProcInfo &p) {
  cur = &p;
  curFn = p.fn;
  curUnit = p.sym->unit;
  cleanups.clear();
  llvm::BasicBlock *entry = llvm::BasicBlock::Create(ctx, "entry", p.fn);
  b->SetInsertPoint(entry);
  if (di) {
    llvm::DIFile *f = diFile(p.decl->range.begin);
    unsigned line = sm.presumed(p.decl->range.begin).line;
    p.di = di->createFunction(f, std::string(p.decl->name.text), p.fn->getName(), f, line,
                              di->createSubroutineType(di->getOrCreateTypeArray({})), line, llvm::DINode::FlagZero,
                              llvm::DISubprogram::SPFlagDefinition |
                                  (opts.optLevel > 0 ? llvm::DISubprogram::SPFlagOptimized : llvm::DISubprogram::SPFlagZero));
    p.fn->setSubprogram(p.di);
    diScope = p.di;
  }
  setLocation(p.decl->range);
  llvm::AllocaInst *frame = nullptr;
  if (p.hasNested) {
    frame = b->CreateAlloca(i8Ty, i64(8), "frame");  // size fixed below, once every variable has a slot
    frame->setAlignment(llvm::Align(16));
    p.frame = frame;
    p.frameSize = 8;
  }
  auto arg = p.fn->arg_begin();
  if (p.parent) {
    p.env = &*arg++;
    p.env->setName("env");
  }
  // The entry checks go in `prologue` once the body is known (see needsEntryChecks): after the fixed frame is
  // allocated (the allocas of `entry`) and before anything is written to it (invariant I4).
  llvm::BasicBlock *prologue = startPrologue();
  if (frame) b->CreateStore(p.env ? p.env : nullPtr(), frame);
  p.sret = nullptr;
  resultSlot = nullptr;
  if (p.type->result) {
    Rep r = rep(p.type->result);
    if (r == Rep::Memory) p.sret = &*arg++;
    else resultSlot = tempBytes(8, 8, "result");
  }
  // Parameters into their variables.
  for (size_t i = 0; i < p.type->params.size(); ++i) {
    const ProcParam &pp = p.type->params[i];
    Symbol *sym = i < p.decl->paramSymbols.size() ? p.decl->paramSymbols[i] : nullptr;
    Rep r = rep(pp.type);
    VarInfo vi;
    vi.type = pp.type;
    if (r == Rep::OpenArray) {
      innermostElement(pp.type, vi.dims);
      vi.kind = VarInfo::Kind::OpenArray;
    } else if (pp.mode != ParamMode::Value) {
      vi.kind = VarInfo::Kind::ByRef;
    }
    llvm::Value *slot = bindVar(sym, vi);
    const VarInfo &bound = vars[sym];
    if (r == Rep::OpenArray) {
      llvm::Value *data = &*arg++;
      std::vector<llvm::Value *> lens;
      for (unsigned k = 0; k < vi.dims; ++k) lens.push_back(&*arg++);
      if (pp.mode == ParamMode::Value) {
        // The callee's own copy.
        // On the stack: it must fit above the stack limit before a byte is written.
        llvm::Value *size = totalBytes(pp.type, lens);
        llvm::Value *sp = b->CreatePtrToInt(b->CreateStackSave(), i64Ty);
        llvm::Value *limit = b->CreateLoad(i64Ty, b->CreateStructGEP(state->getValueType(), state, 1));
        llvm::Value *room = b->CreateSelect(b->CreateICmpUGT(sp, limit), b->CreateSub(sp, limit), i64(0));
        trapIf(b->CreateICmpUGE(size, room), SPX_TRAP_STACK, p.decl->range);
        auto *copy = b->CreateAlloca(i8Ty, size, "copy");
        copy->setAlignment(llvm::Align(16));
        copyBytes(copy, data, size, 1);
        data = copy;
      }
      b->CreateStore(data, slot);
      for (unsigned k = 0; k < vi.dims; ++k) b->CreateStore(lens[k], bytePtr(slot, 8 * (k + 1)));
    } else if (pp.mode != ParamMode::Value) {
      b->CreateStore(&*arg++, slot);
      // A packed VAR or READONLY parameter starts at bit 0 of what it points to (the caller passes a copy or
      // a whole-byte variable); the slot's bit offset is what varLValue reads.
      if (llvm::isa<PackedType>(pp.type)) b->CreateStore(b->getInt8(0), bytePtr(slot, 8));
    } else if (r == Rep::Memory) {
      copyBytes(slot, &*arg++, i64(int64_t(byteSize(pp.type))), 1);
    } else if (r == Rep::Proc) {
      b->CreateStore(&*arg++, slot);
      b->CreateStore(&*arg++, bytePtr(slot, 8));
    } else if (r == Rep::Ordinal) {
      // In the variable's own layout (I2): a WITH alias or a VAR argument may read it through that layout.
      storeOrdinal(varLValue(sym), &*arg++);
    } else {
      b->CreateStore(&*arg++, slot);
    }
    if (bound.frameOffset < 0 && (r == Rep::Ordinal || r == Rep::Memory || r == Rep::Pointer) && pp.mode == ParamMode::Value)
      declareDebugVar(sym, slot, pp.type, true, unsigned(i + 1));
  }
  returnBlock = llvm::BasicBlock::Create(ctx, "return", p.fn);
  initLocals(p.decl->body->decls);
  emitStmts(p.decl->body->body);
  if (!blockTerminated()) {
    if (p.type->result) {
      setLocation(p.decl->endName.range.valid() ? p.decl->endName.range : p.decl->range);
      trap(SPX_TRAP_NO_RETURN, p.decl->endName.range.valid() ? p.decl->endName.range : p.decl->range);
    } else {
      b->CreateBr(returnBlock);
    }
  }
  b->SetInsertPoint(returnBlock);
  llvm::Type *rt = p.fn->getReturnType();
  if (rt->isVoidTy()) b->CreateRetVoid();
  else b->CreateRet(b->CreateAlignedLoad(rt, resultSlot, llvm::Align(8)));
  if (frame) frame->setOperand(0, i64(p.frameSize));
  if (needsEntryChecks(p.fn)) finishPrologue(prologue, p.decl->range);
  diScope = nullptr;
  b->SetCurrentDebugLocation(llvm::DebugLoc());
  cur = nullptr;
}

// entry (allocas only) -> prologue (the entry checks, added by finishPrologue) -> what follows.
llvm::BasicBlock *CodeGen::startPrologue() {
  llvm::BasicBlock *prologue = llvm::BasicBlock::Create(ctx, "prologue", curFn);
  llvm::BasicBlock *rest = llvm::BasicBlock::Create(ctx, "params", curFn);
  b->CreateBr(prologue);
  b->SetInsertPoint(prologue);
  b->CreateBr(rest);
  b->SetInsertPoint(rest);
  return prologue;
}

void CodeGen::finishPrologue(llvm::BasicBlock *prologue, SourceRange where) {
  llvm::Instruction *br = prologue->getTerminator();
  llvm::BasicBlock *rest = br->getSuccessor(0);
  br->eraseFromParent();
  llvm::IRBuilderBase::InsertPointGuard guard(*b);
  b->SetInsertPoint(prologue);
  setLocation(where);
  checkStack(where);
  burnFuel(where);
  b->CreateBr(rest);
}

// A procedure that calls no other procedure of the extension cannot recurse, and with a small frame it
// cannot exhaust the stack's reserve below the limit (abi.h): its loops pay fuel for its work, so it needs no
// entry checks (invariants I4 and I6). Every other procedure pays one unit of fuel per call and checks the
// stack limit.
bool CodeGen::needsEntryChecks(llvm::Function *fn) {
  if (!mayElide()) return true;
  uint64_t frameBytes = 0;
  for (llvm::BasicBlock &bb : *fn)
    for (llvm::Instruction &inst : bb) {
      if (auto *a = llvm::dyn_cast<llvm::AllocaInst>(&inst)) {
        auto *n = llvm::dyn_cast<llvm::ConstantInt>(a->getArraySize());
        if (!n) return true;
        frameBytes += n->getZExtValue() * mod->getDataLayout().getTypeAllocSize(a->getAllocatedType());
      } else if (auto *c = llvm::dyn_cast<llvm::CallBase>(&inst)) {
        llvm::Function *callee = c->getCalledFunction();
        if (!callee || !callee->isDeclaration()) return true;
      }
    }
  return frameBytes > 4096;
}

void CodeGen::pushArgs(std::vector<llvm::Value *> &args, const ProcParam &p, Expr *actual, bool laterEffects) {
  Rep r = rep(p.type);
  if (r == Rep::OpenArray) {
    LValue lv = emitLValue(actual);
    RValue v = asOpenArray(RValue{nullptr, nullptr, lv.ptr, lv.lens}, lv.type);
    args.push_back(lv.ptr);
    unsigned dims;
    innermostElement(p.type, dims);
    for (unsigned k = 0; k < dims; ++k) args.push_back(k < v.lens.size() ? v.lens[k] : i64(0));
    return;
  }
  if (p.mode == ParamMode::Var) {
    args.push_back(emitLValue(actual).ptr);
    return;
  }
  if (p.mode == ParamMode::Readonly) {
    if (actual->cls == ExprClass::Designator && actual->type && sameType(actual->type, p.type) &&
        !llvm::isa<PackedType>(actual->type)) {
      args.push_back(emitLValue(actual).ptr);
      return;
    }
    llvm::Value *tmp = temp(p.type, "arg");
    LValue lv{tmp, nullptr, stripPacked(p.type), {}};
    if (r == Rep::Ordinal) {
      llvm::Value *v = emitOrdinal(actual);
      checkAssignRange(v, actual->type, p.type, actual->range);
      lv.type = p.type;  // the callee reads it in the parameter type's own layout (I2)
      storeOrdinal(lv, v);
    } else if (r == Rep::Proc) {
      // Not an assignment: the callee sees the value, nested or not, for the duration of the call (I3).
      RValue v = emit(actual);
      b->CreateAlignedStore(v.v, tmp, llvm::Align(8));
      b->CreateAlignedStore(v.env ? v.env : nullPtr(), bytePtr(tmp, 8), llvm::Align(8));
    } else {
      storeValue(lv, emit(actual), actual->type, actual->range);
    }
    args.push_back(tmp);
    return;
  }
  RValue v = emit(actual);
  switch (r) {
  case Rep::Ordinal:
    checkAssignRange(v.v, actual->type, p.type, actual->range);
    args.push_back(v.v);
    return;
  case Rep::Proc:
    args.push_back(v.v);
    args.push_back(v.env ? v.env : nullPtr());
    return;
  case Rep::Memory:
    if (actual->type && rep(actual->type) == Rep::OpenArray) {
      // An open array passed to a fixed one: lengths must agree.
      llvm::Value *tmp = temp(p.type, "arg");
      storeValue({tmp, nullptr, p.type, {}}, v, actual->type, actual->range);
      args.push_back(tmp);
      return;
    }
    if (laterEffects && p.mode == ParamMode::Value) {
      llvm::Value *tmp = temp(p.type, "arg");
      copyBytes(tmp, v.addr, i64(int64_t(byteSize(p.type))), 1);
      args.push_back(tmp);
      return;
    }
    args.push_back(v.addr);
    return;
  default: args.push_back(v.v); return;
  }
}

void CodeGen::checkRaised(const ProcType *pt) {
  if (!pt->raisesAny && pt->raises.empty()) return;
  llvm::Value *exc = b->CreateLoad(ptrTy, b->CreateStructGEP(state->getValueType(), state, 2));
  llvm::BasicBlock *raised = llvm::BasicBlock::Create(ctx, "raised", curFn);
  llvm::BasicBlock *ok = llvm::BasicBlock::Create(ctx, "noraise", curFn);
  b->CreateCondBr(b->CreateIsNotNull(exc), raised, ok);
  b->SetInsertPoint(raised);
  emitPropagate();
  b->SetInsertPoint(ok);
}

RValue CodeGen::emitCall(CallExpr *e, llvm::Value *sret) {
  setLocation(e->range);
  const ProcType *pt = llvm::cast<ProcType>(stripPacked(e->callee->type));
  Symbol *sym = e->callee->symbol && e->callee->symbol->kind == SymKind::Procedure ? e->callee->symbol : nullptr;
  std::vector<llvm::Value *> args;
  llvm::Value *code = nullptr, *env = nullptr;
  bool direct = sym != nullptr;
  ProcInfo *target = nullptr;
  if (direct) {
    code = procFunction(sym);
    auto it = procs.find(implOf.count(sym) ? implOf[sym] : sym);
    if (it != procs.end()) target = it->second.get();
    if (target && target->parent) args.push_back(envFor(target));
  } else {
    RValue pv = emit(e->callee);
    code = pv.v;
    env = pv.env;
    checkNil(code, e->callee->range);
  }
  std::vector<llvm::Value *> rest;
  if (pt->result && rep(pt->result) == Rep::Memory) rest.push_back(sret ? sret : temp(pt->result, "result"));
  for (size_t i = 0; i < pt->params.size(); ++i) {
    // A VALUE aggregate is the value it had when evaluated: copied if a later argument may change it.
    bool laterEffects = false;
    for (size_t j = i + 1; j < pt->params.size() && !laterEffects; ++j) laterEffects = mayHaveEffects(e->boundArgs[j]);
    pushArgs(rest, pt->params[i], e->boundArgs[i], laterEffects);
  }
  setLocation(e->range);
  llvm::Value *result;
  if (direct) {
    args.insert(args.end(), rest.begin(), rest.end());
    if (!target && isRuntimeProc(sym)) {
      args.push_back(b->getInt32(site(e->range)));  // the runtime procedure's hidden site (docs/abi.md)
      result = b->CreateCall(llvm::cast<llvm::Function>(code)->getFunctionType(), code, args);
    } else {
      result = b->CreateCall(procFnType(pt, target && target->parent), code, args);
    }
  } else if (!env || llvm::isa<llvm::ConstantPointerNull>(env)) {
    result = b->CreateCall(procFnType(pt, false), code, rest);
  } else {
    // A procedure value carries an environment only when it is a nested procedure.
    llvm::BasicBlock *nested = llvm::BasicBlock::Create(ctx, "call.nested", curFn);
    llvm::BasicBlock *plain = llvm::BasicBlock::Create(ctx, "call.plain", curFn);
    llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "call.done", curFn);
    b->CreateCondBr(b->CreateIsNotNull(env), nested, plain);
    b->SetInsertPoint(nested);
    std::vector<llvm::Value *> withEnv{env};
    withEnv.insert(withEnv.end(), rest.begin(), rest.end());
    llvm::Value *r1 = b->CreateCall(procFnType(pt, true), code, withEnv);
    b->CreateBr(done);
    b->SetInsertPoint(plain);
    llvm::Value *r2 = b->CreateCall(procFnType(pt, false), code, rest);
    b->CreateBr(done);
    b->SetInsertPoint(done);
    if (!r1->getType()->isVoidTy()) {
      llvm::PHINode *phi = b->CreatePHI(r1->getType(), 2);
      phi->addIncoming(r1, nested);
      phi->addIncoming(r2, plain);
      result = phi;
    } else {
      result = r1;
    }
  }
  checkRaised(pt);
  RValue r;
  if (!pt->result) return r;
  switch (rep(pt->result)) {
  case Rep::Ordinal: case Rep::Pointer: r.v = result; break;
  case Rep::Proc: r.v = result; r.env = nullPtr(); break;
  default: r.addr = rest.front(); break;
  }
  return r;
}

}  // namespace spx::cg
