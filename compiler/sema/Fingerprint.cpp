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
    // Types that share components (`T2 = RECORD a, b: REF T1 END`, ...) expand to text exponential in their
    // depth: past the budget the text is cut short and the interface refused, instead of a hang.
    if (out_.size() > kMaxFingerprintText) {
      exceeded_ = true;
      return;
    }
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
      if (backReference(t)) return;
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
      // A procedure type may mention itself (`P = PROCEDURE (p: P)`): a cycle is spelled as a back reference.
      if (backReference(t)) return;
      unsigned depth = static_cast<unsigned>(onPath_.size());
      onPath_[t] = depth;
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
      onPath_.erase(t);
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
  // Whether `t` is being spelled already (a cycle): then spells its depth on the path instead.
  bool backReference(const Type *t) {
    auto it = onPath_.find(t);
    if (it == onPath_.end()) return false;
    out_ += "^" + std::to_string(it->second);
    return true;
  }

  std::string &out_;
  std::unordered_map<const Type *, unsigned> onPath_;

public:
  bool exceeded_ = false;  // REF and procedure types being spelled, by depth
};

}  // namespace

namespace {
std::string canonicalText(const InterfaceInfo &info, bool &exceeded) {
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
  exceeded = c.exceeded_;
  return out;
}
}  // namespace

std::string fingerprintText(const InterfaceInfo &info) {
  bool exceeded = false;
  return canonicalText(info, exceeded);
}

std::optional<uint64_t> fingerprint(const InterfaceInfo &info) {
  bool exceeded = false;
  std::string text = canonicalText(info, exceeded);
  if (exceeded) return std::nullopt;
  return llvm::xxh3_64bits(llvm::StringRef(text));
}

}  // namespace spx
