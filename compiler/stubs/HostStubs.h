// The host-stub generator: C++17 for a checked message interface (lang/REFERENCE.md 8.3), marshalling by the
// wire format of docs/messages.md (include/spine/wire.h) against the runtime in hostrt/include/spine/host/.
// For an interface I it writes I.h and I.cpp, whose declarations live in namespace spine_gen::I
// (docs/messages.md, "C++ stubs").
#pragma once

#include "sema/Scope.h"

#include <string>

namespace spx {

struct HostStubs {
  std::string headerName, sourceName;  // "I.h", "I.cpp"
  std::string header, source;
};

// The stubs for `iface`, which must be a message interface that Sema checked without errors.
HostStubs generateHostStubs(const InterfaceInfo &iface);

// Generates the stubs of `iface` and writes them into `dir` (created if missing). On failure returns false
// with `error` naming the file and the reason.
bool writeHostStubs(const InterfaceInfo &iface, const std::string &dir, std::string &error);

}  // namespace spx
