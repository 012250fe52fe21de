// The facts of issue 12 in case files (what a `test` block cannot give: times), and the fields
// of a fact that the chosen policies read (Engine::fields_read), by which the worker leaves out
// the parts of a fact that cost a query of their own.
#include "runtime/engine/engine.hpp"
#include "runtime/engine/records.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
namespace records = engine::records;

namespace {

std::string reopen_of(const std::string& case_json) {
    constexpr std::string_view rules = R"(policy reopen for inbound {
    when count(task.history where it.status == completed) >= 2 -> new_task
    when task.completed_at == none -> append
    when now - task.completed_at ?? 7 d < 7 d -> reopen
    otherwise -> new_task
}
)";
    auto out = testing::vm_decide(rules, boost::json::parse(case_json), "test.rules");
    for (const auto& d : out.at("decisions").as_array())
        if (d.at("kind") == "reopen") return std::string(d.at("value").as_string());
    FAIL("no reopen decision in " << boost::json::serialize(out));
    return {};
}

std::string completed(const std::string& at, const std::string& history = "[]") {
    return R"({"now": "2026-11-21T10:00:00Z", "task": {"status": "completed", "completed_at": )" + at +
           R"(, "history": )" + history + "}}";
}

}  // namespace

TEST_CASE("task.completed_at and task.history in a case file", "[vm][facts]") {
    CHECK(reopen_of(completed("null")) == "append");
    CHECK(reopen_of(completed("\"2026-11-20T10:00:00Z\"")) == "reopen");
    CHECK(reopen_of(completed("\"2026-11-14T10:00:00Z\"")) == "new_task");
    CHECK(reopen_of(completed("\"2026-11-20T10:00:00Z\"",
                              R"([{"status": "completed", "at": "2026-11-01T10:00:00Z", "by": {"id": 2, "name": "Olga"}},
                                  {"status": "active", "at": "2026-11-02T10:00:00Z", "by": null},
                                  {"status": "completed", "at": "2026-11-20T10:00:00Z"}])")) == "new_task");
}

TEST_CASE("fields_read names the fields of a fact that the chosen policies read", "[engine][facts]") {
    auto image = testing::load_text(R"(
policy routing for inbound, echo {
    otherwise -> thread(message.chat.id)
}
policy notification for inbound {
    when "vip" in contact.tags -> notify(task.assignees, assignee)
    otherwise -> []
}
policy reopen for inbound {
    when task.status == completed and empty(task.history) -> reopen
    otherwise -> new_task
}
policy delivery for outbound {
    when has_role(message.sender, task) -> send
    otherwise -> internal
}
policy alert {
    when last_message_with(notice.person) == none and str(task) == "" -> tracker_only
    otherwise -> bot_message
}
)");
    testing::RecordCase r(image);
    auto& engine = r.engine;
    auto& c = r.kase;
    const auto& schema = image->schema();
    auto field = [&](std::string_view record, std::string_view name) {
        return engine::FieldSet(1) << engine::field_slot(schema, record, name);
    };
    using engine::bit;
    using engine::Fact;
    using engine::Kind;
    // The notification reads two fields of task and contact, not the history.
    CHECK(engine.fields_read(c, bit(Kind::notification), Fact::task) == field("task", "assignees"));
    CHECK(engine.fields_read(c, bit(Kind::notification), Fact::contact) == field("contact", "tags"));
    CHECK(engine.fields_read(c, bit(Kind::reopen), Fact::task) == (field("task", "status") | field("task", "history")));
    CHECK(engine.fields_read(c, bit(Kind::routing), Fact::task) == 0);
    CHECK(engine.fields_read(c, bit(Kind::notification) | bit(Kind::reopen), Fact::task) ==
          (field("task", "assignees") | field("task", "status") | field("task", "history")));
    // A fact query given the task reads its id; a comparison of the whole task, any field.
    records::Message m;
    m.direction = stdlib::Direction::outbound;
    r.set_message(m);
    CHECK(engine.fields_read(c, bit(Kind::delivery), Fact::task) == field("task", "id"));
    CHECK(engine.fields_read(c, bit(Kind::alert), Fact::task) == ~engine::FieldSet(0));
}
