// Explanations with values (issue 12): `eval --explain` and a failing test show the value of
// each let the deciding policy computed and of each part of each condition it tried, against
// the rules and cases of tests/cli/data/explain/. The goldens hold the whole output; the checks
// here name the values that matter, so a wrong or missing one fails with its name.
#include "tests/cli/cli_run.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

const std::string rules = "tests/cli/data/explain/values.rules";

boost::json::object only_decision(const std::string& out) {
    auto decisions = boost::json::parse(out).at("decisions").as_array();
    REQUIRE(decisions.size() == 1);
    return decisions[0].as_object();
}

boost::json::object part(const boost::json::value& parts, std::size_t k) {
    const auto& list = parts.as_array();
    REQUIRE(k < list.size());
    return list[k].as_object();
}

}  // namespace

TEST_CASE("eval --explain shows each let and each part of the deciding condition with its value", "[cli][explain]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/explain/cases/a_big_program.json", "--explain"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(matches_golden(r.out, "tests/cli/data/explain/a_big_program.json.expected"));
    auto d = only_decision(r.out);
    CHECK(d.at("lets") == boost::json::parse(R"([
        {"let": "big", "at": "tests/cli/data/explain/values.rules:7", "value": true},
        {"let": "ext", "at": "tests/cli/data/explain/values.rules:8", "value": "exe"}])"));
    const auto& trace = d.at("trace").as_array();
    REQUIRE(trace.size() == 1);
    const auto& parts = trace[0].at("parts");
    CHECK(part(parts, 0) == boost::json::parse(R"({"part": "big", "value": true})"));
    auto either = part(parts, 1);
    CHECK(either.at("part") == "ext == \"exe\" or ext == \"bat\"");
    CHECK(either.at("value") == true);
    // `or` decided by its first part: the second was never computed, and says so.
    CHECK(part(either.at("parts"), 0) == boost::json::parse(R"({"part": "ext == \"exe\"", "value": true})"));
    CHECK(part(either.at("parts"), 1) == boost::json::parse(R"({"part": "ext == \"bat\"", "evaluated": false})"));
}

TEST_CASE("eval --explain shows a part under `not`, and the parts of every rule tried", "[cli][explain]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/explain/cases/b_small_archive.json", "--explain"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    auto d = only_decision(r.out);
    const auto& trace = d.at("trace").as_array();
    REQUIRE(trace.size() == 2);
    // The first rule: `big` is false, so `and` never computes the rest.
    CHECK(trace[0].at("condition") == false);
    CHECK(part(trace[0].at("parts"), 0) == boost::json::parse(R"({"part": "big", "value": false})"));
    CHECK(part(trace[0].at("parts"), 1).at("evaluated") == false);
    // The second: `not big` holds, and under it `big` (a let already in its register) is false.
    CHECK(trace[1].at("condition") == true);
    auto negated = part(trace[1].at("parts"), 0);
    CHECK(negated.at("part") == "not big");
    CHECK(negated.at("value") == true);
    CHECK(part(negated.at("parts"), 0) == boost::json::parse(R"({"part": "big", "value": false})"));
    CHECK(part(trace[1].at("parts"), 1) == boost::json::parse(R"({"part": "ext in {\"zip\", \"rar\"}", "value": true})"));
}

TEST_CASE("eval --explain --format text shows lets and parts under each rule", "[cli][explain]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/explain/cases", "--format", "text", "--explain"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(matches_golden(r.out, "tests/cli/data/explain/cases.text.expected"));
}

TEST_CASE("a compiled ruleset carries the probes: eval --ruleset explains as eval --rules does", "[cli][explain]") {
    auto compiled = scratch_file("explain", "values.swy", "");
    REQUIRE(run_cli({"compile", rules, "-o", compiled}).code == 0);
    auto from_file = run_cli({"eval", "--ruleset", compiled, "--case", "tests/cli/data/explain/cases/a_big_program.json", "--explain"});
    auto from_rules = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/explain/cases/a_big_program.json", "--explain"});
    INFO(from_file.out << from_file.err);
    CHECK(from_file.code == 0);
    CHECK(from_file.out == from_rules.out);
}

TEST_CASE("eval without --explain shows no values", "[cli][explain]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/explain/cases/a_big_program.json"});
    INFO(r.out << r.err);
    auto d = only_decision(r.out);
    CHECK_FALSE(d.contains("lets"));
    CHECK_FALSE(d.contains("trace"));
}

TEST_CASE("a failing test shows the lets and the parts of each condition it tried", "[cli][explain][test]") {
    auto r = run_cli({"test", rules});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(matches_golden(r.out, "tests/cli/data/explain/values.test.expected"));
    // What makes the failure readable: `ext == "exe" or ext == "bat"` false with both parts
    // computed, and the second rule's `not big` false because `big` is true.
    CHECK_THAT(r.out, Catch::Contains("let big = true  (tests/cli/data/explain/values.rules:7)"));
    CHECK_THAT(r.out, Catch::Contains("let ext = \"zip\"  (tests/cli/data/explain/values.rules:8)"));
    CHECK_THAT(r.out, Catch::Contains("          false  ext == \"exe\" or ext == \"bat\"\n"
                                      "            false  ext == \"exe\"\n"
                                      "            false  ext == \"bat\"\n"));
    CHECK_THAT(r.out, Catch::Contains("          false  not big\n"
                                      "            true   big\n"
                                      "          (not evaluated)  ext in {\"zip\", \"rar\"}\n"));
}

TEST_CASE("eval --explain shows the top-level lets a policy read, once each, where they are declared", "[cli][explain]") {
    // `limit` (main.rules) reads a setting; `big_file` (limits.rules, imported) is a constant
    // that the policy reads twice: inside `limit` and in its second rule.
    const std::string dir = "tests/cli/data/explain/top_level/";
    auto r = run_cli({"eval", "--rules", dir + "main.rules", "--case", dir + "case.json", "--explain"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(only_decision(r.out).at("lets") == boost::json::parse(R"([
        {"let": "big_file", "at": "tests/cli/data/explain/top_level/limits.rules:2", "value": 5000000},
        {"let": "limit", "at": "tests/cli/data/explain/top_level/main.rules:5", "value": 5000000}])"));
    // A compiled ruleset carries the same probes, files included.
    auto compiled = scratch_file("explain", "top_level.swy", "");
    REQUIRE(run_cli({"compile", dir + "main.rules", "-o", compiled}).code == 0);
    auto loaded = run_cli({"eval", "--ruleset", compiled, "--case", dir + "case.json", "--explain"});
    CHECK(loaded.out == r.out);
}
