// `switchyard rulesets` against the real server: list, show (sources, and the diff between two),
// publish, rollback and events, as text and as the API's JSON; the address and token from the
// server's configuration or given; a server that does not answer.
#include "tests/cli/cli_run.hpp"
#include "tests/server/harness.hpp"
#include "tests/server/rulesets_support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

// `switchyard rulesets ARGS... --url http://127.0.0.1:PORT --token …`
CliRun rulesets(std::uint16_t port, std::vector<std::string> args) {
    args.insert(args.begin(), "rulesets");
    for (std::string extra : {std::string("--url"), "http://127.0.0.1:" + std::to_string(port), std::string("--token"),
                              std::string("e2e-api-token-0123456789")})
        args.push_back(extra);
    auto r = run_cli(args);
    INFO("rulesets " << args[1] << ": " << r.out << r.err);
    return r;
}

}  // namespace

TEST_CASE("rulesets: publish, list, show, diff, roll back and the events, through the CLI", "[e2e][cli][rulesets]") {
    ServerProcess server(rules_in_dir_config(), "rulesets-cli");
    auto rules = copy_shipped_rules(server.dir());
    server.start();
    auto port = server.port();
    auto configured = serving(port);
    auto next = server.dir() / "next.swy";
    compile_edited(rules, next, "Hello! How can we help you?", "Hi! How can we help?");

    auto published = rulesets(port, {"publish", next.string(), "--by", "1", "--reason", "a shorter greeting"});
    REQUIRE(published.code == 0);
    auto version = serving(port);
    CHECK(published.out == "now serving " + version + " (before: " + configured + ")\n");

    auto list = rulesets(port, {"list"});
    REQUIRE(list.code == 0);
    CHECK_THAT(list.out, Catch::StartsWith("   VERSION           NAME     FIRST SERVED"));
    CHECK_THAT(list.out, Catch::Contains("\n*  " + version + "  planfix  ") && Catch::Contains("Olga Owner (employee 1)\n"));
    CHECK_THAT(list.out, Catch::Contains("\n   " + configured + "  planfix  ") && Catch::Contains("  configuration\n"));

    auto diff = rulesets(port, {"show", version, "--against", configured});
    REQUIRE(diff.code == 0);
    CHECK_THAT(diff.out, Catch::StartsWith("ruleset " + version + " (planfix), serving\nfirst served "));
    CHECK_THAT(diff.out, Catch::Contains("changes from " + configured + ": 1 file\n\n--- " + configured + "/common.rules\n+++ " +
                                         version + "/common.rules\n@@ "));
    CHECK_THAT(diff.out, Catch::Contains("\n-        quick_reply(\"greeting\", \"Hello! How can we help you?\"),\n"
                                         "+        quick_reply(\"greeting\", \"Hi! How can we help?\"),\n"));
    auto shown = rulesets(port, {"show", configured});
    CHECK_THAT(shown.out, Catch::Contains("\n==> " + (rules / "planfix.rules").string() + " <==\n"));
    CHECK_THAT(shown.out, Catch::Contains("Hello! How can we help you?"));

    auto back = rulesets(port, {"rollback", configured, "--by", "1", "--reason", "customers liked the old one"});
    REQUIRE(back.code == 0);
    CHECK(serving(port) == configured);
    auto again = rulesets(port, {"rollback", configured, "--by", "1", "--reason", "twice"});
    CHECK(again.code == 1);
    CHECK(again.err == "switchyard: error: the server answered 409: ruleset " + configured + " is serving already\n");

    auto events = rulesets(port, {"events"});
    REQUIRE(events.code == 0);
    CHECK_THAT(events.out, Catch::StartsWith("ID  AT"));
    CHECK_THAT(events.out, Catch::Contains("rollback    " + configured + "  Olga Owner (employee 1)  customers liked the old one\n"));
    CHECK_THAT(events.out, Catch::Contains("publish     " + version + "  Olga Owner (employee 1)  a shorter greeting\n"));
    CHECK_THAT(events.out, Catch::Contains("configured  " + configured + "  configuration            compiled from `"));

    auto json = rulesets(port, {"events", "--json", "--limit", "1"});
    REQUIRE(json.code == 0);
    auto answer = boost::json::parse(json.out).at("events").as_array();
    REQUIRE(answer.size() == 1);
    CHECK(answer[0].at("action") == "rollback");
}

TEST_CASE("rulesets finds the server and its token in its configuration, and says so when it does not answer", "[e2e][cli][rulesets]") {
    ServerProcess server(e2e_config, "rulesets-config");
    server.start();
    // The server listens on port 0 (a free one): a copy of its configuration names the port it got.
    auto config = server.dir() / "copy.toml";
    std::ofstream(config) << replace_all(read_text(server.dir() / "switchyard.toml"), "127.0.0.1:0",
                                         "127.0.0.1:" + std::to_string(server.port()));
    auto list = run_cli({"rulesets", "--config", config.string(), "list", "--json"});
    INFO(list.out << list.err);
    REQUIRE(list.code == 0);
    CHECK(boost::json::parse(list.out).at("rulesets").as_array().size() == 1);

    auto port_zero = run_cli({"rulesets", "list", "--config", (server.dir() / "switchyard.toml").string()});
    CHECK(port_zero.code == 2);
    CHECK_THAT(port_zero.err, Catch::Contains("listens on port 0") && Catch::Contains("give --url"));
    auto nowhere = run_cli({"rulesets", "list"});
    CHECK(nowhere.code == 2);
    CHECK_THAT(nowhere.err, Catch::Contains("--config FILE") && Catch::Contains("--url URL"));
    auto wrong_token = run_cli({"rulesets", "list", "--url", "http://127.0.0.1:" + std::to_string(server.port()), "--token", "nope"});
    CHECK(wrong_token.code == 1);
    CHECK_THAT(wrong_token.err, Catch::StartsWith("switchyard: error: the server answered 401: "));

    server.kill(SIGTERM);
    auto gone = rulesets(server.port(), {"list"});
    CHECK(gone.code == 2);
    CHECK_THAT(gone.err, Catch::StartsWith("switchyard: error: no answer from the server at http://127.0.0.1:" +
                                           std::to_string(server.port()) + ": "));
}

TEST_CASE("rulesets: preview a candidate, and publish it only when it changes few enough events", "[e2e][cli][rulesets][replay]") {
    ServerProcess server(rules_in_dir_config(), "rulesets-guard");
    auto rules = copy_shipped_rules(server.dir());
    server.start();
    auto port = server.port();
    const std::map<std::string, std::string> telegram = {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}};
    REQUIRE(http_request(port, "POST", "/webhooks/tg", read_fixture("telegram_private_text__teloxide.json"), telegram).status == 200);
    REQUIRE(server.wait_until_processed());
    auto configured = serving(port);
    auto next = server.dir() / "next.swy";
    compile_edited(rules, next, "\" (telegram, \"", "\" [telegram, \"", "telegram.rules");

    auto preview = rulesets(port, {"preview", next.string(), "--last", "10"});
    REQUIRE(preview.code == 0);
    CHECK_THAT(preview.out, Catch::Contains(": replayed 1 events, 1 changed, 0 unchanged, 0 not replayable\n  routing: 1 events\n"));
    CHECK_THAT(preview.out, Catch::Contains("\nevent tg:tg:update:306197398 (decision 1, ") &&
                                Catch::Contains("[telegram, telegram_bot, @support_bot)"));
    CHECK(serving(port) == configured);

    auto stopped = rulesets(port, {"publish", next.string(), "--by", "1", "--reason", "titles", "--max-changed", "0"});
    CHECK(stopped.code == 1);
    CHECK_THAT(stopped.err, Catch::Contains("the server answered 409") && Catch::Contains("more than max_changed 0"));
    CHECK(serving(port) == configured);

    auto allowed = rulesets(port, {"publish", next.string(), "--by", "1", "--reason", "titles", "--max-changed", "1"});
    CHECK(allowed.code == 0);
    CHECK(serving(port) != configured);
}
