// The code generator's state, shared by the CG*.cpp files (one per topic, as in clang's CodeGen):
//   CGModule.cpp   units, globals, procedures, module bodies and their order, manifest facts
//   CGLayout.cpp   memory layout: sizes, field offsets, loads and stores of ordinals (packed, NETORDER)
//   CGExpr.cpp     expressions: values, designators, operators, constructors
//   CGCall.cpp     calls: argument passing, procedure values, nested procedures' environments
//   CGBuiltin.cpp  ABS .. VIEW and the Word interface
//   CGStmt.cpp     statements, EXIT/RETURN through FINALLY, exceptions
//   CGCheck.cpp    checked runtime errors: trap sites, overflow, ranges, fuel, stack
//   CGMessages.cpp the NIC side of message interfaces: events encoded in the wire format (docs/messages.md)
//   CGRequests.cpp the NIC side of requests: payloads checked and decoded, replies encoded
//
// Representation (see docs/abi.md): ordinals are i64 in registers and their layout size in memory;
// references are pointers; a procedure value is {code, environment} in registers and in memory (an
// assignment never stores a nested one: it traps, so only parameters and WITH values hold one); records, arrays and sets live in memory and are
// handled by address; an open array is its data address and one length per open dimension.
#pragma once

#include "codegen/CodeGen.h"

#include <llvm/IR/DIBuilder.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <map>
#include <unordered_map>

namespace spx::cg {

// A place in memory holding a value of `type`. Packed ordinals may start inside a byte: `bit` is then the
// bit offset (0..7, counted from the most significant bit, network bit order) of the first bit at `ptr`.
struct LValue {
  llvm::Value *ptr = nullptr;
  llvm::Value *bit = nullptr;  // null: 0
  const Type *type = nullptr;
  std::vector<llvm::Value *> lens;  // open arrays: one length per open dimension
  bool wide = false;  // an ordinal local or parameter: held in 64 bits whatever its type's layout
};

// A value of any type: scalars in `v`; aggregates at `addr` (with `lens` for open arrays); procedure values
// are `v` (code) and `env`.
struct RValue {
  llvm::Value *v = nullptr;
  llvm::Value *env = nullptr;
  llvm::Value *addr = nullptr;
  std::vector<llvm::Value *> lens;
};

enum class Rep { Ordinal, Pointer, Proc, Memory, OpenArray, None };

// A set's elements, and the 64-bit words it takes in memory and on the wire (docs/messages.md).
inline uint64_t setElementCount(const SetType *s) {
  int64_t lo = 0, hi = -1;
  ordinalBounds(s->element, lo, hi);
  return hi >= lo ? static_cast<uint64_t>(hi - lo) + 1 : 0;
}
inline uint64_t setWordCount(const SetType *s) { return (setElementCount(s) + 63) / 64; }

struct ProcInfo;

// Where a variable (local, parameter, FOR/WITH/handler name) lives.
struct VarInfo {
  enum class Kind { Direct, ByRef, OpenArray } kind = Kind::Direct;
  ProcInfo *owner = nullptr;        // null: a global
  llvm::Value *storage = nullptr;   // global or alloca (when not in the owner's frame)
  int64_t frameOffset = -1;         // >= 0: in the owner's frame at this byte offset
  unsigned dims = 0;                // open arrays
  const Type *type = nullptr;
  llvm::Value *constBit = nullptr;  // WITH aliases of packed designators: the bit offset (not stored)
};

struct ProcInfo {
  ProcedureDecl *decl = nullptr;
  Symbol *sym = nullptr;
  const ProcType *type = nullptr;
  llvm::Function *fn = nullptr;
  ProcInfo *parent = nullptr;      // enclosing procedure for nested ones
  std::vector<ProcInfo *> children;  // nested procedures: generated after this one, whose variables they use
  bool hasNested = false;          // its variables live in a frame its nested procedures reach
  // Frame layout (when hasNested): offset 0 holds the procedure's own environment pointer.
  int64_t frameSize = 8;
  llvm::Value *frame = nullptr;    // in the function being generated
  llvm::Value *env = nullptr;      // the environment parameter (nested procedures)
  llvm::Value *sret = nullptr;     // result pointer for aggregate results
  llvm::DISubprogram *di = nullptr;
};

// A way out of statements that crosses FINALLY parts: EXIT, RETURN, or an exception propagating.
struct Cleanup {
  enum class Kind { Finally, Except, Loop } kind;
  TryFinallyStmt *finally = nullptr;
  llvm::BasicBlock *finallyBlock = nullptr;  // Finally: entry of the FINALLY code
  llvm::Value *destSlot = nullptr;           // Finally: i32 where to continue afterwards
  // Finally: where its FINALLY code continues, beyond falling through (0) and propagating an exception (1):
  // number k + 2 is a branch out to `target`, which lies outside the cleanups above `depth`.
  struct Dest {
    llvm::BasicBlock *target;
    size_t depth;
  };
  std::vector<Dest> dests;
  llvm::BasicBlock *handlerBlock = nullptr;  // Except: where a raised exception goes
  llvm::BasicBlock *exitBlock = nullptr;     // Loop: EXIT target
};

class CodeGen {
public:
  CodeGen(const CodeGenInput &in, const SourceManager &sm, const TypeContext &types, const Options &opts,
          CodeGenOutput &out);
  void run(const std::string &triple, const std::string &dataLayout);

  // ---- CGModule.cpp
  void declareUnit(Unit *u);
  void declareProcedures(const std::vector<Decl *> &decls, ProcInfo *parent, Unit *u, const std::string &prefix);
  void declareInStatements(const StmtList &stmts, ProcInfo *parent, Unit *u, const std::string &prefix);
  llvm::Function *procFunction(Symbol *sym);
  // Whether `sym` is a procedure the runtime provides (called with its site as a hidden last argument).
  bool isRuntimeProc(Symbol *sym);
  // procFunction, but for a runtime procedure a wrapper of the ordinary type (for procedure values).
  llvm::Function *procValueFunction(Symbol *sym);

  // Message interfaces, the NIC side (CGMessages.cpp): events encode their arguments and post the message.
  const InterfaceInfo *messageInterfaceOf(Symbol *sym);
  llvm::Function *eventFunction(Symbol *sym);
  bool fixedWireSize(const Type *t, uint64_t &size);
  llvm::Value *wireSize(const LValue &lv);
  llvm::Value *wirePut(const LValue &lv, llvm::Value *cursor);
  // Requests (CGRequests.cpp): "spx.request.I" checks a request's payload, decodes it, runs it and replies.
  struct RequestDecoder {
    llvm::Value *payload = nullptr, *length = nullptr;  // the request's payload and its byte count (i64)
    llvm::Value *badAt = nullptr;                       // i64 slot: the offset of the first malformed byte
    llvm::Value *textBytes = nullptr;                   // i64 slot: heap bytes the request's TEXTs will take
    llvm::BasicBlock *reject = nullptr;                 // returns 1 + *badAt
  };
  void defineRequestDispatchers();
  void defineRequestDispatcher(const InterfaceInfo *info);
  void emitRequest(RequestDecoder &d, Symbol *sym);
  void emitReply(uint32_t kind, const LValue &lv, int64_t position, uint32_t replySite);
  uint64_t minWireSize(const Type *t);
  bool wireNeedsCheck(const Type *t);
  bool containsText(const Type *t);
  void rejectIf(RequestDecoder &d, llvm::Value *cond, llvm::Value *off);
  llvm::Value *loadWireCount(RequestDecoder &d, llvm::Value *off);
  llvm::Value *loadWireOrdinal(RequestDecoder &d, const Type *t, llvm::Value *off);
  void requireWireBytes(RequestDecoder &d, llvm::Value *off, llvm::Value *n, llvm::Value *valueAt = nullptr);
  llvm::Value *wireCheck(RequestDecoder &d, const Type *t, llvm::Value *off);
  llvm::Value *wireCheckElements(RequestDecoder &d, const Type *element, llvm::Value *count, llvm::Value *off);
  llvm::Value *wireGet(RequestDecoder &d, const LValue &lv, llvm::Value *off);
  llvm::Value *wireGetElements(RequestDecoder &d, llvm::Value *base, const Type *element, llvm::Value *count,
                               llvm::Value *off);
  llvm::Value *requestScratch(llvm::Value *bytes);
  // Calls body(i) for i in [0, n): a counted loop in the current function (CGLayout.cpp).
  void forEachIndex(llvm::Value *n, const std::function<void(llvm::Value *)> &body);
  llvm::FunctionType *procFnType(const ProcType *pt, bool nested);
  void defineProcedure(ProcInfo &p);
  void defineWithChildren(ProcInfo &p);
  void defineModuleBody(Unit *u);
  void defineInit();
  llvm::GlobalVariable *exceptionGlobal(Symbol *exc);
  llvm::FunctionCallee exceptionArgumentCopy(bool save);
  void defineExceptionArgumentCopies();
  llvm::Function *excSaveFn = nullptr, *excRestoreFn = nullptr;
  std::vector<llvm::AllocaInst *> excArgBuffers;
  llvm::GlobalVariable *globalVar(Symbol *sym);
  void declareLocals(const std::vector<Decl *> &decls);
  void initLocals(const std::vector<Decl *> &decls);
  void collectManifest();
  std::string symbolName(Symbol *sym);
  bool isRuntimeUnit(const Unit *u) const;

  // ---- CGLayout.cpp
  uint64_t byteSize(const Type *t);
  uint64_t byteAlign(const Type *t);
  const std::vector<uint64_t> &fieldBitOffsets(const RecordType *r);  // Sema's layout, computed once per type
  LValue fieldLValue(llvm::Value *record, uint64_t bitOffset, const Type *fieldType);
  LValue elementLValue(llvm::Value *array, llvm::Value *index, const Type *element);
  llvm::Constant *nullPtr() { return llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx)); }
  Rep rep(const Type *t);
  llvm::Value *loadOrdinal(const LValue &lv);
  void storeOrdinal(const LValue &lv, llvm::Value *v);
  llvm::Value *i64(int64_t v) { return b->getInt64(static_cast<uint64_t>(v)); }
  llvm::Value *bytePtr(llvm::Value *base, llvm::Value *offset);
  llvm::Value *bytePtr(llvm::Value *base, uint64_t offset);
  llvm::AllocaInst *temp(const Type *t, const char *name = "tmp");
  llvm::AllocaInst *tempBytes(uint64_t size, uint64_t align, const char *name = "tmp");
  void copyBytes(llvm::Value *dst, llvm::Value *src, llvm::Value *size, uint64_t align);
  void zeroFill(llvm::Value *dst, const Type *t);
  void initDefaults(llvm::Value *dst, const Type *t);  // record field defaults, recursively
  // Whether the zero value of `t` is not all-zero bits; remembered per type, since types may share components
  // (`R2 = RECORD a, b: R1 END`) and the question must not cost time exponential in their depth.
  bool needsInit(const Type *t);
  std::unordered_map<const Type *, bool> needsInitCache;
  void initElements(llvm::Value *dst, const Type *elem, llvm::Value *n);
  llvm::Value *totalBytes(const Type *openArray, const std::vector<llvm::Value *> &lens);
  const Type *innermostElement(const Type *t, unsigned &openDims);

  // ---- CGExpr.cpp
  RValue emit(Expr *e);                      // any value
  llvm::Value *emitOrdinal(Expr *e);         // i64
  llvm::Value *emitCond(Expr *e);            // i1
  llvm::Value *emitPointer(Expr *e);
  LValue emitLValue(Expr *e);
  RValue loadValue(const LValue &lv);
  void storeValue(const LValue &lv, const RValue &v, const Type *from, SourceRange where);
  RValue emitConst(const ConstValue *cv, const Type *t);
  llvm::Constant *constBytes(const ConstValue *cv, const Type *t, std::vector<uint8_t> &bytes, uint64_t bitOffset);
  llvm::Constant *textConstant(const std::string &s);
  RValue emitBinary(BinaryExpr *e);
  RValue emitSetBinary(BinaryExpr *e);
  llvm::Value *equalAt(llvm::Value *x, llvm::Value *y, const Type *t);  // i1: `=` on records and arrays
  bool denseLayout(const Type *t);
  std::map<const Type *, bool> denseCache;
  std::map<const Type *, llvm::Function *> equalFns;
  RValue emitWideSetBinary(BinaryOp op, const Type *set, uint64_t words, llvm::Value *lhs, llvm::Value *rhs);
  RValue emitConstructor(ConstructorExpr *e);
  void repeatLastElement(llvm::Value *array, const Type *el, int64_t from, int64_t to, SourceRange where);
  // Constants larger than this that end in a long repeat are built at run time rather than stored in the image.
  static constexpr uint64_t kMaxConstBytes = 1 << 24;
  LValue varLValue(Symbol *sym);
  bool wideLocal(const Type *t);
  llvm::Value *frameOf(ProcInfo *owner);
  llvm::Value *bindVar(Symbol *sym, VarInfo vi);  // returns the variable's slot
  llvm::Value *slotOf(const VarInfo &vi);
  LValue derefChecked(llvm::Value *ref, const Type *target, SourceRange where);
  RValue asOpenArray(const RValue &v, const Type *t);
  void assignInto(const LValue &dst, Expr *src, SourceRange where);

  // ---- CGCall.cpp
  RValue emitCall(CallExpr *e, llvm::Value *sret = nullptr);
  void pushArgs(std::vector<llvm::Value *> &args, const ProcParam &p, Expr *actual, bool laterEffects = false);
  void checkRaised(const ProcType *pt);
  bool needsEntryChecks(llvm::Function *fn);
  llvm::BasicBlock *startPrologue();
  void finishPrologue(llvm::BasicBlock *prologue, SourceRange where);
  llvm::Value *envFor(ProcInfo *callee);

  // ---- CGBuiltin.cpp
  RValue emitBuiltin(CallExpr *e);
  RValue emitWord(CallExpr *e, const std::string &name);
  LValue emitSubarray(CallExpr *e);
  LValue emitView(CallExpr *e);
  void emitIncDec(CallExpr *e, bool inc);
  bool isWordCall(CallExpr *e, std::string &name);

  // ---- CGStmt.cpp
  void emitStmts(const StmtList &stmts);
  void emitStmt(Stmt *s);
  void emitIf(IfStmt *s);
  void emitLoopBody(const StmtList &body, llvm::BasicBlock *exit);
  void emitWhile(WhileStmt *s);
  void emitRepeat(RepeatStmt *s);
  void emitLoop(LoopStmt *s);
  void emitFor(ForStmt *s);
  void emitCase(CaseStmt *s);
  void emitWith(WithStmt *s);
  void emitReturn(ReturnStmt *s);
  void emitRaise(RaiseStmt *s);
  void emitTryExcept(TryExceptStmt *s);
  void emitTryFinally(TryFinallyStmt *s);
  void emitBlock(Block *blk);
  // Branches to `target`, which lies outside the cleanups above `depth` in the stack, running FINALLY parts.
  void branchOut(llvm::BasicBlock *target, size_t depth);
  void emitPropagate();  // an exception is pending: go to the innermost handler or FINALLY, or return
  bool blockTerminated();
  void startBlock(const char *name);

  // Whether a check may be left out (or facts that let the optimiser drop one, such as !range, attached)
  // because the compiler proved it cannot fail. Every such elision asks here; under --oracle none happens,
  // so the oracle tests the code with all its checks (docs/safety.md).
  bool mayElide() const { return !opts.oracle; }

  // ---- CGBounds.cpp
  static constexpr int64_t kFreeTrips = 1024;
  bool boundedExpr(const Expr *e);
  bool boundedStmts(const StmtList &stmts);
  bool mayHaveEffects(const Expr *e);
  // `v`, an aggregate of fixed type `t` at an address, copied when evaluating `later` may change it.
  RValue copyIfChanged(const RValue &v, const Type *t, const Expr *later);

  // ---- CGCheck.cpp
  uint32_t site(SourceRange where);
  void trap(uint32_t kind, SourceRange where);
  void trapIf(llvm::Value *cond, uint32_t kind, SourceRange where);
  llvm::Value *checkedArith(llvm::Intrinsic::ID id, llvm::Value *a, llvm::Value *b, SourceRange where);
  void checkRange(llvm::Value *v, int64_t lo, int64_t hi, SourceRange where);
  void checkAssignRange(llvm::Value *v, const Type *from, const Type *to, SourceRange where);
  void checkIndex(llvm::Value *idx, llvm::Value *n, SourceRange where);
  void checkNil(llvm::Value *p, SourceRange where);
  void burnFuel(SourceRange where, llvm::Value *units = nullptr);
  // Work proportional to a size (copies, zeroing, comparisons, element loops, set words): one unit of fuel per
  // kBytesPerFuel bytes, the first kFreeWorkBytes free, charged at the statement being generated (invariant I6).
  static constexpr uint64_t kFreeWorkBytes = 256, kBytesPerFuel = 64;
  void chargeBytes(uint64_t bytes);
  void chargeBytes(llvm::Value *bytes);
  void checkStack(SourceRange where);
  void setLocation(SourceRange where);

  // ---- state
  const CodeGenInput &in_;
  const SourceManager &sm;
  const TypeContext &types;
  const Options &opts;
  CodeGenOutput &out;
  llvm::LLVMContext &ctx;
  llvm::Module *mod = nullptr;
  std::unique_ptr<llvm::IRBuilder<>> b;
  llvm::Type *ptrTy = nullptr, *i64Ty = nullptr, *i32Ty = nullptr, *i8Ty = nullptr, *i1Ty = nullptr;
  llvm::GlobalVariable *state = nullptr;
  llvm::FunctionCallee trapFn, newFn;
  std::map<Symbol *, std::unique_ptr<ProcInfo>> procs;   // every procedure symbol of the compilation
  std::map<Symbol *, Symbol *> implOf;                   // interface procedure -> implementing module's
  std::map<Symbol *, llvm::GlobalVariable *> globals, exceptions;
  std::map<Symbol *, llvm::Function *> runtimeProcs;      // procedures the runtime provides, by symbol
  std::map<Symbol *, llvm::Function *> runtimeProcValues; // their wrappers for use as procedure values
  std::map<Symbol *, llvm::Function *> eventFns;          // events of exported message interfaces
  std::unordered_map<Symbol *, VarInfo> vars;
  std::map<std::string, llvm::GlobalVariable *> texts;
  std::map<uint32_t, uint32_t> fileIndexOf;               // FileId.index -> index in out.files
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> siteIdx;
  std::map<Unit *, llvm::Function *> bodies;
  std::map<Unit *, std::unique_ptr<ProcInfo>> bodyInfos;  // module bodies, as procedures for nested ones
  std::map<const RecordType *, std::vector<uint64_t>> fieldOffsetCache;
  // The procedure being generated (null in a module body) and its cleanup stack.
  ProcInfo *cur = nullptr;
  llvm::Function *curFn = nullptr;
  Unit *curUnit = nullptr;
  std::vector<Cleanup> cleanups;
  llvm::BasicBlock *returnBlock = nullptr;  // where RETURN goes once FINALLY parts have run
  llvm::Value *resultSlot = nullptr;        // scalar results
  SourceRange workSite;                     // the statement or expression being generated, for fuel traps
  // Debug info.
  std::unique_ptr<llvm::DIBuilder> di;
  std::map<uint32_t, llvm::DIFile *> diFiles;
  llvm::DICompileUnit *diCU = nullptr;
  llvm::DIScope *diScope = nullptr;
  llvm::DIType *diType(const Type *t);
  llvm::DIType *describeType(const Type *t);
  std::unordered_map<const Type *, llvm::DIType *> diTypes;  // each type described once (shared components)
  llvm::DIFile *diFile(SourceLoc loc);
  void declareDebugVar(Symbol *sym, llvm::Value *addr, const Type *t, bool isParam, unsigned argNo);
};

}  // namespace spx::cg
