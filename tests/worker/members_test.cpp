// Who is in a chat (T4) as data, edits dated by the edit, and decisions the worker cannot apply
// recorded on their row with the rule that made them.
#include "tests/worker/worker_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

adapters::Event chat_member(std::int64_t update, std::int64_t chat, const adapters::Person& who, std::string status) {
    adapters::Event e;
    e.type = adapters::EventType::member_change;
    e.dedup_key = "tg:tg:update:" + std::to_string(update);
    e.member = {std::to_string(chat), stdlib::ChatKind::group, false, who, "left", std::move(status), t0()};
    return e;
}

std::vector<std::string> reasons(const json::value& comment) {
    std::vector<std::string> out;
    for (const auto& n : comment.at("notifications").as_array())
        out.push_back(str(n.at("person").at("name")) + ":" + str(n.at("reason")));
    return out;
}

std::string last_note(Bench& b) {
    auto log = b.store().decisions(std::nullopt);
    REQUIRE_FALSE(log.empty());
    const auto& note = log[0].at("note");  // newest first
    return note.is_null() ? "" : str(note);
}

}  // namespace

TEST_CASE("T4: chat_member updates say who is in a group, and member_of reads them", "[worker][members]") {
    auto config = test_config();
    integration_of(config, "tg").settings["notify_only_chat_members"] = true;
    Bench b(config);
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = b.tasks()[0].at("id").as_int64();
    b.store().link_chat("tg", "-100500", task, t0());

    // Olga never wrote in the group, but Telegram says she joined it: she is a member.
    b.deliver("tg", {chat_member(2, -100500, olga_tg, "member")});
    auto mention_olga = [&](std::int64_t update, std::int64_t number) {
        auto e = tg_group(update, -100500, boris, number, "@olga look");
        e.message.mentions = {tg_user(202, "Olga", "olga")};
        b.deliver("tg", {e});
        return reasons(b.comments(task).back());
    };
    CHECK(mention_olga(3, 1) == std::vector<std::string>{"Olga:mentioned"});

    // She left: no longer a member, so a mention does not reach her.
    b.deliver("tg", {chat_member(4, -100500, olga_tg, "left")});
    CHECK(mention_olga(5, 2) != std::vector<std::string>{"Olga:mentioned"});
    auto work = b.store().begin_work();
    CHECK_FALSE(work.is_chat_member("tg", "-100500", "employee", 2));
    CHECK(work.is_chat_member("tg", "-100500", "contact", work.find_contact("telegram", "66")->id));  // Boris wrote
}

TEST_CASE("T4: whoever adds the bot to a group is a member of it", "[worker][members]") {
    Bench b;
    auto added = chat_member(1, -100700, olga_tg, "administrator");
    added.member.about_bot = true;  // my_chat_member: the bot's status changed, by Olga
    b.deliver("tg", {added});
    auto work = b.store().begin_work();
    CHECK(work.is_chat_member("tg", "-100700", "employee", 2));
}

TEST_CASE("T4: the members of chats that had comments before the table existed are filled in", "[worker][members][sqlite]") {
    TempDb db;
    auto now = store::current_schema();
    std::vector<store::Migration> first(now.tracker.begin(), now.tracker.begin() + 1);
    {
        store::Store before(db.path(), store::Schema{first, now.inbox});
        auto work = before.begin_work();
        auto conversation = work.create_conversation({"tg", "[\"-100500\"]", std::nullopt, "-100500", "group", std::nullopt, "contact", t0()});
        auto task = work.create_task({conversation, std::nullopt, "Project", "", std::nullopt, {}, t0()});
        store::NewComment c;
        c.task = task;
        c.conversation = conversation;
        c.integration = "tg";
        c.chat = "-100500";
        c.chat_kind = "group";
        c.direction = "inbound";
        c.author = {"employee", 2, "Olga"};
        c.text = "hi";
        c.sent_at = t0();
        c.created_at = t0();
        work.add_comment(c);
        work.commit();
    }
    store::Store after(db.path());
    auto work = after.begin_work();
    CHECK(work.is_chat_member("tg", "-100500", "employee", 2));
    CHECK_FALSE(work.is_chat_member("tg", "-100500", "employee", 3));
}

TEST_CASE("an edit is dated by when it was edited (Telegram edit_date)", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Helo")});
    auto edit = tg_private(2, anna, 10, "Hello");
    edit.message.edited = true;
    edit.message.edited_at_ms = t0() + 3600 * 1000;
    b.deliver("tg", {edit});
    auto comment = b.comments(b.tasks()[0].at("id").as_int64())[0];
    CHECK(comment.at("text") == "Hello");
    CHECK(comment.at("edited_at") == "2026-11-21T11:00:00Z");
}

TEST_CASE("a decision the worker cannot apply is recorded on its row with the rule that made it", "[worker]") {
    // Everyone mentioned is notified: someone nobody knows cannot be.
    auto rules = rules_from_text(R"(
policy routing for inbound, echo {
    otherwise -> thread(message.chat.id)
}
policy notification for inbound {
    otherwise -> notify(message.mentions, mentioned)
}
)");
    Bench b(test_config(), rules);
    auto e = tg_private(1, anna, 10, "@ghost hello");
    e.message.mentions = {tg_user(0, "", "ghost")};
    e.message.mentions[0].external_id.clear();
    b.deliver("tg", {e});
    // The row's note (and its decision-log row) says which decision, made by which rule, and why
    // it was not applied; the message itself is applied.
    auto note = last_note(b);
    CHECK(note.find("notification decided by test.rules:6") != std::string::npos);
    CHECK(note.find("nobody known as `@ghost` to notify") != std::string::npos);
    CHECK(b.store().counts().processed == 1);
    CHECK(b.comments(b.tasks()[0].at("id").as_int64()).size() == 1);
}
