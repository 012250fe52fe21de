// Failed outbox rows (outbox_failed.cpp): listed across tasks with their reason, paged, and sent
// again: queued, attempts from 0, due at once, and the comment's delivery summary written anew.
#include "tests/worker/worker_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;

namespace {

// A task with an employee's comments to Anna, each sent as one outbox row.
struct Outbound {
    Outbound() : store(db.path()) {
        auto work = store.begin_work();
        task = work.create_task({std::nullopt, std::nullopt, "Anna", "", std::nullopt, {{"employee", 2, "Olga"}}, t0()});
        work.commit();
    }
    // A comment with one row (or `parts` rows), queued; the rows' ids.
    std::vector<std::int64_t> reply(const std::string& text, int parts = 1) {
        auto work = store.begin_work();
        last_comment = work.add_comment(queued_reply(task, text));
        std::vector<std::int64_t> rows;
        for (int part = 0; part < parts; ++part) rows.push_back(work.enqueue(reply_row(task, last_comment, part, R"({"chat_id":55,"text":"x"})")));
        work.commit();
        return rows;
    }
    // Three attempts, the last refused at `at`.
    void fail(std::int64_t row, const std::string& why, std::int64_t at) {
        auto work = store.begin_work();
        for (int i = 0; i < 3; ++i) work.outbox_sending(row, at - 100);
        work.outbox_failed(row, why, at);
        work.commit();
    }
    std::string delivery_state(std::int64_t comment) {
        auto work = store.begin_work();
        return work.comment(comment)->delivery_status.value_or("none");
    }
    store::OutboxRow row(std::int64_t comment, std::size_t index = 0) { return store.outbox_of_comment(comment).at(index); }

    TempDb db;
    store::Store store;
    std::int64_t task = 0;
    std::int64_t last_comment = 0;
};

}  // namespace

TEST_CASE("failed outbox rows are listed oldest first with their comment, task, chat, reason and attempts", "[store][outbox]") {
    Outbound o;
    auto sent = o.reply("sent")[0];
    auto first = o.reply("refused")[0];
    auto first_comment = o.last_comment;
    o.reply("waiting");  // queued: not listed
    auto second = o.reply("given up")[0];
    {
        auto work = o.store.begin_work();
        work.outbox_sent(sent, "70", t0());
        work.commit();
    }
    o.fail(second, "gave up after 3 attempts; the last: 502 Bad Gateway", t0() + 9000);
    o.fail(first, "Forbidden: bot was blocked by the user", t0() + 5000);
    auto rows = o.store.failed_outbox();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].id == first);
    CHECK(rows[0].comment == first_comment);
    CHECK(rows[0].task == o.task);
    CHECK(rows[0].integration == "tg");
    CHECK(rows[0].chat == "55");
    CHECK(rows[0].method == "sendMessage");
    CHECK(rows[0].error == "Forbidden: bot was blocked by the user");
    CHECK(rows[0].attempts == 3);
    CHECK(rows[0].failed_at_ms == t0() + 5000);
    CHECK(rows[1].id == second);
    CHECK(rows[1].failed_at_ms == t0() + 9000);

    SECTION("paged by limit and after") {
        auto page = o.store.failed_outbox(1);
        REQUIRE(page.size() == 1);
        CHECK(page[0].id == first);
        auto next = o.store.failed_outbox(1, page[0].id);
        REQUIRE(next.size() == 1);
        CHECK(next[0].id == second);
        CHECK(o.store.failed_outbox(1, second).empty());
    }
}

TEST_CASE("a failed outbox row re-queued is due at once, its attempts from 0, its comment queued again", "[store][outbox]") {
    Outbound o;
    auto row = o.reply("refused")[0];
    auto comment = o.last_comment;
    o.fail(row, "Bad Gateway", t0() + 5000);
    REQUIRE(o.delivery_state(comment) == "failed");
    REQUIRE(o.store.outbox_stats().depth == 0);

    CHECK(o.store.requeue_outbox(row, t0() + 60000) == store::Requeue::requeued);
    auto r = o.row(comment);
    CHECK(r.state == "queued");
    CHECK(r.attempts == 0);
    CHECK(r.not_before == t0() + 60000);
    CHECK(r.error == "Bad Gateway");  // the last attempt's reason, until a new one
    CHECK(o.delivery_state(comment) == "queued");
    CHECK(o.store.failed_outbox().empty());
    CHECK(o.store.outbox_stats().depth == 1);
    {
        auto work = o.store.begin_work();
        auto due = work.outbox_heads(t0() + 60000, 10);
        REQUIRE(due.size() == 1);
        CHECK(due[0].id == row);
        CHECK(work.outbox_heads(t0() + 59999, 10).empty());
    }
    auto delivery = o.store.task(o.task)->at("comments").as_array()[0].as_object().at("delivery").as_object();
    CHECK(delivery.at("state") == "queued");
    CHECK(delivery.at("error").is_null());

    SECTION("a second re-queue finds nothing failed") {
        CHECK(o.store.requeue_outbox(row, t0() + 61000) == store::Requeue::not_failed);
        CHECK(o.row(comment).not_before == t0() + 60000);
    }
}

TEST_CASE("a re-queued part leaves its comment failed while another part still is", "[store][outbox]") {
    Outbound o;
    auto rows = o.reply("long", 2);
    auto comment = o.last_comment;
    o.fail(rows[0], "first refused", t0() + 1000);
    o.fail(rows[1], "second refused", t0() + 2000);
    CHECK(o.store.requeue_outbox(rows[0], t0() + 3000) == store::Requeue::requeued);
    CHECK(o.delivery_state(comment) == "failed");
    auto delivery = o.store.task(o.task)->at("comments").as_array()[0].as_object().at("delivery").as_object();
    CHECK(delivery.at("error") == "second refused");
    CHECK(o.store.requeue_outbox(rows[1], t0() + 3000) == store::Requeue::requeued);
    CHECK(o.delivery_state(comment) == "queued");
}

TEST_CASE("only a failed outbox row can be re-queued", "[store][outbox]") {
    Outbound o;
    auto rows = o.reply("a", 1);
    auto sent = o.reply("b", 1)[0];
    {
        auto work = o.store.begin_work();
        work.outbox_sent(sent, "71", t0());
        work.commit();
    }
    CHECK(o.store.requeue_outbox(rows[0], t0()) == store::Requeue::not_failed);  // queued
    CHECK(o.store.requeue_outbox(sent, t0()) == store::Requeue::not_failed);
    CHECK(o.store.requeue_outbox(9999, t0()) == store::Requeue::not_failed);
    CHECK(o.row(o.last_comment).state == "sent");
    CHECK(o.store.outbox_stats().depth == 1);
}
