// RAII over libpq (issue 16: PostgreSQL as the shared store), the counterpart of sqlite.hpp: a
// Connection owns a PGconn and the statements it prepared; a Query prepares its text on first
// use, binds its parameters and reads the rows; a Transaction rolls back unless committed. The
// statements are written as for SQLite, with `?` for each parameter: numbered_placeholders()
// turns them into PostgreSQL's `$1, $2, …`, so one text of a statement serves both databases
// where their dialects agree. libpq's header is included by postgres.cpp alone.
//
// Private to runtime/store and its tests.
#pragma once

#include "runtime/store/store.hpp"

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
    Error(const std::string& what, std::string sqlstate) : StoreError(what), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }
    bool unique_violation() const { return sqlstate_ == "23505"; }

private:
    std::string sqlstate_;
};

// `?` as `$1`, `$2`, … in order; those inside quoted strings ('it''s?'), quoted names ("a?"),
// and comments (-- …, /* … */) are left as they are.
std::string numbered_placeholders(std::string_view sql);

// A connection string with its password left out, for messages (`host=/run/pg dbname=sy`, or a
// URI `postgresql://sy@db/sy`).
std::string without_password(std::string_view conninfo);

struct ResultDeleter {
    void operator()(pg_result* r) const;
};
using ResultPtr = std::unique_ptr<pg_result, ResultDeleter>;

class Connection {
public:
    // `conninfo`: `postgresql://user@host/db` or `host=… dbname=…`. Throws StoreError naming the
    // database (without its password) and libpq's reason.
    explicit Connection(const std::string& conninfo);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs statements that take no parameters (schema, SET, BEGIN), several at once.
    void exec(std::string_view sql);
    // The name of the prepared statement for this text (`?` placeholders), prepared on first use.
    const std::string& prepared(std::string_view sql);
    // Runs a prepared statement with its parameters as text (none: NULL).
    ResultPtr run_prepared(const std::string& name, const std::vector<std::optional<std::string>>& params,
                           std::string_view sql_for_errors);
    // How many statements this connection prepared (each text once).
    std::size_t prepared_count() const { return prepared_.size(); }

private:
    pg_conn* conn_ = nullptr;
    std::string where_;  // the connection string without its password
    std::map<std::string, std::string, std::less<>> prepared_;  // text -> statement name
};

// One statement: bind the parameters in order, then run() it, or step() through its rows.
class Query {
public:
    Query(Connection& connection, std::string_view sql) : connection_(connection), sql_(sql) {}

    template <class... Args>
    Query& bind(const Args&... args) {
        (add(args), ...);
        return *this;
    }

    // True when a row is ready (the statement runs on the first call), false after the last.
    bool step();
    // Runs the statement; the rows it changed (INSERT, UPDATE, DELETE).
    std::int64_t run();

    // Columns are numbered from 0, as in sqlite.hpp.
    bool is_null(int column) const;
    std::int64_t integer(int column) const;
    std::string text(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    std::optional<std::string> optional_text(int column) const;

private:
    void add(std::int64_t v) { params_.emplace_back(std::to_string(v)); }
    void add(int v) { add(static_cast<std::int64_t>(v)); }
    void add(bool v) { params_.emplace_back(v ? "true" : "false"); }
    void add(std::string_view v) { params_.emplace_back(std::string(v)); }
    void add(const std::string& v) { params_.emplace_back(v); }
    void add(const char* v) { params_.emplace_back(std::string(v)); }
    void add(std::nullopt_t) { params_.emplace_back(std::nullopt); }
    template <class T>
    void add(const std::optional<T>& v) {
        if (v) add(*v);
        else add(std::nullopt);
    }
    void execute();

    Connection& connection_;
    std::string_view sql_;
    std::vector<std::optional<std::string>> params_;
    ResultPtr result_;
    int row_ = -1;
};

// BEGIN, then COMMIT by commit(); ROLLBACK when it goes without (an exception on the way).
class Transaction {
public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& connection_;
    bool open_ = true;
};

}  // namespace switchyard::store::pg
