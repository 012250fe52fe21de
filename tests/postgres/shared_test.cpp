// Several stores on one PostgreSQL database, as several servers share one (issue 16,
// runtime/store/claims.cpp): a body's key makes one row whichever server accepts it; workers
// take rows by lanes, never two rows of one conversation at once nor out of order; a closed
// store's lanes and duties are taken over.
#include "runtime/store/migrations.hpp"
#include "runtime/store/postgres.hpp"
#include "runtime/store/work.hpp"
#include "tests/support/postgres_or_skip.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

using namespace switchyard;
using namespace switchyard::store;

namespace {

std::optional<std::string> database_uri() {
    auto* server = testing::postgres_or_skip();
    if (!server) return std::nullopt;
    return server->new_database_uri();
}

InboxKeys lanes(std::vector<std::string> lanes, std::string key = "") { return InboxKeys{std::move(key), std::move(lanes)}; }

std::vector<std::int64_t> ids_of(const std::vector<InboxRow>& rows) {
    std::vector<std::int64_t> ids;
    for (const auto& r : rows) ids.push_back(r.id);
    return ids;
}

using Ids = std::vector<std::int64_t>;

// Whether `holds` becomes true within five seconds.
template <typename Check>
bool eventually(Check holds) {
    for (int i = 0; i < 100; ++i) {
        if (holds()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace

TEST_CASE("shared store: a body delivered to two servers is one row, by its key", "[postgres]") {
    auto uri = database_uri();
    if (!uri) return;
    Store a(*uri), b(*uri);
    CHECK(a.shared());
    auto first = a.accept("tg", "update 7", 1, lanes({"tg chat 1"}, "tg:k7"));
    auto again = b.accept("tg", "update 7", 2, lanes({"tg chat 1"}, "tg:k7"));
    CHECK(again == first);
    auto other = b.accept("tg", "update 8", 3, lanes({"tg chat 1"}, "tg:k8"));
    CHECK(other > first);
    // A body without a key is kept whatever else came.
    CHECK(a.accept("tg", "no key", 4) != a.accept("tg", "no key", 5));

    std::vector<Accepted> answers;
    b.accept_async("tg", "update 7", 6, lanes({}, "tg:k7"), [&](Accepted x) { answers.push_back(std::move(x)); });
    b.drain_accepts();
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].duplicate);
    CHECK(answers[0].id == first);
    CHECK(a.counts().received == 4);
    CHECK(b.counts().received == 4);
}

TEST_CASE("shared store: workers take rows by lanes, in order, never one conversation twice at once", "[postgres]") {
    auto uri = database_uri();
    if (!uri) return;
    Store a(*uri), b(*uri);
    auto r1 = a.accept("tg", "1", 1, lanes({"chat A"}));
    auto r2 = b.accept("tg", "2", 1, lanes({"chat A"}));
    auto r3 = a.accept("tg", "3", 1, lanes({"chat B"}));
    auto r4 = b.accept("tg", "4", 1, lanes({"chat A"}));
    auto r5 = a.accept("tg", "5", 1, lanes({"chat C", "chat B"}));  // a body of two chats (Wazzup)
    auto r6 = a.accept("tg", "6", 1, lanes({"chat C"}));
    auto r7 = b.accept("tg", "7", 1, lanes({}));

    auto first = a.begin_work();
    CHECK(ids_of(first.next_pending(1)) == Ids{r1});
    {
        auto second = b.begin_work();
        // Row 1's lane is held: rows 2 and 4 wait behind it; 3, 5, 6 and 7 are free.
        auto rows = second.next_pending(10);
        REQUIRE(ids_of(rows) == Ids{r3, r5, r6, r7});
        CHECK(rows[0].body == "3");
        // A third worker finds nothing it may take: every lane is held.
        Store c(*uri);
        auto third = c.begin_work();
        CHECK(third.next_pending(10).empty());
        for (auto id : {r3, r5}) second.finish(id, "done", "", 2);
        second.commit();  // 6 and 7 were not finished: they stay queued
    }
    first.finish(r1, "done", "", 2);
    // Within one Work the next rows of a lane it holds come in order.
    CHECK(ids_of(first.next_pending(2)) == Ids{r2, r4});
    first.finish(r2, "done", "", 2);
    first.finish(r4, "done", "", 2);
    CHECK(ids_of(first.next_pending(10)) == Ids{r6, r7});
    first.commit();
    auto c = a.counts();
    CHECK(c.processed == 5);
    CHECK(c.received == 7);
}

TEST_CASE("shared store: a server gone lets its rows and its duties go to another", "[postgres]") {
    auto uri = database_uri();
    if (!uri) return;
    Store b(*uri);
    std::int64_t row = 0;
    {
        Store a(*uri);
        row = a.accept("tg", "1", 1, lanes({"chat A"}));
        CHECK(a.leads(Duty::outbound));
        CHECK_FALSE(b.leads(Duty::outbound));
        auto work = a.begin_work();
        CHECK(ids_of(work.next_pending(5)) == Ids{row});
        CHECK(b.begin_work().next_pending(5).empty());
        work.finish(row, "done", "", 1);
        // Closed mid-transaction, as a killed server's connections end: nothing it did is kept.
    }
    // Its backends end a moment after its connections close, and their locks with them.
    CHECK(eventually([&] { return b.leads(Duty::outbound); }));
    CHECK(eventually([&] { return ids_of(b.begin_work().next_pending(5)) == Ids{row}; }));
}

TEST_CASE("shared store: a failed row put back is queued again with its lanes", "[postgres]") {
    auto uri = database_uri();
    if (!uri) return;
    Store a(*uri), b(*uri);
    auto row = a.accept("tg", "bad", 1, lanes({"chat A"}));
    {
        auto work = a.begin_work();
        REQUIRE(ids_of(work.next_pending(5)) == Ids{row});
        work.finish(row, "failed", "the body cannot be read", 2);
        work.commit();
    }
    CHECK(a.counts().failed == 1);
    CHECK(b.requeue_failed(row, 3) == Requeue::requeued);
    auto later = a.accept("tg", "later", 4, lanes({"chat A"}));
    auto work = a.begin_work();
    auto rows = work.next_pending(5);
    REQUIRE(ids_of(rows) == Ids{row, later});
    CHECK(rows[0].requeued);
    CHECK_FALSE(rows[1].requeued);
}

TEST_CASE("shared store: rows waiting when the queue came (inbox migration 2) are queued", "[postgres]") {
    auto uri = database_uri();
    if (!uri) return;
    {
        // A database of one server, before the shared queue: rows 1 and 2 finished, 3 and 4 not.
        pg::PgConnection c(*uri);
        auto schema = postgres_schema();
        migrate(c, *uri, schema.inbox.first(1), "inbox_migrations");
        migrate(c, *uri, schema.tracker, "schema_migrations");
        c.exec("INSERT INTO inbox (integration, received_at, body) VALUES ('tg', 1, 'a'), ('tg', 1, 'b'), ('tg', 1, 'c'),"
               " ('tg', 1, 'd'); INSERT INTO inbox_link (inbox_file, start_after) SELECT identity, 0 FROM inbox_file;"
               " INSERT INTO inbox_state (id, state, processed_at) VALUES (1, 'done', 1), (2, 'failed', 1);"
               " INSERT INTO inbox_requeued (id, requeued_at, reason) VALUES (2, 1, 'x'); DELETE FROM inbox_state WHERE id = 2");
    }
    Store s(*uri);
    CHECK(s.schema_version().inbox == 2);
    auto work = s.begin_work();
    auto rows = work.next_pending(10);
    CHECK(ids_of(rows) == Ids{2, 3, 4});
    CHECK(rows[0].requeued);
}

TEST_CASE("shared store: servers started together on a new database migrate it once", "[postgres]") {
    auto uri = database_uri();
    if (!uri) return;
    std::vector<std::unique_ptr<Store>> stores(3);
    std::vector<std::string> errors(3);
    std::vector<std::thread> starting;
    for (std::size_t i = 0; i < stores.size(); ++i)
        starting.emplace_back([&, i] {
            try {
                stores[i] = std::make_unique<Store>(*uri);
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    for (auto& t : starting) t.join();
    for (std::size_t i = 0; i < stores.size(); ++i) {
        INFO(errors[i]);
        REQUIRE(stores[i]);
        CHECK(stores[i]->schema_version().tracker == static_cast<int>(current_schema().tracker.size()));
    }
}

TEST_CASE("shared store: a row still held by a dying server's transaction is not overtaken by the next of its lane", "[postgres]") {
    auto uri = database_uri();
    if (!uri) return;
    Store s(*uri);
    auto first = s.accept("tg", "1", 1, lanes({"chat A"}));
    auto second = s.accept("tg", "2", 1, lanes({"chat A"}));
    auto other = s.accept("tg", "3", 1, lanes({"chat B"}));
    // A killed server whose lanes went with its first connection, while its transaction, on
    // another, still holds the row it took.
    pg::PgConnection dying(*uri);
    sql::Transaction held(dying);
    sql::Query(dying, "SELECT id FROM inbox_queue WHERE id = ? FOR UPDATE").bind(first).run();

    {
        auto work = s.begin_work();
        CHECK(work.next_pending(10).empty());  // neither row 1, held, nor row 2 behind it
    }
    held.commit();  // rolled back, or gone: the row is free again
    auto work = s.begin_work();
    CHECK(ids_of(work.next_pending(10)) == Ids{first, second, other});
}
