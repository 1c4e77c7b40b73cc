// Semantic types: structural equivalence (sameType), subtyping, assignability and layout (bitSize), built
// directly with a TypeContext so each rule of lang/REFERENCE.md section 4 is checked in isolation.
#include "sema/ConstValue.h"
#include "sema/Scope.h"
#include "sema/Types.h"

#include <doctest/doctest.h>

#include <limits>

namespace {

using namespace spx;

struct T {
  TypeContext tc;
  ConstArena consts;

  const Type *sub(int64_t lo, int64_t hi, const Type *base = nullptr) {
    auto *s = tc.make<SubrangeType>();
    s->base = base ? base : tc.integer();
    s->low = lo, s->high = hi;
    return s;
  }
  const Type *enumeration(std::vector<std::string_view> lits) {
    auto *e = tc.make<EnumType>();
    e->literals = std::move(lits);
    return e;
  }
  const Type *array(const Type *index, const Type *element) {
    auto *a = tc.make<ArrayType>();
    a->index = index, a->element = element;
    return a;
  }
  const Type *open(const Type *element) {
    auto *a = tc.make<OpenArrayType>();
    a->element = element;
    return a;
  }
  const Type *set(const Type *element) {
    auto *s = tc.make<SetType>();
    s->element = element;
    return s;
  }
  RecordType *record(std::vector<std::pair<std::string_view, const Type *>> fields) {
    auto *r = tc.make<RecordType>();
    for (auto &[n, t] : fields) r->fields.push_back({n, t, nullptr, {}});
    return r;
  }
  RefType *ref(const Type *target, bool branded = false) {
    auto *r = tc.make<RefType>();
    r->target = target;
    if (branded) r->branded = true, r->brandId = tc.nextBrandId();
    return r;
  }
  const Type *packed(unsigned bits, const Type *base, bool netOrder = false) {
    auto *p = tc.make<PackedType>();
    p->bits = bits, p->base = base, p->netOrder = netOrder;
    return p;
  }
  ProcType *proc(std::vector<ProcParam> params, const Type *result = nullptr) {
    auto *p = tc.make<ProcType>();
    p->params = std::move(params);
    p->result = result;
    return p;
  }
  ProcParam param(std::string_view name, const Type *type, ParamMode mode = ParamMode::Value,
                  const ConstValue *dflt = nullptr) {
    ProcParam p;
    p.name = name, p.type = type, p.mode = mode, p.dflt = dflt;
    return p;
  }
};

// ---------------------------------------------------------------- sameType

TEST_CASE("records with the same field names and types in order are the same type") {
  T t;
  auto *a = t.record({{"x", t.tc.integer()}, {"y", t.tc.boolean()}});
  auto *b = t.record({{"x", t.tc.integer()}, {"y", t.tc.boolean()}});
  CHECK(sameType(a, b));
  CHECK(sameType(b, a));
  CHECK(sameType(a, a));
}

TEST_CASE("records differing in a field name, a field type, the field order or the field count differ") {
  T t;
  auto *a = t.record({{"x", t.tc.integer()}, {"y", t.tc.boolean()}});
  CHECK_FALSE(sameType(a, t.record({{"x", t.tc.integer()}, {"z", t.tc.boolean()}})));
  CHECK_FALSE(sameType(a, t.record({{"x", t.tc.integer()}, {"y", t.tc.charType()}})));
  CHECK_FALSE(sameType(a, t.record({{"y", t.tc.boolean()}, {"x", t.tc.integer()}})));
  CHECK_FALSE(sameType(a, t.record({{"x", t.tc.integer()}})));
  CHECK_FALSE(sameType(t.record({}), a));
  CHECK(sameType(t.record({}), t.record({})));
}

TEST_CASE("record field defaults are part of the type") {
  T t;
  auto *a = t.record({{"x", t.tc.integer()}});
  auto *b = t.record({{"x", t.tc.integer()}});
  auto *c = t.record({{"x", t.tc.integer()}});
  auto *d = t.record({{"x", t.tc.integer()}});
  a->fields[0].dflt = t.consts.integer(1);
  b->fields[0].dflt = t.consts.integer(1);
  c->fields[0].dflt = t.consts.integer(2);
  CHECK(sameType(a, b));
  CHECK_FALSE(sameType(a, c));
  CHECK_FALSE(sameType(a, d));  // a default against none
}

TEST_CASE("arrays are the same when index and element types are the same") {
  T t;
  CHECK(sameType(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(0, 3), t.tc.integer())));
  CHECK_FALSE(sameType(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(0, 4), t.tc.integer())));
  CHECK_FALSE(sameType(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(1, 4), t.tc.integer())));
  CHECK_FALSE(sameType(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(0, 3), t.tc.charType())));
  CHECK_FALSE(sameType(t.array(t.sub(0, 3), t.tc.integer()), t.open(t.tc.integer())));
  CHECK(sameType(t.open(t.open(t.tc.charType())), t.open(t.open(t.tc.charType()))));
  // ARRAY [0..1], [0..2] OF T is ARRAY [0..1] OF ARRAY [0..2] OF T.
  CHECK(sameType(t.array(t.sub(0, 1), t.array(t.sub(0, 2), t.tc.integer())),
                 t.array(t.sub(0, 1), t.array(t.sub(0, 2), t.tc.integer()))));
}

TEST_CASE("subranges are the same when their bounds and base types are") {
  T t;
  CHECK(sameType(t.sub(0, 9), t.sub(0, 9)));
  CHECK_FALSE(sameType(t.sub(0, 9), t.sub(0, 10)));
  CHECK_FALSE(sameType(t.sub(0, 9), t.sub(1, 9)));
  CHECK_FALSE(sameType(t.sub(97, 122), t.sub(97, 122, t.tc.charType())));  // [97..122] is not ['a'..'z']
  CHECK(sameType(t.sub(97, 122, t.tc.charType()), t.sub(97, 122, t.tc.charType())));
  CHECK_FALSE(sameType(t.sub(0, 9), t.tc.integer()));
  CHECK(sameType(t.tc.cardinal(), t.sub(0, std::numeric_limits<int64_t>::max())));
  auto *color = t.enumeration({"Red", "Green", "Blue"});
  CHECK(sameType(t.sub(0, 1, color), t.sub(0, 1, t.enumeration({"Red", "Green", "Blue"}))));
}

TEST_CASE("enumerations are the same when their literals are, in order") {
  T t;
  CHECK(sameType(t.enumeration({"A", "B"}), t.enumeration({"A", "B"})));
  CHECK_FALSE(sameType(t.enumeration({"A", "B"}), t.enumeration({"B", "A"})));
  CHECK_FALSE(sameType(t.enumeration({"A", "B"}), t.enumeration({"A", "B", "C"})));
  CHECK(sameType(t.enumeration({"FALSE", "TRUE"}), t.tc.boolean()));
}

TEST_CASE("sets compare their element types") {
  T t;
  CHECK(sameType(t.set(t.sub(0, 7)), t.set(t.sub(0, 7))));
  CHECK_FALSE(sameType(t.set(t.sub(0, 7)), t.set(t.sub(0, 8))));
}

TEST_CASE("each BRANDED REF is a type of its own, equal only to itself") {
  T t;
  auto *h1 = t.ref(t.tc.integer(), true);
  auto *h2 = t.ref(t.tc.integer(), true);
  CHECK(sameType(h1, h1));
  CHECK_FALSE(sameType(h1, h2));
  CHECK_FALSE(sameType(h1, t.ref(t.tc.integer())));
  CHECK_FALSE(sameType(t.ref(t.tc.integer()), h2));
  // Even with the same brand text.
  auto *b1 = t.ref(t.tc.integer(), true);
  auto *b2 = t.ref(t.tc.integer(), true);
  b1->brand = b2->brand = "spine.Conn";
  CHECK_FALSE(sameType(b1, b2));
}

TEST_CASE("unbranded REF types are structural") {
  T t;
  CHECK(sameType(t.ref(t.tc.integer()), t.ref(t.tc.integer())));
  CHECK_FALSE(sameType(t.ref(t.tc.integer()), t.ref(t.tc.charType())));
  CHECK(sameType(t.ref(t.record({{"a", t.tc.integer()}})), t.ref(t.record({{"a", t.tc.integer()}}))));
}

TEST_CASE("recursive REF types compare equal to their expansion") {
  T t;
  // List = REF RECORD head: INTEGER; tail: List END
  auto *list = t.ref(nullptr);
  list->target = t.record({{"head", t.tc.integer()}, {"tail", list}});
  // One level expanded: REF RECORD head: INTEGER; tail: List END
  auto *expanded = t.ref(t.record({{"head", t.tc.integer()}, {"tail", list}}));
  CHECK(sameType(list, expanded));
  CHECK(sameType(expanded, list));
  // An independent definition of the same structure: List2 = REF RECORD head: INTEGER; tail: List2 END.
  auto *list2 = t.ref(nullptr);
  list2->target = t.record({{"head", t.tc.integer()}, {"tail", list2}});
  CHECK(sameType(list, list2));
  // Unrolled twice as one cycle: L = REF RECORD head: INTEGER; tail: REF RECORD head: INTEGER; tail: L END END.
  auto *outer = t.ref(nullptr);
  auto *inner = t.ref(t.record({{"head", t.tc.integer()}, {"tail", outer}}));
  outer->target = t.record({{"head", t.tc.integer()}, {"tail", inner}});
  CHECK(sameType(list, outer));
  CHECK(sameType(inner, list2));
}

TEST_CASE("recursive REF types with different structure differ") {
  T t;
  auto *list = t.ref(nullptr);
  list->target = t.record({{"head", t.tc.integer()}, {"tail", list}});
  auto *chars = t.ref(nullptr);
  chars->target = t.record({{"head", t.tc.charType()}, {"tail", chars}});
  CHECK_FALSE(sameType(list, chars));
  // Same at the first level, different at the second.
  auto *odd = t.ref(t.record({{"head", t.tc.integer()}, {"tail", chars}}));
  CHECK_FALSE(sameType(list, odd));
  // Mutually recursive pair vs self-recursive: A = REF RECORD v: INTEGER; n: B END, B = REF RECORD v: CHAR; n: A END.
  auto *a = t.ref(nullptr);
  auto *b = t.ref(nullptr);
  a->target = t.record({{"head", t.tc.integer()}, {"tail", b}});
  b->target = t.record({{"head", t.tc.charType()}, {"tail", a}});
  CHECK_FALSE(sameType(a, list));
}

TEST_CASE("packed types compare their size, base type and byte order") {
  T t;
  auto *octet = t.sub(0, 255);
  CHECK(sameType(t.packed(8, octet), t.packed(8, t.sub(0, 255))));
  CHECK_FALSE(sameType(t.packed(8, octet), t.packed(16, octet)));
  CHECK_FALSE(sameType(t.packed(16, octet), t.packed(16, octet, true)));
  CHECK_FALSE(sameType(t.packed(8, octet), octet));
}

TEST_CASE("procedure types compare parameter modes and types, result and raises set") {
  T t;
  auto *a = t.proc({t.param("x", t.tc.integer())}, t.tc.boolean());
  CHECK(sameType(a, t.proc({t.param("x", t.tc.integer())}, t.tc.boolean())));
  CHECK_FALSE(sameType(a, t.proc({t.param("x", t.tc.integer(), ParamMode::Var)}, t.tc.boolean())));
  CHECK_FALSE(sameType(a, t.proc({t.param("x", t.tc.charType())}, t.tc.boolean())));
  CHECK_FALSE(sameType(a, t.proc({t.param("x", t.tc.integer())}, t.tc.integer())));
  CHECK_FALSE(sameType(a, t.proc({t.param("x", t.tc.integer())})));
  CHECK_FALSE(sameType(a, t.proc({t.param("x", t.tc.integer()), t.param("y", t.tc.integer())}, t.tc.boolean())));
  Symbol e1, e2;
  auto *r1 = t.proc({});
  auto *r2 = t.proc({});
  auto *r3 = t.proc({});
  r1->raises = {&e1, &e2};
  r2->raises = {&e2, &e1};  // a set: order does not matter
  r3->raises = {&e1};
  CHECK(sameType(r1, r2));
  CHECK_FALSE(sameType(r1, r3));
  auto *any = t.proc({});
  any->raisesAny = true;
  CHECK_FALSE(sameType(any, t.proc({})));
}

TEST_CASE("procedure types with different parameter names or defaults are different types (REFERENCE 4.8)") {
  T t;
  auto *a = t.proc({t.param("a", t.tc.integer())});
  auto *b = t.proc({t.param("b", t.tc.integer())});
  CHECK_FALSE(sameType(a, b));
  auto *d1 = t.proc({t.param("a", t.tc.integer(), ParamMode::Value, t.consts.integer(1))});
  auto *d2 = t.proc({t.param("a", t.tc.integer(), ParamMode::Value, t.consts.integer(2))});
  CHECK_FALSE(sameType(d1, d2));
  CHECK_FALSE(sameType(a, d1));
  // Names and defaults do not matter for covering: a procedure of type b is a value of type a.
  CHECK(isSubtype(b, a));
  CHECK(assignable(d2, d1));
}

TEST_CASE("the error type is the same as anything, so errors do not cascade") {
  T t;
  CHECK(sameType(t.tc.error(), t.tc.error()));
  CHECK(assignable(t.tc.error(), t.tc.integer()));
  CHECK(assignable(t.tc.integer(), t.tc.error()));
}

// ---------------------------------------------------------------- subtyping and assignability

TEST_CASE("a subrange is a subtype of a wider subrange of the same base and of the base") {
  T t;
  CHECK(isSubtype(t.sub(1, 5), t.sub(0, 10)));
  CHECK(isSubtype(t.sub(0, 10), t.sub(0, 10)));
  CHECK_FALSE(isSubtype(t.sub(0, 10), t.sub(1, 5)));
  CHECK_FALSE(isSubtype(t.sub(0, 10), t.sub(5, 20)));
  CHECK(isSubtype(t.sub(1, 5), t.tc.integer()));
  CHECK(isSubtype(t.tc.cardinal(), t.tc.integer()));
  CHECK_FALSE(isSubtype(t.tc.integer(), t.tc.cardinal()));
  CHECK_FALSE(isSubtype(t.sub(97, 98, t.tc.charType()), t.tc.integer()));
}

TEST_CASE("ordinals with a common base are assignable when their ranges overlap") {
  T t;
  CHECK(assignable(t.sub(0, 10), t.sub(5, 20)));  // checked at run time
  CHECK(assignable(t.tc.integer(), t.tc.cardinal()));
  CHECK(assignable(t.tc.integer(), t.sub(0, 255)));
  CHECK(assignable(t.sub(3, 3), t.sub(3, 9)));
  CHECK_FALSE(assignable(t.sub(0, 3), t.sub(5, 9)));  // disjoint: never valid
  CHECK_FALSE(assignable(t.sub(5, 9), t.sub(0, 3)));
  CHECK_FALSE(assignable(t.tc.charType(), t.tc.integer()));  // different bases
  CHECK_FALSE(assignable(t.tc.integer(), t.tc.charType()));
  CHECK_FALSE(assignable(t.tc.boolean(), t.tc.integer()));
  auto *color = t.enumeration({"Red", "Green", "Blue"});
  CHECK(assignable(t.sub(0, 1, color), color));
  CHECK(assignable(color, t.sub(1, 2, color)));
  CHECK_FALSE(assignable(color, t.enumeration({"Red", "Green"})));
}

TEST_CASE("a packed type and its base are subtypes of each other") {
  T t;
  auto *octet = t.sub(0, 255);
  auto *byte = t.packed(8, octet);
  CHECK(isSubtype(byte, octet));
  CHECK(isSubtype(octet, byte));
  CHECK(assignable(byte, t.tc.integer()));
  CHECK(assignable(t.tc.integer(), byte));
  CHECK(assignable(t.packed(4, t.sub(0, 15)), byte));
}

TEST_CASE("NULL is a subtype of every reference type and of procedure types") {
  T t;
  CHECK(isSubtype(t.tc.null(), t.ref(t.tc.integer())));
  CHECK(isSubtype(t.tc.null(), t.ref(t.tc.integer(), true)));
  CHECK(isSubtype(t.tc.null(), t.tc.refany()));
  CHECK(isSubtype(t.tc.null(), t.tc.text()));
  CHECK(isSubtype(t.tc.null(), t.proc({})));
  CHECK(assignable(t.tc.null(), t.ref(t.tc.charType())));
  CHECK_FALSE(isSubtype(t.tc.null(), t.tc.integer()));
  CHECK_FALSE(assignable(t.tc.null(), t.tc.integer()));
  CHECK_FALSE(assignable(t.ref(t.tc.integer()), t.tc.null()));
}

TEST_CASE("REF T, TEXT and opaque types are subtypes of REFANY, and REFANY is never narrowed implicitly") {
  T t;
  auto *r = t.ref(t.tc.integer());
  CHECK(isSubtype(r, t.tc.refany()));
  CHECK(isSubtype(t.ref(t.tc.integer(), true), t.tc.refany()));
  CHECK(isSubtype(t.tc.text(), t.tc.refany()));
  auto *opaque = t.tc.make<OpaqueType>();
  opaque->super = t.tc.refany();
  CHECK(isSubtype(opaque, t.tc.refany()));
  CHECK(assignable(r, t.tc.refany()));
  CHECK_FALSE(assignable(t.tc.refany(), r));
  CHECK_FALSE(assignable(t.tc.refany(), t.tc.text()));
  CHECK_FALSE(assignable(t.tc.text(), r));
  CHECK_FALSE(assignable(r, t.ref(t.tc.charType())));
  CHECK_FALSE(isSubtype(t.tc.refany(), r));
}

TEST_CASE("a fixed array is a subtype of an open array with the same element type") {
  T t;
  auto *fixed = t.array(t.sub(0, 3), t.tc.integer());
  CHECK(isSubtype(fixed, t.open(t.tc.integer())));
  CHECK_FALSE(isSubtype(t.open(t.tc.integer()), fixed));
  CHECK_FALSE(isSubtype(fixed, t.open(t.tc.charType())));
  CHECK(assignable(fixed, t.open(t.tc.integer())));
  // The other way round is assignable, with the length checked at run time.
  CHECK(assignable(t.open(t.tc.integer()), fixed));
  CHECK_FALSE(assignable(t.open(t.tc.charType()), fixed));
  // Fixed arrays of the same element type: the shape is checked at run time.
  CHECK(assignable(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(0, 4), t.tc.integer())));
  CHECK_FALSE(assignable(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(0, 3), t.tc.charType())));
}

TEST_CASE("a multi-dimensional fixed array is a subtype of the open array with as many open dimensions") {
  // REFERENCE 4.9: "an array type is a subtype of another with the same element type and number of dimensions
  // when each dimension of the other is open or of the same length".
  T t;
  auto *grid = t.array(t.sub(0, 1), t.array(t.sub(0, 2), t.tc.integer()));
  CHECK(isSubtype(grid, t.open(t.open(t.tc.integer()))));
  CHECK(isSubtype(grid, t.open(t.array(t.sub(0, 2), t.tc.integer()))));
  CHECK_FALSE(isSubtype(grid, t.open(t.array(t.sub(0, 3), t.tc.integer()))));
  CHECK_FALSE(isSubtype(grid, t.open(t.tc.integer())));  // dimensions differ
}

TEST_CASE("fixed arrays of the same length and element type are subtypes of each other") {
  // REFERENCE 4.9: each dimension of the other is open *or of the same length*.
  T t;
  CHECK(isSubtype(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(1, 4), t.tc.integer())));
  CHECK_FALSE(isSubtype(t.array(t.sub(0, 3), t.tc.integer()), t.array(t.sub(0, 4), t.tc.integer())));
}

TEST_CASE("a procedure raising fewer exceptions covers one raising more, not the other way round") {
  T t;
  Symbol e1, e2;
  auto *few = t.proc({t.param("x", t.tc.integer())});
  auto *many = t.proc({t.param("x", t.tc.integer())});
  few->raises = {&e1};
  many->raises = {&e1, &e2};
  CHECK(isSubtype(few, many));
  CHECK_FALSE(isSubtype(many, few));
  auto *any = t.proc({t.param("x", t.tc.integer())});
  any->raisesAny = true;
  CHECK(isSubtype(many, any));
  CHECK_FALSE(isSubtype(any, many));
  CHECK_FALSE(isSubtype(few, t.proc({t.param("x", t.tc.charType())})));
  CHECK_FALSE(isSubtype(few, t.proc({t.param("x", t.tc.integer(), ParamMode::Var)})));
}

// ---------------------------------------------------------------- layout

TEST_CASE("bitSize of ordinals is the smallest of 8, 16, 32 or 64 bits that holds the range") {
  T t;
  CHECK(bitSize(t.tc.integer()) == 64);
  CHECK(bitSize(t.tc.cardinal()) == 64);
  CHECK(bitSize(t.tc.boolean()) == 8);
  CHECK(bitSize(t.tc.charType()) == 8);
  CHECK(bitSize(t.sub(0, 255)) == 8);
  CHECK(bitSize(t.sub(-128, 127)) == 8);
  CHECK(bitSize(t.sub(0, 256)) == 16);
  CHECK(bitSize(t.sub(-129, 0)) == 16);
  CHECK(bitSize(t.sub(0, 65535)) == 16);
  CHECK(bitSize(t.sub(0, 65536)) == 32);
  CHECK(bitSize(t.sub(0, 4294967295LL)) == 32);
  CHECK(bitSize(t.sub(0, 4294967296LL)) == 64);
  CHECK(bitSize(t.enumeration({"A", "B", "C"})) == 8);
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i) names.push_back("e" + std::to_string(i));
  CHECK(bitSize(t.enumeration(std::vector<std::string_view>(names.begin(), names.end()))) == 16);
}

TEST_CASE("bitSize of references and TEXT is one 64-bit word, of procedures two: code and environment") {
  T t;
  CHECK(bitSize(t.ref(t.tc.integer())) == 64);
  CHECK(bitSize(t.tc.text()) == 64);
  CHECK(bitSize(t.tc.refany()) == 64);
  CHECK(bitSize(t.proc({})) == 128);
  CHECK(layoutOf(t.proc({})).align == 64);
}

TEST_CASE("bitSize of unpacked records aligns each field naturally and rounds up to the record's alignment") {
  T t;
  CHECK(bitSize(t.record({{"a", t.tc.charType()}, {"b", t.tc.integer()}})) == 128);
  CHECK(bitSize(t.record({{"a", t.tc.integer()}, {"b", t.tc.charType()}})) == 128);
  CHECK(bitSize(t.record({{"a", t.tc.charType()}, {"b", t.tc.charType()}})) == 16);
  CHECK(bitSize(t.record({{"a", t.tc.charType()}, {"b", t.sub(0, 65535)}, {"c", t.tc.charType()}})) == 48);
  CHECK(bitSize(t.array(t.sub(0, 9), t.tc.charType())) == 80);
  CHECK(bitSize(t.array(t.sub(0, 1), t.record({{"a", t.tc.integer()}, {"b", t.tc.charType()}}))) == 256);
}

TEST_CASE("bitSize of packed records: fields take exactly their BITS, with no padding") {
  T t;
  auto *nibble = t.packed(4, t.sub(0, 15));
  auto *byte = t.packed(8, t.sub(0, 255));
  auto *be16 = t.packed(16, t.sub(0, 65535), true);
  auto *be32 = t.packed(32, t.sub(0, 4294967295LL), true);
  // The IPv4 header of REFERENCE 4.7: 20 bytes.
  auto *ip4 = t.record({{"version", nibble}, {"ihl", nibble}, {"tos", byte}, {"totalLength", be16}, {"id", be16},
                        {"fragment", be16}, {"ttl", byte}, {"protocol", byte}, {"checksum", be16}, {"src", be32},
                        {"dst", be32}});
  CHECK(bitSize(ip4) == 160);
  // Ethernet: two arrays of 6 bytes and a 16-bit type, 14 bytes.
  auto *mac = t.array(t.sub(0, 5), byte);
  CHECK(bitSize(mac) == 48);
  CHECK(bitSize(t.record({{"dst", mac}, {"src", mac}, {"type", be16}})) == 112);
  CHECK(bitSize(t.record({{"a", nibble}, {"b", nibble}})) == 8);
  CHECK(bitSize(t.array(t.sub(0, 3), nibble)) == 16);
  CHECK(bitSize(t.record({{"flag", t.packed(1, t.tc.boolean())}, {"rest", t.packed(7, t.sub(0, 127))}})) == 8);
  CHECK(bitSize(byte) == 8);
}

TEST_CASE("bitSize of sets rounds the element count up to whole 64-bit words; open arrays have none") {
  T t;
  CHECK(bitSize(t.set(t.sub(0, 1023))) == 1024);
  CHECK(bitSize(t.set(t.sub(0, 7))) == 64);
  CHECK(bitSize(t.set(t.sub(0, 64))) == 128);
  CHECK(bitSize(t.open(t.tc.integer())) == 0);
}

// ---------------------------------------------------------------- names

TEST_CASE("typeName spells anonymous types by their structure") {
  T t;
  CHECK(typeName(t.tc.integer()) == "INTEGER");
  CHECK(typeName(t.sub(0, 9)) == "[0..9]");
  CHECK(typeName(t.enumeration({"A", "B"})) == "{A, B}");
  CHECK(typeName(t.array(t.sub(0, 3), t.tc.charType())) == "ARRAY [0..3] OF CHAR");
  CHECK(typeName(t.open(t.tc.integer())) == "ARRAY OF INTEGER");
  CHECK(typeName(t.set(t.sub(0, 3))) == "SET OF [0..3]");
  CHECK(typeName(t.packed(8, t.sub(0, 255))) == "BITS 8 FOR [0..255]");
  CHECK(typeName(t.ref(t.tc.integer())) == "REF INTEGER");
  CHECK(typeName(t.ref(t.open(t.tc.integer()))) == "REF ARRAY OF INTEGER");
  CHECK(typeName(t.proc({t.param("x", t.tc.integer())}, t.tc.boolean())) == "PROCEDURE (x: INTEGER): BOOLEAN");
  auto *list = t.ref(nullptr);
  list->target = t.record({{"head", t.tc.integer()}, {"tail", list}});
  CHECK(typeName(list) == "REF RECORD ... END");  // a recursive type's name stays finite
}

}  // namespace
