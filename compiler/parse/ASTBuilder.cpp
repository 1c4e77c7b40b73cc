// Parse tree -> AST. The tree is known to be free of syntax errors (the parser stops otherwise), so every
// mandatory child exists; optional children are tested.
#include "parse/detail/ASTBuilder.h"

#include <cctype>
#include <limits>

namespace spx::detail {

using P = SpxParser;

// ---------------------------------------------------------------- locations

SourceRange ASTBuilder::rangeOf(antlr4::Token *t) const {
  return {loc(t->getStartIndex()), loc(t->getStopIndex() + 1)};
}

SourceRange ASTBuilder::rangeOf(antlr4::ParserRuleContext *c) const {
  antlr4::Token *stop = c->getStop() ? c->getStop() : c->getStart();
  // An empty rule (e.g. no statements) has stop before start.
  if (stop->getTokenIndex() < c->getStart()->getTokenIndex()) return SourceRange(loc(c->getStart()->getStartIndex()));
  return {loc(c->getStart()->getStartIndex()), loc(stop->getStopIndex() + 1)};
}

std::string_view ASTBuilder::textOf(antlr4::Token *t) const {
  return sm_.text(file_).substr(t->getStartIndex(), t->getStopIndex() + 1 - t->getStartIndex());
}

Ident ASTBuilder::ident(antlr4::Token *t) const { return {textOf(t), rangeOf(t)}; }

std::vector<Ident> ASTBuilder::idList(P::IdListContext *c) {
  std::vector<Ident> out;
  if (!c) return out;
  for (auto *id : c->ID()) out.push_back(ident(id));
  return out;
}

QualIdent ASTBuilder::qualId(P::QualIdContext *c) {
  auto ids = c->ID();
  if (ids.size() == 2) return {ident(ids[0]), ident(ids[1])};
  return {{}, ident(ids[0])};
}

void ASTBuilder::checkEndName(const Ident &name, const Ident &endName, const char *what) {
  if (endName.text != name.text) {
    report(DiagId::err_end_name_mismatch, endName.range, endName.text, what, name.text);
    report(DiagId::note_named_here, name.range, name.text);
  }
}

// ---------------------------------------------------------------- units

Unit *ASTBuilder::build(P::CompilationUnitContext *tree) {
  Unit *u;
  if (auto *i = tree->interfaceUnit()) {
    u = beginUnit(i->interfaceHeader());
    for (auto *d : i->declaration()) addDeclaration(u, d);
    finishUnit(u, nullptr, i->endName, i->getStop());
  } else {
    auto *m = tree->moduleUnit();
    u = beginUnit(m->moduleHeader());
    P::BlockContext *b = m->block();
    for (auto *d : b->declaration()) addDeclaration(u, d);
    finishUnit(u, b->statements(), m->endName, m->getStop());
    u->body->range = rangeOf(b);
  }
  return u;
}

Unit *ASTBuilder::beginUnit(P::UnitHeaderContext *c) {
  return c->interfaceHeader() ? beginUnit(c->interfaceHeader()) : beginUnit(c->moduleHeader());
}

Unit *ASTBuilder::beginUnit(P::InterfaceHeaderContext *c) {
  auto *u = ctx_.make<Unit>();
  u->kind = Unit::Kind::Interface;
  u->file = file_;
  u->pragmas = pragmasBefore(c->getStart(), {Pragma::Kind::Messages});
  if (c->UNSAFE()) u->unsafe = true, u->unsafeRange = rangeOf(c->UNSAFE());
  u->name = ident(c->name);
  imports(c->importItem(), u);
  unitStart_ = c->getStart();
  return u;
}

Unit *ASTBuilder::beginUnit(P::ModuleHeaderContext *c) {
  auto *u = ctx_.make<Unit>();
  u->kind = Unit::Kind::Module;
  u->file = file_;
  if (c->UNSAFE()) u->unsafe = true, u->unsafeRange = rangeOf(c->UNSAFE());
  u->name = ident(c->name);
  if (c->EXPORTS()) u->exports = idList(c->idList());
  imports(c->importItem(), u);
  u->body = ctx_.make<Block>();
  unitStart_ = c->getStart();
  return u;
}

void ASTBuilder::addDeclaration(Unit *u, P::DeclarationContext *d) {
  if (u->body && u->body->decls.empty() && !bodyStart_) bodyStart_ = d->getStart();
  declaration(d, u->isInterface() ? u->decls : u->body->decls);
}

// Ends a unit: a module's body statements (null for an interface), its END name and last token.
void ASTBuilder::finishUnit(Unit *u, P::StatementsContext *body, antlr4::Token *endName, antlr4::Token *last) {
  if (u->body) {
    u->body->body = statements(body);
    antlr4::Token *first = bodyStart_ ? bodyStart_ : (body ? body->getStart() : endName);
    u->body->range = {loc(first->getStartIndex()), loc(endName->getStartIndex())};
  }
  u->endName = ident(endName);
  u->range = {loc(unitStart_->getStartIndex()), loc(last->getStopIndex() + 1)};
  checkEndName(u->name, u->endName, u->isInterface() ? "interface" : "module");
  reportUnattachedPragmas();
}

void ASTBuilder::finishUnit(Unit *u, P::UnitTailContext *c) {
  antlr4::Token *dot = tokens_.get(c->endName->getTokenIndex() + 1);  // the grammar puts '.' after the name
  finishUnit(u, c->statements(), c->endName, dot);
  if (u->body) u->body->range.end = loc(c->END()->getSymbol()->getStopIndex() + 1);
}

// Diagnostics wait until the whole unit is built: if a fast parse gives up half way, the file is parsed again
// with recovery and whatever was reported so far would come twice.
void ASTBuilder::commitDiagnostics() {
  for (auto &d : pending_) diags_.reportMessage(d.id, d.range, std::move(d.message));
  pending_.clear();
}

void ASTBuilder::imports(const std::vector<P::ImportItemContext *> &items, Unit *u) {
  for (auto *item : items) {
    if (auto *m = dynamic_cast<P::ImportModulesContext *>(item)) {
      for (auto *n : m->importName()) {
        Import imp;
        imp.kind = Import::Kind::Interfaces;
        imp.module = ident(n->ID(0));
        if (n->AS()) imp.alias = ident(n->ID(1));
        imp.range = rangeOf(n);
        u->imports.push_back(std::move(imp));
      }
    } else if (auto *f = dynamic_cast<P::ImportFromContext *>(item)) {
      Import imp;
      imp.kind = Import::Kind::From;
      imp.module = ident(f->ID());
      imp.names = idList(f->idList());
      imp.range = rangeOf(f);
      u->imports.push_back(std::move(imp));
    }
  }
}

Block *ASTBuilder::block(P::BlockContext *c) {
  auto *b = ctx_.make<Block>();
  b->range = rangeOf(c);
  for (auto *d : c->declaration()) declaration(d, b->decls);
  b->body = statements(c->statements());
  return b;
}

// ---------------------------------------------------------------- declarations

void ASTBuilder::declaration(P::DeclarationContext *c, std::vector<Decl *> &out) {
  if (auto *s = dynamic_cast<P::ConstSectionContext *>(c)) {
    for (auto *d : s->constDecl()) {
      auto *cd = ctx_.make<ConstDecl>();
      cd->range = rangeOf(d);
      cd->name = ident(d->ID());
      if (d->type()) cd->type = type(d->type());
      cd->value = expr(d->expr());
      out.push_back(cd);
    }
  } else if (auto *s = dynamic_cast<P::TypeSectionContext *>(c)) {
    for (auto *d : s->typeDecl()) {
      auto *td = ctx_.make<TypeDecl>();
      td->range = rangeOf(d);
      td->name = ident(d->ID());
      td->opaque = d->op->getText() == "<:";
      td->type = type(d->type());
      out.push_back(td);
    }
  } else if (auto *s = dynamic_cast<P::VarSectionContext *>(c)) {
    for (auto *d : s->varDecl()) {
      TypeExpr *t = d->type() ? type(d->type()) : nullptr;
      Expr *init = d->expr() ? expr(d->expr()) : nullptr;
      for (const Ident &id : idList(d->idList())) {
        auto *vd = ctx_.make<VarDecl>();
        vd->range = id.range;
        vd->name = id;
        vd->type = t;
        vd->init = init;
        out.push_back(vd);
      }
    }
  } else if (auto *s = dynamic_cast<P::ExceptionSectionContext *>(c)) {
    for (auto *d : s->exceptionDecl()) {
      auto *ed = ctx_.make<ExceptionDecl>();
      ed->range = rangeOf(d);
      ed->name = ident(d->ID());
      if (d->type()) ed->arg = type(d->type());
      out.push_back(ed);
    }
  } else if (auto *s = dynamic_cast<P::ProcedureSectionContext *>(c)) {
    out.push_back(procedure(s->procedureDecl()));
  } else if (auto *s = dynamic_cast<P::RevealSectionContext *>(c)) {
    for (auto *d : s->revealDecl()) {
      auto *rd = ctx_.make<RevealDecl>();
      rd->range = rangeOf(d);
      rd->name = qualId(d->qualId()).name;
      out.push_back(rd);
    }
  }
}

ProcedureDecl *ASTBuilder::procedure(P::ProcedureDeclContext *c) {
  auto *pd = ctx_.make<ProcedureDecl>();
  pd->range = rangeOf(c);
  pd->name = ident(c->name);
  pd->pragmas = pragmasBefore(c->getStart(), {Pragma::Kind::Event, Pragma::Kind::Handler});
  signature(c->signature(), pd->sig);
  if (c->block()) {
    pd->body = block(c->block());
    pd->endName = ident(c->endName);
    checkEndName(pd->name, pd->endName, "procedure");
  }
  return pd;
}

void ASTBuilder::signature(P::SignatureContext *c, Signature &sig) {
  sig.range = rangeOf(c);
  if (auto *fs = c->formals()) {
    for (auto *f : fs->formal()) {
      ParamMode mode = ParamMode::Value;
      if (f->passMode) {
        std::string m = f->passMode->getText();
        mode = m == "VAR" ? ParamMode::Var : m == "READONLY" ? ParamMode::Readonly : ParamMode::Value;
      }
      TypeExpr *t = f->type() ? type(f->type()) : nullptr;
      Expr *dflt = f->expr() ? expr(f->expr()) : nullptr;
      for (const Ident &id : idList(f->idList())) sig.formals.push_back({mode, id, t, dflt});
    }
  }
  if (c->type()) sig.result = type(c->type());
  if (auto *r = c->raisesSet()) {
    sig.raisesRange = {rangeOf(c->RAISES()).begin, rangeOf(r).end};
    if (r->ANY()) {
      sig.raises = Signature::Raises::Any;
    } else {
      sig.raises = Signature::Raises::Set;
      for (auto *q : r->qualId()) sig.raiseSet.push_back(qualId(q));
    }
  }
}

// ---------------------------------------------------------------- types

TypeExpr *ASTBuilder::type(P::TypeContext *c) {
  TypeExpr *t = nullptr;
  if (auto *n = dynamic_cast<P::NamedTypeContext *>(c)) {
    auto *nt = ctx_.make<NamedTypeExpr>();
    nt->name = qualId(n->qualId());
    t = nt;
  } else if (auto *e = dynamic_cast<P::EnumTypeContext *>(c)) {
    auto *et = ctx_.make<EnumTypeExpr>();
    et->literals = idList(e->idList());
    t = et;
  } else if (auto *p = dynamic_cast<P::ParenTypeContext *>(c)) {
    t = type(p->type());
  } else {
    t = anonType(dynamic_cast<P::AnonTypeAltContext *>(c)->anonType());
  }
  if (t->range.begin.offset == 0 || !dynamic_cast<P::ParenTypeContext *>(c)) t->range = rangeOf(c);
  if (!pragmasBefore(c->getStart(), {Pragma::Kind::NetOrder}).empty()) t->netOrder = true;
  return t;
}

TypeExpr *ASTBuilder::arrayType(SourceRange r, const std::vector<P::TypeContext *> &types) {
  // types = index types..., element type (last)
  auto *at = ctx_.make<ArrayTypeExpr>();
  at->range = r;
  for (size_t i = 0; i + 1 < types.size(); ++i) at->indexes.push_back(type(types[i]));
  at->element = type(types.back());
  return at;
}

TypeExpr *ASTBuilder::recordType(SourceRange r, P::FieldsContext *c) {
  auto *rt = ctx_.make<RecordTypeExpr>();
  rt->range = r;
  for (auto *f : c->field()) {
    TypeExpr *t = f->type() ? type(f->type()) : nullptr;
    Expr *init = f->expr() ? expr(f->expr()) : nullptr;
    for (const Ident &id : idList(f->idList())) rt->fields.push_back({id, t, init});
  }
  return rt;
}

TypeExpr *ASTBuilder::setType(SourceRange r, P::TypeContext *elem) {
  auto *st = ctx_.make<SetTypeExpr>();
  st->range = r;
  st->element = type(elem);
  return st;
}

TypeExpr *ASTBuilder::refType(SourceRange r, antlr4::tree::TerminalNode *untraced, P::BrandContext *brand,
                              P::TypeContext *target) {
  auto *rt = ctx_.make<RefTypeExpr>();
  rt->range = r;
  if (untraced) rt->untraced = true, rt->untracedRange = rangeOf(untraced);
  if (brand) {
    rt->branded = true;
    if (brand->TEXT_LIT()) rt->brand = static_cast<TextLitExpr *>(textLiteral(brand->TEXT_LIT()->getSymbol()));
  }
  rt->target = type(target);
  return rt;
}

TypeExpr *ASTBuilder::anonType(P::AnonTypeContext *c) {
  SourceRange r = rangeOf(c);
  if (auto *s = dynamic_cast<P::SubrangeTypeContext *>(c)) {
    auto *st = ctx_.make<SubrangeTypeExpr>();
    st->range = r;
    st->low = expr(s->expr(0));
    st->high = expr(s->expr(1));
    return st;
  }
  if (auto *s = dynamic_cast<P::SetTypeContext *>(c)) return setType(r, s->type());
  if (auto *a = dynamic_cast<P::ArrayTypeContext *>(c)) return arrayType(r, a->type());
  if (auto *rc = dynamic_cast<P::RecordTypeContext *>(c)) return recordType(r, rc->fields());
  if (auto *p = dynamic_cast<P::PackedTypeContext *>(c)) {
    auto *pt = ctx_.make<PackedTypeExpr>();
    pt->range = r;
    pt->bits = expr(p->expr());
    pt->base = type(p->type());
    return pt;
  }
  if (auto *rf = dynamic_cast<P::RefTypeContext *>(c)) return refType(r, rf->UNTRACED(), rf->brand(), rf->type());
  auto *pc = dynamic_cast<P::ProcedureTypeContext *>(c);
  auto *pt = ctx_.make<ProcTypeExpr>();
  pt->range = r;
  signature(pc->signature(), pt->sig);
  return pt;
}

// ---------------------------------------------------------------- statements

StmtList ASTBuilder::statements(P::StatementsContext *c) {
  StmtList out;
  if (!c) return out;
  for (auto *s : c->statement()) out.push_back(statement(s));
  return out;
}

Stmt *ASTBuilder::statement(P::StatementContext *c) {
  Stmt *result = nullptr;
  if (auto *s = dynamic_cast<P::AssignOrCallStmtContext *>(c)) {
    if (s->expr().size() == 2) {
      auto *a = ctx_.make<AssignStmt>();
      a->lhs = expr(s->expr(0));
      a->rhs = expr(s->expr(1));
      result = a;
    } else {
      auto *cs = ctx_.make<CallStmt>();
      cs->call = expr(s->expr(0));
      result = cs;
    }
  } else if (auto *s = dynamic_cast<P::IfStmtContext *>(c)) {
    auto *is = ctx_.make<IfStmt>();
    auto conds = s->expr();
    auto bodies = s->statements();
    for (size_t i = 0; i < conds.size(); ++i) is->arms.push_back({expr(conds[i]), statements(bodies[i])});
    if (s->ELSE()) is->hasElse = true, is->elseBody = statements(bodies.back());
    result = is;
  } else if (auto *s = dynamic_cast<P::WhileStmtContext *>(c)) {
    auto *ws = ctx_.make<WhileStmt>();
    ws->cond = expr(s->expr());
    ws->body = statements(s->statements());
    result = ws;
  } else if (auto *s = dynamic_cast<P::RepeatStmtContext *>(c)) {
    auto *rs = ctx_.make<RepeatStmt>();
    rs->body = statements(s->statements());
    rs->cond = expr(s->expr());
    result = rs;
  } else if (auto *s = dynamic_cast<P::LoopStmtContext *>(c)) {
    auto *ls = ctx_.make<LoopStmt>();
    ls->body = statements(s->statements());
    result = ls;
  } else if (dynamic_cast<P::ExitStmtContext *>(c)) {
    result = ctx_.make<ExitStmt>();
  } else if (auto *s = dynamic_cast<P::ForStmtContext *>(c)) {
    auto *fs = ctx_.make<ForStmt>();
    fs->var = ident(s->ID());
    fs->from = expr(s->expr(0));
    fs->to = expr(s->expr(1));
    if (s->BY()) fs->by = expr(s->expr(2));
    fs->body = statements(s->statements());
    result = fs;
  } else if (auto *s = dynamic_cast<P::CaseStmtContext *>(c)) {
    auto *cs = ctx_.make<CaseStmt>();
    cs->selector = expr(s->expr());
    for (auto *arm : s->caseArm()) {
      CaseStmt::Arm a;
      for (auto *l : arm->caseLabel()) {
        CaseStmt::Label label;
        label.low = expr(l->expr(0));
        if (l->expr().size() > 1) label.high = expr(l->expr(1));
        label.range = rangeOf(l);
        a.labels.push_back(label);
      }
      a.body = statements(arm->statements());
      cs->arms.push_back(std::move(a));
    }
    if (s->ELSE()) cs->hasElse = true, cs->elseBody = statements(s->statements());
    result = cs;
  } else if (auto *s = dynamic_cast<P::WithStmtContext *>(c)) {
    auto *ws = ctx_.make<WithStmt>();
    for (auto *b : s->withBinding()) ws->bindings.push_back({ident(b->ID()), expr(b->expr()), nullptr});
    ws->body = statements(s->statements());
    result = ws;
  } else if (auto *s = dynamic_cast<P::ReturnStmtContext *>(c)) {
    auto *rs = ctx_.make<ReturnStmt>();
    if (s->expr()) rs->value = expr(s->expr());
    result = rs;
  } else if (auto *s = dynamic_cast<P::RaiseStmtContext *>(c)) {
    auto *rs = ctx_.make<RaiseStmt>();
    rs->exception = expr(s->expr());
    result = rs;
  } else if (auto *s = dynamic_cast<P::TryExceptStmtContext *>(c)) {
    auto *ts = ctx_.make<TryExceptStmt>();
    auto bodies = s->statements();
    ts->body = statements(bodies[0]);
    for (auto *h : s->handler()) {
      TryExceptStmt::Handler handler;
      for (auto *q : h->qualId()) handler.exceptions.push_back(qualId(q));
      if (h->ID()) handler.var = ident(h->ID());
      handler.body = statements(h->statements());
      handler.range = rangeOf(h);
      ts->handlers.push_back(std::move(handler));
    }
    if (s->ELSE()) ts->hasElse = true, ts->elseBody = statements(bodies.back());
    result = ts;
  } else if (auto *s = dynamic_cast<P::TryFinallyStmtContext *>(c)) {
    auto *ts = ctx_.make<TryFinallyStmt>();
    ts->body = statements(s->statements(0));
    ts->finally = statements(s->statements(1));
    result = ts;
  } else if (auto *s = dynamic_cast<P::EvalStmtContext *>(c)) {
    auto *es = ctx_.make<EvalStmt>();
    es->value = expr(s->expr());
    result = es;
  } else if (auto *s = dynamic_cast<P::LockStmtContext *>(c)) {
    auto *ls = ctx_.make<LockStmt>();
    ls->mutex = expr(s->expr());
    ls->body = statements(s->statements());
    result = ls;
  } else {
    auto *s2 = dynamic_cast<P::BlockStmtContext *>(c);
    auto *bs = ctx_.make<BlockStmt>();
    bs->block = block(s2->block());
    result = bs;
  }
  result->range = rangeOf(c);
  return result;
}

// ---------------------------------------------------------------- expressions

void ASTBuilder::countOperands(size_t n, antlr4::ParserRuleContext *c) {
  if (n > limits_.maxOperands && !tooManyOperands_) {
    tooManyOperands_ = true;
    report(DiagId::err_too_many_operands, SourceRange(loc(c->getStart()->getStartIndex())),
                  limits_.maxOperands);
  }
}

Expr *ASTBuilder::binary(BinaryOp op, antlr4::Token *opTok, Expr *lhs, Expr *rhs) {
  auto *b = ctx_.make<BinaryExpr>();
  b->op = op;
  b->opRange = rangeOf(opTok);
  b->lhs = lhs;
  b->rhs = rhs;
  b->range = {lhs->range.begin, rhs->range.end};
  return b;
}

namespace {

BinaryOp binaryOpOf(std::string_view op) {
  if (op == "+") return BinaryOp::Add;
  if (op == "-") return BinaryOp::Sub;
  if (op == "&") return BinaryOp::Concat;
  if (op == "*") return BinaryOp::Mul;
  if (op == "/") return BinaryOp::Slash;
  if (op == "DIV") return BinaryOp::Div;
  if (op == "MOD") return BinaryOp::Mod;
  if (op == "=") return BinaryOp::Eq;
  if (op == "#") return BinaryOp::Ne;
  if (op == "<") return BinaryOp::Lt;
  if (op == "<=") return BinaryOp::Le;
  if (op == ">") return BinaryOp::Gt;
  if (op == ">=") return BinaryOp::Ge;
  if (op == "IN") return BinaryOp::In;
  if (op == "AND") return BinaryOp::And;
  return BinaryOp::Or;
}

bool isRelation(BinaryOp op) {
  return op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt || op == BinaryOp::Le ||
         op == BinaryOp::Gt || op == BinaryOp::Ge || op == BinaryOp::In;
}

// The first child of a node when it is a token (the operator of a prefix alternative, or the punctuation that
// starts a selector or a parenthesized primary), else null.
antlr4::Token *leadingToken(antlr4::ParserRuleContext *c) {
  if (c->children.empty()) return nullptr;
  auto *t = dynamic_cast<antlr4::tree::TerminalNode *>(c->children[0]);
  return t ? t->getSymbol() : nullptr;
}

// The operator token and operands of a binary alternative (two operand children), or a null op.
struct BinaryParts {
  antlr4::Token *op = nullptr;
  P::ExprContext *lhs = nullptr, *rhs = nullptr;
};

BinaryParts binaryParts(P::ExprContext *c) {
  if (c->children.size() != 3 || leadingToken(c)) return {};
  auto *lhs = dynamic_cast<P::ExprContext *>(c->children[0]);
  auto *rhs = dynamic_cast<P::ExprContext *>(c->children[2]);
  if (!lhs || !rhs) return {};
  return {c->op, lhs, rhs};
}

}  // namespace

// Binary operators are left-associative, so long chains nest to the left: walk the left spine with a loop and
// build from its bottom, so that a 100,000-operand sum needs no deep recursion here.
Expr *ASTBuilder::expr(P::ExprContext *c) {
  // The alternatives of `expr`: a primary with selectors, a prefix operator and its operand, or a binary
  // operator between two operands.
  if (auto *p = c->primary()) return selectorExpr(c, p);
  if (antlr4::Token *op = leadingToken(c)) {
    auto *u = ctx_.make<UnaryExpr>();
    std::string_view text = textOf(op);
    u->op = text == "NOT" ? UnaryOp::Not : text == "-" ? UnaryOp::Neg : UnaryOp::Pos;
    u->opRange = rangeOf(op);
    u->operand = expr(c->expr(0));
    u->range = rangeOf(c);
    return u;
  }
  std::vector<BinaryParts> spine;
  P::ExprContext *leaf = c;
  for (BinaryParts parts = binaryParts(leaf); parts.op; parts = binaryParts(leaf)) {
    spine.push_back(parts);
    leaf = parts.lhs;
  }
  countOperands(spine.size() + 1, c);
  if (tooManyOperands_) return ctx_.make<ErrorExpr>();
  Expr *e = expr(leaf);
  bool lhsIsRelation = false;
  for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
    BinaryOp op = binaryOpOf(textOf(it->op));
    if (isRelation(op) && lhsIsRelation)
      report(DiagId::err_relation_not_associative, rangeOf(it->op), textOf(it->op));
    e = binary(op, it->op, e, expr(it->rhs));
    lhsIsRelation = isRelation(op);
  }
  return e;
}

Expr *ASTBuilder::selectorExpr(P::ExprContext *se, P::PrimaryContext *prim) {
  Expr *e = primary(prim);
  SourceLoc begin = e->range.begin;
  for (size_t k = 1; k < se->children.size(); ++k) {
    auto *sel = static_cast<P::SelectorContext *>(se->children[k]);  // after the primary come only selectors
    SourceLoc end = loc(sel->getStop()->getStopIndex() + 1);
    std::string_view lead = textOf(leadingToken(sel));
    if (lead == "^") {
      auto *d = ctx_.make<DerefExpr>();
      d->operand = e;
      e = d;
    } else if (lead == ".") {
      auto *fe = ctx_.make<FieldExpr>();
      fe->base = e;
      fe->name = ident(sel->ID());
      e = fe;
    } else if (lead == "[") {
      // a[i, j] is a[i][j]
      for (auto *ie : sel->expr()) {
        auto *ixe = ctx_.make<IndexExpr>();
        ixe->base = e;
        ixe->index = expr(ie);
        ixe->range = {begin, end};
        e = ixe;
      }
    } else if (lead == "(") {
      auto *ce = ctx_.make<CallExpr>();
      ce->callee = e;
      ce->parenRange = rangeOf(sel);
      if (auto *as = sel->actuals()) {
        for (auto *a : as->actual()) {
          if (auto *na = dynamic_cast<P::NamedActualContext *>(a)) {
            ce->args.push_back({ident(na->ID()), expr(na->expr())});
          } else if (auto *pa = dynamic_cast<P::PositionalActualContext *>(a)) {
            ce->args.push_back({{}, expr(pa->expr())});
          } else {
            auto *ta = dynamic_cast<P::TypeActualContext *>(a);
            auto *te = ctx_.make<TypeArgExpr>();
            te->typeExpr = anonType(ta->anonType());
            te->range = te->typeExpr->range;
            ce->args.push_back({{}, te});
          }
        }
      }
      e = ce;
    } else {
      auto *ce = ctx_.make<ConstructorExpr>();
      ce->typeExpr = e;
      if (sel->constructorElems()) ce->elems = constructorElems(sel->constructorElems());
      e = ce;
    }
    e->range = {begin, end};
  }
  return e;
}

std::vector<ConsElem> ASTBuilder::constructorElems(P::ConstructorElemsContext *c) {
  std::vector<ConsElem> out;
  for (auto *el : c->constructorElem()) {
    ConsElem ce;
    ce.range = rangeOf(el);
    if (auto *n = dynamic_cast<P::NamedElemContext *>(el)) {
      ce.kind = ConsElem::Kind::Named;
      ce.name = ident(n->ID());
      ce.value = expr(n->expr());
    } else if (auto *p = dynamic_cast<P::PlainElemContext *>(el)) {
      ce.value = expr(p->expr(0));
      if (p->expr().size() > 1) ce.kind = ConsElem::Kind::Range, ce.high = expr(p->expr(1));
    } else {
      ce.kind = ConsElem::Kind::Repeat;
    }
    out.push_back(ce);
  }
  return out;
}

Expr *ASTBuilder::primary(P::PrimaryContext *c) {
  Expr *e = nullptr;
  antlr4::Token *t = leadingToken(c);
  switch (t ? t->getType() : 0) {
  case SpxParser::ID: {
    auto *n = ctx_.make<NameExpr>();
    n->name = ident(t);
    e = n;
    break;
  }
  case SpxParser::INT_LIT: e = intLiteral(t); break;
  case SpxParser::REAL_LIT: e = ctx_.make<RealLitExpr>(); break;
  case SpxParser::CHAR_LIT: e = charLiteral(t); break;
  case SpxParser::TEXT_LIT: e = textLiteral(t); break;
  default:
    if (t) {
      // '(' expr ')': parentheses leave no node behind, but the range includes them, so a caret covers what
      // was written.
      Expr *inner = expr(c->expr());
      inner->range = rangeOf(c);
      return inner;
    }
    e = typeConstructor(c);
    break;
  }
  e->range = rangeOf(c);
  return e;
}

Expr *ASTBuilder::typeConstructor(P::PrimaryContext *c) {
  auto *ct = c->constructibleType();
  SourceRange tr = rangeOf(ct);
  TypeExpr *te;
  if (auto *a = dynamic_cast<P::ArrayCTypeContext *>(ct)) te = arrayType(tr, a->type());
  else if (auto *r = dynamic_cast<P::RecordCTypeContext *>(ct)) te = recordType(tr, r->fields());
  else te = setType(tr, dynamic_cast<P::SetCTypeContext *>(ct)->type());
  auto *ta = ctx_.make<TypeArgExpr>();
  ta->typeExpr = te;
  ta->range = tr;
  auto *ce = ctx_.make<ConstructorExpr>();
  ce->typeExpr = ta;
  if (c->constructorElems()) ce->elems = constructorElems(c->constructorElems());
  return ce;
}

// ---------------------------------------------------------------- literals

Expr *ASTBuilder::intLiteral(antlr4::Token *t) {
  auto *lit = ctx_.make<IntLitExpr>();
  std::string_view text = textOf(t);
  size_t underscore = text.find('_');
  if (underscore == std::string_view::npos) {
    // Decimal: at most LAST(INTEGER).
    uint64_t v = 0;
    for (char ch : text) {
      if (v > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - (ch - '0')) / 10) {
        report(DiagId::err_int_literal_too_large, rangeOf(t), text);
        return lit;
      }
      v = v * 10 + static_cast<uint64_t>(ch - '0');
    }
    lit->val = static_cast<int64_t>(v);
    return lit;
  }
  // Based: B_digits, B in 2..16; the digits are an unsigned 64-bit pattern, as in Modula-3 (16_FFFFFFFFFFFFFFFF
  // is -1).
  unsigned base = 0;
  for (char ch : text.substr(0, underscore)) {
    base = base * 10 + static_cast<unsigned>(ch - '0');
    if (base > 16) break;
  }
  if (base < 2 || base > 16) {
    report(DiagId::err_bad_base, rangeOf(t), text.substr(0, underscore), text);
    return lit;
  }
  uint64_t v = 0;
  for (size_t i = underscore + 1; i < text.size(); ++i) {
    char ch = text[i];
    unsigned d = std::isdigit(static_cast<unsigned char>(ch)) ? static_cast<unsigned>(ch - '0')
               : static_cast<unsigned>(std::toupper(static_cast<unsigned char>(ch)) - 'A' + 10);
    if (d >= base) {
      SourceLoc at = loc(t->getStartIndex() + i);
      report(DiagId::err_bad_digit, SourceRange(at), std::string(1, ch), base);
      return lit;
    }
    if (v > (std::numeric_limits<uint64_t>::max() - d) / base) {
      report(DiagId::err_int_literal_too_large, rangeOf(t), text);
      return lit;
    }
    v = v * base + d;
  }
  lit->val = static_cast<int64_t>(v);
  return lit;
}

// Decodes the escapes of a CHAR or TEXT literal (without its quotes) from the original bytes.
bool ASTBuilder::decodeEscapes(antlr4::Token *t, std::string &out) {
  std::string_view text = textOf(t);
  std::string_view body = text.substr(1, text.size() - 2);
  size_t base = t->getStartIndex() + 1;
  for (size_t i = 0; i < body.size(); ++i) {
    char ch = body[i];
    if (ch != '\\') {
      out += ch;
      continue;
    }
    char e = body[i + 1];  // the lexer guarantees a character after a backslash
    switch (e) {
    case 'n': out += '\n'; ++i; continue;
    case 't': out += '\t'; ++i; continue;
    case 'r': out += '\r'; ++i; continue;
    case 'f': out += '\f'; ++i; continue;
    case '\\': case '\'': case '"': out += e; ++i; continue;
    default: break;
    }
    SourceRange at(loc(base + i), loc(base + i + 2));
    if (e >= '0' && e <= '7') {
      if (i + 3 < body.size() + 0 && body[i + 2] >= '0' && body[i + 2] <= '7' && body[i + 3] >= '0' &&
          body[i + 3] <= '7') {
        unsigned v = static_cast<unsigned>((e - '0') * 64 + (body[i + 2] - '0') * 8 + (body[i + 3] - '0'));
        if (v > 255) {
          report(DiagId::err_octal_escape_range, SourceRange(loc(base + i), loc(base + i + 4)),
                        body.substr(i, 4));
          return false;
        }
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    report(DiagId::err_bad_escape, at, body.substr(i, 2));
    return false;
  }
  return true;
}

Expr *ASTBuilder::charLiteral(antlr4::Token *t) {
  auto *lit = ctx_.make<CharLitExpr>();
  std::string value;
  if (!decodeEscapes(t, value)) return lit;
  if (value.size() != 1) {
    report(DiagId::err_char_literal_length, rangeOf(t));
    return lit;
  }
  lit->val = static_cast<unsigned char>(value[0]);
  return lit;
}

Expr *ASTBuilder::textLiteral(antlr4::Token *t) {
  auto *lit = ctx_.make<TextLitExpr>();
  decodeEscapes(t, lit->val);
  lit->range = rangeOf(t);
  return lit;
}

// ---------------------------------------------------------------- pragmas

namespace {
bool isModula3Pragma(std::string_view w) {
  return w == "INLINE" || w == "EXTERNAL" || w == "ASSERT" || w == "NOWARN" || w == "UNUSED" ||
         w == "OBSOLETE" || w == "FATAL" || w == "LL" || w == "LL.sup" || w == "SPEC" || w == "TRACE" ||
         w == "DEBUG" || w == "IMPLICIT" || w == "NOINLINE" || w == "CALLBACK";
}
}  // namespace

Pragma ASTBuilder::parsePragma(antlr4::Token *t) {
  Pragma p;
  p.range = rangeOf(t);
  std::string_view text = textOf(t);
  size_t base = t->getStartIndex();
  // Split the inside of <* ... *> into words, remembering each word's offset.
  std::vector<std::pair<std::string_view, size_t>> words;
  size_t i = 2, end = text.size() - 2;
  while (i < end) {
    while (i < end && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < end && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back({text.substr(start, i - start), base + start});
  }
  if (words.empty()) {
    p.kind = Pragma::Kind::Ignored;
    return p;
  }
  auto wordIdent = [&](size_t k) { return Ident{words[k].first, {loc(words[k].second), loc(words[k].second + words[k].first.size())}}; };
  p.word = words[0].first;
  if (p.word == "EVENT" && words.size() == 1) p.kind = Pragma::Kind::Event;
  else if (p.word == "MESSAGES" && words.size() == 1) p.kind = Pragma::Kind::Messages;
  else if (p.word == "NETORDER" && words.size() == 1) p.kind = Pragma::Kind::NetOrder;
  else if (p.word == "HANDLER") {
    bool ok = words.size() == 2 || (words.size() == 4 && words[2].first == "GUARD");
    if (ok) {
      Ident q = wordIdent(1);
      size_t dot = q.text.find('.');
      auto isName = [](std::string_view s) {
        if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
        for (char ch : s)
          if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
        return true;
      };
      if (dot == std::string_view::npos) {
        ok = isName(q.text);
        p.event = {{}, q};
      } else {
        Ident mod{q.text.substr(0, dot), {q.range.begin, SourceLoc{q.range.begin.offset + static_cast<uint32_t>(dot)}}};
        Ident name{q.text.substr(dot + 1), {SourceLoc{q.range.begin.offset + static_cast<uint32_t>(dot) + 1}, q.range.end}};
        ok = isName(mod.text) && isName(name.text);
        p.event = {mod, name};
      }
      if (ok && words.size() == 4) {
        p.guard = wordIdent(3);
        ok = isName(p.guard.text);
      }
    }
    if (!ok) {
      report(DiagId::err_malformed_handler, p.range);
      p.kind = Pragma::Kind::Ignored;
      return p;
    }
    p.kind = Pragma::Kind::Handler;
  } else if (isModula3Pragma(p.word)) {
    p.kind = Pragma::Kind::Ignored;
  } else {
    p.kind = Pragma::Kind::Unknown;
  }
  return p;
}

const Pragma &ASTBuilder::pragmaAt(antlr4::Token *t) {
  auto it = pragmas_.find(t->getTokenIndex());
  if (it == pragmas_.end()) it = pragmas_.emplace(t->getTokenIndex(), parsePragma(t)).first;
  return it->second;
}

std::vector<Pragma> ASTBuilder::pragmasBefore(antlr4::Token *start, std::initializer_list<Pragma::Kind> allowed) {
  std::vector<Pragma> out;
  for (antlr4::Token *t : tokens_.getHiddenTokensToLeft(start->getTokenIndex(), 2)) {
    const Pragma &p = pragmaAt(t);
    for (Pragma::Kind k : allowed) {
      if (p.kind == k) {
        attachedPragmas_.insert(t->getTokenIndex());
        out.push_back(p);
      }
    }
  }
  return out;
}

// Pragmas SPINE gives meaning to must stand where they mean something; anything else is reported once here.
void ASTBuilder::reportUnattachedPragmas() {
  for (antlr4::Token *t : tokens_.getTokens()) {
    if (t->getChannel() != 2 || attachedPragmas_.count(t->getTokenIndex())) continue;
    const Pragma &p = pragmaAt(t);
    switch (p.kind) {
    case Pragma::Kind::Unknown:
      report(DiagId::warn_unknown_pragma, p.range, p.word);
      break;
    case Pragma::Kind::Event:
      report(DiagId::warn_pragma_misplaced, p.range, p.word, "it must precede a PROCEDURE declaration");
      break;
    case Pragma::Kind::Handler:
      report(DiagId::warn_pragma_misplaced, p.range, p.word, "it must precede a PROCEDURE declaration");
      break;
    case Pragma::Kind::Messages:
      report(DiagId::warn_pragma_misplaced, p.range, p.word, "it must precede INTERFACE");
      break;
    case Pragma::Kind::NetOrder:
      report(DiagId::warn_pragma_misplaced, p.range, p.word, "it must precede a type");
      break;
    case Pragma::Kind::Ignored:
      break;
    }
  }
}

}  // namespace spx::detail
