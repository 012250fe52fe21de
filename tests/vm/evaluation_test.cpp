// Known answers that need a case file: times, fact queries and the order of lists, which a
// `test` block cannot give or compare. Everything a `test` block can say is in
// tests/language/, as data.
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

TEST_CASE("times given as text or milliseconds print as UTC", "[vm]") {
    CHECK(routing_title("str(message.sent_at)", R"({"message": {"sent_at": "2026-11-21T10:00:00Z"}})") ==
          "2026-11-21T10:00:00Z");
    CHECK(routing_title("str(message.sent_at)", R"({"message": {"sent_at": 1500}})") == "1970-01-01T00:00:01.500Z");
}

TEST_CASE("none propagates through fields and arithmetic, ?? gives the default", "[vm]") {
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

TEST_CASE("where filters in order, nested where sees the inner item", "[vm]") {
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
