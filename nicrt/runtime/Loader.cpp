// The loader: check the manifest's imports, parse and check the object (its format, its undefined symbols
// against the export table), then link it with the runtime's own linker (elf/ElfLinker.h), whose only
// source of imports is the export table. Everything is validated before anything is mapped executable, so a
// refused image never runs a byte. No LLVM: the runtime could run on a SmartNIC core.
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <set>

#include <elf.h>

#include <optional>

#include "detail/Exports.h"
#include "detail/ExtensionImpl.h"
#include "detail/RuntimeImpl.h"
#include "elf/ElfLinker.h"
#include "elf/ElfObject.h"

namespace spine::nicrt {
namespace {

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

// The architecture this runtime runs, as the first component of a target triple and as an ELF machine.
#if defined(__x86_64__)
constexpr std::string_view kHostArch = "x86_64";
#else
#error "the NIC runtime's loader links x86-64 code only (elf/ElfLinker.cpp)"
#endif

// Checks the object's target and symbols: it defines spx.init and spx.state, and leaves undefined only what
// the export table provides (to interfaces the manifest imports). `oracle`: whether the code calls the
// memory-safety oracle (compiled with spinec --oracle). The format itself was checked by parseElf.
void checkObject(const image::Image &img, const elf::ElfObject &obj, const Limits &limits,
                 std::vector<std::string> &errors, bool &oracle) {
  if (!img.manifest.target.empty()) {
    std::string_view arch = std::string_view(img.manifest.target).substr(0, img.manifest.target.find('-'));
    if (arch != kHostArch)
      errors.push_back("image is for target " + img.manifest.target + ", this runtime runs " +
                       std::string(kHostArch) + "-linux");
  }
  if (obj.machine != EM_X86_64) {
    errors.push_back("image code is not a 64-bit little-endian ELF object for " + std::string(kHostArch) +
                     " (ELF machine " + std::to_string(obj.machine) + ")");
    return;
  }

  // What loading maps (code, constants, module variables, .bss included) is bounded like the heap, before any of
  // it is allocated (docs/safety.md, I8): a module variable of a gigabyte is refused, not mapped.
  uint64_t loaded = elf::loadedBytes(obj);
  if (loaded > limits.imageBytes) {
    errors.push_back("image takes " + std::to_string(loaded) + " bytes once loaded (code, constants and module " +
                     "variables), more than the extension's quota of " + std::to_string(limits.imageBytes));
    return;
  }

  bool haveInit = false, haveState = false;
  std::set<std::string> unresolved;
  // Each message interface's request dispatcher (include/spine/abi.h), in the code.
  std::set<std::string> dispatchers;
  for (const image::MessageInterface &m : img.manifest.messages) dispatchers.insert("spx.request." + m.name);
  for (const elf::Symbol &sym : obj.symbols) {
    if (sym.name.empty()) continue;
    if (sym.undefined()) {
      if (sym.name == "spx_rt_oracle_check") oracle = true;
      std::string_view iface = interfaceOf(sym.name);
      bool ok = isExportedSymbol(sym.name) && (iface.empty() || imports(img.manifest, iface));
      if (!ok) unresolved.insert(std::string(sym.name));
      continue;
    }
    if (!sym.global()) continue;
    const elf::Section *in = sym.absolute() ? nullptr : &obj.sections[sym.section];
    if (sym.name == "spx.init") {
      haveInit = true;
      if (!in || !in->loaded() || !in->executable()) errors.push_back("image defines spx.init outside its code");
    }
    if (dispatchers.count(std::string(sym.name))) {
      if (!in || !in->loaded() || !in->executable())
        errors.push_back("image defines " + std::string(sym.name) + " outside its code");
      else
        dispatchers.erase(std::string(sym.name));
    }
    if (sym.name == "spx.state") {
      haveState = true;
      if (!in || !in->loaded() || !in->writable())
        errors.push_back("image defines spx.state outside its writable data");
      else if (sym.size < sizeof(spx_state))
        errors.push_back("image defines spx.state with " + std::to_string(sym.size) + " bytes, the ABI needs " +
                         std::to_string(sizeof(spx_state)));
    }
  }
  for (const std::string &n : unresolved) errors.push_back(describeUnresolved(n));
  if (!haveInit) errors.push_back("image does not define spx.init");
  if (!haveState) errors.push_back("image does not define spx.state");
  for (const std::string &d : dispatchers)
    errors.push_back("image lists message interface " + d.substr(12) + " but does not define " + d);
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
  impl_->options = std::move(options);
  impl_->sink = impl_->options.output ? impl_->options.output : OutputSink(printToStdout);
}

Runtime::~Runtime() {
  if (impl_->liveExtensions != 0) {
    std::fprintf(stderr, "spine nicrt: Runtime destroyed with %" PRId64 " extensions still loaded\n",
                 impl_->liveExtensions.load());
    std::abort();
  }
}

LoadResult Runtime::load(const image::VerifiedImage &verified) {
  const image::Image &img = verified.image();
  Impl &rt = *impl_;
  std::vector<std::string> errors;
  checkImports(img.manifest, errors);
  std::optional<elf::ElfObject> obj = elf::parseElf(img.code, errors);
  bool oracle = false;
  if (obj) checkObject(img, *obj, rt.options.limits, errors, oracle);
  if (!errors.empty()) return {nullptr, join(errors)};

  // Only what the export table lists resolves; checkObject has already named anything else.
  auto resolve = [](std::string_view name) -> void * {
    for (const auto &s : detail::exportedSymbolTable())
      if (s.name == name) return s.address;
    return nullptr;
  };
  std::unique_ptr<elf::LinkedCode> code = elf::link(*obj, resolve, rt.options.debuggerSupport, errors);
  if (!code) return {nullptr, "linking the image's code failed: " + join(errors)};

  auto x = std::make_unique<Extension::Impl>();
  x->runtime = &rt;
  x->image.manifest = img.manifest;
  x->image.files = img.files;
  x->image.sites = img.sites;
  x->limits = rt.options.limits;
  x->sink = &rt.sink;
  // The oracle checks accesses against each heap block's bounds, so its heap keeps them.
  if (oracle) x->heap.trackBlocks();
  x->oracle = oracle;
  x->init = reinterpret_cast<void (*)(void)>(code->symbol("spx.init"));
  x->state = static_cast<spx_state *>(code->symbol("spx.state"));
  x->imageMemory = &code->dataRegions();
  for (const image::MessageInterface &m : img.manifest.messages)
    x->messageInterfaces.push_back({m.fingerprint, m.name, m.requests.size(),
                                    reinterpret_cast<detail::RequestDispatcher *>(code->symbol("spx.request." + m.name))});
  x->code = std::move(code);
  return {std::unique_ptr<Extension>(new Extension(std::move(x))), {}};
}

}  // namespace spine::nicrt
