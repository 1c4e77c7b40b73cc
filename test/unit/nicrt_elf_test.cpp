// The runtime's own ELF linker (nicrt/runtime/elf): W^X mapping, malformed objects refused by name, and no
// crash on any corruption of a real object.
#include <elf.h>

#include <cstring>
#include <fstream>
#include <random>

#include "NicrtTestSupport.h"
#include "elf/ElfLinker.h"
#include "elf/ElfObject.h"

using namespace nicrt_test;
namespace elf = spine::nicrt::elf;

namespace {

// The protection of the mapping that holds `address`, as /proc/self/maps prints it ("r-xp").
std::string protectionOf(const void *address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  auto a = reinterpret_cast<uintptr_t>(address);
  while (std::getline(maps, line)) {
    uintptr_t lo = 0, hi = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) == 3 && a >= lo && a < hi) return perms;
  }
  return "unmapped";
}

// Stands for every import in these tests: linked against, never called.
void neverCalled() { FAIL("an import was called"); }
void *resolveAll(std::string_view) { return reinterpret_cast<void *>(&neverCalled); }

std::string errorsOf(std::string_view object) {
  std::vector<std::string> errors;
  auto obj = elf::parseElf(object, errors);
  if (obj) {
    auto code = elf::link(*obj, resolveAll, false, errors);
    if (code && errors.empty()) return "";
  }
  std::string all;
  for (auto &e : errors) all += e + "\n";
  return all;
}

template <class T>
void patch(std::string &bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
}

Elf64_Ehdr header(const std::string &bytes) {
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  return eh;
}

// Offset of the header of the first section named `name`.
size_t sectionHeaderOffset(const std::string &bytes, std::string_view name) {
  Elf64_Ehdr eh = header(bytes);
  Elf64_Shdr strtab;
  std::memcpy(&strtab, bytes.data() + eh.e_shoff + eh.e_shstrndx * sizeof(Elf64_Shdr), sizeof strtab);
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh;
    size_t at = eh.e_shoff + i * sizeof(Elf64_Shdr);
    std::memcpy(&sh, bytes.data() + at, sizeof sh);
    if (name == bytes.data() + strtab.sh_offset + sh.sh_name) return at;
  }
  FAIL("no section " << std::string(name));
  return 0;
}

}  // namespace

TEST_CASE("code is mapped read-execute, constants read-only, module variables read-write") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("hello", "Hello")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  CHECK(protectionOf(loaded.extension->lookup("Hello.Filter")) == "r-xp");
  CHECK(protectionOf(loaded.extension->lookup("spx.state")) == "rw-p");
}

TEST_CASE("a call to an export goes through a stub to the runtime's procedure") {
  CapturingRuntime c;
  auto loaded = c.rt.load(verify(makeImage("hello", "Hello")));
  REQUIRE_MESSAGE(loaded, loaded.error);
  REQUIRE(loaded.extension->runInit().ok());
  CHECK(c.out.starts_with("Hello, world -42\n"));  // IO.Put and IO.PutInt reached through stubs
}

TEST_CASE("refuses objects that are not ELF64 relocatable, naming what is wrong") {
  std::string obj = readObject("hello");
  CHECK(errorsOf("") == "image code is not an object file: no ELF header\n");
  CHECK(errorsOf(obj.substr(0, 40)) == "image code is not an object file: no ELF header\n");
  std::string exec = obj;
  patch<uint16_t>(exec, offsetof(Elf64_Ehdr, e_type), ET_EXEC);
  CHECK(errorsOf(exec) == "image code is not a relocatable object (ELF type 2)\n");
  std::string big = obj;
  big[EI_DATA] = ELFDATA2MSB;
  CHECK(errorsOf(big) == "image code is not a 64-bit little-endian ELF object\n");
  std::string machine = obj;
  patch<uint16_t>(machine, offsetof(Elf64_Ehdr, e_machine), EM_AARCH64);
  CHECK(errorsOf(machine) == "image code is for ELF machine 183, this loader links x86-64 only\n");
}

TEST_CASE("refuses section headers, sections and symbols outside the object") {
  std::string obj = readObject("hello");
  std::string headers = obj;
  patch<uint64_t>(headers, offsetof(Elf64_Ehdr, e_shoff), obj.size() - 10);
  CHECK(errorsOf(headers) == "image code has section headers beyond the end of the object\n");

  std::string text = obj;
  patch<uint64_t>(text, sectionHeaderOffset(obj, ".text") + offsetof(Elf64_Shdr, sh_offset), uint64_t{1} << 62);
  CHECK(errorsOf(text) == "image code section .text lies beyond the end of the object\n");

  std::string align = obj;
  patch<uint64_t>(align, sectionHeaderOffset(obj, ".text") + offsetof(Elf64_Shdr, sh_addralign), 3);
  CHECK(errorsOf(align) == "image code section .text has alignment 3, not a power of two\n");

  std::string wx = obj;
  size_t flags = sectionHeaderOffset(obj, ".text") + offsetof(Elf64_Shdr, sh_flags);
  patch<uint64_t>(wx, flags, SHF_ALLOC | SHF_EXECINSTR | SHF_WRITE);
  CHECK(errorsOf(wx) == "image code has section .text both writable and executable\n");
}

TEST_CASE("refuses a relocation outside its section or of a kind the loader does not apply") {
  std::string obj = readObject("hello");
  Elf64_Shdr rela;
  std::memcpy(&rela, obj.data() + sectionHeaderOffset(obj, ".rela.text"), sizeof rela);
  REQUIRE(rela.sh_size >= sizeof(Elf64_Rela));

  std::string outside = obj;
  patch<uint64_t>(outside, rela.sh_offset + offsetof(Elf64_Rela, r_offset), uint64_t{1} << 40);
  CHECK(errorsOf(outside).find("relocation at offset 1099511627776 in .text, outside the section") !=
        std::string::npos);

  std::string tls = obj;
  Elf64_Rela r;
  std::memcpy(&r, obj.data() + rela.sh_offset, sizeof r);
  patch<uint64_t>(tls, rela.sh_offset + offsetof(Elf64_Rela, r_info), ELF64_R_INFO(ELF64_R_SYM(r.r_info), R_X86_64_TPOFF32));
  CHECK(errorsOf(tls) == "image code has a R_X86_64_TPOFF32 relocation in .text, which the loader does not support\n");

  std::string symbol = obj;
  patch<uint64_t>(symbol, rela.sh_offset + offsetof(Elf64_Rela, r_info), ELF64_R_INFO(100000, R_X86_64_PC32));
  CHECK(errorsOf(symbol) == "image code relocation 0 in .rela.text refers to symbol 100000, which does not exist\n");
}

TEST_CASE("no crash on 3000 random corruptions of a real object, and none of them runs") {
  // Each corrupted object is parsed and linked (never run): refused with a message, or linked and unmapped.
  std::string obj = readObject("hello-g");
  std::mt19937_64 rng(20261204);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bad = obj;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < flips; ++k) {
      size_t at = rng() % bad.size();
      // Header fields and section headers are where corruption hurts: aim half of the flips there.
      if (rng() % 2) at = rng() % std::min<size_t>(bad.size(), 64) + (rng() % 2 ? header(obj).e_shoff : 0);
      if (at < bad.size()) bad[at] = static_cast<char>(rng());
    }
    if (rng() % 8 == 0) bad.resize(rng() % bad.size());
    std::vector<std::string> errors;
    auto parsed = elf::parseElf(bad, errors);
    // Every import resolves (to a procedure that is never called), so only corruption is refused.
    if (parsed) auto code = elf::link(*parsed, resolveAll, false, errors);
    if (!errors.empty()) ++refused;
    for (const std::string &e : errors) CHECK_MESSAGE(e.starts_with("image code"), e);
  }
  CHECK(refused > 1000);
}
