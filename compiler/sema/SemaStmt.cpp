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
    if (a->rhs->symbol && a->rhs->symbol->kind == SymKind::Procedure && a->rhs->symbol->level > 0 &&
        a->rhs->kind != ExprKind::Call)
      diags_.report(DiagId::err_nested_proc_assign, a->rhs->range, a->rhs->symbol->name.text);
    checkAssignable(a->rhs, lt, a->rhs->range);
    return;
  }
  case StmtKind::Call: {
    auto *c = llvm::cast<CallStmt>(s);
    checkExpr(c->call);
    if (c->call->cls == ExprClass::Error) return;
    if (!llvm::isa<CallExpr>(c->call)) {
      diags_.report(DiagId::err_expr_not_statement, c->call->range);
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
      if (!isError(checkValue(r->value))) checkAssignable(r->value, result, r->value->range);
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
    declareDecls(scope_, b->decls, false);
    checkDecls(b->decls);
    for (Decl *d : b->decls) checkSpinePragmas(d, false);
    checkStmts(b->body);
    popScope(saved);
    return;
  }
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
    if (!isError(checkValue(arg))) checkAssignable(arg, exc->excArg, arg->range);
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
    const Type *argType = types_.error();
    if (handled[h].size() != 1) {
      diags_.report(DiagId::err_handler_var_needs_one, handler.var.range);
    } else if (!handled[h][0]->excArg) {
      diags_.report(DiagId::err_handler_var_no_arg, handler.var.range, handled[h][0]->name.text);
    } else {
      argType = handled[h][0]->excArg;
    }
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
void Sema::mayRaise(Symbol *exc, SourceRange where, std::string_view via) {
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
    return;
  }
  if (!exc)
    diags_.report(DiagId::err_raises_any_escapes_module, where, via);
  else
    diags_.report(DiagId::err_exception_escapes_module, where, what);
}

}  // namespace spx
