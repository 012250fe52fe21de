// T6 in the worker on the shipped rules: Telegram reactions into likes of the matching comment,
// and how they live beside the likes made in the tracker.
#include "tests/worker/worker_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;

TEST_CASE("T6: a positive reaction likes the matching comment, removing it unlikes", "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = only_task(b);
    b.deliver("tg", {tg_reaction(2, 55, 10, anna, "👍")});
    auto likes = b.comments(task)[0].at("likes").as_array();
    REQUIRE(likes.size() == 1);
    CHECK(likes[0].at("emoji") == "👍");
    CHECK(likes[0].at("person").at("name") == "Anna");

    b.deliver("tg", {tg_reaction(3, 55, 10, anna, "👍", false)});
    CHECK(b.comments(task)[0].at("likes").as_array().empty());

    b.deliver("tg", {tg_reaction(4, 55, 10, anna, "💩")});  // not a positive reaction: skip
    CHECK(b.comments(task)[0].at("likes").as_array().empty());
    b.deliver("tg", {tg_reaction(5, 55, 10, std::nullopt, "👍")});  // an anonymous admin: skip
    CHECK(b.comments(task)[0].at("likes").as_array().empty());

    // Each reaction decided is in the task's log, newest first.
    auto log = b.store().decisions(task);
    REQUIRE(log.size() == 5);
    CHECK(log[0].at("decisions").at("decisions").as_array()[0].at("value") == "skip");
    CHECK(log[3].at("decisions").at("decisions").as_array()[0].at("value") == "like");

    // A reaction to a message that is no comment is noted and skipped.
    b.deliver("tg", {tg_reaction(6, 55, 999, anna, "👍")});
    CHECK(b.store().counts().decisions == 5);
}

namespace {

std::vector<std::string> likes_of(Bench& b, std::int64_t task) {
    std::vector<std::string> out;
    auto comments = b.comments(task);
    for (const auto& like : comments[0].at("likes").as_array()) {
        const auto& o = like.as_object();
        out.push_back(str(o.at("person").at("name")) + ":" + str(o.at("emoji")) + (o.contains("from") ? "@telegram" : ""));
    }
    return out;
}

std::vector<std::string> history_of(Bench& b, std::int64_t task) {
    std::vector<std::string> out;
    auto t = b.task(task);
    for (const auto& h : t.at("history").as_array())
        out.push_back(str(h.at("action")) + ":" + str(h.at("detail").at("emoji")));
    return out;
}

}  // namespace

TEST_CASE("T6: a reaction likes once per emoji, apart from the tracker's likes, and only a change is in the history",
          "[worker]") {
    Bench b;
    b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto task = only_task(b);
    {
        // Olga likes it in the tracker: the like the bot's reaction stands for.
        auto work = b.store().begin_work();
        CHECK(work.like(b.comments(task)[0].at("id").as_int64(), {"employee", 2, "Olga"}, "👍", store::LikeSource::tracker, t0()));
        work.commit();
    }
    b.deliver("tg", {tg_reaction(2, 55, 10, anna, "👍")});
    b.deliver("tg", {tg_reaction(3, 55, 10, anna, "👍")});  // reported again: no second like
    b.deliver("tg", {tg_reaction(4, 55, 10, anna, "🔥")});  // a second reaction: a like of its own
    // Olga reacts 👍 from her own Telegram account: a like beside hers in the tracker.
    b.deliver("tg", {tg_reaction(5, 55, 10, olga_tg, "👍")});
    CHECK(likes_of(b, task) == std::vector<std::string>{"Olga:👍", "Anna:👍@telegram", "Anna:🔥@telegram", "Olga:👍@telegram"});

    b.deliver("tg", {tg_reaction(6, 55, 10, anna, "👎", false)});  // taken away, but it made no like
    b.deliver("tg", {tg_reaction(7, 55, 10, anna, "👍", false)});  // her 🔥 stays
    b.deliver("tg", {tg_reaction(8, 55, 10, olga_tg, "👍", false)});  // takes back her Telegram like only
    CHECK(likes_of(b, task) == std::vector<std::string>{"Olga:👍", "Anna:🔥@telegram"});
    // The tracker's like was written here, not through the API: the history has the reactions.
    CHECK(history_of(b, task) == std::vector<std::string>{"like:👍", "like:🔥", "like:👍", "unlike:👍", "unlike:👍"});
    auto work = b.store().begin_work();
    CHECK(work.tracker_likes(b.comments(task)[0].at("id").as_int64()) == 1);
}
