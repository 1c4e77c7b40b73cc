// Code generation: the checked AST of one extension (its modules and the interfaces they use) to an LLVM
// module that follows the runtime ABI (include/spine/abi.h), with every checked runtime error compiled
// in as a call of spx_rt_trap at a numbered trap site. Then the optimiser and the target's code emitter.
#pragma once

#include "basic/SourceManager.h"
#include "driver/Options.h"
#include "sema/Scope.h"
#include "sema/Types.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace spx {

struct CodeGenInput {
  std::vector<Unit *> modules;                   // in command-line order; the first is the main module
  std::vector<InterfaceInfo *> interfaces;       // every interface of the compilation
  std::set<const InterfaceInfo *> fromRuntime;   // those the runtime provides (found in the stdlib)
};

struct TrapSiteInfo {
  uint32_t file = 0, line = 0, column = 0;
};

struct HandlerInfo {
  std::string event, procedure, guard;
};

struct MessageInfo {
  std::string name;
  uint64_t fingerprint = 0;
  std::vector<std::string> requests, events;
};

// What the image writer needs besides the code.
struct CodeGenOutput {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::string mainModule;
  std::vector<std::pair<std::string, uint64_t>> imports, exports;  // interface name, fingerprint
  std::vector<HandlerInfo> handlers;
  std::vector<MessageInfo> messages;
  std::vector<std::string> files;
  std::vector<TrapSiteInfo> sites;
  CodeGenOutput();
  ~CodeGenOutput();
  CodeGenOutput(CodeGenOutput &&) noexcept;
};

// Builds the LLVM module (unoptimised). `targetTriple` and `dataLayout` come from the target machine.
CodeGenOutput generateCode(const CodeGenInput &in, const SourceManager &sm, const TypeContext &types,
                           const Options &opts, const std::string &targetTriple, const std::string &dataLayout);

// The target machine of --target (or the host), made once per compilation: code generation needs its triple
// and data layout, the optimiser and the emitter the machine itself. `machine` is null, with `error` set,
// when the target is unknown.
struct TargetChoice {
  std::string triple, dataLayout, error;
  std::shared_ptr<llvm::TargetMachine> machine;
};
TargetChoice chooseTarget(const Options &opts);
// The architectures --target accepts ("x86_64, aarch64 and riscv64"), for messages and --help.
extern const char *const kSupportedArchitectures;

// Runs the optimiser for opts.optLevel (then, under --oracle, instrumentForOracle) and emits `kind` (object,
// assembly or LLVM IR text) of out.module into `bytes`. Returns false with `error` set when the code does not
// verify or the target cannot emit that kind.
bool optimizeAndEmit(CodeGenOutput &out, llvm::TargetMachine &tm, const Options &opts, EmitKind kind,
                     std::string &bytes, std::string &error);

// --oracle (OracleInstrument.cpp): a call of spx_rt_oracle_check before every memory access of out.module,
// whose trap sites (added to out.sites) are the accesses' source lines. Then drops the debug information
// unless `keepDebugInfo` (-g). False, with `error` set, when the code accesses memory in a way it cannot check.
bool instrumentForOracle(CodeGenOutput &out, bool keepDebugInfo, std::string &error);

}  // namespace spx
