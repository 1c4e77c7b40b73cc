// SourceManager: one offset space shared by every file; offsets map back to file, line, column and line text.
#include "basic/SourceManager.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

using spx::FileId;
using spx::SourceLoc;
using spx::SourceManager;

TEST_CASE("SourceManager: offsets map to 1-based lines and byte columns") {
  SourceManager sm;
  FileId f = sm.addBuffer("a.spx", "MODULE A;\nVAR x: INTEGER;\n\nEND A.\n");
  auto at = [&](uint32_t off) { return sm.presumed(sm.locAt(f, off)); };
  CHECK(at(0).line == 1);
  CHECK(at(0).column == 1);
  CHECK(at(7).column == 8);   // 'A'
  CHECK(at(9).line == 1);     // the newline belongs to line 1
  CHECK(at(9).column == 10);
  CHECK(at(10).line == 2);    // 'V'
  CHECK(at(10).column == 1);
  CHECK(at(14).column == 5);  // 'x'
  CHECK(at(26).line == 3);    // the empty line
  CHECK(at(26).column == 1);
  CHECK(at(27).line == 4);
  CHECK(at(0).file == "a.spx");
}

TEST_CASE("SourceManager: columns count bytes, so a tab is one column") {
  SourceManager sm;
  FileId f = sm.addBuffer("t.spx", "\tx := 1\n");
  CHECK(sm.presumed(sm.locAt(f, 1)).column == 2);
}

TEST_CASE("SourceManager: lineText returns the whole line without its newline") {
  SourceManager sm;
  FileId f = sm.addBuffer("a.spx", "first line\nsecond\n\nlast");
  CHECK(sm.lineText(sm.locAt(f, 0)) == "first line");
  CHECK(sm.lineText(sm.locAt(f, 5)) == "first line");
  CHECK(sm.lineText(sm.locAt(f, 10)) == "first line");  // on the '\n' itself
  CHECK(sm.lineText(sm.locAt(f, 11)) == "second");
  CHECK(sm.lineText(sm.locAt(f, 18)) == "");
  CHECK(sm.lineText(sm.locAt(f, 19)) == "last");
}

TEST_CASE("SourceManager: lineText of a CRLF line leaves out the carriage return") {
  SourceManager sm;
  FileId f = sm.addBuffer("crlf.spx", "MODULE M;\r\nVAR x: INTEGER;\r\n");
  CHECK(sm.lineText(sm.locAt(f, 3)) == "MODULE M;");
  CHECK(sm.lineText(sm.locAt(f, 11)) == "VAR x: INTEGER;");
  CHECK(sm.presumed(sm.locAt(f, 11)).line == 2);
  CHECK(sm.presumed(sm.locAt(f, 15)).column == 5);
}

TEST_CASE("SourceManager: the end-of-file location maps to the last line of its own file") {
  SourceManager sm;
  FileId a = sm.addBuffer("a.spx", "ab\ncd");
  FileId b = sm.addBuffer("b.spx", "xyz\n");
  SourceLoc endA = sm.locAt(a, 5);  // one past the last byte
  CHECK(sm.fileOf(endA) == a);
  CHECK(sm.presumed(endA).file == "a.spx");
  CHECK(sm.presumed(endA).line == 2);
  CHECK(sm.presumed(endA).column == 3);
  CHECK(sm.lineText(endA) == "cd");
  CHECK(sm.fileOffset(endA) == 5);
  // With a final newline, the end of file is on the (empty) line after it.
  SourceLoc endB = sm.locAt(b, 4);
  CHECK(sm.fileOf(endB) == b);
  CHECK(sm.presumed(endB).line == 2);
  CHECK(sm.presumed(endB).column == 1);
  CHECK(sm.lineText(endB) == "");
}

TEST_CASE("SourceManager: several files share one offset space without overlapping") {
  SourceManager sm;
  FileId a = sm.addBuffer("a.spx", "aaaa\naaaa\n");
  FileId b = sm.addBuffer("b.spx", "");
  FileId c = sm.addBuffer("c.spi", "c\ncc\n");
  REQUIRE(sm.fileCount() == 3);
  CHECK(sm.fileOf(sm.locAt(a, 0)) == a);
  CHECK(sm.fileOf(sm.locAt(a, 9)) == a);
  CHECK(sm.fileOf(sm.locAt(b, 0)) == b);  // an empty file still owns its end-of-file location
  CHECK(sm.fileOf(sm.locAt(c, 0)) == c);
  CHECK(sm.fileOf(sm.locAt(c, 3)) == c);
  CHECK(sm.locAt(a, 0).offset != sm.locAt(b, 0).offset);
  CHECK(sm.locAt(b, 0).offset != sm.locAt(c, 0).offset);
  CHECK(sm.presumed(sm.locAt(c, 3)).file == "c.spi");
  CHECK(sm.presumed(sm.locAt(c, 3)).line == 2);
  CHECK(sm.presumed(sm.locAt(c, 3)).column == 2);
  CHECK(sm.fileOffset(sm.locAt(c, 3)) == 3);
  CHECK(sm.lineText(sm.locAt(c, 3)) == "cc");
  CHECK(sm.name(c) == "c.spi");
  CHECK(sm.text(a) == "aaaa\naaaa\n");
}

TEST_CASE("SourceManager: offset 0 is no location, and belongs to no file") {
  SourceManager sm;
  sm.addBuffer("a.spx", "x");
  SourceLoc none;
  CHECK_FALSE(none.valid());
  CHECK_FALSE(sm.fileOf(none).valid());
  CHECK(sm.presumed(none).line == 0);
  CHECK(sm.lineText(none).empty());
  CHECK(sm.locAt(FileId{0}, 0).valid());
}

TEST_CASE("SourceManager: a range of one character ends one past its start") {
  SourceManager sm;
  FileId f = sm.addBuffer("a.spx", "abc");
  spx::SourceRange r(sm.locAt(f, 1));
  CHECK(r.valid());
  CHECK(r.end.offset == r.begin.offset + 1);
  CHECK_FALSE(spx::SourceRange().valid());
}

TEST_CASE("SourceManager: addFile reads a file from disk, and reports why it cannot") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("spine-sm-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream(dir / "F.spx", std::ios::binary) << "MODULE F;\nBEGIN\nEND F.\n";
  }
  SourceManager sm;
  std::string error;
  FileId f = sm.addFile((dir / "F.spx").string(), error);
  REQUIRE(f.valid());
  CHECK(error.empty());
  CHECK(sm.text(f) == "MODULE F;\nBEGIN\nEND F.\n");
  CHECK(sm.name(f) == (dir / "F.spx").string());
  CHECK(sm.presumed(sm.locAt(f, 10)).line == 2);

  FileId missing = sm.addFile((dir / "Missing.spx").string(), error);
  CHECK_FALSE(missing.valid());
  CHECK(error.find("No such file") != std::string::npos);
  CHECK(sm.fileCount() == 1);
  fs::remove_all(dir);
}

TEST_CASE("SourceManager: addFile refuses a directory, with the system's reason") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("spine-sm-dir-" + std::to_string(::getpid()) + ".spx");
  fs::create_directories(dir);
  SourceManager sm;
  std::string error;
  FileId asDir = sm.addFile(dir.string(), error);
  CHECK_FALSE(asDir.valid());
  CHECK(error.find("directory") != std::string::npos);
  CHECK(sm.fileCount() == 0);
  fs::remove_all(dir);
}

TEST_CASE("SourceManager: a file full of NUL bytes keeps its length and its offsets") {
  SourceManager sm;
  std::string text(100, '\0');
  text[50] = '\n';
  FileId f = sm.addBuffer("nul.spx", text);
  CHECK(sm.text(f).size() == 100);
  CHECK(sm.presumed(sm.locAt(f, 51)).line == 2);
  CHECK(sm.lineText(sm.locAt(f, 10)).size() == 50);
}

}  // namespace
