// Units: procedures (declared first, so calls may go anywhere), global variables, exceptions, module bodies
// in initialisation order, the image's entry "spx.init", and the facts the manifest records.
#include "codegen/detail/CG.h"

#include "spine/abi.h"

#include <llvm/IR/Verifier.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <filesystem>
#include <functional>

namespace spx::cg {

CodeGen::CodeGen(const CodeGenInput &in, const SourceManager &sm, const TypeContext &types, const Options &opts,
                 CodeGenOutput &out)
    : in_(in), sm(sm), types(types), opts(opts), out(out), ctx(*out.context) {}

namespace {
InterfaceInfo *findInterface(const CodeGenInput &in, std::string_view name) {
  for (InterfaceInfo *i : in.interfaces)
    if (i->unit && i->unit->name.text == name) return i;
  return nullptr;
}

// The interfaces module `m` exports, as Sema recorded them (EXPORTS, or its own name's interface).
std::vector<InterfaceInfo *> exportsOf(const Unit *m, const CodeGenInput &in) {
  std::vector<InterfaceInfo *> out;
  for (InterfaceInfo *i : in.interfaces)
    if (i->unit && std::find(i->exporters.begin(), i->exporters.end(), m) != i->exporters.end()) out.push_back(i);
  return out;
}
}  // namespace

bool CodeGen::isRuntimeUnit(const Unit *u) const {
  for (const InterfaceInfo *i : in_.fromRuntime)
    if (i->unit == u) return true;
  return false;
}

std::string CodeGen::symbolName(Symbol *sym) {
  if (sym->unit) return std::string(sym->unit->name.text) + "." + std::string(sym->name.text);
  return std::string(sym->name.text);
}

void CodeGen::run(const std::string &triple, const std::string &dataLayout) {
  std::string name = in_.modules.empty() ? "spx" : std::string(in_.modules.front()->name.text);
  out.module = std::make_unique<llvm::Module>(name, ctx);
  mod = out.module.get();
  mod->setTargetTriple(triple);
  mod->setDataLayout(dataLayout);
  out.mainModule = name;
  b = std::make_unique<llvm::IRBuilder<>>(ctx);
  ptrTy = b->getPtrTy();
  i64Ty = b->getInt64Ty();
  i32Ty = b->getInt32Ty();
  i8Ty = b->getInt8Ty();
  i1Ty = b->getInt1Ty();

  // struct spx_state { int64 fuel; uintptr stack_limit; void *exc; void *runtime; }
  auto *stateTy = llvm::StructType::create(ctx, {i64Ty, i64Ty, ptrTy, ptrTy}, "spx_state");
  state = new llvm::GlobalVariable(*mod, stateTy, false, llvm::GlobalValue::ExternalLinkage,
                                   llvm::Constant::getNullValue(stateTy), "spx.state");
  auto *trapTy = llvm::FunctionType::get(b->getVoidTy(), {i32Ty, i32Ty}, false);
  trapFn = mod->getOrInsertFunction("spx_rt_trap", trapTy);
  llvm::cast<llvm::Function>(trapFn.getCallee())->setDoesNotReturn();
  llvm::cast<llvm::Function>(trapFn.getCallee())->addFnAttr(llvm::Attribute::Cold);
  llvm::cast<llvm::Function>(trapFn.getCallee())->addFnAttr(llvm::Attribute::NoUnwind);
  // The runtime's trap handler reads none of the extension's memory: so the optimiser may keep the fuel
  // counter in a register through a loop and store it only on the way out.
  llvm::cast<llvm::Function>(trapFn.getCallee())->setMemoryEffects(llvm::MemoryEffects::inaccessibleMemOnly());
  newFn = mod->getOrInsertFunction("spx_rt_new", llvm::FunctionType::get(ptrTy, {i64Ty, i32Ty}, false));

  // The oracle (--oracle) names the source line of each access it checks from these debug locations; it strips
  // them again when -g was not asked for (OracleInstrument.cpp).
  if (opts.debugInfo || opts.oracle) {
    di = std::make_unique<llvm::DIBuilder>(*mod);
    mod->addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
    mod->addModuleFlag(llvm::Module::Warning, "Dwarf Version", 5);
    SourceLoc first = in_.modules.empty() ? SourceLoc{} : in_.modules.front()->range.begin;
    llvm::DIFile *f = first.valid() ? diFile(first) : di->createFile("spx", ".");
    diCU = di->createCompileUnit(llvm::dwarf::DW_LANG_Modula3, f, "spinec " SPINE_VERSION, opts.optLevel > 0, "", 0);
  }

  // Which module implements which interface procedure.
  for (Unit *m : in_.modules) {
    for (InterfaceInfo *info : exportsOf(m, in_)) {
      if (!info->scope) continue;
      for (Symbol *decl : info->scope->symbols()) {
        if (decl->kind != SymKind::Procedure || decl->isEvent || decl->unit != info->unit) continue;
        for (Decl *d : m->body->decls)
          if (d->kind == DeclKind::Procedure && d->symbol && d->name.text == decl->name.text) implOf[decl] = d->symbol;
      }
    }
  }
  for (Unit *m : in_.modules) declareUnit(m);
  // Parents before their nested procedures: the nested ones reach variables placed in the parent's frame.
  for (auto &[sym, p] : procs)
    if (!p->parent) defineWithChildren(*p);
  for (Unit *m : in_.modules) {
    defineModuleBody(m);
    for (ProcInfo *c : bodyInfos[m]->children) defineWithChildren(*c);
  }
  defineInit();
  defineRequestDispatchers();
  defineExceptionArgumentCopies();
  collectManifest();
  if (di) di->finalize();
}

void CodeGen::defineWithChildren(ProcInfo &p) {
  defineProcedure(p);
  for (ProcInfo *c : p.children) defineWithChildren(*c);
}

llvm::FunctionType *CodeGen::procFnType(const ProcType *pt, bool nested) {
  std::vector<llvm::Type *> params;
  if (nested) params.push_back(ptrTy);
  llvm::Type *result = b->getVoidTy();
  if (pt->result) {
    switch (rep(pt->result)) {
    case Rep::Ordinal: result = i64Ty; break;
    case Rep::Pointer: case Rep::Proc: result = ptrTy; break;
    default: params.push_back(ptrTy); break;  // sret
    }
  }
  for (const ProcParam &p : pt->params) {
    Rep r = rep(p.type);
    if (r == Rep::OpenArray) {
      unsigned dims;
      innermostElement(p.type, dims);
      params.push_back(ptrTy);
      for (unsigned k = 0; k < dims; ++k) params.push_back(i64Ty);
    } else if (p.mode != ParamMode::Value || r == Rep::Memory) {
      params.push_back(ptrTy);
    } else if (r == Rep::Ordinal) {
      params.push_back(i64Ty);
    } else if (r == Rep::Proc) {
      params.push_back(ptrTy);
      params.push_back(ptrTy);
    } else {
      params.push_back(ptrTy);
    }
  }
  return llvm::FunctionType::get(result, params, false);
}

void CodeGen::declareUnit(Unit *u) {
  std::string name(u->name.text);
  declareProcedures(u->body->decls, nullptr, u, name);
  // Procedures in block statements of the module body are nested in the body, which then has a frame.
  auto body = std::make_unique<ProcInfo>();
  declareInStatements(u->body->body, body.get(), u, name);
  bodyInfos[u] = std::move(body);
}

// Procedures declared in the block statements of `stmts`, at any depth, are nested procedures of `parent`.
void CodeGen::declareInStatements(const StmtList &stmts, ProcInfo *parent, Unit *u, const std::string &prefix) {
  for (Stmt *s : stmts) {
    switch (s->kind) {
    case StmtKind::Block:
      declareProcedures(llvm::cast<BlockStmt>(s)->block->decls, parent, u, prefix);
      declareInStatements(llvm::cast<BlockStmt>(s)->block->body, parent, u, prefix);
      break;
    case StmtKind::If:
      for (auto &a : llvm::cast<IfStmt>(s)->arms) declareInStatements(a.body, parent, u, prefix);
      declareInStatements(llvm::cast<IfStmt>(s)->elseBody, parent, u, prefix);
      break;
    case StmtKind::While: declareInStatements(llvm::cast<WhileStmt>(s)->body, parent, u, prefix); break;
    case StmtKind::Repeat: declareInStatements(llvm::cast<RepeatStmt>(s)->body, parent, u, prefix); break;
    case StmtKind::Loop: declareInStatements(llvm::cast<LoopStmt>(s)->body, parent, u, prefix); break;
    case StmtKind::For: declareInStatements(llvm::cast<ForStmt>(s)->body, parent, u, prefix); break;
    case StmtKind::With: declareInStatements(llvm::cast<WithStmt>(s)->body, parent, u, prefix); break;
    case StmtKind::Case:
      for (auto &a : llvm::cast<CaseStmt>(s)->arms) declareInStatements(a.body, parent, u, prefix);
      declareInStatements(llvm::cast<CaseStmt>(s)->elseBody, parent, u, prefix);
      break;
    case StmtKind::TryExcept:
      declareInStatements(llvm::cast<TryExceptStmt>(s)->body, parent, u, prefix);
      for (auto &h : llvm::cast<TryExceptStmt>(s)->handlers) declareInStatements(h.body, parent, u, prefix);
      declareInStatements(llvm::cast<TryExceptStmt>(s)->elseBody, parent, u, prefix);
      break;
    case StmtKind::TryFinally:
      declareInStatements(llvm::cast<TryFinallyStmt>(s)->body, parent, u, prefix);
      declareInStatements(llvm::cast<TryFinallyStmt>(s)->finally, parent, u, prefix);
      break;
    default: break;
    }
  }
}

void CodeGen::declareProcedures(const std::vector<Decl *> &decls, ProcInfo *parent, Unit *u, const std::string &prefix) {
  for (Decl *d : decls) {
    auto *pd = llvm::dyn_cast<ProcedureDecl>(d);
    if (!pd || !pd->symbol || !pd->body) continue;
    auto info = std::make_unique<ProcInfo>();
    ProcInfo &p = *info;
    p.decl = pd;
    p.sym = pd->symbol;
    p.type = llvm::cast<ProcType>(pd->symbol->type);
    p.parent = parent;
    if (parent) parent->hasNested = true, parent->children.push_back(&p);
    std::string name = prefix + "." + std::string(pd->name.text);
    bool external = false;
    if (!parent) {
      for (auto &[decl, impl] : implOf)
        if (impl == pd->symbol) name = symbolName(decl), external = true;
      if (pd->handledEvent) external = true;
    }
    p.fn = llvm::Function::Create(procFnType(p.type, parent != nullptr),
                                  external ? llvm::GlobalValue::ExternalLinkage : llvm::GlobalValue::InternalLinkage,
                                  name, mod);
    // An exported name is what the manifest and the loader use: it must be exactly this procedure's.
    if (external && p.fn->getName() != name) llvm::report_fatal_error(llvm::Twine("two external symbols named ") + name);
    p.fn->addFnAttr(llvm::Attribute::NoUnwind);
    if (opts.optLevel == 0) p.fn->addFnAttr(llvm::Attribute::NoInline), p.fn->addFnAttr(llvm::Attribute::OptimizeNone);
    if (opts.debugInfo) p.fn->addFnAttr("frame-pointer", "all");
    ProcInfo *raw = info.get();
    procs[pd->symbol] = std::move(info);
    // Procedures declared inside the body, and inside its block statements.
    declareProcedures(pd->body->decls, raw, u, name);
    declareInStatements(pd->body->body, raw, u, name);
  }
}

llvm::Function *CodeGen::procFunction(Symbol *sym) {
  auto impl = implOf.find(sym);
  if (impl != implOf.end()) sym = impl->second;
  auto it = procs.find(sym);
  if (it != procs.end()) return it->second->fn;
  // Provided by the runtime (or by nobody: then the loader refuses the image, naming the symbol). Looked up by
  // symbol, never by name: a module's private procedure may have the same name (a module named IO), and it
  // yields the name (internal names are free) so that the import is exactly the runtime's.
  auto known = runtimeProcs.find(sym);
  if (known != runtimeProcs.end()) return known->second;
  if (messageInterfaceOf(sym)) return eventFunction(sym);  // an event this image raises to its host
  std::string name = symbolName(sym);
  if (llvm::GlobalValue *clash = mod->getNamedValue(name)) {
    if (!clash->hasLocalLinkage()) llvm::report_fatal_error(llvm::Twine("two external symbols named ") + name);
    clash->setName(name + ".local");
  }
  // A runtime procedure takes the trap site of its call as a hidden last argument (docs/abi.md): one that
  // traps (Packet.Send of a used handle) reports the extension's line, not its own.
  llvm::FunctionType *plain = procFnType(llvm::cast<ProcType>(sym->type), false);
  std::vector<llvm::Type *> params(plain->param_begin(), plain->param_end());
  params.push_back(i32Ty);
  auto *f = llvm::Function::Create(llvm::FunctionType::get(plain->getReturnType(), params, false),
                                   llvm::GlobalValue::ExternalLinkage, name, mod);
  runtimeProcs[sym] = f;
  f->addFnAttr(llvm::Attribute::NoUnwind);
  return f;
}

bool CodeGen::isRuntimeProc(Symbol *sym) {
  if (implOf.count(sym) || procs.count(sym) || !sym->unit || !isRuntimeUnit(sym->unit)) return false;
  procFunction(sym);
  return runtimeProcs.count(sym) != 0;
}

// A runtime procedure used as a value: an internal procedure of the ordinary type that calls it with the
// unknown site, since a call through a procedure value has no site of its own.
llvm::Function *CodeGen::procValueFunction(Symbol *sym) {
  if (!isRuntimeProc(sym)) return procFunction(sym);
  llvm::Function *&w = runtimeProcValues[sym];
  if (w) return w;
  llvm::Function *callee = runtimeProcs[sym];
  w = llvm::Function::Create(procFnType(llvm::cast<ProcType>(sym->type), false), llvm::GlobalValue::InternalLinkage,
                             callee->getName() + ".value", mod);
  w->addFnAttr(llvm::Attribute::NoUnwind);
  llvm::IRBuilder<> wb(llvm::BasicBlock::Create(ctx, "entry", w));
  std::vector<llvm::Value *> args;
  for (llvm::Argument &a : w->args()) args.push_back(&a);
  args.push_back(wb.getInt32(SPX_SITE_UNKNOWN));
  llvm::CallInst *call = wb.CreateCall(callee, args);
  if (w->getReturnType()->isVoidTy()) wb.CreateRetVoid();
  else wb.CreateRet(call);
  return w;
}

// "spx.exc.save"(exc, buf) and "spx.exc.restore"(exc, buf): copy the argument of the exception `exc` (the
// address of its global) to or from `buf`. A FINALLY part runs with the pending exception set aside; it may
// raise and handle the same exception, which overwrites the argument in its global, so the argument is set
// aside too. Defined once every exception of the compilation is known; the buffers (allocas of TRY-FINALLY
// statements) get the largest argument's size.
llvm::FunctionCallee CodeGen::exceptionArgumentCopy(bool save) {
  llvm::Function *&fn = save ? excSaveFn : excRestoreFn;
  if (!fn)
    fn = llvm::Function::Create(llvm::FunctionType::get(b->getVoidTy(), {ptrTy, ptrTy}, false),
                                llvm::GlobalValue::InternalLinkage, save ? "spx.exc.save" : "spx.exc.restore", mod);
  return fn;
}

void CodeGen::defineExceptionArgumentCopies() {
  if (!excSaveFn) return;
  uint64_t largest = 8;
  for (auto &[sym, g] : exceptions)
    largest = std::max<uint64_t>(largest, mod->getDataLayout().getTypeAllocSize(g->getValueType()));
  for (llvm::AllocaInst *buf : excArgBuffers) buf->setOperand(0, i64(int64_t(largest)));
  for (bool save : {true, false}) {
    llvm::Function *fn = llvm::cast<llvm::Function>(exceptionArgumentCopy(save).getCallee());
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    b->SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
    b->SetCurrentDebugLocation(llvm::DebugLoc());
    llvm::Value *exc = fn->getArg(0), *buf = fn->getArg(1);
    for (auto &[sym, g] : exceptions) {
      if (!sym->excArg) continue;
      llvm::BasicBlock *copy = llvm::BasicBlock::Create(ctx, "copy", fn), *next = llvm::BasicBlock::Create(ctx, "next", fn);
      b->CreateCondBr(b->CreateICmpEQ(exc, g), copy, next);
      b->SetInsertPoint(copy);
      uint64_t size = mod->getDataLayout().getTypeAllocSize(g->getValueType());
      if (save) b->CreateMemCpy(buf, llvm::Align(16), g, llvm::Align(16), size);
      else b->CreateMemCpy(g, llvm::Align(16), buf, llvm::Align(16), size);
      b->CreateRetVoid();
      b->SetInsertPoint(next);
    }
    b->CreateRetVoid();
  }
}

llvm::GlobalVariable *CodeGen::exceptionGlobal(Symbol *exc) {
  auto it = exceptions.find(exc);
  if (it != exceptions.end()) return it->second;
  uint64_t size = exc->excArg ? std::max<uint64_t>(byteSize(exc->excArg), 8) : 8;
  auto *ty = llvm::ArrayType::get(i8Ty, size);
  bool runtime = exc->unit && isRuntimeUnit(exc->unit);
  bool fromInterface = exc->unit && exc->unit->isInterface();
  auto *g = new llvm::GlobalVariable(*mod, ty, false,
                                     fromInterface ? llvm::GlobalValue::ExternalLinkage : llvm::GlobalValue::InternalLinkage,
                                     runtime ? nullptr : llvm::Constant::getNullValue(ty), symbolName(exc));
  g->setAlignment(llvm::Align(16));
  exceptions[exc] = g;
  return g;
}

llvm::GlobalVariable *CodeGen::globalVar(Symbol *sym) {
  auto it = globals.find(sym);
  if (it != globals.end()) return it->second;
  const Type *t = sym->type;
  uint64_t size = std::max<uint64_t>(byteSize(t), 1);
  auto *ty = llvm::ArrayType::get(i8Ty, size);
  bool runtime = sym->unit && isRuntimeUnit(sym->unit);
  bool fromInterface = sym->unit && sym->unit->isInterface();
  auto *g = new llvm::GlobalVariable(*mod, ty, false,
                                     fromInterface ? llvm::GlobalValue::ExternalLinkage : llvm::GlobalValue::InternalLinkage,
                                     runtime ? nullptr : llvm::Constant::getNullValue(ty), symbolName(sym));
  g->setAlignment(llvm::Align(std::max<uint64_t>(byteAlign(t), 8)));
  globals[sym] = g;
  VarInfo vi;
  vi.storage = g;
  vi.type = t;
  vars[sym] = vi;
  if (di && sym->decl) {
    auto *gve = di->createGlobalVariableExpression(diCU, std::string(sym->name.text), symbolName(sym),
                                                   diFile(sym->decl->range.begin), sm.presumed(sym->decl->range.begin).line,
                                                   diType(t), !fromInterface);
    g->addDebugInfo(gve);
  }
  return g;
}

// Module bodies: first the variables' initial values, in declaration order, then the statements.
void CodeGen::defineModuleBody(Unit *u) {
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(b->getVoidTy(), false), llvm::GlobalValue::InternalLinkage,
                                    std::string(u->name.text) + ".body", mod);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  if (opts.optLevel == 0) fn->addFnAttr(llvm::Attribute::NoInline), fn->addFnAttr(llvm::Attribute::OptimizeNone);
  bodies[u] = fn;
  curFn = fn;
  ProcInfo *body = bodyInfos[u].get();
  body->fn = fn;
  cur = body->hasNested ? body : nullptr;  // a plain body keeps its variables in allocas
  curUnit = u;
  llvm::DISubprogram *sp = nullptr;
  if (di) {
    llvm::DIFile *f = diFile(u->range.begin);
    unsigned line = sm.presumed(u->range.begin).line;
    sp = di->createFunction(f, std::string(u->name.text), fn->getName(), f, line,
                            di->createSubroutineType(di->getOrCreateTypeArray({})), line,
                            llvm::DINode::FlagZero, llvm::DISubprogram::SPFlagDefinition);
    fn->setSubprogram(sp);
    diScope = sp;
  }
  b->SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  setLocation(u->range);
  llvm::AllocaInst *frame = nullptr;
  if (cur) {
    frame = b->CreateAlloca(i8Ty, i64(8), "frame");
    frame->setAlignment(llvm::Align(16));
    body->frame = frame;
    body->frameSize = 8;
  }
  // A module body's frame (block locals, temporaries) is checked like a procedure's, always (I4).
  llvm::BasicBlock *prologue = startPrologue();
  if (frame) b->CreateStore(nullPtr(), frame);
  returnBlock = llvm::BasicBlock::Create(ctx, "return", fn);
  resultSlot = nullptr;
  cleanups.clear();
  // Variables of the module and of the interfaces it exports.
  for (Decl *d : u->body->decls)
    if (auto *vd = llvm::dyn_cast<VarDecl>(d); vd && vd->symbol) globalVar(vd->symbol);
  for (InterfaceInfo *info : exportsOf(u, in_))
    for (Decl *d : info->unit->decls)
      if (auto *vd = llvm::dyn_cast<VarDecl>(d); vd && vd->symbol) {
        globalVar(vd->symbol);
        LValue lv{globals[vd->symbol], nullptr, vd->symbol->type, {}};
        if (vd->init) assignInto(lv, vd->init, vd->init->range);  // its zero value is set (defineInit)
      }
  initLocals(u->body->decls);
  emitStmts(u->body->body);
  if (!blockTerminated()) b->CreateBr(returnBlock);
  b->SetInsertPoint(returnBlock);
  b->CreateRetVoid();
  if (frame) frame->setOperand(0, i64(body->frameSize));
  finishPrologue(prologue, u->range);
  cur = nullptr;
  diScope = nullptr;
  b->SetCurrentDebugLocation(llvm::DebugLoc());
}

// "spx.init": the module bodies, each after those of the modules exporting what it imports (Modula-3's order).
void CodeGen::defineInit() {
  std::vector<Unit *> order;
  std::set<Unit *> seen;
  std::function<void(Unit *)> visit = [&](Unit *m) {
    if (!seen.insert(m).second) return;
    std::set<std::string_view> ifaces;
    std::function<void(const Unit *)> collect = [&](const Unit *u) {
      for (const Import &imp : u->imports) {
        if (!ifaces.insert(imp.module.text).second) continue;
        if (InterfaceInfo *info = findInterface(in_, imp.module.text); info && info->unit) collect(info->unit);
      }
    };
    collect(m);
    for (std::string_view i : ifaces)
      if (InterfaceInfo *info = findInterface(in_, i))
        for (Unit *other : info->exporters)
          if (other != m && std::find(in_.modules.begin(), in_.modules.end(), other) != in_.modules.end()) visit(other);
    order.push_back(m);
  };
  for (Unit *m : in_.modules) visit(m);
  auto *fn = llvm::Function::Create(llvm::FunctionType::get(b->getVoidTy(), false), llvm::GlobalValue::ExternalLinkage,
                                    "spx.init", mod);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  b->SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  b->SetCurrentDebugLocation(llvm::DebugLoc());
  // Every module variable (and interface variable) holds its type's zero value before any module body runs: a
  // body may read a variable of a module whose body has not run yet (an import cycle), or one declared after
  // the one it initialises (invariant I1). Globals start as zero bits; these are the zero values that differ.
  curFn = fn;
  cur = nullptr;
  for (Unit *m : order) {
    std::vector<Decl *> vars(m->body->decls.begin(), m->body->decls.end());
    for (InterfaceInfo *info : exportsOf(m, in_)) vars.insert(vars.end(), info->unit->decls.begin(), info->unit->decls.end());
    for (Decl *d : vars)
      if (auto *vd = llvm::dyn_cast<VarDecl>(d); vd && vd->symbol) initDefaults(globalVar(vd->symbol), vd->symbol->type);
  }
  for (Unit *m : order) b->CreateCall(bodies[m]);
  b->CreateRetVoid();
}

void CodeGen::collectManifest() {
  std::set<std::string> exported;
  // Imports: the runtime's interfaces the extension uses, except those it implements itself (Main).
  std::set<std::string> imported;
  for (Unit *m : in_.modules)
    for (InterfaceInfo *e : exportsOf(m, in_)) imported.insert(std::string(e->unit->name.text));
  for (const InterfaceInfo *i : in_.fromRuntime)
    if (i->unit && imported.insert(std::string(i->unit->name.text)).second)
      out.imports.emplace_back(std::string(i->unit->name.text), i->fingerprint);
  for (Unit *m : in_.modules) {
    for (InterfaceInfo *info : exportsOf(m, in_)) {
      std::string_view ifName = info->unit->name.text;
      if (!exported.insert(std::string(ifName)).second) continue;
      out.exports.emplace_back(std::string(ifName), info->fingerprint);
      if (info->unit->isMessages()) {
        MessageInfo mi;
        mi.name = std::string(ifName);
        mi.fingerprint = info->fingerprint;
        for (Symbol *s : info->requests) mi.requests.push_back(symbolName(s));
        for (Symbol *s : info->events) mi.events.push_back(symbolName(s));
        out.messages.push_back(std::move(mi));
      }
    }
    // Handlers as Sema resolved them: the event's and the guard's symbols, wherever they were declared or
    // however they were imported.
    for (Decl *d : m->body->decls) {
      auto *pd = llvm::dyn_cast<ProcedureDecl>(d);
      if (!pd || !pd->handledEvent || !pd->symbol || !procs.count(pd->symbol)) continue;
      HandlerInfo hi;
      hi.event = symbolName(pd->handledEvent);
      hi.procedure = procs[pd->symbol]->fn->getName().str();
      if (pd->handlerGuard) {
        llvm::Function *guard = procFunction(pd->handlerGuard);
        guard->setLinkage(llvm::GlobalValue::ExternalLinkage);  // the dispatcher looks it up by name
        hi.guard = guard->getName().str();
      }
      out.handlers.push_back(std::move(hi));
    }
  }
}

// ---------------------------------------------------------------- debug information

llvm::DIFile *CodeGen::diFile(SourceLoc loc) {
  FileId f = sm.fileOf(loc);
  auto it = diFiles.find(f.index);
  if (it != diFiles.end()) return it->second;
  std::filesystem::path p = std::filesystem::absolute(sm.name(f));
  llvm::DIFile *file = di->createFile(p.filename().string(), p.parent_path().string());
  diFiles[f.index] = file;
  return file;
}

llvm::DIType *CodeGen::diType(const Type *t) {
  auto known = diTypes.find(t);
  if (known != diTypes.end()) return known->second;
  llvm::DIType *d = describeType(t);
  diTypes[t] = d;
  return d;
}

llvm::DIType *CodeGen::describeType(const Type *t) {
  const Type *s = stripPacked(t);
  switch (rep(s)) {
  case Rep::Ordinal: {
    uint64_t bits = layoutOf(s).size;
    if (isBoolean(s, types)) return di->createBasicType("BOOLEAN", bits, llvm::dwarf::DW_ATE_boolean);
    if (s->kind == TypeKind::Char) return di->createBasicType("CHAR", bits, llvm::dwarf::DW_ATE_unsigned_char);
    int64_t lo, hi;
    ordinalBounds(s, lo, hi);
    std::string name = t->name.empty() ? (lo < 0 ? "INTEGER" : "CARDINAL") : t->name;
    return di->createBasicType(name, bits, lo < 0 ? llvm::dwarf::DW_ATE_signed : llvm::dwarf::DW_ATE_unsigned);
  }
  case Rep::Pointer: case Rep::Proc: return di->createPointerType(nullptr, 64);
  case Rep::Memory:
    if (auto *r = llvm::dyn_cast<RecordType>(s)) {
      std::vector<llvm::Metadata *> members;
      const std::vector<uint64_t> &offs = fieldBitOffsets(r);
      for (size_t k = 0; k < r->fields.size(); ++k) {
        if (llvm::isa<PackedType>(r->fields[k].type) && layoutOf(r->fields[k].type).size % 8) continue;
        members.push_back(di->createMemberType(diCU, std::string(r->fields[k].name), nullptr, 0,
                                               layoutOf(r->fields[k].type).size, 0, offs[k], llvm::DINode::FlagZero,
                                               diType(r->fields[k].type)));
      }
      return di->createStructType(diCU, t->name.empty() ? "RECORD" : t->name, nullptr, 0, layoutOf(s).size, 64,
                                  llvm::DINode::FlagZero, nullptr, di->getOrCreateArray(members));
    }
    if (auto *a = llvm::dyn_cast<ArrayType>(s); a && layoutOf(a->element).size % 8 == 0) {
      int64_t lo, hi;
      ordinalBounds(a->index, lo, hi);
      llvm::Metadata *range = di->getOrCreateSubrange(lo, arrayLength(a));  // 0 for an empty index type
      return di->createArrayType(layoutOf(s).size, 64, diType(a->element), di->getOrCreateArray({range}));
    }
    return di->createArrayType(layoutOf(s).size, 64, di->createBasicType("BYTE", 8, llvm::dwarf::DW_ATE_unsigned),
                               di->getOrCreateArray({di->getOrCreateSubrange(0, int64_t(byteSize(s)))}));
  default: return di->createBasicType("WORD", 64, llvm::dwarf::DW_ATE_unsigned);
  }
}

void CodeGen::declareDebugVar(Symbol *sym, llvm::Value *addr, const Type *t, bool isParam, unsigned argNo) {
  if (!di || !diScope || !sym || !sym->name.range.valid()) return;
  if (rep(t) == Rep::Ordinal && !isBoolean(t, types) && stripPacked(t)->kind != TypeKind::Char && wideLocal(t)) {
    // Such ordinal locals are held in 64 bits.
    int64_t lo, hi;
    ordinalBounds(t, lo, hi);
    t = lo < 0 ? types.integer() : types.cardinal();
  }
  llvm::DIFile *f = diFile(sym->name.range.begin);
  unsigned line = sm.presumed(sym->name.range.begin).line;
  llvm::DILocalVariable *v =
      isParam ? di->createParameterVariable(diScope, std::string(sym->name.text), argNo, f, line, diType(t), true)
              : di->createAutoVariable(diScope, std::string(sym->name.text), f, line, diType(t), true);
  di->insertDeclare(addr, v, di->createExpression(), llvm::DILocation::get(ctx, line, 0, diScope),
                    b->GetInsertBlock());
}

}  // namespace spx::cg
