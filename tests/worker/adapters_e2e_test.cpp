// Webhook bodies as the messengers send them, through the real adapters and the worker: what
// the server stores is what ends up in the tasks.
#include "tests/worker/worker_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

// A store, the shipped rules, and the worker with the adapters as its parser.
struct Real {
    TempDb db;
    config::Config config = test_config();
    store::Store store{db.path()};
    engine::RulesetHolder rulesets;
    worker::Worker worker{store, config, rulesets};
    Real() { rulesets.swap(shipped_rules()); }

    std::size_t deliver(const std::string& integration, const std::string& body) {
        store.accept(integration, body, t0());
        return worker.process_pending();
    }
    json::array comments() {
        auto list = store.tasks(10, 0);
        REQUIRE(list.size() == 1);
        auto task = store.task(list[0].at("id").as_int64());
        return task->at("comments").as_array();
    }
};

const std::string telegram_hello = R"({"update_id": 700001, "message": {"message_id": 5,
  "from": {"id": 55, "is_bot": false, "first_name": "Anna", "last_name": "K", "username": "anna"},
  "chat": {"id": 55, "type": "private", "first_name": "Anna", "last_name": "K", "username": "anna"},
  "date": 1795255200, "text": "Hello, is anyone there?"}})";

const std::string telegram_thumbs_up = R"({"update_id": 700002, "message_reaction": {
  "chat": {"id": 55, "type": "private", "first_name": "Anna"}, "message_id": 5,
  "user": {"id": 55, "is_bot": false, "first_name": "Anna", "username": "anna"}, "date": 1795255260,
  "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}]}})";

const std::string telegram_thumbs_down_for_up = R"({"update_id": 700003, "message_reaction": {
  "chat": {"id": 55, "type": "private", "first_name": "Anna"}, "message_id": 5,
  "user": {"id": 55, "is_bot": false, "first_name": "Anna", "username": "anna"}, "date": 1795255320,
  "old_reaction": [{"type": "emoji", "emoji": "👍"}], "new_reaction": [{"type": "emoji", "emoji": "👎"}]}})";

const std::string wazzup_hello = R"({"messages": [{"messageId": "6f1c8e1a-0001-4c7e-9d5a-000000000001",
  "dateTime": "2026-11-21T10:00:00.000Z", "channelId": "ch-wa-1", "chatType": "whatsapp", "chatId": "79011112233",
  "type": "text", "isEcho": false, "contact": {"name": "Anna"}, "text": "Hi from WhatsApp", "status": "inbound"}]})";

const std::string wazzup_echo_and_status = R"({"messages": [{"messageId": "6f1c8e1a-0001-4c7e-9d5a-000000000002",
  "dateTime": "2026-11-21T10:01:00.000Z", "channelId": "ch-wa-1", "chatType": "whatsapp", "chatId": "79011112233",
  "type": "text", "isEcho": true, "authorName": "Manager Olga", "authorId": "crm-user-17",
  "text": "Hello Anna, we are on it", "status": "sent"}]})";

const std::string wazzup_read = R"({"statuses": [{"messageId": "6f1c8e1a-0001-4c7e-9d5a-000000000002",
  "timestamp": "2026-11-21T10:02:00.000Z", "status": "read"}]})";

}  // namespace

TEST_CASE("T1, R1: a Telegram update through the adapters, and its redelivery has no second effect", "[worker][adapters]") {
    Real r;
    CHECK(r.deliver("tg", telegram_hello) == 1);
    CHECK(r.deliver("tg", telegram_hello) == 1);
    auto counts = r.store.counts();
    CHECK(counts.processed == 2);
    CHECK(counts.tasks == 1);
    auto comments = r.comments();
    REQUIRE(comments.size() == 1);
    CHECK(comments[0].at("text") == "Hello, is anyone there?");
    CHECK(comments[0].at("number") == 5);
    CHECK(comments[0].at("sent_at") == "2026-11-21T10:00:00Z");
}

TEST_CASE("a message with an entity outside its text is kept, the entity left out and noted", "[worker][adapters]") {
    Real r;
    r.deliver("tg", R"({"update_id": 700003, "message": {"message_id": 6,
      "from": {"id": 55, "is_bot": false, "first_name": "Anna", "username": "anna"},
      "chat": {"id": 55, "type": "private", "first_name": "Anna", "username": "anna"},
      "date": 1795255200, "text": "ask @ivan", "entities": [{"type": "mention", "offset": 4, "length": 40}]}})");
    auto comments = r.comments();
    REQUIRE(comments.size() == 1);
    CHECK(comments[0].at("text") == "ask @ivan");
    auto log = r.store.decisions(std::nullopt);
    REQUIRE(log.size() == 1);
    CHECK(std::string(log[0].at("note").as_string())
              .starts_with("left out of the message: message.entities[0]: offset 4 and length 40 do not fit the text "
                           "(9 UTF-16 units); "));
}

TEST_CASE("T6: a Telegram reaction through the adapters likes the comment", "[worker][adapters]") {
    Real r;
    r.deliver("tg", telegram_hello);
    r.deliver("tg", telegram_thumbs_up);
    auto likes = r.comments()[0].at("likes").as_array();
    REQUIRE(likes.size() == 1);
    CHECK(likes[0].at("emoji") == "👍");
}

TEST_CASE("T6: a reaction replaced in Telegram (👍 for 👎) takes back the like, each change decided by the rules",
          "[worker][adapters]") {
    Real r;
    r.deliver("tg", telegram_hello);
    r.deliver("tg", telegram_thumbs_up);
    CHECK(r.deliver("tg", telegram_thumbs_down_for_up) == 1);  // one body, two events
    CHECK(r.comments()[0].at("likes").as_array().empty());
    auto task = r.store.task(r.store.tasks(10, 0)[0].at("id").as_int64());
    auto history = task->at("history").as_array();
    REQUIRE(history.size() == 2);
    CHECK(history[1].at("action") == "unlike");
    CHECK(history[1].at("detail").at("emoji") == "👍");
    // The removal of 👍 and the addition of 👎, each with its own decision and key.
    auto log = r.store.decisions(task->at("id").as_int64());
    REQUIRE(log.size() == 4);  // the message's, the 👍's, and these two, newest first
    CHECK(log[0].at("event") == "tg:tg:update:700003:2");
    CHECK(log[0].at("decisions").at("decisions").as_array()[0].at("value") == "skip");
    CHECK(log[1].at("event") == "tg:tg:update:700003");
    CHECK(log[1].at("decisions").at("decisions").as_array()[0].at("value") == "unlike");
    // Redelivered, it has no second effect.
    r.deliver("tg", telegram_thumbs_down_for_up);
    CHECK(r.store.decisions(task->at("id").as_int64()).size() == 4);
}

TEST_CASE("W1, W9: Wazzup bodies through the adapters: a message, an echo, a status", "[worker][adapters]") {
    Real r;
    r.deliver("wz", wazzup_hello);
    r.deliver("wz", wazzup_echo_and_status);
    r.deliver("wz", wazzup_read);
    auto comments = r.comments();
    REQUIRE(comments.size() == 2);
    CHECK(comments[0].at("direction") == "inbound");
    CHECK(comments[0].at("author").at("name") == "Anna");
    CHECK(comments[1].at("direction") == "echo");
    CHECK(comments[1].at("delivery").at("status") == "read");
    CHECK(r.store.counts().failed == 0);
}

TEST_CASE("R1: a body the adapters cannot read is kept and marked failed with the reason, a ping is done", "[worker][adapters]") {
    Real r;
    r.deliver("wz", R"({"test": true})");
    r.deliver("tg", "{not json");
    auto counts = r.store.counts();
    CHECK(counts.received == 2);
    CHECK(counts.processed == 1);
    CHECK(counts.failed == 1);
}
