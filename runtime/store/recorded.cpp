#include "runtime/store/recorded.hpp"

#include "runtime/store/impl.hpp"
#include "runtime/store/postgres.hpp"
#include "runtime/store/sqlite.hpp"

namespace switchyard::store {

namespace {

constexpr std::string_view columns = "SELECT id, inbox, event, task, comment, ruleset, decisions, coalesce(cases, ''), at FROM decisions";
// Each filter is `(its value is null OR it holds)`; the casts tell PostgreSQL the type of a
// parameter that is only tested for null.
constexpr std::string_view admitted =
    " WHERE (CAST(?1 AS BIGINT) IS NULL OR at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR at < ?2)"
    " AND (CAST(?3 AS TEXT) IS NULL OR json_extract(cases, '$.integration') = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR id = ?4)"
    " AND (CAST(?5 AS BIGINT) IS NULL OR comment = ?5) AND (CAST(?6 AS TEXT) IS NULL OR event = ?6)";

// The migration that added decisions.cases.
constexpr int cases_migration = 10;

}  // namespace

void read_log(sql::Connection& tracker, const LogFilter& filter, const std::function<void(const RecordedRow&)>& each) {
    sql::Transaction snapshot(tracker, sql::Transaction::Mode::read);
    // The latest N, read back oldest first: the ids are chosen newest first, then sorted again.
    std::string text = filter.last ? std::string(columns) + " WHERE id IN (SELECT id FROM decisions" +
                                         std::string(admitted) + " ORDER BY id DESC LIMIT ?7) ORDER BY id"
                                   : std::string(columns) + std::string(admitted) + " ORDER BY id";
    sql::Query q(tracker, text);
    q.bind(filter.since, filter.until, filter.integration, filter.id, filter.comment, filter.event);
    if (filter.last) q.bind_from(7, *filter.last);
    RecordedRow row;
    while (q.step()) {
        row.id = q.integer(0);
        row.inbox = q.integer(1);
        row.event = q.text(2);
        row.task = q.optional_integer(3);
        row.comment = q.optional_integer(4);
        row.ruleset = q.text(5);
        row.decisions = q.text(6);
        row.cases = q.text(7);
        row.at = q.integer(8);
        each(row);
    }
}

void Store::each_recorded(const LogFilter& filter, const std::function<void(const RecordedRow&)>& each) {
    std::lock_guard lock(impl_->reader->mutex);
    read_log(impl_->reader->connection, filter, each);
}

namespace {

std::unique_ptr<sql::Connection> open_log(const std::string& path) {
    if (is_postgres(path)) return std::make_unique<pg::PgConnection>(path);
    return std::make_unique<sql::SqliteConnection>(path, sql::SqliteConnection::ReadOnly{});
}

}  // namespace

RecordedLog::RecordedLog(const std::string& tracker_path) : connection_(open_log(tracker_path)) {
    int version = 0;
    try {
        sql::Query q(*connection_, "SELECT coalesce(max(number), 0) FROM schema_migrations");
        if (q.step()) version = static_cast<int>(q.integer(0));
    } catch (const StoreError&) {
        throw StoreError(tracker_path + " is not a Switchyard tracker database (it has no schema_migrations table)");
    }
    if (version < cases_migration)
        throw StoreError(tracker_path + " is at schema version " + std::to_string(version) +
                         ", which kept no recorded cases; start `switchyard serve` on it once to migrate it (version " +
                         std::to_string(cases_migration) + " and later keep them)");
}

RecordedLog::~RecordedLog() = default;

void RecordedLog::each(const LogFilter& filter, const std::function<void(const RecordedRow&)>& each) {
    read_log(*connection_, filter, each);
}

}  // namespace switchyard::store
