#include "sema/Sema.h"

namespace spx {

Sema::Sema(const SourceManager &sm, DiagnosticsEngine &diags, TypeContext &types, ConstArena &consts,
           InterfaceLoader &loader)
    : sm_(sm), diags_(diags), types_(types), consts_(consts), loader_(loader) {
  declareBuiltins();
}

// ---------------------------------------------------------------- scopes and symbols

Symbol *Sema::newSymbol(SymKind kind, Ident name, Decl *decl) {
  Symbol &s = symbols_.emplace_back();
  s.kind = kind;
  s.name = name;
  s.decl = decl;
  s.unit = unit_;
  s.scope = scope_;
  s.level = level_;
  if (decl) decl->symbol = &s;
  return &s;
}

Scope *Sema::pushScope(Scope::Kind kind) {
  Scope *saved = scope_;
  scope_ = &scopes_.emplace_back(kind, scope_);
  return saved;
}

void Sema::declare(Scope *scope, Symbol *sym) {
  // Modula-3's predeclared identifiers are reserved (2.8.2): they cannot be declared again. VIEW is SPINE's
  // own and may be.
  if (scope != builtins_ && sym->name.text != "VIEW" && builtins_->lookupLocal(sym->name.text)) {
    diags_.report(DiagId::err_redefinition, sym->name.range, sym->name.text);
    return;
  }
  if (Symbol *prev = scope->insert(sym)) {
    diags_.report(DiagId::err_redefinition, sym->name.range, sym->name.text);
    if (prev->name.range.valid()) diags_.report(DiagId::note_previous_definition, prev->name.range);
  }
}

void Sema::declareBuiltins() {
  builtins_ = &scopes_.emplace_back(Scope::Kind::Builtins, nullptr);
  scope_ = builtins_;
  auto type = [&](const char *name, const Type *t) {
    Symbol *s = newSymbol(SymKind::Type, Ident{name, {}}, nullptr);
    s->type = t;
    s->state = Symbol::State::Resolved;
    builtins_->insert(s);
  };
  type("INTEGER", types_.integer());
  type("CARDINAL", types_.cardinal());
  type("BOOLEAN", types_.boolean());
  type("CHAR", types_.charType());
  type("TEXT", types_.text());
  type("REFANY", types_.refany());
  type("NULL", types_.null());
  type("ADDRESS", types_.address());
  type("REAL", types_.real());
  type("LONGREAL", types_.real());
  type("EXTENDED", types_.real());
  auto constant = [&](const char *name, const Type *t, const ConstValue *v) {
    Symbol *s = newSymbol(SymKind::Const, Ident{name, {}}, nullptr);
    s->type = t;
    s->value = v;
    s->state = Symbol::State::Resolved;
    builtins_->insert(s);
  };
  constant("FALSE", types_.boolean(), consts_.integer(0));
  constant("TRUE", types_.boolean(), consts_.integer(1));
  ConstValue nil;
  nil.kind = ConstValue::Kind::Nil;
  constant("NIL", types_.null(), consts_.make(nil));
  static const std::pair<const char *, Builtin> kBuiltins[] = {
      {"ABS", Builtin::Abs},         {"MIN", Builtin::Min},           {"MAX", Builtin::Max},
      {"FIRST", Builtin::First},     {"LAST", Builtin::Last},         {"NUMBER", Builtin::Number},
      {"ORD", Builtin::Ord},         {"VAL", Builtin::Val},           {"NEW", Builtin::New},
      {"BITSIZE", Builtin::BitSize}, {"BYTESIZE", Builtin::ByteSize}, {"ADRSIZE", Builtin::AdrSize},
      {"INC", Builtin::Inc},         {"DEC", Builtin::Dec},           {"SUBARRAY", Builtin::Subarray},
      {"VIEW", Builtin::View},       {"LOOPHOLE", Builtin::Loophole}, {"ADR", Builtin::Adr},
      {"DISPOSE", Builtin::Dispose}, {"NARROW", Builtin::Narrow},     {"ISTYPE", Builtin::IsType},
      {"TYPECODE", Builtin::TypeCode}, {"FLOAT", Builtin::Float},     {"TRUNC", Builtin::Trunc},
      {"ROUND", Builtin::Round},     {"FLOOR", Builtin::Floor},       {"CEILING", Builtin::Ceiling},
  };
  for (auto [name, b] : kBuiltins) {
    Symbol *s = newSymbol(SymKind::Builtin, Ident{name, {}}, nullptr);
    s->builtin = b;
    s->state = Symbol::State::Resolved;
    builtins_->insert(s);
  }
}

void Sema::declareDecls(Scope *scope, const std::vector<Decl *> &decls, bool inInterface) {
  for (Decl *d : decls) {
    SymKind kind = SymKind::Error;
    switch (d->kind) {
    case DeclKind::Const: kind = SymKind::Const; break;
    case DeclKind::Type: kind = SymKind::Type; break;
    case DeclKind::Var: kind = SymKind::Var; break;
    case DeclKind::Exception: kind = SymKind::Exception; break;
    case DeclKind::Procedure: kind = SymKind::Procedure; break;
    case DeclKind::Reveal:
      diags_.report(DiagId::err_unsupported_reveal, d->range);
      continue;
    }
    Symbol *s = newSymbol(kind, d->name, d);
    if (auto *pd = llvm::dyn_cast<ProcedureDecl>(d)) {
      s->isEvent = pd->pragma(Pragma::Kind::Event) != nullptr;
      if (inInterface && pd->body) diags_.report(DiagId::err_body_in_interface, pd->name.range, pd->name.text);
      if (!inInterface && !pd->body) diags_.report(DiagId::err_procedure_without_body, pd->name.range, pd->name.text);
    }
    if (kind == SymKind::Var) s->writable = true;
    declare(scope, s);
  }
}

// Resolves a symbol's declaration on first need, in the scope where it was declared.
void Sema::resolve(Symbol *sym) {
  if (sym->state == Symbol::State::Resolved) return;
  if (sym->state == Symbol::State::Resolving) {
    diags_.report(DiagId::err_recursive_declaration, sym->name.range, sym->name.text);
    sym->type = types_.error();
    sym->kind = sym->kind == SymKind::Type || sym->kind == SymKind::Const ? sym->kind : SymKind::Error;
    return;
  }
  if (resolveDepth_ >= kMaxResolveDepth) {
    // Each link of a chain like `C1 = C2 + 1; C2 = C3 + 1; ...` is resolved inside the previous one.
    diags_.report(DiagId::err_resolution_too_deep, sym->name.range, sym->name.text, kMaxResolveDepth);
    sym->state = Symbol::State::Resolved;
    sym->type = types_.error();
    sym->kind = sym->kind == SymKind::Type || sym->kind == SymKind::Const ? sym->kind : SymKind::Error;
    return;
  }
  sym->state = Symbol::State::Resolving;
  Scope *savedScope = scope_;
  Unit *savedUnit = unit_;
  unsigned savedLevel = level_;
  scope_ = sym->scope;
  unit_ = sym->unit;
  level_ = sym->level;
  ++resolveDepth_;
  switch (sym->kind) {
  case SymKind::Const: resolveConst(sym); break;
  case SymKind::Type:
    ++typeDeclDepth_;
    resolveTypeDecl(sym);
    --typeDeclDepth_;
    break;
  case SymKind::Var: resolveVar(sym); break;
  case SymKind::Exception: resolveException(sym); break;
  case SymKind::Procedure: resolveProcedure(sym); break;
  default: break;
  }
  --resolveDepth_;
  scope_ = savedScope;
  unit_ = savedUnit;
  level_ = savedLevel;
  if (sym->state == Symbol::State::Resolving) sym->state = Symbol::State::Resolved;
  if (typeDeclDepth_ == 0) drainPendingTypes();
}

Symbol *Sema::lookupName(const Ident &name, SymKind wanted) {
  Symbol *s = scope_->lookup(name.text);
  if (!s) {
    diags_.report(DiagId::err_undeclared, name.range, name.text);
    // Remember the name as an error symbol so that later uses in this scope are not reported again.
    Symbol *err = newSymbol(SymKind::Error, name, nullptr);
    err->state = Symbol::State::Resolved;
    err->type = types_.error();
    scope_->insert(err);
    return err;
  }
  // Looking for a type, a symbol of another kind is not resolved: `PROCEDURE P(x: P)` is "not a type", not a
  // recursive declaration.
  if (wanted == SymKind::Error || s->kind == wanted) resolve(s);
  return s;
}

Symbol *Sema::lookupQualified(const QualIdent &q, SymKind wanted) {
  if (q.module.empty()) return lookupName(q.name, wanted);
  Symbol *m = lookupName(q.module);
  if (m->kind == SymKind::Error) return m;
  if (m->kind != SymKind::Interface) {
    diags_.report(DiagId::err_not_an_interface, q.module.range, q.module.text);
    return nullptr;
  }
  if (!m->iface || !m->iface->scope) return nullptr;
  Symbol *s = m->iface->scope->lookupLocal(q.name.text);
  if (!s) {
    diags_.report(DiagId::err_no_member, q.name.range, q.module.text, q.name.text);
    return nullptr;
  }
  if (wanted == SymKind::Error || s->kind == wanted) resolve(s);
  return s;
}

// ---------------------------------------------------------------- units

// Imports, the exported interfaces' names and a unit's own declarations form one name space (Modula-3 2.5):
// a declaration may not reuse a name from `other`, except that a module's procedure implements (and so
// redeclares) the procedure of an interface it exports.
void Sema::checkClashes(Scope *decls, Scope *other, bool procedureMayRedeclare) {
  for (Symbol *sym : decls->symbols()) {
    Symbol *o = other->lookupLocal(sym->name.text);
    if (!o || o == sym) continue;
    // A module's declaration of an exported procedure's name is its implementation (checkExports checks it).
    if (procedureMayRedeclare && o->kind == SymKind::Procedure) continue;
    diags_.report(DiagId::err_redefinition, sym->name.range, sym->name.text);
    if (o->name.range.valid()) diags_.report(DiagId::note_previous_definition, o->name.range);
  }
}

bool Sema::checkNotUnsafeUnit(Unit *unit) {
  if (!unit->unsafe) return true;
  diags_.report(DiagId::err_unsafe_unit, unit->unsafeRange, unit->isInterface() ? "interface" : "module");
  return false;
}

void Sema::importInterfaces(Unit *unit, Scope *scope) {
  for (Import &imp : unit->imports) {
    InterfaceInfo *info = loader_.loadInterface(imp.module);
    if (imp.kind == Import::Kind::Interfaces) {
      Symbol *s = newSymbol(SymKind::Interface, imp.alias.empty() ? imp.module : imp.alias, nullptr);
      s->iface = info;
      s->state = Symbol::State::Resolved;
      if (!info) s->kind = SymKind::Error, s->type = types_.error();
      declare(scope, s);
      continue;
    }
    for (const Ident &name : imp.names) {
      Symbol *member = info && info->scope ? info->scope->lookupLocal(name.text) : nullptr;
      if (info && info->scope && !member) diags_.report(DiagId::err_no_member, name.range, imp.module.text, name.text);
      if (!member) {
        member = newSymbol(SymKind::Error, name, nullptr);
        member->state = Symbol::State::Resolved;
        member->type = types_.error();
      }
      if (Symbol *prev = scope->insert(member)) {
        if (prev != member) {
          diags_.report(DiagId::err_redefinition, name.range, name.text);
          if (prev->name.range.valid()) diags_.report(DiagId::note_previous_definition, prev->name.range);
        }
      }
    }
  }
}

// Starts checking a unit at the top of the scope chain; returns the scope to restore when done.
Scope *Sema::beginUnit(Unit *unit) {
  unit_ = unit;
  level_ = 0;
  checkNotUnsafeUnit(unit);
  // The runtime's entry points are spx.init and spx.state (docs/abi.md): no unit may be named so that one of
  // its symbols ("spx.P") could take their place.
  if (unit->name.text == "spx") diags_.report(DiagId::err_reserved_unit_name, unit->name.range, unit->name.text);
  Scope *saved = scope_;
  scope_ = builtins_;
  return saved;
}

// Declares and checks a unit's own declarations in the current scope, which must not reuse imported names.
void Sema::checkUnitDecls(const std::vector<Decl *> &decls, bool inInterface, Scope *importScope) {
  declareDecls(scope_, decls, inInterface);
  checkClashes(scope_, importScope, false);
  checkDecls(decls);
  for (Decl *d : decls) checkSpinePragmas(d, inInterface);
}

void Sema::checkInterface(Unit *unit, InterfaceInfo &info) {
  Scope *saved = beginUnit(unit);
  pushScope(Scope::Kind::Unit);
  Scope *importScope = scope_;
  importInterfaces(unit, importScope);
  // The interface's own declarations live in a scope of their own, which importers see as its members.
  pushScope(Scope::Kind::Unit);
  info.scope = scope_;
  checkUnitDecls(unit->decls, /*inInterface=*/true, importScope);
  if (unit->isMessages()) checkMessageInterface(unit, info);
  scope_ = saved;
}

void Sema::checkModule(Unit *unit) {
  Scope *saved = beginUnit(unit);
  // A module sees the declarations of the interfaces it exports (Modula-3 2.5.2), then its imports, then its
  // own declarations.
  pushScope(Scope::Kind::Unit);
  Scope *exportScope = scope_;
  std::vector<InterfaceInfo *> exported;
  std::vector<Ident> exportNames = unit->exports;
  bool implicitExport = exportNames.empty();
  if (implicitExport) exportNames.push_back(unit->name);
  for (const Ident &name : exportNames) {
    // A module without EXPORTS exports its own name only if such an interface exists; that is not an error.
    InterfaceInfo *info = loader_.loadInterface(name, /*mustExist=*/!implicitExport);
    if (!info || !info->scope) continue;
    exported.push_back(info);
    for (Symbol *s : info->scope->symbols()) exportScope->insert(s);
  }
  pushScope(Scope::Kind::Unit);
  Scope *importScope = scope_;
  importInterfaces(unit, importScope);
  pushScope(Scope::Kind::Unit);
  checkUnitDecls(unit->body->decls, /*inInterface=*/false, importScope);
  checkClashes(scope_, exportScope, true);
  checkExports(unit, scope_, exported);
  checkBlockBody(unit->body);
  scope_ = saved;
}

}  // namespace spx
