// Parsing rule files into syntax trees, with diagnostics for everything that is not well-formed.
#pragma once

#include "common/diagnostic.hpp"
#include "dsl/ast.hpp"

namespace switchyard::dsl {

struct ParseResult {
    Module module;
    bool ok = true;  // false when any syntax error was reported (the module then holds what parsed)
};

// Parses one file of `sources`. Never throws for bad input and never recurses without bound:
// every problem becomes a diagnostic in `diagnostics`.
ParseResult parse(const common::SourceMap& sources, common::FileId file, common::DiagnosticBag& diagnostics);

// Decodes the contents of a string literal (without its quotes); a malformed `\u{...}` escape is
// dropped. Used by the parser and formatter.
std::string unescape(std::string_view body);
// The literal, quoted and escaped, that reads back as `value`.
std::string quote(std::string_view value);

}  // namespace switchyard::dsl
