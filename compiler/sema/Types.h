// Semantic types. Modula-3 types are structural: two type expressions denote the same type when they expand
// to the same structure (sameType), except that each BRANDED REF and each opaque type is unique. Types are
// immutable once built (a REF's target is filled in once, to allow recursion through REF) and owned by a
// TypeContext that outlives Sema.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <llvm/Support/Casting.h>

#include "ast/AST.h"

namespace spx {

struct ConstValue;
struct Symbol;

enum class TypeKind : uint8_t { Error, Integer, Enum, Char, Subrange, Set, Array, OpenArray, Record, Packed, Ref,
                                Refany, Null, Address, Text, Procedure, Opaque, Real };

class Type {
public:
  const TypeKind kind;
  // The name a declaration first gave this type ("INTEGER", "Net.Be16"), for messages; empty if anonymous.
  mutable std::string name;
  // layoutOf's answer for an array or record, computed once (types that share a component, like
  // `T2 = RECORD a, b: T1 END`, must not cost time exponential in their depth). 0 bits of alignment: not yet.
  mutable uint64_t layoutSize = 0, layoutAlign = 0;
  explicit Type(TypeKind k) : kind(k) {}
  virtual ~Type() = default;
};

class EnumType : public Type {
public:
  std::vector<std::string_view> literals;
  EnumType() : Type(TypeKind::Enum) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Enum; }
};

class SubrangeType : public Type {
public:
  const Type *base = nullptr;  // Integer, Enum or Char
  int64_t low = 0, high = 0;
  SubrangeType() : Type(TypeKind::Subrange) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Subrange; }
};

class SetType : public Type {
public:
  const Type *element = nullptr;
  SetType() : Type(TypeKind::Set) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Set; }
};

class ArrayType : public Type {
public:
  const Type *index = nullptr;  // an ordinal type
  const Type *element = nullptr;
  ArrayType() : Type(TypeKind::Array) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Array; }
};

class OpenArrayType : public Type {
public:
  const Type *element = nullptr;
  OpenArrayType() : Type(TypeKind::OpenArray) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::OpenArray; }
};

struct RecordField {
  std::string_view name;
  const Type *type = nullptr;
  const ConstValue *dflt = nullptr;
  SourceRange range;
};

class RecordType : public Type {
public:
  std::vector<RecordField> fields;
  RecordType() : Type(TypeKind::Record) {}
  const RecordField *field(std::string_view n) const {
    for (const auto &f : fields)
      if (f.name == n) return &f;
    return nullptr;
  }
  static bool classof(const Type *t) { return t->kind == TypeKind::Record; }
};

class PackedType : public Type {
public:
  unsigned bits = 0;
  const Type *base = nullptr;
  bool netOrder = false;  // <*NETORDER*>: stored big-endian
  PackedType() : Type(TypeKind::Packed) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Packed; }
};

class RefType : public Type {
public:
  const Type *target = nullptr;  // filled in after construction (recursive types)
  bool untraced = false;
  bool branded = false;
  std::string brand;
  unsigned brandId = 0;  // unique per BRANDED occurrence
  RefType() : Type(TypeKind::Ref) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Ref; }
};

struct ProcParam {
  ParamMode mode = ParamMode::Value;
  std::string_view name;
  const Type *type = nullptr;
  const ConstValue *dflt = nullptr;
  Expr *dfltExpr = nullptr;
};

class ProcType : public Type {
public:
  std::vector<ProcParam> params;
  const Type *result = nullptr;  // null for a proper procedure
  bool raisesAny = false;
  std::vector<Symbol *> raises;  // exceptions in RAISES {...}
  ProcType() : Type(TypeKind::Procedure) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Procedure; }
};

// `TYPE T <: REFANY` in an interface: a reference type whose representation only the runtime knows.
class OpaqueType : public Type {
public:
  const Type *super = nullptr;
  OpaqueType() : Type(TypeKind::Opaque) {}
  static bool classof(const Type *t) { return t->kind == TypeKind::Opaque; }
};

class TypeContext {
public:
  TypeContext();
  template <typename T>
  T *make() {
    auto t = std::make_unique<T>();
    T *raw = t.get();
    owned_.push_back(std::move(t));
    return raw;
  }
  const Type *error() const { return error_; }
  const Type *integer() const { return integer_; }
  const Type *cardinal() const { return cardinal_; }
  const Type *boolean() const { return boolean_; }
  const Type *charType() const { return char_; }
  const Type *text() const { return text_; }
  const Type *refany() const { return refany_; }
  const Type *null() const { return null_; }
  const Type *address() const { return address_; }
  const Type *real() const { return real_; }
  unsigned nextBrandId() { return ++brands_; }
  // False if the brand text was claimed before.
  bool claimBrand(const std::string &brand) { return brandTexts_.insert(brand).second; }

private:
  const Type *basic(TypeKind k, const char *name);
  std::vector<std::unique_ptr<Type>> owned_;
  const Type *error_, *integer_, *cardinal_, *boolean_, *char_, *text_, *refany_, *null_, *address_, *real_;
  unsigned brands_ = 0;
  std::set<std::string> brandTexts_;
};

// ---- queries (Types.cpp)

const Type *stripPacked(const Type *t);
bool isError(const Type *t);
bool isOrdinal(const Type *t);
// The base type of an ordinal: Integer, an Enum, or Char (subranges and packing removed).
const Type *ordinalBase(const Type *t);
// Bounds of an ordinal type. An empty type (`[5..4]`, `{}`) has low > high.
void ordinalBounds(const Type *t, int64_t &low, int64_t &high);
// An ordinal type with no values. No variable, field, element, parameter, result or referent may have one
// (Sema refuses them), so no value of such a type ever exists at run time (docs/safety.md, I1).
bool isEmptyOrdinal(const Type *t);
// The number of elements of a fixed array: its index type's number of values, never negative (0 for an
// empty index type). Sema caps it at 2^32.
int64_t arrayLength(const ArrayType *a);
bool isInteger(const Type *t);  // ordinal with INTEGER base
bool isBoolean(const Type *t, const TypeContext &tc);
bool isReference(const Type *t);  // REF, REFANY, NULL, opaque
bool isArray(const Type *t);
const Type *elementOf(const Type *array);
bool sameType(const Type *a, const Type *b);
// Whether a value of `t` may cross the host channel (a message's parameter when `asParam`, else a result, an
// exception argument or an element): ordinals, sets, TEXT, and fixed arrays and records of them; open arrays
// of those only as parameters. Error types count as crossing (they were reported already).
bool crossesHostChannel(const Type *t, bool asParam);
bool isSubtype(const Type *a, const Type *b);
// Modula-3 assignability of a value of type `from` to a variable of type `to` (range checks may remain).
bool assignable(const Type *from, const Type *to);
// Contains REF, REFANY, procedure or opaque parts anywhere inside (not a plain-data type).
bool containsPointers(const Type *t);
// Size in bits as laid out on the NIC core (packed fields use their BITS size). Open arrays have no size (0).
uint64_t bitSize(const Type *t);
// Size and alignment in bits, per the layout rules of lang/REFERENCE.md 4.7 (alignment 1 for packed types).
struct Layout {
  uint64_t size, align;
};
Layout layoutOf(const Type *t);
// Bits from one element of an array of `element` to the next.
uint64_t elementStride(const Type *element);
// The bit offset of each field of `r`, in order (what layoutOf places).
std::vector<uint64_t> fieldOffsets(const RecordType *r);
// The largest type Sema accepts, in bits (1 GiB): sizes must stay far from wrapping anywhere downstream.
constexpr uint64_t kMaxTypeBits = uint64_t{8} << 30;
enum class LayoutProblem { None, PackedNotWholeBytes, PackedCrossesByte };
// The first field of `r` whose placement breaks a packing rule (its index in `field`).
LayoutProblem recordLayoutProblem(const RecordType *r, size_t &field);
std::string typeName(const Type *t);

}  // namespace spx
