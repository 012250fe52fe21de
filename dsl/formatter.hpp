// The canonical formatter of rule files (what `switchyard fmt` writes), and the expression printer
// that diagnostics and the coverage analysis use to name conditions. The layout rules are listed
// at the top of formatter.cpp.
#pragma once

#include "dsl/ast.hpp"

#include <string>
#include <string_view>

namespace switchyard::dsl {

// Prints an expression on one line in canonical form, with the fewest parentheses that keep its
// meaning: `(a or b) and c` keeps them, `a or (b and c)` loses them; binary operators are
// left-associative, so `a - (b - c)` keeps them and `(a - b) - c` does not; comparisons do not
// chain, so a comparison operand of a comparison is always parenthesised.
std::string print_expr(const Expr& e);

// Formats a whole module. `source` is the text the module was parsed from: comments are read
// from it by span, and blank lines in it decide where blank lines stay between top-level items
// (declarations and comment blocks). Every comment of `module.comments` appears in the result.
// Statements longer than 100 columns are broken over several lines where they can be.
std::string format_module(const Module& module, std::string_view source);

}  // namespace switchyard::dsl
