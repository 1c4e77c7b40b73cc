// Internal to compiler/parse: the error strategy of the recovering parse, which reports syntax errors in our
// words (expected X but found Y, expected an expression ...) and keeps follow-on errors quiet.
#pragma once

#include "diag/Diagnostics.h"
#include "parse/Parser.h"

#include <antlr4-runtime.h>

#include "SpxLexer.h"
#include "SpxParser.h"

#include <memory>

namespace spx::detail {

using grammar::SpxParser;

std::shared_ptr<antlr4::ANTLRErrorStrategy> makeReportingStrategy(const SourceManager &sm, FileId file,
                                                                  DiagnosticsEngine &diags);

}  // namespace spx::detail
