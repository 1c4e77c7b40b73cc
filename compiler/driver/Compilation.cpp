#include "driver/Compilation.h"

#include "ast/ASTDump.h"
#include "driver/Verify.h"
#include "parse/Parser.h"
#include "sema/Fingerprint.h"
#include "stubs/HostStubs.h"

#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <filesystem>
#include <ostream>

namespace spx {

namespace fs = std::filesystem;

namespace {
BackendFn gBackend = nullptr;
}  // namespace

void setBackend(BackendFn fn) { gBackend = fn; }

Compilation::Compilation(const Options &opts, std::ostream &out, std::ostream &err)
    : opts_(opts), out_(out), err_(err), diags_(sm_, opts.verify ? nullStream_ : err) {
  diags_.setErrorLimit(opts.verify ? 0 : opts.errorLimit);
  diags_.setKeepRecords(opts.verify);
  diags_.setSortBySource(true);
}

Compilation::~Compilation() = default;

namespace {
// The stdlib this spinec reads when --stdlib is not given: an installed spinec's (PREFIX/share/spine/stdlib,
// beside PREFIX/bin/spinec), else the source tree's it was built from.
const std::string &defaultStdlibDir() {
  static const std::string dir = [] {
    std::error_code ec;
    fs::path installed = fs::read_symlink("/proc/self/exe", ec).parent_path() / ".." / "share" / "spine" / "stdlib";
    if (!ec && fs::is_directory(installed, ec)) return fs::weakly_canonical(installed, ec).string();
    return std::string(SPINE_STDLIB_DIR);
  }();
  return dir;
}
}  // namespace

std::vector<std::string> Compilation::searchDirs() const {
  std::vector<std::string> dirs = opts_.includeDirs;
  for (const Input &in : inputs_) {
    fs::path parent = fs::path(in.path).parent_path();
    std::string dir = parent.empty() ? std::string(".") : parent.string();
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  dirs.push_back(opts_.stdlibDir.empty() ? defaultStdlibDir() : opts_.stdlibDir);
  return dirs;
}

InterfaceInfo *Compilation::loadInterface(const Ident &name, bool mustExist) {
  std::string key(name.text);
  auto it = interfaces_.find(key);
  if (it == interfaces_.end()) {
    // Not given on the command line: search the path.
    std::string found;
    for (const std::string &dir : searchDirs()) {
      fs::path p = dir == "." ? fs::path(key + ".spi") : fs::path(dir) / (key + ".spi");
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) {
        found = p.string();
        break;
      }
    }
    if (found.empty()) {
      if (mustExist) {
        std::string dirs;
        for (const std::string &d : searchDirs()) {
          if (!dirs.empty()) dirs.append(", ");
          dirs.append(d);
        }
        diags_.report(DiagId::err_interface_not_found, name.range, name.text, dirs);
      }
      return nullptr;
    }
    auto info = std::make_unique<InterfaceInfo>();
    std::string error;
    FileId file = sm_.addFile(found, error);
    if (!file.valid()) {
      diags_.report(DiagId::err_cannot_open, name.range, found, error);
      info->failed = true;
    } else {
      info->unit = parse(file);
      if (!info->unit) info->failed = true;
    }
    it = interfaces_.emplace(key, std::move(info)).first;
  }
  InterfaceInfo &info = *it->second;
  if (info.checking) {
    std::string chain;
    auto start = std::find(checking_.begin(), checking_.end(), key);
    for (auto c = start; c != checking_.end(); ++c) chain.append(*c).append(" -> ");
    chain.append(key);
    diags_.report(DiagId::err_import_cycle, name.range, name.text, chain);
    return nullptr;
  }
  if (info.failed || !info.unit) return info.failed ? &info : nullptr;
  if (!info.scope) return checkInterfaceUnit(info, name);
  return &info;
}

InterfaceInfo *Compilation::checkInterfaceUnit(InterfaceInfo &info, const Ident &importedAs) {
  Unit *u = info.unit;
  if (!u->isInterface()) {
    diags_.report(DiagId::err_expected_interface_file, importedAs.range, sm_.name(u->file), importedAs.text);
    info.failed = true;
    return &info;
  }
  if (u->name.text != importedAs.text) {
    diags_.report(DiagId::err_interface_name_mismatch, u->name.range, sm_.name(u->file), u->name.text,
                  importedAs.text);
    info.failed = true;
    return &info;
  }
  info.checking = true;
  checking_.push_back(std::string(u->name.text));
  unsigned errorsBefore = diags_.errorCount();
  auto &sema = semas_.emplace_back(std::make_unique<Sema>(sm_, diags_, types_, consts_, *this));
  sema->checkInterface(u, info);
  checking_.pop_back();
  info.checking = false;
  if (diags_.errorCount() != errorsBefore) info.failed = true;
  if (std::optional<uint64_t> fp = fingerprint(info)) {
    info.fingerprint = *fp;
  } else if (!info.failed) {
    diags_.report(DiagId::err_fingerprint_too_large, u->name.range, u->name.text, kMaxFingerprintText >> 20);
    info.failed = true;
  }
  return &info;
}

Unit *Compilation::parse(FileId file) {
  if (!retainParseTrees_) return parseUnit(file, sm_, ast_, diags_);
  std::unique_ptr<ParseArtifacts> keep;
  Unit *u = parseUnit(file, sm_, ast_, diags_, ParseLimits{}, &keep);
  parseArtifacts_.push_back(std::move(keep));
  return u;
}

// The modules compiled together form one extension: every procedure of an interface they export must be
// implemented by one of them (events excepted: the runtime or the host raises those).
void Compilation::checkImplementations() {
  for (auto &[name, info] : interfaces_) {
    if (info->exporters.empty() || !info->scope || info->failed) continue;
    for (Symbol *decl : info->scope->symbols()) {
      if (decl->kind != SymKind::Procedure || decl->isEvent || decl->unit != info->unit) continue;
      if (std::find(info->implemented.begin(), info->implemented.end(), decl) != info->implemented.end()) continue;
      Unit *m = info->exporters.front();
      if (info->unit->isMessages())
        diags_.report(DiagId::err_request_not_implemented, m->name.range, decl->qualifiedName(), m->name.text);
      else
        diags_.report(DiagId::err_procedure_not_implemented, m->name.range, decl->qualifiedName(), m->name.text);
      diags_.report(DiagId::note_declared_here, decl->name.range, decl->qualifiedName());
    }
  }
}

bool Compilation::providedByRuntime(const InterfaceInfo &info) const {
  if (!info.unit) return false;
  fs::path stdlib = fs::weakly_canonical(opts_.stdlibDir.empty() ? defaultStdlibDir() : opts_.stdlibDir);
  std::error_code ec;
  fs::path file = fs::weakly_canonical(sm_.name(info.unit->file), ec);
  return !ec && file.parent_path() == stdlib;
}

namespace {
// The first procedure (events excepted: the runtime or the host raises those) or variable that a module must
// provide for `info`, or null when it declares only types, constants, exceptions and events.
Symbol *firstToImplement(const InterfaceInfo &info) {
  for (Symbol *s : info.scope->symbols()) {
    if (s->unit != info.unit) continue;
    if ((s->kind == SymKind::Procedure && !s->isEvent) || s->kind == SymKind::Var) return s;
  }
  return nullptr;
}
}  // namespace

// An imported interface that neither the runtime nor a module of the compilation implements would be found
// only when the NIC refuses the image: it is an error at each IMPORT of it (lang/REFERENCE.md 7.1).
// Interfaces that a module exports are checked procedure by procedure by checkImplementations.
void Compilation::checkImportsAreProvided() {
  std::vector<Unit *> importers;
  for (const Input &in : inputs_)
    if (in.unit) importers.push_back(in.unit);
  for (auto &[name, info] : interfaces_)
    if (info->unit && std::find(importers.begin(), importers.end(), info->unit) == importers.end())
      importers.push_back(info->unit);
  for (Unit *u : importers) {
    for (const Import &imp : u->imports) {
      auto it = interfaces_.find(imp.module.text);
      if (it == interfaces_.end()) continue;
      const InterfaceInfo &info = *it->second;
      if (!info.scope || info.failed || !info.exporters.empty() || providedByRuntime(info)) continue;
      Symbol *missing = firstToImplement(info);
      if (!missing) continue;
      diags_.report(DiagId::err_import_not_implemented, imp.module.range, imp.module.text,
                    missing->kind == SymKind::Var ? "variable" : "procedure", missing->qualifiedName());
      diags_.report(DiagId::note_declared_here, missing->name.range, missing->qualifiedName());
    }
  }
}

int Compilation::run() {
  // Read and parse every input first, so interfaces named on the command line take precedence over the
  // search path.
  std::vector<std::string> paths = opts_.inputs;
  for (const auto &[name, text] : memoryInputs_) paths.push_back(name);
  for (size_t k = 0; k < paths.size(); ++k) {
    const std::string &path = paths[k];
    Input in;
    in.path = path;
    std::string ext = fs::path(path).extension().string();
    if (ext != ".spx" && ext != ".spi") {
      diags_.report(DiagId::err_unknown_extension, SourceRange(), path);
      continue;
    }
    in.isInterface = ext == ".spi";
    if (k >= opts_.inputs.size()) {
      in.file = sm_.addBuffer(path, memoryInputs_[k - opts_.inputs.size()].second);
    } else {
      std::string error;
      in.file = sm_.addFile(path, error);
      if (!in.file.valid()) {
        diags_.report(DiagId::err_cannot_open, SourceRange(), path, error);
        continue;
      }
    }
    in.unit = parse(in.file);
    if (in.unit && in.isInterface) {
      std::string name(fs::path(path).stem().string());
      auto known = interfaces_.find(name);
      if (known != interfaces_.end()) {
        diags_.report(DiagId::err_duplicate_interface_file, in.unit->name.range, name,
                      sm_.name(known->second->unit->file), path);
        continue;
      }
      auto info = std::make_unique<InterfaceInfo>();
      info->unit = in.unit;
      interfaces_.emplace(name, std::move(info));
    }
    inputs_.push_back(in);
  }
  for (Input &in : inputs_) {
    if (!in.unit || diags_.limitReached()) continue;
    if (in.isInterface) {
      std::string stem = fs::path(in.path).stem().string();
      Ident asNamed{interfaces_.find(stem)->first, in.unit->name.range};
      loadInterface(asNamed, true);
    } else {
      if (in.unit->isInterface()) {
        diags_.report(DiagId::err_unknown_extension, in.unit->name.range, in.path);
        continue;
      }
      auto &sema = semas_.emplace_back(std::make_unique<Sema>(sm_, diags_, types_, consts_, *this));
      sema->checkModule(in.unit);
    }
  }
  checkImplementations();
  // Building an extension links it: then every import must be provided. Checking a module alone
  // (-fsyntax-only, -verify) may leave the modules that implement its imports to a later build.
  if (!opts_.verify && !opts_.syntaxOnly && !opts_.dumpAst && !opts_.printFingerprint && !opts_.printProcedures)
    checkImportsAreProvided();
  diags_.flush();
  if (opts_.verify) {
    return verifyDiagnostics(sm_, sm_.fileCount(), diags_.records(), err_) ? 0 : 1;
  }
  bool errors = diags_.hasErrors();
  if (opts_.dumpAst)
    for (const Input &in : inputs_)
      if (in.unit) dumpUnit(*in.unit, sm_, out_);
  if (opts_.printFingerprint) {
    for (const Input &in : inputs_) {
      if (!in.unit || !in.isInterface) continue;
      auto it = interfaces_.find(fs::path(in.path).stem().string());
      if (it != interfaces_.end() && it->second->scope && !it->second->failed)
        out_ << fmt::format("{} {:016x}\n", it->second->unit->name.text, it->second->fingerprint);
    }
  }
  if (opts_.printProcedures) {
    // The procedures an implementation of each interface must provide, as Sema resolved them (events are the
    // runtime's to raise, not to implement). The NIC runtime's build checks its export table against this.
    for (const Input &in : inputs_) {
      if (!in.unit || !in.isInterface) continue;
      auto it = interfaces_.find(fs::path(in.path).stem().string());
      if (it == interfaces_.end() || !it->second->scope || it->second->failed) continue;
      for (const Symbol *sym : it->second->scope->symbols())
        if (sym->kind == SymKind::Procedure && !sym->isEvent && sym->unit == it->second->unit)
          out_ << fmt::format("{}.{}\n", it->second->unit->name.text, sym->name.text);
    }
  }
  if (!errors && !opts_.stubsDir.empty()) errors = !writeStubs();
  if (!errors && !opts_.syntaxOnly && !opts_.dumpAst && !opts_.printFingerprint && !opts_.printProcedures) {
    if (gBackend) return gBackend(*this);
    diags_.report(DiagId::err_no_codegen, SourceRange());
    diags_.flush();
    errors = true;
  }
  return errors ? 1 : 0;
}

std::vector<Unit *> Compilation::checkedModules() const {
  std::vector<Unit *> out;
  for (const Input &i : inputs_)
    if (i.unit && !i.isInterface && !i.unit->isInterface()) out.push_back(i.unit);
  return out;
}

std::vector<InterfaceInfo *> Compilation::checkedInterfaces() const {
  std::vector<InterfaceInfo *> out;
  for (const auto &[name, info] : interfaces_)
    if (info->unit && info->scope) out.push_back(info.get());
  return out;
}

// --stubs: C++ host stubs for every message interface that a compiled module exports or that was given as a
// .spi input.
bool Compilation::writeStubs() {
  bool ok = true;
  for (auto &[name, info] : interfaces_) {
    if (!info->unit || !info->scope || info->failed || !info->unit->isMessages()) continue;
    bool given = std::any_of(inputs_.begin(), inputs_.end(), [&](const Input &in) { return in.unit == info->unit; });
    if (!given && info->exporters.empty()) continue;
    std::string error;
    if (!writeHostStubs(*info, opts_.stubsDir, error)) {
      diags_.report(DiagId::err_cannot_write_stubs, SourceRange(), name, error);
      ok = false;
    }
  }
  diags_.flush();
  return ok;
}

namespace {
struct ThreadCall {
  int (*fn)(void *);
  void *arg;
  int result;
};
void *threadMain(void *p) {
  auto *call = static_cast<ThreadCall *>(p);
  call->result = call->fn(call->arg);
  return nullptr;
}
}  // namespace

int runWithLargeStack(int (*fn)(void *), void *arg) {
  // 1 GiB of address space; only the pages a deep recursion touches are ever committed.
  constexpr size_t kStackSize = size_t{1} << 30;
  ThreadCall call{fn, arg, 0};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_t thread;
  if (pthread_attr_setstacksize(&attr, kStackSize) != 0 ||
      pthread_create(&thread, &attr, threadMain, &call) != 0) {
    pthread_attr_destroy(&attr);
    return fn(arg);  // fall back to the current stack; the nesting limits still bound recursion
  }
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  return call.result;
}

}  // namespace spx
