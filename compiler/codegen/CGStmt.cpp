// Statements. Leaving a statement early (EXIT, RETURN, an exception) goes through the FINALLY parts it
// crosses: each TRY-FINALLY numbers the places its FINALLY code continues to, and a dispatch after that code
// jumps on. An exception in flight is spx_state.exc != NULL; it travels to the innermost TRY-EXCEPT or
// FINALLY of the procedure, or out of the procedure to its caller's check.
#include "codegen/detail/CG.h"

#include "spine/abi.h"

namespace spx::cg {

bool CodeGen::blockTerminated() { return b->GetInsertBlock()->getTerminator() != nullptr; }

void CodeGen::startBlock(const char *name) { b->SetInsertPoint(llvm::BasicBlock::Create(ctx, name, curFn)); }

void CodeGen::emitStmts(const StmtList &stmts) {
  for (Stmt *s : stmts) {
    if (blockTerminated()) startBlock("dead");  // code after RETURN/EXIT/RAISE: unreachable, removed later
    emitStmt(s);
  }
}

void CodeGen::branchOut(llvm::BasicBlock *target, size_t depth) {
  for (size_t i = cleanups.size(); i-- > depth;) {
    Cleanup &c = cleanups[i];
    if (c.kind != Cleanup::Kind::Finally) continue;
    auto &dests = c.dests;
    size_t idx = 0;
    while (idx < dests.size() && !(dests[idx].target == target && dests[idx].depth == depth)) ++idx;
    if (idx == dests.size()) dests.push_back({target, depth});
    b->CreateStore(b->getInt32(uint32_t(idx + 2)), c.destSlot);
    b->CreateBr(c.finallyBlock);
    return;
  }
  b->CreateBr(target);
}

void CodeGen::emitPropagate() {
  for (size_t i = cleanups.size(); i-- > 0;) {
    Cleanup &c = cleanups[i];
    if (c.kind == Cleanup::Kind::Except) {
      b->CreateBr(c.handlerBlock);
      return;
    }
    if (c.kind == Cleanup::Kind::Finally) {
      b->CreateStore(b->getInt32(1), c.destSlot);
      b->CreateBr(c.finallyBlock);
      return;
    }
  }
  // Out of the procedure: the caller checks spx_state.exc. The result is meaningless.
  llvm::Type *rt = curFn->getReturnType();
  if (rt->isVoidTy()) b->CreateRetVoid();
  else b->CreateRet(llvm::Constant::getNullValue(rt));
}

void CodeGen::emitStmt(Stmt *s) {
  setLocation(s->range);
  switch (s->kind) {
  case StmtKind::Assign: {
    auto *a = llvm::cast<AssignStmt>(s);
    LValue lv = emitLValue(a->lhs);
    assignInto(lv, a->rhs, a->rhs->range);
    return;
  }
  case StmtKind::Call: {
    auto *c = llvm::dyn_cast<CallExpr>(llvm::cast<CallStmt>(s)->call);
    if (!c) return;
    if (c->builtin == Builtin::Inc || c->builtin == Builtin::Dec) return emitIncDec(c, c->builtin == Builtin::Inc);
    emit(c);
    return;
  }
  case StmtKind::Eval: emit(llvm::cast<EvalStmt>(s)->value); return;
  case StmtKind::If: return emitIf(llvm::cast<IfStmt>(s));
  case StmtKind::While: return emitWhile(llvm::cast<WhileStmt>(s));
  case StmtKind::Repeat: return emitRepeat(llvm::cast<RepeatStmt>(s));
  case StmtKind::Loop: return emitLoop(llvm::cast<LoopStmt>(s));
  case StmtKind::Exit: {
    Cleanup *loop = nullptr;
    size_t depth = 0;
    for (size_t i = cleanups.size(); i-- > 0;)
      if (cleanups[i].kind == Cleanup::Kind::Loop) {
        loop = &cleanups[i];
        depth = i;
        break;
      }
    if (loop) branchOut(loop->exitBlock, depth);
    return;
  }
  case StmtKind::For: return emitFor(llvm::cast<ForStmt>(s));
  case StmtKind::Case: return emitCase(llvm::cast<CaseStmt>(s));
  case StmtKind::With: return emitWith(llvm::cast<WithStmt>(s));
  case StmtKind::Return: return emitReturn(llvm::cast<ReturnStmt>(s));
  case StmtKind::Raise: return emitRaise(llvm::cast<RaiseStmt>(s));
  case StmtKind::TryExcept: return emitTryExcept(llvm::cast<TryExceptStmt>(s));
  case StmtKind::TryFinally: return emitTryFinally(llvm::cast<TryFinallyStmt>(s));
  case StmtKind::Block: return emitBlock(llvm::cast<BlockStmt>(s)->block);
  case StmtKind::Lock: return;  // refused by Sema
  }
}

void CodeGen::emitBlock(Block *blk) {
  initLocals(blk->decls);
  emitStmts(blk->body);
}

void CodeGen::emitIf(IfStmt *s) {
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "if.end", curFn);
  for (auto &arm : s->arms) {
    llvm::BasicBlock *then = llvm::BasicBlock::Create(ctx, "if.then", curFn);
    llvm::BasicBlock *next = llvm::BasicBlock::Create(ctx, "if.else", curFn);
    setLocation(arm.cond->range);
    b->CreateCondBr(emitCond(arm.cond), then, next);
    b->SetInsertPoint(then);
    emitStmts(arm.body);
    if (!blockTerminated()) b->CreateBr(done);
    b->SetInsertPoint(next);
  }
  emitStmts(s->elseBody);
  if (!blockTerminated()) b->CreateBr(done);
  b->SetInsertPoint(done);
}

// A loop's body, with EXIT going to `exit`.
void CodeGen::emitLoopBody(const StmtList &body, llvm::BasicBlock *exit) {
  cleanups.push_back({Cleanup::Kind::Loop, nullptr, nullptr, nullptr, {}, nullptr, exit});
  emitStmts(body);
  cleanups.pop_back();
}

void CodeGen::emitWhile(WhileStmt *s) {
  llvm::BasicBlock *head = llvm::BasicBlock::Create(ctx, "while.cond", curFn);
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "while.body", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "while.end", curFn);
  b->CreateBr(head);
  b->SetInsertPoint(head);
  setLocation(s->cond->range);
  b->CreateCondBr(emitCond(s->cond), body, done);
  b->SetInsertPoint(body);
  emitLoopBody(s->body, done);
  if (!blockTerminated()) {
    burnFuel(s->range);
    b->CreateBr(head);
  }
  b->SetInsertPoint(done);
}

void CodeGen::emitRepeat(RepeatStmt *s) {
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "repeat.body", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "repeat.end", curFn);
  b->CreateBr(body);
  b->SetInsertPoint(body);
  emitLoopBody(s->body, done);
  if (!blockTerminated()) {
    setLocation(s->cond->range);
    llvm::Value *c = emitCond(s->cond);
    llvm::BasicBlock *again = llvm::BasicBlock::Create(ctx, "repeat.again", curFn);
    b->CreateCondBr(c, done, again);
    b->SetInsertPoint(again);
    burnFuel(s->range);
    b->CreateBr(body);
  }
  b->SetInsertPoint(done);
}

void CodeGen::emitLoop(LoopStmt *s) {
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "loop.body", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "loop.end", curFn);
  b->CreateBr(body);
  b->SetInsertPoint(body);
  emitLoopBody(s->body, done);
  if (!blockTerminated()) {
    burnFuel(s->range);
    b->CreateBr(body);
  }
  b->SetInsertPoint(done);
}

// FOR v := a TO b BY s: a, b and s are evaluated once; the loop stops after the last value in range without
// ever computing a value past LAST(INTEGER) or FIRST(INTEGER).
void CodeGen::emitFor(ForStmt *s) {
  llvm::Value *from = emitOrdinal(s->from);
  llvm::Value *to = emitOrdinal(s->to);
  llvm::Value *step = s->by ? emitOrdinal(s->by) : i64(1);
  int64_t constStep = 0;
  if (auto *c = llvm::dyn_cast<llvm::ConstantInt>(step)) constStep = c->getSExtValue();
  VarInfo vi;
  vi.type = s->varSymbol && s->varSymbol->type ? s->varSymbol->type : types.integer();
  if (rep(vi.type) != Rep::Ordinal) vi.type = types.integer();
  bindVar(s->varSymbol, vi);
  LValue var = varLValue(s->varSymbol);
  var.type = types.integer();  // the slot holds the i64 value whatever the variable's type
  llvm::BasicBlock *body = llvm::BasicBlock::Create(ctx, "for.body", curFn);
  llvm::BasicBlock *next = llvm::BasicBlock::Create(ctx, "for.next", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "for.end", curFn);
  llvm::Value *positive = constStep ? b->getInt1(constStep > 0) : b->CreateICmpSGT(step, i64(0));
  llvm::Value *enter = b->CreateSelect(positive, b->CreateICmpSLE(from, to), b->CreateICmpSGE(from, to));
  if (!constStep) enter = b->CreateOr(enter, b->CreateICmpEQ(step, i64(0)));
  storeOrdinal(var, from);
  if (cur && vars[s->varSymbol].frameOffset < 0) declareDebugVar(s->varSymbol, var.ptr, types.integer(), false, 0);
  auto *cfrom = llvm::dyn_cast<llvm::ConstantInt>(from), *cto = llvm::dyn_cast<llvm::ConstantInt>(to);
  // A short loop over a bounded body does bounded work without fuel (invariant I6).
  bool free = mayElide() && constStep && cfrom && cto && boundedStmts(s->body) &&
              (constStep > 0 ? __int128(cto->getSExtValue()) - cfrom->getSExtValue()
                             : __int128(cfrom->getSExtValue()) - cto->getSExtValue()) / (constStep > 0 ? constStep : -constStep) <
                  kFreeTrips;
  if (free) {
    b->CreateCondBr(enter, body, done);  // bounded like straight-line code (CGBounds.cpp)
  } else if (constStep) {
    // The number of iterations is known on entry: charge the fuel for all of them at once (an EXIT may make
    // that more than was used; fuel bounds work, it does not measure it), so the loop itself carries no check.
    llvm::BasicBlock *charge = llvm::BasicBlock::Create(ctx, "for.fuel", curFn);
    b->CreateCondBr(enter, charge, done);
    b->SetInsertPoint(charge);
    llvm::Value *span = constStep > 0 ? b->CreateSub(to, from) : b->CreateSub(from, to);
    llvm::Value *trips = b->CreateAdd(b->CreateUDiv(span, i64(constStep > 0 ? constStep : -constStep)), i64(1));
    llvm::Value *fuel = b->CreateStructGEP(state->getValueType(), state, 0);
    llvm::Value *left = b->CreateLoad(i64Ty, fuel);
    // trips wraps to 0 for a loop over all 2^64 values (FIRST(INTEGER) TO LAST(INTEGER)), which no fuel pays
    // for; otherwise fuel is never negative here, so compare unsigned.
    trapIf(b->CreateOr(b->CreateICmpEQ(trips, i64(0)), b->CreateICmpUGT(trips, left)), SPX_TRAP_FUEL, s->range);
    b->CreateStore(b->CreateSub(left, trips), fuel);
    b->CreateBr(body);
  } else {
    b->CreateCondBr(enter, body, done);
  }
  b->SetInsertPoint(body);
  emitLoopBody(s->body, done);
  if (!blockTerminated()) b->CreateBr(next);
  b->SetInsertPoint(next);
  setLocation(s->range);
  llvm::Value *v = loadOrdinal(var);
  llvm::Value *sum = b->CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, v, step);
  llvm::Value *nv = b->CreateExtractValue(sum, 0);
  llvm::Value *overflow = b->CreateExtractValue(sum, 1);
  llvm::Value *inRange = b->CreateSelect(positive, b->CreateICmpSLE(nv, to), b->CreateICmpSGE(nv, to));
  if (!constStep) inRange = b->CreateOr(inRange, b->CreateICmpEQ(step, i64(0)));
  llvm::Value *again = b->CreateAnd(inRange, b->CreateNot(overflow));
  llvm::BasicBlock *cont = llvm::BasicBlock::Create(ctx, "for.cont", curFn);
  b->CreateCondBr(again, cont, done);
  b->SetInsertPoint(cont);
  storeOrdinal(var, nv);
  if (!constStep) burnFuel(s->range);
  b->CreateBr(body);
  b->SetInsertPoint(done);
}

void CodeGen::emitCase(CaseStmt *s) {
  llvm::Value *sel = emitOrdinal(s->selector);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "case.end", curFn);
  llvm::BasicBlock *dflt = llvm::BasicBlock::Create(ctx, "case.else", curFn);
  std::vector<llvm::BasicBlock *> armBlocks;
  for (size_t k = 0; k < s->arms.size(); ++k) armBlocks.push_back(llvm::BasicBlock::Create(ctx, "case.arm", curFn));
  // Wide ranges are tested before the switch; single values and short ranges become switch cases. A label's
  // width hi - lo is unsigned: FIRST(INTEGER)..LAST(INTEGER) is 2^64 - 1 wide, which int64_t cannot hold.
  auto width = [](int64_t lo, int64_t hi) { return static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo); };
  for (size_t k = 0; k < s->arms.size(); ++k)
    for (const CaseStmt::Label &l : s->arms[k].labels) {
      if (!l.high || !l.high->value || !l.low->value) continue;
      int64_t lo = l.low->value->i, hi = l.high->value->i;
      if (width(lo, hi) < 64) continue;
      llvm::BasicBlock *no = llvm::BasicBlock::Create(ctx, "case.range", curFn);
      llvm::Value *offset = b->CreateSub(sel, i64(lo));
      b->CreateCondBr(b->CreateICmpULE(offset, b->getInt64(width(lo, hi))), armBlocks[k], no);
      b->SetInsertPoint(no);
    }
  llvm::SwitchInst *sw = b->CreateSwitch(sel, dflt);
  for (size_t k = 0; k < s->arms.size(); ++k)
    for (const CaseStmt::Label &l : s->arms[k].labels) {
      if (!l.low->value) continue;
      int64_t lo = l.low->value->i, hi = l.high && l.high->value ? l.high->value->i : lo;
      if (width(lo, hi) >= 64) continue;
      for (uint64_t n = 0; n <= width(lo, hi); ++n)
        sw->addCase(b->getInt64(static_cast<uint64_t>(lo) + n), armBlocks[k]);
    }
  for (size_t k = 0; k < s->arms.size(); ++k) {
    b->SetInsertPoint(armBlocks[k]);
    emitStmts(s->arms[k].body);
    if (!blockTerminated()) b->CreateBr(done);
  }
  b->SetInsertPoint(dflt);
  if (s->hasElse) {
    emitStmts(s->elseBody);
    if (!blockTerminated()) b->CreateBr(done);
  } else {
    setLocation(s->range);
    trap(SPX_TRAP_CASE, s->selector->range);
  }
  b->SetInsertPoint(done);
}

void CodeGen::emitWith(WithStmt *s) {
  for (auto &bd : s->bindings) {
    Expr *v = bd.value;
    VarInfo vi;
    vi.type = v->type;
    bool alias = v->cls == ExprClass::Designator;
    Rep r = rep(v->type);
    if (r == Rep::OpenArray) {
      innermostElement(v->type, vi.dims);
      vi.kind = VarInfo::Kind::OpenArray;
      LValue lv = emitLValue(v);
      llvm::Value *p = bindVar(bd.symbol, vi);
      b->CreateStore(lv.ptr, p);
      RValue ov = asOpenArray(RValue{nullptr, nullptr, lv.ptr, lv.lens}, lv.type);
      for (unsigned k = 0; k < vi.dims; ++k) b->CreateStore(ov.lens[k], bytePtr(p, 8 * (k + 1)));
      continue;
    }
    if (alias) {
      LValue lv = emitLValue(v);
      vi.kind = VarInfo::Kind::ByRef;
      vi.type = lv.type;
      llvm::Value *p = bindVar(bd.symbol, vi);
      b->CreateStore(lv.ptr, p);
      if (llvm::isa<PackedType>(lv.type)) b->CreateStore(lv.bit ? lv.bit : b->getInt8(0), bytePtr(p, 8));
      continue;
    }
    RValue val = emit(v);
    bindVar(bd.symbol, vi);
    LValue lv = varLValue(bd.symbol);
    if (r == Rep::Proc) {
      b->CreateStore(val.v, lv.ptr);
      b->CreateStore(val.env ? val.env : nullPtr(), bytePtr(lv.ptr, 8));
    } else {
      storeValue(lv, val, v->type, v->range);
    }
    if (cur && vars[bd.symbol].frameOffset < 0 && r == Rep::Ordinal) declareDebugVar(bd.symbol, lv.ptr, v->type, false, 0);
  }
  emitStmts(s->body);
}

void CodeGen::emitReturn(ReturnStmt *s) {
  if (s->value && cur) {
    const Type *rt = cur->type->result;
    switch (rep(rt)) {
    case Rep::Memory: storeValue({cur->sret, nullptr, rt, {}}, emit(s->value), s->value->type, s->value->range); break;
    case Rep::Ordinal: {
      llvm::Value *v = emitOrdinal(s->value);
      checkAssignRange(v, s->value->type, rt, s->value->range);
      b->CreateAlignedStore(v, resultSlot, llvm::Align(8));
      break;
    }
    case Rep::Proc: {
      RValue v = emit(s->value);
      if (v.env && !llvm::isa<llvm::ConstantPointerNull>(v.env))
        trapIf(b->CreateIsNotNull(v.env), SPX_TRAP_NESTED_PROC, s->value->range);
      b->CreateAlignedStore(v.v, resultSlot, llvm::Align(8));
      break;
    }
    default: b->CreateAlignedStore(emit(s->value).v, resultSlot, llvm::Align(8)); break;
    }
  }
  branchOut(returnBlock, 0);
}

void CodeGen::emitRaise(RaiseStmt *s) {
  Expr *x = s->exception;
  Expr *arg = nullptr;
  if (auto *c = llvm::dyn_cast<CallExpr>(x)) {
    x = c->callee;
    if (!c->args.empty()) arg = c->args.front().value;
  }
  Symbol *exc = x->symbol;
  if (!exc) return;
  llvm::GlobalVariable *g = exceptionGlobal(exc);
  if (arg && exc->excArg) storeValue({g, nullptr, exc->excArg, {}}, emit(arg), arg->type, arg->range);
  b->CreateStore(g, b->CreateStructGEP(state->getValueType(), state, 2));
  emitPropagate();
}

void CodeGen::emitTryExcept(TryExceptStmt *s) {
  llvm::BasicBlock *handler = llvm::BasicBlock::Create(ctx, "except", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "try.end", curFn);
  Cleanup c{Cleanup::Kind::Except, nullptr, nullptr, nullptr, {}, handler, nullptr};
  cleanups.push_back(c);
  emitStmts(s->body);
  cleanups.pop_back();
  if (!blockTerminated()) b->CreateBr(done);
  // Dispatch on the exception in flight; handlers themselves are outside this TRY.
  b->SetInsertPoint(handler);
  llvm::Value *excSlot = b->CreateStructGEP(state->getValueType(), state, 2);
  llvm::Value *exc = b->CreateLoad(ptrTy, excSlot);
  for (auto &h : s->handlers) {
    llvm::BasicBlock *run = llvm::BasicBlock::Create(ctx, "handler", curFn);
    llvm::BasicBlock *next = llvm::BasicBlock::Create(ctx, "handler.next", curFn);
    llvm::Value *match = b->getFalse();
    std::vector<Symbol *> excs = h.excSymbols;
    for (Symbol *es : excs) match = b->CreateOr(match, b->CreateICmpEQ(exc, exceptionGlobal(es)));
    b->CreateCondBr(match, run, next);
    b->SetInsertPoint(run);
    b->CreateStore(nullPtr(), excSlot);
    if (h.varSymbol && !excs.empty() && excs.front()->excArg) {
      VarInfo vi;
      vi.type = excs.front()->excArg;
      bindVar(h.varSymbol, vi);
      LValue lv = varLValue(h.varSymbol);
      // All exceptions of one binding handler have the same argument type: copy from whichever was raised.
      llvm::Value *src = exceptionGlobal(excs.front());
      for (size_t k = 1; k < excs.size(); ++k)
        src = b->CreateSelect(b->CreateICmpEQ(exc, exceptionGlobal(excs[k])), exceptionGlobal(excs[k]), src);
      storeValue(lv, loadValue({src, nullptr, vi.type, {}}), vi.type, h.range);
    }
    emitStmts(h.body);
    if (!blockTerminated()) b->CreateBr(done);
    b->SetInsertPoint(next);
  }
  if (s->hasElse) {
    b->CreateStore(nullPtr(), excSlot);
    emitStmts(s->elseBody);
    if (!blockTerminated()) b->CreateBr(done);
  } else {
    emitPropagate();
  }
  b->SetInsertPoint(done);
}

void CodeGen::emitTryFinally(TryFinallyStmt *s) {
  llvm::BasicBlock *fin = llvm::BasicBlock::Create(ctx, "finally", curFn);
  llvm::BasicBlock *done = llvm::BasicBlock::Create(ctx, "finally.end", curFn);
  llvm::Value *dest = tempBytes(4, 4, "finally.dest");
  llvm::Value *saved = tempBytes(8, 8, "finally.exc");
  cleanups.push_back({Cleanup::Kind::Finally, s, fin, dest, {}, nullptr, nullptr});
  emitStmts(s->body);
  std::vector<Cleanup::Dest> dests = std::move(cleanups.back().dests);
  cleanups.pop_back();
  if (!blockTerminated()) {
    b->CreateStore(b->getInt32(0), dest);
    b->CreateBr(fin);
  }
  // The FINALLY code runs with no exception in flight (it may call procedures that raise and handle their own);
  // a pending one is set aside and restored afterwards.
  b->SetInsertPoint(fin);
  llvm::Value *excSlot = b->CreateStructGEP(state->getValueType(), state, 2);
  llvm::Value *pending = b->CreateLoad(ptrTy, excSlot);
  b->CreateStore(pending, saved);
  b->CreateStore(nullPtr(), excSlot);
  // The pending exception's argument too (the FINALLY code may raise and handle the same exception); only
  // when one is pending, which is off the normal path.
  llvm::AllocaInst *argBuf = tempBytes(8, 16, "finally.arg");
  excArgBuffers.push_back(argBuf);
  {
    llvm::BasicBlock *keep = llvm::BasicBlock::Create(ctx, "finally.keeparg", curFn);
    llvm::BasicBlock *run = llvm::BasicBlock::Create(ctx, "finally.run", curFn);
    b->CreateCondBr(b->CreateIsNotNull(pending), keep, run);
    b->SetInsertPoint(keep);
    b->CreateCall(exceptionArgumentCopy(true), {pending, argBuf});
    b->CreateBr(run);
    b->SetInsertPoint(run);
  }
  emitStmts(s->finally);
  if (blockTerminated()) {
    b->SetInsertPoint(done);
    return;
  }
  llvm::Value *d = b->CreateLoad(i32Ty, dest);
  llvm::BasicBlock *propagate = llvm::BasicBlock::Create(ctx, "finally.propagate", curFn);
  llvm::SwitchInst *sw = b->CreateSwitch(d, done);
  sw->addCase(b->getInt32(1), propagate);
  b->SetInsertPoint(propagate);
  llvm::Value *resumed = b->CreateLoad(ptrTy, saved);
  b->CreateCall(exceptionArgumentCopy(false), {resumed, argBuf});
  b->CreateStore(resumed, excSlot);
  emitPropagate();
  for (size_t k = 0; k < dests.size(); ++k) {
    llvm::BasicBlock *go = llvm::BasicBlock::Create(ctx, "finally.jump", curFn);
    sw->addCase(b->getInt32(uint32_t(k + 2)), go);
    b->SetInsertPoint(go);
    branchOut(dests[k].target, dests[k].depth);
  }
  b->SetInsertPoint(done);
}

}  // namespace spx::cg
