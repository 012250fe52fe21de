// End to end: the real `switchyard serve` on loopback, fixtures and our own payloads posted to
// it, the results read back through the HTTP API. Behaviour ids in the test names.
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"
#include "tests/support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

using namespace switchyard;
using testing::api_auth;
using testing::http_request;
using testing::telegram_auth;
using testing::wazzup_auth;

namespace {

boost::json::value api(std::uint16_t port, const std::string& target) {
    auto r = http_request(port, "GET", target, {}, api_auth);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body);
}

std::string telegram_text(std::int64_t update, std::int64_t chat, const std::string& text, std::int64_t message_id = 1) {
    return R"({"update_id": )" + std::to_string(update) + R"(, "message": {"message_id": )" + std::to_string(message_id) +
           R"(, "date": 1763719200, "chat": {"id": )" + std::to_string(chat) +
           R"(, "type": "private", "first_name": "Anna"}, "from": {"id": )" + std::to_string(chat) +
           R"(, "is_bot": false, "first_name": "Anna", "username": "anna"}, "text": ")" + text + R"("}})";
}

}  // namespace

TEST_CASE("R1: webhooks are authenticated, stored and acknowledged, redelivery has no second effect", "[e2e][R1][T1][C1][C3]") {
    testing::ServerProcess server(testing::e2e_config);
    server.start();
    auto port = server.port();
    auto body = testing::read_fixture("telegram_private_text__teloxide.json");

    CHECK(http_request(port, "POST", "/webhooks/tg", body).status == 401);
    CHECK(http_request(port, "POST", "/webhooks/tg", body, {{"X-Telegram-Bot-Api-Secret-Token", "wrong"}}).status == 401);
    CHECK(http_request(port, "POST", "/webhooks/nope", body, telegram_auth).status == 404);
    CHECK(http_request(port, "POST", "/webhooks/tg", std::string(100 * 1024, ' '), telegram_auth).status == 413);
    CHECK(testing::metric(port, "switchyard_inbox_received") == 0);  // nothing refused was stored

    REQUIRE(http_request(port, "POST", "/webhooks/tg", body, telegram_auth).status == 200);
    REQUIRE(http_request(port, "POST", "/webhooks/tg", body, telegram_auth).status == 200);  // Telegram re-sends
    REQUIRE(server.wait_until_processed());
    auto tasks = api(port, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 1);
    auto task = api(port, "/api/v1/tasks/" + std::to_string(tasks[0].at("id").as_int64()));
    CHECK(task.at("comments").as_array().size() == 1);  // the redelivery had no second effect
    if (std::getenv("SWITCHYARD_TEST_POSTGRES")) {
        // A store that several servers share keeps a body's key: the redelivery made no row.
        CHECK(testing::metric(port, "switchyard_inbox_received") == 1);
        CHECK(testing::metric(port, "switchyard_webhooks_duplicate_total") == 1);
    } else {
        CHECK(testing::metric(port, "switchyard_inbox_received") == 2);  // but both bodies were recorded
    }

    // C3: a later message of the same conversation is a comment of the same task.
    REQUIRE(http_request(port, "POST", "/webhooks/tg", telegram_text(306197399, 408258968, "and another thing", 155),
                         telegram_auth).status == 200);
    REQUIRE(server.wait_until_processed());
    CHECK(api(port, "/api/v1/tasks").at("tasks").as_array().size() == 1);
    auto again = api(port, "/api/v1/tasks/" + std::to_string(tasks[0].at("id").as_int64()));
    CHECK(again.at("comments").as_array().size() == 2);
}

TEST_CASE("R1: unknown update types and the Wazzup ping are answered 200 and change nothing", "[e2e][R1]") {
    testing::ServerProcess server(testing::e2e_config);
    server.start();
    auto port = server.port();
    CHECK(http_request(port, "POST", "/webhooks/tg", R"({"update_id": 5, "poll": {"id": "1"}})", telegram_auth).status == 200);
    CHECK(http_request(port, "POST", "/webhooks/wz", testing::read_fixture("wazzup_webhook_test_ping__wazzup_docs.json"),
                       wazzup_auth).status == 200);
    CHECK(http_request(port, "POST", "/webhooks/wz", "{}", {{"Authorization", "Bearer nope"}}).status == 401);
    REQUIRE(server.wait_until_processed());
    CHECK(api(port, "/api/v1/tasks").at("tasks").as_array().empty());
}

TEST_CASE("the fixtures of every handled update type are processed without failures", "[e2e][T3][T6][TB1][W1][W9][I4]") {
    testing::ServerProcess server(testing::e2e_config);
    server.start();
    auto port = server.port();
    for (const char* name : {"telegram_private_text__teloxide.json", "telegram_group_mention__adapted_badpaybad.json",
                             "telegram_document__adapted_pyTelegramBotAPI.json", "telegram_business_connection__schema_derived.json",
                             "telegram_business_message__schema_derived.json", "telegram_deleted_business_messages__schema_derived.json",
                             "telegram_message_reaction__teloxide.json", "telegram_message_reaction_anonymous__teloxide.json",
                             "telegram_message_reaction_count__teloxide.json"}) {
        INFO(name);
        CHECK(http_request(port, "POST", "/webhooks/tg", testing::read_fixture(name), telegram_auth).status == 200);
    }
    for (const char* name : {"wazzup_incoming_whatsapp_poll_as_text__wazzup_docs.json", "wazzup_incoming_whatsapp_sticker__wazzup_docs.json",
                             "wazzup_instagram_comment__adapted_wazzup_docs.json", "wazzup_outgoing_echo_from_app__schema_derived.json",
                             "wazzup_statuses__wazzup_docs.json"}) {
        INFO(name);
        CHECK(http_request(port, "POST", "/webhooks/wz", testing::read_fixture(name), wazzup_auth).status == 200);
    }
    REQUIRE(server.wait_until_processed());
    INFO(server.output());
    CHECK(testing::metric(port, "switchyard_inbox_failed") == 0);
    CHECK(api(port, "/api/v1/tasks").at("tasks").as_array().size() >= 3);
    auto decisions = api(port, "/api/v1/decisions").at("decisions").as_array();
    REQUIRE_FALSE(decisions.empty());
    CHECK(decisions[0].as_object().contains("ruleset"));  // R2: every row names its ruleset version
}

TEST_CASE("the HTTP API needs its token, health and metrics do not", "[e2e]") {
    testing::ServerProcess server(testing::e2e_config);
    server.start();
    auto port = server.port();
    CHECK(http_request(port, "GET", "/api/v1/tasks").status == 401);
    CHECK(http_request(port, "GET", "/api/v1/tasks", {}, {{"Authorization", "Bearer wrong"}}).status == 401);
    CHECK(http_request(port, "GET", "/api/v1/tasks/999", {}, api_auth).status == 404);
    CHECK(http_request(port, "GET", "/api/v1/tasks/abc", {}, api_auth).status == 400);
    CHECK(http_request(port, "GET", "/api/v1/contacts/999", {}, api_auth).status == 404);
    auto health = http_request(port, "GET", "/healthz");
    CHECK(health.status == 200);
    CHECK(boost::json::parse(health.body).at("status") == "ok");
    auto metrics = http_request(port, "GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("# TYPE switchyard_webhooks_accepted_total counter") != std::string::npos);
}

TEST_CASE("R3: a compiled ruleset is swapped in over the API, a bad one is refused and the old one serves", "[e2e][R3]") {
    testing::ServerProcess server(testing::e2e_config);
    server.start();
    auto port = server.port();
    auto before = boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset").as_string();
    auto refused = http_request(port, "POST", "/api/v1/ruleset", "SWYDRULE not really", api_auth);
    CHECK(refused.status == 422);
    CHECK(refused.body.find("the ruleset is refused") != std::string::npos);
    CHECK(boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset").as_string() == before);
    CHECK(http_request(port, "POST", "/api/v1/ruleset", "x").status == 401);

    // A ruleset compiled from changed rules (another canned answer) has another version, and
    // serves once posted. (A comment alone would not change it: the version is what runs.)
    auto rules = server.dir() / "rules";
    std::filesystem::copy(std::filesystem::path(SWITCHYARD_SOURCE_DIR) / "rules", rules);
    auto common = testing::read_text(rules / "common.rules");
    const std::string greeting = "Hello! How can we help you?";
    REQUIRE(common.find(greeting) != std::string::npos);
    common.replace(common.find(greeting), greeting.size(), "Hi! How can we help?");
    std::ofstream(rules / "common.rules", std::ios::trunc) << common;
    auto compiled = (server.dir() / "next.swy").string();
    auto command = std::string(SWITCHYARD_BINARY) + " compile " + rules.string() + " -o " + compiled + " > /dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    auto swapped = http_request(port, "POST", "/api/v1/ruleset", testing::read_text(compiled), api_auth);
    INFO(swapped.body);
    REQUIRE(swapped.status == 200);
    auto after = boost::json::parse(swapped.body).at("version").as_string();
    CHECK(after != before);
    CHECK(boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset").as_string() == after);

    // SIGHUP recompiles the configured rules; they are unchanged since they were loaded, so the
    // ruleset published since goes on serving (serve_rulesets_test.cpp: the files changed).
    server.signal(SIGHUP);
    for (int i = 0; i < 100 && server.output().find("SIGHUP") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(server.output().find("SIGHUP: serving version " + std::string(after)) != std::string::npos);
    CHECK(boost::json::parse(http_request(port, "GET", "/healthz").body).at("ruleset").as_string() == after);
}

TEST_CASE("an address already in use is refused at start, naming the address and where it is configured", "[e2e]") {
    testing::ServerProcess first(testing::e2e_config, "listen-first");
    first.start();
    auto taken = "127.0.0.1:" + std::to_string(first.port());
    testing::ServerProcess second(testing::replace_all(testing::e2e_config, "127.0.0.1:0", taken), "listen-second");
    std::string refused;
    try {
        second.start();
    } catch (const std::exception& e) {
        refused = e.what();
    }
    INFO(refused);
    CHECK(refused.find("switchyard serve: cannot listen on " + taken + " (`listen` in [server]): Address already in use") !=
          std::string::npos);
}

TEST_CASE("a request that may not send its body is answered from its header, malformed HTTP gets its status", "[e2e][http]") {
    testing::ServerProcess server(testing::e2e_config, "http-refusals");
    server.start();
    auto port = server.port();
    auto status_line = [](const std::string& answer) { return answer.substr(0, answer.find("\r\n")); };
    // 60,000 bytes announced (under body_limit, 64 KiB here), none sent: without credentials
    // the answer comes at once, not after the body (which the server would hold for 30 s).
    auto started = std::chrono::steady_clock::now();
    auto unauthenticated = testing::raw_exchange(
        port, "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n");
    CHECK(status_line(unauthenticated) == "HTTP/1.1 401 Unauthorized");
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    auto api = testing::raw_exchange(port, "POST /api/v1/uploads?name=a.pdf HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n");
    CHECK(status_line(api) == "HTTP/1.1 401 Unauthorized");
    // Over body_limit, 413 from the header alone, credentials or not.
    auto large = testing::raw_exchange(port, "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
    CHECK(status_line(large) == "HTTP/1.1 413 Payload Too Large");
    // Routes that take no body refuse one.
    auto health = testing::raw_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(status_line(health) == "HTTP/1.1 400 Bad Request");
    CHECK(health.find("/healthz takes no body") != std::string::npos);
    // A header over Beast's 8 KiB limit is 431; two different lengths are 400.
    auto huge = testing::raw_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n");
    CHECK(status_line(huge) == "HTTP/1.1 431 Request Header Fields Too Large");
    auto lengths = testing::raw_exchange(port, "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
    CHECK(status_line(lengths) == "HTTP/1.1 400 Bad Request");
    // The server still serves, and a webhook with its credentials is still taken.
    CHECK(http_request(port, "GET", "/healthz").status == 200);
    CHECK(http_request(port, "POST", "/webhooks/tg", R"({"update_id": 1})", telegram_auth).status == 200);
}
