// Replay (issue 15): the worker records what each decision read; a candidate ruleset decides
// those recordings again. The ruleset that decided must find nothing changed, a changed rule
// must find exactly the events it changes, and what was not recorded must be said, not guessed.
#include "tests/worker/worker_support.hpp"

#include "runtime/replay/replay.hpp"
#include "runtime/store/recorded.hpp"

#include <fstream>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

std::int64_t only_task_of(Bench& b, const std::string& contact) {
    for (const auto& t : b.store().tasks())
        if (str(t.at("contact").at("name")) == contact) return t.at("id").as_int64();
    FAIL("no task of " << contact);
    return 0;
}

// A day of traffic through the shipped rules: private and group Telegram messages (the group's
// notifications ask member_of, has_role and last_message_with), a file, a reaction, WhatsApp
// and Instagram.
void traffic(Bench& b) {
    b.deliver("tg", {tg_private(1, anna, 10, "Hello, I need help")});
    b.deliver("tg", {tg_private(2, anna, 11, "Are you there?")});
    auto with_file = tg_private(3, boris, 12, "The invoice");
    with_file.message.files.push_back(file("invoice.pdf", "pdf", 120'000, "document"));
    b.deliver("tg", {with_file});
    b.store().link_chat("tg", "-100777", only_task_of(b, "Anna"), t0());  // T3
    b.deliver("tg", {tg_group(4, -100777, anna, 13, "Hi all")});
    b.deliver("tg", {tg_group(5, -100777, olga_tg, 14, "Hi Anna")});
    b.deliver("tg", {tg_group(6, -100777, anna, 15, "Any news?")});
    b.deliver("tg", {tg_reaction(7, 55, 10, anna, "👍")});
    b.deliver("wz", {wz_message("m-1", "whatsapp", "79001112233", "Vera", "Добрый день", "ch-wa-1")});
    b.deliver("wz", {wz_message("m-2", "instagram", "vera.shop", "Vera", "Price?", "ch-ig-1")});
}

replay::Report replay_with(Bench& b, std::shared_ptr<const engine::Ruleset> candidate, store::LogFilter filter = {},
                           replay::Options options = {}) {
    replay::Replayer replayer(candidate->image, candidate->version, b.config(), options);
    store::RecordedLog log(b.path());
    log.each(filter, [&](const store::RecordedRow& row) { replayer.row(row); });
    return replayer.report();
}

// The shipped rules copied to a folder of their own with one text of one file replaced, compiled.
std::shared_ptr<const engine::Ruleset> shipped_with(const std::string& file, const std::string& from, const std::string& to) {
    source_dir();
    auto dir = std::filesystem::temp_directory_path() / ("switchyard-candidate-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::filesystem::copy(std::filesystem::path(SWITCHYARD_SOURCE_DIR) / "rules", dir / "rules",
                          std::filesystem::copy_options::recursive);
    std::ifstream in(dir / "rules" / file);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    std::ofstream(dir / "rules" / file, std::ios::trunc) << text;
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> errors;
    auto ws = compiler::load_workspace({(dir / "rules" / "planfix.rules").string()}, bag, errors);
    auto module = compiler::compile(ws, bag);
    REQUIRE(errors.empty());
    REQUIRE(module);
    std::filesystem::remove_all(dir);
    return ruleset_from(std::move(*module));
}

std::size_t decision_rows(Bench& b) { return static_cast<std::size_t>(b.store().counts().decisions); }

}  // namespace

TEST_CASE("replay: the ruleset that decided finds every event of its log decided alike", "[replay][R2]") {
    Bench b;
    traffic(b);
    auto report = replay_with(b, shipped_rules());
    INFO(replay::to_text(report));
    CHECK(report.candidate_version == shipped_rules()->version);
    CHECK(report.replayed == decision_rows(b));
    CHECK(report.replayed >= 9);
    CHECK(report.unreplayable == 0);
    CHECK(report.unrecorded == 0);
    CHECK(report.changed == 0);
    CHECK(report.changes.empty());
    // The group's notifications asked fact queries, and later asks reused facts of earlier ones.
    std::string all;
    store::RecordedLog(b.path()).each({}, [&](const store::RecordedRow& row) { all += row.cases; });
    for (const char* part : {"\"member_of\"", "\"last_message_with\"", "\"same\""})
        CHECK(all.find(part) != std::string::npos);
}

TEST_CASE("replay: a changed task title changes the routing of private Telegram messages only", "[replay][T1]") {
    Bench b;
    traffic(b);
    auto candidate = shipped_with("telegram.rules", "\" (telegram, \"", "\" [telegram, \"");
    auto report = replay_with(b, candidate);
    CHECK(report.unreplayable == 0);
    CHECK(report.replayed == decision_rows(b));
    // Three private messages were routed with the title; group messages go to a linked task.
    CHECK(report.changed == 3);
    CHECK(report.changed_by_kind == std::map<std::string, std::size_t>{{"routing", 3}});
    REQUIRE(report.changes.size() == 3);
    const auto& first = report.changes[0];
    CHECK(first.event.event == "tg:tg:update:1");
    CHECK(first.event.integration == "tg");
    CHECK(first.event.sender == "Anna");
    CHECK(first.event.text == "Hello, I need help");
    REQUIRE(first.changes.size() == 1);
    const auto& change = first.changes[0];
    CHECK(change.kind == "routing");
    CHECK(change.before.at("value").at("thread").at("title") == "Anna (telegram, telegram_bot, @acme_bot)");
    CHECK(change.after.at("value").at("thread").at("title") == "Anna [telegram, telegram_bot, @acme_bot)");
    CHECK(change.before_rule.starts_with("rules/telegram.rules:"));
    CHECK(change.after_rule.ends_with(change.before_rule.substr(std::string("rules/").size())));

    auto json = replay::to_json(report);
    CHECK(json.at("summary").at("changed") == 3);
    CHECK(json.at("summary").at("changed_by_rule").as_array().size() == 1);
    auto text = replay::to_text(report);
    CHECK(text.find("event tg:tg:update:1") != std::string::npos);
    CHECK(text.find("replayed " + std::to_string(decision_rows(b)) + " events, 3 changed") != std::string::npos);
}

TEST_CASE("replay: the same rows and candidate give the same report, and a sample is the same rows each time", "[replay]") {
    Bench b;
    traffic(b);
    auto candidate = shipped_with("telegram.rules", "\" (telegram, \"", "\" [telegram, \"");
    auto once = replay::to_json(replay_with(b, candidate));
    auto again = replay::to_json(replay_with(b, candidate));
    CHECK(once == again);
    auto half = replay_with(b, candidate, {}, {0.5, 1000});
    auto half_again = replay_with(b, candidate, {}, {0.5, 1000});
    CHECK(replay::to_json(half) == replay::to_json(half_again));
    CHECK(half.replayed < decision_rows(b));
    std::size_t picked = 0;
    for (std::int64_t id = 1; id <= 10'000; ++id) picked += replay::sampled(id, 0.25) ? 1 : 0;
    CHECK(picked > 2300);
    CHECK(picked < 2700);
}

TEST_CASE("replay: the filters choose the rows: an integration, the latest N, a time range", "[replay]") {
    Bench b;
    traffic(b);
    store::LogFilter wazzup;
    wazzup.integration = "wz";
    CHECK(replay_with(b, shipped_rules(), wazzup).replayed == 2);
    store::LogFilter last;
    last.last = 3;
    auto latest = replay_with(b, shipped_rules(), last, {1.0, 1000});
    CHECK(latest.replayed == 3);
    store::LogFilter none;
    none.until = 0;
    CHECK(replay_with(b, shipped_rules(), none).replayed == 0);
}

TEST_CASE("replay: a candidate that reads what was not recorded is not replayed, and says what it lacks", "[replay]") {
    Bench b;
    traffic(b);
    // The shipped private-chat notification reads no tags; this one does.
    auto candidate = rules_from_text(R"(import "rules/planfix.rules"

policy notification for inbound via telegram in private priority 10 {
    when "vip" in contact.tags -> notify(task.assignees, assignee)
    otherwise -> notify(task.assignees, assignee)
}
)");
    auto report = replay_with(b, candidate);
    CHECK(report.unreplayable == 3);  // the three private messages that reached notification
    REQUIRE_FALSE(report.unreplayed.empty());
    // The shipped notification read no contact at all.
    CHECK(report.unreplayed[0].reason == "the candidate reads contact, which the recording does not hold");
    CHECK(report.unreplayable_by_reason.size() == 1);
}

TEST_CASE("replay: a field that the worker left out because nothing read it is not made up", "[replay]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    // The shipped notification reads the task's assignees, not its status history.
    auto candidate = rules_from_text(R"(import "rules/planfix.rules"

policy notification for inbound via telegram in private priority 10 {
    when any(task.history) -> notify(task.assignees, assignee)
    otherwise -> notify([], assignee)
}
)");
    auto report = replay_with(b, candidate);
    CHECK(report.unreplayable == 1);
    REQUIRE(report.unreplayed.size() == 1);
    CHECK(report.unreplayed[0].reason == "the candidate reads task.history, which the recording does not hold");
}

TEST_CASE("replay: a candidate that asks a fact query the rules did not ask is not replayed", "[replay]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto candidate = rules_from_text(R"(import "rules/planfix.rules"

policy notification for inbound via telegram in private priority 10 {
    when has_role(message.sender, task) -> notify(task.assignees, assignee)
    otherwise -> notify([], assignee)
}
)");
    auto report = replay_with(b, candidate);
    CHECK(report.unreplayable == 1);
    REQUIRE(report.unreplayed.size() == 1);
    CHECK(report.unreplayed[0].reason.starts_with("the candidate asks has_role(person "));
}

TEST_CASE("replay: rows logged before cases were recorded are counted apart, not replayed", "[replay]") {
    Bench b;
    replay::Replayer replayer(shipped_rules()->image, shipped_rules()->version, b.config());
    store::RecordedRow old;
    old.id = 1;
    old.decisions = R"({"ruleset":"planfix","decisions":[]})";
    replayer.row(old);
    CHECK(replayer.report().unrecorded == 1);
    CHECK(replayer.report().replayed == 0);
}
