#include "sema/Scope.h"

namespace spx {

std::string Symbol::qualifiedName() const {
  if (unit && unit->isInterface() && level == 0 && kind != SymKind::Interface)
    return std::string(unit->name.text) + "." + std::string(name.text);
  return std::string(name.text);
}

Symbol *Scope::insert(Symbol *sym) {
  auto [it, inserted] = map_.emplace(sym->name.text, sym);
  if (!inserted) return it->second;
  order_.push_back(sym);
  return nullptr;
}

Symbol *Scope::lookupLocal(std::string_view name) const {
  auto it = map_.find(name);
  return it == map_.end() ? nullptr : it->second;
}

Symbol *Scope::lookup(std::string_view name) const {
  for (const Scope *s = this; s; s = s->parent_)
    if (Symbol *sym = s->lookupLocal(name)) return sym;
  return nullptr;
}

}  // namespace spx
