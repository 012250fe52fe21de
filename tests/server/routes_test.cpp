// handle_request without sockets: authentication, limits and routes (docs/api.md).
#include "runtime/server/server.hpp"
#include "runtime/store/sqlite.hpp"
#include "tests/support.hpp"
#include "tests/support/in_process_request.hpp"
#include "tests/support/temp_storage.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace switchyard;
namespace http = server::http;

namespace {

config::Config routes_config() {
    config::Config c;
    c.api_token = "routes-token-0123456789";
    config::Integration tg;
    tg.id = "tg";
    tg.service = config::Service::telegram;
    tg.webhook_secret = "tg-secret";
    config::Integration wz;
    wz.id = "wz";
    wz.service = config::Service::wazzup;
    wz.url_secret = "url-secret";
    c.integrations = {tg, wz};
    return c;
}

struct Fixture {
    testing::TempStorage db{"routes"};
    config::Config config = routes_config();
    std::unique_ptr<store::Store> store;
    engine::RulesetHolder rulesets;
    int wakes = 0;
    std::unique_ptr<server::Context> context;

    Fixture() {
        store = std::make_unique<store::Store>(db.path());
        context = std::make_unique<server::Context>(config, *store, rulesets, [this] { ++wakes; });
    }
    ~Fixture() { store.reset(); }

    server::Response send(http::verb verb, const std::string& target, const std::string& body = {},
                          const testing::Headers& headers = {}) {
        return testing::handle(*context, verb, target, body, headers);
    }
};

}  // namespace

TEST_CASE("webhooks are stored only when their credentials are right", "[server][R1]") {
    Fixture f;
    CHECK(f.send(http::verb::post, "/webhooks/tg", "{}").result() == http::status::unauthorized);
    CHECK(f.send(http::verb::post, "/webhooks/tg", "{}", {{"X-Telegram-Bot-Api-Secret-Token", "tg-secre"}}).result() ==
          http::status::unauthorized);
    CHECK(f.send(http::verb::post, "/webhooks/wz?secret=nope", "{}").result() == http::status::unauthorized);
    CHECK(f.send(http::verb::get, "/webhooks/tg").result() == http::status::method_not_allowed);
    CHECK(f.send(http::verb::post, "/webhooks/none", "{}").result() == http::status::not_found);
    CHECK(f.store->counts().received == 0);
    CHECK(f.wakes == 0);

    CHECK(f.send(http::verb::post, "/webhooks/tg", "{}", {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}}).result() ==
          http::status::ok);
    CHECK(f.send(http::verb::post, "/webhooks/wz?secret=url-secret", "{}").result() == http::status::ok);
    CHECK(f.store->counts().received == 2);
    CHECK(f.wakes == 2);
    CHECK(f.context->metrics.webhooks_accepted == 2);
    CHECK(f.context->metrics.webhooks_unauthorized == 3);
}

TEST_CASE("the API needs the token, health and metrics do not", "[server]") {
    Fixture f;
    auto token = std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer routes-token-0123456789"}};
    CHECK(f.send(http::verb::get, "/api/v1/tasks").result() == http::status::unauthorized);
    CHECK(f.send(http::verb::get, "/api/v1/tasks", {}, token).result() == http::status::ok);
    CHECK(f.send(http::verb::get, "/api/v1/tasks/1", {}, token).result() == http::status::not_found);
    CHECK(f.send(http::verb::get, "/api/v1/tasks/x", {}, token).result() == http::status::bad_request);
    CHECK(f.send(http::verb::get, "/api/v1/decisions?task=zz", {}, token).result() == http::status::bad_request);
    CHECK(f.send(http::verb::get, "/api/v1/tasks?limit=1000&after=0", {}, token).result() == http::status::ok);
    for (const char* bad : {"limit=abc", "limit=0", "limit=1001", "limit=", "after=-1", "after=1x"}) {
        INFO(bad);
        auto refused = f.send(http::verb::get, std::string("/api/v1/tasks?") + bad, {}, token);
        CHECK(refused.result() == http::status::bad_request);
        CHECK(refused.body().find("must be a whole number from ") != std::string::npos);
    }
    CHECK(f.send(http::verb::get, "/api/v1/nothing", {}, token).result() == http::status::not_found);
    CHECK(f.send(http::verb::post, "/api/v1/tasks", {}, token).result() == http::status::method_not_allowed);
    CHECK(f.send(http::verb::get, "/healthz").result() == http::status::ok);
    auto metrics = f.send(http::verb::get, "/metrics");
    CHECK(metrics.result() == http::status::ok);
    CHECK(metrics.body().find("switchyard_inbox_pending 0") != std::string::npos);
    auto refused = f.send(http::verb::post, "/api/v1/ruleset", "garbage", token);
    CHECK(refused.result() == http::status::unprocessable_entity);
    CHECK(refused.body().find("not a compiled Switchyard ruleset") != std::string::npos);
}

TEST_CASE("a storage failure is answered 503 without SQL, makes /healthz unhealthy, and heals with the next stored webhook",
          "[server]") {
    Fixture f;
    auto token = std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer routes-token-0123456789"}};
    {
        // Another writer breaks the tracker under the server: its reads now fail.
        store::sql::SqliteConnection other(f.db.path());
        other.exec("DROP TABLE tasks");
    }
    auto failed = f.send(http::verb::get, "/api/v1/tasks", {}, token);
    CHECK(failed.result() == http::status::service_unavailable);
    INFO(failed.body());
    CHECK(failed.body().find("storage failed: no such table: tasks") != std::string::npos);
    CHECK(failed.body().find("SELECT") == std::string::npos);
    auto health = f.send(http::verb::get, "/healthz");
    CHECK(health.result() == http::status::service_unavailable);
    CHECK(health.body().find("\"status\":\"unhealthy\"") != std::string::npos);
    CHECK(health.body().find("\"reason\":\"storage: no such table: tasks\"") != std::string::npos);
    // The inbox is another file: a webhook is still stored, and that is health again.
    CHECK(f.send(http::verb::post, "/webhooks/tg", "{}", {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}}).result() ==
          http::status::ok);
    CHECK(f.send(http::verb::get, "/healthz").result() == http::status::ok);
}
