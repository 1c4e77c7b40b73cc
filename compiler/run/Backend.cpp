// The compilation's back half: code generation for the modules compiled together, the optimiser, and the
// output the options ask for (an image, an object file, assembly, LLVM IR, or a run on an in-process NIC).
#include "codegen/CodeGen.h"
#include "driver/Compilation.h"
#include "run/Output.h"

#include <llvm/IR/Module.h>

#include <filesystem>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace spx {

namespace fs = std::filesystem;

namespace {
const char *extensionFor(EmitKind k) {
  switch (k) {
  case EmitKind::Image: return ".spxo";
  case EmitKind::Object: return ".o";
  case EmitKind::Assembly: return ".s";
  case EmitKind::LLVM: return ".ll";
  }
  return "";
}
}  // namespace

bool writeOutputFile(const std::string &path, const std::string &bytes, std::string &error) {
  if (path == "-") {  // standard output
    std::cout.write(bytes.data(), std::streamsize(bytes.size()));
    std::cout.flush();
    return bool(std::cout);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

int runCodeGeneration(Compilation &c) {
  return c.runBackend();
}

int Compilation::runBackend() {
  CodeGenInput in;
  for (const Input &i : inputs_)
    if (i.unit && !i.isInterface && !i.unit->isInterface()) in.modules.push_back(i.unit);
  if (in.modules.empty()) {
    if (!opts_.stubsDir.empty()) return 0;
    err_ << "spinec: error: no module to compile (only interfaces were given; use -fsyntax-only to check them)\n";
    return 1;
  }
  for (auto &[name, info] : interfaces_) {
    if (!info->unit || !info->scope) continue;
    in.interfaces.push_back(info.get());
    if (providedByRuntime(*info)) in.fromRuntime.insert(info.get());
  }
  TargetChoice target = chooseTarget(opts_);
  if (!target.machine) {
    err_ << "spinec: error: " << target.error << "\n";
    return 1;
  }
  CodeGenOutput out = generateCode(in, sm_, types_, opts_, target.triple, target.dataLayout);
  EmitKind kind = opts_.emit == EmitKind::Image || opts_.run ? EmitKind::Object : opts_.emit;
  std::string bytes, error;
  if (!optimizeAndEmit(out, *target.machine, opts_, kind, bytes, error)) {
    err_ << "spinec: error: " << error << "\n";
    return 1;
  }
  if (opts_.run) return runInProcess(out, bytes, target.triple, opts_, out_, err_);
  std::string path = opts_.output.empty() ? out.mainModule + extensionFor(opts_.emit) : opts_.output;
  if (opts_.emit == EmitKind::Image) {
    if (!writeImageFile(path, out, bytes, target.triple, opts_, err_)) return 1;
    return 0;
  }
  if (!writeOutputFile(path, bytes, error)) {
    err_ << "spinec: error: " << error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace spx
