// Linking an ELF relocatable object in place (ElfLinker.h).
//
// Layout of the one mapping an image gets (each segment starts on a page, so each gets its own protection):
//   code:       executable sections, then one 8-byte stub per imported procedure ("jmp *GOT[i](%rip)")  R-X
//   constants:  read-only sections, then the GOT (one 8-byte address per symbol reached through it)      R--
//   data:       writable sections (.bss zeroed)                                                          RW-
// Every relocation is checked against its section and its value range before it is written.
#include "elf/ElfLinker.h"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <map>

namespace spine::nicrt::elf {
namespace {

constexpr size_t kStubSize = 8;  // ff 25 <disp32> (jmp *disp32(%rip)), then two int3
// A layout beyond this is refused before any arithmetic on it can overflow (the image quota is far below).
constexpr uint64_t kHugeSection = uint64_t{1} << 40;
constexpr uint64_t kTooBig = UINT64_MAX;

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

size_t pageSize() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

enum Segment { kCode, kConstants, kData, kSegments };

Segment segmentOf(const Section &s) {
  if (s.executable()) return kCode;
  return s.writable() ? kData : kConstants;
}

bool isGotRelocation(uint32_t type) {
  return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX || type == R_X86_64_REX_GOTPCRELX;
}
bool isBranchOrPcRelative(uint32_t type) { return type == R_X86_64_PLT32 || type == R_X86_64_PC32; }

// Where everything goes, computed from the object alone (so quotas are checked before anything is mapped).
struct Layout {
  std::vector<uint64_t> sectionOffset;   // by section index; offset in the mapping of each loaded section
  std::map<uint32_t, uint64_t> stubOffset;  // symbol index -> offset of its stub (imports reached by calls)
  std::map<uint32_t, uint64_t> gotOffset;   // symbol index -> offset of its GOT entry
  uint64_t segmentBegin[kSegments + 1] = {};
  uint64_t size = 0;
};

Layout planLayout(const ElfObject &obj) {
  Layout l;
  l.sectionOffset.assign(obj.sections.size(), 0);
  // Which symbols need a GOT entry, and which imports need a stub (a stub jumps through the GOT entry).
  std::vector<uint32_t> gotSymbols, stubSymbols;
  for (const RelocationSection &rs : obj.relocations)
    for (const Relocation &r : rs.entries) {
      if (isGotRelocation(r.type)) gotSymbols.push_back(r.symbol);
      if (isBranchOrPcRelative(r.type) && obj.symbols[r.symbol].undefined()) {
        stubSymbols.push_back(r.symbol);
        gotSymbols.push_back(r.symbol);
      }
    }

  uint64_t at = 0;
  const uint64_t page = pageSize();
  for (int seg = kCode; seg < kSegments; ++seg) {
    at = alignUp(at, page);
    l.segmentBegin[seg] = at;
    for (size_t i = 1; i < obj.sections.size(); ++i) {
      const Section &s = obj.sections[i];
      if (!s.loaded() || segmentOf(s) != seg) continue;
      if (s.size > kHugeSection) {
        l.size = kTooBig;
        return l;
      }
      at = alignUp(at, s.align);
      l.sectionOffset[i] = at;
      at += s.size;
    }
    if (seg == kCode)
      for (uint32_t sym : stubSymbols)
        if (!l.stubOffset.count(sym)) {
          at = alignUp(at, kStubSize);
          l.stubOffset[sym] = at;
          at += kStubSize;
        }
    if (seg == kConstants)
      for (uint32_t sym : gotSymbols)
        if (!l.gotOffset.count(sym)) {
          at = alignUp(at, 8);
          l.gotOffset[sym] = at;
          at += 8;
        }
  }
  l.size = alignUp(at, page);
  l.segmentBegin[kSegments] = l.size;
  return l;
}

template <class T>
void store(uintptr_t at, T value) {
  std::memcpy(reinterpret_cast<void *>(at), &value, sizeof value);
}

}  // namespace

class Linker {
 public:
  Linker(const ElfObject &obj, const ImportResolver &resolve, std::vector<std::string> &errors)
      : obj_(obj), resolve_(resolve), errors_(errors), layout_(planLayout(obj)) {}

  std::unique_ptr<LinkedCode> run(bool registerWithDebugger) {
    const size_t errorsBefore = errors_.size();
    auto failed = [&] { return errors_.size() != errorsBefore; };
    if (layout_.size == kTooBig) {
      errors_.push_back("image code has sections too large to map");
      return nullptr;
    }
    if (obj_.machine != EM_X86_64) {
      errors_.push_back("image code is for ELF machine " + std::to_string(obj_.machine) +
                        ", this loader links x86-64 only");
      return nullptr;
    }
    checkSections();
    if (failed()) return nullptr;

    std::unique_ptr<LinkedCode> code(new LinkedCode);
    code->size_ = layout_.size;
    void *base = mmap(nullptr, layout_.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
      errors_.push_back("image code cannot be mapped (" + std::to_string(layout_.size) + " bytes)");
      return nullptr;
    }
    code->base_ = base;
    base_ = reinterpret_cast<uintptr_t>(base);

    copySections();
    resolveImports();
    writeGotAndStubs();
    applyRelocations();
    collectSymbols(*code);
    if (failed()) return nullptr;  // ~LinkedCode unmaps: nothing was ever executable
    if (!protect()) return nullptr;
    collectDataRegions(*code);
    if (registerWithDebugger && obj_.hasDebugInfo)
      code->debugger_ = std::make_unique<DebuggerRegistration>(debugObject());
    return code;
  }

 private:
  void error(std::string message) { errors_.push_back(std::move(message)); }

  std::string sectionName(size_t i) const {
    return obj_.sections[i].name.empty() ? "section " + std::to_string(i) : std::string(obj_.sections[i].name);
  }

  void checkSections() {
    for (size_t i = 1; i < obj_.sections.size(); ++i) {
      const Section &s = obj_.sections[i];
      if (!s.loaded()) continue;
      if (s.flags & SHF_TLS) error("image code has thread-local section " + sectionName(i));
      else if (s.executable() && s.writable()) error("image code has section " + sectionName(i) +
                                                     " both writable and executable");
      // Unwind tables (.eh_frame, from C compilers) are loaded as constants; nothing in the runtime reads them.
      else if (s.type != SHT_PROGBITS && s.type != SHT_NOBITS && s.type != SHT_X86_64_UNWIND)
        error("image code has loaded section " + sectionName(i) + " of type " + std::to_string(s.type) +
              ", which the loader does not map (only code, constants and data)");
    }
  }

  uintptr_t sectionAddress(size_t i) const { return base_ + layout_.sectionOffset[i]; }

  void copySections() {
    for (size_t i = 1; i < obj_.sections.size(); ++i) {
      const Section &s = obj_.sections[i];
      if (!s.loaded() || s.type == SHT_NOBITS) continue;  // the mapping is zero-filled
      std::memcpy(reinterpret_cast<void *>(sectionAddress(i)), obj_.bytes.data() + s.offset, s.size);
    }
  }

  void resolveImports() {
    importAddress_.assign(obj_.symbols.size(), 0);
    for (size_t i = 1; i < obj_.symbols.size(); ++i) {
      const Symbol &s = obj_.symbols[i];
      if (!s.undefined() || s.name.empty()) continue;
      if (void *a = resolve_(s.name)) importAddress_[i] = reinterpret_cast<uintptr_t>(a);
      else error("image refers to " + std::string(s.name) + ", which the runtime does not export");
    }
  }

  // The address symbol `index` stands for; false (with an error) if it has none in the loaded image.
  bool symbolAddress(uint32_t index, const std::string &where, uintptr_t &out) {
    const Symbol &s = obj_.symbols[index];
    if (index == 0) {
      out = 0;
      return true;
    }
    if (s.undefined()) {
      out = importAddress_[index];
      return out != 0;
    }
    if (s.absolute()) {
      out = s.value;
      return true;
    }
    if (!obj_.sections[s.section].loaded()) {
      error("image code: " + where + " refers to " + std::string(s.name) + " in section " +
            sectionName(s.section) + ", which is not loaded");
      return false;
    }
    out = sectionAddress(s.section) + s.value;
    return true;
  }

  void writeGotAndStubs() {
    for (auto [sym, offset] : layout_.gotOffset) {
      uintptr_t target = 0;
      if (symbolAddress(sym, "a GOT entry", target)) store<uint64_t>(base_ + offset, target);
    }
    for (auto [sym, offset] : layout_.stubOffset) {
      uintptr_t at = base_ + offset;
      int64_t disp = static_cast<int64_t>(base_ + layout_.gotOffset.at(sym)) - static_cast<int64_t>(at + 6);
      const uint8_t code[kStubSize] = {0xff, 0x25, 0, 0, 0, 0, 0xcc, 0xcc};
      std::memcpy(reinterpret_cast<void *>(at), code, kStubSize);
      store<int32_t>(at + 2, static_cast<int32_t>(disp));  // within one mapping of at most the image quota
    }
  }

  void applyRelocations() {
    for (const RelocationSection &rs : obj_.relocations) {
      const Section &target = obj_.sections[rs.target];
      std::string in = " in " + sectionName(rs.target);
      if (target.type == SHT_NOBITS && !rs.entries.empty()) {
        error("image code has relocations" + in + ", which has no contents");
        continue;
      }
      for (const Relocation &r : rs.entries) {
        if (!apply(r, target, sectionAddress(rs.target), in)) break;  // one message per section is enough
      }
    }
  }

  bool apply(const Relocation &r, const Section &target, uintptr_t sectionBase, const std::string &in) {
    const std::string name = relocationName(obj_.machine, r.type);
    unsigned width = 0;
    switch (r.type) {
      case R_X86_64_NONE: return true;
      case R_X86_64_64: case R_X86_64_PC64: width = 8; break;
      case R_X86_64_PC32: case R_X86_64_PLT32: case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX:
      case R_X86_64_REX_GOTPCRELX: width = 4; break;
      case R_X86_64_32: case R_X86_64_32S: case R_X86_64_16: case R_X86_64_8:
        error("image code is not position-independent: " + name + " relocation" + in +
              " (generate it with the PIC relocation model)");
        return false;
      default:
        error("image code has a " + name + " relocation" + in + ", which the loader does not support");
        return false;
    }
    if (r.offset > target.size || target.size - r.offset < width) {
      error("image code has a " + name + " relocation at offset " + std::to_string(r.offset) + in +
            ", outside the section");
      return false;
    }
    const uintptr_t place = sectionBase + r.offset;
    const std::string what = "a " + name + " relocation" + in;
    int64_t value = 0;
    if (isGotRelocation(r.type)) {
      value = static_cast<int64_t>(base_ + layout_.gotOffset.at(r.symbol)) + r.addend - static_cast<int64_t>(place);
    } else {
      uintptr_t s = 0;
      if (isBranchOrPcRelative(r.type) && obj_.symbols[r.symbol].undefined()) {
        s = base_ + layout_.stubOffset.at(r.symbol);
      } else if (!symbolAddress(r.symbol, what, s)) {
        return false;
      }
      value = r.type == R_X86_64_64 ? static_cast<int64_t>(s + r.addend)
                                    : static_cast<int64_t>(s) + r.addend - static_cast<int64_t>(place);
    }
    if (width == 8) {
      store<int64_t>(place, value);
      return true;
    }
    if (value < INT32_MIN || value > INT32_MAX) {
      error("image code has " + what + " out of range (" + std::to_string(value) + ")");
      return false;
    }
    store<int32_t>(place, static_cast<int32_t>(value));
    return true;
  }

  void collectSymbols(LinkedCode &code) {
    for (size_t i = 1; i < obj_.symbols.size(); ++i) {
      const Symbol &s = obj_.symbols[i];
      if (!s.global() || s.undefined() || s.name.empty()) continue;
      uintptr_t at = 0;
      if (!symbolAddress(static_cast<uint32_t>(i), "symbol " + std::string(s.name), at)) continue;
      if (!code.symbols_.emplace(std::string(s.name), at).second)
        error("image code defines " + std::string(s.name) + " twice");
    }
  }

  bool protect() {
    const int prot[kSegments] = {PROT_READ | PROT_EXEC, PROT_READ, PROT_READ | PROT_WRITE};
    for (int seg = kCode; seg < kSegments; ++seg) {
      uint64_t begin = layout_.segmentBegin[seg], end = layout_.segmentBegin[seg + 1];
      if (end == begin) continue;
      if (mprotect(reinterpret_cast<void *>(base_ + begin), end - begin, prot[seg]) != 0) {
        error(std::string("image code: cannot set the protection of its ") + (seg == kCode ? "code" : "constants"));
        return false;
      }
    }
    return true;
  }

  // What the memory-safety oracle lets extension code touch (docs/safety.md): in writable sections each
  // variable on its own, so an access past one into the next is caught; sections without named variables
  // and read-only sections whole. Never code, stubs or the GOT.
  void collectDataRegions(LinkedCode &code) {
    for (size_t i = 1; i < obj_.sections.size(); ++i) {
      const Section &s = obj_.sections[i];
      if (!s.loaded() || s.executable() || s.size == 0) continue;
      bool named = false;
      if (s.writable())
        for (const Symbol &sym : obj_.symbols)
          if (sym.section == i && sym.size != 0 && !sym.undefined() && !sym.absolute()) {
            uintptr_t begin = sectionAddress(i) + sym.value;
            code.regions_.push_back({begin, begin + sym.size, true});
            named = true;
          }
      if (!named) code.regions_.push_back({sectionAddress(i), sectionAddress(i) + s.size, s.writable()});
    }
  }

  // A copy of the object whose section headers say where each loaded section now is.
  std::string debugObject() const {
    std::string copy(obj_.bytes);
    Elf64_Ehdr eh;
    std::memcpy(&eh, copy.data(), sizeof eh);
    for (size_t i = 1; i < obj_.sections.size(); ++i) {
      if (!obj_.sections[i].loaded()) continue;
      uint64_t addr = sectionAddress(i);
      std::memcpy(copy.data() + eh.e_shoff + i * sizeof(Elf64_Shdr) + offsetof(Elf64_Shdr, sh_addr), &addr,
                  sizeof addr);
    }
    return copy;
  }

  const ElfObject &obj_;
  const ImportResolver &resolve_;
  std::vector<std::string> &errors_;
  Layout layout_;
  uintptr_t base_ = 0;
  std::vector<uintptr_t> importAddress_;
};

LinkedCode::~LinkedCode() {
  debugger_.reset();  // before the code it describes goes away
  if (base_) munmap(base_, size_);
}

void *LinkedCode::symbol(std::string_view name) const {
  auto it = symbols_.find(std::string(name));
  return it == symbols_.end() ? nullptr : reinterpret_cast<void *>(it->second);
}

std::unique_ptr<LinkedCode> link(const ElfObject &object, const ImportResolver &resolve, bool registerWithDebugger,
                                 std::vector<std::string> &errors) {
  return Linker(object, resolve, errors).run(registerWithDebugger);
}

uint64_t loadedBytes(const ElfObject &object) { return planLayout(object).size; }

}  // namespace spine::nicrt::elf
