// End to end through spx::Compilation: sources written to a temporary directory, diagnostics captured in a
// string stream, exit statuses and messages checked -- what spinec does, without a process.
#include "driver/Compilation.h"
#include "driver/Options.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed at the end.
class TempDir {
public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("spine-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string &name, const std::string &text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string &name = "") const { return (path_ / name).string(); }

private:
  fs::path path_;
};

struct Result {
  int status;
  std::string out, err;
};

Result compile(spx::Options opts) {
  std::ostringstream out, err;
  spx::Compilation c(opts, out, err);
  int status = c.run();
  return {status, out.str(), err.str()};
}

spx::Options syntaxOnly(std::vector<std::string> inputs) {
  spx::Options o;
  o.inputs = std::move(inputs);
  o.syntaxOnly = true;
  return o;
}

TEST_CASE("e2e: a correct module compiles with status 0 and prints nothing") {
  TempDir d;
  auto m = d.write("Ok.spx", "MODULE Ok;\nVAR x: INTEGER;\nBEGIN\n  x := 1 + 2 * 3\nEND Ok.\n");
  Result r = compile(syntaxOnly({m}));
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  CHECK(r.err.empty());
}

TEST_CASE("e2e: a type error is reported in clang's format with status 1") {
  TempDir d;
  auto m = d.write("Bad.spx", "MODULE Bad;\nVAR flag: BOOLEAN;\nBEGIN\n  flag := 1 + 2\nEND Bad.\n");
  Result r = compile(syntaxOnly({m}));
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  CHECK(r.err == m + ":4:11: error: a value of type 'INTEGER' cannot be assigned to type 'BOOLEAN'\n"
                     "  flag := 1 + 2\n"
                     "          ^~~~~\n");
}

TEST_CASE("e2e: a syntax error skips the semantic checks of that file") {
  TempDir d;
  auto m = d.write("Syn.spx", "MODULE Syn;\nVAR x: INTEGER;\nBEGIN\n  x := undefined;\n  x := 1 +;\nEND Syn.\n");
  Result r = compile(syntaxOnly({m}));
  CHECK(r.status == 1);
  CHECK(r.err.find(":5:11: error: expected an expression but found ';'") != std::string::npos);
  CHECK(r.err.find("undefined") == std::string::npos);
}

TEST_CASE("e2e: diagnostics come out in source order, each note after its error") {
  TempDir d;
  auto m = d.write("Order.spx",
                   "MODULE Order;\n"
                   "VAR a: INTEGER;\n"
                   "PROCEDURE P(): INTEGER = BEGIN RETURN zz END P;\n"
                   "VAR a: CHAR;\n"
                   "BEGIN\n"
                   "  a := yy\n"
                   "END Order.\n");
  Result r = compile(syntaxOnly({m}));
  CHECK(r.status == 1);
  size_t p3 = r.err.find(":3:39: error: use of undeclared identifier 'zz'");
  size_t p4 = r.err.find(":4:5: error: redefinition of 'a'");
  size_t pn = r.err.find(":2:5: note: previous definition is here");
  size_t p6 = r.err.find(":6:8: error: use of undeclared identifier 'yy'");
  REQUIRE(p3 != std::string::npos);
  REQUIRE(p4 != std::string::npos);
  REQUIRE(pn != std::string::npos);
  REQUIRE(p6 != std::string::npos);
  CHECK(p3 < p4);
  CHECK(p4 < pn);
  CHECK(pn < p6);
  // The same compilation again gives the same bytes.
  CHECK(compile(syntaxOnly({m})).err == r.err);
}

TEST_CASE("e2e: the front end alone (no back end installed) says it generates no code") {
  TempDir d;
  auto m = d.write("Ok.spx", "MODULE Ok;\nBEGIN\nEND Ok.\n");
  spx::Options o;
  o.inputs = {m};
  Result r = compile(o);
  CHECK(r.status == 1);
  CHECK(r.err == "spinec: error: this tool is the front end alone and generates no code; use spinec\n");
}

TEST_CASE("e2e: a missing input and a wrong extension are reported without a location") {
  TempDir d;
  auto txt = d.write("Notes.txt", "MODULE Notes;\nBEGIN\nEND Notes.\n");
  Result r = compile(syntaxOnly({d.path("Missing.spx"), txt}));
  CHECK(r.status == 1);
  CHECK(r.err.find("spinec: error: cannot open '" + d.path("Missing.spx") + "': No such file or directory\n") !=
        std::string::npos);
  CHECK(r.err.find("spinec: error: '" + txt + "' is not a source file: expected a .spx module or .spi interface\n") !=
        std::string::npos);
}

TEST_CASE("e2e: the error limit of the options stops the output") {
  TempDir d;
  std::string body;
  for (int i = 0; i < 50; ++i) body += "  x := TRUE;\n";
  auto m = d.write("Many.spx", "MODULE Many;\nVAR x: INTEGER;\nBEGIN\n" + body + "END Many.\n");
  spx::Options o = syntaxOnly({m});
  o.errorLimit = 5;
  Result r = compile(o);
  CHECK(r.status == 1);
  size_t n = 0;
  for (size_t p = r.err.find(": error: "); p != std::string::npos; p = r.err.find(": error: ", p + 1)) ++n;
  CHECK(n == 5);
  CHECK(r.err.find("fatal error: too many errors emitted, stopping now [-ferror-limit=5]\n") != std::string::npos);
  o.errorLimit = 0;
  Result all = compile(o);
  n = 0;
  for (size_t p = all.err.find(": error: "); p != std::string::npos; p = all.err.find(": error: ", p + 1)) ++n;
  CHECK(n == 50);
}

TEST_CASE("e2e: an interface is found through -I and its fingerprint printed") {
  TempDir d;
  auto iface = d.write("inc/Counter.spi", "INTERFACE Counter;\nCONST Max = 1000;\nTYPE Key = [0..Max - 1];\nEND Counter.\n");
  auto m = d.write("src/Use.spx", "MODULE Use;\nIMPORT Counter;\nVAR k: Counter.Key := Counter.Max;\nBEGIN\nEND Use.\n");
  spx::Options o = syntaxOnly({m});
  o.includeDirs = {d.path("inc")};
  Result r = compile(o);
  CHECK(r.status == 1);
  CHECK(r.err.find(m + ":3:23: error: constant 1000 is out of range for type 'Counter.Key'") != std::string::npos);

  spx::Options fp;
  fp.inputs = {iface};
  fp.printFingerprint = true;
  Result f1 = compile(fp);
  CHECK(f1.status == 0);
  REQUIRE(f1.out.size() == std::string("Counter 0123456789abcdef\n").size());
  CHECK(f1.out.rfind("Counter ", 0) == 0);
  CHECK(f1.out.find_first_not_of("0123456789abcdef", 8) == f1.out.size() - 1);
  CHECK(compile(fp).out == f1.out);
}

TEST_CASE("e2e: an interface that is not found names every directory searched") {
  TempDir d;
  auto m = d.write("Use.spx", "MODULE Use;\nIMPORT Nowhere;\nBEGIN\nEND Use.\n");
  spx::Options o = syntaxOnly({m});
  o.includeDirs = {d.path("a"), d.path("b")};
  o.stdlibDir = d.path("std");
  Result r = compile(o);
  CHECK(r.status == 1);
  CHECK(r.err.find("error: cannot find interface 'Nowhere' (searched: " + d.path("a") + ", " + d.path("b") + ", " +
                   d.path("") .substr(0, d.path("").size() - 1) + ", " + d.path("std") + ")") != std::string::npos);
}

TEST_CASE("e2e: an initializer of an anonymous REF type is checked against the REF's target") {
  // Type safety is SPINE's isolation mechanism: REF BOOLEAN must never be stored in a REF INTEGER.
  TempDir d;
  auto m = d.write("Refs.spx",
                   "MODULE Refs;\n"
                   "VAR d: REF INTEGER := NEW(REF BOOLEAN);\n"
                   "    e: REF RECORD x: INTEGER END := NEW(REF RECORD y: INTEGER END);\n"
                   "PROCEDURE P() =\n"
                   "  VAR f: REF INTEGER := NEW(REF CHAR);\n"
                   "  BEGIN\n"
                   "  END P;\n"
                   "BEGIN\n"
                   "END Refs.\n");
  spx::Options o = syntaxOnly({m});
  o.errorLimit = 0;
  Result r = compile(o);
  CHECK(r.status == 1);
  CHECK(r.err.find(m + ":2:23: error:") != std::string::npos);
  CHECK(r.err.find(m + ":3:37: error:") != std::string::npos);
  CHECK(r.err.find(m + ":5:25: error:") != std::string::npos);
}

TEST_CASE("e2e: the same assignments as statements are refused (control for the initializer case)") {
  TempDir d;
  auto m = d.write("Refs2.spx",
                   "MODULE Refs2;\n"
                   "VAR d: REF INTEGER;\n"
                   "BEGIN\n"
                   "  d := NEW(REF BOOLEAN)\n"
                   "END Refs2.\n");
  Result r = compile(syntaxOnly({m}));
  CHECK(r.status == 1);
  CHECK(r.err.find(m + ":4:8: error: a value of type 'REF BOOLEAN' cannot be assigned to type 'REF INTEGER'") !=
        std::string::npos);
}

TEST_CASE("e2e: a module must give a body to every procedure of the interface it exports") {
  // REFERENCE 2 and 9: "exported procedure missing from the module".
  TempDir d;
  auto iface = d.write("Lib.spi", "INTERFACE Lib;\nPROCEDURE Take(x: INTEGER);\nEND Lib.\n");
  auto m = d.write("Impl.spx", "MODULE Impl EXPORTS Lib;\nBEGIN\nEND Impl.\n");
  Result r = compile(syntaxOnly({iface, m}));
  CHECK(r.status == 1);
  CHECK(r.err.find("Take") != std::string::npos);
  auto self = d.write("Lib.spx", "MODULE Lib;\nBEGIN\nEND Lib.\n");
  Result r2 = compile(syntaxOnly({self}));
  CHECK(r2.status == 1);
  CHECK(r2.err.find("Take") != std::string::npos);
}

TEST_CASE("e2e: a two-dimensional fixed array may be passed for ARRAY OF ARRAY OF INTEGER") {
  // REFERENCE 4.9: a fixed array is a subtype of an open array with the same element type and dimensions.
  TempDir d;
  auto m = d.write("Grid.spx",
                   "MODULE Grid;\n"
                   "PROCEDURE Rows(READONLY a: ARRAY OF ARRAY OF INTEGER): INTEGER = BEGIN RETURN NUMBER(a) END Rows;\n"
                   "PROCEDURE Clear(VAR a: ARRAY OF ARRAY OF INTEGER) = BEGIN END Clear;\n"
                   "VAR g: ARRAY [0..1], [0..2] OF INTEGER; n: INTEGER;\n"
                   "BEGIN\n"
                   "  n := Rows(g);\n"
                   "  Clear(g)\n"
                   "END Grid.\n");
  Result r = compile(syntaxOnly({m}));
  CHECK(r.err == "");
  CHECK(r.status == 0);
}

TEST_CASE("e2e: a VAR parameter of a procedure type needs the identical type, parameter names included") {
  // REFERENCE 4.8: procedure types compare parameter names; 3: a VAR actual must have the identical type.
  TempDir d;
  auto m = d.write("Procs.spx",
                   "MODULE Procs;\n"
                   "TYPE P1 = PROCEDURE (a: INTEGER);\n"
                   "     P2 = PROCEDURE (b: INTEGER);\n"
                   "PROCEDURE Take(VAR p: P1) = BEGIN END Take;\n"
                   "VAR q: P2;\n"
                   "BEGIN\n"
                   "  Take(q)\n"
                   "END Procs.\n");
  Result r = compile(syntaxOnly({m}));
  CHECK(r.status == 1);
  CHECK(r.err.find(":7:8: error:") != std::string::npos);
}

TEST_CASE("e2e: runWithLargeStack returns the function's result") {
  int value = 41;
  int status = spx::runWithLargeStack([](void *p) { return ++*static_cast<int *>(p); }, &value);
  CHECK(status == 42);
  CHECK(value == 42);
}

TEST_CASE("e2e: deeply nested but accepted input compiles on the large stack") {
  TempDir d;
  std::string e = std::string(250, '(') + "1" + std::string(250, ')');
  auto m = d.write("Deep.spx", "MODULE Deep;\nCONST C = " + e + ";\nVAR x: [1..1] := C;\nBEGIN\nEND Deep.\n");
  struct Ctx {
    spx::Options o;
    Result r;
  } ctx{syntaxOnly({m}), {}};
  int status = spx::runWithLargeStack(
      [](void *p) {
        auto *c = static_cast<Ctx *>(p);
        c->r = compile(c->o);
        return c->r.status;
      },
      &ctx);
  CHECK(status == 0);
  CHECK(ctx.r.err.empty());
}

}  // namespace
