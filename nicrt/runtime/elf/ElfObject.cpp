// Parsing and validating an ELF64 relocatable object (ElfObject.h). Every field read from the file is checked
// before it is used as an offset, a size or an index; fields are copied out with memcpy, so nothing depends on
// the alignment of the bytes.
#include "elf/ElfObject.h"

#include <elf.h>

#include <cstring>

namespace spine::nicrt::elf {
namespace {

// The largest section alignment the loader honours: sections are placed in page-aligned segments.
constexpr uint64_t kMaxAlign = 4096;

template <class T>
bool readAt(std::string_view bytes, uint64_t offset, T &out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

// Whether [offset, offset + size) lies within `total` bytes, without overflow.
bool fits(uint64_t offset, uint64_t size, uint64_t total) { return offset <= total && size <= total - offset; }

// The NUL-terminated name at `offset` of string table `table`, or nullopt if it runs off the table.
std::optional<std::string_view> nameAt(std::string_view table, uint64_t offset) {
  if (offset >= table.size()) return std::nullopt;
  size_t end = table.find('\0', offset);
  if (end == std::string_view::npos) return std::nullopt;
  return table.substr(offset, end - offset);
}

class Parser {
 public:
  Parser(std::string_view bytes, std::vector<std::string> &errors) : bytes_(bytes), errors_(errors) {
    obj_.bytes = bytes;
  }

  std::optional<ElfObject> run() {
    if (!header() || !sectionHeaders() || !symbolTable() || !relocationSections()) return std::nullopt;
    return std::move(obj_);
  }

 private:
  bool fail(std::string message) {
    errors_.push_back("image code " + std::move(message));
    return false;
  }

  std::string sectionLabel(size_t index) const {
    if (index < obj_.sections.size() && !obj_.sections[index].name.empty())
      return std::string(obj_.sections[index].name);
    return "section " + std::to_string(index);
  }

  bool header() {
    if (!readAt(bytes_, 0, eh_) || std::memcmp(eh_.e_ident, ELFMAG, SELFMAG) != 0)
      return fail("is not an object file: no ELF header");
    if (eh_.e_ident[EI_CLASS] != ELFCLASS64 || eh_.e_ident[EI_DATA] != ELFDATA2LSB)
      return fail("is not a 64-bit little-endian ELF object");
    if (eh_.e_type != ET_REL)
      return fail("is not a relocatable object (ELF type " + std::to_string(eh_.e_type) + ")");
    obj_.machine = eh_.e_machine;
    return true;
  }

  bool sectionHeaders() {
    if (eh_.e_shnum == 0 || eh_.e_shnum >= SHN_LORESERVE)
      return fail("has " + std::to_string(eh_.e_shnum) + " section headers (extended numbering is not supported)");
    if (eh_.e_shentsize != sizeof(Elf64_Shdr))
      return fail("has section headers of " + std::to_string(eh_.e_shentsize) + " bytes, not " +
                  std::to_string(sizeof(Elf64_Shdr)));
    if (!fits(eh_.e_shoff, uint64_t{eh_.e_shnum} * sizeof(Elf64_Shdr), bytes_.size()))
      return fail("has section headers beyond the end of the object");
    if (eh_.e_shstrndx == SHN_UNDEF || eh_.e_shstrndx >= eh_.e_shnum)
      return fail("has no section name table (e_shstrndx " + std::to_string(eh_.e_shstrndx) + ")");

    std::vector<Elf64_Shdr> raw(eh_.e_shnum);
    for (size_t i = 0; i < raw.size(); ++i) readAt(bytes_, eh_.e_shoff + i * sizeof(Elf64_Shdr), raw[i]);
    const Elf64_Shdr &names = raw[eh_.e_shstrndx];
    if (names.sh_type != SHT_STRTAB || !fits(names.sh_offset, names.sh_size, bytes_.size()))
      return fail("has a malformed section name table");
    std::string_view nameTable = bytes_.substr(names.sh_offset, names.sh_size);

    bool ok = true;
    obj_.sections.resize(raw.size());
    for (size_t i = 1; i < raw.size(); ++i) {
      const Elf64_Shdr &h = raw[i];
      Section &s = obj_.sections[i];
      auto name = nameAt(nameTable, h.sh_name);
      if (!name) ok = fail("section " + std::to_string(i) + " has a name outside the section name table");
      s.name = name.value_or("");
      s.type = h.sh_type;
      s.flags = h.sh_flags;
      s.offset = h.sh_offset;
      s.size = h.sh_size;
      s.align = h.sh_addralign == 0 ? 1 : h.sh_addralign;
      s.link = h.sh_link;
      s.info = h.sh_info;
      if (s.type != SHT_NOBITS && s.type != SHT_NULL && !fits(s.offset, s.size, bytes_.size()))
        ok = fail("section " + sectionLabel(i) + " lies beyond the end of the object");
      if ((s.align & (s.align - 1)) != 0) ok = fail("section " + sectionLabel(i) + " has alignment " +
                                                   std::to_string(s.align) + ", not a power of two");
      if (s.loaded() && s.align > kMaxAlign)
        ok = fail("section " + sectionLabel(i) + " asks for alignment " + std::to_string(s.align) +
                  ", more than a page");
      if (s.name == ".debug_info") obj_.hasDebugInfo = true;
    }
    return ok;
  }

  bool symbolTable() {
    size_t symtab = 0;
    for (size_t i = 1; i < obj_.sections.size(); ++i) {
      if (obj_.sections[i].type != SHT_SYMTAB) continue;
      if (symtab != 0) return fail("has more than one symbol table");
      symtab = i;
    }
    if (symtab == 0) return fail("has no symbol table");
    const Section &st = obj_.sections[symtab];
    if (st.size % sizeof(Elf64_Sym) != 0) return fail("has a symbol table of a size that is not whole entries");
    if (st.link == 0 || st.link >= obj_.sections.size() || obj_.sections[st.link].type != SHT_STRTAB)
      return fail("has a symbol table without a string table");
    std::string_view strings = obj_.contents(obj_.sections[st.link]);
    symtab_ = symtab;

    bool ok = true;
    size_t count = st.size / sizeof(Elf64_Sym);
    obj_.symbols.resize(count);
    for (size_t i = 1; i < count; ++i) {
      Elf64_Sym raw;
      readAt(bytes_, st.offset + i * sizeof(Elf64_Sym), raw);
      Symbol &s = obj_.symbols[i];
      auto name = nameAt(strings, raw.st_name);
      if (!name) {
        ok = fail("symbol " + std::to_string(i) + " has a name outside the string table");
        continue;
      }
      s.name = *name;
      s.value = raw.st_value;
      s.size = raw.st_size;
      s.binding = ELF64_ST_BIND(raw.st_info);
      s.type = ELF64_ST_TYPE(raw.st_info);
      s.section = raw.st_shndx;
      std::string label = s.name.empty() ? "symbol " + std::to_string(i) : "symbol " + std::string(s.name);
      if (s.type == STT_TLS) ok = fail(label + " is thread-local");
      if (s.type == STT_GNU_IFUNC) ok = fail(label + " is an indirect function");
      if (s.section == SHN_COMMON) ok = fail(label + " is a common symbol (compile with -fno-common)");
      else if (s.section == SHN_XINDEX || (s.section >= SHN_LORESERVE && s.section != SHN_ABS))
        ok = fail(label + " is in reserved section index " + std::to_string(s.section));
      else if (s.section != SHN_UNDEF && s.section != SHN_ABS) {
        if (s.section >= obj_.sections.size()) {
          ok = fail(label + " is in section " + std::to_string(s.section) + ", which does not exist");
          continue;
        }
        const Section &in = obj_.sections[s.section];
        if (in.loaded() && (s.value > in.size || s.size > in.size - s.value))
          ok = fail(label + " lies outside its section " + sectionLabel(s.section));
      }
    }
    return ok;
  }

  bool relocationSections() {
    bool ok = true;
    for (size_t i = 1; i < obj_.sections.size(); ++i) {
      const Section &s = obj_.sections[i];
      if (s.type != SHT_RELA && s.type != SHT_REL) continue;
      if (s.info == 0 || s.info >= obj_.sections.size()) {
        ok = fail("relocation section " + sectionLabel(i) + " applies to section " + std::to_string(s.info) +
                  ", which does not exist");
        continue;
      }
      if (!obj_.sections[s.info].loaded()) continue;  // debug sections: gdb relocates them itself
      if (s.type == SHT_REL) {
        ok = fail("relocation section " + sectionLabel(i) + " has no addends (SHT_REL)");
        continue;
      }
      if (s.link != symtab_) {
        ok = fail("relocation section " + sectionLabel(i) + " does not refer to the symbol table");
        continue;
      }
      if (s.size % sizeof(Elf64_Rela) != 0) {
        ok = fail("relocation section " + sectionLabel(i) + " is not whole entries");
        continue;
      }
      RelocationSection rs;
      rs.target = s.info;
      rs.name = s.name;
      size_t count = s.size / sizeof(Elf64_Rela);
      rs.entries.reserve(count);
      for (size_t k = 0; k < count; ++k) {
        Elf64_Rela raw;
        readAt(bytes_, s.offset + k * sizeof(Elf64_Rela), raw);
        Relocation r;
        r.offset = raw.r_offset;
        r.type = ELF64_R_TYPE(raw.r_info);
        r.symbol = ELF64_R_SYM(raw.r_info);
        r.addend = raw.r_addend;
        if (r.symbol >= obj_.symbols.size()) {
          ok = fail("relocation " + std::to_string(k) + " in " + sectionLabel(i) + " refers to symbol " +
                    std::to_string(r.symbol) + ", which does not exist");
          continue;
        }
        rs.entries.push_back(r);
      }
      obj_.relocations.push_back(std::move(rs));
    }
    return ok;
  }

  std::string_view bytes_;
  std::vector<std::string> &errors_;
  Elf64_Ehdr eh_{};
  size_t symtab_ = 0;
  ElfObject obj_;
};

}  // namespace

bool Section::loaded() const { return (flags & SHF_ALLOC) != 0; }
bool Section::executable() const { return (flags & SHF_EXECINSTR) != 0; }
bool Section::writable() const { return (flags & SHF_WRITE) != 0; }

bool Symbol::undefined() const { return section == SHN_UNDEF; }
bool Symbol::absolute() const { return section == SHN_ABS; }
bool Symbol::global() const { return binding == STB_GLOBAL || binding == STB_WEAK; }

std::optional<ElfObject> parseElf(std::string_view bytes, std::vector<std::string> &errors) {
  return Parser(bytes, errors).run();
}

std::string relocationName(uint16_t machine, uint32_t type) {
  if (machine == EM_X86_64) {
    switch (type) {
#define NAME(n) \
  case n: return #n;
      NAME(R_X86_64_NONE) NAME(R_X86_64_64) NAME(R_X86_64_PC32) NAME(R_X86_64_GOT32) NAME(R_X86_64_PLT32)
      NAME(R_X86_64_COPY) NAME(R_X86_64_GLOB_DAT) NAME(R_X86_64_JUMP_SLOT) NAME(R_X86_64_RELATIVE)
      NAME(R_X86_64_GOTPCREL) NAME(R_X86_64_32) NAME(R_X86_64_32S) NAME(R_X86_64_16) NAME(R_X86_64_PC16)
      NAME(R_X86_64_8) NAME(R_X86_64_PC8) NAME(R_X86_64_DTPMOD64) NAME(R_X86_64_DTPOFF64)
      NAME(R_X86_64_TPOFF64) NAME(R_X86_64_TLSGD) NAME(R_X86_64_TLSLD) NAME(R_X86_64_DTPOFF32)
      NAME(R_X86_64_GOTTPOFF) NAME(R_X86_64_TPOFF32) NAME(R_X86_64_PC64) NAME(R_X86_64_GOTOFF64)
      NAME(R_X86_64_GOTPC32) NAME(R_X86_64_GOT64) NAME(R_X86_64_GOTPCREL64) NAME(R_X86_64_GOTPC64)
      NAME(R_X86_64_PLTOFF64) NAME(R_X86_64_SIZE32) NAME(R_X86_64_SIZE64) NAME(R_X86_64_GOTPC32_TLSDESC)
      NAME(R_X86_64_TLSDESC_CALL) NAME(R_X86_64_TLSDESC) NAME(R_X86_64_IRELATIVE)
      NAME(R_X86_64_GOTPCRELX) NAME(R_X86_64_REX_GOTPCRELX)
#undef NAME
      default: break;
    }
  }
  return "relocation type " + std::to_string(type);
}

}  // namespace spine::nicrt::elf
