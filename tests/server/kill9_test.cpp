// Durability: kill -9 the server at any moment, start it again, and every acknowledged webhook
// has had its effect exactly once (R1).
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <thread>

using namespace switchyard;
using testing::api_auth;
using testing::http_request;
using testing::telegram_auth;

namespace {

std::string update(int i) {
    std::int64_t chat = 7000 + i % 7;  // seven customers, so that tasks take several comments
    return R"({"update_id": )" + std::to_string(100000 + i) + R"(, "message": {"message_id": )" + std::to_string(i + 1) +
           R"(, "date": 1763719200, "chat": {"id": )" + std::to_string(chat) +
           R"(, "type": "private", "first_name": "C"}, "from": {"id": )" + std::to_string(chat) +
           R"(, "is_bot": false, "first_name": "C"}, "text": "message )" + std::to_string(i) + R"("}})";
}

// Posts updates from `first` on until `stop`; records those answered 200.
void post_until(std::uint16_t port, int first, int last, std::atomic<bool>& stop, std::set<int>& acknowledged,
                std::atomic<int>& count, std::atomic<bool>& finished) {
    for (int i = first; i < last && !stop; ++i) {
        auto r = http_request(port, "POST", "/webhooks/tg", update(i), telegram_auth);
        if (r.status != 200) break;  // the server is gone
        acknowledged.insert(i);
        ++count;
    }
    finished = true;
}

// How many times each message text appears as a comment, across every task.
std::map<std::string, int> comment_texts(std::uint16_t port) {
    std::map<std::string, int> seen;
    auto tasks = boost::json::parse(http_request(port, "GET", "/api/v1/tasks?limit=1000", {}, api_auth).body);
    for (const auto& t : tasks.at("tasks").as_array()) {
        auto id = std::to_string(t.at("id").as_int64());
        auto task = boost::json::parse(http_request(port, "GET", "/api/v1/tasks/" + id, {}, api_auth).body);
        for (const auto& c : task.at("comments").as_array()) ++seen[std::string(c.at("text").as_string())];
    }
    return seen;
}

}  // namespace

TEST_CASE("R1: kill -9 at any moment loses no acknowledged webhook and applies none twice", "[e2e][R1][durability]") {
    testing::ServerProcess server(testing::e2e_config, "kill9");
    std::set<int> acknowledged;
    const int total = 600;
    int next = 0;
    // Three rounds: post while the server runs, kill it -9 after a different number of
    // acknowledgements each time (mid-acceptance and mid-processing), start it again.
    for (int round : {60, 150, 90}) {
        server.start();
        std::atomic<bool> stop{false}, finished{false};
        std::atomic<int> count{0};
        std::thread poster(post_until, server.port(), next, total, std::ref(stop), std::ref(acknowledged), std::ref(count),
                           std::ref(finished));
        while (count < round && !finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        server.kill(SIGKILL);
        stop = true;
        poster.join();
        next = acknowledged.empty() ? 0 : *acknowledged.rbegin() + 1;
    }
    server.start();
    auto port = server.port();
    // The messenger re-sends everything (acknowledged or not): no second effect either way.
    for (int i = 0; i < next; ++i) REQUIRE(http_request(port, "POST", "/webhooks/tg", update(i), telegram_auth).status == 200);
    REQUIRE(server.wait_until_processed(60));
    INFO(server.output());
    CHECK(testing::metric(port, "switchyard_inbox_failed") == 0);

    auto seen = comment_texts(port);
    REQUIRE(acknowledged.size() >= 200);
    for (int i : acknowledged) {
        INFO("message " << i);
        CHECK(seen["message " + std::to_string(i)] == 1);
    }
    for (const auto& [text, times] : seen) {
        INFO(text);
        CHECK(times == 1);
    }
}
