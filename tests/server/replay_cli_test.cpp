// `switchyard replay` (issue 15) as an admin runs it: beside a running server, on the storage its
// configuration names, with the fixtures of every messenger decided first.
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"
#include "tests/support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace switchyard;
using testing::api_auth;
using testing::http_request;
using testing::run_switchyard;
using testing::telegram_auth;
using testing::wazzup_auth;

namespace {

// A server that decided the fixtures of Telegram and Wazzup messages.
void decide_fixtures(testing::ServerProcess& server) {
    server.start();
    auto port = server.port();
    for (const char* name : {"telegram_private_text__teloxide.json", "telegram_group_mention__adapted_badpaybad.json",
                             "telegram_document__adapted_pyTelegramBotAPI.json", "telegram_message_reaction__teloxide.json"})
        REQUIRE(http_request(port, "POST", "/webhooks/tg", testing::read_fixture(name), telegram_auth).status == 200);
    for (const char* name : {"wazzup_incoming_whatsapp_poll_as_text__wazzup_docs.json", "wazzup_instagram_comment__adapted_wazzup_docs.json"})
        REQUIRE(http_request(port, "POST", "/webhooks/wz", testing::read_fixture(name), wazzup_auth).status == 200);
    REQUIRE(server.wait_until_processed());
}

std::size_t logged_decisions(testing::ServerProcess& server) {
    auto r = http_request(server.port(), "GET", "/api/v1/decisions", {}, api_auth);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body).at("decisions").as_array().size();
}

// The shipped rules with the task titles of Telegram changed, in the server's folder.
std::filesystem::path changed_titles_folder(testing::ServerProcess& server) {
    auto candidate = server.dir() / "candidate";
    std::filesystem::copy(std::filesystem::path(SWITCHYARD_SOURCE_DIR) / "rules", candidate);
    auto telegram = testing::read_text(candidate / "telegram.rules");
    const std::string from = "\" (telegram, \"";
    REQUIRE(telegram.find(from) != std::string::npos);
    telegram.replace(telegram.find(from), from.size(), "\" [telegram, \"");
    std::ofstream(candidate / "telegram.rules", std::ios::trunc) << telegram;
    return candidate;
}

// The same, compiled: the bytes to post.
std::string changed_titles(testing::ServerProcess& server) {
    auto candidate = changed_titles_folder(server);
    auto compiled = (server.dir() / "candidate.swy").string();
    auto run = run_switchyard("compile " + candidate.string() + " -o " + compiled);
    INFO(run.output);
    REQUIRE(run.status == 0);
    return testing::read_text(compiled);
}

}  // namespace

TEST_CASE("preview: a candidate posted to the API is replayed over the latest events", "[e2e][replay]") {
    testing::ServerProcess server(testing::e2e_config);
    decide_fixtures(server);
    auto port = server.port();
    auto body = changed_titles(server);
    auto all = http_request(port, "POST", "/api/v1/ruleset/preview", body, api_auth);
    INFO(all.body);
    REQUIRE(all.status == 200);
    auto report = boost::json::parse(all.body);
    CHECK(report.at("summary").at("replayed").as_int64() == static_cast<std::int64_t>(logged_decisions(server)));
    CHECK(report.at("summary").at("changed") == 2);
    CHECK(report.at("changed").as_array()[0].at("changes").as_array()[0].at("kind") == "routing");
    // The latest event is Wazzup's: its routing does not change.
    auto latest = http_request(port, "POST", "/api/v1/ruleset/preview?last=1", body, api_auth);
    REQUIRE(latest.status == 200);
    CHECK(boost::json::parse(latest.body).at("summary").at("replayed") == 1);
    CHECK(boost::json::parse(latest.body).at("summary").at("changed") == 0);
    // Nothing was swapped in.
    CHECK(boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset") !=
          boost::json::parse(all.body).at("candidate"));

    CHECK(http_request(port, "POST", "/api/v1/ruleset/preview?last=0", body, api_auth).status == 400);
    CHECK(http_request(port, "POST", "/api/v1/ruleset/preview", "SWYDRULE no", api_auth).status == 422);
    CHECK(http_request(port, "GET", "/api/v1/ruleset/preview", {}, api_auth).status == 405);
    CHECK(http_request(port, "POST", "/api/v1/ruleset/preview", body).status == 401);
}

TEST_CASE("publish guard: a candidate that changes more of the latest events than allowed is refused and recorded", "[e2e][replay]") {
    testing::ServerProcess server(testing::e2e_config);
    decide_fixtures(server);
    auto port = server.port();
    auto body = changed_titles(server);
    auto serving = boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset");

    auto stopped = http_request(port, "POST", "/api/v1/ruleset?by=1&reason=new%20titles&max_changed=1", body, api_auth);
    INFO(stopped.body);
    REQUIRE(stopped.status == 409);
    auto refusal = boost::json::parse(stopped.body);
    CHECK(std::string(refusal.at("error").as_string()).find("found 2 decided otherwise, more than max_changed 1") != std::string::npos);
    CHECK(refusal.at("preview").at("summary").at("changed") == 2);
    CHECK(boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset") == serving);
    auto events = boost::json::parse(http_request(port, "GET", "/api/v1/rulesets/events", {}, api_auth).body).at("events");
    const auto& latest = events.as_array().at(0);
    CHECK(latest.at("action") == "refuse");
    CHECK(latest.at("attempted") == "publish");
    CHECK(latest.at("reason") == "new titles");
    CHECK(latest.at("by").at("id") == 1);
    CHECK(std::string(latest.at("detail").as_string()).find("more than max_changed 1") != std::string::npos);
    CHECK(http_request(port, "POST", "/api/v1/ruleset?max_changed=x", body, api_auth).status == 400);

    // Allowed two, it serves; an event the old version decided is still explained by it.
    auto published = http_request(port, "POST", "/api/v1/ruleset?by=1&reason=new%20titles&max_changed=2&last=100", body, api_auth);
    INFO(published.body);
    REQUIRE(published.status == 200);
    CHECK(boost::json::parse(published.body).at("previous") == serving);
    auto old = http_request(port, "GET", "/api/v1/explain?decision=1", {}, api_auth);
    INFO(old.body);
    REQUIRE(old.status == 200);
    CHECK(boost::json::parse(old.body).at("ruleset") == serving);
}

TEST_CASE("replay: the configured rules replayed beside the running server change nothing", "[e2e][replay]") {
    testing::ServerProcess server(testing::e2e_config);
    decide_fixtures(server);
    auto config = (server.dir() / "switchyard.toml").string();
    auto run = run_switchyard("replay --config " + config + " --rules rules --format json");
    INFO(run.output);
    REQUIRE(run.status == 0);
    auto report = boost::json::parse(run.output);
    const auto& summary = report.at("summary");
    CHECK(summary.at("replayed").as_int64() == static_cast<std::int64_t>(logged_decisions(server)));
    CHECK(summary.at("changed") == 0);
    CHECK(summary.at("not_replayable") == 0);
    CHECK(summary.at("not_recorded") == 0);
    CHECK(report.at("candidate") ==
          boost::json::parse(http_request(server.port(), "GET", "/healthz").body).at("ruleset"));

    // With the server stopped (its WAL files gone with it), the same.
    auto replayed = summary.at("replayed");
    server.kill(SIGTERM);
    auto after = run_switchyard("replay --config " + config + " --rules rules --format json");
    INFO(after.output);
    REQUIRE(after.status == 0);
    CHECK(boost::json::parse(after.output).at("summary").at("replayed") == replayed);
}

TEST_CASE("replay: a changed rule is reported event by event, and --max-changed fails the run", "[e2e][replay]") {
    testing::ServerProcess server(testing::e2e_config);
    decide_fixtures(server);
    auto config = (server.dir() / "switchyard.toml").string();
    auto candidate = changed_titles_folder(server);
    auto run = run_switchyard("replay --config " + config + " --rules " + candidate.string() + " --max-changed 0");
    INFO(run.output);
    CHECK(run.status == 1);
    // The task titles of the two private messages (a text and a document); the group message goes
    // to no task of its own.
    CHECK(run.output.find("  routing:\n    before: {\"thread\":") != std::string::npos);
    CHECK(run.output.find("[telegram, telegram_bot") != std::string::npos);
    CHECK(run.output.find("changed by kind:\n  routing: 2 events") != std::string::npos);
    CHECK(run.output.find("more than --max-changed 0") != std::string::npos);

    auto wazzup_only = run_switchyard("replay --config " + config + " --rules " + candidate.string() + " --integration wz --format json");
    INFO(wazzup_only.output);
    REQUIRE(wazzup_only.status == 0);
    CHECK(boost::json::parse(wazzup_only.output).at("summary").at("changed") == 0);
}

TEST_CASE("replay: bad options are refused with what to write instead", "[e2e][replay]") {
    testing::ServerProcess server(testing::e2e_config);
    server.start();
    auto config = (server.dir() / "switchyard.toml").string();
    auto since = run_switchyard("replay --config " + config + " --rules rules --since yesterday");
    CHECK(since.status == 2);
    CHECK(since.output.find("--since `yesterday` is neither a date (2026-12-01) nor a time (2026-12-01T09:00Z)") !=
          std::string::npos);
    auto integration = run_switchyard("replay --config " + config + " --rules rules --integration nope");
    CHECK(integration.status == 2);
    CHECK(integration.output.find("--integration `nope` is not in") != std::string::npos);
    auto no_candidate = run_switchyard("replay --config " + config);
    CHECK(no_candidate.status == 2);
    CHECK(no_candidate.output.find("replay needs the candidate") != std::string::npos);
    auto missing = run_switchyard("replay --config " + config + " --rules rules --database " + (server.dir() / "none.db").string());
    CHECK(missing.status == 2);
    CHECK(missing.output.find("cannot open the database") != std::string::npos);
}

TEST_CASE("explain: a logged event decided again by its ruleset, with every rule tried and the values read", "[e2e][replay]") {
    testing::ServerProcess server(testing::e2e_config);
    decide_fixtures(server);
    auto port = server.port();
    auto get = [&](const std::string& target) { return http_request(port, "GET", target, {}, api_auth); };
    auto first = get("/api/v1/explain?decision=1");
    INFO(first.body);
    REQUIRE(first.status == 200);
    auto explained = boost::json::parse(first.body).as_object();
    CHECK(explained.at("ruleset") == boost::json::parse(get("/healthz").body).at("ruleset"));
    CHECK(explained.at("event") == "tg:tg:update:306197398");
    const auto& asks = explained.at("asks").as_array();
    REQUIRE(asks.size() >= 2);
    CHECK(asks[0].at("kinds") == boost::json::array{"routing"});
    for (const auto& ask : asks) CHECK(ask.at("same_as_logged") == true);
    const auto& routing = asks[0].at("decisions").as_array().at(0).as_object();
    CHECK(routing.at("kind") == "routing");
    CHECK(routing.contains("trace"));
    CHECK(routing.at("read").as_object().contains("message.sender"));
    CHECK(routing.contains("lets"));

    // The same row by its comment and by its event key.
    auto comment = explained.at("comment").as_int64();
    auto by_comment = get("/api/v1/explain?comment=" + std::to_string(comment));
    REQUIRE(by_comment.status == 200);
    CHECK(boost::json::parse(by_comment.body).at("decision") == 1);
    auto by_event = get("/api/v1/explain?event=tg:tg:update:306197398");
    REQUIRE(by_event.status == 200);
    CHECK(boost::json::parse(by_event.body).at("decision") == 1);

    CHECK(get("/api/v1/explain?decision=99999").status == 404);
    CHECK(get("/api/v1/explain?decision=x").status == 400);
    CHECK(get("/api/v1/explain").status == 400);
    CHECK(http_request(port, "GET", "/api/v1/explain?decision=1").status == 401);
}

TEST_CASE("eval --decision and --event: a logged event's recorded cases decided by the rules given", "[e2e][replay]") {
    testing::ServerProcess server(testing::e2e_config);
    decide_fixtures(server);
    auto config = (server.dir() / "switchyard.toml").string();
    auto text = run_switchyard("eval --config " + config + " --rules rules --decision 1 --format text");
    INFO(text.output);
    CHECK(text.status == 0);
    CHECK(text.output.find("decision 1 (tg:tg:update:306197398, decided by ") != std::string::npos);
    CHECK(text.output.find("ask: routing\n  routing = {\"thread\":") != std::string::npos);
    CHECK(text.output.find("(otherwise than logged)") == std::string::npos);

    auto explained = run_switchyard("eval --config " + config + " --rules rules --event tg:tg:update:306197398 --explain");
    INFO(explained.output);
    REQUIRE(explained.status == 0);
    auto json = boost::json::parse(explained.output);
    CHECK(json.at("decision") == 1);
    CHECK(json.at("asks").as_array()[0].at("decisions").as_array()[0].as_object().contains("trace"));

    auto no_config = run_switchyard("eval --rules rules --decision 1");
    CHECK(no_config.status == 2);
    CHECK(no_config.output.find("--decision and --event need --config") != std::string::npos);
    auto unknown = run_switchyard("eval --config " + config + " --rules rules --decision 9999");
    CHECK(unknown.status == 2);
    CHECK(unknown.output.find("the decision log has no decision 9999") != std::string::npos);
}

TEST_CASE("an employee's comment through the API has its decisions logged, explained and replayed like an event's", "[e2e][replay][R2]") {
    testing::ServerProcess server(testing::e2e_config);
    decide_fixtures(server);
    auto port = server.port();
    auto posted = http_request(port, "POST", "/api/v1/tasks/1/comments", R"({"by": 2, "text": "We are on it", "notify": {"contact": true}})", api_auth);
    INFO(posted.body);
    REQUIRE(posted.status == 201);
    auto comment = boost::json::parse(posted.body).at("comment").as_int64();

    auto log = boost::json::parse(http_request(port, "GET", "/api/v1/decisions?task=1", {}, api_auth).body).at("decisions");
    const auto& row = log.as_array().at(0);
    CHECK(std::string(row.at("event").as_string()) == "api:comment:" + std::to_string(comment));
    CHECK(row.at("inbox") == 0);
    CHECK(row.at("comment") == comment);
    CHECK(row.at("rules").as_array().at(0).at("kind") == "delivery");

    auto explained = http_request(port, "GET", "/api/v1/explain?comment=" + std::to_string(comment), {}, api_auth);
    INFO(explained.body);
    REQUIRE(explained.status == 200);
    auto explanation = boost::json::parse(explained.body);
    const auto& ask = explanation.at("asks").as_array().at(0);
    CHECK(ask.at("same_as_logged") == true);
    CHECK(ask.at("decisions").as_array().at(0).at("kind") == "delivery");
    CHECK(ask.at("decisions").as_array().at(0).as_object().contains("read"));

    auto config = (server.dir() / "switchyard.toml").string();
    auto run = run_switchyard("replay --config " + config + " --rules rules --format json");
    INFO(run.output);
    REQUIRE(run.status == 0);
    auto summary = boost::json::parse(run.output).at("summary");
    CHECK(summary.at("replayed").as_int64() == static_cast<std::int64_t>(logged_decisions(server)));
    CHECK(summary.at("changed") == 0);
    CHECK(summary.at("not_replayable") == 0);
}
