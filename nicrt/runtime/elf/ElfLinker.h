// The runtime's own linker: maps a validated relocatable object (ElfObject) into memory, applies its
// relocations, and resolves its undefined symbols through the caller's resolver only (the export table).
// W^X: the object is assembled in writable memory and only then made executable (code) or read-only
// (constants, the GOT); module variables stay writable and never executable. A refused object never runs a
// byte: every check happens before the first mprotect to PROT_EXEC.
//
// Supported now: x86-64, the relocations spinec's PIC code uses (R_X86_64_64, PC32, PLT32, PC64, GOTPCREL and
// its relaxable forms GOTPCRELX/REX_GOTPCRELX); anything else is refused by name. A call to an export goes
// through a stub in the code segment (jmp *GOT), since the runtime's code may lie beyond a 32-bit
// displacement. docs/runtime-loader.md describes the layout.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "elf/ElfObject.h"
#include "elf/GdbJit.h"

namespace spine::nicrt::elf {

// A block of the linked image that extension code may touch: a module variable (each on its own), a
// writable section without named variables, or a read-only section of constants. Never code or the GOT.
struct DataRegion {
  uintptr_t begin, end;
  bool writable;
};

class LinkedCode {
 public:
  ~LinkedCode();
  LinkedCode(const LinkedCode &) = delete;
  LinkedCode &operator=(const LinkedCode &) = delete;

  // The address of a global symbol the object defines, or nullptr.
  void *symbol(std::string_view name) const;
  const std::vector<DataRegion> &dataRegions() const { return regions_; }
  // The mapping: code, constants and GOT, then data, each starting on a page.
  uintptr_t begin() const { return reinterpret_cast<uintptr_t>(base_); }
  size_t size() const { return size_; }

 private:
  friend class Linker;
  LinkedCode() = default;

  void *base_ = nullptr;
  size_t size_ = 0;
  std::unordered_map<std::string, uintptr_t> symbols_;
  std::vector<DataRegion> regions_;
  std::unique_ptr<DebuggerRegistration> debugger_;
};

// The address of an exported symbol, or nullptr when the runtime does not export it.
using ImportResolver = std::function<void *(std::string_view name)>;

// Links `object` (whose bytes must stay valid during the call). On failure returns nullptr and appends one
// line per problem to `errors`. `registerWithDebugger`: hand objects with DWARF to gdb (GdbJit.h).
std::unique_ptr<LinkedCode> link(const ElfObject &object, const ImportResolver &resolve, bool registerWithDebugger,
                                 std::vector<std::string> &errors);

// The bytes linking `object` maps (sections, stubs and GOT, each segment rounded up to pages), for quotas.
uint64_t loadedBytes(const ElfObject &object);

}  // namespace spine::nicrt::elf
