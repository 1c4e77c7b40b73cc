// One run of the front end over the files on the command line: finds, parses and checks each unit and every
// interface they import (each exactly once), then prints what was asked for.
#pragma once

#include "ast/AST.h"
#include "parse/Parser.h"
#include "diag/Diagnostics.h"
#include "driver/Options.h"
#include "sema/ConstValue.h"
#include "sema/Scope.h"
#include "sema/Sema.h"
#include "sema/Types.h"

#include <ostream>
#include <map>
#include <memory>
#include <vector>

namespace spx {

class Compilation : public InterfaceLoader {
public:
  Compilation(const Options &opts, std::ostream &out, std::ostream &err);
  ~Compilation() override;

  // An input held in memory (for tests and fuzzers), compiled after the files of the options.
  void addMemoryInput(std::string name, std::string text) { memoryInputs_.emplace_back(std::move(name), std::move(text)); }
  // Returns the exit status: 0 success, 1 errors in the sources.
  int run();

  InterfaceInfo *loadInterface(const Ident &name, bool mustExist) override;

  const SourceManager &sources() const { return sm_; }
  // Keep ANTLR's parse trees instead of freeing each after use: for a process that exits right after run().
  void setRetainParseTrees(bool on) { retainParseTrees_ = on; }
  DiagnosticsEngine &diags() { return diags_; }
  // After run() checked them: the modules given, in command-line order, and every interface checked (for tools
  // that work on the checked AST, such as spx-interp).
  std::vector<Unit *> checkedModules() const;
  std::vector<InterfaceInfo *> checkedInterfaces() const;

private:
  struct Input {
    std::string path;
    FileId file;
    Unit *unit = nullptr;
    bool isInterface = false;
  };
  std::vector<std::string> searchDirs() const;
  InterfaceInfo *checkInterfaceUnit(InterfaceInfo &info, const Ident &importedAs);
  void checkImplementations();
  void checkImportsAreProvided();
  // Whether the runtime provides `info`: the stdlib's interfaces are the runtime's (now or later); every other
  // interface is implemented by modules of the compilation or by nobody.
  bool providedByRuntime(const InterfaceInfo &info) const;
  bool writeStubs();

  const Options &opts_;
  std::ostream &out_;
  std::ostream &err_;
  std::ostream nullStream_{nullptr};  // swallows printed diagnostics under -verify
  SourceManager sm_;
  DiagnosticsEngine diags_;
  ASTContext ast_;
  TypeContext types_;
  ConstArena consts_;
  std::vector<Input> inputs_;
  std::vector<std::pair<std::string, std::string>> memoryInputs_;
  std::map<std::string, std::unique_ptr<InterfaceInfo>, std::less<>> interfaces_;
  std::vector<std::string> checking_;  // interfaces being checked, outermost first (import cycle detection)
  std::vector<std::unique_ptr<Sema>> semas_;
  bool retainParseTrees_ = false;
  std::vector<std::unique_ptr<ParseArtifacts>> parseArtifacts_;
  Unit *parse(FileId file);
  int runBackend();  // compiler/run/Backend.cpp
  friend int runCodeGeneration(Compilation &c);
};

// The back half (code generation and its outputs) is installed by spinec, which links it with the runtime;
// a front-end-only tool leaves it unset and reports that it generates no code.
using BackendFn = int (*)(Compilation &);
int runCodeGeneration(Compilation &c);  // spinec's back half (compiler/run)
void setBackend(BackendFn fn);

// Runs fn on a thread with a large stack, so deeply nested (but accepted) input cannot overflow it.
int runWithLargeStack(int (*fn)(void *), void *arg);

}  // namespace spx
