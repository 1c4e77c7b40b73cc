// Statements, and the static RAISES discipline: every exception that may leave a statement must be handled
// by an enclosing TRY-EXCEPT or listed in the enclosing procedure's RAISES clause.
#include "sema/Sema.h"

#include <algorithm>

namespace spx {

void Sema::checkStmts(StmtList &stmts) {
  for (Stmt *s : stmts) {
    if (diags_.limitReached()) return;
    checkStmt(s);
  }
}

void Sema::checkStmt(Stmt *s) {
  switch (s->kind) {
  case StmtKind::Assign: {
    auto *a = llvm::cast<AssignStmt>(s);
    const Type *lt = checkValue(a->lhs);
    const Type *rt = checkValue(a->rhs);
    if (isError(lt) || isError(rt)) return;
    checkDesignatorWritable(a->lhs);
    checkStorable(a->rhs);
    checkAssignable(a->rhs, lt, a->rhs->range);
    return;
  }
  case StmtKind::Call: {
    auto *c = llvm::cast<CallStmt>(s);
    checkExpr(c->call);
    if (c->call->cls == ExprClass::Error) return;
    if (!llvm::isa<CallExpr>(c->call)) {
      auto *bin = llvm::dyn_cast<BinaryExpr>(c->call);
      if (bin && bin->op == BinaryOp::Eq) diags_.report(DiagId::err_eq_not_assignment, bin->opRange);
      else if (llvm::isa_and_nonnull<ProcType>(stripPacked(c->call->type)) || c->call->cls == ExprClass::Builtin)
        diags_.report(DiagId::err_proc_not_called, c->call->range);
      else diags_.report(DiagId::err_expr_not_statement, c->call->range);
      return;
    }
    if (c->call->type) diags_.report(DiagId::err_discarded_result, c->call->range);
    return;
  }
  case StmtKind::If: {
    auto *i = llvm::cast<IfStmt>(s);
    for (auto &arm : i->arms) {
      checkBoolean(arm.cond);
      checkStmts(arm.body);
    }
    checkStmts(i->elseBody);
    return;
  }
  case StmtKind::While: {
    auto *w = llvm::cast<WhileStmt>(s);
    checkBoolean(w->cond);
    ++loopDepth_;
    checkStmts(w->body);
    --loopDepth_;
    return;
  }
  case StmtKind::Repeat: {
    auto *r = llvm::cast<RepeatStmt>(s);
    ++loopDepth_;
    checkStmts(r->body);
    --loopDepth_;
    checkBoolean(r->cond);
    return;
  }
  case StmtKind::Loop:
    ++loopDepth_;
    checkStmts(llvm::cast<LoopStmt>(s)->body);
    --loopDepth_;
    return;
  case StmtKind::Exit:
    if (loopDepth_ == 0) diags_.report(DiagId::err_exit_outside_loop, s->range);
    return;
  case StmtKind::For: checkFor(llvm::cast<ForStmt>(s)); return;
  case StmtKind::Case: checkCase(llvm::cast<CaseStmt>(s)); return;
  case StmtKind::With: checkWith(llvm::cast<WithStmt>(s)); return;
  case StmtKind::Return: {
    auto *r = llvm::cast<ReturnStmt>(s);
    if (!proc_) {
      // A plain RETURN ends a module body early (Modula-3 2.3.7); there is nothing to return a value to.
      if (r->value) {
        checkExpr(r->value);
        diags_.report(DiagId::err_return_value_in_module, r->value->range);
      }
      return;
    }
    const Type *result = proc_->type->result;
    if (result && !r->value) {
      diags_.report(DiagId::err_return_needs_value, s->range, proc_->decl->name.text, typeName(result));
    } else if (!result && r->value) {
      checkExpr(r->value);
      diags_.report(DiagId::err_return_value_in_procedure, r->value->range, proc_->decl->name.text);
    } else if (r->value) {
      if (!isError(checkValue(r->value)) && checkAssignable(r->value, result, r->value->range)) checkStorable(r->value);
    }
    return;
  }
  case StmtKind::Raise: checkRaise(llvm::cast<RaiseStmt>(s)); return;
  case StmtKind::TryExcept: checkTryExcept(llvm::cast<TryExceptStmt>(s)); return;
  case StmtKind::TryFinally: {
    auto *t = llvm::cast<TryFinallyStmt>(s);
    checkStmts(t->body);
    checkStmts(t->finally);
    return;
  }
  case StmtKind::Eval: checkValue(llvm::cast<EvalStmt>(s)->value); return;
  case StmtKind::Lock: {
    auto *l = llvm::cast<LockStmt>(s);
    diags_.report(DiagId::err_unsupported_lock, SourceRange(s->range.begin, SourceLoc{s->range.begin.offset + 4}));
    checkStmts(l->body);
    return;
  }
  case StmtKind::Block: {
    Block *b = llvm::cast<BlockStmt>(s)->block;
    Scope *saved = pushScope(Scope::Kind::Block);
    // Its declarations live only while the block runs: procedures declared here are nested ones, even in a
    // module body.
    ++level_;
    declareDecls(scope_, b->decls, false);
    checkDecls(b->decls);
    for (Decl *d : b->decls) checkSpinePragmas(d, false);
    checkStmts(b->body);
    --level_;
    popScope(saved);
    return;
  }
  }
}

// Whether control may reach the end of `stmts`: a conservative answer for the missing-RETURN warning (the
// run-time check stays in any case). LOOP without EXIT, RETURN and RAISE end a path; IF, CASE and TRY end it
// when all their branches do.
bool Sema::mayFallThrough(const StmtList &stmts) {
  if (stmts.empty()) return true;
  const Stmt *last = stmts.back();
  auto hasExit = [](const StmtList &body) {
    // An EXIT directly in this loop body (not inside a nested loop) leaves it.
    std::vector<const StmtList *> work{&body};
    while (!work.empty()) {
      const StmtList *l = work.back();
      work.pop_back();
      for (const Stmt *s : *l) {
        switch (s->kind) {
        case StmtKind::Exit: return true;
        case StmtKind::If:
          for (auto &arm : llvm::cast<IfStmt>(s)->arms) work.push_back(&arm.body);
          work.push_back(&llvm::cast<IfStmt>(s)->elseBody);
          break;
        case StmtKind::Case:
          for (auto &arm : llvm::cast<CaseStmt>(s)->arms) work.push_back(&arm.body);
          work.push_back(&llvm::cast<CaseStmt>(s)->elseBody);
          break;
        case StmtKind::With: work.push_back(&llvm::cast<WithStmt>(s)->body); break;
        case StmtKind::TryExcept: {
          auto *t = llvm::cast<TryExceptStmt>(s);
          work.push_back(&t->body);
          for (auto &h : t->handlers) work.push_back(&h.body);
          work.push_back(&t->elseBody);
          break;
        }
        case StmtKind::TryFinally:
          work.push_back(&llvm::cast<TryFinallyStmt>(s)->body);
          work.push_back(&llvm::cast<TryFinallyStmt>(s)->finally);
          break;
        case StmtKind::Block: work.push_back(&llvm::cast<BlockStmt>(s)->block->body); break;
        default: break;
        }
      }
    }
    return false;
  };
  switch (last->kind) {
  case StmtKind::Return: case StmtKind::Raise: return false;
  case StmtKind::Loop: return hasExit(llvm::cast<LoopStmt>(last)->body);
  case StmtKind::If: {
    auto *i = llvm::cast<IfStmt>(last);
    if (!i->hasElse || mayFallThrough(i->elseBody)) return true;
    for (auto &arm : i->arms)
      if (mayFallThrough(arm.body)) return true;
    return false;
  }
  case StmtKind::Case: {
    auto *c = llvm::cast<CaseStmt>(last);
    // Without ELSE an unmatched value is a checked runtime error, not a fall-through.
    if (c->hasElse && mayFallThrough(c->elseBody)) return true;
    for (auto &arm : c->arms)
      if (mayFallThrough(arm.body)) return true;
    return false;
  }
  case StmtKind::With: return mayFallThrough(llvm::cast<WithStmt>(last)->body);
  case StmtKind::Block: return mayFallThrough(llvm::cast<BlockStmt>(last)->block->body);
  case StmtKind::TryExcept: {
    auto *t = llvm::cast<TryExceptStmt>(last);
    if (mayFallThrough(t->body) || (t->hasElse && mayFallThrough(t->elseBody))) return true;
    for (auto &h : t->handlers)
      if (mayFallThrough(h.body)) return true;
    return false;
  }
  case StmtKind::TryFinally: {
    auto *t = llvm::cast<TryFinallyStmt>(last);
    return mayFallThrough(t->body) && mayFallThrough(t->finally);
  }
  default: return true;
  }
}

void Sema::checkFor(ForStmt *f) {
  const Type *from = checkValue(f->from), *to = checkValue(f->to);
  const Type *varType = types_.error();
  if (!isError(from) && !isError(to)) {
    if (!isOrdinal(from) || !isOrdinal(to) || !sameType(ordinalBase(from), ordinalBase(to)))
      diags_.report(DiagId::err_for_bounds, SourceRange(f->from->range.begin, f->to->range.end), typeName(from),
                    typeName(to));
    else
      varType = ordinalBase(from);
  }
  if (f->by) {
    const Type *by = checkValue(f->by);
    if (!isError(by)) {
      if (!isInteger(by)) diags_.report(DiagId::err_for_step_type, f->by->range, typeName(by));
      else if (f->by->value && f->by->value->i == 0) diags_.report(DiagId::err_for_step_zero, f->by->range);
    }
  }
  Scope *saved = pushScope(Scope::Kind::Block);
  Symbol *v = newSymbol(SymKind::ForVar, f->var, nullptr);
  v->type = varType;
  v->writable = false;  // the loop variable is read-only in the body
  v->state = Symbol::State::Resolved;
  declare(scope_, v);
  f->varSymbol = v;
  ++loopDepth_;
  checkStmts(f->body);
  --loopDepth_;
  popScope(saved);
}

void Sema::checkCase(CaseStmt *c) {
  const Type *t = checkValue(c->selector);
  bool ok = !isError(t);
  if (ok && !isOrdinal(t)) {
    diags_.report(DiagId::err_case_not_ordinal, c->selector->range, typeName(t));
    ok = false;
  }
  struct Interval {
    int64_t lo, hi;
    SourceRange range;
  };
  std::vector<Interval> seen;
  for (auto &arm : c->arms) {
    for (auto &label : arm.labels) {
      const ConstValue *lo = checkConstant(label.low);
      const ConstValue *hi = label.high ? checkConstant(label.high) : lo;
      if (!ok || !lo || !hi) continue;
      if (!checkAssignable(label.low, t, label.low->range)) continue;
      if (label.high && !checkAssignable(label.high, t, label.high->range)) continue;
      if (lo->i > hi->i) {
        diags_.report(DiagId::err_case_empty_range, label.range);
        continue;
      }
      for (const Interval &iv : seen) {
        if (lo->i <= iv.hi && iv.lo <= hi->i) {
          diags_.report(DiagId::err_case_duplicate, label.range);
          diags_.report(DiagId::note_previous_label, iv.range);
          break;
        }
      }
      seen.push_back({lo->i, hi->i, label.range});
    }
    checkStmts(arm.body);
  }
  checkStmts(c->elseBody);
}

void Sema::checkWith(WithStmt *w) {
  // WITH a = x, b = y DO S END is WITH a = x DO WITH b = y DO S END END: each binding sees the previous ones.
  Scope *saved = scope_;
  for (auto &b : w->bindings) {
    const Type *t = checkValue(b.value);
    checkStorable(b.value);  // the alias would be a way to store a nested procedure unseen
    pushScope(Scope::Kind::Block);
    Symbol *s = newSymbol(SymKind::WithVar, b.name, nullptr);
    s->type = t;
    s->writable = b.value->cls == ExprClass::Designator && b.value->writable;
    s->value = b.value->value;
    s->withBinding = &b;
    s->state = Symbol::State::Resolved;
    declare(scope_, s);
    b.symbol = s;
  }
  checkStmts(w->body);
  scope_ = saved;
}

void Sema::checkRaise(RaiseStmt *s) {
  Expr *x = s->exception;
  Expr *arg = nullptr;
  if (auto *call = llvm::dyn_cast<CallExpr>(x)) {
    x = call->callee;
    if (call->args.size() > 1 || (call->args.size() == 1 && !call->args[0].name.empty())) {
      checkExpr(x);
      diags_.report(DiagId::err_raise_arg_count, call->parenRange);
      return;
    }
    if (!call->args.empty()) arg = call->args[0].value;
    call->cls = ExprClass::Exception;
  }
  checkExpr(x);
  if (x->cls == ExprClass::Error) return;
  if (x->cls != ExprClass::Exception) {
    diags_.report(DiagId::err_raise_not_exception, x->range);
    return;
  }
  Symbol *exc = x->symbol;
  s->exception->symbol = exc;
  if (exc->excArg && !arg) {
    diags_.report(DiagId::err_raise_needs_arg, s->range, exc->name.text, typeName(exc->excArg));
  } else if (!exc->excArg && arg) {
    checkExpr(arg);
    diags_.report(DiagId::err_raise_unexpected_arg, arg->range, exc->name.text);
  } else if (arg) {
    // A handler anywhere up the call chain receives the argument: a nested procedure must not travel there.
    if (!isError(checkValue(arg)) && checkAssignable(arg, exc->excArg, arg->range)) checkStorable(arg);
  }
  mayRaise(exc, s->range, "");
}

void Sema::checkTryExcept(TryExceptStmt *t) {
  HandlerFrame frame;
  frame.all = t->hasElse;
  std::vector<std::vector<Symbol *>> handled(t->handlers.size());
  for (size_t h = 0; h < t->handlers.size(); ++h) {
    for (const QualIdent &q : t->handlers[h].exceptions) {
      Symbol *s = lookupQualified(q);
      if (!s || s->kind == SymKind::Error) continue;
      if (s->kind != SymKind::Exception) {
        diags_.report(DiagId::err_not_an_exception, q.range(), q.name.text);
        continue;
      }
      if (!frame.exceptions.insert(s).second) {
        diags_.report(DiagId::err_duplicate_handler, q.range(), q.name.text);
        continue;
      }
      handled[h].push_back(s);
    }
    t->handlers[h].excSymbols = handled[h];
  }
  handlers_.push_back(frame);
  checkStmts(t->body);
  handlers_.pop_back();
  for (size_t h = 0; h < t->handlers.size(); ++h) {
    auto &handler = t->handlers[h];
    if (handler.var.empty()) {
      checkStmts(handler.body);
      continue;
    }
    // `A, B(v) =>` binds v when every exception named has an argument of one type.
    const Type *argType = types_.error();
    bool ok = !handled[h].empty();
    for (Symbol *exc : handled[h]) {
      if (!exc->excArg) {
        diags_.report(DiagId::err_handler_var_no_arg, handler.var.range, exc->name.text);
        ok = false;
        break;
      }
      if (exc != handled[h][0] && !sameType(exc->excArg, handled[h][0]->excArg)) {
        diags_.report(DiagId::err_handler_var_needs_one, handler.var.range);
        ok = false;
        break;
      }
    }
    if (ok) argType = handled[h][0]->excArg;
    Scope *saved = pushScope(Scope::Kind::Block);
    Symbol *v = newSymbol(SymKind::HandlerVar, handler.var, nullptr);
    v->type = argType;
    v->writable = true;
    v->state = Symbol::State::Resolved;
    declare(scope_, v);
    handler.varSymbol = v;
    checkStmts(handler.body);
    popScope(saved);
  }
  checkStmts(t->elseBody);
}

// `exc` null means "any exception" (a call of a RAISES ANY procedure).
void Sema::mayRaise(Symbol *exc, SourceRange where, std::string_view via, Symbol *viaSym) {
  for (auto it = handlers_.rbegin(); it != handlers_.rend(); ++it)
    if (it->all || (exc && it->exceptions.count(exc))) return;
  std::string what = exc ? exc->qualifiedName() : std::string("ANY");
  if (proc_) {
    const ProcType *pt = proc_->type;
    if (pt->raisesAny) return;
    if (exc && std::find(pt->raises.begin(), pt->raises.end(), exc) != pt->raises.end()) return;
    if (!exc)
      diags_.report(DiagId::err_raises_any_unhandled, where, via, proc_->decl->name.text);
    else if (via.empty())
      diags_.report(DiagId::err_exception_not_in_raises, where, what, proc_->decl->name.text);
    else
      diags_.report(DiagId::err_call_exception_not_in_raises, where, via, what, proc_->decl->name.text);
  } else if (!exc) {
    diags_.report(DiagId::err_raises_any_escapes_module, where, via);
  } else {
    diags_.report(DiagId::err_exception_escapes_module, where, what);
  }
  // Point at the declaration that says the callee raises it.
  if (viaSym && viaSym->name.range.valid()) {
    if (exc) diags_.report(DiagId::note_callee_raises, viaSym->name.range, viaSym->qualifiedName(), what);
    else diags_.report(DiagId::note_callee_raises_any, viaSym->name.range, viaSym->qualifiedName());
  }
}

}  // namespace spx
