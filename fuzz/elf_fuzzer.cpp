// libFuzzer target for the runtime's own ELF linker (nicrt/runtime/elf): any bytes as an image's code must be
// refused with messages or linked and unmapped, never a crash, a sanitizer report, a hang or a huge mapping.
// Nothing linked is ever run (every import resolves to a function that is never called).
#include "elf/ElfLinker.h"
#include "elf/ElfObject.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {
void neverCalled() { __builtin_trap(); }
void *resolveAll(std::string_view) { return reinterpret_cast<void *>(&neverCalled); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  std::vector<std::string> errors;
  auto object = spine::nicrt::elf::parseElf(bytes, errors);
  if (!object) return 0;
  // The loader checks the image quota before linking: so does the fuzzer, with the runtime's default.
  if (spine::nicrt::elf::loadedBytes(*object) > (uint64_t{64} << 20)) return 0;
  auto code = spine::nicrt::elf::link(*object, resolveAll, false, errors);
  return 0;
}
