// The store's record of rulesets (tracker migration 11): the rulesets that have served, kept
// once per version with their bytes, and the events with who and why, written through a Work.
#include "tests/worker/worker_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

const store::RulesetActor olga{"employee", 2, "Olga"};
const store::RulesetActor files{"configuration", std::nullopt, "configuration"};

store::RulesetEvent event(store::RulesetAction action, std::string version, std::int64_t at, store::RulesetActor by) {
    store::RulesetEvent e;
    e.action = action;
    e.version = std::move(version);
    e.at = at;
    e.by = std::move(by);
    return e;
}

}  // namespace

TEST_CASE("a ruleset is kept once per version, with its bytes as they came and who served it first", "[store][rulesets]") {
    TempDb db;
    store::Store s(db.path());
    std::string bytes("SWYDRULE\0\x05 bytes that are not UTF-8: \xff\xfe", 34);
    {
        auto work = s.begin_work();
        CHECK(work.keep_ruleset({"00000000000000aa", "planfix", 1000, files}, bytes));
        CHECK_FALSE(work.keep_ruleset({"00000000000000aa", "planfix", 5000, olga}, "other bytes"));
        CHECK(work.keep_ruleset({"00000000000000bb", "planfix", 2000, olga}, "bb"));
        work.commit();
    }
    auto all = s.rulesets();
    REQUIRE(all.size() == 2);
    CHECK(all[0].version == "00000000000000bb");  // newest first
    CHECK(all[1].first_served_at == 1000);        // the first record stands
    CHECK(all[1].first_served_by.kind == "configuration");
    CHECK_FALSE(all[1].first_served_by.id);
    auto kept = s.ruleset("00000000000000aa");
    REQUIRE(kept);
    CHECK(kept->compiled == bytes);
    CHECK(s.ruleset("00000000000000bb")->record.first_served_by.id == 2);
    CHECK_FALSE(s.ruleset("00000000000000cc"));
}

TEST_CASE("ruleset events are listed newest first, a page at a time, and say what decides the next start", "[store][rulesets]") {
    TempDb db;
    store::Store s(db.path());
    {
        auto work = s.begin_work();
        auto none = work.ruleset_state();
        CHECK_FALSE(none.last_configured);
        CHECK_FALSE(none.last_served);
        auto configured = event(store::RulesetAction::configured, "00000000000000aa", 1000, files);
        configured.detail = "compiled from `rules`";
        work.record_ruleset_event(configured);
        auto publish = event(store::RulesetAction::publish, "00000000000000bb", 2000, olga);
        publish.previous = "00000000000000aa";
        publish.reason = "the new greeting";
        work.record_ruleset_event(publish);
        store::RulesetEvent refusal = event(store::RulesetAction::refuse, "", 3000, olga);
        refusal.version.reset();
        refusal.attempted = store::RulesetAction::publish;
        refusal.detail = "checksum mismatch";
        work.record_ruleset_event(refusal);
        auto state = work.ruleset_state();
        REQUIRE(state.last_configured);
        CHECK(state.last_configured->version == "00000000000000aa");
        REQUIRE(state.last_served);
        CHECK(state.last_served->action == store::RulesetAction::publish);  // a refusal served nothing
        work.commit();
    }
    auto events = s.ruleset_events();
    REQUIRE(events.size() == 3);
    CHECK(events[0].action == store::RulesetAction::refuse);
    CHECK(events[0].attempted == store::RulesetAction::publish);
    CHECK_FALSE(events[0].version);
    CHECK(events[0].detail == "checksum mismatch");
    CHECK(events[1].reason == "the new greeting");
    CHECK(events[1].previous == "00000000000000aa");
    CHECK(events[1].by.name == "Olga");
    CHECK(events[2].detail == "compiled from `rules`");
    auto page = s.ruleset_events(1, events[0].id);
    REQUIRE(page.size() == 1);
    CHECK(page[0].id == events[1].id);
    CHECK(store::name_of(store::RulesetAction::rollback) == "rollback");
}

TEST_CASE("an event the schema does not allow is refused by the database", "[store][rulesets]") {
    TempDb db;
    store::Store s(db.path());
    auto work = s.begin_work();
    CHECK_THROWS_AS(work.record_ruleset_event(event(store::RulesetAction::publish, "x", 1, {"nobody", std::nullopt, "?"})),
                    store::StoreError);
}
