// The worker end to end on the shipped rules: events in (built by hand), the store's read API
// out. Test names carry the behaviour ids of behaviors.md.
#include "tests/worker/worker_support.hpp"

#include <chrono>
#include <thread>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

void complete(Bench& b, std::int64_t task) {
    auto work = b.store().begin_work();
    work.set_task_status(task, "completed", t0());
    work.commit();
}

std::vector<std::string> reasons(const json::object& comment) {
    std::vector<std::string> out;
    for (const auto& n : comment.at("notifications").as_array())
        out.push_back(str(n.at("person").at("name")) + ":" + str(n.at("reason")));
    return out;
}

std::string note_of_row(Bench& b, std::int64_t decision_index = 0) {
    auto log = b.store().decisions(std::nullopt);
    REQUIRE(log.size() > static_cast<std::size_t>(decision_index));
    const auto& note = log[static_cast<std::size_t>(decision_index)].at("note");
    return note.is_null() ? "" : str(note);
}

}  // namespace

TEST_CASE("T1, C1, C2: a first private message creates the contact, the conversation and the task", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello, I need help")});

    auto counts = b.store().counts();
    CHECK(counts.processed == 1);
    CHECK(counts.contacts == 1);
    CHECK(counts.tasks == 1);
    CHECK(counts.decisions == 1);

    auto task = b.task(only_task(b));
    CHECK(task.at("title") == "Anna (telegram, telegram_bot, @acme_bot)");  // W8-style title from the rules
    CHECK(task.at("status") == "active");
    CHECK(task.at("integration") == "tg");
    // C2: the template's assignee (Olga); C1: the task's author is the contact.
    auto assignees = task.at("assignees").as_array();
    REQUIRE(assignees.size() == 1);
    CHECK(assignees[0].at("name") == "Olga");
    CHECK(assignees[0].at("kind") == "employee");
    CHECK(task.at("contact").at("name") == "Anna");
    CHECK(task.at("conversation").at("key") == json::array{"acme_bot", 55});

    auto contact = b.store().contact(task.at("contact").at("id").as_int64());
    REQUIRE(contact);
    CHECK(contact->at("username") == "anna");
    CHECK(contact->at("identities").as_array()[0].at("external_id") == "55");
    CHECK(contact->at("tasks").as_array().size() == 1);

    auto comments = task.at("comments").as_array();
    REQUIRE(comments.size() == 1);
    const auto& c = comments[0].as_object();
    CHECK(c.at("text") == "Hello, I need help");
    CHECK(c.at("direction") == "inbound");
    CHECK(c.at("author").at("kind") == "contact");
    CHECK(c.at("number") == 10);
    // C1-C3: the assignees hear about every new message.
    CHECK(reasons(c) == std::vector<std::string>{"Olga:assignee"});
}

TEST_CASE("C3: a second message of the conversation lands in the same task", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    b.deliver("tg", {tg_private(2, anna, 11, "Are you there?")});
    CHECK(b.store().counts().tasks == 1);
    CHECK(b.store().counts().contacts == 1);
    auto comments = b.comments(only_task(b));
    REQUIRE(comments.size() == 2);
    CHECK(comments[1].at("text") == "Are you there?");
    // Another person is another conversation.
    b.deliver("tg", {tg_private(3, boris, 12, "Hi")});
    CHECK(b.store().counts().tasks == 2);
}

TEST_CASE("C4: a message to a completed task opens a new task when new_task_if_no_active is on (the default)", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto first = only_task(b);
    complete(b, first);
    b.deliver("tg", {tg_private(2, anna, 11, "One more question")});

    auto list = b.tasks();
    REQUIRE(list.size() == 2);
    CHECK(list[0].at("status") == "completed");
    CHECK(list[1].at("status") == "active");
    CHECK(list[1].at("conversation") == list[0].at("conversation"));
    CHECK(list[1].at("assignees").as_array()[0].at("name") == "Olga");
    auto comments = b.comments(list[1].at("id").as_int64());
    REQUIRE(comments.size() == 1);
    CHECK(comments[0].at("text") == "One more question");
    // The log names the reopen decision.
    auto log = b.store().decisions(list[1].at("id").as_int64());
    REQUIRE(log.size() == 1);
    bool reopen = false;
    for (const auto& r : log[0].at("rules").as_array())
        if (r.at("kind") == "reopen") reopen = true;
    CHECK(reopen);
}

TEST_CASE("C4: with new_task_if_no_active off the completed task is reopened", "[worker]") {
    auto config = test_config();
    integration_of(config, "tg").settings["new_task_if_no_active"] = false;
    Bench b(config);
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = only_task(b);
    complete(b, task);
    b.deliver("tg", {tg_private(2, anna, 11, "Again")});
    CHECK(b.store().counts().tasks == 1);
    CHECK(b.task(task).at("status") == "active");
    CHECK(b.comments(task).size() == 2);
}

TEST_CASE("T3: messages of a linked group become comments of its task, an unlinked group creates nothing", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = only_task(b);
    auto contacts_before = b.store().counts().contacts;

    b.deliver("tg", {tg_group(2, -100500, boris, 7, "Nobody linked this chat")});
    CHECK(b.store().counts().tasks == 1);
    CHECK(b.store().counts().contacts == contacts_before);  // the drop undid Boris's contact too
    CHECK(note_of_row(b).find("no task is linked to chat -100500") != std::string::npos);

    b.store().link_chat("tg", "-100500", task, t0());
    b.deliver("tg", {tg_group(3, -100500, boris, 8, "Now it is linked")});
    auto comments = b.comments(task);
    REQUIRE(comments.size() == 2);
    CHECK(comments[1].at("text") == "Now it is linked");
    CHECK(comments[1].at("chat") == "-100500");
}

TEST_CASE("T4: group notifications: mentioned people, then the author's last conversation, then the assignees", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = only_task(b);
    b.store().link_chat("tg", "-100500", task, t0());

    // (1) Mentioned: Ivan by @username (an employee), and Boris, a contact without a role.
    b.deliver("tg", {tg_group(2, -100500, boris, 1, "hi")});  // Boris is known from now on
    auto e = tg_group(3, -100500, anna, 2, "@ivan_support @boris please look");
    e.message.mentions = {tg_user(0, "", "ivan_support"), tg_user(66, "Boris", "boris")};
    e.message.mentions[0].external_id.clear();
    b.deliver("tg", {e});
    auto comments = b.comments(task);
    CHECK(reasons(comments.back().as_object()) == std::vector<std::string>{"Ivan:mentioned"});

    // (2) No mention: the employees of the last message the author took part in.
    b.deliver("tg", {tg_group(4, -100500, anna, 3, "any news?")});
    comments = b.comments(task);
    CHECK(reasons(comments.back().as_object()) == std::vector<std::string>{"Ivan:recent_participant"});

    // (3) Nobody yet: the task's assignees.
    b.deliver("tg", {tg_group(5, -100500, tg_user(77, "Carl"), 4, "hello all")});
    comments = b.comments(task);
    CHECK(reasons(comments.back().as_object()) == std::vector<std::string>{"Olga:assignee"});
}

TEST_CASE("T4: with notify_only_chat_members only people seen in the chat are notified, and the task's contact keeps a role",
          "[worker]") {
    auto config = test_config();
    integration_of(config, "tg").settings["notify_only_chat_members"] = true;
    Bench b(config);
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = only_task(b);
    b.store().link_chat("tg", "-100500", task, t0());
    b.deliver("tg", {tg_group(2, -100500, olga_tg, 1, "I am here")});  // Olga, an employee, writes in the chat
    b.deliver("tg", {tg_group(3, -100500, anna, 2, "hi")});
    auto e = tg_group(4, -100500, boris, 3, "@olga @ivan_support @anna");
    e.message.mentions = {tg_user(202, "Olga", "olga"), tg_user(0, "", "ivan_support"), tg_user(55, "Anna", "anna")};
    e.message.mentions[1].external_id.clear();
    b.deliver("tg", {e});
    auto comments = b.comments(task);
    // Ivan never wrote in the chat; Anna is a contact and holds a role (she is the task's author).
    CHECK(reasons(comments.back().as_object()) == std::vector<std::string>{"Olga:mentioned", "Anna:mentioned"});
    // Olga's own message is an employee's comment, not a contact's.
    CHECK(comments[1].at("author").at("kind") == "employee");
    CHECK(b.store().counts().contacts == 2);  // Anna and Boris
}

TEST_CASE("C3, W2: files sent by the user are attached to the comment with the attachment decision", "[worker]") {
    Bench b;
    auto e = tg_private(1, anna, 10, "the offer");
    e.message.files = {file("offer.pdf", "pdf", 2000000, "document"), file("photo.jpg", "jpg", 300000, "image")};
    b.deliver("tg", {e});
    auto comments = b.comments(only_task(b));
    auto files = comments[0].at("files").as_array();
    REQUIRE(files.size() == 2);
    CHECK(files[0].at("name") == "offer.pdf");
    CHECK(files[0].at("size") == 2000000);
    CHECK(files[0].at("source") == "file-id-offer.pdf");
    CHECK(files[0].at("action") == "attach");
    CHECK(files[1].at("kind") == "image");
    CHECK(files[1].at("action") == "attach");
}

TEST_CASE("files: a rejected file keeps the reason the rules gave", "[worker]") {
    auto rules = rules_from_text(R"(import "rules/common.rules"
import "rules/telegram.rules"

policy attachment for inbound via telegram {
    when file.size > 10 MB -> reject("inbound files are limited to 10 MB")
    otherwise              -> attach
}
)");
    Bench b(test_config(), rules);
    auto e = tg_private(1, anna, 10, "two files");
    e.message.files = {file("small.pdf", "pdf", 1000, "document"), file("huge.mp4", "mp4", 80000000, "video")};
    b.deliver("tg", {e});
    auto files = b.comments(only_task(b))[0].at("files").as_array();
    CHECK(files[0].at("action") == "attach");
    CHECK(files[0].at("reason").is_null());
    CHECK(files[1].at("action") == "reject");
    CHECK(files[1].at("reason") == "inbound files are limited to 10 MB");
}

TEST_CASE("R1: a redelivered update has no second effect", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto body = b.last_body();
    b.post_again("tg", body);
    REQUIRE(b.process() == 1);
    auto counts = b.store().counts();
    CHECK(counts.received == 2);
    CHECK(counts.processed == 2);
    CHECK(counts.tasks == 1);
    CHECK(counts.decisions == 1);
    CHECK(b.comments(only_task(b)).size() == 1);
    // The same event inside another body (Telegram re-sends, Wazzup batches differently).
    b.deliver("tg", {tg_private(1, anna, 10, "Hello"), tg_private(2, anna, 11, "Second")});
    CHECK(b.comments(only_task(b)).size() == 2);
    CHECK(b.store().counts().decisions == 2);
}

TEST_CASE("R1: Wazzup statuses are recognised by messageId and status", "[worker]") {
    Bench b;
    auto echo = wz_message("out-1", "whatsapp", "79011112233", "Anna", "We shipped it", "ch-wa-1");
    echo.message.direction = stdlib::Direction::echo;
    echo.message.sender = adapters::Person{"crm-user-17", "Manager Olga", std::nullopt, std::nullopt, false};
    b.deliver("wz", {echo});
    auto status = [](std::string s) {
        adapters::Event e;
        e.type = adapters::EventType::status;
        e.dedup_key = "wz:status:out-1:" + s;
        e.status = {"out-1", s, "", t0() + 5000};
        return e;
    };
    b.deliver("wz", {status("delivered")});
    b.deliver("wz", {status("read")});
    b.deliver("wz", {status("delivered")});  // redelivered: must not turn `read` back
    auto c = b.comments(only_task(b))[0].as_object();
    CHECK(c.at("delivery").at("status") == "read");
}

TEST_CASE("W1: a WhatsApp message through Wazzup creates a contact with name and phone, and a task", "[worker]") {
    Bench b;
    b.deliver("wz", {wz_message("m-1", "whatsapp", "79011112233", "Anna", "Hello from WhatsApp", "ch-wa-1")});
    auto task = b.task(only_task(b));
    CHECK(task.at("title") == "Anna (whatsapp, wazzup, 79990001122)");
    // C2: no template assignee, so the account owner.
    CHECK(task.at("assignees").as_array()[0].at("name") == "Ivan");
    auto contact = b.store().contact(task.at("contact").at("id").as_int64());
    REQUIRE(contact);
    CHECK(contact->at("phone") == "79011112233");
    CHECK(contact->at("identities").as_array()[0].at("transport") == "whatsapp");
    CHECK(task.at("conversation").at("channel") == "ch-wa-1");

    b.deliver("wz", {wz_message("m-2", "whatsapp", "79011112233", "Anna", "and a second one", "ch-wa-1")});
    CHECK(b.comments(only_task(b)).size() == 2);
}

TEST_CASE("W9: an echo is recorded as an outgoing comment and triggers no inbound rules", "[worker]") {
    Bench b;
    b.deliver("wz", {wz_message("m-1", "whatsapp", "79011112233", "Anna", "Hello", "ch-wa-1")});
    auto echo = wz_message("m-2", "whatsapp", "79011112233", "", "Sent from the phone", "ch-wa-1");
    echo.message.direction = stdlib::Direction::echo;
    echo.message.sender = adapters::Person{"crm-user-17", "Manager Olga", std::nullopt, std::nullopt, false};
    b.deliver("wz", {echo});

    auto task = only_task(b);
    auto comments = b.comments(task);
    REQUIRE(comments.size() == 2);
    const auto& c = comments[1].as_object();
    CHECK(c.at("direction") == "echo");
    CHECK(c.at("author").at("kind") == "employee");
    CHECK(c.at("author").at("name") == "Manager Olga");
    CHECK(c.at("notifications").as_array().empty());
    // Only routing decided on the echo; the contact's name was not wiped by the nameless echo.
    auto log = b.store().decisions(task);
    auto rules = log[0].at("rules").as_array();
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].at("kind") == "routing");
    CHECK(b.task(task).at("contact").at("name") == "Anna");
}

TEST_CASE("W9: an echo in a chat nobody wrote in yet starts a conversation the employee started", "[worker]") {
    Bench b;
    auto echo = wz_message("m-1", "whatsapp", "79015556677", "", "Hello, this is Acme", "ch-wa-1");
    echo.message.direction = stdlib::Direction::echo;
    echo.message.sender = adapters::Person{"crm-user-17", "Manager Olga", std::nullopt, std::nullopt, false};
    b.deliver("wz", {echo});
    auto task = b.task(only_task(b));
    CHECK(task.at("conversation").at("started_by") == "employee");
    CHECK(task.at("contact").at("name") == "79015556677");
    b.deliver("wz", {wz_message("m-2", "whatsapp", "79015556677", "Dmitry", "Hi!", "ch-wa-1")});
    CHECK(b.store().counts().tasks == 1);
    CHECK(b.task(only_task(b)).at("contact").at("name") == "Dmitry");
}

TEST_CASE("W3, W7: a new channel with the same number takes over the conversation of a deleted one", "[worker]") {
    auto config = test_config();
    Bench b(config);
    b.deliver("wz", {wz_message("m-1", "whatsapp", "79011112233", "Anna", "Hello", "ch-wa-1")});
    auto& wz = integration_of(b.config(), "wz");
    wz.channels[0].deleted = true;
    wz.channels.push_back({"ch-wa-2", "79990001122", "whatsapp", "Sales WhatsApp (new)", false});
    b.deliver("wz", {wz_message("m-2", "whatsapp", "79011112233", "Anna", "Still here", "ch-wa-2")});
    CHECK(b.store().counts().tasks == 1);
    CHECK(b.task(only_task(b)).at("conversation").at("channel") == "ch-wa-2");
}

TEST_CASE("I4, I5: a comment under a post opens a task linking to the post, and the user's later comments join it",
          "[worker]") {
    Bench b;
    auto comment = [](std::string id, std::string account, std::string post, std::string text) {
        auto e = wz_message(std::move(id), "instagram", account, account, std::move(text), "ch-ig-1");
        e.message.chat_kind = stdlib::ChatKind::comment;
        e.message.post = adapters::Post{post, "https://www.instagram.com/p/" + post, "New collection"};
        return e;
    };
    b.deliver("wz", {comment("c-1", "some.customer", "P1", "How much is this?")});
    auto task = b.task(only_task(b));
    CHECK(task.at("title") == "some.customer");
    CHECK(task.at("description") == "Comment under https://www.instagram.com/p/P1");
    CHECK(task.at("comments").as_array()[0].at("text") == "How much is this?");

    b.deliver("wz", {comment("c-2", "some.customer", "P1", "And in red?")});
    CHECK(b.store().counts().tasks == 1);
    b.deliver("wz", {comment("c-3", "other.user", "P1", "Me too")});
    b.deliver("wz", {comment("c-4", "some.customer", "P2", "Another post")});
    CHECK(b.store().counts().tasks == 3);
}

TEST_CASE("I1: an Instagram Direct message opens a task titled with the nickname, described by the message", "[worker]") {
    Bench b;
    b.deliver("wz", {wz_message("d-1", "instagram", "some.customer", "Some Customer", "Do you ship abroad?", "ch-ig-1")});
    auto task = b.task(only_task(b));
    CHECK(task.at("title") == "some.customer");
    CHECK(task.at("description") == "Do you ship abroad?");
}

TEST_CASE("TB1, TB2: a Telegram Business chat gets the integration's project and extra assignees", "[worker]") {
    Bench b;
    adapters::Event connection;
    connection.type = adapters::EventType::business_connection;
    connection.dedup_key = "tg:tgb:update:1";
    connection.business = {"bc-1", tg_user(900, "Acme owner"), 900, true, true};
    auto e = tg_private(2, anna, 10, "Hi shop", "tgb");
    e.message.chat_kind = stdlib::ChatKind::business;
    e.message.business_connection = "bc-1";
    b.deliver("tgb", {connection, e});
    auto task = b.task(only_task(b));
    CHECK(task.at("project") == "Sales");
    std::vector<std::string> names;
    for (const auto& a : task.at("assignees").as_array()) names.push_back(str(a.at("name")));
    CHECK(names == std::vector<std::string>{"Ivan", "Petr"});  // the owner, and the extra assignee
}

TEST_CASE("C1, TB2: a contact made by a message records its integration's contact_template, once", "[worker][TB2]") {
    auto config = test_config();
    integration_of(config, "tgb").contact_template = "Business customer";
    Bench b(config);
    auto e = tg_private(1, anna, 10, "Hi shop", "tgb");
    e.message.chat_kind = stdlib::ChatKind::business;
    e.message.business_connection = "bc-1";
    b.deliver("tgb", {e});
    b.deliver("tg", {tg_private(2, boris, 11, "Hello bot")});  // `tg` has no template
    b.deliver("tg", {tg_private(3, anna, 12, "Hello bot")});   // Anna is known: nothing is made
    auto template_of = [&](const adapters::Person& p) {
        auto contact = b.store().begin_work().find_contact("telegram", p.external_id);
        REQUIRE(contact);
        return b.store().contact(contact->id)->at("template");
    };
    CHECK(template_of(anna) == "Business customer");
    CHECK(template_of(boris).is_null());
}

TEST_CASE("R2: every decision-log row names the ruleset version, the rules that fired and the trace", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = only_task(b);
    auto log = b.store().decisions(task);
    REQUIRE(log.size() == 1);
    const auto& row = log[0].as_object();
    CHECK(str(row.at("ruleset")) == shipped_rules()->version);
    CHECK(row.at("event") == "tg:tg:update:1");
    CHECK(row.at("task") == task);
    auto rules = row.at("rules").as_array();
    REQUIRE(rules.size() == 3);
    CHECK(rules[0].at("kind") == "routing");
    CHECK(str(rules[0].at("policy")).starts_with("rules/telegram.rules:"));
    CHECK(str(rules[0].at("rule")).starts_with("rules/telegram.rules:"));
    CHECK(rules[1].at("kind") == "notification");
    CHECK(rules[2].at("kind") == "alert");  // T8: Olga, notified, linked a Telegram account
    auto trace = row.at("trace").as_array();
    REQUIRE(trace.size() == 3);
    CHECK_FALSE(trace[0].at("trace").as_array().empty());
    CHECK(row.at("decisions").at("ruleset") == "planfix");
    CHECK(row.at("decisions").at("decisions").as_array()[0].at("value").as_object().contains("thread"));
}

TEST_CASE("R2, R3: a swapped ruleset decides from the next row on, and the log names its version", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto quiet = rules_from_text(R"(import "rules/common.rules"

policy routing for inbound via telegram {
    otherwise -> ignore("maintenance: Telegram is paused")
}
)");
    b.rulesets().swap(quiet);
    b.deliver("tg", {tg_private(2, anna, 11, "Hello again")});
    CHECK(b.comments(only_task(b)).size() == 1);
    auto log = b.store().decisions(std::nullopt);
    REQUIRE(log.size() == 2);
    CHECK(str(log[0].at("ruleset")) == quiet->version);
    CHECK(log[0].at("task").is_null());
    CHECK(log[0].at("note") == "ignored: maintenance: Telegram is paused");
    CHECK(str(log[1].at("ruleset")) == shipped_rules()->version);
    CHECK(quiet->version != shipped_rules()->version);
}

TEST_CASE("an ignored message creates nothing, not even its contact", "[worker]") {
    auto quiet = rules_from_text(R"(import "rules/common.rules"

policy routing for inbound via telegram {
    otherwise -> ignore("not now")
}
)");
    Bench b(test_config(), quiet);
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto counts = b.store().counts();
    CHECK(counts.contacts == 0);
    CHECK(counts.tasks == 0);
    CHECK(counts.processed == 1);
    CHECK(counts.decisions == 1);
}

TEST_CASE("a row that cannot be read is marked failed with the reason, and the next rows go on", "[worker]") {
    Bench b;
    b.post_again("tg", "this is not JSON");
    b.post("tg", {tg_private(1, anna, 10, "Hello")});
    b.post_again("nope", "{}");
    CHECK(b.process() == 3);
    auto counts = b.store().counts();
    CHECK(counts.failed == 2);
    CHECK(counts.processed == 1);
    CHECK(counts.tasks == 1);
}

TEST_CASE("a row that fails midway is rolled back whole and marked failed", "[worker]") {
    // A setting the ruleset does not declare: the case is refused after the contact was made.
    auto config = test_config();
    integration_of(config, "tg").settings["no_such_setting"] = true;
    Bench b(config);
    b.post("tg", {tg_private(1, anna, 10, "Hello")});
    CHECK(b.process() == 1);
    auto counts = b.store().counts();
    CHECK(counts.failed == 1);
    CHECK(counts.contacts == 0);
    CHECK(counts.tasks == 0);
    CHECK(counts.decisions == 0);
    // The event was not applied, so it is not `seen` either: the same update later applies.
    integration_of(b.config(), "tg").settings.erase("no_such_setting");
    b.post("tg", {tg_private(1, anna, 10, "Hello")});
    CHECK(b.process() == 1);
    CHECK(b.store().counts().tasks == 1);
}

TEST_CASE("a ping and an ignored update are done with a note", "[worker]") {
    Bench b;
    adapters::Parsed ping;
    ping.ping = true;
    b.post_parsed("wz", ping);
    adapters::Parsed poll;
    poll.ignored = "unknown update type \"poll\"";
    b.post_parsed("tg", poll);
    CHECK(b.process() == 2);
    CHECK(b.store().counts().processed == 2);
    CHECK(b.store().counts().decisions == 0);
}

TEST_CASE("nothing is processed while no ruleset is loaded", "[worker]") {
    TempDb db;
    store::Store s(db.path());
    auto config = test_config();
    engine::RulesetHolder empty;
    worker::Worker w(s, config, empty, [](const config::Integration&, std::string_view) { return adapters::Parsed{}; });
    s.accept("tg", "{}", t0());
    CHECK(w.process_pending() == 0);
    CHECK(s.counts().processed == 0);
}

TEST_CASE("edits change the comment's text, deletions mark comments deleted", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Helo")});
    auto edit = tg_private(2, anna, 10, "Hello");
    edit.message.edited = true;
    b.deliver("tg", {edit});
    auto comments = b.comments(only_task(b));
    REQUIRE(comments.size() == 1);
    CHECK(comments[0].at("text") == "Hello");
    CHECK_FALSE(comments[0].at("edited_at").is_null());

    adapters::Event deleted;
    deleted.type = adapters::EventType::deleted;
    deleted.dedup_key = "tg:tg:update:3";
    deleted.deleted = {"bc-1", "55", {10, 11}};
    b.deliver("tg", {deleted});
    CHECK_FALSE(b.comments(only_task(b))[0].at("deleted_at").is_null());
}

TEST_CASE("T2: a user who blocks the bot is recorded, and unblocking clears it", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto member = [](std::int64_t update, std::string status) {
        adapters::Event e;
        e.type = adapters::EventType::member_change;
        e.dedup_key = "tg:tg:update:" + std::to_string(update);
        e.member = {"55", stdlib::ChatKind::private_chat, true, anna, "member", std::move(status), t0()};
        return e;
    };
    auto blocked = [&] {
        auto work = b.store().begin_work();
        auto contact = work.find_contact("telegram", "55");
        return work.bot_blocked("tg", contact->id);
    };
    b.deliver("tg", {member(2, "kicked")});
    CHECK(blocked());
    b.deliver("tg", {member(3, "member")});
    CHECK_FALSE(blocked());
}

TEST_CASE("the worker thread processes what the server accepts, woken or not", "[worker]") {
    Bench b;
    b.worker().start();
    b.post("tg", {tg_private(1, anna, 10, "Hello")});
    b.worker().wake();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (b.store().counts().processed < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(b.store().counts().processed == 1);
    b.worker().stop();
    b.post("tg", {tg_private(2, anna, 11, "Again")});
    CHECK(b.process() == 1);  // stopped: the test drives it again
}
