// `eval` over many cases: a folder of case files, or a JSON-lines file, against the rules and
// cases of tests/cli/data/eval/.
#include "tests/cli/cli_run.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::testing;

namespace {
const std::string rules = "tests/cli/data/eval/attachment.rules";

std::vector<boost::json::object> json_lines(const std::string& text) {
    std::vector<boost::json::object> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(boost::json::parse(line).as_object());
    return lines;
}
}  // namespace

TEST_CASE("eval over a folder decides every *.json under it, sorted, a JSON line each", "[cli][eval]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 4);  // three cases (notes.txt is not one) and the summary
    CHECK(lines[0].at("case") == "tests/cli/data/eval/cases/a_small.json");
    CHECK(lines[0].at("decisions").as_array()[0].at("value") == boost::json::parse(R"({"attach": {}})"));
    CHECK(lines[1].at("case") == "tests/cli/data/eval/cases/b_big.json");
    CHECK(lines[1].at("decisions").as_array()[0].at("value") == boost::json::parse(R"({"link": {}})"));
    CHECK(lines[2].at("case") == "tests/cli/data/eval/cases/more/c_two.json");
    CHECK(lines[2].at("decisions").as_array().size() == 2);  // one decision per file
    CHECK(lines[3] == boost::json::parse(R"({"summary": {"cases": 3, "decided": 3, "failed": 0, "refused": 0}})"));
}

TEST_CASE("eval over a folder as text labels each case by its file, then sums up", "[cli][eval]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases", "--format", "text", "--explain"});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(matches_golden(r.out, "tests/cli/data/eval/cases.text.expected"));
}

TEST_CASE("a bad line of a JSON-lines file names its line and field, and the other lines still run", "[cli][eval]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases.jsonl"});
    INFO(r.out << r.err);
    CHECK(r.code == 2);  // a refused case, as for one case file
    CHECK(matches_golden(r.out, "tests/cli/data/eval/cases.jsonl.expected"));
    auto lines = json_lines(r.out);
    REQUIRE(lines.size() == 5);  // lines 1, 2, 4 and 5 (3 is blank), then the summary
    CHECK(lines[0].at("case") == "tests/cli/data/eval/cases.jsonl:1");
    CHECK(lines[1].at("case") == "tests/cli/data/eval/cases.jsonl:2");
    CHECK_THAT(std::string(lines[1].at("error").as_string()), Catch::StartsWith("message.files[0].size: "));
    CHECK(lines[2].at("case") == "tests/cli/data/eval/cases.jsonl:4");
    CHECK_THAT(std::string(lines[2].at("error").as_string()), Catch::StartsWith("invalid JSON"));
    CHECK(lines[2].at("at") == "tests/cli/data/eval/cases.jsonl:4:48");
    CHECK(lines[3].at("decisions").as_array()[0].at("value") == boost::json::parse(R"({"link": {}})"));
    CHECK(lines[4].at("summary").at("refused") == 2);

    auto text = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases.jsonl", "--format", "text"});
    CHECK(text.code == 2);
    CHECK_THAT(text.out, Catch::Contains("tests/cli/data/eval/cases.jsonl:2: error: message.files[0].size: "));
    CHECK_THAT(text.out, Catch::Contains("tests/cli/data/eval/cases.jsonl:4:48: error: invalid JSON"));
    CHECK_THAT(text.out, Catch::EndsWith("4 cases: 2 decided, 0 with a failed policy, 2 refused\n"));
}

TEST_CASE("a case in a folder that does not fit the schema is reported and the others run", "[cli][eval]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/bad_cases", "--format", "text"});
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("tests/cli/data/eval/bad_cases/good.json\n  attachment = {\"attach\":{}}"));
    CHECK_THAT(r.out, Catch::Contains("tests/cli/data/eval/bad_cases/typo.json: error: message.files[0].sise: unknown field of `file`: did you mean `size`?"));
    CHECK_THAT(r.out, Catch::EndsWith("2 cases: 1 decided, 0 with a failed policy, 1 refused\n"));
}

TEST_CASE("a policy that fails over many cases makes the exit code 1, and its decision says why", "[cli][eval]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases", "--budget", "1"});
    CHECK(r.code == 1);
    auto lines = json_lines(r.out);
    CHECK(lines.back().at("summary").at("failed") == 3);
    CHECK(lines[0].at("decisions").as_array()[0].as_object().contains("error"));
}

TEST_CASE("eval refuses a missing folder, a folder without cases, and an empty JSON-lines file", "[cli][eval]") {
    auto missing = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/no_such_folder"});
    CHECK(missing.code == 2);
    CHECK(missing.out.empty());
    CHECK(missing.err == "switchyard: error: cannot read `tests/cli/data/eval/no_such_folder`\n");
    auto empty = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/fmt"});
    CHECK(empty.code == 2);
    CHECK(empty.err == "switchyard: error: `tests/cli/data/fmt` holds no case files (`*.json`)\n");
    auto blank = run_cli({"eval", "--rules", rules, "--case", scratch_file("switchyard-eval-test", "blank.jsonl", "\n  \n")});
    CHECK(blank.code == 2);
    CHECK_THAT(blank.err, Catch::Contains("holds no cases"));
    CHECK(run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases", "--format", "xml"}).code == 2);
    // Like check's, the value is case-insensitive.
    CHECK(run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases", "--format", "TEXT"}).code == 0);
}

TEST_CASE("one case file still prints one indented document", "[cli][eval]") {
    auto r = run_cli({"eval", "--rules", rules, "--case", "tests/cli/data/eval/cases/b_big.json"});
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("{\n  \"ruleset\": "));
    CHECK(boost::json::parse(r.out).at("decisions").as_array()[0].at("value") == boost::json::parse(R"({"link": {}})"));
}
