// PostgreSQL's side of sql.hpp (issue 16: PostgreSQL as the shared store), over libpq: a
// PgConnection owns a PGconn and prepares each text of SQL once, as SQLite's connection does, so
// the store's statements (sql::Query, sql::Transaction, sql::Savepoint) run on either. Statements
// are written as for SQLite, with `?` for each parameter: numbered_placeholders() turns them into
// PostgreSQL's `$1, $2, …`. libpq's header is included by postgres.cpp alone.
//
// Private to runtime/store and its tests.
#pragma once

#include "runtime/store/sql.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace switchyard::store::pg {

// What PostgreSQL refused, with its SQLSTATE (`23505`: a unique index would hold a value twice),
// which callers test to tell a duplicate from a failure.
class Error : public StoreError {
public:
    Error(const std::string& what, std::string sqlstate)
        : StoreError(what, what, conflicting(sqlstate)), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }
    bool unique_violation() const { return sqlstate_ == "23505"; }

private:
    // Another transaction's doing: class 40 (a deadlock, a serialization failure), and a unique
    // key that a concurrent transaction wrote first (23505: two servers' workers making one
    // contact, say). Running the transaction again settles either: it then sees the other's
    // rows. A 23505 of one's own making fails again, as often as it is tried.
    static bool conflicting(std::string_view sqlstate) { return sqlstate.starts_with("40") || sqlstate == "23505"; }
    std::string sqlstate_;
};

// `?` as `$1`, `$2`, … in order, and `?3` as `$3`; those inside quoted strings ('it''s?'),
// quoted names ("a?"), and comments (-- …, /* … */) are left as they are.
std::string numbered_placeholders(std::string_view sql);

// A connection string with its password left out, for messages (`host=/run/pg dbname=sy`, or a
// URI `postgresql://sy@db/sy`).
std::string without_password(std::string_view conninfo);

struct ResultDeleter {
    void operator()(pg_result* r) const;
};
using ResultPtr = std::unique_ptr<pg_result, ResultDeleter>;

class PgConnection;

// A statement prepared on the server. Parameters are sent as text; the statement runs on the
// first step() and its rows are read from the result.
class PgStatement final : public sql::Statement {
public:
    PgStatement(PgConnection& connection, std::string name, std::string sql, std::uint64_t session);

    using Statement::bind;
    void bind(int index, std::int64_t value) override;
    void bind(int index, std::string_view text) override;
    void bind(int index, std::nullopt_t) override;
    void bind_blob(int index, std::string_view bytes) override;  // a bytea parameter, as \x hex
    bool step() override;
    void reset() override;
    bool is_null(int column) const override;
    std::int64_t integer(int column) const override;  // booleans as 1 and 0, as SQLite keeps them
    std::string text(int column) const override;      // a bytea column's bytes, decoded
    std::int64_t runs() const override { return runs_; }

private:
    std::optional<std::string>& param(int index);

    PgConnection& connection_;
    std::string name_, sql_;
    std::uint64_t prepared_in_ = 0;  // the session of the connection it was prepared in
    std::vector<std::optional<std::string>> params_;
    std::vector<bool> binary_;  // per parameter: bytes (bind_blob)
    ResultPtr result_;
    int row_ = -1;
    std::int64_t runs_ = 0;
};

class PgConnection final : public sql::Connection {
public:
    // `conninfo`: `postgresql://user@host/db` or `host=… dbname=…`. Throws StoreError naming the
    // database (without its password) and libpq's reason.
    explicit PgConnection(const std::string& conninfo);
    ~PgConnection() override;
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    void exec(std::string_view sql) override;
    sql::Statement& cached(std::string_view sql) override;
    std::map<std::string, std::int64_t> statement_runs() const override;
    std::int64_t last_insert_id() override;
    std::int64_t changes() const override { return changes_; }
    std::string error_message() const override;
    bool read_only() const override { return false; }  // a refused write says so as it happens
    std::string_view begin_text(Begin kind) const override;

    // For PgStatement: runs a prepared statement, and keeps what it changed. `prepared_in` is the
    // session the statement was prepared in: after a reconnection it is prepared again first.
    ResultPtr run_prepared(const std::string& name, std::string_view sql, std::uint64_t& prepared_in,
                           const std::vector<std::optional<std::string>>& params, const std::vector<bool>& binary);

private:
    void prepare(const std::string& name, std::string_view sql);
    void start_session();
    // After a failure: when the connection itself is lost (the server restarted, the network
    // cut), connects again, so that the next statement works; the one that failed still throws
    // (its transaction is gone with the old session, as PostgreSQL rolled it back).
    void reconnect_if_lost();
    [[noreturn]] void fail_with(const pg_result* result, const std::string& doing);

    pg_conn* conn_ = nullptr;
    std::uint64_t session_ = 1;  // grows with each reconnection
    std::string where_;  // the connection string without its password
    std::map<std::string, std::unique_ptr<PgStatement>, std::less<>> cache_;
    std::int64_t changes_ = 0;
};

}  // namespace switchyard::store::pg
