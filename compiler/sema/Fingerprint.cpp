#include "sema/Fingerprint.h"

#include "sema/ConstValue.h"
#include "sema/Scope.h"
#include "sema/Types.h"

#include <llvm/Support/xxhash.h>

#include <unordered_map>

namespace spx {
namespace {

class Canonicalizer {
public:
  explicit Canonicalizer(std::string &out) : out_(out) {}

  void type(const Type *t) {
    if (!t) {
      out_ += "_";
      return;
    }
    switch (t->kind) {
    case TypeKind::Error: out_ += "?"; return;
    case TypeKind::Integer: out_ += "I"; return;
    case TypeKind::Char: out_ += "C"; return;
    case TypeKind::Text: out_ += "X"; return;
    case TypeKind::Refany: out_ += "A"; return;
    case TypeKind::Null: out_ += "N"; return;
    case TypeKind::Address: out_ += "@"; return;
    case TypeKind::Real: out_ += "F"; return;
    case TypeKind::Enum: {
      out_ += "E{";
      for (auto lit : llvm::cast<EnumType>(t)->literals) out_ += std::string(lit) + ",";
      out_ += "}";
      return;
    }
    case TypeKind::Subrange: {
      auto *s = llvm::cast<SubrangeType>(t);
      out_ += "S[" + std::to_string(s->low) + "," + std::to_string(s->high) + "]";
      type(s->base);
      return;
    }
    case TypeKind::Set: out_ += "Z"; type(llvm::cast<SetType>(t)->element); return;
    case TypeKind::Array:
      out_ += "Y";
      type(llvm::cast<ArrayType>(t)->index);
      type(llvm::cast<ArrayType>(t)->element);
      return;
    case TypeKind::OpenArray: out_ += "O"; type(llvm::cast<OpenArrayType>(t)->element); return;
    case TypeKind::Record: {
      out_ += "R{";
      for (const auto &f : llvm::cast<RecordType>(t)->fields) {
        out_ += std::string(f.name) + ":";
        type(f.type);
        if (f.dflt) out_ += "=" + formatValue(*f.dflt, f.type);
        out_ += ";";
      }
      out_ += "}";
      return;
    }
    case TypeKind::Packed: {
      auto *p = llvm::cast<PackedType>(t);
      out_ += "B" + std::to_string(p->bits) + (p->netOrder ? "n" : "");
      type(p->base);
      return;
    }
    case TypeKind::Ref: {
      auto *r = llvm::cast<RefType>(t);
      auto it = onPath_.find(r);
      if (it != onPath_.end()) {
        out_ += "^" + std::to_string(it->second);
        return;
      }
      out_ += "P";
      if (r->branded) out_ += "b\"" + r->brand + "\"" + (r->brand.empty() ? r->name : "");
      unsigned depth = static_cast<unsigned>(onPath_.size());
      onPath_[r] = depth;
      type(r->target);
      onPath_.erase(r);
      return;
    }
    case TypeKind::Procedure: {
      auto *p = llvm::cast<ProcType>(t);
      out_ += "Q(";
      for (const auto &param : p->params) {
        out_ += param.mode == ParamMode::Var ? "v" : param.mode == ParamMode::Readonly ? "r" : "";
        out_ += std::string(param.name) + ":";
        type(param.type);
        if (param.dflt) out_ += "=" + formatValue(*param.dflt, param.type);
        out_ += ";";
      }
      out_ += ")";
      type(p->result);
      out_ += p->raisesAny ? "!*" : "!";
      for (Symbol *e : p->raises) out_ += e->qualifiedName() + ",";
      return;
    }
    case TypeKind::Opaque:
      // The supertype is part of the contract: a local copy of Packet.spi that reveals more must not match.
      out_ += "T" + t->name + "<:";
      type(llvm::cast<OpaqueType>(t)->super);
      return;
    }
  }

private:
  std::string &out_;
  std::unordered_map<const RefType *, unsigned> onPath_;
};

}  // namespace

std::string fingerprintText(const InterfaceInfo &info) {
  std::string out = "INTERFACE " + std::string(info.unit->name.text) + (info.unit->isMessages() ? " MESSAGES" : "") + "\n";
  Canonicalizer c(out);
  for (const Symbol *s : info.scope->symbols()) {
    switch (s->kind) {
    case SymKind::Const:
      out += "CONST " + std::string(s->name.text) + ":";
      c.type(s->type);
      if (s->value) out += "=" + formatValue(*s->value, s->type);
      break;
    case SymKind::Type: out += "TYPE " + std::string(s->name.text) + "="; c.type(s->type); break;
    case SymKind::Var: out += "VAR " + std::string(s->name.text) + ":"; c.type(s->type); break;
    case SymKind::Exception: out += "EXCEPTION " + std::string(s->name.text) + "("; c.type(s->excArg); out += ")"; break;
    case SymKind::Procedure:
      out += std::string(s->isEvent ? "EVENT " : "PROCEDURE ") + std::string(s->name.text);
      c.type(s->type);
      break;
    default: continue;
    }
    out += "\n";
  }
  return out;
}

uint64_t fingerprint(const InterfaceInfo &info) {
  std::string text = fingerprintText(info);
  return llvm::xxh3_64bits(llvm::StringRef(text));
}

}  // namespace spx
