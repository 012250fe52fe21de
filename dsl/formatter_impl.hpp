// The formatter's private declarations, shared by its two files:
//   formatter.cpp              the layout of a module: declarations, comments and blank lines
//                              (the layout rules are listed at its top)
//   formatter_expressions.cpp  expressions: printed on one line (print_expr), and statements
//                              broken over lines within max_width columns
#pragma once

#include "dsl/ast.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::dsl {

// How tightly each form of expression binds; binary operators take theirs from precedence().
// An operand that binds more loosely than its position requires is printed in parentheses.
inline constexpr int if_level = 0;      // `if c then a else b`: its `else` branch would swallow anything after it
inline constexpr int where_level = 1;   // `items where predicate`
inline constexpr int not_level = 4;     // prefix `not`
inline constexpr int negate_level = 8;  // prefix `-`
inline constexpr int postfix_level = 9; // `a.b`
inline constexpr int primary_level = 10;

inline constexpr std::size_t indent_width = 4;
inline constexpr std::size_t max_width = 100;

// Width in columns: code points.
std::size_t columns(std::string_view text);

// One piece of a statement or of an expression as the line breaker sees it: fixed text, or an
// expression printed where the grammar needs at least `level`.
struct Part {
    std::string text;
    const Expr* expr = nullptr;
    int level = if_level;
};

Part text_part(std::string text);
Part expr_part(const Expr& e, int level = if_level);

struct TextLine {
    std::size_t indent = 0;
    std::string text;  // without the indentation
};

// One statement laid out from `indent` on (the rules are at the top of formatter.cpp).
std::vector<TextLine> statement_lines(std::size_t indent, const std::vector<Part>& parts);

// `list<person>`, `set<string>`, `string?`.
std::string print_type(const TypeRef& type);

}  // namespace switchyard::dsl
