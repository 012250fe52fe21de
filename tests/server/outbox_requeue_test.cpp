// A failed outbound message sent again, end to end: the platform refuses it until told
// otherwise, the message fails, is listed by GET /api/v1/outbox/failed, is re-queued through
// POST /api/v1/outbox/{id}/requeue, and reaches the customer once.
#include "tests/server/fault_sides.hpp"

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

// The failed outbox rows as the API lists them.
json::array failed_outbox(ServerProcess& server) { return get_json(server, "/api/v1/outbox/failed").at("failed").as_array(); }

}  // namespace

TEMPLATE_TEST_CASE("a message refused until the platform is back fails, is re-queued through the API, and is delivered once",
                   "[e2e][outbound][requeue]", TelegramSide, WazzupSide) {
    TestType side;
    side.fake.go_down();
    auto comment = side.reply("after the outage");
    auto failed = side.settled(comment);
    INFO(json::serialize(failed));
    REQUIRE(state_of(failed) == "failed");

    auto rows = failed_outbox(side.server);
    REQUIRE(rows.size() == 1);
    const auto& row = rows[0].as_object();
    CHECK(row.at("comment") == comment);
    CHECK(row.at("task") == side.task);
    CHECK(row.at("integration").as_string() == side.integration);
    CHECK(row.at("attempts") == 3);
    CHECK(std::string(row.at("error").as_string()).find("gave up after 3 attempts") != std::string::npos);
    auto id = row.at("id").as_int64();

    side.fake.come_up();
    auto requeued = call(side.server, "POST", "/api/v1/outbox/" + std::to_string(id) + "/requeue");
    INFO(requeued.body);
    REQUIRE(requeued.status == 202);
    auto d = side.settled(comment);
    INFO(json::serialize(d));
    CHECK(state_of(d) == "sent");
    CHECK(d.at("message_id").is_string());
    CHECK(side.sends() == 1);  // refused connections carried nothing: the one request is the delivery
    CHECK(side.counter("switchyard_outbox_sent_total") == 1);
    CHECK(side.counter("switchyard_outbox_failed_total") == 1);
    CHECK(failed_outbox(side.server).empty());
    CHECK(metric(side.server.port(), "switchyard_outbox_depth") == 0);

    // Sent now: a second re-queue is refused, and nothing more goes out.
    CHECK(call(side.server, "POST", "/api/v1/outbox/" + std::to_string(id) + "/requeue").status == 409);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(side.sends() == 1);
}
