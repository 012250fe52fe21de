// Opening and migrating the database, the inbox's accept, counts, and the start of a Work.
#include "runtime/store/impl.hpp"

#include <chrono>
#include <cstdio>

namespace switchyard::store {

namespace {

std::int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Every connection: WAL so that readers never block the writer; synchronous=NORMAL, with which
// a committed transaction survives a crash of the process (kill -9), though not of the machine;
// a busy timeout so that the server's accepts wait for the worker's commit instead of failing.
void configure(sql::Connection& c, bool in_memory) {
    if (!in_memory) c.exec("PRAGMA journal_mode = WAL");
    c.exec("PRAGMA synchronous = NORMAL");
    c.exec("PRAGMA foreign_keys = ON");
    c.exec("PRAGMA busy_timeout = 10000");
}

void check_order(std::span<const Migration> schema) {
    for (std::size_t i = 0; i < schema.size(); ++i)
        if (schema[i].number != static_cast<int>(i) + 1)
            throw StoreError("migrations must be numbered 1, 2, 3, ... in order; found " + std::to_string(schema[i].number) +
                             " in place " + std::to_string(i + 1));
}

int applied_version(sql::Connection& c) {
    sql::Query q(c, "SELECT coalesce(max(number), 0) FROM schema_migrations");
    q.step();
    return static_cast<int>(q.integer(0));
}

bool applied(sql::Connection& c, int number) {
    sql::Query q(c, "SELECT 1 FROM schema_migrations WHERE number = ?");
    q.bind(number);
    return q.step();
}

// Each migration in its own transaction, checked again inside it: two processes opening one
// new file at once apply each migration once.
void migrate(sql::Connection& c, const std::string& path, std::span<const Migration> schema) {
    check_order(schema);
    c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    int known = static_cast<int>(schema.size());
    int version = applied_version(c);
    if (version > known)
        throw StoreError("the database " + path + " has schema version " + std::to_string(version) +
                         ", newer than this program knows (" + std::to_string(known) +
                         "): run a newer switchyard, or point `storage` at another file");
    for (const auto& m : schema) {
        sql::Transaction t(c);
        if (applied(c, m.number)) continue;
        try {
            c.exec(m.sql);
        } catch (const StoreError& e) {
            throw StoreError("migration " + std::to_string(m.number) + " (" + std::string(m.name) + ") failed: " + e.what());
        }
        sql::Query q(c, "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)");
        q.bind(m.number, m.name, wall_clock_ms()).run();
        t.commit();
    }
}

std::shared_ptr<Handle> open_handle(const std::string& path, bool in_memory) {
    auto h = std::make_shared<Handle>(path);
    configure(h->connection, in_memory);
    return h;
}

}  // namespace

std::string iso_time(std::int64_t ms) {
    // Days to a civil date (proleptic Gregorian), as in the engine's case reader, reversed.
    std::int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    std::int64_t rest = ms - days * 86400000;
    days += 719468;
    std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    auto doe = static_cast<unsigned>(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[40];
    auto seconds = rest / 1000, millis = rest % 1000;
    int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                          static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                          static_cast<long long>(seconds % 60));
    if (millis != 0) n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03lld", static_cast<long long>(millis));
    std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "Z");
    return buf;
}

Store::Store(const std::string& path, std::span<const Migration> schema) : impl_(std::make_unique<Impl>()) {
    bool in_memory = path == ":memory:";
    impl_->path = path;
    impl_->worker = open_handle(path, in_memory);
    migrate(impl_->worker->connection, path, schema);
    impl_->accept = in_memory ? impl_->worker : open_handle(path, in_memory);
    impl_->reader = in_memory ? impl_->worker : open_handle(path, in_memory);
}

Store::~Store() = default;

std::int64_t Store::accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms) {
    // One prepared INSERT in autocommit: when it returns the row is in the WAL, and the
    // connection is the accepts' own, so the worker's transactions never hold this mutex.
    std::lock_guard lock(impl_->accept->mutex);
    auto& c = impl_->accept->connection;
    sql::Query q(c, "INSERT INTO inbox (integration, received_at, body) VALUES (?, ?, ?)");
    q.bind(integration, received_at_ms).bind_blob(3, body).run();
    return c.last_insert_id();
}

Counts Store::counts() {
    std::lock_guard lock(impl_->reader->mutex);
    sql::Query q(impl_->reader->connection,
                 "SELECT (SELECT count(*) FROM inbox),"
                 " (SELECT count(*) FROM inbox WHERE state = 'done'),"
                 " (SELECT count(*) FROM inbox WHERE state = 'failed'),"
                 " (SELECT count(*) FROM tasks),"
                 " (SELECT count(*) FROM contacts),"
                 " (SELECT count(*) FROM decisions)");
    q.step();
    return Counts{q.integer(0), q.integer(1), q.integer(2), q.integer(3), q.integer(4), q.integer(5)};
}

int Store::schema_version() {
    std::lock_guard lock(impl_->reader->mutex);
    return applied_version(impl_->reader->connection);
}

void Store::link_chat(std::string_view integration, std::string_view chat, std::int64_t task, std::int64_t at_ms) {
    auto work = begin_work();
    work.link_chat(integration, chat, task, at_ms);
    work.commit();
}

Work Store::begin_work() { return Work(std::make_unique<Work::State>(*impl_->worker)); }

}  // namespace switchyard::store
