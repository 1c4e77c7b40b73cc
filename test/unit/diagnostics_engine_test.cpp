// DiagnosticsEngine: clang-style printing (location, label, message, source line, caret and tildes), notes that
// follow their diagnostic, the error limit, and the records kept for tools.
#include "diag/Diagnostics.h"

#include <doctest/doctest.h>

#include <sstream>

namespace {

using spx::DiagId;
using spx::DiagnosticsEngine;
using spx::FileId;
using spx::Severity;
using spx::SourceManager;
using spx::SourceRange;

struct Fixture {
  SourceManager sm;
  std::ostringstream out;
  DiagnosticsEngine diags{sm, out};
  FileId file;
  explicit Fixture(std::string text, std::string name = "t.spx") { file = sm.addBuffer(std::move(name), std::move(text)); }
  SourceRange range(uint32_t begin, uint32_t end) { return {sm.locAt(file, begin), sm.locAt(file, end)}; }
};

const char *kSource =
    "MODULE T;\n"              // 0..9
    "VAR count: INTEGER;\n"    // 10..29
    "BEGIN\n"                  // 30..35
    "  count := alpha + beta\n"  // 36..59
    "END T.\n";

TEST_CASE("an error prints file:line:col, the label, the message, the source line and a caret with tildes") {
  Fixture f(kSource);
  // 'count' on line 2: bytes 14..18.
  f.diags.report(DiagId::err_undeclared, f.range(14, 19), "count");
  CHECK(f.out.str() ==
        "t.spx:2:5: error: use of undeclared identifier 'count'\n"
        "VAR count: INTEGER;\n"
        "    ^~~~~\n");
  CHECK(f.diags.errorCount() == 1);
  CHECK(f.diags.hasErrors());
}

TEST_CASE("the tildes cover a whole multi-token range such as 'alpha + beta'") {
  Fixture f(kSource);
  f.diags.report(DiagId::err_undeclared, f.range(47, 59), "x");
  CHECK(f.out.str() ==
        "t.spx:4:12: error: use of undeclared identifier 'x'\n"
        "  count := alpha + beta\n"
        "           ^~~~~~~~~~~~\n");
}

TEST_CASE("a single location prints a caret alone") {
  Fixture f(kSource);
  f.diags.report(DiagId::err_undeclared, f.sm.locAt(f.file, 38), "c");
  CHECK(f.out.str() ==
        "t.spx:4:3: error: use of undeclared identifier 'c'\n"
        "  count := alpha + beta\n"
        "  ^\n");
}

TEST_CASE("a range running past the end of its line is clipped at the line's end") {
  Fixture f(kSource);
  // From 'alpha' to the middle of the next line.
  f.diags.report(DiagId::err_undeclared, f.range(47, 63), "x");
  CHECK(f.out.str() ==
        "t.spx:4:12: error: use of undeclared identifier 'x'\n"
        "  count := alpha + beta\n"
        "           ^~~~~~~~~~~~\n");
}

TEST_CASE("a location just past the end of a line puts the caret one past its last character") {
  Fixture f(kSource);
  f.diags.report(DiagId::err_expected, f.sm.locAt(f.file, 29), "';'");
  CHECK(f.out.str() ==
        "t.spx:2:20: error: expected ';'\n"
        "VAR count: INTEGER;\n"
        "                   ^\n");
}

TEST_CASE("the end-of-file location shows the last line") {
  Fixture f("MODULE T;\nBEGIN");
  f.diags.report(DiagId::err_expected, f.sm.locAt(f.file, 15), "'END'");
  CHECK(f.out.str() ==
        "t.spx:2:6: error: expected 'END'\n"
        "BEGIN\n"
        "     ^\n");
}

TEST_CASE("tabs before the caret are copied into the marker line") {
  Fixture f("\tx :=\t\ty\n");
  f.diags.report(DiagId::err_undeclared, f.range(7, 8), "y");
  CHECK(f.out.str() ==
        "t.spx:1:8: error: use of undeclared identifier 'y'\n"
        "\tx :=\t\ty\n"
        "\t    \t\t^\n");
}

TEST_CASE("control characters in the source line are shown as blanks") {
  Fixture f(std::string("VAR x\0\x1b[31m: INTEGER;\n", 21));
  f.diags.report(DiagId::err_invalid_byte, f.sm.locAt(f.file, 5), 0);
  std::string s = f.out.str();
  CHECK(s.find('\0') == std::string::npos);
  CHECK(s.find('\x1b') == std::string::npos);
  CHECK(s == "t.spx:1:6: error: invalid byte 0x00 in source\n"
             "VAR x  [31m: INTEGER;\n"
             "     ^\n");
}

TEST_CASE("a diagnostic without a location is prefixed with 'spinec:' and has no snippet") {
  Fixture f(kSource);
  f.diags.report(DiagId::err_cannot_open, SourceRange(), "x.spx", "No such file or directory");
  CHECK(f.out.str() == "spinec: error: cannot open 'x.spx': No such file or directory\n");
}

TEST_CASE("warnings are labelled 'warning:' and do not count as errors") {
  Fixture f("<*FOO*>\n");
  f.diags.report(DiagId::warn_unknown_pragma, f.range(0, 7), "FOO");
  CHECK(f.out.str() ==
        "t.spx:1:1: warning: unknown pragma 'FOO' ignored\n"
        "<*FOO*>\n"
        "^~~~~~~\n");
  CHECK(f.diags.warningCount() == 1);
  CHECK(f.diags.errorCount() == 0);
  CHECK_FALSE(f.diags.hasErrors());
}

TEST_CASE("a fatal error is labelled 'fatal error:' and counts as an error") {
  Fixture f("((((\n");
  f.diags.report(DiagId::err_nesting_too_deep, f.range(2, 3), 256);
  CHECK(f.out.str() ==
        "t.spx:1:3: fatal error: nesting is deeper than 256 levels\n"
        "((((\n"
        "  ^\n");
  CHECK(f.diags.hasErrors());
}

TEST_CASE("a note follows its error with its own location and snippet, possibly in another file") {
  SourceManager sm;
  std::ostringstream out;
  DiagnosticsEngine diags(sm, out);
  FileId a = sm.addBuffer("A.spx", "VAR x: INTEGER;\nVAR x: BOOLEAN;\n");
  FileId b = sm.addBuffer("B.spi", "INTERFACE B;\nVAR x: CHAR;\n");
  diags.report(DiagId::err_redefinition, SourceRange(sm.locAt(a, 20), sm.locAt(a, 21)), "x");
  diags.report(DiagId::note_previous_definition, SourceRange(sm.locAt(b, 17), sm.locAt(b, 18)));
  CHECK(out.str() ==
        "A.spx:2:5: error: redefinition of 'x'\n"
        "VAR x: BOOLEAN;\n"
        "    ^\n"
        "B.spi:2:5: note: previous definition is here\n"
        "VAR x: CHAR;\n"
        "    ^\n");
  CHECK(diags.errorCount() == 1);
  CHECK(diags.warningCount() == 0);
}

TEST_CASE("after the error limit one fatal line is printed and everything after it is dropped") {
  Fixture f("a b c d e f\n");
  f.diags.setErrorLimit(3);
  for (uint32_t i = 0; i < 6; ++i) f.diags.report(DiagId::err_undeclared, f.range(2 * i, 2 * i + 1), "v");
  std::string s = f.out.str();
  CHECK(f.diags.errorCount() == 6);  // counts what was reported, printed or not
  CHECK(f.diags.limitReached());
  size_t errors = 0;
  for (size_t p = s.find(": error: "); p != std::string::npos; p = s.find(": error: ", p + 1)) ++errors;
  CHECK(errors == 3);
  const std::string fatal = "fatal error: too many errors emitted, stopping now [-ferror-limit=3]\n";
  REQUIRE(s.size() >= fatal.size());
  CHECK(s.substr(s.size() - fatal.size()) == fatal);
  CHECK(s.find(fatal) == s.size() - fatal.size());  // printed once
  CHECK(s.find("t.spx:1:7:") == std::string::npos);
  // Warnings after the limit are dropped too.
  f.diags.report(DiagId::warn_unknown_pragma, f.range(0, 1), "X");
  CHECK(f.out.str() == s);
}

TEST_CASE("the note of a dropped diagnostic is dropped with it, the notes before the limit are kept") {
  Fixture f("a b c\n");
  f.diags.setErrorLimit(1);
  f.diags.report(DiagId::err_redefinition, f.range(2, 3), "b");
  f.diags.report(DiagId::note_previous_definition, f.range(0, 1));
  f.diags.report(DiagId::err_redefinition, f.range(4, 5), "c");
  f.diags.report(DiagId::note_previous_definition, f.range(0, 1));
  f.diags.report(DiagId::note_previous_definition, f.range(2, 3));
  CHECK(f.out.str() ==
        "t.spx:1:3: error: redefinition of 'b'\n"
        "a b c\n"
        "  ^\n"
        "t.spx:1:1: note: previous definition is here\n"
        "a b c\n"
        "^\n"
        "fatal error: too many errors emitted, stopping now [-ferror-limit=1]\n");
}

TEST_CASE("an error limit of 0 means no limit") {
  Fixture f("x\n");
  f.diags.setErrorLimit(0);
  for (int i = 0; i < 1000; ++i) f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  CHECK(f.diags.errorCount() == 1000);
  CHECK_FALSE(f.diags.limitReached());
  CHECK(f.out.str().find("too many errors") == std::string::npos);
}

TEST_CASE("warnings do not count towards the error limit") {
  Fixture f("x\n");
  f.diags.setErrorLimit(2);
  for (int i = 0; i < 10; ++i) f.diags.report(DiagId::warn_unknown_pragma, f.range(0, 1), "P");
  f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  CHECK(f.diags.warningCount() == 10);
  CHECK(f.diags.errorCount() == 2);
  CHECK_FALSE(f.diags.limitReached());
  f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  CHECK(f.diags.limitReached());
}

TEST_CASE("limitReached turns true only once more errors were reported than the limit prints") {
  Fixture f("x\n");
  f.diags.setErrorLimit(2);
  f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  CHECK_FALSE(f.diags.limitReached());
  CHECK(f.out.str().find("too many errors") == std::string::npos);
  f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  CHECK(f.diags.limitReached());
  CHECK(f.out.str().find("too many errors") != std::string::npos);
}

TEST_CASE("sorted by source, diagnostics print at flush by file and position, each note after its own error") {
  SourceManager sm;
  std::ostringstream out;
  DiagnosticsEngine diags(sm, out);
  diags.setSortBySource(true);
  FileId a = sm.addBuffer("A.spx", "aaa bbb ccc\n");
  FileId b = sm.addBuffer("B.spx", "xxx yyy\n");
  auto at = [&](FileId f, uint32_t o) { return SourceRange(sm.locAt(f, o), sm.locAt(f, o + 3)); };
  diags.report(DiagId::err_undeclared, at(b, 4), "yyy");
  diags.report(DiagId::note_previous_definition, at(a, 0));
  diags.report(DiagId::err_undeclared, at(a, 8), "ccc");
  diags.report(DiagId::err_cannot_open, SourceRange(), "z.spx", "gone");
  diags.report(DiagId::err_undeclared, at(a, 4), "bbb");
  diags.report(DiagId::note_previous_definition, at(b, 0));
  CHECK(out.str().empty());
  CHECK(diags.errorCount() == 4);
  diags.flush();
  CHECK(out.str() ==
        "spinec: error: cannot open 'z.spx': gone\n"
        "A.spx:1:5: error: use of undeclared identifier 'bbb'\n"
        "aaa bbb ccc\n"
        "    ^~~\n"
        "B.spx:1:1: note: previous definition is here\n"
        "xxx yyy\n"
        "^~~\n"
        "A.spx:1:9: error: use of undeclared identifier 'ccc'\n"
        "aaa bbb ccc\n"
        "        ^~~\n"
        "B.spx:1:5: error: use of undeclared identifier 'yyy'\n"
        "xxx yyy\n"
        "    ^~~\n"
        "A.spx:1:1: note: previous definition is here\n"
        "aaa bbb ccc\n"
        "^~~\n");
}

TEST_CASE("sorted by source, the error limit applies in printed order and drops the notes of what it drops") {
  Fixture f("aaa bbb ccc\n");
  f.diags.setSortBySource(true);
  f.diags.setErrorLimit(1);
  f.diags.report(DiagId::err_undeclared, f.range(8, 11), "ccc");
  f.diags.report(DiagId::note_previous_definition, f.range(0, 3));
  f.diags.report(DiagId::err_undeclared, f.range(4, 7), "bbb");
  f.diags.flush();
  CHECK(f.out.str() ==
        "t.spx:1:5: error: use of undeclared identifier 'bbb'\n"
        "aaa bbb ccc\n"
        "    ^~~\n"
        "fatal error: too many errors emitted, stopping now [-ferror-limit=1]\n");
}

TEST_CASE("records keep every printed diagnostic with its id, severity, range and message") {
  Fixture f(kSource);
  f.diags.setKeepRecords(true);
  f.diags.report(DiagId::err_undeclared, f.range(14, 19), "count");
  f.diags.report(DiagId::note_previous_definition, f.range(0, 6));
  f.diags.report(DiagId::warn_unknown_pragma, f.range(30, 35), "P");
  const auto &r = f.diags.records();
  REQUIRE(r.size() == 3);
  CHECK(r[0].id == DiagId::err_undeclared);
  CHECK(r[0].severity == Severity::Error);
  CHECK(r[0].message == "use of undeclared identifier 'count'");
  CHECK(f.sm.fileOffset(r[0].range.begin) == 14);
  CHECK(f.sm.fileOffset(r[0].range.end) == 19);
  CHECK(r[1].severity == Severity::Note);
  CHECK(r[2].severity == Severity::Warning);
  CHECK(r[2].message == "unknown pragma 'P' ignored");
}

TEST_CASE("records are not kept unless asked, and dropped diagnostics are not recorded") {
  Fixture f("x\n");
  f.diags.report(DiagId::err_undeclared, f.range(0, 1), "x");
  CHECK(f.diags.records().empty());

  Fixture g("x\n");
  g.diags.setKeepRecords(true);
  g.diags.setErrorLimit(1);
  g.diags.report(DiagId::err_undeclared, g.range(0, 1), "x");
  g.diags.report(DiagId::err_undeclared, g.range(0, 1), "y");
  g.diags.report(DiagId::note_previous_definition, g.range(0, 1));
  CHECK(g.diags.records().size() == 1);
}

TEST_CASE("with colour on, the location is bold, the label coloured, and the marker green") {
  Fixture f(kSource);
  f.diags.setColor(true);
  f.diags.report(DiagId::err_undeclared, f.range(14, 19), "count");
  f.diags.report(DiagId::warn_unknown_pragma, f.range(30, 35), "P");
  f.diags.report(DiagId::note_previous_definition, f.range(0, 6));
  std::string s = f.out.str();
  CHECK(s.find("\x1b[1mt.spx:2:5: \x1b[1;31merror: \x1b[0m\x1b[1muse of undeclared identifier 'count'\x1b[0m\n") == 0);
  CHECK(s.find("\x1b[1;32m    ^~~~~\x1b[0m\n") != std::string::npos);
  CHECK(s.find("\x1b[1;35mwarning: ") != std::string::npos);
  CHECK(s.find("note: ") != std::string::npos);
  CHECK(s.find("VAR count: INTEGER;\n") != std::string::npos);  // the source line itself is never coloured
}

TEST_CASE("with colour off, nothing but text is printed") {
  Fixture f(kSource);
  f.diags.setColor(false);
  f.diags.report(DiagId::err_undeclared, f.range(14, 19), "count");
  CHECK(f.out.str().find('\x1b') == std::string::npos);
}

TEST_CASE("every diagnostic id has a name with its severity's prefix and a format") {
  for (unsigned i = 0; i < static_cast<unsigned>(DiagId::NumDiags); ++i) {
    auto id = static_cast<DiagId>(i);
    std::string name = spx::nameOf(id);
    CAPTURE(name);
    REQUIRE(spx::formatOf(id) != nullptr);
    CHECK(std::string(spx::formatOf(id)).size() > 0);
    switch (spx::severityOf(id)) {
    case Severity::Note: CHECK(name.rfind("note_", 0) == 0); break;
    case Severity::Warning: CHECK(name.rfind("warn_", 0) == 0); break;
    case Severity::Error: case Severity::Fatal: CHECK(name.rfind("err_", 0) == 0); break;
    }
  }
}

}  // namespace
