// Known answers: small rule files, one case each, and the decision the VM must give. Each
// program exercises one corner of lowering and the interpreter.
#include "tests/support.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;

namespace {

// The value of the one decision of `kind` for `case_json`.
boost::json::value decide(std::string_view rules, std::string_view kind, std::string_view case_json = "{}") {
    auto out = testing::vm_decide(rules, boost::json::parse(case_json), "test.rules");
    for (const auto& d : out.at("decisions").as_array()) {
        const auto& o = d.as_object();
        if (o.at("kind").as_string() == kind) {
            INFO(boost::json::serialize(o));
            REQUIRE(o.contains("value"));
            return o.at("value");
        }
    }
    FAIL("no `" << kind << "` decision in " << boost::json::serialize(out));
    return nullptr;
}

std::string routing_title(std::string_view title_expr, std::string_view case_json = "{}") {
    std::string rules = "policy routing for inbound {\n    otherwise -> thread(1, title: " + std::string(title_expr) + ")\n}\n";
    auto v = decide(rules, "routing", case_json);
    return std::string(v.at("thread").at("title").as_string());
}

}  // namespace

TEST_CASE("first match: the first rule whose condition holds decides", "[vm]") {
    std::string rules = R"(policy attachment for inbound {
    when file.size > 10 MB -> reject("big")
    when file.size > 1 MB  -> link
    otherwise              -> attach
}
)";
    auto file = [](const char* size) { return std::string(R"({"message": {"files": [{"size": ")") + size + R"("}]}})"; };
    CHECK(boost::json::serialize(decide(rules, "attachment", file("20 MB"))) == R"({"reject":{"reason":"big"}})");
    CHECK(boost::json::serialize(decide(rules, "attachment", file("2 MB"))) == R"({"link":{}})");
    CHECK(boost::json::serialize(decide(rules, "attachment", file("2 KB"))) == R"({"attach":{}})");
}

TEST_CASE("strings: concatenation, str of every type, lower and length", "[vm]") {
    CHECK(routing_title(R"("a" + "b" + message.text)", R"({"message": {"text": "c"}})") == "abc");
    // An empty string in the middle of a chain (found by the loader fuzzer under UBSan).
    CHECK(routing_title(R"(message.sender.name + message.text + "!")", R"({"message": {"sender": {"name": "Ann"}}})") == "Ann!");
    CHECK(routing_title("str(message.sent_at)", R"({"message": {"sent_at": "2026-11-21T10:00:00Z"}})") ==
          "2026-11-21T10:00:00Z");
    CHECK(routing_title("str(message.sent_at)", R"({"message": {"sent_at": 1500}})") == "1970-01-01T00:00:01.500Z");
    CHECK(routing_title("str(5 MB) + \" \" + str(1500 B) + \" \" + str(24 h) + \" \" + str(90 s) + \" \" + str(1500 ms)") ==
          "5 MB 1500 B 1 d 90 s 1500 ms");
    CHECK(routing_title("str(message.chat.kind) + str(message.edited) + str(-3)", R"({"message": {"chat": {"kind": "group"}}})") ==
          "groupfalse-3");
    CHECK(routing_title("str(message.command)") == "none");
    CHECK(routing_title("lower(message.text)", R"({"message": {"text": "ПРИВЕТ Ёж ҐІЇЄ ABC ß"}})") == "привет ёж ґіїє abc ß");
    CHECK(routing_title("str(length(message.text))", R"({"message": {"text": "Ёж🙂a"}})") == "4");
    CHECK(routing_title("str(message.chat)", R"({"message": {"chat": {"id": 5, "title": "T \"q\""}}})") ==
          R"({id: 5, kind: private, title: "T \"q\"", username: none})");
}

TEST_CASE("none propagates through fields and arithmetic; ?? gives the default", "[vm]") {
    std::string rules = R"(policy delivery for outbound {
    when now - conversation.last_inbound_at ?? 0 ms > 24 h -> refuse("late")
    when conversation.last_inbound_at == none               -> refuse("never")
    otherwise                                               -> send(signature: message.post.url ?? "no post")
}
)";
    auto kase = [](const char* last) {
        return std::string(R"({"message": {"direction": "outbound"}, "now": "2026-11-21T10:00:00Z", "conversation": {"last_inbound_at": )") +
               last + "}}";
    };
    CHECK(boost::json::serialize(decide(rules, "delivery", kase("null"))) == R"({"refuse":{"reason":"never"}})");
    CHECK(boost::json::serialize(decide(rules, "delivery", kase("\"2026-11-19T10:00:00Z\""))) == R"({"refuse":{"reason":"late"}})");
    CHECK(boost::json::serialize(decide(rules, "delivery", kase("\"2026-11-21T09:00:00Z\""))) ==
          R"({"send":{"signature":"no post","reply_to":null}})");
}

TEST_CASE("integers wrap around at 64 bits", "[vm]") {
    CHECK(routing_title("str(message.id + 1)", R"({"message": {"id": 9223372036854775807}})") == "-9223372036854775808");
    CHECK(routing_title("str(0 - message.id - 2)", R"({"message": {"id": 9223372036854775807}})") == "9223372036854775807");
}

TEST_CASE("membership: enum masks, number and string tables, and lists", "[vm]") {
    std::string rules = R"(setting vips: list<string> = ["boss"]
policy reopen for inbound {
    when message.chat.kind in {group, channel}            -> append
    when message.id in {3, 1, 2, 3}                       -> reopen
    when lower(message.text) not in {"", "hi", "hello"}   -> new_task
    when message.sender.username ?? "" in setting.vips    -> reopen
    otherwise                                             -> append
}
)";
    CHECK(decide(rules, "reopen", R"({"message": {"chat": {"kind": "channel"}}})") == "append");
    CHECK(decide(rules, "reopen", R"({"message": {"id": 2, "text": "hi"}})") == "reopen");
    CHECK(decide(rules, "reopen", R"({"message": {"id": 7, "text": "Help"}})") == "new_task");
    CHECK(decide(rules, "reopen", R"({"message": {"id": 7, "text": "HELLO", "sender": {"username": "boss"}}})") == "reopen");
    CHECK(decide(rules, "reopen", R"({"message": {"id": 7, "text": "HELLO"}, "settings": {"vips": []}})") == "append");
}

TEST_CASE("where filters in order; nested where sees the inner item", "[vm]") {
    std::string rules = R"(policy notification for inbound {
    let staff = message.mentions where it.is_employee and any(task.assignees where it.id != 0)
    otherwise -> notify(staff + [message.sender], mentioned)
}
)";
    auto v = decide(rules, "notification",
                    R"({"message": {"sender": {"id": 9, "name": "S"}, "mentions": [{"id": 1, "name": "A", "is_employee": true},
                        {"id": 2, "name": "B"}, {"id": 3, "name": "C", "is_employee": true}]},
                        "task": {"assignees": [{"id": 4}]}})");
    std::vector<std::int64_t> ids;
    for (const auto& n : v.as_array()) ids.push_back(n.at("person").at("id").as_int64());
    CHECK(ids == std::vector<std::int64_t>{1, 3, 9});
}

TEST_CASE("sets drop duplicates; thread keys become text unless strings or numbers", "[vm]") {
    std::string rules = R"(policy routing for inbound {
    otherwise -> thread(message.chat.kind, message.chat.id, message.text, title: str(count({message.text, message.text, "x"})))
}
)";
    auto v = decide(rules, "routing", R"({"message": {"chat": {"id": 12, "kind": "group"}, "text": "x"}})");
    CHECK(boost::json::serialize(v.at("thread").at("key")) == R"(["group",12,"x"])");
    CHECK(v.at("thread").at("title") == "1");
}

TEST_CASE("settings take their defaults, or the case's values", "[vm]") {
    std::string rules = R"(setting limit: size = 5 MB
setting mode: reopen_action = reopen
policy reopen for inbound {
    when message.id > 100 -> setting.mode
    otherwise             -> new_task
}
policy attachment for inbound {
    when file.size < setting.limit -> attach
    otherwise                      -> link
}
)";
    CHECK(decide(rules, "reopen", R"({"message": {"id": 101}})") == "reopen");
    CHECK(decide(rules, "reopen", R"({"message": {"id": 101}, "settings": {"mode": "append"}})") == "append");
    CHECK(boost::json::serialize(decide(rules, "attachment", R"({"file": {"size": "6 MB"}, "settings": {"limit": "10 MB"}})")) ==
          R"({"attach":{}})");
}

TEST_CASE("the most specific policy applies, and priority wins", "[vm]") {
    std::string rules = R"(policy reopen for inbound {
    otherwise -> new_task
}
policy reopen for inbound via telegram {
    otherwise -> reopen
}
policy reopen for inbound in group priority 1 {
    otherwise -> append
}
)";
    CHECK(decide(rules, "reopen", R"({"message": {"transport": "whatsapp"}})") == "new_task");
    CHECK(decide(rules, "reopen", R"({"message": {"transport": "telegram"}})") == "reopen");
    CHECK(decide(rules, "reopen", R"({"message": {"transport": "telegram", "chat": {"kind": "group"}}})") == "append");
}

TEST_CASE("fact queries read the case's facts", "[vm]") {
    std::string rules = R"(policy notification for inbound {
    let last = last_message_with(message.sender)
    otherwise -> notify(
        (last.participants ?? []) where member_of(it, message.chat) and has_role(it, task),
        recent_participant,
    )
}
)";
    auto v = decide(rules, "notification", R"({
        "message": {"sender": {"id": 5}, "chat": {"id": -7}}, "task": {"id": 3},
        "facts": {"members": {"-7": [1, 2]}, "roles": {"3": [2, 4]},
                  "history": [{"sender": {"id": 5}, "participants": [{"id": 1}, {"id": 2}, {"id": 4}]},
                              {"sender": {"id": 6}, "participants": [{"id": 9}]}]}})");
    REQUIRE(v.as_array().size() == 1);
    CHECK(v.as_array()[0].at("person").at("id") == 2);
}
