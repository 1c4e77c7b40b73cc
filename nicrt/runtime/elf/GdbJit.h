// gdb's JIT interface (GDB manual, "JIT Compilation Interface"): the runtime hands gdb an in-memory object
// file for each loaded image that carries DWARF, so `break file.spx:12`, `bt` and `print local` work on
// extension code. The protocol is two symbols gdb looks up in the process, __jit_debug_descriptor (a list
// of registered objects) and __jit_debug_register_code (an empty function gdb breaks on); the runtime
// defines both itself, so it needs nothing of LLVM.
#pragma once

#include <memory>
#include <string>

namespace spine::nicrt::elf {

// One object registered with the debugger while this lives; unregistered when it is destroyed.
class DebuggerRegistration {
 public:
  // `object` is a copy of the relocatable object whose section headers carry the load addresses (sh_addr),
  // which is how gdb learns where each section was placed; gdb applies the debug sections' relocations.
  explicit DebuggerRegistration(std::string object);
  ~DebuggerRegistration();
  DebuggerRegistration(const DebuggerRegistration &) = delete;
  DebuggerRegistration &operator=(const DebuggerRegistration &) = delete;

  struct Entry;

 private:
  std::string object_;
  std::unique_ptr<Entry> entry_;
};

}  // namespace spine::nicrt::elf
