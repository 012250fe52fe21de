// End to end: which ruleset the real `switchyard serve` serves across restarts and SIGHUPs. The
// latest admin action wins: a ruleset published through the API serves on after a restart or a
// SIGHUP, until the configuration's rule files change.
#include "tests/cli/cli_run.hpp"
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"
#include "tests/server/rulesets_support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace switchyard;
using namespace switchyard::testing;

TEST_CASE("a published ruleset survives a restart and a SIGHUP, until the rule files change", "[e2e][R3][rulesets]") {
    ServerProcess server(rules_in_dir_config());
    auto rules = copy_shipped_rules(server.dir());
    server.start();
    auto configured = serving(server.port());

    auto next = compile_edited(rules, server.dir() / "next.swy", "Hello! How can we help you?", "Hi! How can we help?");
    auto published = http_request(server.port(), "POST", "/api/v1/ruleset?by=1&reason=a%20shorter%20greeting", next, api_auth);
    INFO(published.body);
    REQUIRE(published.status == 200);
    auto version = serving(server.port());
    REQUIRE(version != configured);

    server.kill(SIGTERM);
    server.start();
    CHECK(serving(server.port()) == version);
    CHECK(wait_for_output(server, "switchyard serve: serving version " + version + ", which Olga Owner published at "));
    CHECK(wait_for_output(server, " (a shorter greeting), not the configured rules' " + configured +
                                      ": they are unchanged since they were last loaded"));

    server.signal(SIGHUP);
    CHECK(wait_for_output(server, "SIGHUP: serving version " + version));
    CHECK(serving(server.port()) == version);

    // The files change: on SIGHUP they serve, and go on serving after a restart.
    edit(rules / "common.rules", "Hello! How can we help you?", "Good day! How may we help?");
    server.signal(SIGHUP);
    REQUIRE(wait_for_output(server, "SIGHUP: now serving version "));
    auto edited = serving(server.port());
    CHECK(edited != version);
    CHECK(edited != configured);
    server.kill(SIGTERM);
    server.start();
    CHECK(serving(server.port()) == edited);

    auto events = boost::json::parse(http_request(server.port(), "GET", "/api/v1/rulesets/events", {}, api_auth).body).at("events").as_array();
    REQUIRE(events.size() == 3);  // configured, publish, configured: the restarts and the first SIGHUP changed nothing
    CHECK(events[0].at("action") == "configured");
    CHECK(events[0].at("version") == boost::json::value(edited));
    CHECK(events[1].at("action") == "publish");
    CHECK(events[1].at("reason") == "a shorter greeting");
    CHECK(events[2].at("version") == boost::json::value(configured));
}

TEST_CASE("rule files that no longer compile are refused on SIGHUP and recorded, the ruleset serving goes on", "[e2e][R3][rulesets]") {
    ServerProcess server(rules_in_dir_config(), "rulesets-refused");
    auto rules = copy_shipped_rules(server.dir());
    server.start();
    auto configured = serving(server.port());
    edit(rules / "common.rules", "otherwise", "otherwize");
    server.signal(SIGHUP);
    REQUIRE(wait_for_output(server, "SIGHUP: keeping version " + configured + ": the rules in `"));
    CHECK(serving(server.port()) == configured);
    auto events = boost::json::parse(http_request(server.port(), "GET", "/api/v1/rulesets/events", {}, api_auth).body).at("events").as_array();
    REQUIRE(events.size() == 2);
    CHECK(events[0].at("action") == "refuse");
    CHECK(events[0].at("attempted") == "configured");
    CHECK(events[0].at("version").is_null());
    CHECK_THAT(std::string(events[0].at("detail").as_string()), Catch::Contains("do not compile"));
}

// [sqlite]: it writes the server's configuration again itself, on the SQLite file the harness
// would otherwise have swapped for a PostgreSQL database.
TEST_CASE("a published ruleset the configuration no longer fits is refused at start, said so, and the files serve",
          "[e2e][R3][rulesets][sqlite]") {
    auto with_tier = rules_in_dir_config() + "\n[contact_fields]\ntier = \"string\"\n";
    ServerProcess server(with_tier, "rulesets-misfit");
    auto rules = copy_shipped_rules(server.dir());
    server.start();
    auto configured = serving(server.port());
    // Rules that declare a contact field, which the configuration declares too: they fit.
    auto next = compile_edited(rules, server.dir() / "tiered.swy", "setting new_task_if_no_active",
                               "contact_field tier: string = \"basic\"\nsetting new_task_if_no_active");
    REQUIRE(http_request(server.port(), "POST", "/api/v1/ruleset?by=2&reason=tiers", next, api_auth).status == 200);
    auto published = serving(server.port());

    server.kill(SIGTERM);
    std::ofstream(server.dir() / "switchyard.toml", std::ios::trunc)
        << replace_all(replace_all(rules_in_dir_config(), "{{dir}}", server.dir().string()), "{{source}}", source_dir().string());
    server.start();
    CHECK(serving(server.port()) == configured);
    CHECK(wait_for_output(server, "switchyard serve: the ruleset swapped in through the API last (version " + published +
                                      ") is refused now, so the configured one serves: the configuration's contact fields do not fit it:"));
}
