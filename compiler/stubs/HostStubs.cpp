// Generates the C++ host stubs of a message interface. The mapping of types (docs/messages.md, "C++ stubs"):
//   INTEGER and integer subranges  the smallest <cstdint> type of the range's wire width (int64_t for 8 bytes)
//   BOOLEAN, CHAR                  bool, char
//   enumerations                   enum class with the Modula-3 literal names
//   subranges of those             the base type; range-checked when marshalled
//   TEXT                           std::string
//   SET OF T                       std::bitset<NUMBER(T)>, bit i = the element with ORD FIRST(T) + i
//   ARRAY I OF T, ARRAY OF T       std::array<T, NUMBER(I)> (element i = index FIRST(I) + i), std::vector<T>
//   RECORD                         struct with the field names, defaults and operator==
// Named types keep their names (an alias for ordinals, sets and arrays); anonymous records and enumerations
// are named after where they occur (Rule_inner, AddRule_Result), types of other interfaces after the
// interface (Net_Color). Marshalling is straight-line code per type: one put/get function per record and
// array type, ordinals inline with their range as template arguments of Writer/Reader.
#include "stubs/HostStubs.h"

#include "stubs/CppNames.h"

#include "ast/AST.h"
#include "sema/ConstValue.h"
#include "sema/Types.h"
#include "spine/wire.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <vector>

namespace spx {
namespace {

using namespace stubs;

bool isBool(const Type *t) {
  auto *e = llvm::dyn_cast<EnumType>(t);
  return e && e->literals.size() == 2 && e->literals[0] == "FALSE" && e->literals[1] == "TRUE";
}

// The wire format is spine/wire.h's (docs/messages.md): the generator and both runtimes share its definitions.
unsigned ordinalWidth(int64_t lo, int64_t hi) { return spine_wire_ordinal_width(lo, hi); }

uint64_t numberOf(const Type *ordinal) {
  int64_t lo, hi;
  ordinalBounds(ordinal, lo, hi);
  return lo > hi ? 0 : static_cast<uint64_t>(static_cast<__int128>(hi) - lo + 1);
}

// The fewest bytes a value of `t` takes on the wire (for bounding open-array counts).
uint64_t minWireSize(const Type *t) {
  t = stripPacked(t);
  if (isOrdinal(t)) {
    int64_t lo, hi;
    ordinalBounds(t, lo, hi);
    return ordinalWidth(lo, hi);
  }
  switch (t->kind) {
  case TypeKind::Text: return 4;
  case TypeKind::OpenArray: return 4;
  case TypeKind::Set: return (numberOf(llvm::cast<SetType>(t)->element) + 63) / 64 * 8;
  case TypeKind::Array: {
    auto *a = llvm::cast<ArrayType>(t);
    uint64_t n = numberOf(a->index), e = minWireSize(a->element);
    return e != 0 && n > (uint64_t{1} << 40) / e ? (uint64_t{1} << 40) : n * e;
  }
  case TypeKind::Record: {
    uint64_t sum = 0;
    for (const auto &f : llvm::cast<RecordType>(t)->fields) sum = std::min(sum + minWireSize(f.type), uint64_t{1} << 40);
    return sum;
  }
  default: return 0;
  }
}

std::string intSpelling(int64_t lo, int64_t hi) {
  unsigned w = ordinalWidth(lo, hi);
  if (lo >= 0 && lo <= hi) return w == 1 ? "::std::uint8_t" : w == 2 ? "::std::uint16_t" : w == 4 ? "::std::uint32_t" : "::std::int64_t";
  return w == 1 ? "::std::int8_t" : w == 2 ? "::std::int16_t" : w == 4 ? "::std::int32_t" : "::std::int64_t";
}

std::string signature(const Symbol *proc) {
  auto *pt = llvm::cast<ProcType>(proc->type);
  std::string s = fmt::format("{}PROCEDURE {}(", proc->isEvent ? "<*EVENT*> " : "", proc->name.text);
  for (size_t i = 0; i < pt->params.size(); ++i) {
    const ProcParam &p = pt->params[i];
    if (i) s += "; ";
    if (p.mode == ParamMode::Readonly) s += "READONLY ";
    s += fmt::format("{}: {}", p.name, typeName(p.type));
  }
  s += ")";
  if (pt->result) s += ": " + typeName(pt->result);
  if (!pt->raises.empty()) {
    s += " RAISES {";
    for (size_t i = 0; i < pt->raises.size(); ++i) s += (i ? ", " : "") + pt->raises[i]->qualifiedName();
    s += "}";
  }
  return s;
}

class Generator {
public:
  explicit Generator(const InterfaceInfo &info)
      : info_(info), iface_(cppIdent(info.unit->name.text)), ns_("::spine_gen::" + iface_) {}

  HostStubs run();

private:
  // ---- types
  std::string typeRef(const Type *t, const std::string &context, bool qual);
  std::string structural(const Type *t, const std::string &context, bool qual);
  void defineRecord(const RecordType *r, const std::string &name);
  void defineEnum(const EnumType *e, const std::string &name);
  std::string q(const std::string &name, bool qual) const { return qual ? ns_ + "::" + name : name; }
  std::string localName(const Type *t) const {
    auto it = localNames_.find(t);
    return it == localNames_.end() ? std::string() : it->second;
  }
  std::string paramSpelling(const Type *t, const std::string &context, bool qual) {
    std::string s = typeRef(t, context, qual);
    return isOrdinal(t) ? s + " " : "const " + s + " &";
  }
  // ---- values
  std::string value(const ConstValue &v, const Type *t, bool qual);
  // ---- declarations
  void emitConst(const Symbol *sym);
  void emitException(const Symbol *sym, const std::string &name, const std::string &ifaceName);
  std::string exceptionName(Symbol *exc);
  // ---- marshalling (.cpp)
  std::string putStmt(const Type *t, const std::string &expr, const std::string &field, const std::string &indent);
  std::string getExpr(const Type *t, const std::string &field);
  std::string putFunction(const Type *t, const std::string &field);
  std::string getFunction(const Type *t, const std::string &field);
  std::string field(const std::string &f) const { return stringLiteral(f); }
  // ---- client
  void emitClient();

  const InterfaceInfo &info_;
  std::string iface_, ns_, client_;
  NameTable names_;                                          // namespace-level C++ names
  std::unordered_map<const Symbol *, std::string> symNames_;  // local Type/Const/Exception symbols
  std::unordered_map<const Type *, std::string> localNames_;  // the first local TYPE name of each type
  std::unordered_map<const Type *, std::string> typeNames_;   // types defined or aliased in the header
  std::unordered_map<const Symbol *, std::string> excNames_;  // exception classes
  std::unordered_map<const Type *, std::string> putFns_, getFns_;
  std::string decls_;    // header, namespace level, in dependency order
  std::string codecs_;   // .cpp, anonymous namespace
  std::string members_;  // .cpp, the client's member functions
  unsigned nextFn_ = 0;
};

std::string Generator::typeRef(const Type *t, const std::string &context, bool qual) {
  if (auto it = typeNames_.find(t); it != typeNames_.end()) return q(it->second, qual);
  const Type *s = stripPacked(t);
  if (auto it = typeNames_.find(s); it != typeNames_.end()) return q(it->second, qual);
  std::string local = localName(t);
  if (local.empty()) local = localName(s);
  if (s->kind == TypeKind::Record || (s->kind == TypeKind::Enum && !isBool(s))) {
    std::string name = local;
    if (name.empty()) {
      std::string wanted = s->name.empty() ? context : s->name;
      for (char &c : wanted)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
      name = names_.claim(cppIdent(wanted));
    }
    typeNames_[s] = name;  // before the definition: it cannot refer to itself (no REF), but names are fixed
    if (auto *r = llvm::dyn_cast<RecordType>(s)) defineRecord(r, name);
    else defineEnum(llvm::cast<EnumType>(s), name);
    return q(name, qual);
  }
  if (local.empty()) return structural(s, context, qual);
  std::string comment;
  if (isOrdinal(s)) {
    int64_t lo, hi;
    ordinalBounds(s, lo, hi);
    comment = fmt::format("  // [{}..{}]", lo, hi);
  }
  decls_ += fmt::format("using {} = {};{}\n", local, structural(s, local, false), comment);
  typeNames_[t] = local;
  return q(local, qual);
}

std::string Generator::structural(const Type *t, const std::string &context, bool qual) {
  t = stripPacked(t);
  switch (t->kind) {
  case TypeKind::Integer: return "::std::int64_t";
  case TypeKind::Char: return "char";
  case TypeKind::Text: return "::std::string";
  case TypeKind::Enum: return isBool(t) ? "bool" : typeRef(t, context, qual);
  case TypeKind::Subrange: {
    auto *s = llvm::cast<SubrangeType>(t);
    const Type *base = stripPacked(s->base);
    if (base->kind == TypeKind::Integer) return intSpelling(s->low, s->high);
    return structural(base, context, qual);
  }
  case TypeKind::Set: return fmt::format("::std::bitset<{}>", numberOf(llvm::cast<SetType>(t)->element));
  case TypeKind::Array: {
    auto *a = llvm::cast<ArrayType>(t);
    return fmt::format("::std::array<{}, {}>", typeRef(a->element, context + "_Elem", qual), numberOf(a->index));
  }
  case TypeKind::OpenArray:
    return fmt::format("::std::vector<{}>", typeRef(llvm::cast<OpenArrayType>(t)->element, context + "_Elem", qual));
  default: return "void";  // not marshallable: never asked for
  }
}

void Generator::defineRecord(const RecordType *r, const std::string &name) {
  // A field named like a type of the namespace would hide that type for the fields after it: qualify then.
  std::vector<std::string> fieldNames;
  bool qual = false;
  for (const auto &f : r->fields) {
    std::string n = cppIdent(f.name);
    if (n == name) n += "_";  // C++: a data member cannot have the name of its class
    qual = qual || names_.taken(n);
    fieldNames.push_back(n);
  }
  std::string body;
  for (size_t i = 0; i < r->fields.size(); ++i) {
    const RecordField &f = r->fields[i];
    std::string type = typeRef(f.type, name + "_" + std::string(f.name), qual);
    std::string init = f.dflt ? " = " + value(*f.dflt, f.type, qual) : "{}";
    body += fmt::format("  {} {}{};\n", type, fieldNames[i], init);
  }
  std::string eq;
  for (const std::string &n : fieldNames) eq += fmt::format("{}a.{} == b.{}", eq.empty() ? "" : " && ", n, n);
  if (eq.empty())
    body += fmt::format("  friend bool operator==(const {0} &, const {0} &) {{ return true; }}\n", name);
  else
    body += fmt::format("  friend bool operator==(const {0} &a, const {0} &b) {{ return {1}; }}\n", name, eq);
  body += fmt::format("  friend bool operator!=(const {0} &a, const {0} &b) {{ return !(a == b); }}\n", name);
  decls_ += fmt::format("struct {} {{\n{}}};\n\n", name, body);
}

void Generator::defineEnum(const EnumType *e, const std::string &name) {
  size_t n = e->literals.size();
  std::string base = n <= 0x100 ? "::std::uint8_t" : n <= 0x10000 ? "::std::uint16_t" : "::std::uint32_t";
  std::string lits;
  for (size_t i = 0; i < n; ++i) lits += fmt::format("{}{}", i ? ", " : "", cppIdent(e->literals[i]));
  decls_ += fmt::format("enum class {} : {} {{ {} }};\n\n", name, base, lits);
}

std::string Generator::value(const ConstValue &v, const Type *t, bool qual) {
  t = stripPacked(t);
  if (isOrdinal(t)) {
    const Type *base = ordinalBase(t);
    if (isBool(base)) return v.i ? "true" : "false";
    if (auto *e = llvm::dyn_cast<EnumType>(base))
      return typeRef(base, "Enum", qual) + "::" + cppIdent(e->literals[static_cast<size_t>(v.i)]);
    if (base->kind == TypeKind::Char) return fmt::format("static_cast<char>({})", v.i);
    std::string spelling = structural(t, "", qual);
    return spelling == "::std::int64_t" ? int64Literal(v.i) : fmt::format("static_cast<{}>({})", spelling, v.i);
  }
  switch (t->kind) {
  case TypeKind::Text: return fmt::format("::std::string({}, {})", stringLiteral(v.text), v.text.size());
  case TypeKind::Set: {
    int64_t lo, hi;
    const Type *elem = llvm::cast<SetType>(t)->element;
    ordinalBounds(elem, lo, hi);
    std::string bits;
    for (int64_t m : v.members) bits += fmt::format("{}{}", bits.empty() ? "" : ", ", m - lo);
    return fmt::format("::spine::host::makeSet<{}>({{{}}})", numberOf(elem), bits);
  }
  case TypeKind::Array: {
    auto *a = llvm::cast<ArrayType>(t);
    std::string elems;
    for (uint64_t k = 0; k < elementCount(v); ++k)
      elems += (elems.empty() ? "" : ", ") + value(*elementAt(v, k), a->element, qual);
    return fmt::format("{}{{{{{}}}}}", typeRef(t, "Array", qual), elems);
  }
  case TypeKind::Record: {
    auto *r = llvm::cast<RecordType>(t);
    std::string elems;
    for (size_t i = 0; i < v.elems.size() && i < r->fields.size(); ++i)
      elems += (i ? ", " : "") + value(*v.elems[i], r->fields[i].type, qual);
    return fmt::format("{}{{{}}}", typeRef(t, "Record", qual), elems);
  }
  default: return "{}";
  }
}

void Generator::emitConst(const Symbol *sym) {
  const std::string &name = symNames_.at(sym);
  if (!sym->value || !crossesHostChannel(sym->type, false)) {
    decls_ += fmt::format("// CONST {}: of type {}, which has no C++ equivalent here\n\n", sym->name.text,
                          typeName(sym->type));
    return;
  }
  const Type *t = stripPacked(sym->type);
  std::string type = typeRef(sym->type, name + "_Type", false);
  std::string init = value(*sym->value, sym->type, false);
  if (isOrdinal(t))
    decls_ += fmt::format("inline constexpr {} {} = {};\n", type, name, init);
  else if (t->kind == TypeKind::Text)
    decls_ += fmt::format("inline constexpr ::std::string_view {} = ::std::string_view({}, {});\n", name,
                          stringLiteral(sym->value->text), sym->value->text.size());
  else
    decls_ += fmt::format("inline const {} {} = {};\n", type, name, init);
}

void Generator::emitException(const Symbol *sym, const std::string &name, const std::string &ifaceName) {
  std::string base = fmt::format("::spine::host::RemoteException({}, {})", stringLiteral(ifaceName),
                                 stringLiteral(std::string(sym->name.text)));
  if (!sym->excArg) {
    decls_ += fmt::format("class {0} : public ::spine::host::RemoteException {{\npublic:\n  {0}() : {1} {{}}\n}};\n\n",
                          name, base);
    return;
  }
  std::string arg = typeRef(sym->excArg, name + "_Arg", true);
  bool byValue = isOrdinal(sym->excArg);
  decls_ += fmt::format(
      "class {0} : public ::spine::host::RemoteException {{\npublic:\n"
      "  explicit {0}({1} arg) : {2}, arg_({3}) {{}}\n"
      "  {4}arg() const {{ return arg_; }}\n\nprivate:\n  {1} arg_;\n}};\n\n",
      name, arg, base, byValue ? "arg" : "::std::move(arg)", byValue ? arg + " " : "const " + arg + " &");
}

std::string Generator::exceptionName(Symbol *exc) {
  if (auto it = symNames_.find(exc); it != symNames_.end()) return it->second;
  if (auto it = excNames_.find(exc); it != excNames_.end()) return it->second;
  // An exception of another interface that a request raises.
  std::string iface = exc->unit ? std::string(exc->unit->name.text) : std::string("Module");
  std::string name = names_.claim(cppIdent(iface + "_" + std::string(exc->name.text)));
  excNames_[exc] = name;
  emitException(exc, name, iface);
  return name;
}

// ---- marshalling

std::string Generator::putStmt(const Type *t, const std::string &expr, const std::string &f,
                               const std::string &indent) {
  const Type *s = stripPacked(t);
  if (isOrdinal(s)) {
    int64_t lo, hi;
    ordinalBounds(s, lo, hi);
    const Type *base = ordinalBase(s);
    std::string ord;
    if (isBool(base)) {
      if (lo == 0 && hi == 1) return fmt::format("{}w.boolean({});\n", indent, expr);
      ord = fmt::format("({} ? 1 : 0)", expr);
    } else if (base->kind == TypeKind::Char) {
      ord = fmt::format("static_cast<::std::int64_t>(static_cast<unsigned char>({}))", expr);
    } else {
      ord = fmt::format("static_cast<::std::int64_t>({})", expr);
    }
    return fmt::format("{}w.ordinal<{}, {}>({}, {});\n", indent, int64Literal(lo), int64Literal(hi), ord, field(f));
  }
  if (s->kind == TypeKind::Text) return fmt::format("{}w.text({}, {});\n", indent, expr, field(f));
  if (s->kind == TypeKind::Set) return fmt::format("{}w.set({});\n", indent, expr);
  return fmt::format("{}{}(w, {});\n", indent, putFunction(s, f), expr);
}

std::string Generator::getExpr(const Type *t, const std::string &f) {
  const Type *s = stripPacked(t);
  if (isOrdinal(s)) {
    int64_t lo, hi;
    ordinalBounds(s, lo, hi);
    const Type *base = ordinalBase(s);
    std::string read = fmt::format("r.ordinal<{}, {}>({})", int64Literal(lo), int64Literal(hi), field(f));
    if (isBool(base)) return lo == 0 && hi == 1 ? fmt::format("r.boolean({})", field(f)) : "(" + read + " != 0)";
    return fmt::format("static_cast<{}>({})", typeRef(t, f, true), read);
  }
  if (s->kind == TypeKind::Text) return fmt::format("r.text({})", field(f));
  if (s->kind == TypeKind::Set)
    return fmt::format("r.set<{}>({})", numberOf(llvm::cast<SetType>(s)->element), field(f));
  return getFunction(s, f) + "(r)";
}

std::string Generator::putFunction(const Type *t, const std::string &f) {
  if (auto it = putFns_.find(t); it != putFns_.end()) return it->second;
  std::string fn = fmt::format("spx_put_{}", nextFn_++);
  putFns_[t] = "::" + fn;
  std::string type = typeRef(t, f, true);
  std::string body;
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    std::string rec = typeNames_.at(t);
    for (const auto &fd : r->fields) {
      std::string member = cppIdent(fd.name);
      if (member == rec) member += "_";
      body += putStmt(fd.type, "v." + member, rec + "." + std::string(fd.name), "  ");
    }
    if (r->fields.empty()) body = "  (void)w;\n  (void)v;\n";
  } else {
    const Type *elem = elementOf(t);
    if (t->kind == TypeKind::OpenArray) body += fmt::format("  w.count(v.size(), {});\n", field(f));
    body += "  for (const auto &e : v) {\n" + putStmt(elem, "e", f + "[]", "    ") + "  }\n";
    if (t->kind == TypeKind::Array && numberOf(llvm::cast<ArrayType>(t)->index) == 0) body = "  (void)w;\n  (void)v;\n";
  }
  codecs_ += fmt::format("void {}(::spine::host::Writer &w, const {} &v) {{\n{}}}\n\n", fn, type, body);
  return "::" + fn;
}

std::string Generator::getFunction(const Type *t, const std::string &f) {
  if (auto it = getFns_.find(t); it != getFns_.end()) return it->second;
  std::string fn = fmt::format("spx_get_{}", nextFn_++);
  getFns_[t] = "::" + fn;
  std::string type = typeRef(t, f, true);
  std::string body;
  if (auto *r = llvm::dyn_cast<RecordType>(t)) {
    std::string rec = typeNames_.at(t);
    body = fmt::format("  {} v;\n", type);
    for (const auto &fd : r->fields) {
      std::string member = cppIdent(fd.name);
      if (member == rec) member += "_";
      body += fmt::format("  v.{} = {};\n", member, getExpr(fd.type, rec + "." + std::string(fd.name)));
    }
    if (r->fields.empty()) body += "  (void)r;\n";
    body += "  return v;\n";
  } else if (t->kind == TypeKind::Array) {
    const Type *elem = llvm::cast<ArrayType>(t)->element;
    body = fmt::format("  {} v;\n", type);
    if (numberOf(llvm::cast<ArrayType>(t)->index) == 0) body += "  (void)r;\n";
    else body += fmt::format("  for (auto &e : v) e = {};\n", getExpr(elem, f + "[]"));
    body += "  return v;\n";
  } else {
    const Type *elem = llvm::cast<OpenArrayType>(t)->element;
    body = fmt::format("  ::std::size_t n = r.count({}, {});\n  {} v;\n  v.reserve(n);\n", minWireSize(elem),
                       field(f), type);
    body += fmt::format("  for (::std::size_t i = 0; i < n; ++i) v.push_back({});\n  return v;\n",
                        getExpr(elem, f + "[]"));
  }
  codecs_ += fmt::format("{} {}(::spine::host::Reader &r) {{\n{}}}\n\n", type, fn, body);
  return "::" + fn;
}

// ---- the client class

void Generator::emitClient() {
  // Sema numbered the requests and events: their index here is their number on the wire.
  const std::vector<Symbol *> &requests = info_.requests, &events = info_.events;
  // Member names: a request or event name, or a parameter, that is also a name of the namespace would hide it
  // inside the class, so the class then spells every type in full.
  NameTable members;
  members.reserve("channel");
  members.reserve("channel_");
  bool qual = false;
  for (Symbol *p : requests) qual = qual || names_.taken(cppIdent(p->name.text));
  for (Symbol *p : requests)
    for (const ProcParam &pp : llvm::cast<ProcType>(p->type)->params) qual = qual || names_.taken(cppIdent(pp.name));
  for (Symbol *p : events)
    for (const ProcParam &pp : llvm::cast<ProcType>(p->type)->params) qual = qual || names_.taken(cppIdent(pp.name));

  std::string cls;
  std::string fp = ns_ + "::kFingerprint";
  for (size_t index = 0; index < requests.size(); ++index) {
    Symbol *p = requests[index];
    auto *pt = llvm::cast<ProcType>(p->type);
    std::string pname(p->name.text);
    std::string method = members.claim(cppIdent(pname));
    std::string async = members.claim(cppIdent(pname + "Async"));
    std::string oneWay = members.claim(cppIdent(pname + "Send"));
    NameTable locals;
    locals.reserve("timeout");
    locals.reserve("w");  // the Writer of the encoder and the methods
    std::string params, paramsQ, args;
    std::string encodeBody = fmt::format(
        "  w.begin(::spine::host::wire::MessageKind::Request, {}, {});\n", fp, index);
    for (const ProcParam &pp : pt->params) {
      std::string n = locals.claim(cppIdent(pp.name));
      params += paramsQ.empty() ? "" : ", ";
      paramsQ += paramsQ.empty() ? "" : ", ";
      args += args.empty() ? "" : ", ";
      std::string ctx = pname + "_" + std::string(pp.name);
      params += paramSpelling(pp.type, ctx, qual) + n;
      paramsQ += paramSpelling(pp.type, ctx, true) + n;
      args += n;
      encodeBody += putStmt(pp.type, n, pname + "." + std::string(pp.name), "  ");
    }
    std::string result = pt->result ? typeRef(pt->result, pname + "_Result", qual) : "void";
    std::string resultQ = pt->result ? typeRef(pt->result, pname + "_Result", true) : "void";
    std::vector<std::string> excs;
    for (Symbol *e : pt->raises) excs.push_back(exceptionName(e));

    // Header: the two methods.
    cls += fmt::format("  // Request {}: {}\n", index, signature(p));
    cls += fmt::format("  {} {}({}{}::std::chrono::nanoseconds timeout = ::spine::host::kDefaultTimeout);\n", result,
                       method, params, params.empty() ? "" : ", ");
    cls += fmt::format("  ::std::future<{}> {}({});\n", result, async, params);
    cls += fmt::format("  void {}({});  // one way: the reply is not awaited\n\n", oneWay, params);

    // Source: encoder, decoder, methods.
    std::string enc = fmt::format("spx_encode_{}", nextFn_++), dec = fmt::format("spx_decode_{}", nextFn_++);
    codecs_ += fmt::format("// {}\nvoid {}(::spine::host::Writer &w{}{}) {{\n{}}}\n\n", signature(p), enc,
                           paramsQ.empty() ? "" : ", ", paramsQ, encodeBody);
    std::string decodeBody = "  ::spine::host::Reader r(reply, size);\n";
    decodeBody += fmt::format("  if (::spine::host::openReply(r, {}, {}) == ::spine::host::wire::MessageKind::Exception) {{\n",
                              fp, index);
    if (excs.empty()) {
      decodeBody += "    ::spine::host::exceptionPosition(r, 0);\n";
    } else {
      decodeBody += fmt::format("    switch (::spine::host::exceptionPosition(r, {})) {{\n", excs.size());
      for (size_t k = 0; k < excs.size(); ++k) {
        Symbol *e = pt->raises[k];
        std::string cls_ = ns_ + "::" + excs[k];
        if (e->excArg)
          decodeBody += fmt::format("    case {}: {{\n      {} arg = {};\n      r.end();\n      throw {}(::std::move(arg));\n    }}\n",
                                    k, typeRef(e->excArg, excs[k] + "_Arg", true),
                                    getExpr(e->excArg, e->qualifiedName() + ".arg"), cls_);
        else
          decodeBody += fmt::format("    case {}:\n      r.end();\n      throw {}();\n", k, cls_);
      }
      decodeBody += "    default:\n      break;\n    }\n";
      decodeBody += "    r.fail(\"exception.position\", \"not an exception of this request\");\n";
    }
    decodeBody += "  }\n";
    if (pt->result) {
      decodeBody += fmt::format("  {} result = {};\n  r.end();\n  return result;\n", resultQ,
                                getExpr(pt->result, pname + ".result"));
    } else {
      decodeBody += "  r.end();\n";
    }
    codecs_ += fmt::format("{} {}(const ::std::uint8_t *reply, ::std::size_t size) {{\n{}}}\n\n", resultQ, dec,
                           decodeBody);
    // Each method marshals into a Writer on its own stack (inline storage: no allocation for a small message).
    std::string encode = fmt::format("  ::spine::host::Writer w;\n  ::{}(w{}{});\n", enc, args.empty() ? "" : ", ", args);
    members_ += fmt::format("{} {}::{}({}{}::std::chrono::nanoseconds timeout) {{\n{}"
                            "  return ::spine::host::callSync(channel_, w, timeout, &::{});\n}}\n\n",
                            resultQ, client_, method, paramsQ, paramsQ.empty() ? "" : ", ", encode, dec);
    members_ += fmt::format("::std::future<{}> {}::{}({}) {{\n{}"
                            "  return ::spine::host::callAsync<{}>(channel_, w, &::{});\n}}\n\n",
                            resultQ, client_, async, paramsQ, encode, resultQ, dec);
    members_ += fmt::format("void {}::{}({}) {{\n{}  ::spine::host::callOneWay(channel_, w);\n}}\n\n", client_,
                            oneWay, paramsQ, encode);
  }

  for (size_t index = 0; index < events.size(); ++index) {
    Symbol *p = events[index];
    auto *pt = llvm::cast<ProcType>(p->type);
    std::string pname(p->name.text);
    std::string method = members.claim(cppIdent("on" + pname));
    std::string handlerType = members.claim(cppIdent(pname + "Handler"));
    std::string params, paramsQ, decode, args;
    NameTable locals;
    for (const ProcParam &pp : pt->params) {
      std::string n = locals.claim(cppIdent(pp.name));
      std::string ctx = pname + "_" + std::string(pp.name);
      params += (params.empty() ? "" : ", ") + paramSpelling(pp.type, ctx, qual) + n;
      decode += fmt::format("    {} {} = {};\n", typeRef(pp.type, ctx, true), n,
                            getExpr(pp.type, pname + "." + std::string(pp.name)));
      args += (args.empty() ? "" : ", ") + n;
    }
    cls += fmt::format("  // Event {}: {}\n", index, signature(p));
    cls += fmt::format("  using {} = ::std::function<void({})>;\n", handlerType, params);
    cls += fmt::format("  [[nodiscard]] ::spine::host::Subscription {}({} handler);\n\n", method, handlerType);
    members_ += fmt::format(
        "::spine::host::Subscription {0}::{1}({0}::{2} handler) {{\n"
        "  return channel_.subscribe({3}, {4}, [handler](const ::std::uint8_t *message, ::std::size_t size) {{\n"
        "    ::spine::host::Reader r(message, size);\n"
        "    ::spine::host::openEvent(r, {3}, {4});\n{5}    r.end();\n    handler({6});\n  }});\n}}\n\n",
        client_, method, handlerType, fp, index, decode, args);
  }

  decls_ += fmt::format(
      "// The host's side of {0}: requests as blocking calls (Timeout after `timeout`) and as asynchronous calls,\n"
      "// events as subscriptions (callbacks run on the channel's receive thread while the Subscription lives).\n"
      "// The Channel must outlive the client.\n"
      "class {1} {{\npublic:\n  explicit {1}(::spine::host::Channel &channel) : channel_(channel) {{}}\n"
      "  ::spine::host::Channel &channel() const {{ return channel_; }}\n\n{2}"
      "private:\n  ::spine::host::Channel &channel_;\n}};\n",
      info_.unit->name.text, client_, cls);
}

HostStubs Generator::run() {
  std::string name(info_.unit->name.text);
  client_ = names_.claim(cppIdent(name + "Client"));
  names_.reserve("kFingerprint");
  names_.reserve("kInterfaceName");
  std::vector<Symbol *> own;
  for (Symbol *sym : info_.scope->symbols()) {
    if (sym->unit != info_.unit) continue;
    own.push_back(sym);
    if (sym->kind == SymKind::Type || sym->kind == SymKind::Const || sym->kind == SymKind::Exception)
      symNames_[sym] = names_.claim(cppIdent(sym->name.text));
    if (sym->kind == SymKind::Type && sym->type && !localNames_.count(sym->type))
      localNames_[sym->type] = symNames_[sym];
  }
  for (Symbol *sym : own) {
    switch (sym->kind) {
    case SymKind::Type: {
      const std::string &n = symNames_[sym];
      if (!crossesHostChannel(sym->type, true)) {
        decls_ += fmt::format("// TYPE {} = {}: cannot cross the host channel, no C++ equivalent\n\n",
                              sym->name.text, typeName(sym->type));
        break;
      }
      std::string ref = typeRef(sym->type, n, false);
      if (ref != n) decls_ += fmt::format("using {} = {};\n", n, ref);
      break;
    }
    case SymKind::Const: emitConst(sym); break;
    case SymKind::Exception: emitException(sym, symNames_[sym], name); break;
    default: break;
    }
  }
  decls_ += "\n";
  emitClient();

  HostStubs out;
  out.headerName = name + ".h";
  out.sourceName = name + ".cpp";
  std::string banner = fmt::format(
      "// Generated by spinec {} from the message interface {}. Do not edit.\n"
      "// Wire format: docs/messages.md; runtime: spine/host/Stubs.h (hostrt).\n",
      SPINE_VERSION, name);
  out.header = banner + "#pragma once\n\n#include <spine/host/Stubs.h>\n\nnamespace spine_gen {\nnamespace " + iface_ +
               " {\n\n" +
               fmt::format("inline constexpr ::std::uint64_t kFingerprint = {};\n", uint64Literal(info_.fingerprint)) +
               fmt::format("inline constexpr const char *kInterfaceName = {};\n\n", stringLiteral(name)) + decls_ +
               "\n}  // namespace " + iface_ + "\n}  // namespace spine_gen\n";
  out.source = banner + "#include \"" + out.headerName + "\"\n\n#include <utility>\n\nnamespace {\n\n" + codecs_ +
               "}  // namespace\n\nnamespace spine_gen {\nnamespace " + iface_ + " {\n\n" + members_ +
               "}  // namespace " + iface_ + "\n}  // namespace spine_gen\n";
  return out;
}

}  // namespace

HostStubs generateHostStubs(const InterfaceInfo &iface) { return Generator(iface).run(); }

bool writeHostStubs(const InterfaceInfo &iface, const std::string &dir, std::string &error) {
  namespace fs = std::filesystem;
  HostStubs stubs = generateHostStubs(iface);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    error = fmt::format("cannot create directory '{}': {}", dir, ec.message());
    return false;
  }
  for (auto [file, text] : {std::pair{&stubs.headerName, &stubs.header}, std::pair{&stubs.sourceName, &stubs.source}}) {
    fs::path p = fs::path(dir) / *file;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    if (out) out << *text;
    if (out) out.close();
    if (!out) {
      error = fmt::format("cannot write '{}': {}", p.string(), std::strerror(errno));
      return false;
    }
  }
  return true;
}

}  // namespace spx
