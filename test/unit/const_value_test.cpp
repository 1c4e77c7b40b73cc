// Constant values: equality (used for record defaults, CASE labels, fingerprints) and their spelling in
// messages.
#include "sema/ConstValue.h"
#include "sema/Scope.h"
#include "sema/Types.h"

#include <doctest/doctest.h>

namespace {

using namespace spx;

ConstValue intValue(int64_t i) {
  ConstValue v;
  v.i = i;
  return v;
}
ConstValue textValue(std::string s) {
  ConstValue v;
  v.kind = ConstValue::Kind::Text;
  v.text = std::move(s);
  return v;
}
ConstValue setValue(std::vector<int64_t> m) {
  ConstValue v;
  v.kind = ConstValue::Kind::Set;
  v.members = std::move(m);
  return v;
}
ConstValue nilValue() {
  ConstValue v;
  v.kind = ConstValue::Kind::Nil;
  return v;
}
ConstValue aggregate(std::vector<const ConstValue *> elems) {
  ConstValue v;
  v.kind = ConstValue::Kind::Aggregate;
  v.elems = std::move(elems);
  return v;
}

TEST_CASE("constant values of the same kind are equal when their contents are") {
  CHECK(equalValues(intValue(7), intValue(7)));
  CHECK_FALSE(equalValues(intValue(7), intValue(8)));
  CHECK(equalValues(textValue("abc"), textValue("abc")));
  CHECK_FALSE(equalValues(textValue("abc"), textValue("abd")));
  CHECK_FALSE(equalValues(textValue(""), textValue(std::string("\0", 1))));
  CHECK(equalValues(setValue({1, 3}), setValue({1, 3})));
  CHECK_FALSE(equalValues(setValue({1, 3}), setValue({1})));
  CHECK(equalValues(setValue({}), setValue({})));
  CHECK(equalValues(nilValue(), nilValue()));
}

TEST_CASE("constant values of different kinds are never equal") {
  CHECK_FALSE(equalValues(intValue(0), nilValue()));
  CHECK_FALSE(equalValues(intValue(0), setValue({})));
  CHECK_FALSE(equalValues(textValue(""), nilValue()));
  CHECK_FALSE(equalValues(setValue({0}), intValue(0)));
}

TEST_CASE("aggregates are equal element by element, recursively") {
  ConstArena arena;
  auto one = arena.integer(1), two = arena.integer(2), alsoOne = arena.integer(1);
  CHECK(equalValues(aggregate({one, two}), aggregate({alsoOne, arena.integer(2)})));
  CHECK_FALSE(equalValues(aggregate({one, two}), aggregate({two, one})));
  CHECK_FALSE(equalValues(aggregate({one, two}), aggregate({one})));
  auto inner1 = arena.make(aggregate({one, two}));
  auto inner2 = arena.make(aggregate({alsoOne, arena.integer(2)}));
  auto inner3 = arena.make(aggregate({one, one}));
  CHECK(equalValues(aggregate({inner1, one}), aggregate({inner2, alsoOne})));
  CHECK_FALSE(equalValues(aggregate({inner1, one}), aggregate({inner3, one})));
}

TEST_CASE("procedure constants are equal when they name the same procedure") {
  Symbol p, q;
  ConstValue a, b, c;
  a.kind = b.kind = c.kind = ConstValue::Kind::Proc;
  a.proc = &p, b.proc = &p, c.proc = &q;
  CHECK(equalValues(a, b));
  CHECK_FALSE(equalValues(a, c));
}

TEST_CASE("ConstArena hands out stable pointers to the values it owns") {
  ConstArena arena;
  const ConstValue *first = arena.integer(42);
  for (int i = 0; i < 10000; ++i) arena.integer(i);
  CHECK(first->kind == ConstValue::Kind::Int);
  CHECK(first->i == 42);
  const ConstValue *t = arena.make(textValue("kept"));
  CHECK(t->text == "kept");
}

TEST_CASE("integers format in decimal, enumeration values by name, characters quoted") {
  TypeContext tc;
  CHECK(formatValue(intValue(-42), tc.integer()) == "-42");
  CHECK(formatValue(intValue(9223372036854775807LL), tc.integer()) == "9223372036854775807");
  CHECK(formatValue(intValue(1), tc.boolean()) == "TRUE");
  CHECK(formatValue(intValue(0), tc.boolean()) == "FALSE");
  auto *color = tc.make<EnumType>();
  color->literals = {"Red", "Green", "Blue"};
  CHECK(formatValue(intValue(2), color) == "Blue");
  auto *warm = tc.make<SubrangeType>();
  warm->base = color, warm->low = 0, warm->high = 1;
  CHECK(formatValue(intValue(1), warm) == "Green");
  CHECK(formatValue(intValue('a'), tc.charType()) == "'a'");
  CHECK(formatValue(intValue(10), tc.charType()) == "VAL(10, CHAR)");
  CHECK(formatValue(intValue(255), tc.charType()) == "VAL(255, CHAR)");
}

TEST_CASE("texts format as one-line literals with escapes") {
  TypeContext tc;
  CHECK(formatValue(textValue("hello"), tc.text()) == "\"hello\"");
  CHECK(formatValue(textValue("a\nb\tc\r\f"), tc.text()) == "\"a\\nb\\tc\\r\\f\"");
  CHECK(formatValue(textValue("say \"hi\" \\ bye"), tc.text()) == "\"say \\\"hi\\\" \\\\ bye\"");
  CHECK(formatValue(textValue(std::string("\x01\xff\0", 3)), tc.text()) == "\"\\001\\377\\000\"");
  CHECK(formatValue(textValue(""), tc.text()) == "\"\"");
}

TEST_CASE("sets, NIL and aggregates have a spelling of their own") {
  TypeContext tc;
  auto *s = tc.make<SetType>();
  auto *digits = tc.make<SubrangeType>();
  digits->base = tc.integer(), digits->low = 0, digits->high = 9;
  s->element = digits;
  CHECK(formatValue(setValue({1, 3, 5}), s) == "{1, 3, 5}");
  CHECK(formatValue(setValue({}), s) == "{}");
  CHECK(formatValue(nilValue(), tc.refany()) == "NIL");
  ConstArena arena;
  CHECK_FALSE(formatValue(aggregate({arena.integer(1)}), nullptr).empty());
}

TEST_CASE("a set of enumeration values is spelled with the literals' names, as single values are") {
  TypeContext tc;
  auto *color = tc.make<EnumType>();
  color->literals = {"Red", "Green", "Blue"};
  auto *s = tc.make<SetType>();
  s->element = color;
  CHECK(formatValue(setValue({0, 2}), s) == "{Red, Blue}");
}

}  // namespace
