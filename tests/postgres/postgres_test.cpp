// The store's statements on PostgreSQL (runtime/store/postgres.hpp, issue 16) against a real
// PostgreSQL 15 that the tests start themselves (tests/support/postgres.hpp): the same
// sql::Query, Transaction and Savepoint the SQLite store runs, on the same texts.
#include "runtime/store/migrations.hpp"
#include "runtime/store/postgres.hpp"
#include "runtime/store/sqlite.hpp"
#include "tests/support/postgres_or_skip.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>

using namespace switchyard;
using namespace switchyard::store;

namespace {

// The test's own database; none (and the test says why) where PostgreSQL is not installed.
std::optional<std::string> database() {
    auto* server = testing::postgres_or_skip();
    if (!server) return std::nullopt;
    return server->new_database();
}

}  // namespace

TEST_CASE("postgres: `?` placeholders are numbered, but not inside strings, quoted names or comments", "[postgres]") {
    CHECK(pg::numbered_placeholders("SELECT ? + ?") == "SELECT $1 + $2");
    CHECK(pg::numbered_placeholders("SELECT '?', 'it''s ?', \"a?\", ? -- why?\n, ? /* ? */") ==
          "SELECT '?', 'it''s ?', \"a?\", $1 -- why?\n, $2 /* ? */");
    CHECK(pg::numbered_placeholders("INSERT INTO t VALUES (?, ?, ?)") == "INSERT INTO t VALUES ($1, $2, $3)");
    CHECK(pg::numbered_placeholders("WHERE (?1 IS NULL OR at >= ?1) AND id = ?12") == "WHERE ($1 IS NULL OR at >= $1) AND id = $12");
}

TEST_CASE("postgres: a connection string is shown without its password", "[postgres]") {
    CHECK(pg::without_password("postgresql://sy:s3cret@db.example/sy") == "postgresql://sy@db.example/sy");
    CHECK(pg::without_password("host=db user=sy password=s3cret dbname=sy") == "host=db user=sy password=… dbname=sy");
    CHECK(pg::without_password("host=db password='a b' dbname=sy") == "host=db password=… dbname=sy");
    CHECK(pg::without_password("postgresql://db/sy") == "postgresql://db/sy");
}

TEST_CASE("postgres: a database that cannot be reached is named in the error, its password left out", "[postgres]") {
    try {
        pg::PgConnection c("host=/nonexistent-folder dbname=sy user=sy password=s3cret connect_timeout=2");
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

TEST_CASE("postgres: parameters and columns round-trip: integers, text, NULL, booleans, bytes", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::PgConnection c(*db);
    c.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, done BOOLEAN NOT NULL, body BYTEA)");
    const std::string name = "Анна 👍 'quoted' ?";
    const std::string bytes("\0\x01\xff\\x00 not hex", 15);
    sql::Query(c, "INSERT INTO t (id, name, done, body) VALUES (?, ?, ?, ?)")
        .bind(std::int64_t{1} << 40, name, true)
        .bind_blob(4, bytes)
        .run();
    CHECK(c.changes() == 1);
    sql::Query(c, "INSERT INTO t (id, name, done) VALUES (?, ?, ?)").bind(2, std::optional<std::string>(), false).run();
    sql::Query q(c, "SELECT id, name, done, body FROM t ORDER BY id DESC");
    REQUIRE(q.step());
    CHECK(q.integer(0) == std::int64_t{1} << 40);
    CHECK(q.text(1) == name);
    CHECK(q.integer(2) == 1);
    CHECK(q.text(3) == bytes);
    REQUIRE(q.step());
    CHECK(q.optional_text(1) == std::nullopt);
    CHECK(q.is_null(1));
    CHECK(q.integer(2) == 0);
    CHECK(q.optional_text(3) == std::nullopt);
    CHECK_FALSE(q.step());
    sql::Query(c, "UPDATE t SET done = ? WHERE id > ?").bind(true, 0).run();
    CHECK(c.changes() == 2);
}

TEST_CASE("postgres: a statement is prepared once per connection, however often it runs", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::PgConnection c(*db);
    for (int i = 0; i < 5; ++i) {
        sql::Query q(c, "SELECT ? + 1");
        q.bind(i);
        REQUIRE(q.step());
        CHECK(q.integer(0) == i + 1);
    }
    CHECK(c.statement_runs() == std::map<std::string, std::int64_t>{{"SELECT ? + 1", 5}});
    sql::Query q(c, "SELECT count(*) FROM pg_prepared_statements");
    REQUIRE(q.step());
    CHECK(q.integer(0) == 2);  // that one and this one
}

TEST_CASE("postgres: a transaction left without commit rolls back, and a duplicate key is told apart", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::PgConnection c(*db);
    c.exec("CREATE TABLE seen (key TEXT PRIMARY KEY)");
    try {
        sql::Transaction t(c);
        sql::Query(c, "INSERT INTO seen (key) VALUES (?)").bind("a").run();
        sql::Query(c, "INSERT INTO seen (key) VALUES (?)").bind("a").run();
        t.commit();
        FAIL("a duplicate was stored");
    } catch (const pg::Error& e) {
        CHECK(e.unique_violation());
        CHECK(std::string(e.what()).find("duplicate key value violates unique constraint \"seen_pkey\"") != std::string::npos);
    }
    sql::Query count(c, "SELECT count(*) FROM seen");
    REQUIRE(count.step());
    CHECK(count.integer(0) == 0);
}

// The same statements, through the same sql::Connection, on SQLite and on PostgreSQL: what the
// store's code will do on either (a savepoint undone alone, an id given by the database).
void savepoints_and_ids(sql::Connection& c) {
    sql::Transaction t(c);
    sql::Query(c, "INSERT INTO notes (text) VALUES (?)").bind("kept").run();
    auto first = c.last_insert_id();
    {
        sql::Savepoint unit(c);
        sql::Query(c, "INSERT INTO notes (text) VALUES (?)").bind("undone").run();
        unit.rollback();
    }
    {
        sql::Savepoint unit(c);
        sql::Query(c, "INSERT INTO notes (text) VALUES (?)").bind("released").run();
        unit.release();
    }
    auto last = c.last_insert_id();
    t.commit();
    CHECK(last > first);
    sql::Query q(c, "SELECT text FROM notes ORDER BY id");
    std::vector<std::string> texts;
    while (q.step()) texts.push_back(q.text(0));
    CHECK(texts == std::vector<std::string>{"kept", "released"});
}

TEST_CASE("postgres: savepoints and the ids of inserted rows work as on SQLite, through the same code", "[postgres]") {
    {
        INFO("SQLite");
        sql::SqliteConnection lite(":memory:");
        lite.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
        savepoints_and_ids(lite);
    }
    auto db = database();
    if (!db) return;
    INFO("PostgreSQL");
    pg::PgConnection c(*db);
    c.exec("CREATE TABLE notes (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, text TEXT NOT NULL)");
    savepoints_and_ids(c);
}

TEST_CASE("postgres: FOR UPDATE SKIP LOCKED lets two workers take different rows", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::PgConnection first(*db), second(*db);
    first.exec("CREATE TABLE inbox (id BIGINT PRIMARY KEY); INSERT INTO inbox VALUES (1), (2)");
    constexpr const char* take = "SELECT id FROM inbox ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";
    sql::Transaction a(first);
    sql::Query one(first, take);
    REQUIRE(one.step());
    CHECK(one.integer(0) == 1);
    sql::Transaction b(second);
    sql::Query other(second, take);
    REQUIRE(other.step());
    CHECK(other.integer(0) == 2);  // row 1 is held by the first: skipped, not waited for
}

namespace {

using Columns = std::map<std::string, std::set<std::string>>;

// What only PostgreSQL has, because only there do several servers share the store (inbox
// migration 2, "shared queue"): each body's key and lanes, and the queue the workers share.
const std::set<std::string> shared_only = {"inbox.key", "inbox.lanes", "inbox_queue", "inbox_key"};

Columns columns(sql::Connection& c, std::string_view query) {
    Columns out;
    sql::Query q(c, query);
    while (q.step()) {
        auto table = q.text(0), column = q.text(1);
        if (column == "rowid") continue;  // PostgreSQL's stand-in for SQLite's rowid
        if (shared_only.contains(table) || shared_only.contains(table + "." + column)) continue;
        out[table].insert(column);
    }
    return out;
}

std::set<std::string> names(sql::Connection& c, std::string_view query) {
    std::set<std::string> out;
    sql::Query q(c, query);
    while (q.step())
        if (!shared_only.contains(q.text(0))) out.insert(q.text(0));
    return out;
}

void migrate_both(sql::Connection& c, const std::string& where, const Schema& schema) {
    migrate(c, where, schema.inbox, "inbox_migrations");
    migrate(c, where, schema.tracker, "schema_migrations");
}

}  // namespace

TEST_CASE("postgres: the migrations make the same tables, columns and indexes as on SQLite", "[postgres]") {
    auto db = database();
    if (!db) return;
    sql::SqliteConnection lite(":memory:");
    migrate_both(lite, ":memory:", current_schema());
    pg::PgConnection pg(*db);
    migrate_both(pg, *db, postgres_schema());
    migrate_both(pg, *db, postgres_schema());  // again: nothing left to apply

    CHECK(applied_version(pg, "schema_migrations") == static_cast<int>(current_schema().tracker.size()));
    CHECK(applied_version(pg, "inbox_migrations") == static_cast<int>(current_schema().inbox.size()));
    auto sqlite_columns = columns(lite,
                                  "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p"
                                  " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
    auto postgres_columns =
        columns(pg, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'");
    CHECK(postgres_columns == sqlite_columns);
    CHECK(sqlite_columns.size() > 25);
    auto sqlite_indexes =
        names(lite, "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'");
    auto postgres_indexes = names(pg,
                                  "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                                  " AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'");
    CHECK(postgres_indexes == sqlite_indexes);

    // The contacts' ids start above a million, as employees' ids are below it.
    sql::Query(pg, "INSERT INTO contacts (name, created_at, updated_at) VALUES (?, ?, ?)").bind("Anna", 1, 1).run();
    CHECK(pg.last_insert_id() == 1000001);
}

TEST_CASE("postgres: a connection the server ended fails its statement, then connects again and goes on", "[postgres]") {
    auto db = database();
    if (!db) return;
    pg::PgConnection c(*db), admin(*db);
    std::int64_t backend = 0;
    {
        sql::Query pid(c, "SELECT pg_backend_pid()");
        REQUIRE(pid.step());
        backend = pid.integer(0);
    }
    sql::Query(admin, "SELECT pg_terminate_backend(?, 5000)").bind(backend).run();  // waits for it to end
    // The server restarted, say: the statement in hand fails, with the connection's reason.
    CHECK_THROWS_AS(sql::Query(c, "SELECT pg_backend_pid()").step(), StoreError);
    // The next one runs on a new session, its statement prepared there again.
    sql::Query again(c, "SELECT pg_backend_pid()");
    REQUIRE(again.step());
    CHECK(again.integer(0) != backend);
    c.exec("SELECT 1");
}
