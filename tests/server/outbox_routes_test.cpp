// GET /api/v1/outbox/failed and POST /api/v1/outbox/{id}/requeue through handle_request, without
// sockets: the token, the paging parameters, the answers, and the dispatcher woken after a re-queue.
#include "runtime/server/server.hpp"
#include "runtime/store/work.hpp"
#include "tests/support.hpp"
#include "tests/support/in_process_request.hpp"
#include "tests/support/temp_storage.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <filesystem>

using namespace switchyard;
namespace http = server::http;
namespace json = boost::json;

namespace {

constexpr std::int64_t t0 = 1795255200000;  // 2026-11-21T10:00:00Z

struct Fixture {
    testing::TempStorage db{"outbox-routes"};
    config::Config config;
    std::unique_ptr<store::Store> store;
    engine::RulesetHolder rulesets;
    int outbox_wakes = 0;
    std::unique_ptr<server::Context> context;

    Fixture() {
        config.api_token = "routes-token-0123456789";
        store = std::make_unique<store::Store>(db.path());
        context = std::make_unique<server::Context>(config, *store, rulesets);
        context->wake_outbox = [this] { ++outbox_wakes; };
    }
    ~Fixture() {
        context.reset();
        store.reset();
    }

    // An outbox row of no comment (a reaction), failed with `why` when `failed`.
    std::int64_t row(bool failed, const std::string& why = "Bad Request: message to react not found") {
        auto work = store->begin_work();
        store::NewOutboxMessage m;
        m.integration = "tg";
        m.chat = "555";
        m.chat_kind = "private";
        m.method = "setMessageReaction";
        m.params = R"({"chat_id":555,"message_id":7})";
        m.at = t0;
        auto id = work.enqueue(m);
        if (failed) {
            work.outbox_sending(id, t0);
            work.outbox_failed(id, why, t0 + 1000);
        }
        work.commit();
        return id;
    }

    server::Response send(http::verb verb, const std::string& target, bool token = true) {
        return testing::handle(*context, verb, target, {}, token ? testing::bearer("routes-token-0123456789") : testing::Headers{});
    }
    static json::object body(const server::Response& r) { return json::parse(r.body()).as_object(); }
};

}  // namespace

TEST_CASE("GET /api/v1/outbox/failed lists the failed messages, paged, with the token only", "[server][outbox]") {
    Fixture f;
    auto first = f.row(true, "Forbidden: bot was blocked by the user");
    f.row(false);
    auto second = f.row(true);
    CHECK(f.send(http::verb::get, "/api/v1/outbox/failed", false).result() == http::status::unauthorized);

    auto all = f.send(http::verb::get, "/api/v1/outbox/failed");
    REQUIRE(all.result() == http::status::ok);
    auto rows = Fixture::body(all).at("failed").as_array();
    REQUIRE(rows.size() == 2);
    const auto& r = rows[0].as_object();
    CHECK(r.at("id") == first);
    CHECK(r.at("comment").is_null());
    CHECK(r.at("task").is_null());
    CHECK(r.at("integration") == "tg");
    CHECK(r.at("chat") == "555");
    CHECK(r.at("method") == "setMessageReaction");
    CHECK(r.at("error") == "Forbidden: bot was blocked by the user");
    CHECK(r.at("attempts") == 1);
    CHECK(r.at("failed_at") == "2026-11-21T10:00:01Z");
    CHECK(rows[1].at("id") == second);

    auto page = Fixture::body(f.send(http::verb::get, "/api/v1/outbox/failed?limit=1&after=" + std::to_string(first)));
    REQUIRE(page.at("failed").as_array().size() == 1);
    CHECK(page.at("failed").as_array()[0].at("id") == second);
    for (const char* bad : {"limit=0", "limit=1001", "after=-1", "limit=x"}) {
        INFO(bad);
        auto refused = f.send(http::verb::get, std::string("/api/v1/outbox/failed?") + bad);
        CHECK(refused.result() == http::status::bad_request);
        CHECK(refused.body().find("must be a whole number from ") != std::string::npos);
    }
    CHECK(f.send(http::verb::post, "/api/v1/outbox/failed").result() == http::status::method_not_allowed);
    CHECK(f.send(http::verb::get, "/api/v1/outbox/other").result() == http::status::not_found);
}

TEST_CASE("POST /api/v1/outbox/{id}/requeue queues a failed message again and wakes the dispatcher", "[server][outbox]") {
    Fixture f;
    auto failed = f.row(true);
    auto queued = f.row(false);
    CHECK(f.send(http::verb::post, "/api/v1/outbox/" + std::to_string(failed) + "/requeue", false).result() ==
          http::status::unauthorized);
    CHECK(f.send(http::verb::get, "/api/v1/outbox/" + std::to_string(failed) + "/requeue").result() ==
          http::status::method_not_allowed);
    auto bad = f.send(http::verb::post, "/api/v1/outbox/x1/requeue");
    CHECK(bad.result() == http::status::bad_request);
    CHECK(bad.body().find("not an outbox id: `x1`") != std::string::npos);
    CHECK(f.outbox_wakes == 0);

    auto done = f.send(http::verb::post, "/api/v1/outbox/" + std::to_string(failed) + "/requeue");
    REQUIRE(done.result() == http::status::accepted);
    CHECK(Fixture::body(done).at("requeued") == failed);
    CHECK(f.outbox_wakes == 1);
    CHECK(f.store->failed_outbox().empty());
    CHECK(f.store->outbox_stats().depth == 2);

    for (auto id : {failed, queued, std::int64_t{999}}) {
        INFO(id);
        auto refused = f.send(http::verb::post, "/api/v1/outbox/" + std::to_string(id) + "/requeue");
        CHECK(refused.result() == http::status::conflict);
        CHECK(refused.body().find("outbox message " + std::to_string(id) + " has not failed") != std::string::npos);
    }
    CHECK(f.outbox_wakes == 1);
}
