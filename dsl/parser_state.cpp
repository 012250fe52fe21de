// The parser: what its State does without PEGTL. Pushing an expression node records how deep
// it nests, and refuses one nested deeper than max_expression_depth (E0102), so that nothing
// after the parser recurses without bound.
#include "dsl/parser_impl.hpp"

#include <string>
#include <type_traits>
#include <variant>

namespace switchyard::dsl {

namespace {

std::uint32_t child_depth(const Expr::Node& node) {
    std::uint32_t d = 0;
    auto take = [&](const ExprPtr& e) {
        if (e && e->depth > d) d = e->depth;
    };
    std::visit(
        [&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, Field>) take(n.object);
            else if constexpr (std::is_same_v<T, Call>) for (const auto& a : n.args) take(a.value);
            else if constexpr (std::is_same_v<T, Unary>) take(n.operand);
            else if constexpr (std::is_same_v<T, Binary>) { take(n.lhs); take(n.rhs); }
            else if constexpr (std::is_same_v<T, ListLit> || std::is_same_v<T, SetLit>) for (const auto& i : n.items) take(i);
            else if constexpr (std::is_same_v<T, RecordLit>) for (const auto& f : n.fields) take(f.value);
            else if constexpr (std::is_same_v<T, Where>) { take(n.items); take(n.predicate); }
            else if constexpr (std::is_same_v<T, IfElse>) { take(n.condition); take(n.then_value); take(n.else_value); }
        },
        node);
    return d;
}

}  // namespace

void too_deep(std::uint32_t at) {
    throw SyntaxFailure{Code::E0102,
                        "nested too deeply (more than " + std::to_string(max_expression_depth) + " levels)", at,
                        at + 1};
}

void State::push(Span span, Expr::Node node) {
    std::uint32_t depth = child_depth(node) + 1;
    if (depth > max_expression_depth) too_deep(span.begin);
    exprs.push_back(module.arena->make(Expr{span, std::move(node), depth, {}}));
}

}  // namespace switchyard::dsl
