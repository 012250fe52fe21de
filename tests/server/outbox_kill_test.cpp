// kill -9 while the outbox is sending: nothing queued is lost, and the only messages sent twice
// are those in flight at the kill (docs/outbound.md, "Restarts and duplicates"). The test
// measures how many that is and prints it.
#include "tests/server/outbound_support.hpp"

#include <csignal>
#include <iostream>
#include <set>

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

TEST_CASE("kill -9 during delivery loses no message, duplicates are only the requests in flight", "[e2e][outbound][kill]") {
    constexpr int chats = 60;
    FakeTelegram fake;
    fake.set_delay(std::chrono::milliseconds(15));  // about 130 messages a second over 2 connections
    ServerProcess server(outbound_toml(fake, "connections = 2"), "outbox-kill");
    server.start();
    for (int i = 0; i < chats; ++i) post_webhook(server, "tg", private_text(i + 1, 2000 + i, "hello", 10 + i));
    REQUIRE(server.wait_until_processed());
    auto tasks = get_json(server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == chats);
    for (int i = 0; i < chats; ++i) {
        auto path = "/api/v1/tasks/" + std::to_string(tasks[static_cast<std::size_t>(i)].at("id").as_int64()) + "/comments";
        posted(call(server, "POST", path, reply_to_contact("message " + std::to_string(i))));
    }

    std::int64_t resent = 0;
    for (int kill = 0; kill < 2; ++kill) {
        std::this_thread::sleep_for(std::chrono::milliseconds(120));
        server.kill(SIGKILL);
        server.start();
        // The restarted dispatcher takes every row left `sending` in its first round.
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        resent += metric(server.port(), "switchyard_outbox_resent_total");
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (metric(server.port(), "switchyard_outbox_depth") != 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(metric(server.port(), "switchyard_outbox_depth") == 0);

    std::map<std::string, int> received;
    for (const auto& c : fake.calls("sendMessage")) ++received[c.text];
    int duplicates = 0;
    for (int i = 0; i < chats; ++i) {
        auto n = received["message " + std::to_string(i)];
        CHECK(n >= 1);  // nothing lost
        duplicates += std::max(0, n - 1);
    }
    std::cout << "outbox kill test: " << chats << " messages, 2 kills: " << duplicates << " sent twice, " << resent
              << " found in flight at restart" << std::endl;
    CHECK(duplicates <= resent);  // a message goes twice only when it was in flight
}
