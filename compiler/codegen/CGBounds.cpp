// Which statements do statically bounded work: no loops, and no calls of the extension's own procedures
// (builtins, Word and the runtime's procedures return without running extension code). A FOR loop of at most
// kFreeTrips iterations over such a body is bounded like straight-line code, so it needs no fuel: this keeps
// fixed small loops (header checksums, table scans) free of checks, as lang/REFERENCE.md section 10 says.
#include "codegen/detail/CG.h"

namespace spx::cg {

bool CodeGen::boundedExpr(const Expr *e) {
  if (!e) return true;
  switch (e->kind) {
  case ExprKind::Unary: return boundedExpr(llvm::cast<UnaryExpr>(e)->operand);
  case ExprKind::Binary:
    return boundedExpr(llvm::cast<BinaryExpr>(e)->lhs) && boundedExpr(llvm::cast<BinaryExpr>(e)->rhs);
  case ExprKind::Deref: return boundedExpr(llvm::cast<DerefExpr>(e)->operand);
  case ExprKind::Field: return boundedExpr(llvm::cast<FieldExpr>(e)->base);
  case ExprKind::Index:
    return boundedExpr(llvm::cast<IndexExpr>(e)->base) && boundedExpr(llvm::cast<IndexExpr>(e)->index);
  case ExprKind::Constructor:
    for (const ConsElem &el : llvm::cast<ConstructorExpr>(e)->elems)
      if (!boundedExpr(el.value) || !boundedExpr(el.high)) return false;
    return true;
  case ExprKind::Call: {
    auto *c = llvm::cast<CallExpr>(e);
    for (const Actual &a : c->args)
      if (!boundedExpr(a.value)) return false;
    if (c->builtin != Builtin::None) return true;
    Symbol *s = c->callee->symbol;
    if (!s || s->kind != SymKind::Procedure || !s->unit) return false;  // through a procedure value
    return s->unit->isInterface() && isRuntimeUnit(s->unit);            // Word, IO, ...
  }
  default: return true;
  }
}

// Whether evaluating `e` may change a variable: it calls a procedure (builtins and Word change nothing). An
// aggregate operand evaluated before such an operand is copied first, so that it keeps the value it had when
// it was evaluated (left-to-right evaluation, lang/REFERENCE.md section 5.1).
bool CodeGen::mayHaveEffects(const Expr *e) {
  if (!e) return false;
  switch (e->kind) {
  case ExprKind::Unary: return mayHaveEffects(llvm::cast<UnaryExpr>(e)->operand);
  case ExprKind::Binary:
    return mayHaveEffects(llvm::cast<BinaryExpr>(e)->lhs) || mayHaveEffects(llvm::cast<BinaryExpr>(e)->rhs);
  case ExprKind::Deref: return mayHaveEffects(llvm::cast<DerefExpr>(e)->operand);
  case ExprKind::Field: return mayHaveEffects(llvm::cast<FieldExpr>(e)->base);
  case ExprKind::Index:
    return mayHaveEffects(llvm::cast<IndexExpr>(e)->base) || mayHaveEffects(llvm::cast<IndexExpr>(e)->index);
  case ExprKind::Constructor:
    for (const ConsElem &el : llvm::cast<ConstructorExpr>(e)->elems)
      if (mayHaveEffects(el.value) || mayHaveEffects(el.high)) return true;
    return false;
  case ExprKind::Call: {
    auto *c = llvm::cast<CallExpr>(e);
    for (const Actual &a : c->args)
      if (mayHaveEffects(a.value)) return true;
    std::string word;
    return c->builtin == Builtin::None && !isWordCall(const_cast<CallExpr *>(c), word);
  }
  default: return false;
  }
}

RValue CodeGen::copyIfChanged(const RValue &v, const Type *t, const Expr *later) {
  if (!v.addr || !mayHaveEffects(later)) return v;
  llvm::AllocaInst *tmp = temp(t, "operand");
  copyBytes(tmp, v.addr, i64(int64_t(byteSize(t))), 1);
  return RValue{nullptr, nullptr, tmp, {}};
}

bool CodeGen::boundedStmts(const StmtList &stmts) {
  for (const Stmt *s : stmts) {
    switch (s->kind) {
    case StmtKind::While: case StmtKind::Repeat: case StmtKind::Loop: case StmtKind::For: case StmtKind::Block:
    case StmtKind::TryExcept: case StmtKind::TryFinally: case StmtKind::Lock:
      return false;
    case StmtKind::Assign:
      if (!boundedExpr(llvm::cast<AssignStmt>(s)->lhs) || !boundedExpr(llvm::cast<AssignStmt>(s)->rhs)) return false;
      break;
    case StmtKind::Call: if (!boundedExpr(llvm::cast<CallStmt>(s)->call)) return false; break;
    case StmtKind::Eval: if (!boundedExpr(llvm::cast<EvalStmt>(s)->value)) return false; break;
    case StmtKind::Return: if (!boundedExpr(llvm::cast<ReturnStmt>(s)->value)) return false; break;
    case StmtKind::Raise: if (!boundedExpr(llvm::cast<RaiseStmt>(s)->exception)) return false; break;
    case StmtKind::If:
      for (const auto &arm : llvm::cast<IfStmt>(s)->arms)
        if (!boundedExpr(arm.cond) || !boundedStmts(arm.body)) return false;
      if (!boundedStmts(llvm::cast<IfStmt>(s)->elseBody)) return false;
      break;
    case StmtKind::Case:
      if (!boundedExpr(llvm::cast<CaseStmt>(s)->selector)) return false;
      for (const auto &arm : llvm::cast<CaseStmt>(s)->arms)
        if (!boundedStmts(arm.body)) return false;
      if (!boundedStmts(llvm::cast<CaseStmt>(s)->elseBody)) return false;
      break;
    case StmtKind::With:
      for (const auto &bd : llvm::cast<WithStmt>(s)->bindings)
        if (!boundedExpr(bd.value)) return false;
      if (!boundedStmts(llvm::cast<WithStmt>(s)->body)) return false;
      break;
    case StmtKind::Exit: break;
    }
  }
  return true;
}

}  // namespace spx::cg
