// The parser: PEGTL runs the grammar of grammar.hpp over one declaration at a time, and the
// actions below build the syntax tree; a must<> that fails reports its message from error_for.
// The text of tokens (literals, escapes, error carets, resuming) is in parser_text.cpp.
#include "dsl/parser.hpp"

#include "dsl/grammar.hpp"
#include "dsl/parser_impl.hpp"

#include <limits>

namespace switchyard::dsl {

namespace g = grammar;
namespace p = tao::pegtl;

namespace {

struct ErrorInfo {
    Code code;
    const char* message;
};

// What each must<> says when its rule does not match. A missing entry fails to compile.
template <typename Rule>
inline constexpr ErrorInfo error_for{Code::E0100, nullptr};
#define SY_EXPECTS(rule, code, text) \
    template <>                      \
    inline constexpr ErrorInfo error_for<g::rule>{Code::code, text};
SY_EXPECTS(decl, E0100,
           "expected a declaration (`ruleset`, `import`, `setting`, `contact_field`, `let`, `fn`, `policy` or `test`)")
SY_EXPECTS(expr, E0100, "expected an expression")
SY_EXPECTS(not_expr, E0100, "expected an expression after `not`")
SY_EXPECTS(unary_expr, E0100, "expected an expression")
SY_EXPECTS(add_expr, E0100, "expected an expression after `??`")
SY_EXPECTS(coalesce_expr, E0100, "expected an expression after the comparison")
SY_EXPECTS(and_expr, E0100, "expected an expression after `or`")
SY_EXPECTS(or_expr, E0100, "expected a condition after `where`")
SY_EXPECTS(then_branch, E0100, "expected `then`")
SY_EXPECTS(else_branch, E0100, "expected `else`")
SY_EXPECTS(close_paren, E0100, "expected `)`")
SY_EXPECTS(close_bracket, E0100, "expected `,` or `]`")
SY_EXPECTS(close_brace, E0100, "expected `,` or `}`")
SY_EXPECTS(close_angle, E0100, "expected `,` or `>`")
SY_EXPECTS(colon, E0100, "expected `:`")
SY_EXPECTS(equals, E0100, "expected `=`")
SY_EXPECTS(arrow, E0100, "expected `->`")
SY_EXPECTS(open_brace, E0100, "expected `{`")
SY_EXPECTS(field_name, E0100, "expected a field name after `.`")
SY_EXPECTS(decl_name, E0100, "expected a name")
SY_EXPECTS(fn_open, E0100, "expected `(` and the function's parameters")
SY_EXPECTS(kind_name, E0100, "expected a policy kind such as `routing`")
SY_EXPECTS(scope_value, E0100, "expected a scope value such as `inbound`, `telegram` or `group`")
SY_EXPECTS(priority_value, E0100, "expected a whole number after `priority`")
SY_EXPECTS(policy_close, E0100, "expected a rule (`when ... -> ...` or `otherwise -> ...`) or `}`")
SY_EXPECTS(test_close, E0100, "expected `given`, `expect` or `}`")
SY_EXPECTS(test_name, E0100, "expected the test's name in quotes")
SY_EXPECTS(import_path, E0100, "expected the file to import, in quotes")
SY_EXPECTS(fact_name, E0100, "expected a fact name such as `message`")
SY_EXPECTS(given_value, E0100, "expected `{` and the fields of the fact, or `=` and a value (`given now = 2026-12-07T10:00Z`)")
SY_EXPECTS(type_ref, E0100, "expected a type such as `bool` or `list<string>`")
SY_EXPECTS(string_close, E0103, "unterminated string: expected `\"` before the end of the line")
SY_EXPECTS(escape_char, E0104, "invalid escape: use `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r` or `\\u{...}`")
#undef SY_EXPECTS


template <typename Rule>
struct Reporting : p::normal<Rule> {
    template <typename Input, typename... States>
    [[noreturn]] static void raise(const Input& in, State& st, States&&...) {
        static_assert(error_for<Rule>.message != nullptr, "every must<> needs an entry in error_for");
        std::uint32_t at = st.offset(in.current());
        std::string_view whole(st.base, static_cast<std::size_t>(in.end() - st.base));
        throw SyntaxFailure{error_for<Rule>.code, error_for<Rule>.message, at, token_end(whole, at)};
    }
};

// Rules through which expressions recurse count their nesting, so that hostile input such as
// 100 000 open parentheses ends in a diagnostic instead of a stack overflow.
template <typename Rule>
struct Control : Reporting<Rule> {};

template <typename Rule>
struct NestingControl : Reporting<Rule> {
    template <typename Input>
    static void start(const Input& in, State& st) {
        if (++st.nesting > max_expression_depth) too_deep(st.offset(in.current()));
    }
    template <typename Input>
    static void success(const Input&, State& st) { --st.nesting; }
    template <typename Input>
    static void failure(const Input&, State& st) { --st.nesting; }
};
template <> struct Control<g::expr> : NestingControl<g::expr> {};
template <> struct Control<g::not_prefix> : NestingControl<g::not_prefix> {};
template <> struct Control<g::negation> : NestingControl<g::negation> {};
template <> struct Control<g::type_ref> : NestingControl<g::type_ref> {};

template <typename Rule>
struct Action : p::nothing<Rule> {};

template <> struct Action<g::comment> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Span s = st.span(in);
        auto& comments = st.module.comments;
        if (comments.empty() || comments.back().span.begin < s.begin) comments.push_back({s});
    }
};

// Literals whose text becomes a node in one step (parser_text.cpp), errors included.
template <Expr::Node (*Read)(std::string_view, Span)>
struct PushLiteral {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Span span = st.span(in);
        st.push(span, Read(in.string_view(), span));
    }
};
template <> struct Action<g::number_lit> : PushLiteral<number_literal> {};
template <> struct Action<g::date_lit> : PushLiteral<date_literal> {};
template <> struct Action<g::time_of_day_lit> : PushLiteral<time_of_day_literal> {};
template <> struct Action<g::short_clock> : PushLiteral<short_clock_literal> {};
template <> struct Action<g::time_lit> : PushLiteral<time_literal> {};

template <> struct Action<g::expr_string> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Span span = st.span(in);
        st.push(span, StringLit{unescape_checked(in.string_view(), span.begin)});
    }
};

template <> struct Action<g::true_lit> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.push(st.span(in), BoolLit{true}); }
};
template <> struct Action<g::false_lit> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.push(st.span(in), BoolLit{false}); }
};
template <> struct Action<g::none_lit> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.push(st.span(in), NoneLit{}); }
};
template <> struct Action<g::name_ref> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.push(st.span(in), Name{in.string()}); }
};

struct PushMark {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.marks.push_back({st.exprs.size(), st.offset(in.begin()), st.labels.size()}); }
};
template <> struct Action<g::call_open> : PushMark {};
template <> struct Action<g::list_open> : PushMark {};
template <> struct Action<g::brace_open> : PushMark {};
template <> struct Action<g::given_open> : PushMark {};

struct PushLabel {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.labels.push_back({in.string(), st.span(in), st.exprs.size()}); }
};
template <> struct Action<g::arg_name> : PushLabel {};
template <> struct Action<g::field_label> : PushLabel {};

template <> struct Action<g::call_suffix> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Mark mark = st.marks.back();
        st.marks.pop_back();
        auto labels = st.labels_from(mark);
        auto values = st.pop_from(mark.index);
        ExprPtr callee = st.pop();
        Call call{std::get<Name>(callee->node).id, callee->span, {}};
        std::size_t next_label = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            Arg arg{std::nullopt, {}, std::move(values[i])};
            if (next_label < labels.size() && labels[next_label].index == mark.index + i) {
                arg.name = std::move(labels[next_label].name);
                arg.name_span = labels[next_label].span;
                ++next_label;
            }
            call.args.push_back(std::move(arg));
        }
        st.push({callee->span.begin, st.offset(in.end())}, std::move(call));
    }
};

template <> struct Action<g::list_lit> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Mark mark = st.marks.back();
        st.marks.pop_back();
        st.push(st.span(in), ListLit{st.pop_from(mark.index)});
    }
};

RecordLit build_record(State& st, const Mark& mark) {
    auto labels = st.labels_from(mark);
    auto values = st.pop_from(mark.index);
    RecordLit record;
    for (std::size_t i = 0; i < values.size(); ++i)
        record.fields.push_back({std::move(labels[i].name), labels[i].span, std::move(values[i])});
    return record;
}

template <> struct Action<g::record_tail> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Mark mark = st.marks.back();
        st.marks.pop_back();
        st.push({mark.begin, st.offset(in.end())}, build_record(st, mark));
    }
};
template <> struct Action<g::given_record> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Mark mark = st.marks.back();
        st.marks.pop_back();
        st.push(st.span(in), build_record(st, mark));
    }
};
template <> struct Action<g::set_tail> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Mark mark = st.marks.back();
        st.marks.pop_back();
        st.push({mark.begin, st.offset(in.end())}, SetLit{st.pop_from(mark.index)});
    }
};

template <> struct Action<g::field_name> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        ExprPtr object = st.pop();
        Span span{object->span.begin, st.offset(in.end())};
        st.push(span, Field{std::move(object), in.string(), st.span(in)});
    }
};

template <UnaryOp Op>
struct PushUnary {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        ExprPtr operand = st.pop();
        st.push(st.span(in), Unary{Op, std::move(operand)});
    }
};
template <> struct Action<g::negation> : PushUnary<UnaryOp::negate> {};
template <> struct Action<g::not_prefix> : PushUnary<UnaryOp::logical_not> {};

template <BinaryOp Op>
struct PushOp {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.ops.push_back({Op, st.span(in)}); }
};
template <> struct Action<g::op_add> : PushOp<BinaryOp::add> {};
template <> struct Action<g::op_sub> : PushOp<BinaryOp::sub> {};
template <> struct Action<g::op_coalesce> : PushOp<BinaryOp::coalesce> {};
template <> struct Action<g::op_eq> : PushOp<BinaryOp::eq> {};
template <> struct Action<g::op_ne> : PushOp<BinaryOp::ne> {};
template <> struct Action<g::op_lt> : PushOp<BinaryOp::lt> {};
template <> struct Action<g::op_le> : PushOp<BinaryOp::le> {};
template <> struct Action<g::op_gt> : PushOp<BinaryOp::gt> {};
template <> struct Action<g::op_ge> : PushOp<BinaryOp::ge> {};
template <> struct Action<g::op_in> : PushOp<BinaryOp::in> {};
template <> struct Action<g::op_not_in> : PushOp<BinaryOp::not_in> {};
template <> struct Action<g::kw_and> : PushOp<BinaryOp::logical_and> {};
template <> struct Action<g::kw_or> : PushOp<BinaryOp::logical_or> {};

struct PushBinary {
    template <typename Input>
    static void apply(const Input&, State& st) {
        auto [op, op_span] = st.ops.back();
        st.ops.pop_back();
        ExprPtr rhs = st.pop();
        ExprPtr lhs = st.pop();
        Span span = Span::join(lhs->span, rhs->span);
        st.push(span, Binary{op, std::move(lhs), std::move(rhs), op_span});
    }
};
template <> struct Action<g::add_tail> : PushBinary {};
template <> struct Action<g::coalesce_tail> : PushBinary {};
template <> struct Action<g::cmp_tail> : PushBinary {};
template <> struct Action<g::and_tail> : PushBinary {};
template <> struct Action<g::or_tail> : PushBinary {};

template <> struct Action<g::where_tail> {
    template <typename Input>
    static void apply(const Input&, State& st) {
        ExprPtr predicate = st.pop();
        ExprPtr items = st.pop();
        Span span = Span::join(items->span, predicate->span);
        st.push(span, Where{std::move(items), std::move(predicate)});
    }
};

template <> struct Action<g::if_expr> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        ExprPtr else_value = st.pop();
        ExprPtr then_value = st.pop();
        ExprPtr condition = st.pop();
        st.push(st.span(in), IfElse{std::move(condition), std::move(then_value), std::move(else_value)});
    }
};

// ---- declarations ----
struct TakeName {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.name = Ident{in.string(), st.span(in)}; }
};
template <> struct Action<g::decl_name> : TakeName {};
template <> struct Action<g::kind_name> : TakeName {};
template <> struct Action<g::fact_name> : TakeName {};

struct TakeText {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.text = unescape_checked(in.string_view(), st.offset(in.begin())); }
};
template <> struct Action<g::import_path> : TakeText {};
template <> struct Action<g::setting_description> : TakeText {};

template <> struct Action<g::ruleset_decl> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.module.decls.push_back({st.span(in), RulesetDecl{st.name}}); }
};
template <> struct Action<g::import_decl> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        Span span = st.span(in);
        std::uint32_t path_begin = span.begin + static_cast<std::uint32_t>(in.string_view().find('"'));
        st.module.decls.push_back({span, ImportDecl{std::move(*st.text), {path_begin, span.end}}});
        st.text.reset();
    }
};

template <> struct Action<g::type_name> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.types.push_back(TypeRef{in.string(), {}, false, st.span(in)}); }
};
template <> struct Action<g::type_args_open> {
    template <typename Input>
    static void apply(const Input&, State& st) { st.type_marks.push_back(st.types.size()); }
};
template <> struct Action<g::type_args> {
    template <typename Input>
    static void apply(const Input&, State& st) {
        std::size_t mark = st.type_marks.back();
        st.type_marks.pop_back();
        auto& parent = st.types[mark - 1];
        for (std::size_t i = mark; i < st.types.size(); ++i) parent.args.push_back(std::move(st.types[i]));
        st.types.resize(mark);
    }
};
template <> struct Action<g::type_optional> {
    template <typename Input>
    static void apply(const Input&, State& st) { st.types.back().optional = true; }
};
template <> struct Action<g::type_ref> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.types.back().span = st.span(in); }
};

template <bool ContactField>
struct SettingAction {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        ExprPtr value = st.pop();
        TypeRef type = std::move(st.types.back());
        st.types.pop_back();
        st.module.decls.push_back(
            {st.span(in), SettingDecl{st.name, std::move(type), std::move(value), std::move(st.text), ContactField}});
        st.text.reset();
    }
};
template <> struct Action<g::setting_decl> : SettingAction<false> {};
template <> struct Action<g::contact_field_decl> : SettingAction<true> {};

template <> struct Action<g::let_decl> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.module.decls.push_back({st.span(in), LetDecl{st.name, st.pop()}}); }
};
template <> struct Action<g::policy_let> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        st.policy->lets.push_back(LetDecl{st.name, st.pop()});
        st.item_end = st.offset(in.end());  // a whole item: what an error after it skips starts here
    }
};

// ---- `fn` ----
template <> struct Action<g::fn_head> {
    template <typename Input>
    static void apply(const Input&, State& st) {
        st.function.emplace();
        st.function->name = st.name;
    }
};
template <> struct Action<g::param_name> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.function->params.push_back({Ident{in.string(), st.span(in)}, {}}); }
};
template <> struct Action<g::fn_param> {
    template <typename Input>
    static void apply(const Input&, State& st) {
        st.function->params.back().type = st.pop_type();
    }
};
template <> struct Action<g::fn_decl> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        st.function->result = st.pop_type();
        st.function->body = st.pop();
        st.module.decls.push_back({st.span(in), std::move(*st.function)});
        st.function.reset();
    }
};

template <> struct Action<g::policy_head> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        st.policy.emplace();
        st.policy->kind = st.name;
        st.policy_begin = st.offset(in.begin());
    }
};
// Tests open with `{` too; only a policy's body is resumed after an error.
template <> struct Action<g::open_brace> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        if (!st.policy) return;
        st.in_policy_body = true;
        st.item_end = st.offset(in.end());
    }
};
template <> struct Action<g::scope_keyword> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.policy->scope.push_back({in.string(), st.span(in), {}}); }
};
template <> struct Action<g::scope_value> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.policy->scope.back().values.push_back({in.string(), st.span(in)}); }
};
template <> struct Action<g::priority_value> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        std::string_view text = in.string_view();
        if (st.policy->priority)
            throw SyntaxFailure{Code::E0402, "`priority` is given twice", st.offset(in.begin()), st.offset(in.end())};
        bool negative = text.front() == '-';
        std::int64_t v = parse_integer(text.substr(negative ? 1 : 0), st.offset(in.begin()));
        st.policy->priority = negative ? -v : v;
        st.policy->priority_span = st.span(in);
    }
};
template <> struct Action<g::when_rule> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        ExprPtr result = st.pop();
        ExprPtr condition = st.pop();
        st.add_rule(Rule{std::move(condition), std::move(result), st.span(in)});
    }
};
template <> struct Action<g::otherwise_rule> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.add_rule(Rule{nullptr, st.pop(), st.span(in)}); }
};
template <> struct Action<g::policy_close> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.policy->close_span = st.span(in); }
};
template <> struct Action<g::policy_decl> {
    template <typename Input>
    static void apply(const Input& in, State& st) { st.finish_policy(st.offset(in.end())); }
};

template <> struct Action<g::test_name> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        st.test.emplace();
        st.test->name = unescape_checked(in.string_view(), st.offset(in.begin()));
        st.test->name_span = st.span(in);
    }
};
template <> struct Action<g::given_assign> {
    template <typename Input>
    static void apply(const Input&, State& st) { st.given_assigned = true; }
};
template <> struct Action<g::given_item> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        auto& item = st.test->items.emplace_back();
        item.item.emplace<Given>(Given{st.name, st.pop(), st.given_assigned});
        st.given_assigned = false;
        item.span = st.span(in);
    }
};
template <> struct Action<g::expect_item> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        auto& item = st.test->items.emplace_back();
        item.item.emplace<Expect>(Expect{st.pop()});
        item.span = st.span(in);
    }
};
template <> struct Action<g::test_decl> {
    template <typename Input>
    static void apply(const Input& in, State& st) {
        st.module.decls.push_back({st.span(in), std::move(*st.test)});
        st.test.reset();
    }
};

using Input = p::memory_input<p::tracking_mode::lazy, p::eol::lf_crlf>;

// Parses one file declaration by declaration. After a syntax error inside a policy, parsing
// resumes at its next rule, so the rules around the error are still checked; elsewhere, at the
// next declaration (where, and what of the skipped text is kept: resume_after).
void parse_declarations(std::string_view text, const std::string& path, common::FileId file,
                        common::DiagnosticBag& diagnostics, ParseResult& result) {
    State st(text.data(), result.module);
    std::size_t pos = 0;
    std::size_t errors = 0;
    bool resume_in_policy = false;
    while (pos < text.size()) {
        Input in(text.data() + pos, text.data() + text.size(), path);
        std::size_t decl_start = pos;
        try {
            if (resume_in_policy) {
                p::parse<g::policy_body, Action, Control>(in, st);
                st.finish_policy(st.offset(in.current()));
            }
            p::parse<g::ws, Action, Control>(in, st);
            while (!in.empty()) {
                decl_start = static_cast<std::size_t>(in.current() - text.data());
                p::parse<g::next_decl, Action, Control>(in, st);
            }
            break;
        } catch (const SyntaxFailure& failure) {
            std::string message = failure.message;
            if (failure.code == Code::E0100) message += ", found " + describe_found(text, failure.begin);
            auto& reported = diagnostics.report(failure.code, file, {failure.begin, failure.end}, std::move(message));
            result.ok = false;
            if (++errors == max_syntax_errors) {
                reported.notes.push_back({file, {failure.begin, failure.end},
                                          "stopped after " + std::to_string(max_syntax_errors) +
                                              " syntax errors: the rest of the file is not read"});
                skip_text(st, text, st.policy && st.in_policy_body ? st.item_end : decl_start, text.size());
                break;
            }
            auto resume = resume_after(st, text, failure.begin, decl_start);
            pos = resume.pos;
            resume_in_policy = resume.in_policy_body;
        }
    }
    finish_unparsed_names(result.module);
}

}  // namespace

ParseResult parse(const common::SourceMap& sources, common::FileId file, common::DiagnosticBag& diagnostics) {
    const auto& source = sources.file(file);
    std::string_view text = source.text();
    ParseResult result;
    result.module.file = file;
    if (text.size() > common::max_source_bytes) {
        diagnostics.report(Code::E0106, file, {0, 0},
                           "file is " + std::to_string(text.size()) + " bytes; rule files are limited to " +
                               std::to_string(common::max_source_bytes) + " bytes");
        result.ok = false;
        return result;
    }
    if (auto bad = common::find_invalid_utf8(text); bad != std::string_view::npos) {
        auto at = static_cast<std::uint32_t>(bad);
        diagnostics.report(Code::E0101, file, {at, at + 1}, "file is not valid UTF-8 (byte " + std::to_string(bad) + ")",
                           "save the file as UTF-8");
        result.ok = false;
        return result;
    }
    parse_declarations(text, source.path(), file, diagnostics, result);
    return result;
}

}  // namespace switchyard::dsl
