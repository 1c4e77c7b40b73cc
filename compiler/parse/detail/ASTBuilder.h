// Internal to compiler/parse: turns a syntactically valid ANTLR parse tree into the typed AST. It decodes
// literals, attaches pragmas, checks END names, and owns no state past build().
#pragma once

#include "ast/AST.h"
#include "diag/Diagnostics.h"
#include "parse/Parser.h"

#include <antlr4-runtime.h>

#include "SpxParser.h"

#include <initializer_list>
#include <unordered_map>
#include <unordered_set>

namespace spx::detail {

using grammar::SpxParser;

class ASTBuilder {
public:
  ASTBuilder(const SourceManager &sm, FileId file, antlr4::CommonTokenStream &tokens, ASTContext &ctx,
             DiagnosticsEngine &diags, const ParseLimits &limits)
      : sm_(sm), file_(file), tokens_(tokens), ctx_(ctx), diags_(diags), limits_(limits) {}

  // A whole unit from one parse tree.
  Unit *build(SpxParser::CompilationUnitContext *tree);
  // Or a unit built piece by piece, each piece from its own short-lived parse tree.
  Unit *beginUnit(SpxParser::UnitHeaderContext *c);
  void addDeclaration(Unit *u, SpxParser::DeclarationContext *d);
  void finishUnit(Unit *u, SpxParser::UnitTailContext *c);
  // Emits what the builder found (bad escapes, END names, pragmas ...); until then it is only kept.
  void commitDiagnostics();

private:
  // locations
  SourceLoc loc(size_t charIndex) const { return sm_.locAt(file_, static_cast<uint32_t>(charIndex)); }
  SourceRange rangeOf(antlr4::Token *t) const;
  SourceRange rangeOf(antlr4::tree::TerminalNode *n) const { return rangeOf(n->getSymbol()); }
  SourceRange rangeOf(antlr4::ParserRuleContext *c) const;
  Ident ident(antlr4::Token *t) const;
  Ident ident(antlr4::tree::TerminalNode *n) const { return ident(n->getSymbol()); }
  std::string_view textOf(antlr4::Token *t) const;

  template <typename... Args>
  void report(DiagId id, SourceRange range, Args &&...args) {
    pending_.push_back({id, severityOf(id), range, fmt::format(fmt::runtime(formatOf(id)), std::forward<Args>(args)...)});
  }

  // units and declarations
  Unit *beginUnit(SpxParser::InterfaceHeaderContext *c);
  Unit *beginUnit(SpxParser::ModuleHeaderContext *c);
  void finishUnit(Unit *u, SpxParser::StatementsContext *body, antlr4::Token *endName, antlr4::Token *last);
  void imports(const std::vector<SpxParser::ImportItemContext *> &items, Unit *u);
  Block *block(SpxParser::BlockContext *c);
  void declaration(SpxParser::DeclarationContext *c, std::vector<Decl *> &out);
  ProcedureDecl *procedure(SpxParser::ProcedureDeclContext *c);
  void signature(SpxParser::SignatureContext *c, Signature &sig);
  std::vector<Ident> idList(SpxParser::IdListContext *c);
  QualIdent qualId(SpxParser::QualIdContext *c);
  void checkEndName(const Ident &name, const Ident &endName, const char *what);

  // types
  TypeExpr *type(SpxParser::TypeContext *c);
  TypeExpr *anonType(SpxParser::AnonTypeContext *c);
  TypeExpr *arrayType(SourceRange r, const std::vector<SpxParser::TypeContext *> &types);
  TypeExpr *recordType(SourceRange r, SpxParser::FieldsContext *c);
  TypeExpr *setType(SourceRange r, SpxParser::TypeContext *elem);
  TypeExpr *refType(SourceRange r, antlr4::tree::TerminalNode *untraced, SpxParser::BrandContext *brand,
                    SpxParser::TypeContext *target);

  // statements
  StmtList statements(SpxParser::StatementsContext *c);
  Stmt *statement(SpxParser::StatementContext *c);

  // expressions
  Expr *expr(SpxParser::ExprContext *c);
  Expr *selectorExpr(SpxParser::ExprContext *c, SpxParser::PrimaryContext *primary);
  Expr *typeConstructor(SpxParser::PrimaryContext *c);
  Expr *primary(SpxParser::PrimaryContext *c);
  Expr *binary(BinaryOp op, antlr4::Token *opTok, Expr *lhs, Expr *rhs);
  void countOperands(size_t n, antlr4::ParserRuleContext *c);
  std::vector<ConsElem> constructorElems(SpxParser::ConstructorElemsContext *c);
  Expr *intLiteral(antlr4::Token *t);
  Expr *charLiteral(antlr4::Token *t);
  Expr *textLiteral(antlr4::Token *t);
  bool decodeEscapes(antlr4::Token *t, std::string &out);

  // pragmas
  std::vector<Pragma> pragmasBefore(antlr4::Token *start, std::initializer_list<Pragma::Kind> allowed);
  const Pragma &pragmaAt(antlr4::Token *t);
  Pragma parsePragma(antlr4::Token *t);
  void reportUnattachedPragmas();

  const SourceManager &sm_;
  FileId file_;
  antlr4::CommonTokenStream &tokens_;
  ASTContext &ctx_;
  DiagnosticsEngine &diags_;
  const ParseLimits &limits_;
  std::unordered_set<size_t> attachedPragmas_;
  std::unordered_map<size_t, Pragma> pragmas_;  // parsed once, so a malformed pragma is reported once  // token indexes of pragmas attached to a node
  bool tooManyOperands_ = false;
  antlr4::Token *unitStart_ = nullptr;
  antlr4::Token *bodyStart_ = nullptr;  // first token of a module's first declaration
  std::vector<Diagnostic> pending_;
};

}  // namespace spx::detail
