#include "ast/AST.h"

namespace spx {

const char *spelling(UnaryOp op) {
  switch (op) {
  case UnaryOp::Not: return "NOT";
  case UnaryOp::Neg: return "-";
  case UnaryOp::Pos: return "+";
  }
  return "?";
}

const char *spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Or: return "OR";
  case BinaryOp::And: return "AND";
  case BinaryOp::Eq: return "=";
  case BinaryOp::Ne: return "#";
  case BinaryOp::Lt: return "<";
  case BinaryOp::Le: return "<=";
  case BinaryOp::Gt: return ">";
  case BinaryOp::Ge: return ">=";
  case BinaryOp::In: return "IN";
  case BinaryOp::Add: return "+";
  case BinaryOp::Sub: return "-";
  case BinaryOp::Concat: return "&";
  case BinaryOp::Mul: return "*";
  case BinaryOp::Slash: return "/";
  case BinaryOp::Div: return "DIV";
  case BinaryOp::Mod: return "MOD";
  }
  return "?";
}

}  // namespace spx
