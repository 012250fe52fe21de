// End to end, answering automatically: an `auto_reply` policy's answer goes to the customer
// through the delivery policy and the outbox, and is a comment of the task; a delivery policy
// that refuses it keeps it from the customer, with the reason in the decision log.
#include "tests/server/outbound_support.hpp"

#include <fstream>

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

// An auto-reply for a new conversation, which the delivery policy refuses when it would
// promise what it should not.
constexpr const char* auto_reply_policies = R"(
policy auto_reply for inbound {
    when has_word(message.text, "refund") -> answer("Refunds are instant!")
    when conversation.is_new              -> answer("Thank you! We answer within the hour.")
    otherwise                             -> no_answer
}

policy delivery for outbound priority 1 {
    when message.is_auto_reply and contains(message.text, "instant") -> refuse("we promise no refunds")
    otherwise                                                        -> next
}
)";

struct AutoReplies {
    explicit AutoReplies(FakeTelegram& fake)
        : server(replace_all(outbound_toml(fake), "{{source}}/rules", "{{dir}}/auto.rules"), "auto-reply") {
        std::ofstream(server.dir() / "auto.rules") << shipped_rules_and(auto_reply_policies);
        server.start();
    }
    json::object task(std::int64_t id) { return get_json(server, "/api/v1/tasks/" + std::to_string(id)).as_object(); }
    ServerProcess server;
};

}  // namespace

TEST_CASE("auto-reply: a new conversation is answered through the outbox, once, as a comment of its task",
          "[e2e][auto_reply]") {
    FakeTelegram fake;
    AutoReplies a(fake);
    post_webhook(a.server, "tg", private_text(1, 555, "Hello", 41));
    REQUIRE(fake.wait_for(1, "sendMessage"));
    auto sent = fake.calls("sendMessage").at(0);
    CHECK(sent.chat_id == "555");
    CHECK(sent.text == "Thank you! We answer within the hour.");

    auto id = first_task(a.server);
    auto comments = a.task(id).at("comments").as_array();
    REQUIRE(comments.size() == 2);
    CHECK(comments[1].at("direction") == "outbound");
    CHECK(comments[1].at("text") == "Thank you! We answer within the hour.");
    CHECK(comments[1].at("author").at("name") == "Olga Owner");  // the account's owner writes for the integration
    CHECK(settled_delivery(a.server, id, comments[1].at("id").as_int64()).at("state") == "sent");
    auto history = a.task(id).at("history").as_array();
    REQUIRE(!history.empty());
    CHECK(history.back().at("action") == "auto_reply");
    CHECK(history.back().at("actor").at("kind") == "system");

    // The conversation is not new any more: nothing is answered, and an employee's answer is
    // still awaited (the shipped delivery policy refuses a comment that notifies nobody).
    post_webhook(a.server, "tg", private_text(2, 555, "Are you there?", 42));
    REQUIRE(a.server.wait_until_processed());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(fake.calls("sendMessage").size() == 1);
    CHECK(a.task(id).at("comments").as_array().size() == 3);
    auto internal = call(a.server, "POST", "/api/v1/tasks/" + std::to_string(id) + "/comments",
                         json::object{{"by", 2}, {"text", "note to self"}});
    CHECK(internal.status == 422);
}

TEST_CASE("auto-reply: an answer the delivery policy refuses is not sent, the decision log says why",
          "[e2e][auto_reply]") {
    FakeTelegram fake;
    AutoReplies a(fake);
    post_webhook(a.server, "tg", private_text(1, 555, "I want a refund", 41));
    auto id = first_task(a.server);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(fake.calls("sendMessage").empty());
    CHECK(a.task(id).at("comments").as_array().size() == 1);
    auto log = get_json(a.server, "/api/v1/decisions?task=" + std::to_string(id)).at("decisions").as_array();
    // Newest first: the message's row, then (written before it) the answer's delivery, a row of its own.
    REQUIRE(log.size() == 2);
    CHECK(std::string(log[1].at("event").as_string()).ends_with(":auto_reply"));
    CHECK(log[1].at("comment").is_null());  // nothing was written
    CHECK(log[1].at("rules").as_array().at(0).at("kind") == "delivery");
    CHECK(log[1].at("decisions").at("decisions").as_array().at(0).at("value").as_object().contains("refuse"));
    auto note = std::string(log[0].at("note").as_string());
    INFO(note);
    CHECK(note.find("auto_reply decided by ") != std::string::npos);
    CHECK(note.find("not sent: we promise no refunds (delivery: ") != std::string::npos);
    bool logged = false;
    for (const auto& r : log[0].at("rules").as_array()) logged |= r.at("kind") == "auto_reply";
    CHECK(logged);
}
