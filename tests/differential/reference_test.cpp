// Known answers of the reference evaluator, derived by hand from docs/cases.md: the shipped
// planfix ruleset on chosen cases, and one small policy per rule of "Evaluation, precisely".
#include "tests/differential/support.hpp"
#include "tests/reference/reference.hpp"
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace switchyard;
namespace json = boost::json;

namespace {

// The shipped ruleset, loaded as `switchyard eval rules/planfix.rules` would.
class Planfix {
public:
    Planfix() {
        testing::source_dir();
        std::vector<compiler::LoadError> errors;
        ws_ = compiler::load_workspace({"rules/planfix.rules"}, bag_, errors);
        result_ = compiler::check(ws_, bag_);
        REQUIRE(errors.empty());
        REQUIRE_FALSE(bag_.has_errors());
    }

    json::object decide(std::string_view case_text) const {
        return reference::evaluate(ws_, result_.programs.at(0), stdlib::builtin_schema(), json::parse(case_text));
    }

private:
    common::DiagnosticBag bag_;
    compiler::Workspace ws_;
    compiler::CheckResult result_;
};

const Planfix& planfix() {
    static const Planfix p;
    return p;
}

json::array decisions(const json::object& out) { return out.at("decisions").as_array(); }

// The decisions of one kind, in order.
json::array of_kind(const json::object& out, std::string_view kind) {
    json::array found;
    for (const auto& d : decisions(out))
        if (d.at("kind") == json::value(kind)) found.push_back(d);
    return found;
}

json::value decision(const json::object& out, std::string_view kind) {
    auto found = of_kind(out, kind);
    REQUIRE(found.size() == 1);
    return found[0];
}

json::value expected(std::string_view text) { return json::parse(text); }

// Evaluates rule text held in memory (one file, `test.rules`) on a case.
json::object decide_text(const std::string& rules, std::string_view case_text = "{}") {
    testing::CheckedText checked("test.rules", rules);
    INFO(checked.rendered());
    REQUIRE_FALSE(checked.has_errors);
    return reference::evaluate(checked.ws, checked.program(), stdlib::builtin_schema(), json::parse(case_text));
}

// The text `expr` evaluates to, through `ignore(...)`; settings may be declared before.
std::string text_of(const std::string& expr, std::string_view case_text = "{}", const std::string& settings = "") {
    auto out = decide_text(settings + "policy routing {\n    otherwise -> ignore(" + expr + ")\n}\n", case_text);
    return std::string(decision(out, "routing").at("value").at("ignore").at("reason").as_string());
}

const char* const default_person = R"({"id": 0, "name": "", "username": null, "phone": null, "is_employee": false, "has_access": false})";

}  // namespace

TEST_CASE("planfix: an empty case is an inbound telegram message in a private chat", "[reference][planfix]") {
    auto out = planfix().decide("{}");
    CHECK(out.at("ruleset") == "planfix");
    REQUIRE(decisions(out).size() == 3);  // routing, reopen, notification: no file, reaction, notice, employee, command
    const std::string routing = R"j({"kind": "routing", "policy": "rules/telegram.rules:9",
        "rule": "rules/telegram.rules:17", "value": {"thread": {"key": ["", 0],
        "title": " (telegram, telegram_bot, @)", "description": null, "assignees": [)j" +
                                std::string(default_person) + R"(], "project": null}}})";
    CHECK(decisions(out)[0] == expected(routing));
    CHECK(decisions(out)[1] == expected(R"({"kind": "reopen", "policy": "rules/common.rules:33",
        "rule": "rules/common.rules:34", "value": "new_task"})"));
    CHECK(decisions(out)[2] == expected(R"({"kind": "notification", "policy": "rules/common.rules:39",
        "rule": "rules/common.rules:40", "value": []})"));
}

TEST_CASE("planfix: telegram business delivery", "[reference][planfix]") {
    const std::string message =
        R"("message": {"direction": "outbound", "transport": "telegram", "chat": {"kind": "business"}, "notifies_contact": true})";
    auto never_wrote = planfix().decide("{" + message + R"(, "conversation": {"last_inbound_at": null, "can_reply": true}})");
    CHECK(decisions(never_wrote).size() == 1);
    CHECK(decision(never_wrote, "delivery") == expected(R"({"kind": "delivery", "policy": "rules/telegram_business.rules:11",
        "rule": "rules/telegram_business.rules:14", "value": {"refuse": {"reason": "the customer has not written in this chat yet"}}})"));

    // 25 h after the customer's last message the window is closed; exactly 24 h is still open.
    auto late = planfix().decide("{" + message + R"(, "now": "2026-11-21T11:00:00Z",
        "conversation": {"last_inbound_at": "2026-11-20T10:00:00Z", "can_reply": true}})");
    CHECK(decision(late, "delivery").at("rule") == "rules/telegram_business.rules:15");
    auto in_time = planfix().decide("{" + message + R"(, "now": 1795255200000, "employee": {"name": "Ivan"},
        "conversation": {"last_inbound_at": "2026-11-20T10:00:00Z", "can_reply": true}})");
    CHECK(decision(in_time, "delivery").at("rule") == "rules/telegram_business.rules:19");
    CHECK(decision(in_time, "delivery").at("value") == expected(R"({"send": {"signature": null, "reply_to": null}})"));
    auto signed_reply = planfix().decide("{" + message + R"(, "now": 1795255200000, "employee": {"name": "Ivan"},
        "settings": {"send_as_employee": true},
        "conversation": {"last_inbound_at": "2026-11-20T10:00:00Z", "can_reply": true}})");
    CHECK(decision(signed_reply, "delivery").at("value") == expected(R"({"send": {"signature": "Ivan", "reply_to": null}})"));
}

TEST_CASE("planfix: quick replies for an employee and alerts for a notice", "[reference][planfix]") {
    auto out = planfix().decide(R"({"message": {"direction": "outbound"}, "employee": {"telegram_linked": true},
        "notice": {"person": {"id": 7}, "reason": "mentioned"}, "account": {"plan": "paid"}})");
    CHECK(decision(out, "quick_replies") == expected(R"({"kind": "quick_replies", "policy": "rules/common.rules:65",
        "rule": "rules/common.rules:66", "value": [
            {"name": "greeting", "text": "Hello! How can we help you?"},
            {"name": "thanks", "text": "Thank you for your message: we will answer shortly."},
            {"name": "done", "text": "Your request is done. Write here if anything else comes up."}]})"));
    CHECK(decision(out, "alert") == expected(R"({"kind": "alert", "policy": "rules/common.rules:58",
        "rule": "rules/common.rules:60", "value": "bot_message"})"));
    // The first member of an enum is its default: the free plan.
    auto free = planfix().decide(R"({"notice": {}, "employee": {"telegram_linked": true}})");
    CHECK(decision(free, "alert").at("value") == "tracker_only");
    CHECK(decision(free, "alert").at("rule") == "rules/common.rules:59");
    CHECK(of_kind(free, "quick_replies").empty());  // `quick_replies` sees outbound messages only
}

TEST_CASE("planfix: attachments are decided per file, in order", "[reference][planfix]") {
    auto out = planfix().decide(R"({"message": {"direction": "outbound", "files": [
        {"name": "offer.pdf", "ext": "pdf", "size": "2 MB"}, {"ext": "mp4", "size": 80000000},
        {"ext": "zip", "size": "5MB"}]}})");
    auto files = of_kind(out, "attachment");
    REQUIRE(files.size() == 3);
    CHECK(files[0] == expected(R"({"kind": "attachment", "file": 0, "policy": "rules/telegram.rules:38",
        "rule": "rules/telegram.rules:39", "value": {"attach": {}}})"));
    CHECK(files[1] == expected(R"({"kind": "attachment", "file": 1, "policy": "rules/telegram.rules:38",
        "rule": "rules/telegram.rules:43", "value": {"link": {}}})"));
    CHECK(files[2].at("rule") == "rules/telegram.rules:43");  // 5 MB is not below 5 MB
    CHECK(decision(out, "delivery") == expected(R"({"kind": "delivery", "policy": "rules/telegram.rules:47",
        "rule": "rules/telegram.rules:49", "value": {"internal": {}}})"));
    // Attachments come after routing, reopen and notification, before delivery: the schema's order.
    CHECK(decisions(out)[0].at("kind") == "attachment");
    CHECK(decisions(out)[3].at("kind") == "delivery");

    auto own_file = planfix().decide(R"({"file": {"ext": "pdf"}})");
    CHECK(decision(own_file, "attachment") == expected(R"({"kind": "attachment", "policy": "rules/common.rules:44",
        "rule": "rules/common.rules:45", "value": {"attach": {}}})"));
    CHECK(of_kind(planfix().decide(R"({"message": {"files": []}})"), "attachment").empty());
}

TEST_CASE("planfix: reactions", "[reference][planfix]") {
    auto like = planfix().decide(R"({"reaction": {"emoji": "👍", "added": true}})");
    CHECK(decision(like, "reaction") == expected(R"({"kind": "reaction", "policy": "rules/telegram.rules:65",
        "rule": "rules/telegram.rules:67", "value": "like"})"));
    auto custom = planfix().decide(R"({"reaction": {"emoji": "👍", "added": true}, "settings": {"positive_reactions": []}})");
    CHECK(decision(custom, "reaction").at("rule") == "rules/telegram.rules:69");
    auto removed = planfix().decide(R"({"reaction": {"emoji": "👍"}})");
    CHECK(decision(removed, "reaction").at("value") == "unlike");
    CHECK(of_kind(planfix().decide(R"({"message": {"transport": "whatsapp"}, "reaction": {}})"), "reaction").empty());
}

TEST_CASE("planfix: group notifications read the history, members and the setting", "[reference][planfix]") {
    const std::string event = R"("message": {"chat": {"id": -100, "kind": "group"}, "sender": {"id": 55, "name": "Anna"}},
        "task": {"id": 90})";
    const std::string history = R"("history": [
        {"sender": {"id": 55}, "participants": [{"id": 8, "name": "Olga", "is_employee": true}, {"id": 9, "name": "Petr"}]}])";
    auto out = planfix().decide("{" + event + R"(, "facts": {)" + history + "}}");
    CHECK(decision(out, "notification") == expected(R"({"kind": "notification", "policy": "rules/telegram.rules:28",
        "rule": "rules/telegram.rules:34", "value": [{"person": {"id": 8, "name": "Olga", "username": null,
        "phone": null, "is_employee": true, "has_access": false}, "reason": "recent_participant"}]})"));
    CHECK(decision(out, "routing").at("value") == expected(R"({"linked_task": {"chat": {"id": -100, "kind": "group",
        "title": "", "username": null}}})"));

    auto members_only = planfix().decide("{" + event + R"(, "settings": {"notify_only_chat_members": true},
        "facts": {"members": {"-100": [7]}, )" + history + "}}");
    CHECK(decision(members_only, "notification").at("value") == json::array());
    auto member = planfix().decide("{" + event + R"(, "settings": {"notify_only_chat_members": true},
        "facts": {"members": {"-100": [8]}, )" + history + "}}");
    CHECK(decision(member, "notification").at("value").as_array().size() == 1);
}

TEST_CASE("planfix: commands are asked only for a command", "[reference][planfix]") {
    auto start = planfix().decide(R"({"message": {"command": "start"}})");
    CHECK(decision(start, "command") == expected(R"({"kind": "command", "policy": "rules/telegram.rules:56",
        "rule": "rules/telegram.rules:57", "value": {"reply": {"text": "Hello! Write your question here and we will answer."}}})"));
    CHECK(decision(planfix().decide(R"({"message": {"command": "contact"}})"), "command").at("value") ==
          expected(R"({"add_contact": {}})"));
    CHECK(of_kind(planfix().decide(R"({"message": {"command": null}})"), "command").empty());
    CHECK(of_kind(planfix().decide(R"({"message": {"command": "start", "transport": "whatsapp"}})"), "command").empty());
}

TEST_CASE("cases that do not fit the schema are refused", "[reference][case]") {
    for (const char* bad : {
             R"({"mesage": {}})",
             R"({"message": {"chat": {"kind": "grp"}}})",
             R"({"message": {"sendr": {}}})",
             R"({"file": {"size": "5 mb"}})",
             R"({"file": {"size": 5.5}})",
             R"({"file": {"size": "99999999999 GB"}})",
             R"({"now": "2026-02-30T00:00:00Z"})",
             R"({"now": "2026-11-21 10:00:00Z"})",
             R"({"message": {"id": 9223372036854775808}})",
             R"({"message": {"text": 5}})",
             R"({"message": {"files": {}}})",
             R"({"message": null})",
             R"({"settings": {"nope": 1}})",
             R"({"settings": {"send_as_employee": "yes"}})",
             R"({"facts": {"members": {"01": [1]}}})",
             R"({"facts": {"roles": {"1": 1}}})",
             R"({"facts": {"history": [{"chat": {"kind": 1}}]}})",
             R"({"facts": {"other": []}})",
             R"([])",
         }) {
        INFO(bad);
        CHECK_THROWS_AS(planfix().decide(bad), std::runtime_error);
    }
}

TEST_CASE("policy choice: the higher priority, then the smallest scope", "[reference][scope]") {
    const std::string rules = R"(policy reopen {
    otherwise -> reopen
}
policy reopen via telegram {
    otherwise -> append
}
policy reopen in group priority 1 {
    otherwise -> new_task
}
policy reopen via whatsapp priority -1 {
    otherwise -> new_task
}
)";
    auto value = [&](std::string_view c) { return decision(decide_text(rules, c), "reopen").at("policy"); };
    CHECK(value("{}") == "test.rules:4");
    CHECK(value(R"({"message": {"chat": {"kind": "group"}}})") == "test.rules:7");
    CHECK(value(R"({"message": {"transport": "whatsapp"}})") == "test.rules:1");
    CHECK(of_kind(decide_text(rules, R"({"message": {"direction": "outbound"}})"), "reopen").empty());
}

TEST_CASE("a rule is located at the line where it starts", "[reference][scope]") {
    auto out = decide_text("\n\npolicy reopen for inbound\n{\n    when true\n        -> append\n    otherwise -> reopen\n}\n");
    CHECK(decision(out, "reopen") == expected(R"({"kind": "reopen", "policy": "test.rules:3", "rule": "test.rules:5",
        "value": "append"})"));
    CHECK(out.at("ruleset") == "test");  // without `ruleset`, the root file's stem
}

TEST_CASE("str() writes every type", "[reference][str]") {
    CHECK(text_of("str(5 MB)") == "5 MB");
    CHECK(text_of("str(1500 B)") == "1500 B");
    CHECK(text_of("str(1 KiB)") == "1024 B");
    CHECK(text_of("str(2 GiB)") == "2147483648 B");
    CHECK(text_of("str(3000 MB)") == "3 GB");
    CHECK(text_of("str(-(5 MB))") == "-5 MB");
    CHECK(text_of("str(0 B)") == "0 B");  // every unit divides zero: written in the smallest
    CHECK(text_of("str(24 h)") == "1 d");
    CHECK(text_of("str(90 min)") == "90 min");
    CHECK(text_of("str(120 s)") == "2 min");
    CHECK(text_of("str(1500 ms)") == "1500 ms");
    CHECK(text_of("str(0 ms)") == "0 ms");
    CHECK(text_of("str(-7)") == "-7");
    CHECK(text_of("str(true)") == "true");
    CHECK(text_of("str(\"text\")") == "text");
    CHECK(text_of("str(group)") == "group");
    CHECK(text_of("str(none)") == "none");
    CHECK(text_of("str(message.post.url)") == "none");
    CHECK(text_of("str(message.post.url)", R"({"message": {"post": {"url": "u"}}})") == "u");
    CHECK(text_of("str(message.chat)", R"({"message": {"chat": {"id": 5, "kind": "group", "title": "T"}}})") ==
          R"({id: 5, kind: group, title: "T", username: none})");
    CHECK(text_of("str(quick_reply(\"a\", \"b\\\"c\"))") == R"({name: "a", text: "b\"c"})");
    CHECK(text_of("str(refuse(\"x\"))") == R"(refuse("x"))");
    CHECK(text_of("str(send)") == "send(none, none)");
    CHECK(text_of("str(attach)") == "attach()");
    CHECK(text_of("str(thread(\"a\", 1, title: \"t\"))") == R"(thread("a", 1, "t", none, none, none))");
    CHECK(text_of("str(thread(1, assignees: [message.sender]))", R"({"message": {"sender": {"id": 3, "name": "N"}}})") ==
          R"(thread(1, none, none, [{id: 3, name: "N", username: none, phone: none, is_employee: false, has_access: false}], none))");
}

// A contact's fields are the rules' own: str() names them as the rules declare them, the ones
// the case leaves out at their defaults; its tags are a set, written as a set literal is.
TEST_CASE("str() of a contact and its fields", "[reference][str]") {
    const std::string rules = "contact_field tier: string = \"basic\"\ncontact_field orders: int? = none\n"
                              "contact_field vip: bool = false\n\n"
                              "policy auto_reply {\n    otherwise -> answer(str(contact) + \" / \" + str(contact.fields))\n}\n";
    auto text = [&](std::string_view case_text) {
        return std::string(decision(decide_text(rules, case_text), "auto_reply").at("value").at("answer").at("text").as_string());
    };
    CHECK(text(R"({"contact": {"name": "Ann", "tags": ["vip", "a, b"], "fields": {"tier": "gold", "orders": 3}}})") ==
          R"({id: 0, name: "Ann", username: none, phone: none, is_new: false, has_written: false, blocked_bot: false, )"
          R"(tags: {"vip", "a, b"}, fields: {tier: "gold", orders: 3, vip: false}} / {tier: "gold", orders: 3, vip: false})");
    CHECK(text("{}").ends_with(R"(tags: {}, fields: {tier: "basic", orders: none, vip: false}} / {tier: "basic", orders: none, vip: false})"));
}

TEST_CASE("str() of times", "[reference][str]") {
    auto time = [](std::string_view now) { return text_of("str(now)", R"({"now": )" + std::string(now) + "}"); };
    CHECK(time(R"("2026-11-21T10:00:00Z")") == "2026-11-21T10:00:00Z");
    CHECK(time("1795255200000") == "2026-11-21T10:00:00Z");
    CHECK(time("1795168799999") == "2026-11-20T09:59:59.999Z");
    CHECK(time(R"("2024-02-29T23:59:59.500Z")") == "2024-02-29T23:59:59.500Z");
    CHECK(time("0") == "1970-01-01T00:00:00Z");
    CHECK(time("-1000") == "1969-12-31T23:59:59Z");
    CHECK(time("-1") == "1969-12-31T23:59:59.999Z");
    CHECK(time("951868800001") == "2000-03-01T00:00:00.001Z");
    CHECK(time(R"("1900-01-01T00:00:00Z")") == "1900-01-01T00:00:00Z");
    CHECK(time("-2208988800000") == "1900-01-01T00:00:00Z");
    CHECK(text_of("str(now)") == "1970-01-01T00:00:00Z");
    CHECK(text_of("str(now - 1 d + 1 ms)") == "1969-12-31T00:00:00.001Z");
}

TEST_CASE("matching words, phrases and patterns", "[reference][text]") {
    CHECK(text_of("str(has_word(\"Ваш СЧЁТ-фактура\", \"счёт\"))") == "true");
    CHECK(text_of("str(has_word(\"invoices\", \"invoice\"))") == "false");
    CHECK(text_of("str(has_word(\"a_b\", \"a\"))") == "true");  // `_` separates words
    CHECK(text_of("str(has_phrase(\"new   start...\", \"New Start\"))") == "true");
    CHECK(text_of("str(has_phrase(\"start new\", \"new start\"))") == "false");
    CHECK(text_of("str(has_phrase(\"x\", \"!\"))") == "false");
    CHECK(text_of("str(matches(\"order #12\", \"order #[0-9]*\"))") == "true");
    CHECK(text_of("str(matches(\"Привет\", \"[!а-я]?ив*\"))") == "true");
    CHECK(text_of("str(matches(\"a]\", \"?[]]\"))") == "true");
    CHECK(text_of("str(matches(\"ab\", \"a\"))") == "false");
    CHECK(text_of("str(matches(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\", \"*a*a*a*a*a*a*a*a*a*c\"))") == "false");
}

TEST_CASE("functions written in rules", "[reference][functions]") {
    const std::string fns = "fn twice(s: string) -> string = s + s\n"
                            "fn greet(name: string, mark: string?) -> string = twice(name) + (mark ?? \".\")\n";
    CHECK(text_of("greet(\"a\", mark: \"!\")", "{}", fns) == "aa!");
    CHECK(text_of("greet(mark: none, name: message.text)", R"({"message": {"text": "b"}})", fns) == "bb.");
    CHECK(text_of("str(count([\"x\"] where twice(it) == \"xx\"))", "{}", fns) == "1");
}

TEST_CASE("text functions", "[reference][text]") {
    CHECK(text_of("lower(\"ПРИВЕТ ЁЖ Ґ À ABC Ѐ Џ\")") == "привет ёж ґ À abc ѐ џ");
    CHECK(text_of("str(length(\"Привет👍\"))") == "7");
    CHECK(text_of("str(length(\"\"))") == "0");
    CHECK(text_of("str(contains(\"abc\", \"\"))") == "true");
    CHECK(text_of("str(contains(\"Привет\", \"рив\"))") == "true");
    CHECK(text_of("str(starts_with(\"\", \"\"))") == "true");
    CHECK(text_of("str(ends_with(\"ab\", \"abc\"))") == "false");
    CHECK(text_of("str(contains(\"ABC\", \"b\"))") == "false");
    CHECK(text_of("\"a\" + \"б\"") == "aб");
    // Bytes order strings: uppercase before lowercase, Latin before Cyrillic, я (U+044F) before ё (U+0451).
    CHECK(text_of("str(\"Z\" < \"a\")") == "true");
    CHECK(text_of("str(\"z\" < \"À\")") == "true");
    CHECK(text_of("str(\"я\" < \"ё\")") == "true");
    CHECK(text_of("str(\"ab\" <= \"a\")") == "false");
}

TEST_CASE("integers wrap around", "[reference][arithmetic]") {
    CHECK(text_of("str(9223372036854775807 + 1)") == "-9223372036854775808");
    CHECK(text_of("str(-(-9223372036854775807 - 1))") == "-9223372036854775808");
    CHECK(text_of("str(-9223372036854775807 - 2)") == "9223372036854775807");
    CHECK(text_of("str(9223372036854775807 B + 1 B)") == "-9223372036854775808 B");
    CHECK(text_of("str(message.id - 1)", R"({"message": {"id": -9223372036854775808}})") == "9223372036854775807");
    CHECK(text_of("str(now - message.sent_at)", R"({"now": 1000, "message": {"sent_at": "1970-01-01T00:00:02Z"}})") ==
          "-1 s");
}

TEST_CASE("none propagates through fields, + and -", "[reference][none]") {
    CHECK(text_of("str(message.reply_to + 1)") == "none");
    CHECK(text_of("str(message.reply_to + 1)", R"({"message": {"reply_to": 5}})") == "6");
    CHECK(text_of("str(now - last_message_with(message.sender).sent_at)") == "none");
    CHECK(text_of("str(message.reply_to == none)") == "true");
    CHECK(text_of("str(message.reply_to == 0)") == "false");
    CHECK(text_of("str(message.post == none)", R"({"message": {"post": {}}})") == "false");
    CHECK(text_of("str(message.post.id ?? \"d\")") == "d");
    CHECK(text_of("str(none in [message.reply_to])") == "true");
}

TEST_CASE("sets hold each value once, where keeps the order", "[reference][collections]") {
    CHECK(text_of("str(count({1, 1, 2}))") == "2");
    CHECK(text_of("str(count([1, 1, 2]))") == "3");
    CHECK(text_of("str(count({message.sender, message.sender}))") == "1");
    const std::string setting = "setting s: set<string> = {\"a\", \"a\"}\n";
    CHECK(text_of("str(count(setting.s))", "{}", setting) == "1");
    CHECK(text_of("str(count(setting.s))", R"({"settings": {"s": ["x", "y", "x"]}})", setting) == "2");
    CHECK(text_of("str(count(setting.s where it != \"x\"))", R"({"settings": {"s": ["x", "y", "x"]}})", setting) ==
          "1");
    auto kept = decide_text("policy notification {\n    otherwise -> notify(message.mentions where it.id != 2, author)\n}\n",
                            R"({"message": {"mentions": [{"id": 3}, {"id": 1}, {"id": 2}, {"id": 1}]}})");
    auto notices = decision(kept, "notification").at("value").as_array();
    REQUIRE(notices.size() == 3);
    CHECK(notices[0].at("person").at("id") == 3);
    CHECK(notices[1].at("person").at("id") == 1);
    CHECK(notices[2].at("person").at("id") == 1);
    CHECK(text_of("str(count([] + [1] + []))") == "1");
    CHECK(text_of("str(2 in {1, 2} and 3 not in [1, 2])") == "true");
}

TEST_CASE("equality is structural", "[reference][equality]") {
    CHECK(text_of("str(refuse(\"a\") == refuse(\"a\"))") == "true");
    CHECK(text_of("str(refuse(\"a\") == refuse(\"b\"))") == "false");
    CHECK(text_of("str(send == send())") == "true");
    CHECK(text_of("str(send == send(reply_to: 1))") == "false");
    CHECK(text_of("str(thread(1, 2) == thread(1, 2))") == "true");
    CHECK(text_of("str(thread(1, 2) == thread(2, 1))") == "false");
    // A key that is not a string or number is keyed by its text; numbers by their amount.
    CHECK(text_of("str(thread(1 KB) == thread(1000))") == "true");
    CHECK(text_of("str(thread(true) == thread(\"true\"))") == "true");
    CHECK(text_of("str(thread(group) == thread(\"group\"))") == "true");
    CHECK(text_of("str(thread(group) == thread(\"channel\"))") == "false");
    CHECK(text_of("str(message.sender == integration.owner)") == "true");  // both at their defaults
    CHECK(text_of("str(message.sender == integration.owner)", R"({"message": {"sender": {"phone": "1"}}})") ==
          "false");
    CHECK(text_of("str(quick_reply(\"a\", \"b\") in [quick_reply(\"a\", \"b\")])") == "true");
}

TEST_CASE("fact queries", "[reference][facts]") {
    const std::string history = R"({"facts": {"history": [
        {"text": "first", "sender": {"id": 1}},
        {"text": "second", "sender": {"id": 2}, "participants": [{"id": 1}]},
        {"text": "third", "sender": {"id": 3}}]}, "message": {"sender": {"id": 1}}})";
    CHECK(text_of("last_message_with(message.sender).text ?? \"-\"", history) == "second");
    CHECK(text_of("last_message_with(integration.owner).text ?? \"-\"", history) == "-");
    CHECK(text_of("str(last_message_with(message.sender).sent_at)", history) == "1970-01-01T00:00:00Z");
    auto query = [&](const std::string& expr) {
        auto out = decide_text("policy delivery {\n    when " + expr + " -> internal\n    otherwise -> send\n}\n",
                               R"({"message": {"direction": "outbound", "sender": {"id": 7}, "chat": {"id": -1001234567890}},
                                   "task": {"id": 90},
                                   "facts": {"roles": {"90": [7]}, "members": {"-1001234567890": [8, 7]}}})");
        return decision(out, "delivery").at("value") == expected(R"({"internal": {}})");
    };
    CHECK(query("has_role(message.sender, task)"));
    CHECK_FALSE(query("has_role(integration.owner, task)"));
    CHECK(query("member_of(message.sender, message.chat)"));
    CHECK_FALSE(query("member_of(integration.owner, message.chat)"));
}

TEST_CASE("notify keeps duplicates, in order", "[reference][collections]") {
    auto out = decide_text("policy notification {\n    otherwise -> notify([message.sender, integration.owner, message.sender], author)\n}\n",
                           R"({"message": {"sender": {"id": 1}}})");
    auto value = decision(out, "notification").at("value").as_array();
    REQUIRE(value.size() == 3);
    CHECK(value[0].at("person").at("id") == 1);
    CHECK(value[1].at("person").at("id") == 0);
    CHECK(value[2].at("person").at("id") == 1);
    CHECK(value[2].at("reason") == "author");
}
