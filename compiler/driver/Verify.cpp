#include "driver/Verify.h"

#include <algorithm>
#include <ostream>
#include <regex>

namespace spx {
namespace {

struct Expectation {
  Severity severity;
  std::string file;
  std::string otherFile;  // @FILE:N: the diagnostic is in this other file
  unsigned line;
  unsigned column;  // 0 = any
  std::string message;
  bool met = false;
};

const char *severityWord(Severity s) {
  switch (s) {
  case Severity::Note: return "note";
  case Severity::Warning: return "warning";
  default: return "error";
  }
}

}  // namespace

bool verifyDiagnostics(const SourceManager &sm, unsigned fileCount, const std::vector<Diagnostic> &diags,
                       std::ostream &out) {
  // expected-KIND[@[+-]N | @FILE:N][:COL] {{message}}
  static const std::regex kPattern(
      R"(expected-(error|warning|note)(@([+-]?)(\d+)|@([A-Za-z0-9_./-]+\.sp[ix]):(\d+))?(:(\d+))?\s*\{\{(.*?)\}\})");
  std::vector<Expectation> expected;
  for (unsigned f = 0; f < fileCount; ++f) {
    FileId id{f};
    std::string text(sm.text(id));
    for (auto it = std::sregex_iterator(text.begin(), text.end(), kPattern); it != std::sregex_iterator(); ++it) {
      const std::smatch &m = *it;
      Expectation e;
      e.severity = m[1] == "error" ? Severity::Error : m[1] == "warning" ? Severity::Warning : Severity::Note;
      e.file = sm.name(id);
      unsigned here = sm.presumed(sm.locAt(id, static_cast<uint32_t>(m.position(0)))).line;
      e.line = here;
      if (m[5].matched) {
        // In another file (an imported interface), named by the end of its path.
        e.otherFile = m[5];
        e.line = static_cast<unsigned>(std::stoul(m[6]));
      } else if (m[2].matched) {
        unsigned n = static_cast<unsigned>(std::stoul(m[4]));
        e.line = m[3] == "+" ? here + n : m[3] == "-" ? here - n : n;
      }
      e.column = m[7].matched ? static_cast<unsigned>(std::stoul(m[8])) : 0;
      e.message = m[9];
      expected.push_back(std::move(e));
    }
  }
  bool ok = true;
  for (const Diagnostic &d : diags) {
    Severity sev = d.severity == Severity::Fatal ? Severity::Error : d.severity;
    PresumedLoc p = sm.presumed(d.range.begin);
    auto match = std::find_if(expected.begin(), expected.end(), [&](const Expectation &e) {
      bool fileMatches = e.otherFile.empty()
                             ? e.file == p.file
                             : p.file.size() >= e.otherFile.size() &&
                                   p.file.substr(p.file.size() - e.otherFile.size()) == e.otherFile &&
                                   (p.file.size() == e.otherFile.size() ||
                                    p.file[p.file.size() - e.otherFile.size() - 1] == '/');
      return !e.met && e.severity == sev && d.range.valid() && fileMatches && e.line == p.line &&
             (e.column == 0 || e.column == p.column) && e.message == d.message;
    });
    if (match != expected.end()) {
      match->met = true;
      continue;
    }
    ok = false;
    out << "spinec -verify: unexpected " << severityWord(sev) << " at " << p.file << ':' << p.line << ':' << p.column
        << ": " << d.message << '\n';
  }
  for (const Expectation &e : expected) {
    if (e.met) continue;
    ok = false;
    out << "spinec -verify: expected " << severityWord(e.severity) << " not seen at "
        << (e.otherFile.empty() ? e.file : e.otherFile) << ':' << e.line;
    if (e.column) out << ':' << e.column;
    out << ": " << e.message << '\n';
  }
  return ok;
}

}  // namespace spx
