// Expressions: name resolution, designators, operators, constructors, calls, and exact constant folding.
#include "sema/Sema.h"
#include "sema/WordFold.h"

#include <algorithm>
#include <limits>
#include <set>

namespace spx {

namespace {
bool isIntType(const Type *t) { return isInteger(t); }
}  // namespace

// ---------------------------------------------------------------- entry points

const Type *Sema::checkValue(Expr *e) {
  checkExpr(e);
  switch (e->cls) {
  case ExprClass::Value:
  case ExprClass::Designator:
    if (e->type) return e->type;
    diags_.report(DiagId::err_no_value, e->range);
    break;
  case ExprClass::Type: diags_.report(DiagId::err_type_as_value, e->range, typeName(e->type)); break;
  case ExprClass::Interface: diags_.report(DiagId::err_interface_as_value, e->range); break;
  case ExprClass::Exception: diags_.report(DiagId::err_exception_as_value, e->range); break;
  case ExprClass::Builtin: diags_.report(DiagId::err_builtin_not_called, e->range); break;
  case ExprClass::Error: case ExprClass::Unchecked: break;
  }
  e->cls = ExprClass::Error;
  e->type = types_.error();
  e->value = nullptr;
  return e->type;
}

const Type *Sema::checkType(Expr *e) {
  checkExpr(e);
  if (e->cls == ExprClass::Type) return e->type;
  if (e->cls != ExprClass::Error) diags_.report(DiagId::err_expected_type, e->range);
  e->cls = ExprClass::Error;
  e->type = types_.error();
  return e->type;
}

const ConstValue *Sema::checkConstant(Expr *e) {
  const Type *t = checkValue(e);
  if (isError(t)) return nullptr;
  if (!e->value) {
    diags_.report(DiagId::err_not_constant, e->range);
    return nullptr;
  }
  return e->value;
}

bool Sema::checkBoolean(Expr *e) {
  const Type *t = checkValue(e);
  if (isError(t)) return false;
  if (!isBoolean(t, types_)) {
    diags_.report(DiagId::err_expected_boolean, e->range, typeName(t));
    return false;
  }
  return true;
}

bool Sema::checkConstInRange(Expr *e, const Type *to, SourceRange where) {
  if (!e->value || e->value->kind != ConstValue::Kind::Int || !isOrdinal(to) || !isOrdinal(e->type)) return true;
  int64_t lo, hi;
  ordinalBounds(to, lo, hi);
  if (e->value->i >= lo && e->value->i <= hi) return true;
  diags_.report(DiagId::err_constant_out_of_range, where, formatValue(*e->value, e->type), typeName(to));
  return false;
}

// A nested procedure may be called or passed as an argument (its frame is alive for the call), but storing it
// would let it outlive that frame.
void Sema::checkStorable(Expr *e) {
  if (e->kind != ExprKind::Call && e->symbol && e->symbol->kind == SymKind::Procedure && e->symbol->level > 0)
    diags_.report(DiagId::err_nested_proc_assign, e->range, e->symbol->name.text);
}

bool Sema::checkAssignable(Expr *e, const Type *to, SourceRange where) {
  const Type *from = e->type;
  if (isError(from) || isError(to)) return true;
  if (!assignable(from, to)) {
    diags_.report(DiagId::err_not_assignable, where, typeName(from), typeName(to));
    return false;
  }
  return checkConstInRange(e, to, where);
}

void Sema::checkDesignatorWritable(Expr *e) {
  if (e->cls == ExprClass::Error || isError(e->type)) return;
  if (e->cls != ExprClass::Designator) {
    diags_.report(DiagId::err_not_designator, e->range);
    return;
  }
  if (!e->writable) {
    diags_.report(DiagId::err_not_writable, e->range);
    if (e->symbol && e->symbol->name.range.valid())
      diags_.report(DiagId::note_declared_here, e->symbol->name.range, e->symbol->name.text);
  }
}

const ConstValue *Sema::checkedInt(__int128 v, SourceRange where) {
  if (v < std::numeric_limits<int64_t>::min() || v > std::numeric_limits<int64_t>::max()) {
    diags_.report(DiagId::err_constant_overflow, where);
    return nullptr;
  }
  return consts_.integer(static_cast<int64_t>(v));
}

// ---------------------------------------------------------------- dispatch

void Sema::checkExpr(Expr *e) {
  if (e->cls != ExprClass::Unchecked) return;
  e->cls = ExprClass::Error;  // until shown otherwise; also stops re-entry
  e->type = types_.error();
  switch (e->kind) {
  case ExprKind::Name: checkName(llvm::cast<NameExpr>(e)); break;
  case ExprKind::IntLit:
    e->cls = ExprClass::Value;
    e->type = types_.integer();
    e->value = consts_.integer(llvm::cast<IntLitExpr>(e)->val);
    break;
  case ExprKind::CharLit:
    e->cls = ExprClass::Value;
    e->type = types_.charType();
    e->value = consts_.integer(llvm::cast<CharLitExpr>(e)->val);
    break;
  case ExprKind::TextLit: {
    e->cls = ExprClass::Value;
    e->type = types_.text();
    ConstValue v;
    v.kind = ConstValue::Kind::Text;
    v.text = llvm::cast<TextLitExpr>(e)->val;
    e->value = consts_.make(std::move(v));
    break;
  }
  case ExprKind::RealLit: diags_.report(DiagId::err_unsupported_float_literal, e->range); break;
  case ExprKind::Unary: checkUnary(llvm::cast<UnaryExpr>(e)); break;
  case ExprKind::Binary: checkBinary(llvm::cast<BinaryExpr>(e)); break;
  case ExprKind::Deref: checkDeref(llvm::cast<DerefExpr>(e)); break;
  case ExprKind::Field: checkField(llvm::cast<FieldExpr>(e)); break;
  case ExprKind::Index: checkIndex(llvm::cast<IndexExpr>(e)); break;
  case ExprKind::Call: checkCall(llvm::cast<CallExpr>(e)); break;
  case ExprKind::Constructor: checkConstructor(llvm::cast<ConstructorExpr>(e)); break;
  case ExprKind::TypeArg:
    e->type = resolveType(llvm::cast<TypeArgExpr>(e)->typeExpr);
    e->cls = isError(e->type) ? ExprClass::Error : ExprClass::Type;
    break;
  case ExprKind::Error: break;
  }
}

void Sema::setFromSymbol(Expr *e, Symbol *sym) {
  e->symbol = sym;
  switch (sym->kind) {
  case SymKind::Const:
    e->cls = sym->value ? ExprClass::Value : ExprClass::Error;
    e->type = sym->type ? sym->type : types_.error();
    e->value = sym->value;
    break;
  case SymKind::Type:
    e->cls = isError(sym->type) ? ExprClass::Error : ExprClass::Type;
    e->type = sym->type ? sym->type : types_.error();
    if (e->type->kind == TypeKind::Address) {
      diags_.report(DiagId::err_unsafe_address, e->range);
      e->cls = ExprClass::Error;
    } else if (e->type->kind == TypeKind::Real) {
      diags_.report(DiagId::err_unsupported_float, e->range, sym->name.text);
      e->cls = ExprClass::Error;
    }
    break;
  case SymKind::Var: case SymKind::Param: case SymKind::ForVar: case SymKind::HandlerVar:
    e->cls = ExprClass::Designator;
    e->type = sym->type ? sym->type : types_.error();
    e->writable = sym->writable;
    break;
  case SymKind::WithVar:
    e->cls = sym->withBinding && sym->withBinding->value->cls == ExprClass::Designator ? ExprClass::Designator
                                                                                      : ExprClass::Value;
    e->type = sym->type ? sym->type : types_.error();
    e->writable = sym->writable;
    e->value = sym->value;
    break;
  case SymKind::Procedure:
    e->cls = ExprClass::Value;
    e->type = sym->type ? sym->type : types_.error();
    // Only top-level procedures are constants; a nested one is a value that may be passed, not stored.
    e->value = sym->level == 0 ? sym->value : nullptr;
    break;
  // These denote no value, so they carry no type.
  case SymKind::Exception: e->cls = ExprClass::Exception, e->type = nullptr; return;
  case SymKind::Interface: e->cls = ExprClass::Interface, e->type = nullptr; return;
  case SymKind::Builtin: e->cls = ExprClass::Builtin, e->type = nullptr; return;
  case SymKind::Error: e->cls = ExprClass::Error; break;
  }
  if (isError(e->type) && e->cls != ExprClass::Interface && e->cls != ExprClass::Builtin &&
      e->cls != ExprClass::Exception)
    e->cls = ExprClass::Error;
}

void Sema::checkName(NameExpr *e) { setFromSymbol(e, lookupName(e->name)); }

// ---------------------------------------------------------------- designators

void Sema::checkField(FieldExpr *e) {
  checkExpr(e->base);
  Expr *b = e->base;
  switch (b->cls) {
  case ExprClass::Error: return;
  case ExprClass::Interface: {
    InterfaceInfo *info = b->symbol ? b->symbol->iface : nullptr;
    if (!info || !info->scope) return;
    Symbol *s = info->scope->lookupLocal(e->name.text);
    if (!s) {
      diags_.report(DiagId::err_no_member, e->name.range, b->symbol->name.text, e->name.text);
      return;
    }
    resolve(s);
    setFromSymbol(e, s);
    return;
  }
  case ExprClass::Type: {
    // T.Literal for an enumeration type.
    if (auto *en = llvm::dyn_cast<EnumType>(stripPacked(b->type))) {
      auto it = std::find(en->literals.begin(), en->literals.end(), e->name.text);
      if (it != en->literals.end()) {
        e->cls = ExprClass::Value;
        e->type = b->type;
        e->value = consts_.integer(it - en->literals.begin());
        return;
      }
      diags_.report(DiagId::err_no_enum_literal, e->name.range, typeName(b->type), e->name.text);
      return;
    }
    diags_.report(DiagId::err_type_has_no_members, e->name.range, typeName(b->type));
    return;
  }
  case ExprClass::Value: case ExprClass::Designator: break;
  default:
    checkValue(b);
    return;
  }
  if (!b->type) {
    checkValue(b);
    return;
  }
  const Type *t = stripPacked(b->type);
  bool deref = false;
  if (auto *r = llvm::dyn_cast<RefType>(t)) {
    if (r->target && llvm::isa<RecordType>(stripPacked(r->target))) {
      t = stripPacked(r->target);
      deref = true;
    }
  }
  auto *rec = llvm::dyn_cast<RecordType>(t);
  if (!rec) {
    diags_.report(DiagId::err_not_a_record, b->range, typeName(b->type), e->name.text);
    return;
  }
  const RecordField *f = rec->field(e->name.text);
  if (!f) {
    diags_.report(DiagId::err_no_field, e->name.range, e->name.text, typeName(b->type));
    return;
  }
  e->implicitDeref = deref;
  e->type = f->type;
  e->cls = deref || b->cls == ExprClass::Designator ? ExprClass::Designator : ExprClass::Value;
  e->writable = deref || b->writable;
  if (!deref && b->value && b->value->kind == ConstValue::Kind::Aggregate) {
    size_t idx = static_cast<size_t>(f - rec->fields.data());
    if (idx < b->value->elems.size()) e->value = b->value->elems[idx];
  }
}

void Sema::checkIndex(IndexExpr *e) {
  const Type *bt = checkValue(e->base);
  const Type *it = checkValue(e->index);
  if (isError(bt)) return;
  const Type *t = stripPacked(bt);
  bool deref = false;
  if (auto *r = llvm::dyn_cast<RefType>(t)) {
    if (r->target && isArray(r->target)) {
      t = stripPacked(r->target);
      deref = true;
    }
  }
  if (!isArray(t)) {
    diags_.report(DiagId::err_not_an_array, e->base->range, typeName(bt));
    return;
  }
  e->implicitDeref = deref;
  e->type = elementOf(t);
  e->cls = deref || e->base->cls == ExprClass::Designator ? ExprClass::Designator : ExprClass::Value;
  e->writable = deref || e->base->writable;
  if (isError(it)) return;
  if (auto *a = llvm::dyn_cast<ArrayType>(t)) {
    if (!assignable(it, a->index)) {
      diags_.report(DiagId::err_bad_index_type, e->index->range, typeName(it), typeName(a->index));
      return;
    }
    if (e->index->value) {
      int64_t lo, hi;
      ordinalBounds(a->index, lo, hi);
      int64_t i = e->index->value->i;
      if (i < lo || i > hi) {
        diags_.report(DiagId::err_index_out_of_bounds, e->index->range, formatValue(*e->index->value, it),
                      typeName(a->index));
        return;
      }
      if (!deref && e->base->value && e->base->value->kind == ConstValue::Kind::Aggregate &&
          static_cast<size_t>(i - lo) < e->base->value->elems.size())
        e->value = e->base->value->elems[static_cast<size_t>(i - lo)];
    }
  } else {
    if (!isIntType(it)) {
      diags_.report(DiagId::err_bad_index_type, e->index->range, typeName(it), "INTEGER");
      return;
    }
    if (e->index->value && e->index->value->i < 0) {
      diags_.report(DiagId::err_negative_index, e->index->range, e->index->value->i);
      return;
    }
    const ConstValue *base = deref ? nullptr : e->base->value;
    if (e->index->value && base && base->kind == ConstValue::Kind::Aggregate) {
      size_t i = static_cast<size_t>(e->index->value->i);
      if (i >= base->elems.size())
        diags_.report(DiagId::err_index_out_of_bounds, e->index->range, formatValue(*e->index->value, it),
                      "[0.." + std::to_string(static_cast<int64_t>(base->elems.size()) - 1) + "]");
      else
        e->value = base->elems[i];
    }
  }
}

void Sema::checkDeref(DerefExpr *e) {
  const Type *t = checkValue(e->operand);
  if (isError(t)) return;
  const Type *s = stripPacked(t);
  switch (s->kind) {
  case TypeKind::Ref:
    e->cls = ExprClass::Designator;
    e->type = llvm::cast<RefType>(s)->target ? llvm::cast<RefType>(s)->target : types_.error();
    e->writable = true;
    return;
  case TypeKind::Null: diags_.report(DiagId::err_deref_nil, e->range); return;
  case TypeKind::Refany: case TypeKind::Opaque: case TypeKind::Text:
    diags_.report(DiagId::err_deref_opaque, e->range, typeName(t));
    return;
  default: diags_.report(DiagId::err_deref_non_ref, e->operand->range, typeName(t)); return;
  }
}

// ---------------------------------------------------------------- operators

void Sema::checkUnary(UnaryExpr *e) {
  const Type *t = checkValue(e->operand);
  if (isError(t)) return;
  if (e->op == UnaryOp::Not) {
    if (!isBoolean(t, types_)) {
      diags_.report(DiagId::err_bad_operand, e->operand->range, spelling(e->op), typeName(t));
      return;
    }
    e->cls = ExprClass::Value;
    e->type = types_.boolean();
    if (e->operand->value) e->value = consts_.integer(!e->operand->value->i);
    return;
  }
  if (!isIntType(t)) {
    diags_.report(DiagId::err_bad_operand, e->operand->range, spelling(e->op), typeName(t));
    return;
  }
  e->cls = ExprClass::Value;
  e->type = types_.integer();
  if (e->operand->value) {
    e->value = e->op == UnaryOp::Neg ? checkedInt(-static_cast<__int128>(e->operand->value->i), e->range)
                                     : e->operand->value;
    if (!e->value) e->cls = ExprClass::Error, e->type = types_.error();  // overflow reported
  }
}

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t floorMod(int64_t a, int64_t b) {
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

}  // namespace

void Sema::checkBinary(BinaryExpr *e) {
  const Type *lt = checkValue(e->lhs);
  const Type *rt = checkValue(e->rhs);
  if (isError(lt) || isError(rt)) return;
  const ConstValue *lv = e->lhs->value, *rv = e->rhs->value;
  bool both = lv && rv;
  auto bad = [&] {
    diags_.report(DiagId::err_bad_operands, e->opRange, spelling(e->op), typeName(lt), typeName(rt));
  };
  auto result = [&](const Type *t) {
    e->cls = ExprClass::Value;
    e->type = t;
  };
  const Type *ls = stripPacked(lt), *rs = stripPacked(rt);
  bool sets = ls->kind == TypeKind::Set && rs->kind == TypeKind::Set;
  switch (e->op) {
  case BinaryOp::Or: case BinaryOp::And:
    if (!isBoolean(lt, types_) || !isBoolean(rt, types_)) return bad();
    result(types_.boolean());
    if (both) e->value = consts_.integer(e->op == BinaryOp::Or ? (lv->i || rv->i) : (lv->i && rv->i));
    return;
  case BinaryOp::Eq: case BinaryOp::Ne: {
    if (!assignable(lt, rt) && !assignable(rt, lt)) return bad();
    result(types_.boolean());
    if (both && lv->kind != ConstValue::Kind::Proc) {
      bool eq = equalValues(*lv, *rv);
      e->value = consts_.integer(e->op == BinaryOp::Eq ? eq : !eq);
    }
    return;
  }
  case BinaryOp::Lt: case BinaryOp::Le: case BinaryOp::Gt: case BinaryOp::Ge:
    if (isOrdinal(lt) && isOrdinal(rt)) {
      if (!sameType(ordinalBase(lt), ordinalBase(rt))) return bad();
      result(types_.boolean());
      if (both) {
        bool r = e->op == BinaryOp::Lt ? lv->i < rv->i : e->op == BinaryOp::Le ? lv->i <= rv->i
               : e->op == BinaryOp::Gt ? lv->i > rv->i : lv->i >= rv->i;
        e->value = consts_.integer(r);
      }
      return;
    }
    if (sets && sameType(ls, rs)) {
      result(types_.boolean());
      if (both) {
        auto subset = [](const ConstValue *a, const ConstValue *b) {
          return std::includes(b->members.begin(), b->members.end(), a->members.begin(), a->members.end());
        };
        bool r = e->op == BinaryOp::Le ? subset(lv, rv) : e->op == BinaryOp::Ge ? subset(rv, lv)
               : e->op == BinaryOp::Lt ? subset(lv, rv) && lv->members != rv->members
                                       : subset(rv, lv) && lv->members != rv->members;
        e->value = consts_.integer(r);
      }
      return;
    }
    return bad();
  case BinaryOp::In: {
    if (rs->kind != TypeKind::Set || !isOrdinal(lt) ||
        !sameType(ordinalBase(lt), ordinalBase(llvm::cast<SetType>(rs)->element)))
      return bad();
    result(types_.boolean());
    if (both) e->value = consts_.integer(std::binary_search(rv->members.begin(), rv->members.end(), lv->i));
    return;
  }
  case BinaryOp::Concat:
    if (ls->kind != TypeKind::Text || rs->kind != TypeKind::Text) return bad();
    if (!both) {
      // TEXT values are constants: an extension has no text heap to build new ones in.
      diags_.report(DiagId::err_text_concat_not_constant, e->opRange);
      return;
    }
    result(types_.text());
    if (both) {
      ConstValue v;
      v.kind = ConstValue::Kind::Text;
      // In a chain a & b & c ..., the left operand's text is an intermediate that nothing else refers to:
      // take it over instead of copying, so folding a long chain stays linear in time and memory.
      auto *left = llvm::dyn_cast<BinaryExpr>(e->lhs);
      if (left && left->op == BinaryOp::Concat) {
        v.text = consts_.takeText(lv);
        e->lhs->value = nullptr;
      } else {
        v.text = lv->text;
      }
      v.text += rv->text;
      e->value = consts_.make(std::move(v));
    }
    return;
  case BinaryOp::Add: case BinaryOp::Sub: case BinaryOp::Mul: case BinaryOp::Slash:
    if (sets) {
      if (!sameType(ls, rs)) return bad();
      result(lt);
      if (both) {
        ConstValue v;
        v.kind = ConstValue::Kind::Set;
        auto &a = lv->members, &b = rv->members;
        auto out = std::back_inserter(v.members);
        switch (e->op) {
        case BinaryOp::Add: std::set_union(a.begin(), a.end(), b.begin(), b.end(), out); break;
        case BinaryOp::Sub: std::set_difference(a.begin(), a.end(), b.begin(), b.end(), out); break;
        case BinaryOp::Mul: std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), out); break;
        default: std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), out); break;
        }
        e->value = consts_.make(std::move(v));
      }
      return;
    }
    if (e->op == BinaryOp::Slash) {
      if (isIntType(lt) && isIntType(rt)) diags_.report(DiagId::err_slash_on_integers, e->opRange);
      else bad();
      return;
    }
    [[fallthrough]];
  case BinaryOp::Div: case BinaryOp::Mod: {
    if (!isIntType(lt) || !isIntType(rt)) return bad();
    result(types_.integer());
    if ((e->op == BinaryOp::Div || e->op == BinaryOp::Mod) && rv && rv->i == 0) {
      diags_.report(DiagId::err_division_by_zero, e->rhs->range, spelling(e->op));
      e->cls = ExprClass::Error;
      e->type = types_.error();
      return;
    }
    if (!both) return;
    __int128 a = lv->i, b = rv->i;
    switch (e->op) {
    case BinaryOp::Add: e->value = checkedInt(a + b, e->range); break;
    case BinaryOp::Sub: e->value = checkedInt(a - b, e->range); break;
    case BinaryOp::Mul: e->value = checkedInt(a * b, e->range); break;
    case BinaryOp::Div:
      if (lv->i == std::numeric_limits<int64_t>::min() && rv->i == -1) e->value = checkedInt(-a, e->range);
      else e->value = consts_.integer(floorDiv(lv->i, rv->i));
      break;
    default:
      e->value = rv->i == -1 ? consts_.integer(0) : consts_.integer(floorMod(lv->i, rv->i));
      break;
    }
    if (!e->value) e->cls = ExprClass::Error, e->type = types_.error();
    return;
  }
  }
}

// ---------------------------------------------------------------- calls

void Sema::noteRaises(const ProcType *pt, SourceRange where, std::string_view callee, Symbol *calleeSym) {
  for (Symbol *exc : pt->raises) mayRaise(exc, where, callee, calleeSym);
  if (pt->raisesAny) mayRaise(nullptr, where, callee, calleeSym);
}

void Sema::checkCall(CallExpr *e) {
  checkExpr(e->callee);
  Expr *c = e->callee;
  std::string calleeName = c->symbol ? c->symbol->qualifiedName() : std::string("procedure");
  if (c->cls == ExprClass::Builtin) {
    checkBuiltinCall(e, c->symbol->builtin, c->symbol->name.text);
    return;
  }
  if (c->cls == ExprClass::Error) {
    for (Actual &a : e->args) checkExpr(a.value);
    return;
  }
  if (c->cls == ExprClass::Exception) {
    diags_.report(DiagId::err_exception_call, e->range, c->symbol->name.text);
    return;
  }
  const Type *t = checkValue(c);
  if (isError(t)) return;
  auto *pt = llvm::dyn_cast<ProcType>(stripPacked(t));
  if (!pt) {
    diags_.report(DiagId::err_not_callable, c->range, typeName(t));
    return;
  }
  if (c->symbol && c->symbol->isEvent && c->symbol->unit && !c->symbol->unit->isMessages()) {
    diags_.report(DiagId::err_call_runtime_event, c->range, calleeName);
    return;
  }
  bool argsOk = bindArguments(e, pt, calleeName);
  noteRaises(pt, e->range, calleeName, c->symbol);
  e->cls = ExprClass::Value;
  e->type = pt->result;  // null for a proper procedure: no value
  if (argsOk) foldWord(e);
  else e->cls = ExprClass::Error, e->type = types_.error();  // reported; a use of the result adds nothing
}

// Calls of the Word interface on constants are constants (Modula-3 2.6.3 treats Word like a builtin).
void Sema::foldWord(CallExpr *e) {
  Symbol *callee = e->callee->symbol;
  if (!callee || callee->kind != SymKind::Procedure || !callee->unit || callee->unit->name.text != "Word" ||
      !callee->unit->isInterface() || !e->type)
    return;
  std::vector<int64_t> args;
  for (Expr *a : e->boundArgs) {
    if (!a || !a->value || a->value->kind != ConstValue::Kind::Int) return;
    args.push_back(a->value->i);
  }
  WordFoldError error;
  std::optional<int64_t> v = foldWordCall(callee->name.text, args, error);
  if (error != WordFoldError::None) {
    diags_.report(error == WordFoldError::DivisionByZero ? DiagId::err_division_by_zero : DiagId::err_word_bit_range,
                  e->range, callee->qualifiedName());
    e->cls = ExprClass::Error;
    e->type = types_.error();
  }
  if (v) e->value = consts_.integer(*v);
}

bool Sema::bindArguments(CallExpr *e, const ProcType *pt, std::string_view calleeName) {
  std::vector<Expr *> bound(pt->params.size(), nullptr);
  size_t positional = 0;
  bool seenNamed = false, ok = true;
  for (Actual &a : e->args) {
    size_t idx;
    if (a.name.empty()) {
      if (seenNamed) {
        diags_.report(DiagId::err_positional_after_named, a.value->range);
        ok = false;
        continue;
      }
      idx = positional++;
      if (idx >= pt->params.size()) {
        checkExpr(a.value);
        diags_.report(DiagId::err_too_many_args, a.value->range, calleeName, pt->params.size());
        ok = false;
        break;
      }
    } else {
      seenNamed = true;
      auto it = std::find_if(pt->params.begin(), pt->params.end(),
                             [&](const ProcParam &p) { return p.name == a.name.text; });
      if (it == pt->params.end()) {
        checkExpr(a.value);
        diags_.report(DiagId::err_no_such_param, a.name.range, calleeName, a.name.text);
        ok = false;
        continue;
      }
      idx = static_cast<size_t>(it - pt->params.begin());
      if (bound[idx]) {
        diags_.report(DiagId::err_param_given_twice, a.name.range, a.name.text);
        ok = false;
        continue;
      }
    }
    bound[idx] = a.value;
    const ProcParam &p = pt->params[idx];
    const Type *at = checkValue(a.value);
    if (isError(at)) continue;
    if (p.mode == ParamMode::Var) {
      // VAR: the actual must be a writable designator of the same type (open arrays accept any array of the
      // same element type).
      if (a.value->cls != ExprClass::Designator || !a.value->writable) {
        diags_.report(DiagId::err_var_arg_not_writable, a.value->range, p.name);
        ok = false;
      } else if (llvm::isa<PackedType>(at)) {
        // A packed field has no address of its own: it cannot be passed by reference.
        diags_.report(DiagId::err_var_arg_packed, a.value->range, p.name);
        ok = false;
      } else if (!sameType(at, p.type) &&
                 !(stripPacked(p.type)->kind == TypeKind::OpenArray && isSubtype(at, p.type))) {
        diags_.report(DiagId::err_var_arg_type, a.value->range, p.name, typeName(at), typeName(p.type));
        ok = false;
      }
    } else if (!checkAssignable(a.value, p.type, a.value->range)) {
      ok = false;
    }
  }
  for (size_t i = 0; i < bound.size(); ++i) {
    if (bound[i]) continue;
    if (pt->params[i].dfltExpr) {
      bound[i] = pt->params[i].dfltExpr;
      continue;
    }
    if (ok) diags_.report(DiagId::err_missing_arg, e->range, pt->params[i].name, calleeName);
    ok = false;
  }
  e->boundArgs = std::move(bound);
  return ok;
}

// ---------------------------------------------------------------- constructors

void Sema::checkConstructor(ConstructorExpr *e) {
  const Type *t = checkType(e->typeExpr);
  if (isError(t)) {
    for (ConsElem &el : e->elems) {
      if (el.value) checkExpr(el.value);
      if (el.high) checkExpr(el.high);
    }
    return;
  }
  const Type *s = stripPacked(t);
  bool allConst = true;
  ConstValue agg;
  agg.kind = ConstValue::Kind::Aggregate;

  if (auto *st = llvm::dyn_cast<SetType>(s)) {
    ConstValue set;
    set.kind = ConstValue::Kind::Set;
    for (ConsElem &el : e->elems) {
      if (el.kind == ConsElem::Kind::Named || el.kind == ConsElem::Kind::Repeat) {
        diags_.report(DiagId::err_bad_set_element, el.range);
        return;
      }
      const Type *a = checkValue(el.value);
      if (isError(a) || !checkAssignable(el.value, st->element, el.value->range)) return;
      int64_t lo = 0, hi = 0;
      if (el.value->value) lo = hi = el.value->value->i; else allConst = false;
      if (el.high) {
        const Type *b = checkValue(el.high);
        if (isError(b) || !checkAssignable(el.high, st->element, el.high->range)) return;
        if (el.high->value) hi = el.high->value->i; else allConst = false;
      }
      if (allConst)
        for (int64_t v = lo; v <= hi; ++v) set.members.push_back(v);
    }
    e->cls = ExprClass::Value;
    e->type = t;
    if (allConst) {
      std::sort(set.members.begin(), set.members.end());
      set.members.erase(std::unique(set.members.begin(), set.members.end()), set.members.end());
      e->value = consts_.make(std::move(set));
    }
    return;
  }

  if (isArray(s)) {
    const Type *elem = elementOf(s);
    size_t count = 0;
    bool repeat = false;
    for (size_t i = 0; i < e->elems.size(); ++i) {
      ConsElem &el = e->elems[i];
      if (el.kind == ConsElem::Kind::Repeat) {
        if (i + 1 != e->elems.size() || i == 0) {
          diags_.report(DiagId::err_bad_repeat, el.range);
          return;
        }
        repeat = true;
        continue;
      }
      if (el.kind != ConsElem::Kind::Plain) {
        diags_.report(DiagId::err_bad_array_element, el.range);
        return;
      }
      const Type *a = checkValue(el.value);
      if (isError(a) || !checkAssignable(el.value, elem, el.value->range)) return;
      checkStorable(el.value);
      if (el.value->value) agg.elems.push_back(el.value->value); else allConst = false;
      ++count;
    }
    if (auto *at = llvm::dyn_cast<ArrayType>(s)) {
      int64_t lo, hi;
      ordinalBounds(at->index, lo, hi);
      uint64_t n = hi >= lo ? static_cast<uint64_t>(hi - lo) + 1 : 0;
      if (count > n || (count < n && !repeat)) {
        diags_.report(DiagId::err_array_constructor_count, e->range, typeName(t), n, count);
        return;
      }
      if (allConst && repeat && n <= kMaxExpandedElements) {
        while (agg.elems.size() < n) agg.elems.push_back(agg.elems.back());
      } else if (allConst && repeat && n > agg.elems.size()) {
        // Kept compact: a constant of a million elements is one value and a count. Trailing copies of the last
        // element are dropped, so that `{1, 1, ..}` and `{1, ..}` are the same value, spelled the same.
        while (agg.elems.size() > 1 && equalValues(*agg.elems[agg.elems.size() - 2], *agg.elems.back()))
          agg.elems.pop_back();
        agg.repeatTo = n;
      }
    } else if (repeat) {
      diags_.report(DiagId::err_bad_repeat, e->elems.back().range);
      return;
    }
    e->cls = ExprClass::Value;
    e->type = t;
    if (allConst) e->value = consts_.make(std::move(agg));
    return;
  }

  if (auto *rt = llvm::dyn_cast<RecordType>(s)) {
    std::vector<Expr *> given(rt->fields.size(), nullptr);
    size_t pos = 0;
    bool seenNamed = false;
    for (ConsElem &el : e->elems) {
      size_t idx;
      if (el.kind == ConsElem::Kind::Named) {
        seenNamed = true;
        const RecordField *f = rt->field(el.name.text);
        if (!f) {
          diags_.report(DiagId::err_no_field, el.name.range, el.name.text, typeName(t));
          return;
        }
        idx = static_cast<size_t>(f - rt->fields.data());
      } else if (el.kind == ConsElem::Kind::Plain && !seenNamed) {
        idx = pos++;
        if (idx >= rt->fields.size()) {
          diags_.report(DiagId::err_record_constructor_extra, el.range, typeName(t));
          return;
        }
      } else {
        diags_.report(DiagId::err_bad_record_element, el.range);
        return;
      }
      if (given[idx]) {
        diags_.report(DiagId::err_field_given_twice, el.range, rt->fields[idx].name);
        return;
      }
      given[idx] = el.value;
      const Type *a = checkValue(el.value);
      if (isError(a) || !checkAssignable(el.value, rt->fields[idx].type, el.value->range)) return;
      checkStorable(el.value);
    }
    for (size_t i = 0; i < given.size(); ++i) {
      if (given[i]) {
        if (given[i]->value) agg.elems.push_back(given[i]->value); else allConst = false;
      } else if (rt->fields[i].dflt) {
        agg.elems.push_back(rt->fields[i].dflt);
      } else {
        diags_.report(DiagId::err_missing_field, e->range, rt->fields[i].name, typeName(t));
        return;
      }
    }
    e->cls = ExprClass::Value;
    e->type = t;
    if (allConst) e->value = consts_.make(std::move(agg));
    return;
  }
  diags_.report(DiagId::err_not_constructible, e->typeExpr->range, typeName(t));
}

}  // namespace spx
