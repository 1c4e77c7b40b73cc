// Spelling Modula-3 names and values in generated C++: identifiers that C++ reserves (keywords, the macros of
// the standard headers) get a trailing '_', and literals are written so that every value is exact.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace spx::stubs {

// `name` as a C++ identifier: unchanged unless C++ or its standard library reserves it.
std::string cppIdent(std::string_view name);

// Hands out identifiers for one C++ scope, never the same twice: a taken name gets '_2', '_3', ...
class NameTable {
public:
  void reserve(const std::string &name) { used_.insert(name); }
  bool taken(const std::string &name) const { return used_.count(name) != 0; }
  std::string claim(const std::string &wanted);

private:
  std::set<std::string> used_;
};

// An int64_t literal (INT64_MIN included) and an unsigned 64-bit one.
std::string int64Literal(int64_t v);
std::string uint64Literal(uint64_t v);
// A C++ string literal holding exactly the bytes of `text` (octal escapes, which take at most 3 digits).
std::string stringLiteral(std::string_view text);

}  // namespace spx::stubs
