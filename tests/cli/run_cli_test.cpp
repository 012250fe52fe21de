// The compile-and-run subcommands as a user meets them: compile, disasm, eval, test.
#include "bytecode/serialize.hpp"
#include "cli/cli.hpp"
#include "tests/cli/cli_run.hpp"
#include "tests/support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace switchyard;

namespace {
using Run = testing::CliRun;
Run run(std::vector<std::string> args) { return testing::run_cli(std::move(args)); }

std::string scratch(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() / "switchyard-run-cli-test";
    std::filesystem::create_directories(dir);
    auto path = dir / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

const char* group_case = R"({
  "message": {"direction": "inbound", "transport": "telegram", "chat": {"id": -100, "kind": "group"},
              "sender": {"id": 5, "name": "Anna"}, "mentions": [{"id": 7, "name": "Ivan", "is_employee": true}]},
  "task": {"status": "completed"}
})";
}  // namespace

TEST_CASE("compile writes a ruleset that disasm lists and eval runs", "[cli][vm]") {
    auto out = scratch("planfix.swy", "");
    auto compiled = run({"compile", "rules", "-o", out});
    INFO(compiled.out << compiled.err);
    REQUIRE(compiled.code == 0);
    CHECK_THAT(compiled.out, Catch::StartsWith("compiled ruleset planfix (6 files"));

    auto listing = run({"disasm", out});
    REQUIRE(listing.code == 0);
    CHECK_THAT(listing.out, Catch::Contains("; " + out + ": verified"));
    CHECK_THAT(listing.out, Catch::Contains("policy notification for inbound via telegram in group, channel  rules/telegram.rules:28\n"
                                            "  reads: message, task; queries: member_of, has_role, last_message_with\n"));
    CHECK_THAT(listing.out, Catch::Contains("policy reopen for inbound  rules/common.rules:33\n  reads: nothing; queries: none\n"));
    CHECK_THAT(listing.out, Catch::Contains("let recent = last_message_with(message.sender)"));
    CHECK_THAT(listing.out, Catch::Contains("in_set"));

    auto kase = scratch("group.json", group_case);
    auto eval = run({"eval", "--ruleset", out, "--case", kase, "--explain"});
    INFO(eval.out << eval.err);
    REQUIRE(eval.code == 0);
    auto json = boost::json::parse(eval.out).as_object();
    CHECK(json.at("ruleset") == "planfix");
    const auto& decisions = json.at("decisions").as_array();
    REQUIRE(decisions.size() == 3);  // routing, reopen, notification
    CHECK(decisions[0].at("value") ==
          boost::json::parse(R"({"linked_task": {"chat": {"id": -100, "kind": "group", "title": "", "username": null}}})"));
    CHECK(decisions[0].at("trace").as_array().size() == 1);
    // What the deciding policy read, with the values it saw.
    CHECK(decisions[0].at("read").at("message.chat") == decisions[0].at("value").at("linked_task").at("chat"));
    CHECK_FALSE(decisions[1].as_object().contains("read"));  // reopen's shipped policy reads nothing
    CHECK(decisions[2].at("value").as_array()[0].at("reason") == "mentioned");

    // The same from the rule files directly.
    auto direct = run({"eval", "--rules", "rules", "--case", kase});
    REQUIRE(direct.code == 0);
    CHECK(boost::json::parse(direct.out).at("decisions").as_array()[1].at("value") == "new_task");
}

TEST_CASE("a compiled ruleset carries its sources: disasm and eval show their lines when the files are gone", "[cli][vm]") {
    auto rules = scratch("gone.rules", "policy attachment for inbound {\n    when file.size > 5 MB -> link\n    otherwise -> attach\n}\n");
    auto out = scratch("gone.swy", "");
    REQUIRE(run({"compile", rules, "-o", out}).code == 0);
    std::filesystem::remove(rules);

    auto listing = run({"disasm", out});
    REQUIRE(listing.code == 0);
    CHECK_THAT(listing.out, Catch::Contains("; " + rules + ":2  when file.size > 5 MB -> link"));
    auto kase = scratch("big_file.json", R"({"file": {"size": 6000000}})");
    auto eval = run({"eval", "--ruleset", out, "--case", kase, "--explain", "--format", "text"});
    INFO(eval.out << eval.err);
    CHECK_THAT(eval.out, Catch::Contains(rules + ":2  true   when file.size > 5 MB -> link"));
}

TEST_CASE("eval explains bad cases and refuses bad rulesets", "[cli][vm]") {
    auto wrong_kind = scratch("wrong.json", R"({"message": {"chat": {"kind": "grp"}}})");
    auto bad = run({"eval", "--rules", "rules", "--case", wrong_kind});
    CHECK(bad.code == 2);
    CHECK_THAT(bad.err, Catch::Contains("message.chat.kind: unknown chat_kind \"grp\", expected one of private, group"));

    auto typo = scratch("typo.json", R"({"mesage": {}})");
    CHECK_THAT(run({"eval", "--rules", "rules", "--case", typo}).err, Catch::Contains("mesage: unknown key: did you mean `message`?"));

    auto not_json = scratch("broken.json", "{\n  \"message\": \n");
    auto broken = run({"eval", "--rules", "rules", "--case", not_json});
    CHECK(broken.code == 2);
    CHECK_THAT(broken.err, Catch::Contains("broken.json:3:1: error: invalid JSON"));

    auto garbage = scratch("garbage.swy", "SWYDRULE garbage");
    auto refused = run({"eval", "--ruleset", garbage, "--case", not_json});
    CHECK(refused.code == 1);
    CHECK_THAT(refused.err, Catch::Contains("is refused: at byte"));
    CHECK(run({"disasm", garbage}).code == 1);
    CHECK(run({"eval", "--case", typo}).code == 2);  // neither --ruleset nor --rules
}

TEST_CASE("test runs the shipped rules' tests and reports coverage", "[cli][vm]") {
    auto result = run({"test", "rules", "--coverage"});
    INFO(result.out << result.err);
    CHECK(result.code == 0);
    CHECK_THAT(result.out, Catch::Contains("PASS  rules/telegram.rules:"));
    CHECK_THAT(result.out, Catch::Contains("tests, ") && Catch::Contains(" passed, 0 failed"));
    CHECK_THAT(result.out, Catch::Contains("coverage: "));
}

TEST_CASE("a failing test shows the expectation, the decisions and the traces", "[cli][vm]") {
    auto rules = scratch("failing.rules", R"(policy attachment for inbound {
    when file.size > 10 MB -> link
    otherwise              -> attach
}

test "big files travel as links" {
    given file { size: 20 MB }
    expect attachment == link
}

test "this one is wrong" {
    given file { size: 1 MB }
    expect attachment == link
}
)");
    auto result = run({"test", rules});
    CHECK(result.code == 1);
    CHECK_THAT(result.out, Catch::Contains("PASS  " + rules + ":6  big files travel as links"));
    CHECK_THAT(result.out, Catch::Contains("FAIL  " + rules + ":11  this one is wrong"));
    CHECK_THAT(result.out, Catch::Contains("attachment == link  (" + rules + ":13)"));
    CHECK_THAT(result.out, Catch::Contains("attachment = {\"attach\":{}}"));
    CHECK_THAT(result.out, Catch::Contains(rules + ":2  false  when file.size > 10 MB -> link"));
    CHECK_THAT(result.out, Catch::Contains("2 tests, 1 passed, 1 failed"));
}
