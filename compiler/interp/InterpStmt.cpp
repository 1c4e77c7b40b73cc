// Statements. EXIT and RETURN are flows returned up to the loop or call; exceptions are C++ exceptions
// (Raised), and so are traps (Trap), which no TRY catches.
#include "interp/Interp.h"

#include <optional>

namespace spx::interp {

Interpreter::Flow Interpreter::exec(const StmtList &stmts) {
  for (Stmt *s : stmts) {
    if (!s) continue;
    Flow f = exec(s);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::execBlock(Block *b) {
  initVars(b->decls);  // fresh at each entry
  return exec(b->body);
}

Interpreter::Flow Interpreter::exec(Stmt *s) {
  switch (s->kind) {
  case StmtKind::Assign: {
    auto *a = llvm::cast<AssignStmt>(s);
    // The designator first, then the value (REFERENCE is silent on the order; spinec does the same).
    Place p = place(a->lhs);
    Value v = eval(a->rhs);
    store(p, v, a->lhs->type, a->rhs->range);
    return Flow::Normal;
  }
  case StmtKind::Call: {
    auto *c = llvm::dyn_cast<CallExpr>(llvm::cast<CallStmt>(s)->call);
    if (!c) throw Unsupported{"call statement of this form", s->range.begin};
    if (c->builtin == Builtin::Inc || c->builtin == Builtin::Dec) incDec(c);
    else evalCall(c);
    return Flow::Normal;
  }
  case StmtKind::Eval: eval(llvm::cast<EvalStmt>(s)->value); return Flow::Normal;
  case StmtKind::If: {
    auto *i = llvm::cast<IfStmt>(s);
    for (auto &arm : i->arms)
      if (eval(arm.cond).i) return exec(arm.body);
    return exec(i->elseBody);
  }
  case StmtKind::While: {
    auto *w = llvm::cast<WhileStmt>(s);
    while (eval(w->cond).i) {
      Flow f = exec(w->body);
      if (f == Flow::Exit) break;
      if (f == Flow::Return) return f;
      chargeFuel(1, s->range);
    }
    return Flow::Normal;
  }
  case StmtKind::Repeat: {
    auto *r = llvm::cast<RepeatStmt>(s);
    for (;;) {
      Flow f = exec(r->body);
      if (f == Flow::Exit) break;
      if (f == Flow::Return) return f;
      if (eval(r->cond).i) break;
      chargeFuel(1, s->range);
    }
    return Flow::Normal;
  }
  case StmtKind::Loop: {
    auto *l = llvm::cast<LoopStmt>(s);
    for (;;) {
      Flow f = exec(l->body);
      if (f == Flow::Exit) break;
      if (f == Flow::Return) return f;
      chargeFuel(1, s->range);
    }
    return Flow::Normal;
  }
  case StmtKind::Exit: return Flow::Exit;
  case StmtKind::For: return execFor(llvm::cast<ForStmt>(s));
  case StmtKind::Case: return execCase(llvm::cast<CaseStmt>(s));
  case StmtKind::With: return execWith(llvm::cast<WithStmt>(s));
  case StmtKind::Return: {
    auto *r = llvm::cast<ReturnStmt>(s);
    if (r->value) {
      Value v = eval(r->value);
      if (frame_->result) checkStorable(v, frame_->result, r->value->range);
      result_ = std::move(v);
    }
    return Flow::Return;
  }
  case StmtKind::Raise: {
    auto *r = llvm::cast<RaiseStmt>(s);
    Raised x{nullptr, Value()};
    if (auto *c = llvm::dyn_cast<CallExpr>(r->exception)) {
      x.exc = c->callee->symbol;
      if (!c->args.empty()) {
        x.arg = eval(c->args[0].value);
        if (x.exc && x.exc->excArg) checkStorable(x.arg, x.exc->excArg, c->args[0].value->range);
      }
    } else {
      x.exc = r->exception->symbol;
    }
    throw x;
  }
  case StmtKind::TryExcept: return execTryExcept(llvm::cast<TryExceptStmt>(s));
  case StmtKind::TryFinally: return execTryFinally(llvm::cast<TryFinallyStmt>(s));
  case StmtKind::Block: return execBlock(llvm::cast<BlockStmt>(s)->block);
  case StmtKind::Lock: break;
  }
  throw Unsupported{"statement of this form", s->range.begin};
}

// REFERENCE §6.3: bounds and step evaluated once; the loop never overflows.
Interpreter::Flow Interpreter::execFor(ForStmt *s) {
  int64_t v = eval(s->from).i;
  int64_t last = eval(s->to).i;
  int64_t step = s->by ? eval(s->by).i : 1;
  if ((step > 0 && v > last) || (step < 0 && v < last)) return Flow::Normal;
  for (;;) {
    declareLocal(s->varSymbol, Value::integer(v));
    Flow f = exec(s->body);
    if (f == Flow::Exit) break;
    if (f == Flow::Return) return f;
    if (step > 0 && static_cast<__int128>(last) - v < step) break;
    if (step < 0 && static_cast<__int128>(last) - v > step) break;
    v += step;
    chargeFuel(1, s->range);
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::execCase(CaseStmt *s) {
  int64_t sel = eval(s->selector).i;
  for (auto &arm : s->arms)
    for (auto &l : arm.labels) {
      int64_t lo = l.low->value->i, hi = l.high ? l.high->value->i : lo;
      if (lo <= sel && sel <= hi) return exec(arm.body);
    }
  if (!s->hasElse) trap("CASE without arm", s->selector->range);
  return exec(s->elseBody);
}

// REFERENCE §6.5: a designator is aliased, any other expression is a value; one binding after the other.
Interpreter::Flow Interpreter::execWith(WithStmt *s) {
  for (auto &b : s->bindings) {
    if (b.value->cls == ExprClass::Designator) bindAlias(b.symbol, place(b.value));
    else declareLocal(b.symbol, eval(b.value));
  }
  return exec(s->body);
}

Interpreter::Flow Interpreter::execTryExcept(TryExceptStmt *s) {
  std::optional<Raised> caught;
  try {
    return exec(s->body);
  } catch (Raised &r) {
    caught = std::move(r);
  }
  for (auto &h : s->handlers)
    for (Symbol *exc : h.excSymbols)
      if (exc == caught->exc) {
        if (h.varSymbol) declareLocal(h.varSymbol, caught->arg);
        return exec(h.body);
      }
  if (s->hasElse) return exec(s->elseBody);
  throw *caught;
}

// REFERENCE §6.7: the FINALLY part runs however the body ends; if it ends normally, the body's ending (an
// exception, EXIT or RETURN with its value) continues, else the FINALLY part's own ending takes precedence.
Interpreter::Flow Interpreter::execTryFinally(TryFinallyStmt *s) {
  std::optional<Raised> pending;
  Flow f = Flow::Normal;
  try {
    f = exec(s->body);
  } catch (Raised &r) {
    pending = std::move(r);
  }
  Value returning = result_;
  Flow g = exec(s->finally);
  if (g != Flow::Normal) return g;
  result_ = std::move(returning);
  if (pending) throw *pending;
  return f;
}

}  // namespace spx::interp
