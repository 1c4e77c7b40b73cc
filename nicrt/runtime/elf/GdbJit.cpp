// The runtime's side of gdb's JIT interface (GdbJit.h). The layout of the descriptor and of each entry is
// fixed by gdb (version 1); registrations from several threads are serialized, as the protocol requires.
#include "elf/GdbJit.h"

#include <cstdint>
#include <mutex>

extern "C" {

enum spx_jit_action { JIT_NOACTION = 0, JIT_REGISTER_FN = 1, JIT_UNREGISTER_FN = 2 };

struct jit_code_entry {
  jit_code_entry *next_entry;
  jit_code_entry *prev_entry;
  const char *symfile_addr;
  uint64_t symfile_size;
};

struct jit_descriptor {
  uint32_t version;
  uint32_t action_flag;  // enum spx_jit_action
  jit_code_entry *relevant_entry;
  jit_code_entry *first_entry;
};

// gdb puts a breakpoint here and reads the descriptor when it is hit: it must not be inlined or removed.
[[gnu::noinline, gnu::used]] void __jit_debug_register_code() { asm volatile("" ::: "memory"); }

[[gnu::used]] jit_descriptor __jit_debug_descriptor = {1, JIT_NOACTION, nullptr, nullptr};
}

namespace spine::nicrt::elf {
namespace {
std::mutex &registrationMutex() {
  static std::mutex m;
  return m;
}
}  // namespace

struct DebuggerRegistration::Entry : jit_code_entry {};

DebuggerRegistration::DebuggerRegistration(std::string object)
    : object_(std::move(object)), entry_(std::make_unique<Entry>()) {
  entry_->symfile_addr = object_.data();
  entry_->symfile_size = object_.size();
  std::lock_guard<std::mutex> lock(registrationMutex());
  entry_->prev_entry = nullptr;
  entry_->next_entry = __jit_debug_descriptor.first_entry;
  if (entry_->next_entry) entry_->next_entry->prev_entry = entry_.get();
  __jit_debug_descriptor.first_entry = entry_.get();
  __jit_debug_descriptor.relevant_entry = entry_.get();
  __jit_debug_descriptor.action_flag = JIT_REGISTER_FN;
  __jit_debug_register_code();
}

DebuggerRegistration::~DebuggerRegistration() {
  std::lock_guard<std::mutex> lock(registrationMutex());
  if (entry_->prev_entry) entry_->prev_entry->next_entry = entry_->next_entry;
  else __jit_debug_descriptor.first_entry = entry_->next_entry;
  if (entry_->next_entry) entry_->next_entry->prev_entry = entry_->prev_entry;
  __jit_debug_descriptor.relevant_entry = entry_.get();
  __jit_debug_descriptor.action_flag = JIT_UNREGISTER_FN;
  __jit_debug_register_code();
}

}  // namespace spine::nicrt::elf
