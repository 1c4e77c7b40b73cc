// Each node prints as `Kind attributes [: type] [= value] <line:col>`, then its children in source order.
#include "ast/ASTDump.h"

#include "ast/AST.h"
#include "basic/SourceManager.h"
#include "sema/ConstValue.h"
#include "sema/Scope.h"
#include "sema/Types.h"

#include <ostream>
#include <string>
#include <string_view>

namespace spx {
namespace {

const char *builtinName(Builtin b) {
  switch (b) {
  case Builtin::None: return "";
  case Builtin::Abs: return "ABS";
  case Builtin::Min: return "MIN";
  case Builtin::Max: return "MAX";
  case Builtin::First: return "FIRST";
  case Builtin::Last: return "LAST";
  case Builtin::Number: return "NUMBER";
  case Builtin::Ord: return "ORD";
  case Builtin::Val: return "VAL";
  case Builtin::New: return "NEW";
  case Builtin::BitSize: return "BITSIZE";
  case Builtin::ByteSize: return "BYTESIZE";
  case Builtin::AdrSize: return "ADRSIZE";
  case Builtin::Inc: return "INC";
  case Builtin::Dec: return "DEC";
  case Builtin::Subarray: return "SUBARRAY";
  case Builtin::View: return "VIEW";
  case Builtin::Loophole: return "LOOPHOLE";
  case Builtin::Adr: return "ADR";
  case Builtin::Dispose: return "DISPOSE";
  case Builtin::Narrow: return "NARROW";
  case Builtin::IsType: return "ISTYPE";
  case Builtin::TypeCode: return "TYPECODE";
  case Builtin::Float: return "FLOAT";
  case Builtin::Trunc: return "TRUNC";
  case Builtin::Round: return "ROUND";
  case Builtin::Floor: return "FLOOR";
  case Builtin::Ceiling: return "CEILING";
  }
  return "?";
}

std::string quoted(std::string_view s, char q) { return quoteLiteral(s, q); }

std::string str(const Ident &id) { return std::string(id.text); }

std::string qualName(const QualIdent &q) {
  return q.module.empty() ? str(q.name) : str(q.module) + "." + str(q.name);
}

template <typename T, typename F>
std::string join(const std::vector<T> &items, F name) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + name(items[i]);
  return s;
}

std::string joinIdents(const std::vector<Ident> &ids) { return join(ids, str); }

class Dumper {
public:
  Dumper(const SourceManager &sm, std::ostream &out) : sm_(sm), out_(out) {}

  void unit(const Unit &u) {
    std::string head = u.isInterface() ? "Interface " : "Module ";
    head += str(u.name);
    if (!u.exports.empty()) head += " exports " + joinIdents(u.exports);
    if (u.unsafe) head += " unsafe";
    node(head, u.range, [&] {
      for (const Pragma &p : u.pragmas) pragma(p);
      for (const Import &imp : u.imports) import(imp);
      if (u.isInterface())
        for (const Decl *d : u.decls) decl(d);
      else if (u.body)
        block(u.body);
    });
  }

private:
  const SourceManager &sm_;
  std::ostream &out_;
  int depth_ = 0;

  // Prints one node line, then whatever `children` prints one level deeper.
  template <typename F>
  void node(const std::string &head, SourceRange range, F &&children) {
    out_ << std::string(2 * depth_, ' ') << head;
    if (range.valid()) {
      PresumedLoc p = sm_.presumed(range.begin);
      out_ << " <" << p.line << ':' << p.column << '>';
    }
    out_ << '\n';
    ++depth_;
    children();
    --depth_;
  }
  void leaf(const std::string &head, SourceRange range) {
    node(head, range, [] {});
  }

  // ---- units, pragmas, declarations

  void import(const Import &imp) {
    if (imp.kind == Import::Kind::From)
      leaf("FromImport " + str(imp.module) + ": " + joinIdents(imp.names), imp.range);
    else
      leaf("Import " + str(imp.module) + (imp.alias.empty() ? "" : " as " + str(imp.alias)), imp.range);
  }

  void pragma(const Pragma &p) {
    std::string head = "Pragma ";
    switch (p.kind) {
    case Pragma::Kind::Event: head += "EVENT"; break;
    case Pragma::Kind::Handler:
      head += "HANDLER " + qualName(p.event);
      if (!p.guard.empty()) head += " guard " + str(p.guard);
      break;
    case Pragma::Kind::Messages: head += "MESSAGES"; break;
    case Pragma::Kind::NetOrder: head += "NETORDER"; break;
    case Pragma::Kind::Ignored: head += std::string(p.word) + " (ignored)"; break;
    case Pragma::Kind::Unknown: head += std::string(p.word) + " (unknown)"; break;
    }
    leaf(head, p.range);
  }

  void decl(const Decl *d) {
    std::string head;
    switch (d->kind) {
    case DeclKind::Const: head = "ConstDecl "; break;
    case DeclKind::Type: head = "TypeDecl "; break;
    case DeclKind::Var: head = "VarDecl "; break;
    case DeclKind::Exception: head = "ExceptionDecl "; break;
    case DeclKind::Procedure: head = "ProcedureDecl "; break;
    case DeclKind::Reveal: head = "RevealDecl "; break;
    }
    head += str(d->name);
    if (auto *t = llvm::dyn_cast<TypeDecl>(d); t && t->opaque) head += " opaque";
    if (llvm::isa<ProcedureDecl>(d) && d->symbol && d->symbol->type) head += " : " + typeName(d->symbol->type);
    node(head, d->range, [&] {
      for (const Pragma &p : d->pragmas) pragma(p);
      if (auto *c = llvm::dyn_cast<ConstDecl>(d)) {
        typeExpr(c->type);
        expr(c->value);
      } else if (auto *t = llvm::dyn_cast<TypeDecl>(d)) {
        typeExpr(t->type);
      } else if (auto *v = llvm::dyn_cast<VarDecl>(d)) {
        typeExpr(v->type);
        expr(v->init);
      } else if (auto *e = llvm::dyn_cast<ExceptionDecl>(d)) {
        typeExpr(e->arg);
      } else if (auto *p = llvm::dyn_cast<ProcedureDecl>(d)) {
        signature(p->sig);
        if (p->body) block(p->body);
      }
    });
  }

  // Formals, then the result type, then RAISES.
  void signature(const Signature &sig) {
    for (const Formal &f : sig.formals) {
      const char *mode = f.mode == ParamMode::Var ? "VAR " : f.mode == ParamMode::Readonly ? "READONLY " : "";
      node("Formal " + std::string(mode) + str(f.name), f.name.range, [&] {
        typeExpr(f.type);
        expr(f.dflt);
      });
    }
    typeExpr(sig.result);
    if (sig.raises == Signature::Raises::Any) leaf("Raises ANY", {});
    else if (sig.raises == Signature::Raises::Set) leaf("Raises " + join(sig.raiseSet, qualName), {});
  }

  void block(const Block *b) {
    node("Block", b->range, [&] {
      for (const Decl *d : b->decls) decl(d);
      stmts(b->body);
    });
  }

  // ---- statements

  void stmts(const StmtList &list) {
    for (const Stmt *s : list) stmt(s);
  }

  void elseArm(bool hasElse, const StmtList &body) {
    if (hasElse) node("Else", {}, [&] { stmts(body); });
  }

  static const char *stmtName(StmtKind k) {
    switch (k) {
    case StmtKind::Assign: return "Assign";
    case StmtKind::Call: return "Call";
    case StmtKind::If: return "If";
    case StmtKind::While: return "While";
    case StmtKind::Repeat: return "Repeat";
    case StmtKind::Loop: return "Loop";
    case StmtKind::Exit: return "Exit";
    case StmtKind::For: return "For";
    case StmtKind::Case: return "Case";
    case StmtKind::With: return "With";
    case StmtKind::Return: return "Return";
    case StmtKind::Raise: return "Raise";
    case StmtKind::TryExcept: return "TryExcept";
    case StmtKind::TryFinally: return "TryFinally";
    case StmtKind::Eval: return "Eval";
    case StmtKind::Lock: return "Lock";
    case StmtKind::Block: return "BlockStmt";
    }
    return "?";
  }

  void stmt(const Stmt *s) {
    std::string head = stmtName(s->kind);
    if (auto *f = llvm::dyn_cast<ForStmt>(s)) head += " " + str(f->var);
    node(head, s->range, [&] { stmtChildren(s); });
  }

  void stmtChildren(const Stmt *s) {
    if (auto *a = llvm::dyn_cast<AssignStmt>(s)) {
      expr(a->lhs);
      expr(a->rhs);
    } else if (auto *c = llvm::dyn_cast<CallStmt>(s)) {
      expr(c->call);
    } else if (auto *i = llvm::dyn_cast<IfStmt>(s)) {
      for (size_t k = 0; k < i->arms.size(); ++k) {
        const IfStmt::Arm &arm = i->arms[k];
        auto armChildren = [&] {
          expr(arm.cond);
          stmts(arm.body);
        };
        if (k == 0) armChildren();
        else node("Elsif", arm.cond ? arm.cond->range : SourceRange(), armChildren);
      }
      elseArm(i->hasElse, i->elseBody);
    } else if (auto *w = llvm::dyn_cast<WhileStmt>(s)) {
      expr(w->cond);
      stmts(w->body);
    } else if (auto *r = llvm::dyn_cast<RepeatStmt>(s)) {
      stmts(r->body);
      expr(r->cond);
    } else if (auto *l = llvm::dyn_cast<LoopStmt>(s)) {
      stmts(l->body);
    } else if (auto *f = llvm::dyn_cast<ForStmt>(s)) {
      expr(f->from);
      expr(f->to);
      expr(f->by);
      stmts(f->body);
    } else if (auto *cs = llvm::dyn_cast<CaseStmt>(s)) {
      expr(cs->selector);
      for (const CaseStmt::Arm &arm : cs->arms) {
        node("CaseArm", arm.labels.empty() ? SourceRange() : arm.labels.front().range, [&] {
          for (const CaseStmt::Label &lab : arm.labels)
            node("CaseLabel", lab.range, [&] {
              expr(lab.low);
              expr(lab.high);
            });
          stmts(arm.body);
        });
      }
      elseArm(cs->hasElse, cs->elseBody);
    } else if (auto *w = llvm::dyn_cast<WithStmt>(s)) {
      for (const WithStmt::Binding &b : w->bindings)
        node("WithBinding " + str(b.name), b.name.range, [&] { expr(b.value); });
      stmts(w->body);
    } else if (auto *r = llvm::dyn_cast<ReturnStmt>(s)) {
      expr(r->value);
    } else if (auto *r = llvm::dyn_cast<RaiseStmt>(s)) {
      expr(r->exception);
    } else if (auto *t = llvm::dyn_cast<TryExceptStmt>(s)) {
      stmts(t->body);
      for (const TryExceptStmt::Handler &h : t->handlers) {
        std::string head = "Handler " + join(h.exceptions, qualName);
        if (!h.var.empty()) head += " (" + str(h.var) + ")";
        node(head, h.range, [&] { stmts(h.body); });
      }
      elseArm(t->hasElse, t->elseBody);
    } else if (auto *t = llvm::dyn_cast<TryFinallyStmt>(s)) {
      stmts(t->body);
      node("Finally", {}, [&] { stmts(t->finally); });
    } else if (auto *e = llvm::dyn_cast<EvalStmt>(s)) {
      expr(e->value);
    } else if (auto *l = llvm::dyn_cast<LockStmt>(s)) {
      expr(l->mutex);
      stmts(l->body);
    } else if (auto *b = llvm::dyn_cast<BlockStmt>(s)) {
      if (b->block) block(b->block);
    }
  }

  // ---- expressions

  static std::string exprHead(const Expr *e) {
    switch (e->kind) {
    case ExprKind::Name: return "Name " + str(llvm::cast<NameExpr>(e)->name);
    case ExprKind::IntLit: return "IntLit " + std::to_string(llvm::cast<IntLitExpr>(e)->val);
    case ExprKind::CharLit: {
      char c = static_cast<char>(llvm::cast<CharLitExpr>(e)->val);
      return "CharLit " + quoted(std::string_view(&c, 1), '\'');
    }
    case ExprKind::TextLit: return "TextLit " + quoted(llvm::cast<TextLitExpr>(e)->val, '"');
    case ExprKind::RealLit: return "RealLit";
    case ExprKind::Unary: return std::string("Unary ") + spelling(llvm::cast<UnaryExpr>(e)->op);
    case ExprKind::Binary: return std::string("Binary ") + spelling(llvm::cast<BinaryExpr>(e)->op);
    case ExprKind::Deref: return "Deref";
    case ExprKind::Field: {
      auto *f = llvm::cast<FieldExpr>(e);
      return "Field " + str(f->name) + (f->implicitDeref ? " (implicit ^)" : "");
    }
    case ExprKind::Index: return llvm::cast<IndexExpr>(e)->implicitDeref ? "Index (implicit ^)" : "Index";
    case ExprKind::Call: {
      Builtin b = llvm::cast<CallExpr>(e)->builtin;
      return b == Builtin::None ? "Call" : std::string("Call builtin ") + builtinName(b);
    }
    case ExprKind::Constructor: return "Constructor";
    case ExprKind::TypeArg: return "TypeArg";
    case ExprKind::Error: return "ErrorExpr";
    }
    return "?";
  }

  void expr(const Expr *e) {
    if (!e) return;
    std::string head = exprHead(e);
    if (e->type && e->cls != ExprClass::Unchecked) head += " : " + typeName(e->type);
    if (e->value) head += " = " + formatValue(*e->value, e->type);
    node(head, e->range, [&] { exprChildren(e); });
  }

  void exprChildren(const Expr *e) {
    if (auto *u = llvm::dyn_cast<UnaryExpr>(e)) {
      expr(u->operand);
    } else if (auto *b = llvm::dyn_cast<BinaryExpr>(e)) {
      expr(b->lhs);
      expr(b->rhs);
    } else if (auto *d = llvm::dyn_cast<DerefExpr>(e)) {
      expr(d->operand);
    } else if (auto *f = llvm::dyn_cast<FieldExpr>(e)) {
      expr(f->base);
    } else if (auto *i = llvm::dyn_cast<IndexExpr>(e)) {
      expr(i->base);
      expr(i->index);
    } else if (auto *c = llvm::dyn_cast<CallExpr>(e)) {
      expr(c->callee);
      for (const Actual &a : c->args) {
        if (a.name.empty()) expr(a.value);
        else node("Actual " + str(a.name), a.name.range, [&] { expr(a.value); });
      }
    } else if (auto *c = llvm::dyn_cast<ConstructorExpr>(e)) {
      expr(c->typeExpr);
      for (const ConsElem &el : c->elems) consElem(el);
    } else if (auto *t = llvm::dyn_cast<TypeArgExpr>(e)) {
      typeExpr(t->typeExpr);
    }
  }

  void consElem(const ConsElem &el) {
    std::string head = "ConsElem ";
    switch (el.kind) {
    case ConsElem::Kind::Plain: head += "plain"; break;
    case ConsElem::Kind::Named: head += "named " + str(el.name); break;
    case ConsElem::Kind::Range: head += "range"; break;
    case ConsElem::Kind::Repeat: head += "repeat"; break;
    }
    node(head, el.range, [&] {
      expr(el.value);
      expr(el.high);
    });
  }

  // ---- type expressions

  static std::string typeHead(const TypeExpr *t) {
    switch (t->kind) {
    case TypeExprKind::Named: return "NamedType " + qualName(llvm::cast<NamedTypeExpr>(t)->name);
    case TypeExprKind::Subrange: return "SubrangeType";
    case TypeExprKind::Enum: return "EnumType {" + joinIdents(llvm::cast<EnumTypeExpr>(t)->literals) + "}";
    case TypeExprKind::Set: return "SetType";
    case TypeExprKind::Array: return llvm::cast<ArrayTypeExpr>(t)->indexes.empty() ? "ArrayType open" : "ArrayType";
    case TypeExprKind::Record: return "RecordType";
    case TypeExprKind::Packed: return "PackedType";
    case TypeExprKind::Ref: {
      auto *r = llvm::cast<RefTypeExpr>(t);
      std::string head = "RefType";
      if (r->untraced) head += " untraced";
      if (r->branded) head += " branded";
      if (r->brand) head += " " + quoted(r->brand->val, '"');
      return head;
    }
    case TypeExprKind::Proc: return "ProcType";
    case TypeExprKind::Error: return "ErrorType";
    }
    return "?";
  }

  void typeExpr(const TypeExpr *t) {
    if (!t) return;
    std::string head = typeHead(t);
    if (t->netOrder) head += " netorder";
    if (t->resolved) head += " => " + typeName(t->resolved);
    node(head, t->range, [&] { typeChildren(t); });
  }

  void typeChildren(const TypeExpr *t) {
    if (auto *s = llvm::dyn_cast<SubrangeTypeExpr>(t)) {
      expr(s->low);
      expr(s->high);
    } else if (auto *s = llvm::dyn_cast<SetTypeExpr>(t)) {
      typeExpr(s->element);
    } else if (auto *a = llvm::dyn_cast<ArrayTypeExpr>(t)) {
      for (const TypeExpr *i : a->indexes) typeExpr(i);
      typeExpr(a->element);
    } else if (auto *r = llvm::dyn_cast<RecordTypeExpr>(t)) {
      for (const FieldDecl &f : r->fields)
        node("Field " + str(f.name), f.name.range, [&] {
          typeExpr(f.type);
          expr(f.init);
        });
    } else if (auto *p = llvm::dyn_cast<PackedTypeExpr>(t)) {
      expr(p->bits);
      typeExpr(p->base);
    } else if (auto *r = llvm::dyn_cast<RefTypeExpr>(t)) {
      typeExpr(r->target);
    } else if (auto *p = llvm::dyn_cast<ProcTypeExpr>(t)) {
      signature(p->sig);
    }
  }
};

}  // namespace

void dumpUnit(const Unit &unit, const SourceManager &sm, std::ostream &out) { Dumper(sm, out).unit(unit); }

}  // namespace spx
