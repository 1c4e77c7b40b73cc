// Sema: names, types, constant folding and the safety rules, for one unit at a time. It annotates the AST in
// place (Expr::type/cls/value/symbol) and reports through the DiagnosticsEngine. The work is split by topic:
//   Sema.cpp        units, imports, scopes, lazy resolution of declarations
//   SemaDecl.cpp    CONST/TYPE/VAR/EXCEPTION/PROCEDURE declarations, exports, procedure bodies
//   SemaType.cpp    type expressions -> Types
//   SemaExpr.cpp    expressions, operators, designators, constant folding, assignability
//   SemaBuiltin.cpp predeclared procedures (ABS .. VIEW) and the unsafe ones we refuse
//   SemaStmt.cpp    statements, EXIT/RETURN placement, RAISES checking
//   SemaSpine.cpp   SPINE's additions: events, handlers and guards, message interfaces, NETORDER
#pragma once

#include "ast/AST.h"
#include "diag/Diagnostics.h"
#include "sema/ConstValue.h"
#include "sema/Scope.h"
#include "sema/Types.h"

#include <deque>
#include <optional>
#include <set>
#include <unordered_map>

namespace spx {

// How Sema reaches other units: the compilation finds, parses and checks an imported interface on demand.
class InterfaceLoader {
public:
  virtual ~InterfaceLoader() = default;
  // Returns null if the interface cannot be found (reported at `name` when `mustExist`) or is part of an
  // import cycle (always reported).
  virtual InterfaceInfo *loadInterface(const Ident &name, bool mustExist = true) = 0;
};

class Sema {
public:
  Sema(const SourceManager &sm, DiagnosticsEngine &diags, TypeContext &types, ConstArena &consts,
       InterfaceLoader &loader);

  void checkInterface(Unit *unit, InterfaceInfo &info);
  void checkModule(Unit *unit);

private:
  friend class SemaTestAccess;

  // ---- Sema.cpp: scopes and symbols
  Symbol *newSymbol(SymKind kind, Ident name, Decl *decl);
  void declare(Scope *scope, Symbol *sym);
  void declareDecls(Scope *scope, const std::vector<Decl *> &decls, bool inInterface);
  void declareBuiltins();
  void importInterfaces(Unit *unit, Scope *scope);
  // `wanted`: resolve the symbol found only if it is of this kind (Error: any kind).
  Symbol *lookupName(const Ident &name, SymKind wanted = SymKind::Error);
  Symbol *lookupQualified(const QualIdent &q, SymKind wanted = SymKind::Error);
  void checkClashes(Scope *decls, Scope *other, bool procedureMayRedeclare);
  void resolve(Symbol *sym);
  Scope *pushScope(Scope::Kind kind);
  void popScope(Scope *saved) { scope_ = saved; }
  bool checkNotUnsafeUnit(Unit *unit);
  Scope *beginUnit(Unit *unit);
  void checkUnitDecls(const std::vector<Decl *> &decls, bool inInterface, Scope *importScope);

  // ---- SemaDecl.cpp
  void resolveConst(Symbol *sym);
  void resolveTypeDecl(Symbol *sym);
  void resolveVar(Symbol *sym);
  void resolveException(Symbol *sym);
  void resolveProcedure(Symbol *sym);
  void checkDecls(const std::vector<Decl *> &decls);
  void checkProcedureBody(ProcedureDecl *proc);
  void checkBlockBody(Block *block);
  void checkExports(Unit *module, Scope *exportScope, const std::vector<InterfaceInfo *> &exported);

  // ---- SemaType.cpp
  const Type *resolveType(TypeExpr *te);
  const ProcType *resolveSignature(Signature &sig);
  const Type *lookupTypeName(const QualIdent &q);
  void drainPendingTypes();
  void fillSignature(ProcType *pt, Signature &sig);

  // ---- SemaExpr.cpp
  void checkExpr(Expr *e);
  // Checks `e` and insists on a value (a constant, variable, or expression); returns its type or the error type.
  const Type *checkValue(Expr *e);
  const Type *checkType(Expr *e);        // insists that `e` names a type
  const ConstValue *checkConstant(Expr *e);  // insists on a constant; null after reporting
  bool checkAssignable(Expr *e, const Type *to, SourceRange where);
  bool checkBoolean(Expr *e);
  void checkDesignatorWritable(Expr *e);
  void checkName(NameExpr *e);
  void checkField(FieldExpr *e);
  void checkIndex(IndexExpr *e);
  void checkDeref(DerefExpr *e);
  void checkUnary(UnaryExpr *e);
  void checkBinary(BinaryExpr *e);
  void checkCall(CallExpr *e);
  void checkConstructor(ConstructorExpr *e);
  bool bindArguments(CallExpr *e, const ProcType *pt, std::string_view calleeName);
  void checkStorable(Expr *e);
  // Refuses `t` as the type of something that holds a value (`what`: "a variable", "a field", ...) when `t`
  // has no values (docs/safety.md, I1). Returns t, or the error type.
  const Type *requireValues(const Type *t, const char *what, SourceRange where);
  void setFromSymbol(Expr *e, Symbol *sym);
  void foldBinary(BinaryExpr *e, const Type *resultType);
  const ConstValue *checkedInt(__int128 v, SourceRange where);
  bool checkConstInRange(Expr *e, const Type *to, SourceRange where);
  void foldWord(CallExpr *e);
  void noteRaises(const ProcType *pt, SourceRange where, std::string_view callee, Symbol *calleeSym);

  // ---- SemaBuiltin.cpp
  void checkBuiltinCall(CallExpr *e, Builtin b, std::string_view name);

  // ---- SemaStmt.cpp
  void checkStmts(StmtList &stmts);
  void checkStmt(Stmt *s);
  void checkRaise(RaiseStmt *s);
  void checkTryExcept(TryExceptStmt *s);
  void checkCase(CaseStmt *s);
  void checkFor(ForStmt *s);
  bool mayFallThrough(const StmtList &stmts);
  void checkWith(WithStmt *s);
  void mayRaise(Symbol *exc, SourceRange where, std::string_view via, Symbol *viaSym = nullptr);

  // ---- SemaSpine.cpp
  void checkSpinePragmas(Decl *d, bool inInterface);
  void checkHandler(ProcedureDecl *proc, const Pragma &p);
  void checkMessageInterface(Unit *unit, InterfaceInfo &info);
  void checkView(CallExpr *e);

  // ---- state
  const SourceManager &sm_;
  DiagnosticsEngine &diags_;
  TypeContext &types_;
  ConstArena &consts_;
  InterfaceLoader &loader_;
  std::deque<Symbol> symbols_;
  std::deque<Scope> scopes_;
  Scope *builtins_ = nullptr;
  Scope *scope_ = nullptr;
  Unit *unit_ = nullptr;
  unsigned level_ = 0;  // procedure nesting depth
  unsigned resolveDepth_ = 0;
  static constexpr unsigned kMaxResolveDepth = 20000;
  // Inside a TYPE declaration, REF targets and procedure signatures are resolved only once the outermost type
  // declaration is done: that is what allows recursion through REF and PROCEDURE. Elsewhere they are resolved
  // at once.
  unsigned typeDeclDepth_ = 0;
  struct PendingType {
    RefType *ref = nullptr;  // a REF whose target is `target`
    TypeExpr *target = nullptr;
    ProcType *proc = nullptr;  // or a procedure type whose signature is `sig`
    Signature *sig = nullptr;
    Scope *scope;
    unsigned level;
  };
  std::vector<PendingType> pendingTypes_;
  std::set<const Expr *> assignChecked_;  // initializers shared by several names are checked once

  // The procedure whose body is being checked (null in a module body).
  struct ProcContext {
    ProcedureDecl *decl = nullptr;
    const ProcType *type = nullptr;
  };
  ProcContext *proc_ = nullptr;
  unsigned loopDepth_ = 0;
  // TRY-EXCEPT handlers enclosing the current statement, innermost last.
  struct HandlerFrame {
    std::set<Symbol *> exceptions;
    bool all = false;  // ELSE
  };
  std::vector<HandlerFrame> handlers_;
  std::set<ProcedureDecl *> guards_;  // procedures named as GUARD: their parameters are read-only
};

}  // namespace spx
