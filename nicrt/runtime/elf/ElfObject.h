// A validated view of an ELF64 little-endian relocatable object: the code spinec puts in an image. Parsing
// checks every offset, size, index and name against the bytes before anything uses it, so the linker
// (ElfLinker.cpp) works on facts, never on raw file fields; a malformed object is refused with a message
// naming the section, symbol or relocation. No LLVM: <elf.h> describes the format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spine::nicrt::elf {

struct Section {
  std::string_view name;
  uint32_t type = 0;        // SHT_*
  uint64_t flags = 0;       // SHF_*
  uint64_t offset = 0;      // in the object (not meaningful for SHT_NOBITS)
  uint64_t size = 0;
  uint64_t align = 1;       // a power of two, at least 1
  uint32_t link = 0, info = 0;

  bool loaded() const;      // SHF_ALLOC: part of what runs
  bool executable() const;
  bool writable() const;
};

struct Symbol {
  std::string_view name;
  uint64_t value = 0;       // offset in its section
  uint64_t size = 0;
  uint16_t section = 0;     // SHN_UNDEF, SHN_ABS or the index of a loaded section
  uint8_t binding = 0;      // STB_*
  uint8_t type = 0;         // STT_*

  bool undefined() const;
  bool absolute() const;
  bool global() const;      // STB_GLOBAL or STB_WEAK
};

struct Relocation {
  uint64_t offset = 0;      // in the section it applies to (checked against its size by the linker)
  uint32_t type = 0;        // R_X86_64_*
  uint32_t symbol = 0;      // index into ElfObject::symbols (checked)
  int64_t addend = 0;
};

// The relocations of one loaded section.
struct RelocationSection {
  uint32_t target = 0;      // index of the loaded section they apply to
  std::string_view name;    // ".rela.text"
  std::vector<Relocation> entries;
};

struct ElfObject {
  std::string_view bytes;
  uint16_t machine = 0;     // EM_*
  std::vector<Section> sections;      // by index (0 is the null section)
  std::vector<Symbol> symbols;        // by index (0 is the null symbol)
  std::vector<RelocationSection> relocations;  // only those applying to loaded sections
  bool hasDebugInfo = false;          // a .debug_info section: worth registering with gdb

  std::string_view contents(const Section &s) const { return bytes.substr(s.offset, s.size); }
};

// Parses and validates `bytes` (which must outlive the result). On failure returns nullopt and appends one
// line per problem to `errors`, each starting "image code ".
std::optional<ElfObject> parseElf(std::string_view bytes, std::vector<std::string> &errors);

// "R_X86_64_PC32", or "relocation type N" for one this file does not know.
std::string relocationName(uint16_t machine, uint32_t type);

}  // namespace spine::nicrt::elf
