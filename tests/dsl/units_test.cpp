// The units of sizes and durations are declared in stdlib/units.hpp, and listed again by the
// grammar (dsl/grammar.hpp: size_unit, duration_unit) and by the syntax tree's enums. These
// tests hold the lists together both ways: every unit of the table parses as a literal of its
// kind with its factor, and every unit keyword of the grammar is in the table.
#include "dsl/grammar.hpp"
#include "dsl/parser.hpp"
#include "stdlib/units.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

using namespace switchyard;
namespace p = tao::pegtl;

namespace {

// The keywords of a grammar rule that is a choice (sor) of keywords, or of such choices:
// the rule's own sub-rules, read from its type, so a unit added to the grammar shows up here.
template <typename Rule>
struct Keywords;

template <char... Cs>
struct Keywords<p::ascii::keyword<Cs...>> {
    static void add(std::vector<std::string>& out) { out.push_back(std::string{Cs...}); }
};

template <typename... Rules>
struct Keywords<p::type_list<Rules...>> {
    static void add(std::vector<std::string>& out) { (Keywords<Rules>::add(out), ...); }
};

template <typename Rule>
struct IsChoice : std::false_type {};
template <typename... Rules>
struct IsChoice<p::internal::sor<Rules...>> : std::true_type {};

template <typename Rule>
struct Keywords {
    static_assert(IsChoice<typename Rule::rule_t>::value, "a unit rule is a choice (sor) of keywords");
    static void add(std::vector<std::string>& out) { Keywords<typename Rule::subs_t>::add(out); }
};

template <typename Rule>
std::vector<std::string> keywords() {
    std::vector<std::string> out;
    Keywords<Rule>::add(out);
    return out;
}

bool in_table(std::span<const stdlib::Unit> table, const std::string& name) {
    return std::any_of(table.begin(), table.end(), [&](const stdlib::Unit& u) { return u.name == name; });
}

// The one expression of `let x = TEXT`, parsed.
dsl::ParseResult parse_let(const std::string& text) {
    common::SourceMap sources;
    auto id = sources.add("units.rules", "let x = " + text + "\n");
    common::DiagnosticBag bag;
    auto result = dsl::parse(sources, id, bag);
    INFO(text);
    REQUIRE(bag.items().empty());
    REQUIRE(result.module.decls.size() == 1);
    return result;
}

const dsl::Expr& let_value(const dsl::ParseResult& parsed) {
    return *std::get<dsl::LetDecl>(parsed.module.decls[0].node).value;
}

}  // namespace

TEST_CASE("every size unit of the table parses as a size literal with its factor", "[units]") {
    for (const auto& unit : stdlib::size_units) {
        for (std::string text : {"7 " + std::string(unit.name), "7" + std::string(unit.name)}) {
            INFO(text);
            auto parsed = parse_let(text);
            const auto* literal = let_value(parsed).as<dsl::SizeLit>();
            REQUIRE(literal);
            CHECK(literal->amount == 7);
            CHECK(dsl::to_string(literal->unit) == unit.name);
            CHECK(literal->amount * dsl::unit_factor(literal->unit) == 7 * unit.factor);
        }
    }
}

TEST_CASE("every duration unit of the table parses as a duration literal with its factor", "[units]") {
    for (const auto& unit : stdlib::duration_units) {
        for (std::string text : {"7 " + std::string(unit.name), "7" + std::string(unit.name)}) {
            INFO(text);
            auto parsed = parse_let(text);
            const auto* literal = let_value(parsed).as<dsl::DurationLit>();
            REQUIRE(literal);
            CHECK(literal->amount == 7);
            CHECK(dsl::to_string(literal->unit) == unit.name);
            CHECK(literal->amount * dsl::unit_factor(literal->unit) == 7 * unit.factor);
        }
    }
}

TEST_CASE("every unit the grammar accepts is in the table, of the same kind", "[units][grammar]") {
    auto sizes = keywords<dsl::grammar::size_unit>();
    auto durations = keywords<dsl::grammar::duration_unit>();
    CHECK(sizes.size() == stdlib::size_units.size());
    CHECK(durations.size() == stdlib::duration_units.size());
    for (const auto& name : sizes) {
        INFO(name);
        CHECK(in_table(stdlib::size_units, name));
    }
    for (const auto& name : durations) {
        INFO(name);
        CHECK(in_table(stdlib::duration_units, name));
    }
    // A literal's unit is one of these two lists and nothing else.
    auto all = keywords<dsl::grammar::unit>();
    auto both = sizes;
    both.insert(both.end(), durations.begin(), durations.end());
    std::sort(all.begin(), all.end());
    std::sort(both.begin(), both.end());
    CHECK(all == both);
}
