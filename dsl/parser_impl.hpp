// The parser's private declarations, shared by its two files and seen by no other module:
//   parser.cpp       the grammar's actions that build the syntax tree, the message of every
//                    must<>, and parse() itself; the only file that sees PEGTL
//   parser_text.cpp  the text of tokens: numbers, units and string escapes; the token and the
//                    line a syntax error names, and where parsing resumes after one
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

    std::uint32_t offset(const char* at) const { return static_cast<std::uint32_t>(at - base); }
    template <typename Input>
    Span span(const Input& in) const {
        return {offset(in.begin()), offset(in.end())};
    }
    void clear() {
        exprs.clear();
        marks.clear();
        labels.clear();
        ops.clear();
        types.clear();
        type_marks.clear();
        policy.reset();
        test.reset();
        function.reset();
        text.reset();
        nesting = 0;
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
// A string literal, quotes included, decoded; E0104 for a `\u{...}` that names no character.
std::string unescape_checked(std::string_view literal, std::uint32_t at);

// The extent of the token at `at`, for the caret under a syntax error.
std::uint32_t token_end(std::string_view text, std::uint32_t at);
// What a syntax error found at `at`: a token, or the end of the line or file.
std::string describe_found(std::string_view text, std::uint32_t at);
// After a syntax error: the start of the next line that begins (in column 1) with a declaration keyword.
std::size_t recovery_point(std::string_view text, std::size_t from, std::size_t decl_start);

}  // namespace switchyard::dsl
