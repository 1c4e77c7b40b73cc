// Module order, frames and variables, zero values and constants, traps.
#include "interp/Interp.h"

#include "sema/Scope.h"

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

namespace spx::interp {

Interpreter::Interpreter(const SourceManager &sm, std::ostream &out, RunLimits limits)
    : sm_(sm), out_(out), limits_(limits), fuel_(limits.fuel) {}

void Interpreter::addModule(Unit *module) {
  if (modules_.empty()) mainModule_ = std::string(module->name.text);
  modules_.push_back(module);
  collectProcedures(module->body->decls, nullptr);
  collectInStmts(module->body->body, module);
}

void Interpreter::addInterface(InterfaceInfo *info) {
  interfaces_.push_back(info);
  if (!info->scope) return;
  for (Symbol *sym : info->scope->symbols()) {
    if (sym->kind != SymKind::Procedure || sym->unit != info->unit) continue;
    for (Unit *m : info->exporters)
      for (Decl *d : m->body->decls)
        if (auto *p = llvm::dyn_cast<ProcedureDecl>(d); p && p->body && p->name.text == sym->name.text)
          impl_[sym] = p->symbol;
  }
}

// Records, for every procedure, the procedure (or module body) whose frame it reaches.
void Interpreter::collectProcedures(const std::vector<Decl *> &decls, const void *owner) {
  for (Decl *d : decls) {
    auto *p = llvm::dyn_cast<ProcedureDecl>(d);
    if (!p || !p->body) continue;
    enclosing_[p] = owner;
    collectProcedures(p->body->decls, p);
    collectInStmts(p->body->body, p);
  }
}

void Interpreter::collectInStmts(const StmtList &stmts, const void *owner) {
  for (Stmt *s : stmts) {
    if (!s) continue;
    switch (s->kind) {
    case StmtKind::Block: {
      Block *b = llvm::cast<BlockStmt>(s)->block;
      collectProcedures(b->decls, owner);
      collectInStmts(b->body, owner);
      break;
    }
    case StmtKind::If: {
      auto *i = llvm::cast<IfStmt>(s);
      for (auto &a : i->arms) collectInStmts(a.body, owner);
      collectInStmts(i->elseBody, owner);
      break;
    }
    case StmtKind::While: collectInStmts(llvm::cast<WhileStmt>(s)->body, owner); break;
    case StmtKind::Repeat: collectInStmts(llvm::cast<RepeatStmt>(s)->body, owner); break;
    case StmtKind::Loop: collectInStmts(llvm::cast<LoopStmt>(s)->body, owner); break;
    case StmtKind::For: collectInStmts(llvm::cast<ForStmt>(s)->body, owner); break;
    case StmtKind::Case: {
      auto *c = llvm::cast<CaseStmt>(s);
      for (auto &a : c->arms) collectInStmts(a.body, owner);
      collectInStmts(c->elseBody, owner);
      break;
    }
    case StmtKind::With: collectInStmts(llvm::cast<WithStmt>(s)->body, owner); break;
    case StmtKind::TryExcept: {
      auto *t = llvm::cast<TryExceptStmt>(s);
      collectInStmts(t->body, owner);
      for (auto &h : t->handlers) collectInStmts(h.body, owner);
      collectInStmts(t->elseBody, owner);
      break;
    }
    case StmtKind::TryFinally:
      collectInStmts(llvm::cast<TryFinallyStmt>(s)->body, owner);
      collectInStmts(llvm::cast<TryFinallyStmt>(s)->finally, owner);
      break;
    case StmtKind::Lock: collectInStmts(llvm::cast<LockStmt>(s)->body, owner); break;
    default: break;
    }
  }
}

// docs/abi.md: a module's body runs after the bodies of the modules exporting the interfaces it imports
// (directly, or through the interfaces those import); otherwise in command-line order.
std::vector<Unit *> Interpreter::initOrder() {
  std::map<std::string_view, InterfaceInfo *> byName;
  for (InterfaceInfo *info : interfaces_)
    if (info->unit) byName[info->unit->name.text] = info;
  std::vector<Unit *> order;
  std::set<Unit *> visited;
  std::function<void(Unit *)> visit = [&](Unit *m) {
    if (!visited.insert(m).second) return;
    std::set<InterfaceInfo *> seen;
    std::vector<InterfaceInfo *> work;
    auto addImports = [&](Unit *u) {
      for (const Import &imp : u->imports) {
        auto it = byName.find(imp.module.text);
        if (it != byName.end() && seen.insert(it->second).second) work.push_back(it->second);
      }
    };
    addImports(m);
    for (size_t k = 0; k < work.size(); ++k) addImports(work[k]->unit);
    for (InterfaceInfo *info : work)
      for (Unit *exporter : info->exporters)
        if (exporter != m && std::find(modules_.begin(), modules_.end(), exporter) != modules_.end()) visit(exporter);
    order.push_back(m);
  };
  for (Unit *m : modules_) visit(m);
  return order;
}

void Interpreter::runBody(Unit *module) {
  frame_ = &globals_;
  initVars(module->body->decls);
  Frame body;
  body.owner = module;
  body.link = &globals_;
  frame_ = &body;
  exec(module->body->body);
  frame_ = &globals_;
}

int Interpreter::run(std::ostream &err) {
  try {
    for (InterfaceInfo *info : interfaces_)
      if (info->unit) initVars(info->unit->decls);
    for (Unit *m : initOrder()) runBody(m);
  } catch (const Trap &t) {
    out_.flush();
    PresumedLoc p = sm_.presumed(t.at);
    if (t.at.valid()) err << p.file << ":" << p.line << ": checked runtime error: " << t.kind << "\n";
    else err << "<unknown>: checked runtime error: " << t.kind << "\n";
    return 3;
  } catch (const Raised &r) {  // Sema makes a module body handle every exception: cannot happen
    out_.flush();
    err << "spx-interp: exception '" << (r.exc ? std::string(r.exc->name.text) : "?") << "' escaped a module body\n";
    return 4;
  } catch (const std::bad_alloc &) {
    out_.flush();
    err << "spx-interp: out of memory: the program's values do not fit the interpreter's representation\n";
    return 4;
  } catch (const std::length_error &) {
    out_.flush();
    err << "spx-interp: out of memory: the program's values do not fit the interpreter's representation\n";
    return 4;
  } catch (const Unsupported &u) {
    out_.flush();
    PresumedLoc p = sm_.presumed(u.at);
    err << "spx-interp: " << (u.at.valid() ? std::string(p.file) + ":" + std::to_string(p.line) + ": " : "")
        << "not supported by the interpreter: " << u.what << "\n";
    return 4;
  }
  out_.flush();
  return 0;
}

void Interpreter::trap(const char *kind, SourceRange at) { throw Trap{kind, at.begin}; }
void Interpreter::trap(const char *kind, SourceLoc at) { throw Trap{kind, at}; }

void Interpreter::chargeFuel(int64_t units, SourceRange at) {
  fuel_ -= units;
  if (fuel_ < 0) trap("fuel exhausted", at);
}

// ---------------------------------------------------------------- variables

Place Interpreter::lookupVar(const Symbol *sym, SourceRange at) {
  for (Frame *f = frame_; f; f = f->link) {
    auto it = f->vars.find(sym);
    if (it != f->vars.end()) return it->second;
  }
  if (frame_ != &globals_) {
    auto it = globals_.vars.find(sym);
    if (it != globals_.vars.end()) return it->second;
  }
  throw Unsupported{"variable '" + std::string(sym->name.text) + "' has no storage", at.begin};
}

Value &Interpreter::declareLocal(const Symbol *sym, Value v) {
  auto [it, inserted] = frame_->locals.try_emplace(sym);
  it->second = std::move(v);
  frame_->vars[sym] = Place{&it->second, nullptr, false, 0, 0};
  return it->second;
}

void Interpreter::bindAlias(const Symbol *sym, Place p) { frame_->vars[sym] = std::move(p); }

// REFERENCE §3: every variable first gets its type's zero value, then the initializers run in declaration
// order (so an initializer may read a variable declared after it, and sees its zero value).
void Interpreter::initVars(const std::vector<Decl *> &decls) {
  for (Decl *d : decls)
    if (auto *v = llvm::dyn_cast<VarDecl>(d); v && v->symbol) declareLocal(v->symbol, zero(v->symbol->type));
  for (Decl *d : decls) {
    auto *v = llvm::dyn_cast<VarDecl>(d);
    if (!v || !v->symbol || !v->init) continue;
    Value init = eval(v->init);
    checkStorable(init, v->symbol->type, v->init->range);
    assignInPlace(frame_->locals[v->symbol], init);
  }
}

// ---------------------------------------------------------------- values of types and constants

Value Interpreter::zero(const Type *t) {
  t = stripPacked(t);
  Value v;
  switch (t->kind) {
  case TypeKind::Integer: case TypeKind::Enum: case TypeKind::Char: case TypeKind::Subrange: {
    int64_t lo, hi;
    ordinalBounds(t, lo, hi);
    v.i = lo <= 0 && 0 <= hi ? 0 : lo;
    return v;
  }
  case TypeKind::Set: {
    int64_t lo, hi;
    ordinalBounds(llvm::cast<SetType>(t)->element, lo, hi);
    v.kind = Value::Kind::Set;
    v.bits.assign(hi >= lo ? static_cast<size_t>((hi - lo) / 64 + 1) : 0, 0);
    return v;
  }
  case TypeKind::Array: {
    auto *a = llvm::cast<ArrayType>(t);
    int64_t lo, hi;
    ordinalBounds(a->index, lo, hi);
    v.kind = Value::Kind::Agg;
    if (hi >= lo) v.elems.assign(static_cast<size_t>(hi - lo + 1), zero(a->element));
    return v;
  }
  case TypeKind::OpenArray: v.kind = Value::Kind::Agg; return v;
  case TypeKind::Record: {
    auto *r = llvm::cast<RecordType>(t);
    v.kind = Value::Kind::Agg;
    v.elems.reserve(r->fields.size());
    for (const RecordField &f : r->fields) v.elems.push_back(f.dflt ? fromConst(f.dflt, f.type) : zero(f.type));
    return v;
  }
  case TypeKind::Procedure: v.kind = Value::Kind::Proc; return v;
  default: return Value::nilRef();
  }
}

Value Interpreter::textValue(const std::string &s) {
  auto [it, inserted] = textIndex_.try_emplace(s, static_cast<int64_t>(texts_.size()));
  if (inserted) texts_.push_back(s);
  Value v;
  v.kind = Value::Kind::Text;
  v.i = it->second;
  return v;
}

const std::string &Interpreter::textOf(const Value &v) const {
  static const std::string empty;
  if (v.kind != Value::Kind::Text) return empty;  // NIL writes nothing
  return texts_[static_cast<size_t>(v.i)];
}

Value Interpreter::fromConst(const ConstValue *c, const Type *t) {
  const Type *st = t ? stripPacked(t) : nullptr;
  switch (c->kind) {
  case ConstValue::Kind::Int: return Value::integer(c->i);
  case ConstValue::Kind::Text: return textValue(c->text);
  case ConstValue::Kind::Nil: {
    if (st && st->kind == TypeKind::Procedure) {
      Value v;
      v.kind = Value::Kind::Proc;
      return v;
    }
    return Value::nilRef();
  }
  case ConstValue::Kind::Proc: return procValue(c->proc);
  case ConstValue::Kind::Set: {
    auto it = constCache_.find(c);
    if (it != constCache_.end()) return it->second;
    Value v = zero(st);
    int64_t lo, hi;
    ordinalBounds(llvm::cast<SetType>(st)->element, lo, hi);
    for (int64_t m : c->members) {
      uint64_t k = static_cast<uint64_t>(m - lo);
      v.bits[k / 64] |= uint64_t{1} << (k % 64);
    }
    return constCache_[c] = v;
  }
  case ConstValue::Kind::Aggregate: {
    auto it = constCache_.find(c);
    if (it != constCache_.end()) return it->second;
    Value v;
    v.kind = Value::Kind::Agg;
    v.elems.reserve(c->elems.size());
    auto *rec = llvm::dyn_cast<RecordType>(st);
    for (size_t k = 0; k < c->elems.size(); ++k) {
      const Type *et = rec ? rec->fields[k].type : elementOf(st);
      v.elems.push_back(fromConst(c->elems[k], et));
    }
    // A large array constant keeps its repeat: the elements past those written are copies of the last.
    if (!rec && !v.elems.empty()) v.elems.resize(static_cast<size_t>(elementCount(*c)), v.elems.back());
    return constCache_[c] = v;
  }
  }
  return Value();
}

// ---------------------------------------------------------------- procedures

const Symbol *Interpreter::implementation(const Symbol *proc) const {
  if (auto *d = llvm::dyn_cast_or_null<ProcedureDecl>(proc->decl); d && d->body) return proc;
  auto it = impl_.find(proc);
  return it != impl_.end() ? it->second : proc;
}

Frame *Interpreter::envFor(const Symbol *proc) {
  auto *d = llvm::dyn_cast_or_null<ProcedureDecl>(proc->decl);
  auto it = d ? enclosing_.find(d) : enclosing_.end();
  if (it == enclosing_.end() || !it->second) return nullptr;
  for (Frame *f = frame_; f; f = f->link)
    if (f->owner == it->second) return f;
  throw Unsupported{"no frame for nested procedure '" + std::string(proc->name.text) + "'", proc->name.range.begin};
}

Value Interpreter::procValue(const Symbol *proc) {
  Value v;
  v.kind = Value::Kind::Proc;
  v.proc = implementation(proc);
  v.env = envFor(v.proc);
  return v;
}

}  // namespace spx::interp
