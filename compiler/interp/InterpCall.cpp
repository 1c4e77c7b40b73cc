// Procedure calls: argument binding by mode (REFERENCE §3), frames with static links, RETURN and its checks.
#include "interp/Interp.h"

#include <algorithm>

namespace spx::interp {

namespace {
// Restores the caller's frame and depth however the call ends (RETURN, exception).
struct CallScope {
  Frame *&frame;
  Frame *saved;
  unsigned &depth;
  uint64_t &stack;
  uint64_t bytes;
  CallScope(Frame *&f, Frame *callee, unsigned &d, uint64_t &s, uint64_t b)
      : frame(f), saved(f), depth(d), stack(s), bytes(b) {
    frame = callee;
    ++depth;
    stack += bytes;
  }
  ~CallScope() {
    frame = saved;
    --depth;
    stack -= bytes;
  }
};
}  // namespace

Value Interpreter::evalCall(CallExpr *e) {
  if (e->builtin != Builtin::None) return evalBuiltin(e);
  Value callee = eval(e->callee);
  auto *pt = llvm::cast<ProcType>(stripPacked(e->callee->type));
  return callProcedure(callee, pt, e);
}

Value Interpreter::callProcedure(const Value &callee, const ProcType *pt, CallExpr *e) {
  // Calling NIL traps before the arguments are evaluated (REFERENCE is silent on the order; spinec does so).
  bool nil = (callee.kind == Value::Kind::Proc && !callee.proc) || callee.kind == Value::Kind::Ref;
  if (nil) trap("NIL dereference", e->range);
  size_t n = pt->params.size();
  std::vector<Place> aliases(n);
  std::vector<bool> isAlias(n, false);
  std::vector<Value> values(n);
  // Arguments are evaluated left to right as written (REFERENCE §5.1: operands left to right), then the defaults
  // of the formals not given. spinec evaluates named arguments in the order of the formals instead.
  std::vector<size_t> order;
  for (const Actual &a : e->args)
    for (size_t k = 0; k < n; ++k)
      if (e->boundArgs[k] == a.value && std::find(order.begin(), order.end(), k) == order.end()) {
        order.push_back(k);
        break;
      }
  for (size_t k = 0; k < n; ++k)
    if (std::find(order.begin(), order.end(), k) == order.end()) order.push_back(k);
  for (size_t k : order) {
    Expr *a = e->boundArgs[k];
    const ProcParam &p = pt->params[k];
    const Type *formal = stripPacked(p.type);
    bool alias = p.mode == ParamMode::Var ||
                 (p.mode == ParamMode::Readonly && a->cls == ExprClass::Designator &&
                  (sameType(a->type, p.type) || formal->kind == TypeKind::OpenArray));
    if (alias) {
      aliases[k] = place(a);
      isAlias[k] = true;
      continue;
    }
    // A VALUE (or copied READONLY) argument is copied when it is evaluated.
    values[k] = eval(a);
    checkStorable(values[k], p.type, a->range, /*mayBeNested=*/true);
  }
  auto *decl = llvm::dyn_cast_or_null<ProcedureDecl>(callee.proc->decl);
  if (!decl || !decl->body) {
    for (size_t k = 0; k < n; ++k)
      if (isAlias[k]) values[k] = read(aliases[k]);
    return callRuntime(callee.proc, values, e);
  }
  chargeFuel(1, decl->range);
  uint64_t bytes = frameBytes(decl, pt, values, isAlias);
  if (depth_ + 1 > limits_.maxDepth || stackUsed_ + bytes > limits_.stackBytes) trap("stack limit", decl->range);
  Frame f;
  f.owner = decl;
  f.link = callee.env ? callee.env : &globals_;
  f.result = pt->result;
  for (size_t k = 0; k < n && k < decl->paramSymbols.size(); ++k) {
    const Symbol *sym = decl->paramSymbols[k];
    if (isAlias[k]) {
      f.vars[sym] = aliases[k];
      continue;
    }
    auto [it, inserted] = f.locals.try_emplace(sym, std::move(values[k]));
    f.vars[sym] = Place{&it->second, nullptr, false, 0, 0};
  }
  CallScope scope(frame_, &f, depth_, stackUsed_, bytes);
  initVars(decl->body->decls);
  Flow flow = exec(decl->body->body);
  if (pt->result && flow != Flow::Return)
    trap("missing RETURN", decl->endName.empty() ? decl->range.end : decl->endName.range.begin);
  if (!pt->result) return Value();
  return std::move(result_);
}

}  // namespace spx::interp
