// The VM against the reference evaluator on random well-typed rules and cases: they must agree
// on every case. SWITCHYARD_DIFF_CASES=N asks for a longer run than the normal 10 000 cases.
#include "tests/differential/support.hpp"
#include "tests/reference/generator.hpp"
#include "tests/reference/reference.hpp"
#include "tests/support.hpp"
#ifdef SWITCHYARD_WITH_VM
#include "tests/vm_support.hpp"
#endif

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

using namespace switchyard;

namespace {

const std::string generated_file = "generated.rules";

std::string rules_report(std::uint64_t seed, const std::string& rules) {
    return "seed " + std::to_string(seed) + "\n---- rules ----\n" + rules;
}

// Each generated file must check without errors: the generator's promise, and what makes its
// rules meaningful input for both evaluators.
void require_clean(std::uint64_t seed, const reference::Generated& g, const testing::CheckedText& checked) {
    if (checked.has_errors) FAIL(rules_report(seed, g.rules) + "---- diagnostics ----\n" + checked.rendered());
    REQUIRE(checked.result.programs.size() == 1);
}

// A decisions object as docs/cases.md describes it: each decision has a kind, a policy, a rule
// in `path:line` form and a value (per-file ones also the file's index).
bool well_formed(const boost::json::object& out, const std::string& program_name) {
    if (!out.contains("ruleset") || out.at("ruleset") != boost::json::value(program_name)) return false;
    if (!out.contains("decisions") || !out.at("decisions").is_array()) return false;
    for (const auto& d : out.at("decisions").get_array()) {
        if (!d.is_object()) return false;
        const auto& o = d.get_object();
        for (const char* key : {"kind", "policy", "rule"})
            if (!o.contains(key) || !o.at(key).is_string() || o.at(key).get_string().empty()) return false;
        if (!o.contains("value")) return false;
        if (!o.at("policy").get_string().starts_with(generated_file + ":")) return false;
        if (!o.at("rule").get_string().starts_with(generated_file + ":")) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("the reference decides every generated case", "[differential][reference]") {
    testing::source_dir();
    const auto& schema = stdlib::builtin_schema();
    std::size_t cases = 0, decisions = 0;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        auto g = reference::generate(seed);
        testing::CheckedText checked(generated_file, g.rules);
        require_clean(seed, g, checked);
        for (const auto& c : g.cases) {
            auto out = reference::evaluate(checked.ws, checked.program(), schema, c);
            INFO(rules_report(seed, g.rules) << "---- case ----\n" << testing::pretty(c) << "\n---- output ----\n"
                                             << testing::pretty(out));
            REQUIRE(well_formed(out, checked.program().name));
            decisions += out.at("decisions").get_array().size();
            ++cases;
        }
    }
    CHECK(cases == 100 * reference::GeneratorOptions{}.cases);
    CHECK(decisions > cases);  // several kinds decide on a typical case
}

#ifdef SWITCHYARD_WITH_VM

namespace {

constexpr std::size_t normal_run_cases = 10'000;

std::size_t cases_to_run() {
    const char* env = std::getenv("SWITCHYARD_DIFF_CASES");
    if (!env || !*env) return normal_run_cases;
    return static_cast<std::size_t>(std::strtoull(env, nullptr, 10));
}

}  // namespace

TEST_CASE("the VM and the reference agree on every generated case", "[differential][vm]") {
    testing::source_dir();
    const auto& schema = stdlib::builtin_schema();
    const std::size_t wanted = cases_to_run();
    const auto started = std::chrono::steady_clock::now();
    std::size_t cases = 0, mismatches = 0;
    std::uint64_t seed = 0;
    while (cases < wanted && mismatches < 5) {
        ++seed;
        auto g = reference::generate(seed);
        testing::CheckedText checked(generated_file, g.rules);
        require_clean(seed, g, checked);
        // vm_decide fails the test itself when the VM refuses the rules: say which ones.
        INFO(rules_report(seed, g.rules));
        for (const auto& c : g.cases) {
            INFO("---- case ----\n" << testing::pretty(c));
            auto expected = reference::evaluate(checked.ws, checked.program(), schema, c);
            auto actual = vm_decide(g.rules, c, generated_file);
            ++cases;
            if (expected == actual) continue;
            ++mismatches;
            FAIL_CHECK("---- reference ----\n" << testing::pretty(expected) << "\n---- vm ----\n"
                                                << testing::pretty(actual));
            break;  // one report per rule file is enough to start from
        }
    }
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    WARN(cases << " cases from " << seed << " rule files in " << seconds << " s");
    CHECK(mismatches == 0);
}

// Disagreements the generated cases found, reduced by hand to a few lines each. Each runs in
// its own section: a VM that refuses one set of rules does not hide the others.
struct Regression {
    const char* what;
    const char* rules;
    const char* case_json;
};

const Regression regressions[] = {
    {"a setting whose default is none", "setting s: int? = none\npolicy reopen {\n    when setting.s == none -> append\n    otherwise -> reopen\n}\n", "{}"},
    {"none as a constructor's optional argument", "policy delivery {\n    otherwise -> send(reply_to: none)\n}\n",
     R"({"message": {"direction": "outbound"}})"},
    {"none in a branch of a constructor's optional argument",
     "policy delivery {\n    otherwise -> send(reply_to: if message.edited then none else 5)\n}\n",
     R"({"message": {"direction": "outbound"}})"},
    {"none as thread's project", "policy routing {\n    otherwise -> thread(1, project: none)\n}\n", "{}"},
    {"`?? none`", "policy routing {\n    otherwise -> ignore(str(message.post.url ?? none))\n}\n", "{}"},
    {"an optional string on the left of `+`", "policy routing {\n    otherwise -> ignore(str(message.command + \"a\"))\n}\n",
     R"({"message": {"command": "start"}})"},
    {"an optional string on the right of `+`", "policy routing {\n    otherwise -> ignore((\"a\" + message.command) ?? \"x\")\n}\n", "{}"},
    {"a list literal as an optional argument", "policy routing {\n    otherwise -> thread(1, assignees: [message.sender])\n}\n", "{}"},
    {"a list concatenation as an optional argument",
     "policy routing {\n    otherwise -> thread(1, assignees: message.mentions + message.participants)\n}\n", "{}"},
    {"a list literal in an optional branch",
     "policy routing {\n    otherwise -> ignore(str(count((if message.edited then none else [message.sender]) ?? [])))\n}\n", "{}"},
    {"a constant `if` giving none", "policy routing {\n    otherwise -> ignore(str(if false then 1 else none))\n}\n", "{}"},
    {"`and` in a branch of an optional bool",
     "policy reopen {\n    when (if message.edited then message.edited and contact.is_new else none) ?? true -> append\n"
     "    otherwise -> reopen\n}\n",
     R"({"message": {"edited": true}})"},
    {"thread keys that are a bool, none and a record",
     "policy routing {\n    otherwise -> thread(true, none, message.chat)\n}\n", "{}"},
    {"thread keys that are not strings or numbers are keyed by their text",
     "policy routing {\n    when thread(true) == thread(\"true\") or thread(group) == thread(\"group\") or thread(1 KB) == thread(1000)\n"
     "        -> ignore(\"equal\")\n    otherwise -> ignore(\"different\")\n}\n",
     "{}"},
    {"str() of a thread keyed by an enum, a size and a time",
     "policy routing {\n    otherwise -> ignore(str(thread(group, 1 GB, now)))\n}\n", "{}"},
    {"str() of a record holding a set of strings: a set literal, its strings quoted",
     "policy auto_reply {\n    otherwise -> answer(str(contact))\n}\n",
     R"({"contact": {"tags": ["ЁЖ", "a, b"]}})"},
    {"str() of a contact names the rules' contact fields, the ones not given at their defaults",
     "contact_field tier: string = \"basic\"\ncontact_field orders: int? = none\ncontact_field vip: bool? = true\n\n"
     "policy auto_reply {\n    when contact.fields.vip ?? false -> answer(str(contact.fields))\n"
     "    otherwise -> answer(str(contact))\n}\n",
     R"({"contact": {"fields": {"tier": "gold", "vip": null}}})"},
};

TEST_CASE("the VM agrees with the reference on reduced regressions", "[differential][vm][regression]") {
    for (const auto& r : regressions) {
        DYNAMIC_SECTION(r.what) {
            testing::CheckedText checked(generated_file, r.rules);
            INFO("---- rules ----\n" << r.rules << "---- case ----\n" << r.case_json);
            REQUIRE_FALSE(checked.has_errors);
            auto c = boost::json::parse(r.case_json);
            auto expected = reference::evaluate(checked.ws, checked.program(), stdlib::builtin_schema(), c);
            auto actual = vm_decide(r.rules, c, generated_file);
            INFO("---- reference ----\n" << testing::pretty(expected) << "\n---- vm ----\n" << testing::pretty(actual));
            CHECK(expected == actual);
        }
    }
}

// `SWITCHYARD_DIFF_RULES=file [SWITCHYARD_DIFF_CASE=file] switchyard_differential_tests "[.compare]"`
// runs one rule file and case (`{}` by default) on both and prints both outputs: the step a
// reduction of a reported seed repeats.
TEST_CASE("compare one file", "[.compare]") {
    const char* rules_path = std::getenv("SWITCHYARD_DIFF_RULES");
    const char* case_path = std::getenv("SWITCHYARD_DIFF_CASE");
    REQUIRE(rules_path);
    std::string rules = testing::read_text(rules_path);
    auto c = boost::json::parse(case_path ? testing::read_text(case_path) : "{}");
    testing::CheckedText checked(generated_file, rules);
    if (checked.has_errors) {
        std::cout << "CHECK ERROR\n" << checked.rendered();
        return;
    }
    auto expected = reference::evaluate(checked.ws, checked.program(), stdlib::builtin_schema(), c);
    auto actual = vm_decide(rules, c, generated_file);
    std::cout << (expected == actual ? "AGREE" : "DISAGREE") << "\n---- reference ----\n" << testing::pretty(expected)
              << "\n---- vm ----\n" << testing::pretty(actual) << "\n";
}

// `SWITCHYARD_DIFF_SEED=first SWITCHYARD_DIFF_SEEDS=count SWITCHYARD_DIFF_OUT=folder
// switchyard_differential_tests "[.explore]"` runs many seeds and stops at the first
// disagreement, leaving its rules and case in the folder (as rules.rules and case.json) for
// "[.compare]" and a reduction.
TEST_CASE("explore seeds", "[.explore]") {
    const char* first = std::getenv("SWITCHYARD_DIFF_SEED");
    const char* count = std::getenv("SWITCHYARD_DIFF_SEEDS");
    const char* out = std::getenv("SWITCHYARD_DIFF_OUT");
    REQUIRE(out);
    std::uint64_t seed = first ? std::strtoull(first, nullptr, 10) : 1;
    std::uint64_t end = seed + (count ? std::strtoull(count, nullptr, 10) : 100);
    for (; seed < end; ++seed) {
        auto g = reference::generate(seed);
        testing::CheckedText checked(generated_file, g.rules);
        require_clean(seed, g, checked);
        std::ofstream(std::string(out) + "/rules.rules") << g.rules;
        std::cout << "seed " << seed << std::endl;
        for (std::size_t i = 0; i < g.cases.size(); ++i) {
            std::ofstream(std::string(out) + "/case.json") << boost::json::serialize(g.cases[i]);
            auto expected = reference::evaluate(checked.ws, checked.program(), stdlib::builtin_schema(), g.cases[i]);
            auto actual = vm_decide(g.rules, g.cases[i], generated_file);
            if (expected == actual) continue;
            std::cout << "DISAGREE seed " << seed << " case " << i << std::endl;
            return;  // the folder holds this seed's rules and case
        }
    }
    std::cout << "ALL AGREE" << std::endl;
}

#endif
