// Diagnostics: every message spinec can print is declared once in Diagnostics.def (id, severity, format), so
// wording stays consistent and tests can name them. The engine prints in clang's form:
//
//   file:line:col: error: message
//   <the source line>
//          ^~~~~~
//   file:line:col: note: related declaration
//
// Diagnostics are printed as they are reported or, with setSortBySource, buffered and printed in source order
// by flush() (what spinec does): either way the output is deterministic. Colour is used only when asked or when stderr is a terminal.
#pragma once

#include "basic/SourceManager.h"

#include <fmt/format.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace spx {

enum class Severity : uint8_t { Note, Warning, Error, Fatal };

enum class DiagId : uint16_t {
#define DIAG(ID, SEVERITY, FORMAT) ID,
#include "diag/Diagnostics.def"
#undef DIAG
  NumDiags
};

Severity severityOf(DiagId id);
const char *formatOf(DiagId id);
const char *nameOf(DiagId id);

// One printed diagnostic, kept so that unit tests and tools can inspect what was reported.
struct Diagnostic {
  DiagId id;
  Severity severity;
  SourceRange range;
  std::string message;
};

class DiagnosticsEngine {
public:
  DiagnosticsEngine(const SourceManager &sm, std::ostream &out) : sm_(sm), out_(out) {}

  void setColor(bool on) { color_ = on; }
  // 0 means no limit. After the limit, one fatal line is printed and further diagnostics are dropped.
  void setErrorLimit(unsigned n) { errorLimit_ = n; }
  void setKeepRecords(bool on) { keep_ = on; }

  template <typename... Args>
  void report(DiagId id, SourceRange range, Args &&...args) {
    emit(id, range, fmt::format(fmt::runtime(formatOf(id)), std::forward<Args>(args)...));
  }
  template <typename... Args>
  void report(DiagId id, SourceLoc loc, Args &&...args) {
    report(id, SourceRange(loc), std::forward<Args>(args)...);
  }

  // Buffer diagnostics and print them in source order at flush(), instead of as reported.
  void setSortBySource(bool on) { sortBySource_ = on; }
  void flush();

  // Counts of what was reported (printed or not yet).
  // A message formatted elsewhere (the AST builder keeps its diagnostics until a unit is complete).
  void reportMessage(DiagId id, SourceRange range, std::string message) { emit(id, range, std::move(message)); }

  unsigned errorCount() const { return errors_; }
  unsigned warningCount() const { return warnings_; }
  bool hasErrors() const { return errors_ != 0; }
  // True once more errors were reported than will be printed: callers may stop early.
  bool limitReached() const { return errorLimit_ != 0 && errors_ > errorLimit_; }
  // What was printed (with setKeepRecords), in printed order.
  const std::vector<Diagnostic> &records() const { return records_; }

private:
  struct Group {
    Diagnostic main;
    std::vector<Diagnostic> notes;
  };
  void emit(DiagId id, SourceRange range, std::string message);
  void deliver(DiagId id, SourceRange range, std::string message);
  void printSnippet(SourceRange range);

  const SourceManager &sm_;
  std::ostream &out_;
  bool color_ = false;
  bool keep_ = false;
  unsigned errorLimit_ = 0;
  unsigned errors_ = 0, warnings_ = 0;
  unsigned printedErrors_ = 0;
  bool printLimitHit_ = false;
  bool sortBySource_ = false;
  std::vector<Group> pending_;
  bool lastSuppressed_ = false;  // notes follow the fate of the diagnostic they belong to
  std::vector<Diagnostic> records_;
};

}  // namespace spx
