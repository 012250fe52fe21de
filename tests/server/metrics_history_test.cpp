// The figures of /metrics over the last hour (metrics_history.hpp): the text read into samples,
// the bound on them, GET /api/v1/metrics/history through handle_request, and the running server
// sampling itself from its start.
#include "runtime/server/server.hpp"
#include "runtime/store/sqlite.hpp"
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"
#include "tests/support.hpp"
#include "tests/support/in_process_request.hpp"
#include "tests/support/temp_storage.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>

#include <sys/wait.h>

using namespace switchyard;
namespace http = server::http;
namespace json = boost::json;

namespace {

const std::string text = "# HELP switchyard_http_requests_total HTTP requests served\n"
                         "# TYPE switchyard_http_requests_total counter\n"
                         "switchyard_http_requests_total 12\n"
                         "# TYPE switchyard_outbox_oldest_age_seconds gauge\n"
                         "switchyard_outbox_oldest_age_seconds 1.5\n"
                         "switchyard_outbox_sent_total{integration=\"tg\"} 3\n"
                         "\n"
                         "not_a_number NaN-ish\n"
                         "switchyard_ruleset_info{version=\"a b\"} 1\n";

std::map<std::string, double> values_of(const server::MetricsSample& s) { return {s.values.begin(), s.values.end()}; }

}  // namespace

TEST_CASE("a sample holds every numeric series of the text, labels and all, and the types", "[server][metrics]") {
    std::map<std::string, std::string> types;
    auto values = server::metric_values(text, types);
    std::map<std::string, double> got(values.begin(), values.end());
    CHECK(got == std::map<std::string, double>{{"switchyard_http_requests_total", 12},
                                               {"switchyard_outbox_oldest_age_seconds", 1.5},
                                               {"switchyard_outbox_sent_total{integration=\"tg\"}", 3},
                                               {"switchyard_ruleset_info{version=\"a b\"}", 1}});
    CHECK(types == std::map<std::string, std::string>{{"switchyard_http_requests_total", "counter"},
                                                      {"switchyard_outbox_oldest_age_seconds", "gauge"}});
}

TEST_CASE("the history keeps the last samples up to its capacity, oldest first", "[server][metrics]") {
    server::MetricsHistory history(3);
    CHECK(history.samples().empty());
    for (int i = 0; i < 5; ++i)
        history.record(1000 * i, "switchyard_tasks " + std::to_string(i) + "\n");
    auto samples = history.samples();
    REQUIRE(samples.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(samples[k].at_ms == 1000 * static_cast<std::int64_t>(k + 2));
        CHECK(values_of(samples[k]) == std::map<std::string, double>{{"switchyard_tasks", static_cast<double>(k + 2)}});
    }
    server::MetricsHistory hour;
    CHECK(hour.capacity() == 360);
    for (int i = 0; i < 400; ++i) hour.record(i, text);
    CHECK(hour.samples().size() == 360);
    CHECK(hour.samples().front().at_ms == 40);
}

TEST_CASE("GET /api/v1/metrics/history answers the samples, with the API's token", "[server][metrics]") {
    testing::TempStorage db{"history"};
    config::Config config;
    config.api_token = "history-token-0123456789";
    engine::RulesetHolder rulesets;
    {
        store::Store store(db.path());
        server::Context context(config, store, rulesets);
        context.metrics_history.record(1795255200000, text);
        context.metrics_history.record(1795255210000, server::metrics_text(context));
        auto send = [&](http::verb verb, bool token) {
            return testing::handle(context, verb, "/api/v1/metrics/history", {},
                                   token ? testing::bearer("history-token-0123456789") : testing::Headers{});
        };
        CHECK(send(http::verb::get, false).result() == http::status::unauthorized);
        CHECK(send(http::verb::post, true).result() == http::status::method_not_allowed);
        auto answer = send(http::verb::get, true);
        REQUIRE(answer.result() == http::status::ok);
        auto body = json::parse(answer.body()).as_object();
        CHECK(body.at("interval_seconds") == 10);
        CHECK(body.at("capacity") == 360);
        CHECK(body.at("types").at("switchyard_http_requests_total") == "counter");
        CHECK(body.at("types").at("switchyard_inbox_pending") == "gauge");
        auto samples = body.at("samples").as_array();
        REQUIRE(samples.size() == 2);
        CHECK(samples[0].at("at") == "2026-11-21T10:00:00Z");
        CHECK(samples[0].at("at_ms") == 1795255200000);
        CHECK(samples[0].at("values").at("switchyard_http_requests_total") == 12);  // a whole number as one
        CHECK(samples[0].at("values").at("switchyard_outbox_oldest_age_seconds") == 1.5);
        CHECK(samples[0].at("values").at("switchyard_outbox_sent_total{integration=\"tg\"}") == 3);
        CHECK(samples[1].at("values").at("switchyard_inbox_pending") == 0);  // the store's figures, as /metrics renders them
    }
}

TEST_CASE("the sampler reports a store that fails as a request does, skips the sample, and stops with the server",
          "[server][metrics][sqlite]") {
    testing::TempStorage db{"sampler"};
    config::Config config;
    config.listen_port = 0;
    engine::RulesetHolder rulesets;
    {
        store::Store store(db.path());
        {
            store::sql::SqliteConnection other(db.path());  // another writer breaks the tracker
            other.exec("DROP TABLE tasks");
        }
        server::Context context(config, store, rulesets);
        server::Server running(context, 1);
        std::thread serving([&] { running.run(); });
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        while (!context.storage.problem() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        running.stop();
        serving.join();
        CHECK(context.storage.problem() == "no such table: tasks");
        CHECK(context.metrics_history.samples().empty());
    }
}

TEST_CASE("a running server has sampled its figures from its start, and stops with its sampler", "[e2e][metrics]") {
    testing::ServerProcess server(testing::e2e_config);
    server.start();
    // The first sample is taken as the server starts serving: well before the second, 10 s on.
    json::array samples;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (samples.empty() && std::chrono::steady_clock::now() < deadline) {
        auto r = testing::http_request(server.port(), "GET", "/api/v1/metrics/history", {}, testing::api_auth);
        REQUIRE(r.status == 200);
        samples = json::parse(r.body).at("samples").as_array();
        if (samples.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(samples.size() == 1);
    CHECK(samples[0].at("values").at("switchyard_inbox_received") == 0);
    CHECK(samples[0].at("values").as_object().contains("switchyard_outbox_depth"));  // more_metrics too
    CHECK(testing::http_request(server.port(), "GET", "/api/v1/metrics/history").status == 401);
    server.signal(SIGTERM);
    int status = server.wait();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(server.output().find("switchyard serve: stopped") != std::string::npos);
}
