// The memory-safety oracle's instrumentation (spinec --oracle, docs/safety.md). After the optimiser, so that
// the accesses checked are those of the code that really runs, every load, store, atomic and memory
// intrinsic (memcpy, memmove, memset; calls of memcmp and bcmp) gets a call of
//   spx_rt_oracle_check(ptr, size, is_write, site)
// before it. The runtime traps with SPX_TRAP_ORACLE unless [ptr, ptr + size) lies in memory the extension owns.
// The site is the access's source line, taken from the debug locations CodeGen emits in oracle mode (or the
// nearest one before it in its block, or its procedure's line), so a report names the line of the access.
#include "codegen/CodeGen.h"

#include <llvm/IR/DebugInfo.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Module.h>

#include <filesystem>
#include <map>
#include <tuple>

namespace spx {
namespace {

// The image's trap-site table, extended with the sites of the accesses.
class SiteTable {
public:
  explicit SiteTable(CodeGenOutput &out) : out_(out) {
    for (uint32_t i = 0; i < out.files.size(); ++i) fileIndex_.emplace(absolute(out.files[i]), i);
    for (uint32_t i = 0; i < out.sites.size(); ++i)
      siteIndex_.emplace(std::make_tuple(out.sites[i].file, out.sites[i].line, out.sites[i].column), i);
  }

  uint32_t siteOf(const llvm::Instruction &inst) {
    if (const llvm::DILocation *loc = locationOf(inst))
      return site(fileOf(loc->getScope()), loc->getLine(), loc->getColumn());
    if (const llvm::DISubprogram *sp = inst.getFunction()->getSubprogram())
      return site(fileOf(sp), sp->getLine(), 0);
    return site(0, 0, 0);
  }

private:
  static std::string absolute(const std::string &name) {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(name, ec);
    return ec ? name : p.lexically_normal().string();
  }

  // The access's own location, else the nearest earlier one in its block (the optimiser drops some).
  static const llvm::DILocation *locationOf(const llvm::Instruction &inst) {
    for (const llvm::Instruction *i = &inst; i; i = i->getPrevNode())
      if (const llvm::DILocation *loc = i->getDebugLoc().get(); loc && loc->getLine() != 0) return loc;
    return nullptr;
  }

  uint32_t fileOf(const llvm::DIScope *scope) {
    std::string dir = scope->getDirectory().str(), name = scope->getFilename().str();
    std::string path = dir.empty() ? name : absolute(dir + "/" + name);
    auto it = fileIndex_.find(path);
    if (it != fileIndex_.end()) return it->second;
    uint32_t idx = uint32_t(out_.files.size());
    out_.files.push_back(path);
    fileIndex_.emplace(path, idx);
    return idx;
  }

  uint32_t site(uint32_t file, uint32_t line, uint32_t column) {
    auto key = std::make_tuple(file, line, column);
    auto it = siteIndex_.find(key);
    if (it != siteIndex_.end()) return it->second;
    uint32_t idx = uint32_t(out_.sites.size());
    out_.sites.push_back({file, line, column});
    siteIndex_.emplace(key, idx);
    return idx;
  }

  CodeGenOutput &out_;
  std::map<std::string, uint32_t> fileIndex_;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> siteIndex_;
};

struct Access {
  llvm::Instruction *inst;
  llvm::Value *ptr;
  llvm::Value *size;  // any integer type
  bool write;
  llvm::Value *offset = nullptr;  // a byte offset to add to ptr (llvm.load.relative)
};

// Intrinsics that touch no memory the program can see, though LLVM says they may.
bool harmlessIntrinsic(llvm::Intrinsic::ID id) {
  switch (id) {
  case llvm::Intrinsic::lifetime_start: case llvm::Intrinsic::lifetime_end:
  case llvm::Intrinsic::stacksave: case llvm::Intrinsic::stackrestore:
  case llvm::Intrinsic::invariant_start: case llvm::Intrinsic::invariant_end:
  case llvm::Intrinsic::prefetch:
    return true;
  default:
    return false;
  }
}

// The memory `inst` reads or writes, if any (a memcpy is two accesses). False, with `error` set, for an
// access the oracle does not know how to check: a new kind must be taught here, never let through unchecked.
bool accessesOf(llvm::Instruction &inst, const llvm::DataLayout &dl, std::vector<Access> &acc, std::string &error) {
  llvm::LLVMContext &ctx = inst.getContext();
  auto bytes = [&](llvm::Type *t) {
    return llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx), dl.getTypeStoreSize(t).getFixedValue());
  };
  if (auto *ld = llvm::dyn_cast<llvm::LoadInst>(&inst)) {
    acc.push_back({&inst, ld->getPointerOperand(), bytes(ld->getType()), false});
  } else if (auto *st = llvm::dyn_cast<llvm::StoreInst>(&inst)) {
    acc.push_back({&inst, st->getPointerOperand(), bytes(st->getValueOperand()->getType()), true});
  } else if (auto *rmw = llvm::dyn_cast<llvm::AtomicRMWInst>(&inst)) {
    acc.push_back({&inst, rmw->getPointerOperand(), bytes(rmw->getValOperand()->getType()), true});
  } else if (auto *cx = llvm::dyn_cast<llvm::AtomicCmpXchgInst>(&inst)) {
    acc.push_back({&inst, cx->getPointerOperand(), bytes(cx->getCompareOperand()->getType()), true});
  } else if (auto *mt = llvm::dyn_cast<llvm::MemTransferInst>(&inst)) {
    acc.push_back({&inst, mt->getRawSource(), mt->getLength(), false});
    acc.push_back({&inst, mt->getRawDest(), mt->getLength(), true});
  } else if (auto *ms = llvm::dyn_cast<llvm::MemSetInst>(&inst)) {
    acc.push_back({&inst, ms->getRawDest(), ms->getLength(), true});
  } else if (auto *ii = llvm::dyn_cast<llvm::IntrinsicInst>(&inst)) {
    if (ii->getIntrinsicID() == llvm::Intrinsic::load_relative) {  // a switch's table of relative offsets
      acc.push_back({&inst, ii->getArgOperand(0), llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx), 4), false,
                     ii->getArgOperand(1)});
    } else if (inst.mayReadOrWriteMemory() && !ii->onlyAccessesInaccessibleMemory() &&
               !harmlessIntrinsic(ii->getIntrinsicID())) {
      error = "the memory-safety oracle cannot check " + ii->getCalledFunction()->getName().str() + " in " +
              inst.getFunction()->getName().str();
      return false;
    }
  } else if (auto *call = llvm::dyn_cast<llvm::CallInst>(&inst)) {
    // The C library's memory functions, when the optimiser turned something into a call of them.
    llvm::Function *f = call->getCalledFunction();
    if (!f || !f->isDeclaration() || call->arg_size() != 3) return true;
    llvm::StringRef n = f->getName();
    if (n == "memcmp" || n == "bcmp") {
      acc.push_back({&inst, call->getArgOperand(0), call->getArgOperand(2), false});
      acc.push_back({&inst, call->getArgOperand(1), call->getArgOperand(2), false});
    } else if (n == "memcpy" || n == "memmove") {
      acc.push_back({&inst, call->getArgOperand(1), call->getArgOperand(2), false});
      acc.push_back({&inst, call->getArgOperand(0), call->getArgOperand(2), true});
    } else if (n == "memset") {
      acc.push_back({&inst, call->getArgOperand(0), call->getArgOperand(2), true});
    }
  }
  return true;
}

}  // namespace

bool instrumentForOracle(CodeGenOutput &out, bool keepDebugInfo, std::string &error) {
  llvm::Module &m = *out.module;
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptrTy = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i64Ty = llvm::Type::getInt64Ty(ctx), *i32Ty = llvm::Type::getInt32Ty(ctx);
  llvm::FunctionCallee check = m.getOrInsertFunction(
      "spx_rt_oracle_check", llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptrTy, i64Ty, i32Ty, i32Ty}, false));
  llvm::cast<llvm::Function>(check.getCallee())->setDoesNotThrow();
  SiteTable sites(out);
  const llvm::DataLayout &dl = m.getDataLayout();
  std::vector<Access> accesses;
  for (llvm::Function &f : m) {
    if (f.isDeclaration()) continue;
    for (llvm::BasicBlock &bb : f)
      for (llvm::Instruction &inst : bb) {
        // The stack check's read of the limit (CodeGen::checkStack) comes before the frame is known to fit:
        // a call there could push below the stack's end. It reads spx.state, which the oracle allows anyway.
        if (inst.getMetadata("spx.stack_limit")) continue;
        if (!accessesOf(inst, dl, accesses, error)) return false;
      }
  }
  llvm::IRBuilder<> b(ctx);
  for (const Access &a : accesses) {
    b.SetInsertPoint(a.inst);
    b.SetCurrentDebugLocation(a.inst->getDebugLoc());
    llvm::Value *size = b.CreateZExtOrTrunc(a.size, i64Ty);
    llvm::Value *ptr = a.offset ? b.CreateGEP(b.getInt8Ty(), a.ptr, a.offset) : a.ptr;
    b.CreateCall(check, {ptr, size, b.getInt32(a.write ? 1 : 0), b.getInt32(sites.siteOf(*a.inst))});
  }
  if (!keepDebugInfo) llvm::StripDebugInfo(m);
  return true;
}

}  // namespace spx
