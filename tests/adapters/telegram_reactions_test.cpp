// Telegram's message_reaction updates into reaction events (T6): the fixtures, custom emoji,
// several reactions at once, and a reaction replaced by another.
#include "tests/adapters/telegram_support.hpp"

using namespace switchyard;
using namespace switchyard::adapters;
using switchyard::testing::only_event;

namespace {

const TelegramContext& context = testing::telegram_context;

Parsed parse_fixture(const std::string& name) { return testing::parse_telegram_fixture(name); }

}  // namespace

TEST_CASE("fixture: a reaction by a known user", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_message_reaction__teloxide.json"), EventType::reaction);
    CHECK(event.dedup_key == "tg:tg1:update:71651249");
    const auto& r = event.reaction;
    CHECK(r.chat_external_id == "-1002184233434");
    CHECK(r.message_number == 35);
    CHECK(r.emoji == "🌭");
    CHECK(r.added);
    CHECK_FALSE(r.anonymous);
    REQUIRE(r.by);
    CHECK(r.by->external_id == "1459074222");
    CHECK(r.by->name == "shadowchain");
    CHECK(r.by->username == "shdwchn10");
    CHECK(r.at_ms == 1721306082000);
}

TEST_CASE("fixture: an anonymous admin removes a reaction", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_message_reaction_anonymous__teloxide.json"), EventType::reaction);
    CHECK(event.dedup_key == "tg:tg1:update:767844136");
    const auto& r = event.reaction;
    CHECK(r.chat_external_id == "-1002199793788");
    CHECK(r.message_number == 2);
    CHECK_FALSE(r.added);
    CHECK(r.emoji == "❤");  // for a removal, the emoji taken away
    CHECK(r.anonymous);
    CHECK_FALSE(r.by);
    CHECK(r.at_ms == 1723798597000);
}

TEST_CASE("fixture: reaction counts are not handled", "[telegram]") {
    auto parsed = parse_fixture("telegram_message_reaction_count__teloxide.json");
    CHECK(parsed.events.empty());
    CHECK(parsed.ignored == "unknown update type \"message_reaction_count\"");
}

// --- mentions and UTF-16 offsets ----------------------------------------------------------

namespace {

// A message_reaction update of a known user, from the old set of reactions to the new (JSON arrays).
Parsed reaction_update(const std::string& removed, const std::string& added) {
    return parse_telegram(R"({"update_id": 17, "message_reaction": {"chat": {"id": -100, "type": "supergroup"},
        "message_id": 8, "user": {"id": 1, "first_name": "A"}, "date": 1,
        "old_reaction": )" + removed + R"(, "new_reaction": )" + added + "}}",
                          context);
}

// Each reaction event of an update as `+emoji` (set) or `-emoji` (taken away), in order.
std::vector<std::string> changes(const Parsed& parsed) {
    std::vector<std::string> out;
    for (const auto& e : parsed.events) {
        REQUIRE(e.type == EventType::reaction);
        out.push_back((e.reaction.added ? "+" : "-") + e.reaction.emoji);
    }
    return out;
}

}  // namespace

TEST_CASE("reactions: custom emoji and several reactions", "[telegram]") {
    auto reaction = [](const std::string& added, const std::string& removed) {
        return only_event(reaction_update(removed, added), EventType::reaction).reaction;
    };
    auto custom = reaction(R"([{"type": "custom_emoji", "custom_emoji_id": "5368324170671202286"}])", "[]");
    CHECK(custom.added);
    CHECK(custom.emoji.empty());
    auto removed = reaction("[]", R"([{"type": "emoji", "emoji": "👍"}])");
    CHECK_FALSE(removed.added);
    CHECK_FALSE(removed.anonymous);
    CHECK(removed.emoji == "👍");
    // Several set at once: one event each (a paid reaction has no emoji), keyed apart.
    auto mixed = reaction_update("[]", R"([{"type": "paid"}, {"type": "emoji", "emoji": "👍"}, {"type": "emoji", "emoji": "🔥"}])");
    CHECK(changes(mixed) == std::vector<std::string>{"+", "+👍", "+🔥"});
    CHECK(mixed.events[0].dedup_key == "tg:tg1:update:17");
    CHECK(mixed.events[2].dedup_key == "tg:tg1:update:17:3");
}

TEST_CASE("reactions: a replaced reaction is the removal of the old and the addition of the new", "[telegram][T6]") {
    const std::string thumbs_up = R"({"type": "emoji", "emoji": "👍"})";
    const std::string thumbs_down = R"({"type": "emoji", "emoji": "👎"})";
    const std::string fire = R"({"type": "emoji", "emoji": "🔥"})";
    // Telegram sends the person's whole sets: only what differs is a change, the removals first.
    auto replaced = reaction_update("[" + thumbs_up + "]", "[" + thumbs_down + "]");
    CHECK(changes(replaced) == std::vector<std::string>{"-👍", "+👎"});
    CHECK(replaced.ignored.empty());
    CHECK(replaced.events[0].dedup_key == "tg:tg1:update:17");
    CHECK(replaced.events[1].dedup_key == "tg:tg1:update:17:2");
    for (const auto& e : replaced.events) {
        CHECK(e.reaction.message_number == 8);
        REQUIRE(e.reaction.by);
        CHECK(e.reaction.by->external_id == "1");
    }
    auto one_more = reaction_update("[" + thumbs_up + "]", "[" + thumbs_up + ", " + fire + "]");
    CHECK(changes(one_more) == std::vector<std::string>{"+🔥"});
    auto one_less = reaction_update("[" + fire + ", " + thumbs_up + "]", "[" + thumbs_up + "]");
    CHECK(changes(one_less) == std::vector<std::string>{"-🔥"});
    // Custom emoji are told apart by their id, though neither has an emoji to show.
    auto custom = [](const char* id) { return std::string(R"({"type": "custom_emoji", "custom_emoji_id": ")") + id + "\"}"; };
    CHECK(changes(reaction_update("[" + custom("1") + "]", "[" + custom("2") + "]")) == std::vector<std::string>{"-", "+"});
    // The same sets again change nothing: ignored, with the reason.
    auto same = reaction_update("[" + thumbs_up + "]", "[" + thumbs_up + "]");
    CHECK(same.events.empty());
    CHECK(same.ignored == "a reaction update that changes no reaction");
}

// --- files --------------------------------------------------------------------------------

