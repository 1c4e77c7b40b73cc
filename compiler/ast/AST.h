// The typed AST of a .spx compilation unit. The parser builds it from ANTLR's parse tree (which never leaves
// compiler/parse); Sema then fills in the annotations marked "set by Sema" (types, classes, constant values,
// resolved symbols). Nodes are owned by an ASTContext and never freed individually. Identifiers are views into
// the SourceManager's buffers, which outlive the AST.
//
// Node families use LLVM-style RTTI (a kind field plus classof), so code uses llvm::isa/dyn_cast.
#pragma once

#include "basic/SourceManager.h"

#include <llvm/Support/Casting.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace spx {

class Type;          // sema/Types.h
struct ConstValue;   // sema/ConstValue.h
struct Symbol;       // sema/Scope.h

struct Ident {
  std::string_view text;
  SourceRange range;
  bool empty() const { return text.empty(); }
};

// `Name` or `Interface.Name`.
struct QualIdent {
  Ident module;  // empty when unqualified
  Ident name;
  SourceRange range() const { return {module.empty() ? name.range.begin : module.range.begin, name.range.end}; }
};

struct Node {
  SourceRange range;
  virtual ~Node() = default;
};

// ---------------------------------------------------------------- pragmas

struct Pragma {
  enum class Kind { Event, Handler, Messages, NetOrder, Ignored, Unknown };
  Kind kind = Kind::Unknown;
  SourceRange range;
  std::string_view word;  // the pragma's first word, e.g. "HANDLER"
  QualIdent event;        // HANDLER: the event handled
  Ident guard;            // HANDLER ... GUARD g
};

// ---------------------------------------------------------------- expressions

enum class ExprKind { Name, IntLit, CharLit, TextLit, RealLit, Unary, Binary, Deref, Field, Index, Call,
                      Constructor, TypeArg, Error };

// What an expression denotes, once Sema has looked at it.
enum class ExprClass : uint8_t { Unchecked, Error, Value, Designator, Type, Interface, Exception, Builtin };

enum class UnaryOp { Not, Neg, Pos };
enum class BinaryOp { Or, And, Eq, Ne, Lt, Le, Gt, Ge, In, Add, Sub, Concat, Mul, Slash, Div, Mod };

const char *spelling(UnaryOp op);
const char *spelling(BinaryOp op);

struct TypeExpr;

struct Expr : Node {
  const ExprKind kind;
  // Set by Sema.
  ExprClass cls = ExprClass::Unchecked;
  const Type *type = nullptr;         // value/designator type, or the denoted type for ExprClass::Type
  const ConstValue *value = nullptr;  // when the expression is constant
  Symbol *symbol = nullptr;           // the declaration a Name or Field resolved to
  bool writable = false;              // a designator that may be assigned
  explicit Expr(ExprKind k) : kind(k) {}
};

struct NameExpr : Expr {
  Ident name;
  NameExpr() : Expr(ExprKind::Name) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Name; }
};

struct IntLitExpr : Expr {
  int64_t val = 0;
  IntLitExpr() : Expr(ExprKind::IntLit) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::IntLit; }
};

struct CharLitExpr : Expr {
  unsigned char val = 0;
  CharLitExpr() : Expr(ExprKind::CharLit) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::CharLit; }
};

struct TextLitExpr : Expr {
  std::string val;  // escapes decoded
  TextLitExpr() : Expr(ExprKind::TextLit) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::TextLit; }
};

// Floating-point literals are parsed so that Sema can say they are unsupported instead of a syntax error.
struct RealLitExpr : Expr {
  RealLitExpr() : Expr(ExprKind::RealLit) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::RealLit; }
};

struct UnaryExpr : Expr {
  UnaryOp op;
  SourceRange opRange;
  Expr *operand = nullptr;
  UnaryExpr() : Expr(ExprKind::Unary) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Unary; }
};

struct BinaryExpr : Expr {
  BinaryOp op;
  SourceRange opRange;
  Expr *lhs = nullptr, *rhs = nullptr;
  BinaryExpr() : Expr(ExprKind::Binary) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Binary; }
};

struct DerefExpr : Expr {
  Expr *operand = nullptr;
  DerefExpr() : Expr(ExprKind::Deref) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Deref; }
};

// `base.name`: a field, an interface member, or an enumeration literal `Color.Red`; Sema decides which.
struct FieldExpr : Expr {
  Expr *base = nullptr;
  Ident name;
  bool implicitDeref = false;  // set by Sema: base is a REF RECORD
  FieldExpr() : Expr(ExprKind::Field) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Field; }
};

// `a[i]`; the parser turns `a[i, j]` into `a[i][j]`, as the Modula-3 report defines it.
struct IndexExpr : Expr {
  Expr *base = nullptr;
  Expr *index = nullptr;
  bool implicitDeref = false;  // set by Sema: base is a REF ARRAY
  IndexExpr() : Expr(ExprKind::Index) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Index; }
};

struct Actual {
  Ident name;  // empty for positional
  Expr *value = nullptr;
};

enum class Builtin : uint8_t { None, Abs, Min, Max, First, Last, Number, Ord, Val, New, BitSize, ByteSize, AdrSize,
                               Inc, Dec, Subarray, View, Loophole, Adr, Dispose, Narrow, IsType, TypeCode,
                               Float, Trunc, Round, Floor, Ceiling };

struct CallExpr : Expr {
  Expr *callee = nullptr;
  std::vector<Actual> args;
  SourceRange parenRange;
  // Set by Sema.
  Builtin builtin = Builtin::None;
  std::vector<Expr *> boundArgs;  // for procedure calls: one per formal, defaults filled in, in formal order
  CallExpr() : Expr(ExprKind::Call) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Call; }
};

struct ConsElem {
  enum class Kind { Plain, Named, Range, Repeat } kind = Kind::Plain;
  Ident name;                     // Named
  Expr *value = nullptr;          // Plain, Named, Range (low)
  Expr *high = nullptr;           // Range
  SourceRange range;
};

// `T{...}`: an array, record or set constructor.
struct ConstructorExpr : Expr {
  Expr *typeExpr = nullptr;  // a NameExpr/FieldExpr naming the type, or a TypeArgExpr
  std::vector<ConsElem> elems;
  ConstructorExpr() : Expr(ExprKind::Constructor) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Constructor; }
};

// An anonymous type written where an expression may name a type: NEW(REF ARRAY OF INTEGER, n).
struct TypeArgExpr : Expr {
  TypeExpr *typeExpr = nullptr;
  TypeArgExpr() : Expr(ExprKind::TypeArg) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::TypeArg; }
};

// Stands where the parser recovered from a syntax error; never reaches Sema (syntax errors stop compilation).
struct ErrorExpr : Expr {
  ErrorExpr() : Expr(ExprKind::Error) {}
  static bool classof(const Expr *e) { return e->kind == ExprKind::Error; }
};

// ---------------------------------------------------------------- types (syntax)

enum class TypeExprKind { Named, Subrange, Enum, Set, Array, Record, Packed, Ref, Proc, Error };

struct TypeExpr : Node {
  const TypeExprKind kind;
  bool netOrder = false;          // <*NETORDER*> in front of it
  const Type *resolved = nullptr; // set by Sema
  explicit TypeExpr(TypeExprKind k) : kind(k) {}
};

struct NamedTypeExpr : TypeExpr {
  QualIdent name;
  NamedTypeExpr() : TypeExpr(TypeExprKind::Named) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Named; }
};

struct SubrangeTypeExpr : TypeExpr {
  Expr *low = nullptr, *high = nullptr;
  SubrangeTypeExpr() : TypeExpr(TypeExprKind::Subrange) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Subrange; }
};

struct EnumTypeExpr : TypeExpr {
  std::vector<Ident> literals;
  EnumTypeExpr() : TypeExpr(TypeExprKind::Enum) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Enum; }
};

struct SetTypeExpr : TypeExpr {
  TypeExpr *element = nullptr;
  SetTypeExpr() : TypeExpr(TypeExprKind::Set) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Set; }
};

// ARRAY I1, I2 OF E is ARRAY I1 OF ARRAY I2 OF E; no index types means an open array.
struct ArrayTypeExpr : TypeExpr {
  std::vector<TypeExpr *> indexes;
  TypeExpr *element = nullptr;
  ArrayTypeExpr() : TypeExpr(TypeExprKind::Array) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Array; }
};

struct FieldDecl {
  Ident name;
  TypeExpr *type = nullptr;  // shared by the names of one `a, b: T` field line
  Expr *init = nullptr;
};

struct RecordTypeExpr : TypeExpr {
  std::vector<FieldDecl> fields;
  RecordTypeExpr() : TypeExpr(TypeExprKind::Record) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Record; }
};

struct PackedTypeExpr : TypeExpr {
  Expr *bits = nullptr;
  TypeExpr *base = nullptr;
  PackedTypeExpr() : TypeExpr(TypeExprKind::Packed) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Packed; }
};

struct RefTypeExpr : TypeExpr {
  bool untraced = false;
  SourceRange untracedRange;
  bool branded = false;
  TextLitExpr *brand = nullptr;  // BRANDED "name"; null for an anonymous brand
  TypeExpr *target = nullptr;
  RefTypeExpr() : TypeExpr(TypeExprKind::Ref) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Ref; }
};

enum class ParamMode { Value, Var, Readonly };

struct Formal {
  ParamMode mode = ParamMode::Value;
  Ident name;
  TypeExpr *type = nullptr;  // may be null when a default gives the type
  Expr *dflt = nullptr;
};

struct Signature {
  std::vector<Formal> formals;
  TypeExpr *result = nullptr;
  enum class Raises { None, Set, Any } raises = Raises::None;
  std::vector<QualIdent> raiseSet;
  SourceRange range;
  SourceRange raisesRange;  // the RAISES clause, when there is one
};

struct ProcTypeExpr : TypeExpr {
  Signature sig;
  ProcTypeExpr() : TypeExpr(TypeExprKind::Proc) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Proc; }
};

struct ErrorTypeExpr : TypeExpr {
  ErrorTypeExpr() : TypeExpr(TypeExprKind::Error) {}
  static bool classof(const TypeExpr *t) { return t->kind == TypeExprKind::Error; }
};

// ---------------------------------------------------------------- declarations

enum class DeclKind { Const, Type, Var, Exception, Procedure, Reveal };

struct Decl : Node {
  const DeclKind kind;
  Ident name;
  std::vector<Pragma> pragmas;
  Symbol *symbol = nullptr;  // set by Sema
  explicit Decl(DeclKind k) : kind(k) {}
  const Pragma *pragma(Pragma::Kind k) const {
    for (const Pragma &p : pragmas)
      if (p.kind == k) return &p;
    return nullptr;
  }
};

struct ConstDecl : Decl {
  TypeExpr *type = nullptr;
  Expr *value = nullptr;
  ConstDecl() : Decl(DeclKind::Const) {}
  static bool classof(const Decl *d) { return d->kind == DeclKind::Const; }
};

struct TypeDecl : Decl {
  bool opaque = false;  // `T <: REFANY`
  TypeExpr *type = nullptr;
  TypeDecl() : Decl(DeclKind::Type) {}
  static bool classof(const Decl *d) { return d->kind == DeclKind::Type; }
};

struct VarDecl : Decl {
  TypeExpr *type = nullptr;  // shared by the names of one `a, b: T` line
  Expr *init = nullptr;
  VarDecl() : Decl(DeclKind::Var) {}
  static bool classof(const Decl *d) { return d->kind == DeclKind::Var; }
};

struct ExceptionDecl : Decl {
  TypeExpr *arg = nullptr;
  ExceptionDecl() : Decl(DeclKind::Exception) {}
  static bool classof(const Decl *d) { return d->kind == DeclKind::Exception; }
};

struct Stmt;
using StmtList = std::vector<Stmt *>;

struct Block : Node {
  std::vector<Decl *> decls;
  StmtList body;
};

struct ProcedureDecl : Decl {
  Signature sig;
  Block *body = nullptr;  // null in an interface
  Ident endName;
  std::vector<Symbol *> paramSymbols;  // set by Sema when it checks the body: one per formal, in order
  // Set by Sema for a <*HANDLER*> procedure whose pragma it accepted: the event it handles and its guard (null
  // if none), resolved wherever they were declared. Codegen's manifest reads these, never the pragma's names.
  Symbol *handledEvent = nullptr;
  Symbol *handlerGuard = nullptr;
  ProcedureDecl() : Decl(DeclKind::Procedure) {}
  static bool classof(const Decl *d) { return d->kind == DeclKind::Procedure; }
};

struct RevealDecl : Decl {
  RevealDecl() : Decl(DeclKind::Reveal) {}
  static bool classof(const Decl *d) { return d->kind == DeclKind::Reveal; }
};

// ---------------------------------------------------------------- statements

enum class StmtKind { Assign, Call, If, While, Repeat, Loop, Exit, For, Case, With, Return, Raise, TryExcept,
                      TryFinally, Eval, Lock, Block };

struct Stmt : Node {
  const StmtKind kind;
  explicit Stmt(StmtKind k) : kind(k) {}
};

struct AssignStmt : Stmt {
  Expr *lhs = nullptr, *rhs = nullptr;
  AssignStmt() : Stmt(StmtKind::Assign) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Assign; }
};

struct CallStmt : Stmt {
  Expr *call = nullptr;  // any expression; Sema insists on a call of a proper procedure
  CallStmt() : Stmt(StmtKind::Call) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Call; }
};

struct IfStmt : Stmt {
  struct Arm {
    Expr *cond = nullptr;
    StmtList body;
  };
  std::vector<Arm> arms;  // IF and each ELSIF
  bool hasElse = false;
  StmtList elseBody;
  IfStmt() : Stmt(StmtKind::If) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::If; }
};

struct WhileStmt : Stmt {
  Expr *cond = nullptr;
  StmtList body;
  WhileStmt() : Stmt(StmtKind::While) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::While; }
};

struct RepeatStmt : Stmt {
  StmtList body;
  Expr *cond = nullptr;
  RepeatStmt() : Stmt(StmtKind::Repeat) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Repeat; }
};

struct LoopStmt : Stmt {
  StmtList body;
  LoopStmt() : Stmt(StmtKind::Loop) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Loop; }
};

struct ExitStmt : Stmt {
  ExitStmt() : Stmt(StmtKind::Exit) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Exit; }
};

struct ForStmt : Stmt {
  Ident var;
  Expr *from = nullptr, *to = nullptr, *by = nullptr;
  StmtList body;
  Symbol *varSymbol = nullptr;  // set by Sema
  ForStmt() : Stmt(StmtKind::For) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::For; }
};

struct CaseStmt : Stmt {
  struct Label {
    Expr *low = nullptr, *high = nullptr;  // high null for a single value
    SourceRange range;
  };
  struct Arm {
    std::vector<Label> labels;
    StmtList body;
  };
  Expr *selector = nullptr;
  std::vector<Arm> arms;
  bool hasElse = false;
  StmtList elseBody;
  CaseStmt() : Stmt(StmtKind::Case) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Case; }
};

struct WithStmt : Stmt {
  struct Binding {
    Ident name;
    Expr *value = nullptr;
    Symbol *symbol = nullptr;  // set by Sema
  };
  std::vector<Binding> bindings;
  StmtList body;
  WithStmt() : Stmt(StmtKind::With) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::With; }
};

struct ReturnStmt : Stmt {
  Expr *value = nullptr;
  ReturnStmt() : Stmt(StmtKind::Return) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Return; }
};

struct RaiseStmt : Stmt {
  Expr *exception = nullptr;  // a name, or a call `E(arg)`
  RaiseStmt() : Stmt(StmtKind::Raise) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Raise; }
};

struct TryExceptStmt : Stmt {
  struct Handler {
    std::vector<QualIdent> exceptions;
    Ident var;  // empty when the handler binds no argument
    StmtList body;
    SourceRange range;
    Symbol *varSymbol = nullptr;  // set by Sema
    std::vector<Symbol *> excSymbols;  // set by Sema: the exceptions named, resolved
  };
  StmtList body;
  std::vector<Handler> handlers;
  bool hasElse = false;
  StmtList elseBody;
  TryExceptStmt() : Stmt(StmtKind::TryExcept) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::TryExcept; }
};

struct TryFinallyStmt : Stmt {
  StmtList body, finally;
  TryFinallyStmt() : Stmt(StmtKind::TryFinally) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::TryFinally; }
};

struct EvalStmt : Stmt {
  Expr *value = nullptr;
  EvalStmt() : Stmt(StmtKind::Eval) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Eval; }
};

// Parsed only so that Sema can explain that extensions have no threads.
struct LockStmt : Stmt {
  Expr *mutex = nullptr;
  StmtList body;
  LockStmt() : Stmt(StmtKind::Lock) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Lock; }
};

struct BlockStmt : Stmt {
  Block *block = nullptr;
  BlockStmt() : Stmt(StmtKind::Block) {}
  static bool classof(const Stmt *s) { return s->kind == StmtKind::Block; }
};

// ---------------------------------------------------------------- units

struct Import {
  enum class Kind { Interfaces, From } kind = Kind::Interfaces;
  Ident module;               // the interface imported
  Ident alias;                // IMPORT X AS Y; empty otherwise
  std::vector<Ident> names;   // FROM X IMPORT a, b
  SourceRange range;
};

struct Unit : Node {
  enum class Kind { Interface, Module } kind = Kind::Module;
  FileId file;
  Ident name, endName;
  bool unsafe = false;
  SourceRange unsafeRange;
  std::vector<Ident> exports;  // MODULE M EXPORTS A, B
  std::vector<Import> imports;
  std::vector<Decl *> decls;   // interface declarations; a module's are in body->decls
  Block *body = nullptr;       // module only
  std::vector<Pragma> pragmas; // in front of INTERFACE/MODULE
  bool isInterface() const { return kind == Kind::Interface; }
  bool isMessages() const {
    for (const Pragma &p : pragmas)
      if (p.kind == Pragma::Kind::Messages) return true;
    return false;
  }
  const std::vector<Decl *> &declarations() const { return isInterface() ? decls : body->decls; }
};

// Owns every node of one compilation (all units).
class ASTContext {
public:
  template <typename T, typename... Args>
  T *make(Args &&...args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    T *raw = node.get();
    nodes_.push_back(std::move(node));
    return raw;
  }
  size_t nodeCount() const { return nodes_.size(); }

private:
  std::vector<std::unique_ptr<Node>> nodes_;
};

}  // namespace spx
