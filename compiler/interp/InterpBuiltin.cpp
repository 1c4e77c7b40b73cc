// Predeclared procedures (REFERENCE §7) and the procedures of the runtime's interfaces (IO, Log, Word).
#include "interp/Interp.h"

#include "sema/WordFold.h"

#include <functional>
#include <limits>

namespace spx::interp {

namespace {
const Type *typeArg(Expr *e) { return e->cls == ExprClass::Type ? e->type : e->type; }

// Bits of an array value of type `t` (open arrays by their lengths), as BITSIZE counts them.
uint64_t bitsOf(const Value &v, const Type *t) {
  t = stripPacked(t);
  auto *open = llvm::dyn_cast<OpenArrayType>(t);
  if (!open) return bitSize(t);
  if (v.elems.empty()) return 0;
  uint64_t each = stripPacked(open->element)->kind == TypeKind::OpenArray ? bitsOf(v.elems[0], open->element)
                                                                           : elementStride(open->element);
  return each * v.elems.size();
}
}  // namespace

// What a call costs on the compiled code's stack, roughly (the fuzzer avoids programs near the limit): a fixed
// frame, the locals, and the copies of VALUE arrays, records and sets.
uint64_t Interpreter::frameBytes(const ProcedureDecl *decl, const ProcType *pt, const std::vector<Value> &values,
                                 const std::vector<bool> &isAlias) {
  auto [it, inserted] = localBytes_.try_emplace(decl, 0);
  if (inserted)
    for (Decl *d : decl->body->decls)
      if (auto *v = llvm::dyn_cast<VarDecl>(d); v && v->symbol) it->second += (bitSize(v->symbol->type) + 7) / 8;
  uint64_t bytes = 40 + it->second;  // -O0 frames of small procedures are about this big
  for (size_t k = 0; k < values.size(); ++k)
    if (!isAlias[k] && !isOrdinal(pt->params[k].type)) bytes += (bitsOf(values[k], pt->params[k].type) + 7) / 8;
  return bytes;
}

size_t Interpreter::lengthOf(Expr *array) {
  if (array->cls == ExprClass::Designator) {
    Place p = place(array);
    if (p.viewType) return static_cast<size_t>(read(p).elems.size());
    return p.slice ? p.len : p.v->elems.size();
  }
  return eval(array).elems.size();
}

Place Interpreter::builtinPlace(CallExpr *e) {
  if (e->builtin == Builtin::Subarray) {
    Place bp = place(e->args[0].value);
    if (bp.viewType) throw Unsupported{"SUBARRAY of an array inside a VIEW", e->range.begin};
    int64_t from = eval(e->args[1].value).i;
    int64_t len = eval(e->args[2].value).i;
    size_t have = bp.slice ? bp.len : bp.v->elems.size();
    if (from < 0 || len < 0 || static_cast<__int128>(from) + len > static_cast<__int128>(have)) trap("range", e->range);
    size_t off = bp.slice ? bp.off : 0;
    return Place{bp.v, bp.keep, true, off + static_cast<size_t>(from), static_cast<size_t>(len)};
  }
  if (e->builtin == Builtin::View) return viewPlace(e);
  throw Unsupported{"designator of this form", e->range.begin};
}

void Interpreter::incDec(CallExpr *e) {
  Expr *v = e->args[0].value;
  Place p = place(v);
  int64_t n = e->args.size() > 1 ? eval(e->args[1].value).i : 1;
  int64_t cur = read(p).i, r;
  bool overflow = e->builtin == Builtin::Inc ? __builtin_add_overflow(cur, n, &r) : __builtin_sub_overflow(cur, n, &r);
  if (overflow) trap("integer overflow", e->range);
  store(p, Value::integer(r), v->type, e->range);
}

Value Interpreter::evalNew(CallExpr *e) {
  auto *ref = llvm::cast<RefType>(stripPacked(typeArg(e->args[0].value)));
  const Type *target = stripPacked(ref->target);
  auto cell = std::make_shared<Value>();
  __int128 bytes;
  if (target->kind == TypeKind::OpenArray) {
    std::vector<int64_t> lengths;
    for (size_t k = 1; k < e->args.size(); ++k) {
      int64_t n = eval(e->args[k].value).i;
      if (n < 0) trap("range", e->args[k].value->range);
      lengths.push_back(n);
    }
    // docs/abi.md: one length word per open dimension, padded to 16 bytes, then the elements.
    const Type *elem = target;
    __int128 count = 1;
    for (int64_t n : lengths) {
      elem = stripPacked(llvm::cast<OpenArrayType>(elem)->element);
      count *= n;
      if (count > (static_cast<__int128>(1) << 80)) count = static_cast<__int128>(1) << 80;
    }
    bytes = (lengths.size() * 8 + 15) / 16 * 16 + (count * elementStride(elem) + 7) / 8;
    if (static_cast<__int128>(heapUsed_) + (bytes + 15) / 16 * 16 > static_cast<__int128>(limits_.heapBytes))
      trap("heap quota", e->range);
    // Empty inner dimensions make outer ones free on the NIC (no element bytes), but not here.
    __int128 values = 1;
    for (int64_t n : lengths)
      if ((values *= n) > (1 << 26)) throw Unsupported{"NEW of more than 2^26 array elements", e->range.begin};
    std::function<Value(const Type *, size_t)> build = [&](const Type *t, size_t dim) -> Value {
      t = stripPacked(t);
      auto *open = llvm::dyn_cast<OpenArrayType>(t);
      if (!open || dim >= lengths.size()) return zero(t);
      Value v;
      v.kind = Value::Kind::Agg;
      if (lengths[dim] > 0) v.elems.assign(static_cast<size_t>(lengths[dim]), build(open->element, dim + 1));
      return v;
    };
    *cell = build(target, 0);
  } else {
    bytes = (bitSize(target) + 7) / 8;
    if (static_cast<__int128>(heapUsed_) + (bytes + 15) / 16 * 16 > static_cast<__int128>(limits_.heapBytes))
      trap("heap quota", e->range);
    *cell = zero(target);
    for (size_t k = 1; k < e->args.size(); ++k) {
      const Actual &a = e->args[k];
      auto *rec = llvm::cast<RecordType>(target);
      size_t idx = fieldIndex(rec, a.name.text);
      Value x = eval(a.value);
      checkStorable(x, rec->fields[idx].type, a.value->range);
      cell->elems[idx] = std::move(x);
    }
  }
  heapUsed_ += static_cast<uint64_t>((bytes + 15) / 16 * 16);
  Value r = Value::nilRef();
  r.ref = std::move(cell);
  return r;
}

Value Interpreter::evalBuiltin(CallExpr *e) {
  auto arg = [&](size_t k) { return e->args[k].value; };
  switch (e->builtin) {
  case Builtin::Abs: {
    int64_t v = eval(arg(0)).i;
    if (v == std::numeric_limits<int64_t>::min()) trap("integer overflow", e->range);
    return Value::integer(v < 0 ? -v : v);
  }
  case Builtin::Min: case Builtin::Max: {
    int64_t a = eval(arg(0)).i, b = eval(arg(1)).i;
    return Value::integer(e->builtin == Builtin::Min ? std::min(a, b) : std::max(a, b));
  }
  case Builtin::First: case Builtin::Last: case Builtin::Number: {
    const Type *t = stripPacked(arg(0)->type);
    int64_t lo, hi;
    if (auto *a = llvm::dyn_cast<ArrayType>(t)) ordinalBounds(a->index, lo, hi);
    else if (t->kind == TypeKind::OpenArray) lo = 0, hi = static_cast<int64_t>(lengthOf(arg(0))) - 1;
    else ordinalBounds(t, lo, hi);
    if (e->builtin == Builtin::First) return Value::integer(lo);
    if (e->builtin == Builtin::Last) return Value::integer(hi);
    return Value::integer(hi >= lo ? hi - lo + 1 : 0);
  }
  case Builtin::Ord: return Value::integer(eval(arg(0)).i);
  case Builtin::Val: {
    int64_t i = eval(arg(0)).i;
    checkRange(i, arg(1)->type, arg(0)->range);
    return Value::integer(i);
  }
  case Builtin::New: return evalNew(e);
  case Builtin::BitSize: case Builtin::ByteSize: case Builtin::AdrSize: {
    Value v = arg(0)->cls == ExprClass::Type ? Value() : eval(arg(0));
    uint64_t bits = bitsOf(v, arg(0)->type);
    return Value::integer(static_cast<int64_t>(e->builtin == Builtin::BitSize ? bits : (bits + 7) / 8));
  }
  case Builtin::Subarray: {
    if (arg(0)->cls == ExprClass::Designator) return read(builtinPlace(e));
    Value a = eval(arg(0));
    int64_t from = eval(arg(1)).i, len = eval(arg(2)).i;
    if (from < 0 || len < 0 || static_cast<__int128>(from) + len > static_cast<__int128>(a.elems.size()))
      trap("range", e->range);
    Value v;
    v.kind = Value::Kind::Agg;
    v.elems.assign(a.elems.begin() + from, a.elems.begin() + from + len);
    return v;
  }
  case Builtin::View: return read(viewPlace(e));
  default: break;
  }
  throw Unsupported{"this builtin", e->range.begin};
}

Value Interpreter::callRuntime(const Symbol *proc, const std::vector<Value> &args, CallExpr *e) {
  std::string_view iface = proc->unit ? proc->unit->name.text : std::string_view();
  std::string_view name = proc->name.text;
  if (iface == "IO") {
    if (name == "Put") out_ << textOf(args[0]);
    else if (name == "PutInt") out_ << args[0].i;
    else if (name == "PutChar") out_ << static_cast<char>(static_cast<unsigned char>(args[0].i));
    else throw Unsupported{"IO." + std::string(name), e->range.begin};
    return Value();
  }
  if (iface == "Log") {
    static const char *const kLevels[] = {"Debug", "Info", "Warning", "Error"};
    std::string level = "Info", text;
    if (name == "Put") text = textOf(args[0]);
    else if (name == "PutInt") text = std::to_string(args[0].i);
    else if (name == "Message") level = args[0].i >= 0 && args[0].i < 4 ? kLevels[args[0].i] : "Level?", text = textOf(args[1]);
    else throw Unsupported{"Log." + std::string(name), e->range.begin};
    out_ << "[" << mainModule_ << "] " << level << ": " << text << "\n";
    return Value();
  }
  if (iface == "Word") {
    std::vector<int64_t> ints;
    for (const Value &v : args) ints.push_back(v.i);
    WordFoldError error = WordFoldError::None;
    std::optional<int64_t> r = foldWordCall(name, ints, error);
    // Reported where spinec reports them: at the last argument (the divisor, the bit count).
    if (error == WordFoldError::DivisionByZero) trap("division by zero", e->boundArgs.back()->range);
    if (error == WordFoldError::BitRange) trap("range", e->boundArgs.back()->range);
    if (!r) throw Unsupported{"Word." + std::string(name), e->range.begin};
    return Value::integer(*r);
  }
  throw Unsupported{"the runtime procedure " + std::string(iface) + "." + std::string(name), e->range.begin};
}

}  // namespace spx::interp
