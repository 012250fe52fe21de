// The parser's private declarations, shared by its two files and seen by no other module:
//   parser.cpp       the grammar's actions that build the syntax tree, the message of every
//                    must<>, and parse() itself; the only file that sees PEGTL
//   parser_text.cpp  the text of tokens: numbers, units and string escapes; the token and the
//                    line a syntax error names, and where parsing resumes after one (the next
//                    rule of a policy, or the next declaration) and what of the skipped text is kept
#pragma once

#include "common/diagnostic.hpp"
#include "dsl/ast.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::dsl {

using common::Code;

// More syntax errors than this in one file are mostly echoes of the first ones: the rest of the
// file is not read.
inline constexpr std::size_t max_syntax_errors = 20;

// A syntax problem found while parsing one declaration; parsing resumes at the next one.
struct SyntaxFailure {
    Code code;
    std::string message;
    std::uint32_t begin;
    std::uint32_t end;
};

// What the actions build while one declaration is parsed: stacks of finished expressions, of the
// constructs still open (marks) and of the names given to their values (labels).
struct Mark {
    std::size_t index;        // where the marked construct's values start in `exprs`
    std::uint32_t begin;      // its source offset
    std::size_t first_label;  // labels pushed before it belong to enclosing constructs
};

struct Label {
    std::string name;
    Span span;
    std::size_t index;  // the position in `exprs` of the value it names
};

// Throws the E0102 SyntaxFailure at `at`: nested deeper than max_expression_depth.
[[noreturn]] void too_deep(std::uint32_t at);

struct State {
    State(const char* text, Module& into) : base(text), module(into) {}

    const char* base;
    Module& module;
    std::vector<ExprPtr> exprs;
    std::vector<Mark> marks;
    std::vector<Label> labels;
    std::vector<std::pair<BinaryOp, Span>> ops;
    std::vector<TypeRef> types;
    std::vector<std::size_t> type_marks;
    Ident name;
    std::optional<std::string> text;  // the last description, import path or test name
    std::optional<PolicyDecl> policy;
    std::optional<TestDecl> test;
    std::optional<FnDecl> function;
    std::uint32_t nesting = 0;
    bool given_assigned = false;  // the `given` being read has the `= value` form
    // Where the policy being parsed starts, whether its `{` was read, and the end of its last
    // whole item (`{`, a `let` or a rule): what a syntax error inside it skips starts there.
    std::uint32_t policy_begin = 0;
    bool in_policy_body = false;
    std::uint32_t item_end = 0;

    std::uint32_t offset(const char* at) const { return static_cast<std::uint32_t>(at - base); }
    template <typename Input>
    Span span(const Input& in) const {
        return {offset(in.begin()), offset(in.end())};
    }
    // Forgets the half-built expressions of a failed item; the policy around it stays.
    void clear_expressions() {
        exprs.clear();
        marks.clear();
        labels.clear();
        ops.clear();
        types.clear();
        type_marks.clear();
        text.reset();
        nesting = 0;
        given_assigned = false;
    }
    void add_rule(Rule rule) {
        item_end = rule.span.end;
        policy->rules.push_back(std::move(rule));
    }
    // The policy being parsed, as it is, becomes a declaration that ends at `end`.
    void finish_policy(std::uint32_t end) {
        module.decls.push_back({{policy_begin, end}, std::move(*policy)});
        policy.reset();
        in_policy_body = false;
    }
    void clear() {
        clear_expressions();
        policy.reset();
        test.reset();
        function.reset();
        in_policy_body = false;
    }
    TypeRef pop_type() {
        TypeRef t = std::move(types.back());
        types.pop_back();
        return t;
    }
    ExprPtr pop() {
        ExprPtr e = std::move(exprs.back());
        exprs.pop_back();
        return e;
    }
    std::vector<ExprPtr> pop_from(std::size_t mark) {
        std::vector<ExprPtr> items;
        for (std::size_t i = mark; i < exprs.size(); ++i) items.push_back(std::move(exprs[i]));
        exprs.resize(mark);
        return items;
    }
    std::vector<Label> labels_from(const Mark& mark) {
        std::vector<Label> out(std::make_move_iterator(labels.begin() + static_cast<std::ptrdiff_t>(mark.first_label)),
                               std::make_move_iterator(labels.end()));
        labels.resize(mark.first_label);
        return out;
    }
    void push(Span span, Expr::Node node);
};

// ---- the text of tokens (parser_text.cpp) ----

// A whole number without sign; E0105 when it does not fit 64 bits.
std::int64_t parse_integer(std::string_view digits, std::uint32_t at);
std::optional<SizeUnit> size_unit_named(std::string_view s);
std::optional<DurationUnit> duration_unit_named(std::string_view s);
// Literals as nodes: `42`, `5 MB` and `90 s` (E0105 past 64 bits); `2027-01-01`, `09:00` and
// `2026-12-07T10:00+03:00` (E0107 naming the field that is wrong); `9:00`, always E0107.
Expr::Node number_literal(std::string_view text, Span span);
Expr::Node date_literal(std::string_view text, Span span);
Expr::Node time_of_day_literal(std::string_view text, Span span);
Expr::Node time_literal(std::string_view text, Span span);
Expr::Node short_clock_literal(std::string_view text, Span span);
// A string literal, quotes included, decoded; E0104 for a `\u{...}` that names no character.
std::string unescape_checked(std::string_view literal, std::uint32_t at);

// The extent of the token at `at`, for the caret under a syntax error.
std::uint32_t token_end(std::string_view text, std::uint32_t at);
// What a syntax error found at `at`: a token, or the end of the line or file.
std::string describe_found(std::string_view text, std::uint32_t at);
// After a syntax error: the start of the next line that begins (in column 1) with a declaration keyword.
std::size_t recovery_point(std::string_view text, std::size_t from, std::size_t decl_start);
// After a syntax error inside a policy's braces: the next rule of the policy (the first word of a
// line that is `when` or `otherwise`, or `let` while `lets_allowed`) or its closing `}` in column
// 1, at or after the line of `from`; nothing when a declaration or the end of the file comes first.
std::optional<std::size_t> rule_recovery_point(std::string_view text, std::size_t from, bool lets_allowed);
// The words (names, keywords) of text the parser skipped, strings and comments left out.
std::vector<std::string> words_in(std::string_view text);

// Where parsing goes on after a syntax error at `failure_at`, and whether that is inside the
// policy being parsed (then with its body). A policy that no rule follows ends at the error
// with what parsed of it. The words of the text skipped are kept (skip_text).
struct Resume {
    std::size_t pos;
    bool in_policy_body;
};
Resume resume_after(State& st, std::string_view text, std::uint32_t failure_at, std::size_t decl_start);
// Keeps the words of text[from, to), which the parser skips: in the module, and in the policy
// being parsed when it is inside one.
void skip_text(State& st, std::string_view text, std::size_t from, std::size_t to);
// Sorts the kept words (the module's and each policy's) once parsing is done.
void finish_unparsed_names(Module& module);

}  // namespace switchyard::dsl
