// Type expressions -> semantic types.
#include "sema/Sema.h"

#include <set>

namespace spx {

namespace {
constexpr int64_t kMaxSetElements = 65536;
}

const Type *Sema::lookupTypeName(const QualIdent &q) {
  Symbol *s = lookupQualified(q, SymKind::Type);
  if (!s || s->kind == SymKind::Error) return types_.error();
  if (s->kind != SymKind::Type) {
    diags_.report(DiagId::err_not_a_type, q.range(), q.name.text);
    if (s->name.range.valid()) diags_.report(DiagId::note_declared_here, s->name.range, s->name.text);
    return types_.error();
  }
  const Type *t = s->type ? s->type : types_.error();
  if (t->kind == TypeKind::Address) {
    diags_.report(DiagId::err_unsafe_address, q.range());
    return types_.error();
  }
  if (t->kind == TypeKind::Real) {
    diags_.report(DiagId::err_unsupported_float, q.range(), q.name.text);
    return types_.error();
  }
  return t;
}

const Type *Sema::resolveType(TypeExpr *te) {
  if (te->resolved) return te->resolved;
  const Type *result = types_.error();
  switch (te->kind) {
  case TypeExprKind::Named:
    result = lookupTypeName(llvm::cast<NamedTypeExpr>(te)->name);
    break;
  case TypeExprKind::Subrange: {
    auto *s = llvm::cast<SubrangeTypeExpr>(te);
    const ConstValue *lo = checkConstant(s->low), *hi = checkConstant(s->high);
    if (!lo || !hi) break;
    if (!isOrdinal(s->low->type) || !isOrdinal(s->high->type)) {
      diags_.report(DiagId::err_subrange_not_ordinal, te->range);
      break;
    }
    const Type *base = ordinalBase(s->low->type);
    if (!sameType(base, ordinalBase(s->high->type))) {
      diags_.report(DiagId::err_subrange_bases_differ, te->range, typeName(base), typeName(ordinalBase(s->high->type)));
      break;
    }
    auto *st = types_.make<SubrangeType>();
    st->base = base;
    st->low = lo->i;
    st->high = hi->i;
    result = st;
    break;
  }
  case TypeExprKind::Enum: {
    auto *e = llvm::cast<EnumTypeExpr>(te);
    auto *et = types_.make<EnumType>();
    std::set<std::string_view> seen;
    for (const Ident &lit : e->literals) {
      if (!seen.insert(lit.text).second) diags_.report(DiagId::err_duplicate_enum_literal, lit.range, lit.text);
      et->literals.push_back(lit.text);
    }
    result = et;
    break;
  }
  case TypeExprKind::Set: {
    auto *s = llvm::cast<SetTypeExpr>(te);
    const Type *elem = resolveType(s->element);
    if (isError(elem)) break;
    if (!isOrdinal(elem)) {
      diags_.report(DiagId::err_set_not_ordinal, s->element->range, typeName(elem));
      break;
    }
    int64_t lo, hi;
    ordinalBounds(elem, lo, hi);
    if (hi >= lo && (static_cast<__int128>(hi) - lo + 1) > kMaxSetElements) {
      diags_.report(DiagId::err_set_too_large, s->element->range, typeName(elem), kMaxSetElements);
      break;
    }
    auto *st = types_.make<SetType>();
    st->element = elem;
    result = st;
    break;
  }
  case TypeExprKind::Array: {
    auto *a = llvm::cast<ArrayTypeExpr>(te);
    const Type *elem = requireValues(resolveType(a->element), "an array element", a->element->range);
    if (isError(elem)) break;
    if (auto *pe = llvm::dyn_cast<PackedType>(elem); pe && pe->bits >= 8 && pe->bits % 8 != 0) {
      diags_.report(DiagId::err_packed_element_bytes, a->element->range, typeName(elem));
      break;
    }
    if (a->indexes.empty()) {
      // Rows of a multi-dimensional open array start on a byte (I5): elements narrower than a byte would need
      // padding the element arithmetic does not have.
      if (auto *inner = llvm::dyn_cast<OpenArrayType>(stripPacked(elem)); inner && elementStride(inner->element) % 8 != 0) {
        diags_.report(DiagId::err_open_array_packed_rows, a->element->range, typeName(inner->element));
        break;
      }
      auto *ot = types_.make<OpenArrayType>();
      ot->element = elem;
      result = ot;
      break;
    }
    if (stripPacked(elem)->kind == TypeKind::OpenArray) {
      diags_.report(DiagId::err_open_array_element, a->element->range);
      break;
    }
    // ARRAY I, J OF E = ARRAY I OF ARRAY J OF E: build from the innermost index outwards.
    const Type *t = elem;
    bool ok = true;
    for (size_t k = a->indexes.size(); k-- > 0;) {
      const Type *idx = resolveType(a->indexes[k]);
      if (isError(idx)) { ok = false; break; }
      if (!isOrdinal(idx)) {
        diags_.report(DiagId::err_index_not_ordinal, a->indexes[k]->range, typeName(idx));
        ok = false;
        break;
      }
      int64_t lo, hi;
      ordinalBounds(idx, lo, hi);
      if (hi >= lo && static_cast<__int128>(hi) - lo + 1 > (int64_t{1} << 32)) {
        diags_.report(DiagId::err_array_too_large, a->indexes[k]->range, typeName(idx));
        ok = false;
        break;
      }
      auto *at = types_.make<ArrayType>();
      at->index = idx;
      at->element = t;
      t = at;
    }
    if (ok) result = t;
    break;
  }
  case TypeExprKind::Record: {
    auto *r = llvm::cast<RecordTypeExpr>(te);
    auto *rt = types_.make<RecordType>();
    std::set<std::string_view> seen;
    for (FieldDecl &f : r->fields) {
      if (!seen.insert(f.name.text).second) diags_.report(DiagId::err_duplicate_field, f.name.range, f.name.text);
      RecordField field;
      field.name = f.name.text;
      field.range = f.name.range;
      const Type *ft = f.type ? resolveType(f.type) : nullptr;
      if (f.init) {
        field.dflt = checkConstant(f.init);
        if (ft && field.dflt && assignChecked_.insert(f.init).second) checkAssignable(f.init, ft, f.init->range);
        if (!ft) ft = f.init->type;
      }
      if (!ft) ft = types_.error();
      ft = requireValues(ft, "a field", f.type ? f.type->range : f.name.range);
      if (stripPacked(ft)->kind == TypeKind::OpenArray) {
        diags_.report(DiagId::err_open_array_field, f.name.range, f.name.text);
        ft = types_.error();
      }
      field.type = ft;
      rt->fields.push_back(field);
    }
    size_t bad;
    switch (recordLayoutProblem(rt, bad)) {
    case LayoutProblem::None: break;
    case LayoutProblem::PackedNotWholeBytes:
      diags_.report(DiagId::err_packed_field_bytes, rt->fields[bad].range, rt->fields[bad].name);
      break;
    case LayoutProblem::PackedCrossesByte:
      diags_.report(DiagId::err_packed_field_crosses_byte, rt->fields[bad].range, rt->fields[bad].name);
      break;
    }
    result = rt;
    break;
  }
  case TypeExprKind::Packed: {
    auto *p = llvm::cast<PackedTypeExpr>(te);
    const Type *base = resolveType(p->base);
    const ConstValue *bits = checkConstant(p->bits);
    if (isError(base) || !bits) break;
    if (!isOrdinal(base)) {
      diags_.report(DiagId::err_bits_not_ordinal, p->base->range, typeName(base));
      break;
    }
    if (!isInteger(p->bits->type)) {
      diags_.report(DiagId::err_bits_not_integer, p->bits->range);
      break;
    }
    uint64_t need = 0;
    if (isOrdinal(base)) {
      int64_t lo, hi;
      ordinalBounds(base, lo, hi);
      // Bits needed for the range, unsigned if it starts at 0 or above, two's complement otherwise.
      if (lo >= 0) {
        need = 1;
        while (need < 64 && (static_cast<uint64_t>(hi) >> need) != 0) ++need;
      } else {
        need = 64;
        for (unsigned n = 1; n < 64; ++n)
          if (lo >= -(int64_t{1} << (n - 1)) && hi < (int64_t{1} << (n - 1))) { need = n; break; }
      }
    } else {
      need = bitSize(base);
    }
    if (bits->i <= 0 || bits->i > 64 || static_cast<uint64_t>(bits->i) < need) {
      diags_.report(DiagId::err_bits_too_small, p->bits->range, bits->i, typeName(base), need);
      break;
    }
    auto *pt = types_.make<PackedType>();
    pt->bits = static_cast<unsigned>(bits->i);
    pt->base = base;
    pt->netOrder = te->netOrder;
    if (te->netOrder && (pt->bits % 8 != 0 || !isOrdinal(base))) {
      diags_.report(DiagId::err_netorder_bits, te->range, pt->bits);
      pt->netOrder = false;
    }
    result = pt;
    break;
  }
  case TypeExprKind::Ref: {
    auto *r = llvm::cast<RefTypeExpr>(te);
    if (r->untraced) {
      diags_.report(DiagId::err_unsafe_untraced, r->untracedRange);
      break;
    }
    auto *rt = types_.make<RefType>();
    if (r->branded) {
      rt->branded = true;
      rt->brandId = types_.nextBrandId();
      if (r->brand) {
        rt->brand = r->brand->val;
        // Brands name types across the whole program, so two types may not share one.
        if (!types_.claimBrand(rt->brand)) diags_.report(DiagId::err_duplicate_brand, r->brand->range, rt->brand);
      }
    }
    // The target is resolved after the declaration that contains it, which is what allows recursive types
    // through REF.
    pendingTypes_.push_back({rt, r->target, nullptr, nullptr, scope_, level_});
    result = rt;
    break;
  }
  case TypeExprKind::Proc: {
    auto *pt = types_.make<ProcType>();
    pendingTypes_.push_back({nullptr, nullptr, pt, &llvm::cast<ProcTypeExpr>(te)->sig, scope_, level_});
    result = pt;
    break;
  }
  case TypeExprKind::Error:
    break;
  }
  if (te->netOrder && te->kind != TypeExprKind::Packed)
    diags_.report(DiagId::err_netorder_bits, te->range, 0);
  if ((result->kind == TypeKind::Array || result->kind == TypeKind::Record) && bitSize(result) > kMaxTypeBits) {
    diags_.report(DiagId::err_type_too_large, te->range, typeName(result));
    result = types_.error();
  }
  te->resolved = result;
  if (typeDeclDepth_ == 0) drainPendingTypes();
  return result;
}

void Sema::drainPendingTypes() {
  while (!pendingTypes_.empty()) {
    PendingType p = pendingTypes_.back();
    pendingTypes_.pop_back();
    Scope *savedScope = scope_;
    unsigned savedLevel = level_;
    scope_ = p.scope;
    level_ = p.level;
    if (p.ref) p.ref->target = requireValues(resolveType(p.target), "a referent", p.target->range);
    else fillSignature(p.proc, *p.sig);
    scope_ = savedScope;
    level_ = savedLevel;
  }
}

const ProcType *Sema::resolveSignature(Signature &sig) {
  auto *pt = types_.make<ProcType>();
  fillSignature(pt, sig);
  return pt;
}

void Sema::fillSignature(ProcType *pt, Signature &sig) {
  std::set<std::string_view> seen;
  for (Formal &f : sig.formals) {
    if (!seen.insert(f.name.text).second) diags_.report(DiagId::err_duplicate_param, f.name.range, f.name.text);
    ProcParam p;
    p.mode = f.mode;
    p.name = f.name.text;
    const Type *t = f.type ? resolveType(f.type) : nullptr;
    if (f.dflt) {
      if (f.mode == ParamMode::Var) diags_.report(DiagId::err_var_param_default, f.dflt->range, f.name.text);
      p.dflt = checkConstant(f.dflt);
      p.dfltExpr = f.dflt;
      if (t && p.dflt && assignChecked_.insert(f.dflt).second) checkAssignable(f.dflt, t, f.dflt->range);
      if (!t) t = f.dflt->type;
    }
    p.type = t ? requireValues(t, "a parameter", f.type ? f.type->range : f.name.range) : types_.error();
    pt->params.push_back(p);
  }
  if (sig.result) {
    pt->result = requireValues(resolveType(sig.result), "a procedure result", sig.result->range);
    if (stripPacked(pt->result)->kind == TypeKind::OpenArray) {
      diags_.report(DiagId::err_open_array_result, sig.result->range);
      pt->result = types_.error();
    }
  }
  if (sig.raises == Signature::Raises::Any) pt->raisesAny = true;
  for (const QualIdent &q : sig.raiseSet) {
    Symbol *s = lookupQualified(q);
    if (!s || s->kind == SymKind::Error) continue;
    if (s->kind != SymKind::Exception) {
      diags_.report(DiagId::err_not_an_exception, q.range(), q.name.text);
      continue;
    }
    pt->raises.push_back(s);
  }
}

}  // namespace spx
