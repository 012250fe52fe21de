// The checker's private declarations, shared by its files and seen by no other module:
//   checker.cpp              declarations: globals, settings, policies (scope, coverage), tests,
//                            whole programs (ambiguity, unused names)
//   checker_expressions.cpp  expressions: the relations between types, operators, literals,
//                            `where` and `if`, and test `given` values
//   checker_names.cpp        what names, fields and calls refer to, and calls' arguments
//   checker_policies.cpp     policies as wholes: their rules' coverage, and the order of a
//                            program's policies (ambiguity, policies that never apply)
//   checker_patterns.cpp     the constant pattern of `matches`
//   checker_functions.cpp    functions written in rules (`fn`): signatures, bodies, calls, recursion
//   checker_next.cpp         `-> next`: every policy that defers has one to defer to
#pragma once

#include "common/diagnostic.hpp"
#include "compiler/checker.hpp"
#include "dsl/ast.hpp"
#include "stdlib/schema.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::compiler {

using common::Code;
using common::FileId;
using common::Span;
using dsl::Expr;
using stdlib::Schema;
using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;
namespace types = stdlib::types;

// A top-level `let`, `setting`, `contact_field` or `fn`, visible in its file and in every file
// that imports it.
struct Global {
    enum class Kind { let, setting, function, contact_field } kind;
    const dsl::Ident* name;
    const void* decl;
    FileId file;
    std::size_t file_index;
    std::size_t order;  // declaration index inside its file
    Type type = types::error;
    bool used = false;
    // A function: its parameters and result as the schema's functions have them (so calls are
    // bound like built-in calls), once its types are resolved; and the functions its body calls.
    std::optional<stdlib::FunctionDecl> signature = std::nullopt;
    std::vector<const Global*> callees = {};
};

using Env = std::map<std::string, Global*, std::less<>>;

struct Local {
    std::string name;
    Type type;
    Span span;
    bool used = false;
    bool report_unused = false;
};

std::string ticked(std::string_view s);
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

std::optional<Type> resolve_type_ref(const dsl::TypeRef& ref, const Schema& schema, common::DiagnosticBag& diagnostics,
                                     FileId file);

// Can a value of type `from` be used where `to` is expected?
bool assignable(Type from, Type to);
// The more general of two types, or nullopt when neither fits the other.
std::optional<Type> join(Type a, Type b);
// The enum or variant an expected type points at, through optionals and collections.
std::optional<Type> base_hint(std::optional<Type> expected);
// Literals (and lists and sets of them), negated numbers and enum values.
bool is_constant(const Expr& e);

// ---- policies as wholes (checker_policies.cpp) ----

// The rules of a checked policy against each other and its scope: W0003, E0500.
void analyse_rules(const Schema& schema, common::DiagnosticBag& diagnostics, const dsl::PolicyDecl& p,
                   const std::vector<std::uint64_t>& scope, FileId file);
// The policies of one program against each other: E0501, W0005.
void check_policy_order(const Schema& schema, common::DiagnosticBag& diagnostics, const std::vector<CheckedPolicy>& policies);

// Checks expressions of one file against the names it can see, and annotates them.
// Functions written in rules: their parameter and result types (before any file is checked, so
// that calls may come before declarations), and, once all bodies are checked, every cycle of
// calls (E0406).
void resolve_function_signature(Global& fn, const Schema& schema, common::DiagnosticBag& diagnostics);
void report_recursion(const std::vector<Global*>& functions, common::DiagnosticBag& diagnostics);

// `-> next` defers to the policy that would apply without this one: for every message in the
// scope of a policy that can defer, another policy of its kind must rank below it (E0500).
struct CheckedPolicy;
void check_deferrals(const std::vector<CheckedPolicy>& policies, const Schema& schema,
                     common::DiagnosticBag& diagnostics);

class ExprChecker {
public:
    ExprChecker(const Schema& schema, common::DiagnosticBag& diagnostics, FileId file, const Env& env,
                const std::vector<Global*>& settings)
        : schema_(schema), diagnostics_(diagnostics), file_(file), env_(env), settings_(settings) {}

    const stdlib::PolicyKindDecl* kind = nullptr;  // inside a policy body
    bool in_expect = false;                        // inside a test's `expect`
    std::size_t file_index = 0;
    std::size_t decl_order = 0;  // globals of this file declared at or after this are not visible yet
    std::vector<Local> locals;
    std::set<std::string> zones;  // the time zones named so far (checked to exist)
    Global* function = nullptr;  // inside the body of this `fn`: the calls it makes are recorded

    // ---- functions written in rules (checker_functions.cpp) ----
    void check_function(Global& fn);

    // ---- checking, and what the declarations use (checker_expressions.cpp) ----
    Type check(const Expr& e, std::optional<Type> expected = std::nullopt);
    Type expect_type(const Expr& e, Type want, Code code, std::string_view what);
    Type check_record_literal(const Expr& e, Type record_type);
    void given_contact_field(const dsl::FieldInit& f);
    void check_given_value(const Expr& e, Type want);
    static bool is_given_constant(const Expr& e);
    void report_unknown_field(const stdlib::RecordDecl& record, const std::string& field, Span span);
    void error(Code code, Span span, std::string message, std::string help = {});
    std::string name(Type t) const;
    std::string enum_as_string_help(const dsl::Binary& b, Type l, Type r) const;

private:
    // ---- literals, operators, collections, `where`, `if` (checker_expressions.cpp) ----
    Type visit(const Expr&, const dsl::IntLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::StringLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::BoolLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::NoneLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::SizeLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::DurationLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::DateLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::TimeOfDayLit&, std::optional<Type>);
    Type visit(const Expr&, const dsl::TimeLit&, std::optional<Type>);
    Type visit(const Expr& e, const dsl::Unary& u, std::optional<Type>);
    std::pair<Type, Type> operands(const dsl::Binary& b, bool rhs_is_collection);
    Type visit(const Expr& e, const dsl::Binary& b, std::optional<Type> expected);
    Type arithmetic(const dsl::Binary& b, std::optional<Type> expected);
    Type arithmetic_of(const dsl::Binary& b, Type l, Type r);
    Type collection_literal(const Expr& e, const std::vector<dsl::ExprPtr>& items, Wrap wrap, std::optional<Type> expected);
    Type visit(const Expr& e, const dsl::ListLit& l, std::optional<Type> expected);
    Type visit(const Expr& e, const dsl::SetLit& s, std::optional<Type> expected);
    Type visit(const Expr& e, const dsl::RecordLit& r, std::optional<Type>);
    Type visit(const Expr&, const dsl::Where& w, std::optional<Type>);
    Type visit(const Expr& e, const dsl::IfElse& i, std::optional<Type> expected);

    // ---- names, fields and calls (checker_names.cpp) ----
    Local* find_local(std::string_view id);
    Global* visible_global(std::string_view id) const;
    bool is_value_name(std::string_view id);
    std::optional<Type> kind_result(std::string_view id) const;
    std::optional<Type> resolve_member(const Expr& e, std::string_view id, std::optional<Type> hint);
    std::optional<Type> resolve_unique_member(const Expr& e, std::string_view id);
    std::vector<std::string_view> name_candidates(std::optional<Type> hint) const;
    Type visit(const Expr& e, const dsl::Name& n, std::optional<Type> expected);
    void report_unknown_name(const Expr& e, std::string_view id, std::optional<Type> hint);
    Type visit(const Expr& e, const dsl::Field& f, std::optional<Type>);
    Type setting_field(const Expr& e, const dsl::Field& f);
    Type contact_field(const Expr& e, const dsl::Field& f);
    std::vector<std::string_view> contact_field_names() const;
    Type result_field(const Expr& e, const dsl::Field& f, Type result);
    bool matches(Type param, Type arg, std::optional<Type>& bound) const;
    Type visit(const Expr& e, const dsl::Call& c, std::optional<Type>);
    void bind_arguments(const Expr& e, const dsl::Call& c, const stdlib::FunctionDecl& fn);
    void check_time_zone(const Expr& arg);

    Global* visible_function(std::string_view id) const;
    Type call_rule_function(const Expr& e, const dsl::Call& c, Global& fn);

    // ---- the constant pattern of `matches` (checker_patterns.cpp) ----
    void check_pattern_argument(const dsl::Call& c);

    const Schema& schema_;
    common::DiagnosticBag& diagnostics_;
    FileId file_;
    const Env& env_;
    const std::vector<Global*>& settings_;
};

}  // namespace switchyard::compiler
