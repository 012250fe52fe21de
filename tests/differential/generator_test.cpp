// The generator: deterministic, clean rules, and every expression form of the language in use.
#include "tests/differential/support.hpp"
#include "tests/reference/generator.hpp"
#include "tests/reference/reference.hpp"
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>

using namespace switchyard;

namespace {

// What a generated program uses: expression forms, operators, functions, name kinds and
// policy kinds, counted by a walk over the checked syntax tree.
class FormCounter {
public:
    std::map<std::string, std::size_t> seen;

    void program(const compiler::Program& p) {
        for (const auto& s : p.settings) expr(*s.decl->default_value);
        for (const auto& l : p.lets) expr(*l.decl->value);
        for (const auto& policy : p.policies) {
            ++seen["kind " + policy.kind->name];
            for (const auto& l : policy.decl->lets) expr(*l.value);
            for (const auto& r : policy.decl->rules) {
                if (r.condition) expr(*r.condition);
                if (r.defers()) ++seen[r.is_otherwise() ? "otherwise -> next" : "when -> next"];
                else expr(*r.result);
            }
        }
    }

private:
    void expr(const dsl::Expr& e) {
        const auto& schema = stdlib::builtin_schema();
        std::visit([&](const auto& node) { visit(e, node); }, e.node);
        const auto& t = e.annotation.type;
        if (t.is_scalar(stdlib::TypeKind::variant)) ++seen["result " + schema.type_name(t)];
        if (t.is_optional() && e.as<dsl::Field>()) ++seen["field through optional"];
    }

    void visit(const dsl::Expr&, const dsl::IntLit&) { ++seen["int literal"]; }
    void visit(const dsl::Expr&, const dsl::StringLit& s) {
        ++seen["string literal"];
        if (s.value.empty()) ++seen["empty string literal"];
        if (s.value.find('\xD0') != std::string::npos) ++seen["cyrillic string literal"];
    }
    void visit(const dsl::Expr&, const dsl::BoolLit&) { ++seen["bool literal"]; }
    void visit(const dsl::Expr&, const dsl::NoneLit&) { ++seen["none"]; }
    void visit(const dsl::Expr&, const dsl::SizeLit&) { ++seen["size literal"]; }
    void visit(const dsl::Expr&, const dsl::DurationLit&) { ++seen["duration literal"]; }
    void visit(const dsl::Expr&, const dsl::DateLit&) { ++seen["date literal"]; }
    void visit(const dsl::Expr&, const dsl::TimeOfDayLit&) { ++seen["time of day literal"]; }
    void visit(const dsl::Expr&, const dsl::TimeLit&) { ++seen["time literal"]; }
    void visit(const dsl::Expr&, const dsl::RecordLit&) { ++seen["record literal"]; }
    void visit(const dsl::Expr& e, const dsl::Name& n) {
        static const char* refs[] = {"unresolved", "local", "let", "setting", "binding", "enum member", "function", "field"};
        ++seen[std::string("name: ") + refs[static_cast<int>(e.annotation.ref)]];
        if (n.id == "it") ++seen["it"];
        if (e.annotation.ref == dsl::RefKind::function) ++seen["bare " + n.id];
    }
    void visit(const dsl::Expr& e, const dsl::Field& f) {
        if (e.annotation.ref == dsl::RefKind::setting) ++seen["setting.x"];
        else if (e.annotation.ref == dsl::RefKind::enum_member) ++seen["ENUM.member"];
        else if (e.annotation.ref == dsl::RefKind::contact_field) ++seen["contact field read"];
        else ++seen["field"];
        if (e.annotation.ref == dsl::RefKind::field || e.annotation.ref == dsl::RefKind::contact_field) expr(*f.object);
    }
    void visit(const dsl::Expr& e, const dsl::Call& c) {
        if (e.annotation.ref == dsl::RefKind::rule_function) return rule_function_call(e, c);
        const auto& fn = stdlib::builtin_schema().functions().at(e.annotation.index);
        ++seen["call " + fn.name];
        if (fn.name == "str") ++seen["str of " + stdlib::builtin_schema().type_name(c.args.at(0).value->annotation.type)];
        std::size_t keys = 0;
        for (const auto& a : c.args) {
            if (a.name) ++seen["named argument"];
            else if (fn.variadic_first) ++keys;
            expr(*a.value);
        }
        if (keys > 1) ++seen["thread with several keys"];
    }
    void visit(const dsl::Expr&, const dsl::Unary& u) {
        ++seen[u.op == dsl::UnaryOp::logical_not ? "not" : "negate"];
        expr(*u.operand);
    }
    void visit(const dsl::Expr& e, const dsl::Binary& b) {
        const auto& schema = stdlib::builtin_schema();
        std::string op(dsl::to_string(b.op));
        ++seen["op " + op];
        auto l = b.lhs->annotation.type, r = b.rhs->annotation.type;
        if (b.op == dsl::BinaryOp::add || b.op == dsl::BinaryOp::sub)
            ++seen["op " + schema.type_name(l) + " " + op + " " + schema.type_name(r)];
        if ((b.op == dsl::BinaryOp::add || b.op == dsl::BinaryOp::sub) && e.annotation.type.is_optional())
            ++seen["optional arithmetic"];
        if (b.op == dsl::BinaryOp::add && l.is(stdlib::Wrap::list)) ++seen["list concatenation"];
        if (b.op == dsl::BinaryOp::add && l == stdlib::types::string) ++seen["string concatenation"];
        expr(*b.lhs);
        expr(*b.rhs);
    }
    void visit(const dsl::Expr&, const dsl::ListLit& l) {
        ++seen[l.items.empty() ? "empty list" : "list literal"];
        for (const auto& i : l.items) expr(*i);
    }
    void visit(const dsl::Expr&, const dsl::SetLit& s) {
        ++seen[s.items.empty() ? "empty set" : "set literal"];
        for (std::size_t i = 0; i < s.items.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (*s.items[i] == *s.items[j]) ++seen["set with a duplicate"];
        for (const auto& i : s.items) expr(*i);
    }
    void visit(const dsl::Expr&, const dsl::Where& w) {
        ++seen["where"];
        if (contains_where(*w.predicate)) ++seen["nested where"];
        expr(*w.items);
        expr(*w.predicate);
    }
    void visit(const dsl::Expr&, const dsl::IfElse& i) {
        ++seen["if"];
        expr(*i.condition);
        expr(*i.then_value);
        expr(*i.else_value);
    }

    // A call of a `fn`: its arguments, and its body the first time it is called.
    void rule_function_call(const dsl::Expr& e, const dsl::Call& c) {
        ++seen[bodies_ ? "rule function called in a body" : "rule function call"];
        for (const auto& a : c.args) {
            if (a.name) ++seen["named argument of a rule function"];
            expr(*a.value);
        }
        const auto* fn = static_cast<const dsl::FnDecl*>(e.annotation.target);
        if (!walked_.insert(fn).second) return;
        ++bodies_;
        expr(*fn->body);
        --bodies_;
    }
    std::set<const dsl::FnDecl*> walked_;
    int bodies_ = 0;

    static bool contains_where(const dsl::Expr& e) {
        if (e.as<dsl::Where>()) return true;
        bool found = false;
        std::visit(
            [&](const auto& node) {
                using T = std::decay_t<decltype(node)>;
                if constexpr (std::is_same_v<T, dsl::Call>) {
                    for (const auto& a : node.args) found |= contains_where(*a.value);
                } else if constexpr (std::is_same_v<T, dsl::Binary>) {
                    found = contains_where(*node.lhs) || contains_where(*node.rhs);
                } else if constexpr (std::is_same_v<T, dsl::Unary>) {
                    found = contains_where(*node.operand);
                } else if constexpr (std::is_same_v<T, dsl::IfElse>) {
                    found = contains_where(*node.condition) || contains_where(*node.then_value) ||
                            contains_where(*node.else_value);
                } else if constexpr (std::is_same_v<T, dsl::Field>) {
                    found = contains_where(*node.object);
                }
            },
            e.node);
        return found;
    }
};

}  // namespace

TEST_CASE("the generator is deterministic", "[differential][generator]") {
    for (std::uint64_t seed : {1u, 2u, 77u}) {
        auto a = reference::generate(seed);
        auto b = reference::generate(seed);
        CHECK(a.rules == b.rules);
        CHECK(a.cases == b.cases);
    }
    CHECK(reference::generate(1).rules != reference::generate(2).rules);
}

TEST_CASE("generated rules use every expression form, kind and function", "[differential][generator]") {
    FormCounter counter;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        auto g = reference::generate(seed);
        testing::CheckedText checked("generated.rules", g.rules);
        REQUIRE_FALSE(checked.has_errors);
        counter.program(checked.program());
    }
    // On a failure, how often each form was seen.
    std::string summary;
    for (const auto& [form, n] : counter.seen) summary += form + ": " + std::to_string(n) + "\n";
    INFO(summary);
    const auto& schema = stdlib::builtin_schema();
    for (const auto& kind : schema.kinds()) CHECK(counter.seen["kind " + kind.name] > 0);
    for (const char* form :
         {"int literal", "string literal", "empty string literal", "cyrillic string literal", "bool literal", "none",
          "size literal", "duration literal", "date literal", "time of day literal", "name: local", "name: let", "name: binding", "name: enum member",
          "name: function", "it", "setting.x", "ENUM.member", "field", "field through optional",
          "contact field read", "named argument",
          "thread with several keys", "not", "negate", "op ??", "op or", "op and", "op ==", "op !=", "op <", "op <=",
          "op >", "op >=", "op in", "op not in", "op +", "op -", "op time + duration", "op time - duration",
          "op time - time", "string concatenation", "list concatenation", "optional arithmetic", "empty list",
          "list literal", "empty set", "set literal", "set with a duplicate", "where", "nested where", "if",
          "str of size", "str of duration", "str of time", "str of chat_kind", "str of person", "str of route",
          "str of none", "str of contact", "str of contact_fields", "result route", "result file_action", "result delivery", "result command_action",
          "rule function call", "rule function called in a body", "named argument of a rule function",
          "when -> next", "otherwise -> next"})
        CHECK(counter.seen[form] > 0);
    // Every function called, and every constructor without required parameters also written bare.
    for (const auto& fn : schema.functions()) {
        INFO(fn.name);
        CHECK(counter.seen["call " + fn.name] > 0);
        if (fn.callable_bare()) CHECK(counter.seen["bare " + fn.name] > 0);
    }
}

// `SWITCHYARD_DIFF_SEED=N build/tests/switchyard_differential_tests "[.dump]"` prints the rules
// and cases of one seed, and the reference's decisions: where to start from a reported seed.
TEST_CASE("dump one seed", "[.dump]") {
    const char* env = std::getenv("SWITCHYARD_DIFF_SEED");
    std::uint64_t seed = env ? std::strtoull(env, nullptr, 10) : 1;
    auto g = reference::generate(seed);
    std::cout << g.rules << "\n";
    testing::CheckedText checked("generated.rules", g.rules);
    std::cout << checked.rendered();
    REQUIRE_FALSE(checked.has_errors);
    for (const auto& c : g.cases) {
        std::cout << "---- case ----\n" << testing::pretty(c) << "\n---- decisions ----\n"
                  << testing::pretty(reference::evaluate(checked.ws, checked.program(), stdlib::builtin_schema(), c))
                  << "\n";
    }
}
