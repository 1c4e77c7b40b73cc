// The loader: check the manifest's imports, check the object's undefined symbols against the export table,
// then link the object with JITLink into a JITDylib of its own whose only link partner is the export table.
// Everything is validated before anything is mapped executable, so a refused image never runs a byte.
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "detail/Exports.h"
#include "detail/ExtensionImpl.h"
#include "detail/ImageMemory.h"
#include "detail/RuntimeImpl.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/ExecutionEngine/Orc/DebugObjectManagerPlugin.h"
#include "llvm/ExecutionEngine/Orc/EPCDebugObjectRegistrar.h"
#include "llvm/ExecutionEngine/Orc/ExecutorProcessControl.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace spine::nicrt {
namespace {

using namespace llvm;
using namespace llvm::orc;

std::string hex16(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

// "Iface.Proc" -> "Iface"; empty if `symbol` does not look like an interface's procedure.
std::string_view interfaceOf(std::string_view symbol) {
  size_t dot = symbol.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == symbol.size()) return {};
  for (char c : symbol.substr(0, dot))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return {};
  if (!std::isalpha(static_cast<unsigned char>(symbol[0]))) return {};
  return symbol.substr(0, dot);
}

bool isExportedSymbol(std::string_view name) {
  for (const auto &s : detail::exportedSymbolTable())
    if (s.name == name) return true;
  return false;
}

void checkImports(const image::Manifest &m, std::vector<std::string> &errors) {
  for (const image::InterfaceRef &imp : m.imports) {
    const ExportedInterface *ex = detail::findExportedInterface(imp.name);
    if (!ex) {
      errors.push_back("image imports interface " + imp.name + ", which this runtime does not provide");
    } else if (ex->fingerprint != imp.fingerprint) {
      errors.push_back("image was compiled against interface " + imp.name + " with fingerprint " +
                       hex16(imp.fingerprint) + ", the runtime provides " + hex16(ex->fingerprint) +
                       " (stale import: recompile)");
    }
  }
}

bool imports(const image::Manifest &m, std::string_view interface) {
  for (const image::InterfaceRef &imp : m.imports)
    if (imp.name == interface) return true;
  return false;
}

std::string describeUnresolved(std::string_view name) {
  std::string n(name);
  std::string_view iface = interfaceOf(name);
  if (iface.empty()) return "image refers to " + n + ", which the runtime does not export";
  if (!detail::findExportedInterface(iface))
    return "image imports " + n + ", which the runtime does not export (it does not provide interface " +
           std::string(iface) + ")";
  if (!isExportedSymbol(name)) return "image imports " + n + ", which the runtime does not export";
  return "image uses " + n + " but its manifest does not import interface " + std::string(iface);
}

// Checks the object's format and symbols: x86-64 ELF relocatable, defines spx.init and spx.state, and leaves
// undefined only what the export table provides (to interfaces the manifest imports). `oracle`: whether the
// code calls the memory-safety oracle (compiled with spinec --oracle).
void checkObject(const image::Image &img, const Limits &limits, std::vector<std::string> &errors, bool &oracle) {
  Triple host(sys::getProcessTriple());
  if (!img.manifest.target.empty()) {
    Triple t(img.manifest.target);
    if (t.getArch() != host.getArch() || t.getObjectFormat() != Triple::ELF)
      errors.push_back("image is for target " + img.manifest.target + ", this runtime runs " + host.str());
  }
  auto obj = object::ObjectFile::createObjectFile(MemoryBufferRef(img.code, img.manifest.module));
  if (!obj) {
    errors.push_back("image code is not an object file: " + toString(obj.takeError()));
    return;
  }
  auto *elf = dyn_cast<object::ELF64LEObjectFile>(obj->get());
  if (!elf || elf->getArch() != host.getArch()) {
    errors.push_back("image code is not a 64-bit little-endian ELF object for " +
                     std::string(Triple::getArchTypeName(host.getArch())));
    return;
  }
  if (!elf->isRelocatableObject()) {
    errors.push_back("image code is not a relocatable object (ELF type " +
                     std::to_string(static_cast<const object::ELFObjectFileBase *>(elf)->getEType()) + ")");
    return;
  }

  // What loading maps (code, constants, module variables, .bss included) is bounded like the heap, before any of
  // it is allocated (docs/safety.md, I8): a module variable of a gigabyte is refused, not mapped.
  uint64_t loaded = 0;
  for (const object::SectionRef &sec : elf->sections())
    if (object::ELFSectionRef(sec).getFlags() & ELF::SHF_ALLOC) loaded += sec.getSize();
  if (loaded > limits.imageBytes) {
    errors.push_back("image takes " + std::to_string(loaded) + " bytes once loaded (code, constants and module " +
                     "variables), more than the extension's quota of " + std::to_string(limits.imageBytes));
    return;
  }

  // JITLink may place the code anywhere in the address space, so 32-bit absolute relocations (code built
  // for the static relocation model) would be out of range: refuse them here, by name.
  // (DWARF's section offsets are 32-bit too, but debug sections are not loaded: only SHF_ALLOC ones count.)
  for (const object::SectionRef &sec : elf->sections()) {
    auto relocated = sec.getRelocatedSection();
    if (!relocated) {
      consumeError(relocated.takeError());
      continue;
    }
    if (*relocated == elf->section_end() ||
        !(object::ELFSectionRef(**relocated).getFlags() & ELF::SHF_ALLOC))
      continue;
    for (const object::RelocationRef &rel : sec.relocations()) {
      uint64_t type = rel.getType();
      if (type != ELF::R_X86_64_32 && type != ELF::R_X86_64_32S && type != ELF::R_X86_64_16 &&
          type != ELF::R_X86_64_8)
        continue;
      SmallString<32> typeName;
      rel.getTypeName(typeName);
      std::string where = "?";
      if (auto name = (*relocated)->getName())
        where = name->str();
      else
        consumeError(name.takeError());
      errors.push_back("image code is not position-independent: " + typeName.str().str() + " relocation in " +
                       where + " (generate it with the PIC relocation model)");
      break;
    }
  }

  bool haveInit = false, haveState = false;
  std::set<std::string> unresolved;
  for (const object::ELFSymbolRef sym : elf->symbols()) {
    auto name = sym.getName();
    auto flags = sym.getFlags();
    if (!name || !flags) {
      errors.push_back("image code has a malformed symbol table");
      consumeError(name.takeError());
      consumeError(flags.takeError());
      return;
    }
    if (name->empty()) continue;
    if (*flags & object::SymbolRef::SF_Undefined) {
      if (*name == "_GLOBAL_OFFSET_TABLE_") continue;  // defined by JITLink itself
      if (*name == "spx_rt_oracle_check") oracle = true;
      std::string_view n(name->data(), name->size());
      std::string_view iface = interfaceOf(n);
      bool ok = isExportedSymbol(n) && (iface.empty() || imports(img.manifest, iface));
      if (!ok) unresolved.insert(std::string(n));
      continue;
    }
    if (!(*flags & object::SymbolRef::SF_Global)) continue;
    if (*name == "spx.init") haveInit = true;
    if (*name == "spx.state") {
      haveState = true;
      if (sym.getSize() < sizeof(spx_state))
        errors.push_back("image defines spx.state with " + std::to_string(sym.getSize()) +
                         " bytes, the ABI needs " + std::to_string(sizeof(spx_state)));
    }
  }
  for (const std::string &n : unresolved) errors.push_back(describeUnresolved(n));
  if (!haveInit) errors.push_back("image does not define spx.init");
  if (!haveState) errors.push_back("image does not define spx.state");
}

std::string join(const std::vector<std::string> &lines) {
  std::string s;
  for (const std::string &l : lines) {
    if (!s.empty()) s += '\n';
    s += l;
  }
  return s;
}

void printToStdout(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

Runtime::Runtime(RuntimeOptions options) : impl_(std::make_unique<Impl>()) {
  Impl &rt = *impl_;
  rt.options = std::move(options);
  rt.sink = rt.options.output ? rt.options.output : OutputSink(printToStdout);

  auto epc = SelfExecutorProcessControl::Create();
  if (!epc) report_fatal_error(epc.takeError());
  rt.session = std::make_unique<ExecutionSession>(std::move(*epc));
  // JITLink reports the reason a link failed (an out-of-range fixup, an unsupported relocation) here, and
  // only "Failed to materialize symbols" to the lookup; load() collects it into its error.
  rt.session->setErrorReporter([&rt](Error err) {
    if (rt.linkErrors) {
      rt.linkErrors->push_back(toString(std::move(err)));
      return;
    }
    logAllUnhandledErrors(std::move(err), errs(), "spine nicrt: ");
  });
  rt.linker = std::make_unique<ObjectLinkingLayer>(*rt.session);

  if (rt.options.debuggerSupport) {
    // gdb's JIT interface: for an object with DWARF, a copy with its sections at their load addresses is
    // handed to __jit_debug_register_code (in libLLVM's OrcTargetProcess), where gdb picks it up.
    if (auto registrar = createJITLoaderGDBRegistrar(*rt.session)) {
      rt.linker->addPlugin(std::make_shared<DebugObjectManagerPlugin>(
          *rt.session, std::move(*registrar), /*RequireDebugSections=*/true, /*AutoRegisterCode=*/true));
      rt.debuggerRegistration = true;
    } else {
      logAllUnhandledErrors(registrar.takeError(), errs(), "spine nicrt: no debugger support: ");
    }
  }

  rt.linker->addPlugin(detail::makeImageMemoryRecorder(rt));

  rt.exports = &rt.session->createBareJITDylib("<spine runtime exports>");
  SymbolMap symbols;
  for (const auto &s : detail::exportedSymbolTable())
    symbols[rt.session->intern(StringRef(s.name.data(), s.name.size()))] =
        ExecutorSymbolDef(ExecutorAddr::fromPtr(s.address), JITSymbolFlags::Exported | JITSymbolFlags::Callable);
  cantFail(rt.exports->define(absoluteSymbols(std::move(symbols))));
}

Runtime::~Runtime() {
  if (impl_->liveExtensions != 0) {
    std::fprintf(stderr, "spine nicrt: Runtime destroyed with %" PRId64 " extensions still loaded\n",
                 impl_->liveExtensions.load());
    std::abort();
  }
  if (Error err = impl_->session->endSession())
    logAllUnhandledErrors(std::move(err), errs(), "spine nicrt: ");
  impl_->linker.reset();
  impl_->session.reset();
}

LoadResult Runtime::load(const image::Image &img) {
  Impl &rt = *impl_;
  std::vector<std::string> errors;
  checkImports(img.manifest, errors);
  bool oracle = false;
  checkObject(img, rt.options.limits, errors, oracle);
  if (!errors.empty()) return {nullptr, join(errors)};

  auto x = std::make_unique<Extension::Impl>();
  x->runtime = &rt;
  x->image.manifest = img.manifest;
  x->image.files = img.files;
  x->image.sites = img.sites;
  x->limits = rt.options.limits;
  x->sink = &rt.sink;
  // The oracle checks accesses against each heap block's bounds, so its heap keeps them.
  if (oracle) x->heap.trackBlocks();
  x->dylibName = (img.manifest.module.empty() ? std::string("extension") : img.manifest.module) + "#" +
                 std::to_string(++rt.loadCount);

  std::lock_guard<std::mutex> serialized(rt.loadMutex);
  std::vector<std::string> linkErrors;
  rt.linkErrors = &linkErrors;
  rt.linkedMemory = &x->imageMemory;
  struct Restore {
    Impl &rt;
    ~Restore() {
      rt.linkErrors = nullptr;
      rt.linkedMemory = nullptr;
    }
  } restore{rt};

  JITDylib &jd = rt.session->createBareJITDylib(x->dylibName);
  jd.addToLinkOrder(*rt.exports, JITDylibLookupFlags::MatchExportedSymbolsOnly);
  x->dylib = &jd;
  auto fail = [&](Error err) {
    std::string msg = "linking the image's code failed: ";
    for (const std::string &e : linkErrors) msg += e + "; ";
    msg += toString(std::move(err));
    if (Error e = rt.session->removeJITDylib(jd)) consumeError(std::move(e));
    return LoadResult{nullptr, msg};
  };
  if (Error err = rt.linker->add(jd, MemoryBuffer::getMemBufferCopy(img.code, x->dylibName)))
    return fail(std::move(err));
  auto order = makeJITDylibSearchOrder(&jd, JITDylibLookupFlags::MatchAllSymbols);
  auto init = rt.session->lookup(order, rt.session->intern("spx.init"));  // links the object
  if (!init) return fail(init.takeError());
  auto state = rt.session->lookup(order, rt.session->intern("spx.state"));
  if (!state) return fail(state.takeError());
  x->init = init->getAddress().toPtr<void (*)(void)>();
  x->state = state->getAddress().toPtr<spx_state *>();
  return {std::unique_ptr<Extension>(new Extension(std::move(x))), {}};
}

}  // namespace spine::nicrt
