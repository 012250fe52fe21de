// What applying one webhook costs the worker, counted rather than timed: the SQLite statements
// it runs and the heap allocations of its whole path (parse, case, rules, store, log), each
// against a named budget. Real Telegram bodies through the real adapters, as `serve` runs them.
#include "tests/allocation_counter.hpp"
#include "tests/worker/worker_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

// Budgets per message in steady state (the customer, the conversation and the statements known).
// A private message: first_sight, the identity, the conversation and its task (two), the
// comment and its task's time, the notification of the assignee, the conversation's last
// message, inbox_state, the decision log: 11 statements; the row's and the message's
// savepoints (SAVEPOINT and RELEASE, two each): 4; the batch's BEGIN and COMMIT, shared. And
// T8: the assignee notified (Olga) linked a Telegram account, so the alert policy routes her
// notification to the bot, and the private chat she opened with it is looked up: 1.
constexpr double private_message_statements = 16.5;
// A group message in a linked group: the private message's, less the notification (nobody is
// mentioned), plus the chat link, the member, and what the group's notification policy asks:
// the author's last message in the history and whether people are members.
constexpr double group_message_statements = 18.5;
// The event's strings, the store's rows read back as strings, the typed routing decision, the
// VM's traces for the log, the log's rows and the row's note. Parsing the body, the case and
// the log's JSON are built in buffers kept from message to message; the VM allocates nothing.
// 39.1 measured before T8's routing rule (an employee's own chat is ignored), 40.1 since: the
// trace of a private message holds one more condition.
constexpr double private_message_allocations = 41;

std::string private_body(std::int64_t update, std::int64_t user, const std::string& text) {
    return R"({"update_id": )" + std::to_string(update) + R"(, "message": {"message_id": )" + std::to_string(update) +
           R"(, "date": 1763719200, "chat": {"id": )" + std::to_string(user) +
           R"(, "type": "private", "first_name": "Anna"}, "from": {"id": )" + std::to_string(user) +
           R"(, "is_bot": false, "first_name": "Anna"}, "text": ")" + text + R"("}})";
}

std::string group_body(std::int64_t update, std::int64_t chat, std::int64_t user, const std::string& text) {
    return R"({"update_id": )" + std::to_string(update) + R"(, "message": {"message_id": )" + std::to_string(update) +
           R"(, "date": 1763719200, "chat": {"id": )" + std::to_string(chat) +
           R"(, "type": "supergroup", "title": "Project"}, "from": {"id": )" + std::to_string(user) +
           R"(, "is_bot": false, "first_name": "Boris"}, "text": ")" + text + R"("}})";
}

// A store with the real adapters, and the statements its worker ran so far.
struct Real {
    explicit Real(config::Config c = test_config()) : config(std::move(c)), store(db.path()) {
        rulesets.swap(shipped_rules());
        worker = std::make_unique<worker::Worker>(store, config, rulesets);
    }
    std::int64_t statements(std::string_view containing = {}) {
        std::int64_t n = 0;
        for (const auto& [sql, runs] : store.worker_statements())
            if (sql.find(containing) != std::string::npos) n += runs;
        return n;
    }
    TempDb db;
    config::Config config;
    store::Store store;
    engine::RulesetHolder rulesets;
    std::unique_ptr<worker::Worker> worker;
};

}  // namespace

TEST_CASE("a private message costs a few statements and never reads a chat's history or members", "[worker][cost][sqlite]") {
    Real r;
    r.store.accept("tg", private_body(1, 55, "hello"), t0());
    REQUIRE(r.worker->process_pending() == 1);

    const int n = 100;
    auto before = r.statements();
    for (int i = 0; i < n; ++i) r.store.accept("tg", private_body(2 + i, 55, "more " + std::to_string(i)), t0());
    REQUIRE(r.worker->process_pending() == n);
    double per_message = double(r.statements() - before) / n;
    INFO("statements per private message: " << per_message);
    CHECK(per_message <= private_message_statements);
    // The policies of a private message ask no fact query: nothing reads the comments of the
    // chat (last_message_with) or its members (member_of).
    CHECK(r.statements("FROM comments WHERE conversation") == 0);
    CHECK(r.statements("SELECT 1 FROM chat_members") == 0);
    // Nor the parts of facts that cost a query of their own (issue 12), which no shipped policy
    // reads: a task's status history, a contact's tags.
    CHECK(r.statements("FROM history") == 0);
    CHECK(r.statements("FROM contact_tags") == 0);
    CHECK(r.store.counts().failed == 0);
}

TEST_CASE("a group message reads the chat's members and history only because its policy asks", "[worker][cost][sqlite]") {
    auto config = test_config();
    integration_of(config, "tg").settings["notify_only_chat_members"] = true;
    Real r(config);
    r.store.accept("tg", private_body(1, 55, "hello"), t0());
    REQUIRE(r.worker->process_pending() == 1);
    r.store.link_chat("tg", "-100500", 1, t0());
    r.store.accept("tg", group_body(2, -100500, 66, "hi all"), t0());
    REQUIRE(r.worker->process_pending() == 1);
    CHECK(r.statements("FROM comments WHERE conversation") >= 1);  // last_message_with
    CHECK(r.statements("SELECT 1 FROM chat_members") >= 1);        // member_of

    const int n = 50;
    auto before = r.statements();
    for (int i = 0; i < n; ++i) r.store.accept("tg", group_body(3 + i, -100500, 66 + i % 5, "more"), t0());
    REQUIRE(r.worker->process_pending() == n);
    double per_message = double(r.statements() - before) / n;
    INFO("statements per group message: " << per_message);
    CHECK(per_message <= group_message_statements);
    CHECK(r.store.counts().failed == 0);
}

TEST_CASE("the worker's path allocates within its budget per message", "[worker][cost][sqlite]") {
    Real r;
    // Warm up: the contact, the conversation, the prepared statements, the engine's arenas.
    for (int i = 0; i < 20; ++i) r.store.accept("tg", private_body(1 + i, 55, "warm " + std::to_string(i)), t0());
    REQUIRE(r.worker->process_pending() == 20);

    const int n = 100;
    for (int i = 0; i < n; ++i) r.store.accept("tg", private_body(100 + i, 55, "counted " + std::to_string(i)), t0());
    std::size_t processed = 0;
    auto allocated = allocations_of([&] { processed = r.worker->process_pending(); });
    REQUIRE(processed == n);
    double per_message = double(allocated) / n;
    INFO("allocations per private message: " << per_message);
    CHECK(per_message <= private_message_allocations);
}
