// The store's libpq layer (runtime/store/postgres.hpp) against a real PostgreSQL 15 that the
// tests start themselves (tests/support/postgres.hpp): the ground the PostgreSQL store is built
// on (issue 16).
#include "runtime/store/postgres.hpp"
#include "tests/support/postgres.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::store;

namespace {

// The test's own database; none (and the test says why) where PostgreSQL is not installed.
std::optional<std::string> database() {
    auto* server = testing::TestPostgres::shared();
    if (!server) {
        WARN("skipped: " << testing::TestPostgres::why());
        return std::nullopt;
    }
    return server->new_database();
}

}  // namespace

TEST_CASE("postgres: `?` placeholders are numbered, but not inside strings, quoted names or comments", "[postgres]") {
    CHECK(pg::numbered_placeholders("SELECT ? + ?") == "SELECT $1 + $2");
    CHECK(pg::numbered_placeholders("SELECT '?', 'it''s ?', \"a?\", ? -- why?\n, ? /* ? */") ==
          "SELECT '?', 'it''s ?', \"a?\", $1 -- why?\n, $2 /* ? */");
    CHECK(pg::numbered_placeholders("INSERT INTO t VALUES (?, ?, ?)") == "INSERT INTO t VALUES ($1, $2, $3)");
}

TEST_CASE("postgres: a connection string is shown without its password", "[postgres]") {
    CHECK(pg::without_password("postgresql://sy:s3cret@db.example/sy") == "postgresql://sy@db.example/sy");
    CHECK(pg::without_password("host=db user=sy password=s3cret dbname=sy") == "host=db user=sy password=… dbname=sy");
    CHECK(pg::without_password("host=db password='a b' dbname=sy") == "host=db password=… dbname=sy");
    CHECK(pg::without_password("postgresql://db/sy") == "postgresql://db/sy");
}

TEST_CASE("postgres: a database that cannot be reached is named in the error, its password left out", "[postgres]") {
    try {
        pg::Connection c("host=/nonexistent-folder dbname=sy user=sy password=s3cret connect_timeout=2");
        FAIL("connected");
    } catch (const StoreError& e) {
        std::string what = e.what();
        INFO(what);
        CHECK(what.starts_with("cannot connect to the database host=/nonexistent-folder dbname=sy user=sy password=… "
                               "connect_timeout=2: connection to server on socket \"/nonexistent-folder/.s.PGSQL.5432\" failed: "
                               "No such file or directory Is the server running locally"));
        CHECK(what.find("s3cret") == std::string::npos);
    }
}

TEST_CASE("postgres: parameters and columns round-trip: integers, text, NULL, booleans", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::Connection c(*db);
    c.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, done BOOLEAN NOT NULL)");
    const std::string name = "Анна 👍 'quoted' ?";
    CHECK(pg::Query(c, "INSERT INTO t (id, name, done) VALUES (?, ?, ?)").bind(std::int64_t{1} << 40, name, true).run() == 1);
    pg::Query(c, "INSERT INTO t (id, name, done) VALUES (?, ?, ?)").bind(2, std::optional<std::string>(), false).run();
    pg::Query q(c, "SELECT id, name, done FROM t ORDER BY id DESC");
    REQUIRE(q.step());
    CHECK(q.integer(0) == std::int64_t{1} << 40);
    CHECK(q.text(1) == name);
    CHECK(q.integer(2) == 1);
    REQUIRE(q.step());
    CHECK(q.optional_text(1) == std::nullopt);
    CHECK(q.is_null(1));
    CHECK(q.integer(2) == 0);
    CHECK_FALSE(q.step());
    CHECK(pg::Query(c, "UPDATE t SET done = ? WHERE id > ?").bind(true, 0).run() == 2);
}

TEST_CASE("postgres: a statement is prepared once per connection, however often it runs", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::Connection c(*db);
    for (int i = 0; i < 5; ++i) {
        pg::Query q(c, "SELECT ? + 1");
        q.bind(i);
        REQUIRE(q.step());
        CHECK(q.integer(0) == i + 1);
    }
    CHECK(c.prepared_count() == 1);
    pg::Query q(c, "SELECT count(*) FROM pg_prepared_statements");
    REQUIRE(q.step());
    CHECK(q.integer(0) == 2);  // that one and this one
}

TEST_CASE("postgres: a transaction left without commit rolls back, and a duplicate key is told apart", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::Connection c(*db);
    c.exec("CREATE TABLE seen (key TEXT PRIMARY KEY)");
    try {
        pg::Transaction t(c);
        pg::Query(c, "INSERT INTO seen (key) VALUES (?)").bind("a").run();
        pg::Query(c, "INSERT INTO seen (key) VALUES (?)").bind("a").run();
        t.commit();
        FAIL("a duplicate was stored");
    } catch (const pg::Error& e) {
        CHECK(e.unique_violation());
        CHECK(std::string(e.what()).find("duplicate key value violates unique constraint \"seen_pkey\"") != std::string::npos);
    }
    pg::Query count(c, "SELECT count(*) FROM seen");
    REQUIRE(count.step());
    CHECK(count.integer(0) == 0);

    {
        pg::Transaction t(c);
        pg::Query(c, "INSERT INTO seen (key) VALUES (?)").bind("b").run();
        t.commit();
    }
    pg::Query after(c, "SELECT key FROM seen");
    REQUIRE(after.step());
    CHECK(after.text(0) == "b");
}

TEST_CASE("postgres: FOR UPDATE SKIP LOCKED lets two workers take different rows", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::Connection first(*db), second(*db);
    first.exec("CREATE TABLE inbox (id BIGINT PRIMARY KEY); INSERT INTO inbox VALUES (1), (2)");
    constexpr const char* take = "SELECT id FROM inbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
    pg::Transaction a(first);
    pg::Query one(first, take);
    REQUIRE(one.step());
    CHECK(one.integer(0) == 1);
    pg::Transaction b(second);
    pg::Query other(second, take);
    REQUIRE(other.step());
    CHECK(other.integer(0) == 2);  // row 1 is held by the first: skipped, not waited for
}
