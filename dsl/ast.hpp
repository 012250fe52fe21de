// The syntax tree of one rule file. Nodes carry their source span and an annotation slot that
// the checker fills; equality (used by golden and round-trip tests) ignores both.
#pragma once

#include "common/source.hpp"
#include "stdlib/types.hpp"

#include <cstdint>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace switchyard::dsl {

using common::Span;

// Deepest expression tree the parser builds; deeper input is refused with E0102 so that
// no later recursive pass can exhaust the stack.
inline constexpr std::uint32_t max_expression_depth = 200;

struct Expr;
// An expression is destroyed by its owner and its memory given back with its arena's, all at
// once (freeing the nodes of 100,000 lines one by one was a fifth of `check`).
struct DestroyExpr {
    void operator()(Expr* e) const noexcept;
};
using ExprPtr = std::unique_ptr<Expr, DestroyExpr>;

enum class UnaryOp : std::uint8_t { logical_not, negate };
enum class BinaryOp : std::uint8_t { coalesce, logical_or, logical_and, eq, ne, lt, le, gt, ge, in, not_in, add, sub };

enum class SizeUnit : std::uint8_t { B, KB, MB, GB, KiB, MiB, GiB };
enum class DurationUnit : std::uint8_t { ms, s, min, h, d };

struct IntLit { std::int64_t value; };
struct StringLit { std::string value; };  // unescaped
struct BoolLit { bool value; };
struct NoneLit {};
struct SizeLit { std::int64_t amount; SizeUnit unit; };          // bytes = amount * unit
struct DurationLit { std::int64_t amount; DurationUnit unit; };  // ms = amount * unit
struct DateLit { std::int64_t days; };          // `2027-01-01`: days since 1970-01-01
struct TimeOfDayLit { std::int64_t ms; };       // `09:00`: milliseconds since midnight
struct TimeLit { std::int64_t ms; int offset_minutes; };  // `2026-12-07T10:00+03:00`: UTC ms, offset as written
struct Name { std::string id; };
struct Field {
    ExprPtr object;
    std::string name;
    Span name_span;
};
// In Arg::param: an argument the checker bound to no parameter (and reported).
inline constexpr std::uint32_t unbound_argument = 0xffffffff;

struct Arg {
    std::optional<std::string> name;  // set for `title: ...`
    Span name_span;
    ExprPtr value;
    // Filled by the checker: the index of the parameter it bound the argument to (by name, by
    // position, or to the variadic first parameter), so that lowering does not bind the
    // arguments a second time, perhaps differently. Kept here rather than in a list of the
    // call's annotation: a list per call was an allocation per call.
    mutable std::uint32_t param = unbound_argument;
};
struct Call {
    std::string callee;
    Span callee_span;
    std::vector<Arg> args;
};
struct Unary {
    UnaryOp op;
    ExprPtr operand;
};
struct Binary {
    BinaryOp op;
    ExprPtr lhs;
    ExprPtr rhs;
    Span op_span;
};
struct ListLit { std::vector<ExprPtr> items; };
struct SetLit { std::vector<ExprPtr> items; };
struct FieldInit {
    std::string name;
    Span name_span;
    ExprPtr value;
};
struct RecordLit { std::vector<FieldInit> fields; };
// `items where predicate`: the predicate sees each item as `it`.
struct Where {
    ExprPtr items;
    ExprPtr predicate;
};
struct IfElse {
    ExprPtr condition;
    ExprPtr then_value;
    ExprPtr else_value;
};

// What a name or call resolved to; filled by the checker.
// `rule_function`: a call of a function written in rules; `target` is its FnDecl.
// `contact_field`: `contact.fields.NAME`; `target` is its SettingDecl (a `contact_field`).
enum class RefKind : std::uint8_t {
    unresolved, local, let, setting, binding, enum_member, function, field, rule_function, contact_field
};

struct Annotation {
    stdlib::Type type = stdlib::types::error;
    RefKind ref = RefKind::unresolved;
    std::uint32_t index = 0;  // meaning depends on ref: member, function, field or declaration index
    const void* target = nullptr;  // the declaration a let, setting or local refers to
};

struct Expr {
    using Node = std::variant<IntLit, StringLit, BoolLit, NoneLit, SizeLit, DurationLit, DateLit, TimeOfDayLit, TimeLit,
                              Name, Field, Call, Unary, Binary, ListLit, SetLit, RecordLit, Where, IfElse>;
    Span span;
    Node node;
    std::uint32_t depth = 1;  // INVARIANT: 1 + the largest depth of the children, at most max_expression_depth
    mutable Annotation annotation;

    template <typename T>
    const T* as() const { return std::get_if<T>(&node); }
};

struct Ident {
    std::string name;
    Span span;
};

struct TypeRef {
    std::string name;
    std::vector<TypeRef> args;  // `list<person>` has one
    bool optional = false;
    Span span;
};

struct RulesetDecl { Ident name; };
struct ImportDecl {
    std::string path;
    Span path_span;
};
// `setting NAME: TYPE = DEFAULT "description"`, and `contact_field` declarations, which have the
// same shape: a contact's custom field, read as `contact.fields.NAME`.
struct SettingDecl {
    Ident name;
    TypeRef type;
    ExprPtr default_value;
    std::optional<std::string> description;
    bool contact_field = false;
    std::string_view keyword() const { return contact_field ? "contact_field" : "setting"; }
};
struct LetDecl {
    Ident name;
    ExprPtr value;
};

// `fn name(param: type, ...) -> type = body`: a pure function written in rules.
struct Param {
    Ident name;
    TypeRef type;
};
struct FnDecl {
    Ident name;
    std::vector<Param> params;
    TypeRef result;
    ExprPtr body;
};

struct ScopeClause {
    std::string keyword;  // `for`, `via`, `in`: looked up in the schema's dimensions
    Span keyword_span;
    std::vector<Ident> values;
};

struct Rule {
    ExprPtr condition;  // null for `otherwise`
    ExprPtr result;
    Span span;
    bool is_otherwise() const { return condition == nullptr; }
    // `-> next`: the rule defers to the policy that would apply if this one did not.
    bool defers() const {
        const auto* n = result ? result->as<Name>() : nullptr;
        return n && n->id == "next";
    }
};

struct PolicyDecl {
    Ident kind;
    std::vector<ScopeClause> scope;
    std::optional<std::int64_t> priority;
    Span priority_span;
    std::vector<LetDecl> lets;
    std::vector<Rule> rules;
    Span close_span;  // the closing brace, where "missing otherwise" points
    // Text of the policy was skipped after a syntax error: the rules here are not all of them.
    bool incomplete = false;
    std::vector<std::string> unparsed_names;  // the words of the skipped text, sorted
};

struct Given {
    Ident fact;
    ExprPtr value;          // a RecordLit, or for `given now = …` any constant
    bool assigned = false;  // written `given fact = value`
};
struct Expect { ExprPtr condition; };
struct TestItem {
    std::variant<Given, Expect> item;
    Span span;
};
struct TestDecl {
    std::string name;
    Span name_span;
    std::vector<TestItem> items;
};

struct Decl {
    using Node = std::variant<RulesetDecl, ImportDecl, SettingDecl, LetDecl, PolicyDecl, TestDecl, FnDecl>;
    Span span;
    Node node;
    template <typename T>
    const T* as() const { return std::get_if<T>(&node); }
};

struct Comment {
    Span span;  // from `#` to the end of the line, without the line break
};

// Where the expressions of a module live. It must outlive every ExprPtr it made: a Module holds
// its arena before its declarations, so that they are destroyed first.
class ExprArena {
public:
    ExprPtr make(Expr expr);

private:
    std::pmr::monotonic_buffer_resource memory_;
};

struct Module {
    std::unique_ptr<ExprArena> arena = std::make_unique<ExprArena>();  // first: destroyed last
    common::FileId file = 0;
    std::vector<Decl> decls;
    std::vector<Comment> comments;  // in source order
    // The words of all text skipped after syntax errors, sorted: the names it may have used.
    std::vector<std::string> unparsed_names;
};

// Structural equality, spans and annotations ignored.
bool operator==(const Expr& a, const Expr& b);
bool operator==(const TypeRef& a, const TypeRef& b);
bool operator==(const Decl& a, const Decl& b);
bool same_structure(const Module& a, const Module& b);

std::string_view to_string(BinaryOp op);
std::string_view to_string(SizeUnit unit);
std::string_view to_string(DurationUnit unit);
std::int64_t unit_factor(SizeUnit unit);
std::int64_t unit_factor(DurationUnit unit);
// `==`, `!=`, `<`, `<=`, `>`, `>=`, `in` and `not in`.
bool is_comparison(BinaryOp op);
// Operator precedence, higher binds tighter; used by the parser's grammar order and the printer.
int precedence(BinaryOp op);

}  // namespace switchyard::dsl
