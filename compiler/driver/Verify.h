// -verify: the test file carries its own expectations next to the offending line, as in clang:
//
//   x := y;  (* expected-error:8 {{use of undeclared identifier 'y'}} *)
//   (* expected-error@+1:3 {{EXIT outside of a loop}} *)
//
// Form: expected-(error|warning|note)[@[+|-]N | @FILE:N][:COL] {{exact message}}. @+N/@-N is relative to the
// comment's line, @N absolute, @Lib.spi:N a line of another file (matched by the end of its path, e.g. a note
// in an imported interface); COL, when given, must match too. Every diagnostic must be expected and every
// expectation met; the message must match exactly.
#pragma once

#include "diag/Diagnostics.h"

#include <iosfwd>
#include <vector>

namespace spx {

// Returns true when expectations and diagnostics agree; otherwise prints each mismatch to `out`.
bool verifyDiagnostics(const SourceManager &sm, unsigned fileCount, const std::vector<Diagnostic> &diags,
                       std::ostream &out);

}  // namespace spx
