// SPINE's additions to Modula-3: events and handlers with guards, message interfaces, and VIEW.
#include "sema/Sema.h"

#include <limits>

namespace spx {

void Sema::checkSpinePragmas(Decl *d, bool inInterface) {
  auto *proc = llvm::dyn_cast<ProcedureDecl>(d);
  for (const Pragma &p : d->pragmas) {
    if (p.kind == Pragma::Kind::Event) {
      if (!proc || !inInterface) {
        diags_.report(DiagId::err_event_placement, p.range);
        continue;
      }
      if (proc->body) continue;  // already reported: a procedure in an interface has no body
      if (proc->sig.result) diags_.report(DiagId::err_event_result, proc->sig.result->range, proc->name.text);
      if (proc->sig.raises != Signature::Raises::None)
        diags_.report(DiagId::err_event_raises, proc->sig.raisesRange, proc->name.text);
    } else if (p.kind == Pragma::Kind::Handler) {
      // Handlers are installed when the extension is loaded, so they are top-level procedures of a module.
      if (!proc || inInterface || !proc->body || level_ != 0) {
        diags_.report(DiagId::err_handler_placement, p.range);
        continue;
      }
      checkHandler(proc, p);
    }
  }
}

namespace {
// A handler may name its parameters as it likes: only modes, types and the result must match the event's.
bool sameShape(const ProcType *a, const ProcType *b) {
  if (a->params.size() != b->params.size() || !sameType(a->result, b->result)) return false;
  for (size_t i = 0; i < a->params.size(); ++i)
    if (a->params[i].mode != b->params[i].mode || !sameType(a->params[i].type, b->params[i].type)) return false;
  return true;
}
}  // namespace

void Sema::checkHandler(ProcedureDecl *proc, const Pragma &p) {
  Symbol *ev = lookupQualified(p.event);
  if (!ev || ev->kind == SymKind::Error) return;
  if (ev->kind != SymKind::Procedure || !ev->isEvent) {
    diags_.report(DiagId::err_handler_not_event, p.event.range(), ev->qualifiedName());
    if (ev->name.range.valid()) diags_.report(DiagId::note_declared_here, ev->name.range, ev->qualifiedName());
    return;
  }
  if (ev->unit && ev->unit->isMessages()) {
    diags_.report(DiagId::err_handler_host_event, p.event.range(), ev->qualifiedName());
    return;
  }
  auto *et = llvm::dyn_cast_or_null<ProcType>(ev->type);
  auto *ht = llvm::dyn_cast_or_null<ProcType>(proc->symbol ? proc->symbol->type : nullptr);
  if (!et || !ht) return;
  if (!sameShape(et, ht)) {
    diags_.report(DiagId::err_handler_signature, proc->name.range, proc->name.text, typeName(ht),
                  ev->qualifiedName(), typeName(et));
    diags_.report(DiagId::note_declared_here, ev->name.range, ev->qualifiedName());
  }
  // The dispatcher calls handlers with nobody above to catch an exception, so a handler raises nothing: with
  // an empty RAISES set, the body check refuses every exception it does not handle itself.
  if (ht->raisesAny || !ht->raises.empty())
    diags_.report(DiagId::err_handler_raises, proc->sig.raisesRange, proc->name.text);
  proc->handledEvent = ev;
  if (p.guard.empty()) return;
  Symbol *g = lookupName(p.guard);
  if (g->kind == SymKind::Error) return;
  auto *gt = llvm::dyn_cast_or_null<ProcType>(g->type);
  bool ok = g->kind == SymKind::Procedure && !g->isEvent && gt && gt->params.size() == et->params.size() && gt->result &&
            isBoolean(gt->result, types_) && gt->raises.empty() && !gt->raisesAny;
  for (size_t i = 0; ok && i < et->params.size(); ++i)
    ok = gt->params[i].mode == et->params[i].mode && sameType(gt->params[i].type, et->params[i].type);
  if (!ok) {
    diags_.report(DiagId::err_guard_signature, p.guard.range, p.guard.text, ev->qualifiedName());
    if (g->name.range.valid()) diags_.report(DiagId::note_declared_here, g->name.range, g->name.text);
    return;
  }
  proc->handlerGuard = g;
}

// Checks a message interface and records its requests and events, numbered by their order (Sema is the one
// place that decides what a message is and what its number on the wire is).
void Sema::checkMessageInterface(Unit *unit, InterfaceInfo &info) {
  for (Decl *d : unit->decls) {
    if (auto *x = llvm::dyn_cast<ExceptionDecl>(d)) {
      // A request's exception travels back to the host with its argument.
      if (x->symbol && x->symbol->excArg && !crossesHostChannel(x->symbol->excArg, false))
        diags_.report(DiagId::err_not_marshallable_exception, x->arg->range, typeName(x->symbol->excArg), x->name.text);
      continue;
    }
    if (auto *v = llvm::dyn_cast<VarDecl>(d)) {
      diags_.report(DiagId::err_message_var, v->name.range, v->name.text);
      continue;
    }
    auto *proc = llvm::dyn_cast<ProcedureDecl>(d);
    if (!proc || !proc->symbol) continue;
    auto *pt = llvm::dyn_cast_or_null<ProcType>(proc->symbol->type);
    if (!pt) continue;
    (proc->symbol->isEvent ? info.events : info.requests).push_back(proc->symbol);
    for (size_t i = 0; i < pt->params.size(); ++i) {
      const Formal &f = proc->sig.formals[i];
      if (f.mode == ParamMode::Var) {
        diags_.report(DiagId::err_message_var_param, f.name.range, f.name.text, proc->name.text);
        continue;
      }
      if (!crossesHostChannel(pt->params[i].type, true))
        diags_.report(DiagId::err_not_marshallable, f.type ? f.type->range : f.name.range,
                      typeName(pt->params[i].type), f.name.text, proc->name.text);
    }
    // What a request raises travels back to the host too.
    if (!proc->symbol->isEvent) {
      if (pt->raisesAny) diags_.report(DiagId::err_message_raises_any, proc->sig.raisesRange, proc->name.text);
      for (Symbol *exc : pt->raises)
        if (exc->excArg && !crossesHostChannel(exc->excArg, false))
          diags_.report(DiagId::err_not_marshallable_exception, proc->sig.raisesRange, typeName(exc->excArg),
                        exc->qualifiedName());
    }
    if (pt->result && !crossesHostChannel(pt->result, false))
      diags_.report(DiagId::err_not_marshallable_result, proc->sig.result->range, typeName(pt->result),
                    proc->name.text);
  }
}

namespace {
// Whether every bit pattern of an ordinal's storage is one of its values. Bytes seen through a VIEW can hold
// anything, so only such types may be viewed (or be viewed through): a BOOLEAN or [0..5] field could otherwise
// hold a value outside its type, which later code trusts.
bool everyPatternIsValue(const Type *t) {
  uint64_t bits = bitSize(t);
  int64_t lo, hi;
  ordinalBounds(t, lo, hi);
  if (bits >= 64) return lo == std::numeric_limits<int64_t>::min() && hi == std::numeric_limits<int64_t>::max();
  int64_t span = int64_t{1} << bits;
  return (lo == 0 && hi == span - 1) || (lo == -span / 2 && hi == span / 2 - 1);
}

// Plain data with a defined layout: full-range ordinals (packed or not) and fixed arrays and records of them.
// Sets, references and procedures are excluded, so a VIEW can neither forge a reference nor depend on set
// layout. `bad` is the first ordinal type that does not use every bit pattern.
bool viewable(const Type *t, const Type *&bad) {
  if (isOrdinal(t)) {
    if (everyPatternIsValue(t)) return true;
    if (!bad) bad = t;
    return false;
  }
  t = stripPacked(t);
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) return viewable(a->element, bad);
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    bool ok = true;
    for (const auto &f : r->fields) ok = viewable(f.type, bad) && ok;
    return ok;
  }
  return false;
}

bool isByte(const Type *t) { return isOrdinal(t) && bitSize(t) == 8 && everyPatternIsValue(t); }
}  // namespace

// VIEW(bytes, T): T's fields alias the bytes. Only plain data may be viewed, so no reference can be forged.
void Sema::checkView(CallExpr *e) {
  auto &args = e->args;
  if (args.size() != 2) {
    diags_.report(DiagId::err_builtin_arg_count, e->range, "VIEW", "2", args.size());
    for (Actual &a : args) checkExpr(a.value);
    return;
  }
  const Type *bt = checkValue(args[0].value);
  const Type *t = checkType(args[1].value);
  if (isError(bt) || isError(t)) return;
  if (!isArray(bt) || !isByte(elementOf(bt))) {
    diags_.report(DiagId::err_view_source, args[0].value->range, typeName(bt));
    return;
  }
  const Type *ts = stripPacked(t);
  const Type *partial = nullptr;
  if ((ts->kind != TypeKind::Record && ts->kind != TypeKind::Array) || !viewable(ts, partial)) {
    if (partial)
      diags_.report(DiagId::err_view_partial_type, args[1].value->range, typeName(partial), bitSize(partial));
    else
      diags_.report(DiagId::err_view_target, args[1].value->range, typeName(t));
    return;
  }
  uint64_t need = (bitSize(t) + 7) / 8;
  if (auto *at = llvm::dyn_cast<ArrayType>(stripPacked(bt))) {
    int64_t lo, hi;
    ordinalBounds(at->index, lo, hi);
    uint64_t have = hi >= lo ? static_cast<uint64_t>(hi - lo) + 1 : 0;
    if (need > have) diags_.report(DiagId::err_view_too_small, e->range, typeName(t), need, have);
  }
  e->cls = args[0].value->cls == ExprClass::Designator ? ExprClass::Designator : ExprClass::Value;
  e->type = t;
  e->writable = args[0].value->writable;
}

}  // namespace spx
