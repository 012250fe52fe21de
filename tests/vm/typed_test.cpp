// The engine's typed side: records written straight into a case, decisions read back by
// constructor, and the checks that keep both equal to the schema.
#include "runtime/engine/engine.hpp"
#include "runtime/engine/records.hpp"
#include "runtime/engine/typed.hpp"
#include "stdlib/enums.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
namespace records = engine::records;

TEST_CASE("the engine's enums, records, facts and kinds are the schema's", "[engine][typed]") {
    const auto& schema = stdlib::builtin_schema();
    CHECK(stdlib::check_enums(schema).empty());
    CHECK(records::check_records(schema).empty());
    CHECK_NOTHROW(records::RecordWriter(schema));
    CHECK_NOTHROW(engine::DecisionReader(schema));
    CHECK(stdlib::name_of(stdlib::ChatKind::private_chat) == "private");
    CHECK(stdlib::parse_enum<stdlib::Transport>("instagram") == stdlib::Transport::instagram);
    CHECK_FALSE(stdlib::parse_enum<stdlib::Transport>("viber"));
}

TEST_CASE("a schema the engine's structs no longer match is refused, naming the difference", "[engine][typed]") {
    stdlib::Schema renamed = stdlib::builtin_schema();
    renamed.record_mut(renamed.named_type("person")->decl).fields[1].name = "full_name";
    CHECK_THAT(records::check_records(renamed), Catch::Contains("record person: field 1 is `name` here and `full_name` in the schema"));
    CHECK_THROWS_WITH(records::RecordWriter(renamed), Catch::Contains("full_name"));

    stdlib::Schema empty;
    CHECK_THAT(stdlib::check_enums(empty), Catch::Contains("enum direction: not in the schema"));
    // A result constructor renamed or gone: the reader says which, before any message is decided.
    CHECK_THROWS_WITH(engine::DecisionReader(empty), Catch::Contains("`thread`"));
}

TEST_CASE("a case built from records decides as the same case read from JSON", "[engine][typed]") {
    auto image = testing::load_text(R"(
policy routing for inbound, echo {
    when message.chat.kind == group -> linked_task(message.chat)
    when contains(message.text, "spam") -> ignore("spam from " + message.sender.name)
    otherwise -> thread(message.channel.number, message.chat.id, title: message.sender.name, assignees: [message.sender])
}
policy notification for inbound {
    otherwise -> notify(message.mentions, mentioned)
}
)");
    engine::Engine engine(image);
    records::RecordWriter writer(image->schema());
    engine::DecisionReader reader(image->schema());
    engine::Case c(*image);

    std::vector<records::Person> mentions = {{7, "Ivan", "ivan", std::nullopt, true, true}};
    auto decide = [&](stdlib::ChatKind kind, std::string_view text) {
        c.clear();
        records::Message m;
        m.chat = {-1005, kind, "Support", std::nullopt};
        m.sender = {55, "Anna", "anna", std::nullopt, false, false};
        m.text = text;
        m.mentions = mentions;
        m.channel = {1, "Bot", "acme_bot", stdlib::Transport::telegram, false};
        c.set(engine::Fact::message, writer.message(c.arena(), m));
        return engine.decide(c);
    };

    const auto& decisions = decide(stdlib::ChatKind::private_chat, "hello");
    REQUIRE(decisions.size() == 2);
    auto route = reader.route(decisions[0].outcome.value);
    auto* thread = std::get_if<engine::ThreadRoute>(&route);
    REQUIRE(thread);
    // The key is stored as the JSON of the decision's keys: the same text `eval` shows.
    auto json = engine.to_json(decisions);
    CHECK(thread->key == boost::json::serialize(json.at("decisions").at(0).at("value").at("thread").at("key")));
    CHECK(thread->key == R"(["acme_bot",-1005])");
    CHECK(thread->title == "Anna");
    REQUIRE(thread->assignees.size() == 1);
    CHECK(thread->assignees[0].id == 55);
    CHECK_FALSE(thread->project);
    std::vector<engine::Notice> notices;
    engine::DecisionReader::notices(decisions[1].outcome.value, notices);
    REQUIRE(notices.size() == 1);
    CHECK(notices[0].person.name == "Ivan");
    CHECK(notices[0].reason == stdlib::NoticeReason::mentioned);

    auto linked = reader.route(decide(stdlib::ChatKind::group, "hello")[0].outcome.value);
    REQUIRE(std::holds_alternative<engine::LinkedTaskRoute>(linked));
    CHECK(std::get<engine::LinkedTaskRoute>(linked).chat_id == -1005);
    auto ignored = reader.route(decide(stdlib::ChatKind::private_chat, "spam!")[0].outcome.value);
    REQUIRE(std::holds_alternative<engine::IgnoreRoute>(ignored));
    CHECK(std::get<engine::IgnoreRoute>(ignored).reason == "spam from Anna");
}

TEST_CASE("facts_read names only the facts the chosen policies' code reads", "[engine][typed]") {
    auto image = testing::load_text(R"(
policy routing for inbound, echo {
    otherwise -> thread(message.chat.id)
}
policy notification for inbound {
    otherwise -> notify(task.assignees, assignee)
}
policy reopen for inbound {
    when conversation.expects_reply -> reopen
    otherwise -> new_task
}
)");
    testing::RecordCase r(image);
    auto& engine = r.engine;
    const auto& c = r.kase;
    using engine::bit;
    using engine::Fact;
    using engine::Kind;
    CHECK(engine.facts_read(c, bit(Kind::routing)) == bit(Fact::message));
    CHECK(engine.facts_read(c, bit(Kind::notification)) == (bit(Fact::message) | bit(Fact::task)));
    CHECK(engine.facts_read(c, bit(Kind::reopen)) == (bit(Fact::message) | bit(Fact::conversation)));
    // Only the kinds asked run.
    CHECK(engine.decide(c, {.explain = false, .budget = vm::default_budget, .kinds = bit(Kind::reopen)}).size() == 1);
}

TEST_CASE("a policy that can defer (`-> next`) makes the engine load the facts of the one below", "[engine][typed]") {
    auto image = testing::load_text(R"(
policy reopen for inbound priority 1 {
    when message.edited -> append
    otherwise           -> next
}
policy reopen for inbound {
    when conversation.expects_reply -> reopen
    otherwise                       -> new_task
}
policy notification for inbound priority 1 {
    otherwise -> []
}
policy notification for inbound {
    otherwise -> notify(task.assignees, assignee)
}
)");
    testing::RecordCase r(image);
    auto& engine = r.engine;
    const auto& c = r.kase;
    using engine::bit;
    using engine::Fact;
    using engine::Kind;
    // reopen may defer to the policy that reads `conversation`; notification's first never defers.
    CHECK(engine.facts_read(c, bit(Kind::reopen)) == (bit(Fact::message) | bit(Fact::conversation)));
    CHECK(engine.facts_read(c, bit(Kind::notification)) == bit(Fact::message));
    const auto& decisions = engine.decide(c, {.explain = false, .budget = vm::default_budget, .kinds = bit(Kind::reopen)});
    REQUIRE(decisions.size() == 1);
    CHECK(decisions[0].outcome.ok());
    CHECK(decisions[0].policy == 1);
    REQUIRE(decisions[0].deferred.size() == 1);
    CHECK(decisions[0].deferred[0].policy == 0);
    CHECK(decisions[0].deferred[0].rule == 1);
}
