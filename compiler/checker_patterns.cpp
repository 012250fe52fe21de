// The checker: the pattern of `matches` is compiled with the rules, so a bad one is an error
// here (E0307) rather than a rule that silently never matches at run time.
#include "common/text_match.hpp"
#include "compiler/checker_impl.hpp"

namespace switchyard::compiler {

namespace {

// Where byte `offset` of a string literal's value is in the source: exact when the literal has
// no escapes (its text is then its value in quotes), else the whole literal.
Span span_in_literal(const Expr& literal, const std::string& value, std::size_t offset) {
    const Span whole = literal.span;
    if (whole.end - whole.begin != value.size() + 2) return whole;
    auto at = static_cast<std::uint32_t>(whole.begin + 1 + offset);
    return {at, at + 1};
}

}  // namespace

void ExprChecker::check_pattern_argument(const dsl::Call& c) {
    for (std::size_t a = 0; a < c.args.size(); ++a) {
        if (c.args[a].param != 1) continue;  // `pattern`, the second parameter of `matches`
        const Expr& arg = *c.args[a].value;
        const auto* literal = arg.as<dsl::StringLit>();
        if (!literal) {
            error(Code::E0307, arg.span, "the pattern of `matches` must be a string literal",
                  "patterns are compiled with the rules; to match a text that varies, use `contains`, "
                  "`starts_with`, `ends_with` or `has_word`");
            continue;
        }
        if (auto problem = common::check_pattern(literal->value))
            error(Code::E0307, span_in_literal(arg, literal->value, problem->offset),
                  "invalid pattern: " + problem->message,
                  "`*` matches any text, `?` one character, `[abc]`, `[a-z]` or `[!a-z]` one character of a class");
    }
}

}  // namespace switchyard::compiler
