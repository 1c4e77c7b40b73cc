// Symbols and scopes. Every name a program can use resolves to one Symbol; declarations are resolved lazily
// (on first use or in order), which implements Modula-3's rule that all names of a scope are visible
// throughout it, and lets us detect illegal recursion (`CONST a = b; b = a`) with the Resolving state.
#pragma once

#include "ast/AST.h"
#include "sema/ConstValue.h"

#include <string_view>
#include <unordered_map>
#include <vector>

namespace spx {

class Type;
class Scope;
struct InterfaceInfo;

enum class SymKind : uint8_t {
  Const, Type, Var, Param, Exception, Procedure, Interface, Builtin, ForVar, WithVar, HandlerVar, Error
};

struct Symbol {
  SymKind kind = SymKind::Error;
  Ident name;
  Decl *decl = nullptr;       // the declaration, when there is one
  Unit *unit = nullptr;       // the unit that declares it
  Scope *scope = nullptr;     // the scope that declares it; lazy resolution happens there
  enum class State : uint8_t { Unresolved, Resolving, Resolved } state = State::Unresolved;

  const Type *type = nullptr;         // Const/Var/Param/Procedure/ForVar/WithVar: its type; Type: the type
  const ConstValue *value = nullptr;  // Const (and procedures, as procedure constants)
  Builtin builtin = Builtin::None;    // Builtin
  ParamMode mode = ParamMode::Value;  // Param
  bool writable = false;              // Var/Param/WithVar bound to a writable designator
  const Type *excArg = nullptr;       // Exception: its argument type, null if none
  InterfaceInfo *iface = nullptr;     // Interface
  unsigned level = 0;                 // procedure nesting depth where declared (0 = unit level)
  bool isEvent = false;               // Procedure declared <*EVENT*>
  WithStmt::Binding *withBinding = nullptr;
  std::string qualifiedName() const;
};

class Scope {
public:
  enum class Kind { Builtins, Unit, Procedure, Block };
  Scope(Kind kind, Scope *parent) : kind_(kind), parent_(parent) {}

  // Returns the symbol already declared under that name, or null after inserting `sym`.
  Symbol *insert(Symbol *sym);
  Symbol *lookupLocal(std::string_view name) const;
  Symbol *lookup(std::string_view name) const;
  Scope *parent() const { return parent_; }
  Kind kind() const { return kind_; }
  const std::vector<Symbol *> &symbols() const { return order_; }

private:
  Kind kind_;
  Scope *parent_;
  std::unordered_map<std::string_view, Symbol *> map_;
  std::vector<Symbol *> order_;  // declaration order, for deterministic iteration
};

// What Sema knows about one interface once it is checked.
struct InterfaceInfo {
  Unit *unit = nullptr;
  Scope *scope = nullptr;
  uint64_t fingerprint = 0;
  bool checking = false;  // import cycle detection
  bool failed = false;    // had errors: importers do not report more about it
  // Filled while checking modules: which modules export it and which of its procedures they implement.
  std::vector<Unit *> exporters;
  std::vector<Symbol *> implemented;
  // A message interface, as Sema checked it: its requests and its events, each in declaration order, which is
  // its number on the wire (docs/messages.md). The manifest and the host stubs read these.
  std::vector<Symbol *> requests, events;
};

}  // namespace spx
