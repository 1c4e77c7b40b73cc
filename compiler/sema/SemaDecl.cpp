// Declarations: CONST, TYPE, VAR, EXCEPTION and PROCEDURE, procedure bodies, and a module's exports.
#include "sema/Sema.h"

namespace spx {

void Sema::resolveConst(Symbol *sym) {
  auto *d = llvm::cast<ConstDecl>(sym->decl);
  const Type *declared = d->type ? resolveType(d->type) : nullptr;
  const ConstValue *v = checkConstant(d->value);
  sym->type = declared ? declared : d->value->type;
  sym->value = v;
  if (declared && v) {
    checkAssignable(d->value, declared, d->value->range);
  }
  if (!sym->value) sym->type = types_.error();
}

void Sema::resolveTypeDecl(Symbol *sym) {
  auto *d = llvm::cast<TypeDecl>(sym->decl);
  if (d->opaque) {
    // Opaque types are how the runtime hands out references whose representation it keeps to itself.
    const Type *super = resolveType(d->type);
    if (!unit_->isInterface()) {
      diags_.report(DiagId::err_opaque_in_module, d->name.range, d->name.text);
      sym->type = types_.error();
      return;
    }
    if (!isError(super) && !isReference(super)) {
      diags_.report(DiagId::err_opaque_super, d->type->range, typeName(super));
      sym->type = types_.error();
      return;
    }
    auto *o = types_.make<OpaqueType>();
    o->super = super;
    o->name = sym->qualifiedName();
    sym->type = o;
    return;
  }
  const Type *t = resolveType(d->type);
  if (sym->state == Symbol::State::Resolved && sym->type) return;  // recursion already reported
  if (t->name.empty()) t->name = sym->qualifiedName();
  sym->type = t;
}

void Sema::resolveVar(Symbol *sym) {
  auto *d = llvm::cast<VarDecl>(sym->decl);
  const Type *declared = d->type ? resolveType(d->type) : nullptr;
  // One initializer may be shared by `VAR a, b := 0`; check it once.
  const Type *initType = nullptr;
  if (d->init) initType = d->init->cls == ExprClass::Unchecked ? checkValue(d->init) : d->init->type;
  if (d->init && assignChecked_.insert(d->init).second) {
    if (declared) checkAssignable(d->init, declared, d->init->range);
    checkStorable(d->init);
  }
  const Type *t = declared ? declared : initType;
  if (!t) t = types_.error();
  t = requireValues(t, "a variable", d->type ? d->type->range : d->name.range);
  if (stripPacked(t)->kind == TypeKind::OpenArray) {
    diags_.report(DiagId::err_open_array_variable, d->name.range, d->name.text);
    t = types_.error();
  }
  sym->type = t;
}

void Sema::resolveException(Symbol *sym) {
  auto *d = llvm::cast<ExceptionDecl>(sym->decl);
  // Exceptions are global names (a handler anywhere may catch them), so Modula-3 declares them only at the
  // top level of a unit.
  if (sym->level != 0)  // procedure bodies and block statements both count as levels
    diags_.report(DiagId::err_exception_not_top_level, d->name.range, d->name.text);
  sym->excArg = d->arg ? requireValues(resolveType(d->arg), "an exception argument", d->arg->range) : nullptr;
  // The argument waits in a global of the argument type's size while the handler runs (docs/abi.md), so its
  // size must be known: an open array's length and elements would be lost.
  if (sym->excArg && stripPacked(sym->excArg)->kind == TypeKind::OpenArray) {
    diags_.report(DiagId::err_exception_open_array_arg, d->arg->range, d->name.text, typeName(sym->excArg));
    sym->excArg = types_.error();
  }
  sym->type = types_.error();
}

const Type *Sema::requireValues(const Type *t, const char *what, SourceRange where) {
  if (!isEmptyOrdinal(t)) return t;
  diags_.report(DiagId::err_type_without_values, where, what, typeName(t));
  return types_.error();
}

void Sema::resolveProcedure(Symbol *sym) {
  auto *d = llvm::cast<ProcedureDecl>(sym->decl);
  const ProcType *pt = resolveSignature(d->sig);
  sym->type = pt;
  ConstValue v;
  v.kind = ConstValue::Kind::Proc;
  v.proc = sym;
  sym->value = consts_.make(std::move(v));
}

void Sema::checkDecls(const std::vector<Decl *> &decls) {
  for (Decl *d : decls)
    if (d->symbol) resolve(d->symbol);
  // A guard only decides whether its handler runs: it sees the event's parameters read-only, so a guard cannot
  // change the packet that every other extension's guard and handler will see.
  for (Decl *d : decls) {
    for (const Pragma &p : d->pragmas) {
      if (p.kind != Pragma::Kind::Handler || p.guard.empty()) continue;
      if (Symbol *g = scope_->lookup(p.guard.text))
        if (auto *gd = llvm::dyn_cast_or_null<ProcedureDecl>(g->decl)) guards_.insert(gd);
    }
  }
  for (Decl *d : decls)
    if (auto *pd = llvm::dyn_cast<ProcedureDecl>(d))
      if (pd->body && pd->symbol) checkProcedureBody(pd);
}

void Sema::checkProcedureBody(ProcedureDecl *proc) {
  auto *pt = llvm::dyn_cast_or_null<ProcType>(proc->symbol->type);
  if (!pt) return;
  Scope *saved = pushScope(Scope::Kind::Procedure);
  ++level_;
  for (size_t i = 0; i < proc->sig.formals.size() && i < pt->params.size(); ++i) {
    const Formal &f = proc->sig.formals[i];
    Symbol *p = newSymbol(SymKind::Param, f.name, nullptr);
    p->type = pt->params[i].type;
    p->mode = f.mode;
    p->writable = f.mode != ParamMode::Readonly && !guards_.count(proc);
    p->state = Symbol::State::Resolved;
    proc->paramSymbols.push_back(p);
    if (!scope_->lookupLocal(f.name.text)) declare(scope_, p);  // a duplicate was reported with the signature
  }
  ProcContext ctx{proc, pt};
  ProcContext *savedProc = proc_;
  unsigned savedLoops = loopDepth_;
  auto savedHandlers = std::move(handlers_);
  handlers_.clear();
  proc_ = &ctx;
  loopDepth_ = 0;
  declareDecls(scope_, proc->body->decls, false);
  checkDecls(proc->body->decls);
  for (Decl *d : proc->body->decls) checkSpinePragmas(d, false);
  checkStmts(proc->body->body);
  if (pt->result && mayFallThrough(proc->body->body))
    diags_.report(DiagId::warn_missing_return, proc->endName.range.valid() ? proc->endName.range : proc->name.range,
                  proc->name.text);
  proc_ = savedProc;
  loopDepth_ = savedLoops;
  handlers_ = std::move(savedHandlers);
  --level_;
  popScope(saved);
}

void Sema::checkBlockBody(Block *block) {
  proc_ = nullptr;
  loopDepth_ = 0;
  handlers_.clear();
  checkStmts(block->body);
}

namespace {
// Modula-3 makes formal names and defaults part of a procedure's signature (they can be named in calls), so an
// implementation must repeat the names, and a default it repeats must be the same value.
bool sameSignature(const ProcType *a, const ProcType *b) {
  if (!sameType(a, b)) return false;
  for (size_t i = 0; i < a->params.size(); ++i) {
    const ProcParam &x = a->params[i], &y = b->params[i];
    if (x.name != y.name) return false;
    if (x.dflt && y.dflt && !equalValues(*x.dflt, *y.dflt)) return false;
  }
  return true;
}
}  // namespace

void Sema::checkExports(Unit *module, Scope *moduleScope, const std::vector<InterfaceInfo *> &exported) {
  for (InterfaceInfo *info : exported) {
    info->exporters.push_back(module);
    for (Symbol *decl : info->scope->symbols()) {
      if (decl->kind != SymKind::Procedure || decl->unit != info->unit) continue;
      Symbol *impl = moduleScope->lookupLocal(decl->name.text);
      if (!impl || impl == decl) continue;  // another module may implement it (Compilation checks the whole)
      info->implemented.push_back(decl);
      if (impl->kind != SymKind::Procedure) {
        diags_.report(DiagId::err_export_not_procedure, impl->name.range, impl->name.text, info->unit->name.text);
        diags_.report(DiagId::note_declared_here, decl->name.range, decl->qualifiedName());
        continue;
      }
      if (decl->isEvent) {
        diags_.report(DiagId::err_event_implemented, impl->name.range, decl->qualifiedName());
        diags_.report(DiagId::note_declared_here, decl->name.range, decl->qualifiedName());
        continue;
      }
      auto *it = llvm::dyn_cast_or_null<ProcType>(decl->type);
      auto *mt = llvm::dyn_cast_or_null<ProcType>(impl->type);
      if (it && mt && !sameSignature(it, mt)) {
        diags_.report(DiagId::err_signature_mismatch, impl->name.range, impl->name.text, info->unit->name.text,
                      typeName(mt), typeName(it));
        diags_.report(DiagId::note_declared_here, decl->name.range, decl->qualifiedName());
      }
    }
  }
}

}  // namespace spx
