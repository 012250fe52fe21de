// The facts of issue 12 through the worker and the store: a task's completion and status
// history, a contact's tags, a setting of employees, the contact's messages waiting for an
// answer; and that a part costing a query of its own is read only when a policy reads it.
#include "tests/worker/worker_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

constexpr std::int64_t day = 24 * 3600 * 1000;

// The routing of the shipped rules, and policies reading the new facts.
std::string rules_with(const std::string& policies) {
    return R"(
policy routing for inbound, echo {
    otherwise -> thread(message.chat.id, title: message.sender.name, assignees: integration.assignees)
}
)" + policies;
}

const std::string reopen_within_a_week = rules_with(R"(
policy reopen for inbound {
    when count(task.history where it.status == completed) >= 2 -> new_task
    when task.completed_at == none -> append
    when now - task.completed_at ?? 7 d < 7 d -> reopen
    otherwise -> new_task
}
)");

// As POST /api/v1/tasks/{id}/complete and /reopen do it: the status, and the history.
void change_status(Bench& b, std::int64_t task, std::string_view status, std::int64_t at) {
    auto work = b.store().begin_work();
    work.set_task_status(task, status, at);
    work.record_history(task, {"employee", 2, "Olga"}, status == "completed" ? "complete" : "reopen", {}, at);
    work.commit();
}

// Anna's message `n`, sent `after` the start (tg_private's times are t0 + n seconds).
adapters::Event anna_at(std::int64_t n, std::int64_t after) {
    auto e = tg_private(n, anna, 10 + n, "message " + std::to_string(n));
    e.message.sent_at_ms = t0() + after;
    return e;
}

std::int64_t statements(Bench& b, std::string_view containing) {
    std::int64_t n = 0;
    for (const auto& [sql, runs] : b.store().worker_statements())
        if (sql.find(containing) != std::string::npos) n += runs;
    return n;
}

}  // namespace

TEST_CASE("task.completed_at: a task completed a day ago is reopened, one completed eight days ago is not", "[worker][facts]") {
    for (auto [after, tasks, status] : std::vector<std::tuple<std::int64_t, std::size_t, const char*>>{
             {1 * day, 1, "active"}, {8 * day, 2, "completed"}}) {
        Bench b(test_config(), rules_from_text(reopen_within_a_week));
        b.deliver("tg", {anna_at(1, 0)});
        auto task = only_task(b);
        change_status(b, task, "completed", t0() + 1000);
        CHECK(b.store().begin_work().task(task)->completed_at == t0() + 1000);
        b.deliver("tg", {anna_at(2, 1000 + after)});
        INFO("completed " << after / day << " days before the message");
        CHECK(b.tasks().size() == tasks);
        CHECK(str(b.task(task).at("status")) == status);
    }
}

TEST_CASE("task.completed_at is cleared by a reopen, the rules' reopen included, and recorded in the history", "[worker][facts]") {
    Bench b(test_config(), rules_from_text(reopen_within_a_week));
    b.deliver("tg", {anna_at(1, 0)});
    auto task = only_task(b);
    change_status(b, task, "completed", t0() + 1000);
    b.deliver("tg", {anna_at(2, day)});  // reopened by the rules
    auto work = b.store().begin_work();
    CHECK(work.task(task)->completed_at == std::nullopt);
    auto history = work.status_history(task);
    REQUIRE(history.size() == 2);
    CHECK(history[0].status == "completed");
    CHECK(history[0].by->name == "Olga");
    CHECK(history[1].status == "active");
    CHECK(history[1].at == t0() + day);
    CHECK_FALSE(history[1].by);  // the system
}

TEST_CASE("task.history: a task completed twice opens a new task", "[worker][facts]") {
    Bench b(test_config(), rules_from_text(reopen_within_a_week));
    b.deliver("tg", {anna_at(1, 0)});
    auto task = only_task(b);
    change_status(b, task, "completed", t0() + 1000);
    change_status(b, task, "active", t0() + 2000);
    change_status(b, task, "completed", t0() + 3000);
    b.deliver("tg", {anna_at(2, 4000)});
    CHECK(b.tasks().size() == 2);
    CHECK(statements(b, "FROM history") == 1);
}

TEST_CASE("a task's history and a contact's tags are read only when a policy reads them", "[worker][facts][cost]") {
    SECTION("the shipped rules read neither") {
        Bench b;
        b.deliver("tg", {anna_at(1, 0)});
        change_status(b, only_task(b), "completed", t0() + 1000);
        b.deliver("tg", {anna_at(2, 2000)});
        CHECK(statements(b, "FROM history") == 0);
        CHECK(statements(b, "FROM contact_tags") == 0);
    }
    SECTION("a policy reading task.status and contact.name reads neither") {
        Bench b(test_config(), rules_from_text(rules_with(R"(
policy notification for inbound {
    when task.status == active and contact.name == "Anna" -> notify(task.assignees, assignee)
    otherwise -> []
}
)")));
        b.deliver("tg", {anna_at(1, 0)});
        CHECK(statements(b, "FROM history") == 0);
        CHECK(statements(b, "FROM contact_tags") == 0);
    }
}

TEST_CASE("contact.tags and a setting of employees: a VIP's message notifies the seniors", "[worker][facts]") {
    auto config = test_config();
    integration_of(config, "tg").settings["seniors"] = json::array{1, "@OLGA"};
    Bench b(config, rules_from_text(rules_with(R"(
setting seniors: list<person> = []

policy notification for inbound {
    when "vip" in contact.tags -> notify(setting.seniors, watcher)
    otherwise -> []
}
)")));
    b.deliver("tg", {anna_at(1, 0)});
    auto task = only_task(b);
    CHECK(b.comments(task)[0].at("notifications").as_array().empty());

    auto contact = b.task(task).at("contact").at("id").as_int64();
    {
        auto work = b.store().begin_work();
        work.set_contact_tags(contact, {"vip", "wholesale"});
        work.commit();
    }
    b.deliver("tg", {anna_at(2, 1000)});
    auto notified = b.comments(task)[1].at("notifications").as_array();
    REQUIRE(notified.size() == 2);
    CHECK(notified[0].at("person").at("name") == "Ivan");
    CHECK(notified[1].at("person").at("name") == "Olga");
    CHECK(notified[1].at("reason") == "watcher");
    CHECK(statements(b, "FROM contact_tags") >= 2);  // read for each message's notification
}

TEST_CASE("contact.fields: a field set for the contact decides its next message, and is read only when a policy reads it",
          "[worker][facts][contacts]") {
    auto config = test_config();
    config.contact_fields = {{"tier", config::FieldType::string}};
    Bench b(config, rules_from_text(rules_with(R"(
contact_field tier: string = "basic"

policy notification for inbound {
    when contact.fields.tier == "gold" -> notify([integration.owner], watcher)
    otherwise -> []
}
)")));
    b.deliver("tg", {anna_at(1, 0)});
    auto task = only_task(b);
    CHECK(b.comments(task)[0].at("notifications").as_array().empty());  // the default, "basic"

    auto contact = b.task(task).at("contact").at("id").as_int64();
    {
        auto work = b.store().begin_work();
        work.set_contact_fields(contact, {{"tier", std::optional<std::string>("\"gold\"")}});
        work.commit();
    }
    b.deliver("tg", {anna_at(2, 1000)});
    auto notified = b.comments(task)[1].at("notifications").as_array();
    REQUIRE(notified.size() == 1);
    CHECK(notified[0].at("reason") == "watcher");
    CHECK(statements(b, "FROM contact_fields") >= 2);  // read for each message's notification
    CHECK(statements(b, "FROM contact_tags") == 0);
}

TEST_CASE("a contact's fields are not read when no policy chosen for the message reads them", "[worker][facts][contacts][cost]") {
    // The ruleset reads `tier`, but only for outbound messages: an inbound one needs no query.
    auto config = test_config();
    config.contact_fields = {{"tier", config::FieldType::string}};
    Bench b(config, rules_from_text(rules_with(R"(
contact_field tier: string = "basic"

policy notification for inbound {
    when "vip" in contact.tags -> notify(task.assignees, assignee)
    otherwise -> []
}

policy delivery for outbound {
    when contact.fields.tier == "blocked" -> internal
    otherwise -> send
}
)")));
    b.deliver("tg", {anna_at(1, 0)});
    CHECK(statements(b, "FROM contact_tags") >= 1);
    CHECK(statements(b, "FROM contact_fields") == 0);
}

TEST_CASE("conversation.unanswered_count counts the contact's messages since an employee's, and last_reply_at is that reply",
          "[worker][facts]") {
    Bench b(test_config(), rules_from_text(rules_with(R"(
policy notification for inbound {
    when conversation.unanswered_count >= 2 and conversation.last_reply_at == none -> notify(task.assignees, assignee)
    otherwise -> []
}
)")));
    for (int n = 1; n <= 3; ++n) b.deliver("tg", {anna_at(n, n * 1000)});
    auto task = only_task(b);
    auto comments = b.comments(task);
    // The third message finds two before it unanswered.
    CHECK(comments[1].at("notifications").as_array().empty());
    CHECK(comments[2].at("notifications").as_array().size() == 1);

    auto conversation = b.task(task).at("conversation").at("id").as_int64();
    auto work = b.store().begin_work();
    CHECK(work.conversation(conversation)->unanswered_count == 3);
    CHECK(work.conversation(conversation)->last_reply_at == std::nullopt);
    work.note_comment(conversation, "outbound", comments[2].at("id").as_int64(), t0() + 9000, "employee");
    CHECK(work.conversation(conversation)->unanswered_count == 0);
    CHECK(work.conversation(conversation)->last_reply_at == t0() + 9000);
    work.note_comment(conversation, "inbound", comments[2].at("id").as_int64(), t0() + 9500, "contact");
    CHECK(work.conversation(conversation)->unanswered_count == 1);
    CHECK(work.conversation(conversation)->last_reply_at == t0() + 9000);
}

TEST_CASE("migration 6 fills completed_at and the answer counts from the rows already there", "[store][facts][sqlite]") {
    TempDb db;
    auto schema = store::current_schema();
    REQUIRE(schema.tracker.size() >= 6);
    std::vector<store::Migration> first_five(schema.tracker.begin(), schema.tracker.begin() + 5);
    std::int64_t done = 0, open = 0, answered = 0, waiting = 0;
    {
        store::Store old(db.path(), {first_five, schema.inbox});
        REQUIRE(old.schema_version().tracker == 5);
        auto work = old.begin_work();
        auto conversation = [&](const std::string& key) {
            return work.create_conversation({"tg", key, std::nullopt, key, "private", std::nullopt, "contact", t0()});
        };
        answered = conversation("a");
        waiting = conversation("b");
        done = work.create_task({answered, std::nullopt, "Done", "", std::nullopt, {}, t0()});
        open = work.create_task({waiting, std::nullopt, "Open", "", std::nullopt, {}, t0()});
        work.record_history(done, {"employee", 2, "Olga"}, "complete", {}, t0() + 1000);
        work.record_history(done, {"employee", 2, "Olga"}, "reopen", {}, t0() + 2000);
        work.record_history(done, {"employee", 2, "Olga"}, "complete", {}, t0() + 3000);
        // a: the contact, an employee's reply, the contact twice; b: the contact twice.
        std::int64_t at = t0();
        for (auto [v, task, kind] : std::vector<std::tuple<std::int64_t, std::int64_t, const char*>>{
                 {answered, done, "contact"}, {answered, done, "employee"}, {answered, done, "contact"},
                 {answered, done, "contact"}, {waiting, open, "contact"}, {waiting, open, "contact"}}) {
            store::NewComment c;
            c.task = task;
            c.conversation = v;
            c.integration = "tg";
            c.chat = "55";
            c.chat_kind = "private";
            c.direction = std::string(kind) == "contact" ? "inbound" : "outbound";
            c.author = {kind, 1, "someone"};
            c.sent_at = at += 1000;
            work.add_comment(c);
        }
        work.commit();
    }
    // At version 5 no call sets a status without completed_at: the task is completed by the
    // first statement of migration 6 itself, followed by its own text.
    std::string completing = "UPDATE tasks SET status = 'completed' WHERE id = " + std::to_string(done) + ";\n" +
                             std::string(schema.tracker[5].sql);
    auto migrations = first_five;
    migrations.push_back({6, schema.tracker[5].name, completing});
    store::Store s(db.path(), {migrations, schema.inbox});
    CHECK(s.schema_version().tracker == 6);
    auto work = s.begin_work();
    CHECK(work.task(done)->completed_at == t0() + 3000);  // the latest completion
    CHECK(work.task(open)->completed_at == std::nullopt);
    CHECK(work.conversation(answered)->unanswered_count == 2);
    CHECK(work.conversation(answered)->last_reply_at == t0() + 2000);
    CHECK(work.conversation(waiting)->unanswered_count == 2);
    CHECK(work.conversation(waiting)->last_reply_at == std::nullopt);
    auto history = work.status_history(done);
    REQUIRE(history.size() == 3);
    CHECK(history[1].status == "active");
}
