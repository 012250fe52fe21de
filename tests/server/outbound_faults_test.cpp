// The outbound fault matrix, end to end and alike for Telegram and Wazzup: each fault of the
// platform's API that outbound_test.cpp and wazzup_outbound_test.cpp do not already cover for
// both, with nothing lost and the delivery state and reason the API shows. The faults: the API
// unreachable (nothing listens on its port) for a while or for good, 5xx until the attempts run
// out, the connection closed or silent after the platform took the request, and, for Wazzup,
// HTTPS with a certificate that verifies and one that does not.
#include "tests/server/fault_sides.hpp"

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEMPLATE_TEST_CASE("the API down (connection refused), then up: the message waits queued, then is delivered once",
                   "[e2e][outbound][faults]", TelegramSide, WazzupSide) {
    TestType side(40);  // enough attempts to outlast the outage at max_backoff 300 ms
    auto before = side.reply("before the outage");
    REQUIRE(state_of(side.settled(before)) == "sent");  // a kept-alive connection now waits in the pool

    side.fake.go_down();
    auto during = side.reply("during the outage");
    REQUIRE(side.wait_for_retries(3));
    auto waiting = side.delivery(during);
    INFO(json::serialize(waiting));
    CHECK((state_of(waiting) == "queued" || state_of(waiting) == "sending"));  // between retries; never failed
    CHECK(error_of(waiting).empty());
    CHECK(side.sends() == 1);  // nothing reached the platform

    side.fake.come_up();
    auto d = side.settled(during);
    INFO(json::serialize(d));
    CHECK(state_of(d) == "sent");
    CHECK(d.at("message_id").is_string());
    CHECK(error_of(d).empty());
    CHECK(side.sends() == 2);
    // Refused connections never carried the request: nothing is uncertain, nothing failed.
    CHECK(side.counter("switchyard_outbox_uncertain_total") == 0);
    CHECK(side.counter("switchyard_outbox_failed_total") == 0);
    CHECK(side.counter("switchyard_outbox_sent_total") == 2);
    CHECK(metric(side.server.port(), "switchyard_outbox_depth") == 0);
}

TEMPLATE_TEST_CASE("the API down for good: after max_attempts the message fails, the reason naming the refused connection",
                   "[e2e][outbound][faults]", TelegramSide, WazzupSide) {
    TestType side;
    side.fake.go_down();
    auto comment = side.reply("into the void");
    auto d = side.settled(comment);
    INFO(json::serialize(d));
    CHECK(state_of(d) == "failed");
    CHECK(contains(error_of(d), "gave up after 3 attempts; the last: connect"));
    CHECK(side.sends() == 0);
    CHECK(side.counter("switchyard_outbox_retried_total") == 2);
    CHECK(side.counter("switchyard_outbox_failed_total") == 1);
    CHECK(metric(side.server.port(), "switchyard_outbox_depth") == 0);
}

TEMPLATE_TEST_CASE("5xx until the attempts run out: the message fails with the platform's own words", "[e2e][outbound][faults]",
                   TelegramSide, WazzupSide) {
    TestType side;
    side.fake.misbehave({TestType::server_error(), TestType::server_error(), TestType::server_error()});
    auto comment = side.reply("never");
    auto d = side.settled(comment);
    INFO(json::serialize(d));
    CHECK(state_of(d) == "failed");
    CHECK(contains(error_of(d), "gave up after 3 attempts"));
    CHECK(contains(error_of(d), TestType::server_error_words()));
    CHECK(side.sends() == 3);
    CHECK(side.counter("switchyard_outbox_uncertain_total") == 0);  // a 5xx is an answer: nothing was taken
}

// Telegram cannot be asked whether it took a request: the retry may reach the customer twice,
// and is counted as uncertain. Wazzup refuses the retry's crmMessageId as a repeat, which
// counts as sent: the customer gets it once.
TEMPLATE_TEST_CASE("the connection closed after the platform took the request, before any answer: retried, sent",
                   "[e2e][outbound][faults]", TelegramSide, WazzupSide) {
    TestType side;
    side.fake.misbehave({TestType::taken_then(Reply::Action::close_before_reply)});
    auto comment = side.reply("cut off");
    auto d = side.settled(comment);
    INFO(json::serialize(d));
    CHECK(state_of(d) == "sent");
    CHECK(error_of(d).empty());
    CHECK(side.sends() == 2);
    if constexpr (std::is_same_v<TestType, TelegramSide>) {
        CHECK(side.counter("switchyard_outbox_uncertain_total") == 1);
    } else {
        auto calls = side.fake.calls();
        CHECK(calls[0].crm_message_id == calls[1].crm_message_id);
        CHECK(calls[1].answered_message_id.empty());  // refused as repeatedCrmMessageId
        CHECK(side.counter("switchyard_outbox_uncertain_total") == 0);
    }
}

TEMPLATE_TEST_CASE("a timeout after the platform took the request: retried, sent", "[e2e][outbound][faults]", TelegramSide,
                   WazzupSide) {
    TestType side;
    side.fake.misbehave({TestType::taken_then(Reply::Action::stall)});
    auto comment = side.reply("slow answer");
    auto d = side.settled(comment);
    INFO(json::serialize(d));
    CHECK(state_of(d) == "sent");
    CHECK(side.sends() == 2);
    CHECK(side.counter("switchyard_outbox_retried_total") == 1);
    if constexpr (std::is_same_v<TestType, TelegramSide>) {
        CHECK(side.counter("switchyard_outbox_uncertain_total") == 1);
    } else {
        CHECK(side.fake.calls()[1].answered_message_id.empty());  // the repeat was refused: sent once
        CHECK(side.counter("switchyard_outbox_uncertain_total") == 0);
    }
}

TEST_CASE("HTTPS to Wazzup: the certificate is verified and the message sent", "[e2e][wazzup][faults][tls]") {
    WazzupSide side(3, test_ca().server);
    auto comment = side.reply("over TLS");
    CHECK(state_of(side.settled(comment)) == "sent");
    REQUIRE(side.sends() == 1);
    CHECK(side.fake.calls()[0].text == "over TLS");
}

TEST_CASE("HTTPS to Wazzup: a certificate that does not verify fails the message with the reason, nothing is sent",
          "[e2e][wazzup][faults][tls]") {
    WazzupSide side(3, test_ca().rogue);
    auto comment = side.reply("to an impostor");
    auto d = side.settled(comment);
    INFO(json::serialize(d));
    CHECK(state_of(d) == "failed");
    CHECK(contains(error_of(d), "certificate"));
    CHECK(side.sends() == 0);
    CHECK(side.counter("switchyard_outbox_retried_total") == 0);  // a bad certificate is final, not retried
}
