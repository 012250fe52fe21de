// `test --coverage --format json` and `--min-coverage`, against tests/cli/data/coverage/.
#include "tests/cli/cli_run.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::testing;

namespace {
const std::string partly = "tests/cli/data/coverage/partly.rules";  // 2 of its 3 rules fire
// A fallback policy that narrower ones hide from every message, and 3 rules that all fire.
const std::string fallback = "tests/cli/data/coverage/fallback.rules";
}

TEST_CASE("test --coverage --format json prints one document: tests, then coverage per file, policy and rule",
          "[cli][coverage]") {
    auto r = run_cli({"test", "--coverage", "--format", "json", partly});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(matches_golden(r.out, "tests/cli/data/coverage/partly.json.expected"));
    auto doc = boost::json::parse(r.out).as_object();
    CHECK(doc.at("passed") == 3);
    CHECK(doc.at("failed") == 0);
    const auto& tests = doc.at("tests").as_array();
    REQUIRE(tests.size() == 3);
    CHECK(tests[0] == boost::json::parse(R"({"name": "big files travel as links", "file": ")" + partly +
                                         R"(", "line": 7, "passed": true})"));
    const auto& coverage = doc.at("coverage").as_object();
    CHECK(coverage.at("rules") == 3);
    CHECK(coverage.at("fired") == 2);
    CHECK(coverage.at("percent").as_double() == Approx(200.0 / 3));
    CHECK(coverage.at("not_counted") == 0);
    const auto& file = coverage.at("files").as_array().at(0).as_object();
    CHECK(file.at("file").as_string() == partly);
    const auto& policy = file.at("policies").as_array().at(0).as_object();
    CHECK(policy.at("kind") == "attachment");
    CHECK(policy.at("line") == 1);
    CHECK(policy.at("applies") == true);
    const auto& rules = policy.at("rules").as_array();
    REQUIRE(rules.size() == 3);
    CHECK(rules[0] == boost::json::parse(R"({"line": 2, "fired": 1, "source": "when file.size > 10 MB -> link"})"));
    CHECK(rules[1].at("fired") == 0);
    CHECK(rules[2].at("fired") == 2);
}

TEST_CASE("test --format json without --coverage has no coverage, and a failure says why", "[cli][coverage]") {
    auto path = scratch_file("switchyard-coverage-test", "failing.rules",
                             "policy attachment for inbound {\n    otherwise -> attach\n}\n\n"
                             "test \"wrong\" {\n    given file { size: 1 MB }\n    expect attachment == link\n}\n");
    auto r = run_cli({"test", "--format", "json", path});
    CHECK(r.code == 1);
    auto doc = boost::json::parse(r.out).as_object();
    CHECK_FALSE(doc.contains("coverage"));
    CHECK(doc.at("failed") == 1);
    CHECK(doc.at("tests").as_array()[0].at("failure").as_string() == "expect attachment == link  (" + path + ":7)");
}

TEST_CASE("test --min-coverage fails a run below it, with the figure, the threshold and the uncovered rules",
          "[cli][coverage]") {
    auto below = run_cli({"test", "--min-coverage", "80", partly});
    CHECK(below.code == 1);
    CHECK_THAT(below.out, Catch::Contains("coverage: 2 of 3 rules fired in some test; never fired:\n"));  // implies --coverage
    CHECK_THAT(below.out, Catch::EndsWith("rule coverage 66.7% is below --min-coverage 80%; 1 of 3 rules never fired:\n"
                                          "  " + partly + ":3  when file.ext == \"exe\" -> link\n"));
    auto met = run_cli({"test", "--min-coverage", "66.5", partly});
    CHECK(met.code == 0);
    CHECK_THAT(met.out, !Catch::Contains("below"));
    // In JSON, standard output keeps only the document; the shortfall goes to stderr.
    auto json = run_cli({"test", "--min-coverage", "90", "--format", "json", partly});
    CHECK(json.code == 1);
    CHECK(boost::json::parse(json.out).at("coverage").at("fired") == 2);
    CHECK_THAT(json.err, Catch::StartsWith("rule coverage 66.7% is below --min-coverage 90%"));
}

TEST_CASE("test --min-coverage must be a percentage", "[cli][coverage]") {
    for (std::string bad : {"101", "-1", "lots", "100.5"}) {
        INFO(bad);
        auto r = run_cli({"test", "--min-coverage", bad, partly});
        CHECK(r.code == 2);
        CHECK(r.out.empty());
        CHECK_THAT(r.err, Catch::StartsWith("switchyard: error: --min-coverage: expected a percentage from 0 to 100, found `" + bad + "`"));
    }
    CHECK(run_cli({"test", "--min-coverage", "0", partly}).code == 0);
    CHECK(run_cli({"test", "--min-coverage", "100", partly}).code == 1);
}

TEST_CASE("test --coverage does not count the rules of a policy that no message reaches, and lists it apart",
          "[cli][coverage]") {
    auto text = run_cli({"test", "--min-coverage", "100", fallback});
    INFO(text.out << text.err);
    CHECK(text.code == 0);  // every rule that some message can reach fired
    CHECK_THAT(text.out, Catch::EndsWith(
                             "coverage: 3 of 3 rules fired in some test\n"
                             "not counted: 1 rule of a policy that no message of this program reaches (narrower or "
                             "higher-priority policies of its kind take its whole scope):\n"
                             "  " + fallback + ":3  policy attachment for inbound {\n"));

    auto json = run_cli({"test", "--coverage", "--format", "json", fallback});
    REQUIRE(json.code == 0);
    const auto coverage = boost::json::parse(json.out).at("coverage").as_object();
    CHECK(coverage.at("rules") == 3);
    CHECK(coverage.at("fired") == 3);
    CHECK(coverage.at("percent").as_double() == 100.0);
    CHECK(coverage.at("not_counted") == 1);
    const auto& file = coverage.at("files").as_array().at(0).as_object();
    CHECK(file.at("rules") == 3);
    const auto& policies = file.at("policies").as_array();
    REQUIRE(policies.size() == 3);
    CHECK(policies[0].at("applies") == false);
    CHECK(policies[0].at("rules").as_array().at(0).at("fired") == 0);
    CHECK(policies[1].at("applies") == true);
}

TEST_CASE("test --min-coverage 100 fails on a rule that no test made fire, also in a fallback reached by next",
          "[cli][coverage]") {
    const std::string deferring = "tests/cli/data/coverage/deferring.rules";  // 4 of its 5 rules fire
    auto r = run_cli({"test", "--min-coverage", "100", deferring});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    const std::string unfired = "  " + deferring + ":4  when file.ext == \"exe\" -> reject(\"executables are not kept\")\n";
    CHECK_THAT(r.out, Catch::Contains("coverage: 4 of 5 rules fired in some test; never fired:\n" + unfired));
    CHECK_THAT(r.out, !Catch::Contains("not counted"));
    CHECK_THAT(r.out, Catch::EndsWith("rule coverage 80.0% is below --min-coverage 100%; 1 of 5 rules never fired:\n" +
                                      unfired));
    CHECK(run_cli({"test", "--min-coverage", "80", deferring}).code == 0);
}
