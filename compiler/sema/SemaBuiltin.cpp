// The predeclared procedures of Modula-3 that extensions may use, VIEW (SemaSpine.cpp), and the unsafe ones
// that SPINE refuses with a reason.
#include "sema/Sema.h"

#include <limits>

namespace spx {

namespace {
// A type or a value whose type is used (FIRST(a) for an array a, BITSIZE(x)).
struct TypeOrValue {
  const Type *type = nullptr;
  bool isType = false;
  bool ok = false;
};
}  // namespace

void Sema::checkBuiltinCall(CallExpr *e, Builtin b, std::string_view name) {
  e->builtin = b;
  auto &args = e->args;
  for (Actual &a : args) {
    if (!a.name.empty() && b != Builtin::New) {
      diags_.report(DiagId::err_builtin_named_arg, a.name.range, name);
      return;
    }
  }
  auto arity = [&](size_t lo, size_t hi) {
    if (args.size() < lo || args.size() > hi) {
      std::string expected = lo == hi ? std::to_string(lo) : std::to_string(lo) + " or " + std::to_string(hi);
      diags_.report(DiagId::err_builtin_arg_count, e->range, name, expected, args.size());
      for (Actual &a : args) checkExpr(a.value);
      return false;
    }
    return true;
  };
  auto typeOrValue = [&](Expr *x) {
    TypeOrValue r;
    checkExpr(x);
    if (x->cls == ExprClass::Type) r.type = x->type, r.isType = true, r.ok = true;
    else if (!isError(checkValue(x))) r.type = x->type, r.ok = true;
    return r;
  };
  auto value = [&](const Type *t, const ConstValue *v) {
    e->cls = ExprClass::Value;
    e->type = t;
    e->value = v;
  };
  auto needInteger = [&](Expr *x) {
    const Type *t = checkValue(x);
    if (isError(t)) return false;
    if (!isInteger(t)) {
      diags_.report(DiagId::err_builtin_arg_type, x->range, name, "an INTEGER", typeName(t));
      return false;
    }
    return true;
  };

  switch (b) {
  case Builtin::Abs: {
    if (!arity(1, 1) || !needInteger(args[0].value)) return;
    const ConstValue *v = args[0].value->value;
    value(types_.integer(), nullptr);
    if (v) {
      e->value = checkedInt(v->i < 0 ? -static_cast<__int128>(v->i) : v->i, e->range);
      if (!e->value) e->cls = ExprClass::Error;
    }
    return;
  }
  case Builtin::Min: case Builtin::Max: {
    if (!arity(2, 2)) return;
    const Type *x = checkValue(args[0].value), *y = checkValue(args[1].value);
    if (isError(x) || isError(y)) return;
    if (!isOrdinal(x) || !isOrdinal(y) || !sameType(ordinalBase(x), ordinalBase(y))) {
      diags_.report(DiagId::err_builtin_operands, e->range, name, typeName(x), typeName(y));
      return;
    }
    const ConstValue *a = args[0].value->value, *c = args[1].value->value;
    value(ordinalBase(x), a && c ? ((b == Builtin::Min) == (a->i < c->i) ? a : c) : nullptr);
    return;
  }
  case Builtin::First: case Builtin::Last: case Builtin::Number: {
    if (!arity(1, 1)) return;
    TypeOrValue a = typeOrValue(args[0].value);
    if (!a.ok) return;
    const Type *t = stripPacked(a.type);
    if (isOrdinal(t)) {
      if (!a.isType) {
        diags_.report(DiagId::err_builtin_arg_type, args[0].value->range, name, "a type or an array", typeName(a.type));
        return;
      }
      int64_t lo, hi;
      ordinalBounds(t, lo, hi);
      if (b == Builtin::Number) {
        __int128 n = hi >= lo ? static_cast<__int128>(hi) - lo + 1 : 0;
        value(types_.cardinal(), checkedInt(n, e->range));
      } else {
        value(ordinalBase(t), consts_.integer(b == Builtin::First ? lo : hi));
      }
      return;
    }
    if (auto *at = llvm::dyn_cast<ArrayType>(t)) {
      int64_t lo, hi;
      ordinalBounds(at->index, lo, hi);
      if (b == Builtin::Number) value(types_.cardinal(), consts_.integer(hi >= lo ? hi - lo + 1 : 0));
      else value(ordinalBase(at->index), consts_.integer(b == Builtin::First ? lo : hi));
      return;
    }
    if (t->kind == TypeKind::OpenArray) {
      if (a.isType) {
        diags_.report(DiagId::err_open_array_type_size, args[0].value->range, name);
        return;
      }
      // A constant open array (ARRAY OF T{...}) has a known length.
      const ConstValue *v = args[0].value->value;
      const ConstValue *n = v && v->kind == ConstValue::Kind::Aggregate
                                ? consts_.integer(static_cast<int64_t>(v->elems.size())) : nullptr;
      const ConstValue *result = b == Builtin::First ? consts_.integer(0)
                               : b == Builtin::Number ? n
                               : n ? consts_.integer(n->i - 1) : nullptr;
      value(b == Builtin::Number ? types_.cardinal() : types_.integer(), result);
      return;
    }
    diags_.report(DiagId::err_builtin_arg_type, args[0].value->range, name, "an ordinal type or an array",
                  typeName(a.type));
    return;
  }
  case Builtin::Ord: {
    if (!arity(1, 1)) return;
    const Type *t = checkValue(args[0].value);
    if (isError(t)) return;
    if (!isOrdinal(t)) {
      diags_.report(DiagId::err_builtin_arg_type, args[0].value->range, name, "an ordinal", typeName(t));
      return;
    }
    value(types_.integer(), args[0].value->value);
    return;
  }
  case Builtin::Val: {
    if (!arity(2, 2)) return;
    bool okInt = needInteger(args[0].value);
    const Type *t = checkType(args[1].value);
    if (!okInt || isError(t)) return;
    if (!isOrdinal(t)) {
      diags_.report(DiagId::err_builtin_arg_type, args[1].value->range, name, "an ordinal type", typeName(t));
      return;
    }
    const ConstValue *v = args[0].value->value;
    if (v) {
      int64_t lo, hi;
      ordinalBounds(t, lo, hi);
      if (v->i < lo || v->i > hi) {
        diags_.report(DiagId::err_constant_out_of_range, args[0].value->range, std::to_string(v->i), typeName(t));
        return;
      }
    }
    value(t, v);
    return;
  }
  case Builtin::New: {
    if (args.empty()) {
      diags_.report(DiagId::err_builtin_arg_count, e->range, name, "at least 1", 0);
      return;
    }
    if (!args[0].name.empty()) {
      diags_.report(DiagId::err_builtin_named_arg, args[0].name.range, name);
      return;
    }
    const Type *t = checkType(args[0].value);
    if (isError(t)) return;
    auto *rt = llvm::dyn_cast<RefType>(stripPacked(t));
    if (!rt) {
      diags_.report(DiagId::err_new_not_ref, args[0].value->range, typeName(t));
      return;
    }
    const Type *target = stripPacked(rt->target);
    // Open dimensions take sizes; records take field initializers by name.
    size_t openDims = 0;
    for (const Type *x = target; x && x->kind == TypeKind::OpenArray; x = stripPacked(elementOf(x))) ++openDims;
    auto *rec = llvm::dyn_cast_or_null<RecordType>(target);
    size_t sizes = 0;
    bool ok = true;
    for (size_t i = 1; i < args.size(); ++i) {
      Actual &a = args[i];
      if (a.name.empty()) {
        ++sizes;
        if (!needInteger(a.value)) ok = false;
        else if (a.value->value && a.value->value->i < 0) {
          diags_.report(DiagId::err_negative_size, a.value->range, a.value->value->i);
          ok = false;
        }
        continue;
      }
      const RecordField *f = rec ? rec->field(a.name.text) : nullptr;
      if (!f) {
        checkExpr(a.value);
        diags_.report(DiagId::err_no_field, a.name.range, a.name.text, typeName(rt->target));
        ok = false;
        continue;
      }
      if (isError(checkValue(a.value)) || !checkAssignable(a.value, f->type, a.value->range)) ok = false;
      else checkStorable(a.value);
    }
    if (ok && sizes != openDims) {
      diags_.report(DiagId::err_new_sizes, e->range, typeName(t), openDims, sizes);
      ok = false;
    }
    if (ok) value(t, nullptr);
    return;
  }
  case Builtin::BitSize: case Builtin::ByteSize: case Builtin::AdrSize: {
    if (!arity(1, 1)) return;
    TypeOrValue a = typeOrValue(args[0].value);
    if (!a.ok) return;
    if (stripPacked(a.type)->kind == TypeKind::OpenArray) {
      if (a.isType) {
        diags_.report(DiagId::err_open_array_type_size, args[0].value->range, name);
        return;
      }
      value(types_.cardinal(), nullptr);
      return;
    }
    uint64_t bits = bitSize(a.type);
    value(types_.cardinal(), consts_.integer(static_cast<int64_t>(b == Builtin::BitSize ? bits : (bits + 7) / 8)));
    return;
  }
  case Builtin::Inc: case Builtin::Dec: {
    if (!arity(1, 2)) return;
    const Type *t = checkValue(args[0].value);
    if (isError(t)) return;
    checkDesignatorWritable(args[0].value);
    if (!isOrdinal(t)) {
      diags_.report(DiagId::err_builtin_arg_type, args[0].value->range, name, "an ordinal variable", typeName(t));
      return;
    }
    if (args.size() == 2 && !needInteger(args[1].value)) return;
    e->cls = ExprClass::Value;
    e->type = nullptr;  // a statement, no value
    return;
  }
  case Builtin::Subarray: {
    if (!arity(3, 3)) return;
    const Type *t = checkValue(args[0].value);
    // Both arguments are checked, so both get their diagnostics.
    bool fromOk = needInteger(args[1].value);
    bool lenOk = needInteger(args[2].value);
    bool ok = fromOk && lenOk;
    if (isError(t) || !ok) return;
    if (!isArray(t)) {
      diags_.report(DiagId::err_builtin_arg_type, args[0].value->range, name, "an array", typeName(t));
      return;
    }
    for (int k = 1; k <= 2; ++k)
      if (args[k].value->value && args[k].value->value->i < 0)
        diags_.report(DiagId::err_negative_size, args[k].value->range, args[k].value->value->i);
    // An open array starts on a byte (docs/abi.md): a subarray of elements narrower than a byte would start
    // inside one.
    if (elementStride(elementOf(t)) % 8 != 0) {
      diags_.report(DiagId::err_subarray_packed_element, args[0].value->range, typeName(elementOf(t)));
      return;
    }
    auto *ot = types_.make<OpenArrayType>();
    ot->element = elementOf(t);
    e->cls = args[0].value->cls == ExprClass::Designator ? ExprClass::Designator : ExprClass::Value;
    e->type = ot;
    e->writable = args[0].value->writable;
    return;
  }
  case Builtin::View: checkView(e); return;
  case Builtin::Loophole: diags_.report(DiagId::err_unsafe_loophole, e->callee->range); break;
  case Builtin::Adr: diags_.report(DiagId::err_unsafe_adr, e->callee->range); break;
  case Builtin::Dispose: diags_.report(DiagId::err_unsafe_dispose, e->callee->range); break;
  case Builtin::Narrow: case Builtin::IsType: case Builtin::TypeCode:
    diags_.report(DiagId::err_unsupported_narrow, e->callee->range, name);
    break;
  case Builtin::Float: case Builtin::Trunc: case Builtin::Round: case Builtin::Floor: case Builtin::Ceiling:
    diags_.report(DiagId::err_unsupported_float_builtin, e->callee->range, name);
    break;
  case Builtin::None: break;
  }
  // Refused builtins: still look at the arguments so their own errors show, without cascading.
  for (Actual &a : args) checkExpr(a.value);
}

}  // namespace spx
