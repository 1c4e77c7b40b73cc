// spx-interp: an independent reference for what a program prints. It runs the checked AST (Sema's facts:
// resolved symbols, types, constant values) by the rules of lang/REFERENCE.md, with structured values
// (Value.h) instead of memory, so that a code generator bug shared by every optimisation level shows up as a
// difference. The work is split by topic:
//   Interp.cpp         module order, frames, variables, zero values and constants, traps
//   InterpExpr.cpp     expressions and designators (places)
//   InterpStmt.cpp     statements
//   InterpCall.cpp     procedure calls and parameter modes
//   InterpBuiltin.cpp  predeclared procedures and the runtime's interfaces (IO, Log, Word)
//   InterpView.cpp     VIEW: records and arrays read and written through their layout in bytes
#pragma once

#include "interp/Value.h"

#include "ast/AST.h"
#include "basic/SourceManager.h"
#include "sema/ConstValue.h"
#include "sema/Scope.h"
#include "sema/Types.h"

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

namespace spx::interp {

// Where a designator's variable lives. A SUBARRAY is a slice [off, off+len) of an array value.
struct Place {
  Value *v = nullptr;
  std::shared_ptr<Value> keep;  // the heap cell `v` lies in, kept alive while the place is used
  bool slice = false;
  size_t off = 0, len = 0;
  // Inside a VIEW (REFERENCE §8.5): a variable of type `viewType` laid out at bit `bitOff` of the bytes
  // v->elems[off .. off+len) (§4.7), read and written through that layout.
  const Type *viewType = nullptr;
  uint64_t bitOff = 0;
  bool signedBytes = false;  // the byte array's elements are -128..127
};

// One activation: a procedure call, a module body, or the module variables (the outermost frame).
struct Frame {
  const void *owner = nullptr;  // the ProcedureDecl or the Unit (module body) it activates
  Frame *link = nullptr;        // static link: the frame of the enclosing procedure
  const Type *result = nullptr; // a function's result type (RETURN checks against it)
  std::unordered_map<const Symbol *, Place> vars;
  std::unordered_map<const Symbol *, Value> locals;  // storage of the variables the frame owns
};

// A checked runtime error: ends the run, no handler or FINALLY runs.
struct Trap {
  const char *kind;
  SourceLoc at;
};

// A Modula-3 exception in flight.
struct Raised {
  const Symbol *exc;
  Value arg;
};

// The interpreter stops on something it does not model (reported, exit status 4).
struct Unsupported {
  std::string what;
  SourceLoc at;
};

struct RunLimits {
  int64_t fuel = 100'000'000;
  uint64_t heapBytes = 64u << 20;
  uint64_t stackBytes = 1u << 20;  // the runtime's default invocation stack
  unsigned maxDepth = 100'000;      // a backstop for the interpreter's own stack
};

class Interpreter {
public:
  Interpreter(const SourceManager &sm, std::ostream &out, RunLimits limits);
  // Links the checked units: which module procedure implements which interface procedure, which procedure
  // encloses which.
  void addModule(Unit *module);
  void addInterface(InterfaceInfo *info);
  // Runs the module bodies in initialisation order; returns the exit status (0, or 3 after a trap).
  int run(std::ostream &err);

private:
  enum class Flow { Normal, Exit, Return };

  // ---- Interp.cpp
  std::vector<Unit *> initOrder();
  void collectProcedures(const std::vector<Decl *> &decls, const void *owner);
  void collectInStmts(const StmtList &stmts, const void *owner);
  void runBody(Unit *module);
  [[noreturn]] void trap(const char *kind, SourceRange at);
  [[noreturn]] void trap(const char *kind, SourceLoc at);
  Place lookupVar(const Symbol *sym, SourceRange at);
  Value &declareLocal(const Symbol *sym, Value v);
  void bindAlias(const Symbol *sym, Place p);
  void initVars(const std::vector<Decl *> &decls);
  Value zero(const Type *t);
  Value fromConst(const ConstValue *c, const Type *t);
  Value textValue(const std::string &s);
  const std::string &textOf(const Value &v) const;
  const Symbol *implementation(const Symbol *proc) const;
  Value procValue(const Symbol *proc);
  Frame *envFor(const Symbol *proc);
  void chargeFuel(int64_t units, SourceRange at);

  // ---- InterpExpr.cpp
  Value eval(Expr *e);
  Place place(Expr *e);
  Value read(const Place &p);
  // Stores `v` into `p`, a variable of type `t`: range check for ordinals, shape check for arrays.
  void store(const Place &p, const Value &v, const Type *t, SourceRange at);
  // Checks that `v` may be stored in a variable of type `t` (range, array lengths, nested procedures).
  void checkStorable(const Value &v, const Type *t, SourceRange at, bool mayBeNested = false);
  void checkRange(int64_t v, const Type *t, SourceRange at);
  Value evalUnary(UnaryExpr *e);
  Value evalBinary(BinaryExpr *e);
  Value evalConstructor(ConstructorExpr *e);
  Value setOp(BinaryOp op, const Value &a, const Value &b);
  Value &element(Value &array, const Type *arrayType, int64_t index, size_t off, size_t len, SourceRange at);
  size_t fieldIndex(const Type *recordType, std::string_view name);
  int64_t checkedAdd(int64_t a, int64_t b, SourceRange at);

  // ---- InterpStmt.cpp
  Flow exec(const StmtList &stmts);
  Flow exec(Stmt *s);
  Flow execFor(ForStmt *s);
  Flow execCase(CaseStmt *s);
  Flow execWith(WithStmt *s);
  Flow execTryExcept(TryExceptStmt *s);
  Flow execTryFinally(TryFinallyStmt *s);
  Flow execBlock(Block *b);

  // ---- InterpCall.cpp
  Value evalCall(CallExpr *e);
  Value callProcedure(const Value &callee, const ProcType *pt, CallExpr *e);
  Value callRuntime(const Symbol *proc, const std::vector<Value> &args, CallExpr *e);

  // ---- InterpBuiltin.cpp
  Value evalBuiltin(CallExpr *e);
  Place builtinPlace(CallExpr *e);
  void incDec(CallExpr *e);
  Value evalNew(CallExpr *e);
  size_t lengthOf(Expr *array);

  // ---- InterpView.cpp
  Place viewPlace(CallExpr *e);
  Place viewField(const Place &p, std::string_view field);
  Place viewElement(const Place &p, int64_t index, SourceRange at);
  Value viewRead(const Place &p, const Type *t, uint64_t bitOff);
  void viewWrite(const Place &p, const Type *t, uint64_t bitOff, const Value &v);
  uint64_t frameBytes(const ProcedureDecl *decl, const ProcType *pt, const std::vector<Value> &values,
                      const std::vector<bool> &isAlias);

  const SourceManager &sm_;
  std::ostream &out_;
  RunLimits limits_;
  std::vector<Unit *> modules_;
  std::vector<InterfaceInfo *> interfaces_;
  std::unordered_map<const Symbol *, const Symbol *> impl_;     // interface procedure -> implementation
  std::unordered_map<const void *, const void *> enclosing_;   // ProcedureDecl -> enclosing owner
  std::map<std::string, int64_t> textIndex_;
  std::vector<std::string> texts_;
  std::unordered_map<const ConstValue *, Value> constCache_;
  Frame globals_;
  Frame *frame_ = &globals_;
  Value result_;  // the value of the RETURN being executed
  int64_t fuel_;
  uint64_t heapUsed_ = 0;
  unsigned depth_ = 0;
  uint64_t stackUsed_ = 0;  // an estimate of the compiled code's stack: frames, locals, VALUE copies
  std::unordered_map<const ProcedureDecl *, uint64_t> localBytes_;
  std::string mainModule_;
};

}  // namespace spx::interp
