#include "stubs/CppNames.h"

#include <fmt/format.h>

#include <limits>

namespace spx::stubs {

namespace {
// C++17 keywords and alternative tokens, C++20 ones (so that stubs keep compiling later), and the macros of
// the C and C++ standard headers a Modula-3 identifier could spell (Modula-3 reserves NULL and NIL itself).
const std::set<std::string_view> kReserved = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
    "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
    "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
    "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
    "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
    // identifiers with a special meaning, and names the generated code itself relies on
    "final", "override", "std", "spine", "spine_gen", "main",
    // macros
    "EOF", "BUFSIZ", "FILENAME_MAX", "FOPEN_MAX", "TMP_MAX", "L_tmpnam", "SEEK_SET", "SEEK_CUR", "SEEK_END",
    "EXIT_SUCCESS", "EXIT_FAILURE", "RAND_MAX", "MB_CUR_MAX", "CHAR_BIT", "CHAR_MIN", "CHAR_MAX", "INT_MIN",
    "INT_MAX", "UINT_MAX", "LONG_MIN", "LONG_MAX", "ULONG_MAX", "SIZE_MAX", "errno", "assert", "stdin", "stdout",
    "stderr", "offsetof", "setjmp", "va_arg", "va_start", "va_end", "va_copy", "linux", "unix", "major", "minor",
    "makedev", "EDOM", "ERANGE", "EILSEQ", "INFINITY", "NAN", "HUGE_VAL", "CLOCKS_PER_SEC", "TIME_UTC",
    "INT8_MIN", "INT8_MAX", "INT16_MIN", "INT16_MAX", "INT32_MIN", "INT32_MAX", "INT64_MIN", "INT64_MAX",
    "UINT8_MAX", "UINT16_MAX", "UINT32_MAX", "UINT64_MAX"};
}  // namespace

std::string cppIdent(std::string_view name) {
  std::string s(name);
  if (kReserved.count(name)) s += "_";
  return s;
}

std::string NameTable::claim(const std::string &wanted) {
  std::string name = wanted;
  for (int n = 2; used_.count(name); ++n) name = wanted + "_" + std::to_string(n);
  used_.insert(name);
  return name;
}

std::string int64Literal(int64_t v) {
  if (v == std::numeric_limits<int64_t>::min()) return "(-9223372036854775807LL - 1)";
  return fmt::format("{}LL", v);
}

std::string uint64Literal(uint64_t v) { return fmt::format("0x{:016x}ULL", v); }

std::string stringLiteral(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f && c != '?') {  // '?' could start a trigraph in old dialects
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\{:03o}", c);
    }
  }
  return out + "\"";
}

}  // namespace spx::stubs
