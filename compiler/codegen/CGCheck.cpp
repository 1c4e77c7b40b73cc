// Checked runtime errors. Each check is a compare and a branch to a cold block that calls spx_rt_trap with
// the error's kind and a trap-site number; the image maps site numbers to file:line:column. The branch
// weights mark traps as never taken, so the hot path stays straight and LLVM may drop checks it can prove.
#include "codegen/detail/CG.h"

#include "spine/abi.h"

#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

namespace spx::cg {

uint32_t CodeGen::site(SourceRange where) {
  uint32_t file = 0, line = 0, col = 0;
  if (where.valid()) {
    FileId f = sm.fileOf(where.begin);
    auto it = fileIndexOf.find(f.index);
    if (it == fileIndexOf.end()) {
      it = fileIndexOf.emplace(f.index, uint32_t(out.files.size())).first;
      out.files.push_back(sm.name(f));
    }
    PresumedLoc p = sm.presumed(where.begin);
    file = it->second, line = p.line, col = p.column;
  }
  auto key = std::make_tuple(file, line, col);
  auto it = siteIdx.find(key);
  if (it != siteIdx.end()) return it->second;
  uint32_t idx = uint32_t(out.sites.size());
  out.sites.push_back({file, line, col});
  siteIdx.emplace(key, idx);
  return idx;
}

void CodeGen::trap(uint32_t kind, SourceRange where) {
  auto *call = b->CreateCall(trapFn, {b->getInt32(kind), b->getInt32(site(where))});
  call->setDoesNotReturn();
  b->CreateUnreachable();
}

void CodeGen::trapIf(llvm::Value *cond, uint32_t kind, SourceRange where) {
  if (auto *c = llvm::dyn_cast<llvm::ConstantInt>(cond); c && c->isZero()) return;
  llvm::BasicBlock *fail = llvm::BasicBlock::Create(ctx, "trap", curFn);
  llvm::BasicBlock *ok = llvm::BasicBlock::Create(ctx, "ok", curFn);
  llvm::MDBuilder md(ctx);
  b->CreateCondBr(cond, fail, ok, md.createBranchWeights(1, 1u << 20));
  b->SetInsertPoint(fail);
  trap(kind, where);
  b->SetInsertPoint(ok);
}

llvm::Value *CodeGen::checkedArith(llvm::Intrinsic::ID id, llvm::Value *a, llvm::Value *bv, SourceRange where) {
  llvm::Value *r = b->CreateBinaryIntrinsic(id, a, bv);
  trapIf(b->CreateExtractValue(r, 1), SPX_TRAP_OVERFLOW, where);
  return b->CreateExtractValue(r, 0);
}

void CodeGen::checkRange(llvm::Value *v, int64_t lo, int64_t hi, SourceRange where) {
  if (lo == INT64_MIN && hi == INT64_MAX) return;
  if (lo > hi) {  // an empty type: no value is in range
    trapIf(b->getTrue(), SPX_TRAP_RANGE, where);
    return;
  }
  // One unsigned compare: v - lo <= hi - lo.
  llvm::Value *off = b->CreateSub(v, i64(lo));
  trapIf(b->CreateICmpUGT(off, i64(int64_t(uint64_t(hi) - uint64_t(lo)))), SPX_TRAP_RANGE, where);
}

// A value of ordinal type `from` stored into `to`: checked only where `to` lacks some values of `from`
// (invariant I1: a value of an ordinal type lies in that type; an empty `from` proves nothing).
void CodeGen::checkAssignRange(llvm::Value *v, const Type *from, const Type *to, SourceRange where) {
  if (rep(to) != Rep::Ordinal) return;
  int64_t tlo, thi, flo = INT64_MIN, fhi = INT64_MAX;
  ordinalBounds(to, tlo, thi);
  if (from && rep(from) == Rep::Ordinal) ordinalBounds(from, flo, fhi);
  if (mayElide() && flo <= fhi && flo >= tlo && fhi <= thi) return;
  checkRange(v, tlo, thi, where);
}

void CodeGen::checkIndex(llvm::Value *idx, llvm::Value *n, SourceRange where) {
  trapIf(b->CreateICmpUGE(idx, n), SPX_TRAP_RANGE, where);
}

void CodeGen::checkNil(llvm::Value *p, SourceRange where) {
  trapIf(b->CreateIsNull(p), SPX_TRAP_NIL, where);
}

// One unit of fuel per loop iteration and per call (or `units`, at most 2^58, for work by size); the runtime
// sets the budget per invocation.
void CodeGen::burnFuel(SourceRange where, llvm::Value *units) {
  llvm::Value *fuel = b->CreateStructGEP(state->getValueType(), state, 0);
  llvm::Value *left = b->CreateSub(b->CreateLoad(i64Ty, fuel), units ? units : i64(1));
  b->CreateStore(left, fuel);
  trapIf(b->CreateICmpSLT(left, i64(0)), SPX_TRAP_FUEL, where);
}

// At procedure entry, once the frame's fixed part is allocated: its lowest address (the stack pointer) must lie
// above the invocation's stack limit.
void CodeGen::checkStack(SourceRange where) {
  llvm::Value *limitPtr = b->CreateStructGEP(state->getValueType(), state, 1);
  llvm::LoadInst *limit = b->CreateLoad(i64Ty, limitPtr);
  limit->setMetadata("spx.stack_limit", llvm::MDNode::get(ctx, {}));  // not instrumented by the oracle
  llvm::Value *frame = b->CreatePtrToInt(b->CreateStackSave(), i64Ty);
  llvm::BasicBlock *fail = llvm::BasicBlock::Create(ctx, "trap", curFn);
  llvm::BasicBlock *ok = llvm::BasicBlock::Create(ctx, "ok", curFn);
  llvm::MDBuilder md(ctx);
  b->CreateCondBr(b->CreateICmpULT(frame, limit), fail, ok, md.createBranchWeights(1, 1u << 20));
  b->SetInsertPoint(fail);
  // The frame may reach far below the limit (an 80 MB local array), past the end of the thread's stack and
  // into whatever is mapped there: the trap's call must not push its return address and frame down there.
  // Back up to the limit, above the runtime's reserve (docs/abi.md), and trap from there.
  b->CreateStackRestore(b->CreateIntToPtr(b->CreateAnd(limit, i64(~int64_t{15})), b->getPtrTy()));
  trap(SPX_TRAP_STACK, where);
  b->SetInsertPoint(ok);
}

void CodeGen::chargeBytes(uint64_t bytes) {
  if (bytes <= kFreeWorkBytes) return;
  burnFuel(workSite, i64(int64_t(bytes / kBytesPerFuel)));
}

void CodeGen::chargeBytes(llvm::Value *bytes) {
  if (auto *c = llvm::dyn_cast<llvm::ConstantInt>(bytes)) return chargeBytes(c->getZExtValue());
  // Sizes come from lengths the program holds (at most 2^63): the shift keeps the units below 2^58.
  burnFuel(workSite, b->CreateLShr(bytes, i64(6)));
}

void CodeGen::setLocation(SourceRange where) {
  if (where.valid()) workSite = where;
  if (!di || !diScope || !where.valid()) return;
  PresumedLoc p = sm.presumed(where.begin);
  b->SetCurrentDebugLocation(llvm::DILocation::get(ctx, p.line, p.column, diScope));
}

}  // namespace spx::cg
