// spinec's command line: every option, its spellings and its errors. parseOptions never exits; a non-empty
// error means bad usage (status 2).
#include "driver/Options.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using spx::ColorMode;
using spx::parseOptions;

spx::OptionsResult parse(std::vector<std::string> args) { return parseOptions(args); }

TEST_CASE("options: defaults with one input") {
  auto r = parse({"A.spx"});
  REQUIRE(r.error.empty());
  const auto &o = r.options;
  CHECK(o.inputs == std::vector<std::string>{"A.spx"});
  CHECK(o.includeDirs.empty());
  CHECK(o.stdlibDir.empty());
  CHECK(o.output.empty());
  CHECK_FALSE(o.syntaxOnly);
  CHECK_FALSE(o.dumpAst);
  CHECK_FALSE(o.printFingerprint);
  CHECK_FALSE(o.verify);
  CHECK_FALSE(o.help);
  CHECK_FALSE(o.version);
  CHECK(o.errorLimit == 20);
  CHECK(o.color == ColorMode::Auto);
  CHECK_FALSE(o.oracle);
}

TEST_CASE("options: --oracle turns on the memory-safety oracle and nothing else") {
  auto r = parse({"--oracle", "A.spx"});
  REQUIRE(r.error.empty());
  CHECK(r.options.oracle);
  CHECK(r.options.optLevel == 2);
  CHECK_FALSE(r.options.debugInfo);
  CHECK_FALSE(r.options.run);
}

TEST_CASE("options: inputs keep their command-line order, wherever the options are") {
  auto r = parse({"B.spi", "-fsyntax-only", "A.spx", "-I", "inc", "C.spx"});
  REQUIRE(r.error.empty());
  CHECK(r.options.inputs == std::vector<std::string>{"B.spi", "A.spx", "C.spx"});
}

TEST_CASE("options: the boolean flags") {
  auto r = parse({"-fsyntax-only", "--dump-ast", "--print-fingerprint", "A.spx"});
  REQUIRE(r.error.empty());
  CHECK(r.options.syntaxOnly);
  CHECK(r.options.dumpAst);
  CHECK(r.options.printFingerprint);
  CHECK_FALSE(r.options.verify);
}

TEST_CASE("options: -verify implies -fsyntax-only") {
  auto r = parse({"-verify", "A.spx"});
  REQUIRE(r.error.empty());
  CHECK(r.options.verify);
  CHECK(r.options.syntaxOnly);
}

TEST_CASE("options: -I in every spelling, in order") {
  auto r = parse({"-I", "one", "-Itwo", "-I=three", "A.spx"});
  REQUIRE(r.error.empty());
  CHECK(r.options.includeDirs == std::vector<std::string>{"one", "two", "three"});
  CHECK(r.options.inputs == std::vector<std::string>{"A.spx"});
}

TEST_CASE("options: -I without a directory is an error, at the end or empty") {
  CHECK(parse({"A.spx", "-I"}).error == "option '-I' needs a directory");
  CHECK(parse({"A.spx", "-I="}).error == "option '-I' needs a directory");
  CHECK(parse({"A.spx", "-I", ""}).error == "option '-I' needs a directory");
}

TEST_CASE("options: --stdlib and -o take a value") {
  auto r = parse({"--stdlib", "std", "-o", "out.img", "A.spx"});
  REQUIRE(r.error.empty());
  CHECK(r.options.stdlibDir == "std");
  CHECK(r.options.output == "out.img");
  CHECK(parse({"--stdlib=lib", "A.spx"}).options.stdlibDir == "lib");
  CHECK(parse({"A.spx", "--stdlib"}).error == "option '--stdlib' needs a directory");
  CHECK(parse({"A.spx", "-o"}).error == "option '-o' needs a file name");
}

TEST_CASE("options: -ferror-limit accepts 0 to 1000000") {
  CHECK(parse({"-ferror-limit=0", "A.spx"}).options.errorLimit == 0);
  CHECK(parse({"-ferror-limit=7", "A.spx"}).options.errorLimit == 7);
  CHECK(parse({"-ferror-limit=1000000", "A.spx"}).options.errorLimit == 1000000);
  CHECK(parse({"-ferror-limit=3", "-ferror-limit=9", "A.spx"}).options.errorLimit == 9);  // last wins
}

TEST_CASE("options: -ferror-limit refuses what is not such a number") {
  for (const char *bad : {"abc", "", "-1", "12abc", "1000001", "99999999999999999999999", "0x10", "1.5"}) {
    CAPTURE(bad);
    auto r = parse({std::string("-ferror-limit=") + bad, "A.spx"});
    CHECK(r.error == std::string("invalid value '") + bad + "' for -ferror-limit: expected a number from 0 to 1000000");
  }
}

TEST_CASE("options: colour modes and their spellings; the last one wins") {
  CHECK(parse({"--color=always", "A.spx"}).options.color == ColorMode::Always);
  CHECK(parse({"--color=never", "A.spx"}).options.color == ColorMode::Never);
  CHECK(parse({"--color=auto", "A.spx"}).options.color == ColorMode::Auto);
  CHECK(parse({"--color", "A.spx"}).options.color == ColorMode::Always);
  CHECK(parse({"-fcolor-diagnostics", "A.spx"}).options.color == ColorMode::Always);
  CHECK(parse({"-fno-color-diagnostics", "A.spx"}).options.color == ColorMode::Never);
  CHECK(parse({"--color=always", "-fno-color-diagnostics", "A.spx"}).options.color == ColorMode::Never);
  CHECK(parse({"-fno-color-diagnostics", "--color=auto", "A.spx"}).options.color == ColorMode::Auto);
}

TEST_CASE("options: a bad --color value is an error naming it") {
  CHECK(parse({"--color=sometimes", "A.spx"}).error ==
        "invalid value 'sometimes' for --color: expected auto, always or never");
  CHECK_FALSE(parse({"--color=", "A.spx"}).error.empty());
  CHECK_FALSE(parse({"--colour=always", "A.spx"}).error.empty());
  CHECK_FALSE(parse({"--color=ALWAYS", "A.spx"}).error.empty());
}

TEST_CASE("options: help and version need no input") {
  for (const char *h : {"-h", "--help", "-help"}) {
    CAPTURE(h);
    auto r = parse({h});
    CHECK(r.error.empty());
    CHECK(r.options.help);
  }
  auto v = parse({"--version"});
  CHECK(v.error.empty());
  CHECK(v.options.version);
}

TEST_CASE("options: no input files is an error") {
  CHECK(parse({}).error == "no input files");
  CHECK(parse({"-fsyntax-only"}).error == "no input files");
  CHECK(parse({"-I", "dir", "--color=never"}).error == "no input files");
}

TEST_CASE("options: an unknown option is an error naming it") {
  CHECK(parse({"--bogus", "A.spx"}).error == "unknown option '--bogus'");
  CHECK(parse({"A.spx", "-Wall"}).error == "unknown option '-Wall'");
  CHECK(parse({"A.spx", "-fsyntax-onl"}).error == "unknown option '-fsyntax-onl'");
  CHECK(parse({"A.spx", "-ferror-limit"}).error == "unknown option '-ferror-limit'");
}

TEST_CASE("options: after '--' everything is an input, and '-' alone is an input") {
  auto r = parse({"--", "-x.spx", "--help"});
  REQUIRE(r.error.empty());
  CHECK(r.options.inputs == std::vector<std::string>{"-x.spx", "--help"});
  CHECK_FALSE(r.options.help);
  auto dash = parse({"-"});
  REQUIRE(dash.error.empty());
  CHECK(dash.options.inputs == std::vector<std::string>{"-"});
}

TEST_CASE("options: the usage text lists every option and the exit statuses") {
  std::string usage = spx::usageText();
  for (const char *opt : {"USAGE: spinec", "-fsyntax-only", "--dump-ast", "--print-fingerprint", "-verify", "-I <dir>",
                          "--stdlib <dir>", "-o <file>", "-ferror-limit=<n>", "--color=<when>", "-fcolor-diagnostics",
                          "-fno-color-diagnostics", "--help", "--version", "--oracle", "Exit status"}) {
    CAPTURE(opt);
    CHECK(usage.find(opt) != std::string::npos);
  }
}

}  // namespace
