// RAII over SQLite, private to runtime/store: the only header that includes <sqlite3.h>, and
// it is included only by the store's .cpp files. A Connection owns a database handle and a
// cache of prepared statements; a Query borrows one of them and resets it when it goes; a
// Transaction (BEGIN IMMEDIATE) and a Savepoint (savepoint.hpp) roll back unless committed or
// released.
#pragma once

#include "runtime/store/savepoint.hpp"
#include "runtime/store/store.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::store::sql {

// A prepared statement, finalized when destroyed.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Parameters are numbered from 1, as in SQLite.
    void bind(int index, std::int64_t value);
    void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
    void bind(int index, bool value) { bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
    void bind(int index, std::string_view text);
    void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
    void bind(int index, const char* text) { bind(index, std::string_view(text)); }
    void bind(int index, std::nullopt_t);
    template <class T>
    void bind(int index, const std::optional<T>& value) {
        if (value) bind(index, *value);
        else bind(index, std::nullopt);
    }
    void bind_blob(int index, std::string_view bytes);

    // True when a row is ready, false when the statement is done; throws StoreError otherwise.
    bool step();
    void reset();

    // Columns are numbered from 0, as in SQLite.
    bool is_null(int column) const;
    std::int64_t integer(int column) const;
    std::string text(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    std::optional<std::string> optional_text(int column) const;

    std::int64_t runs() const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
public:
    // `vfs`: SQLite's name for how the file is locked; null for the default ("unix").
    explicit Connection(const std::string& path, const char* vfs = nullptr);
    // Opens an existing file for reading only (it is never created).
    struct ReadOnly {};
    Connection(const std::string& path, ReadOnly);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs statements that return no rows (schema, pragmas), parsed on every call.
    void exec(std::string_view sql);
    // Runs one statement that returns no rows through the cache: BEGIN, COMMIT, SAVEPOINT run
    // for every transaction, and parsing them each time is a measurable part of a short one.
    void run(std::string_view sql);
    // The statement for this text, prepared on first use and kept: the hot paths (accept, the
    // worker's lookups) never prepare twice.
    Statement& cached(std::string_view sql);
    // How many times each cached statement has run since it was prepared (SQLite counts them:
    // SQLITE_STMTSTATUS_RUN), by its text.
    std::map<std::string, std::int64_t> statement_runs() const;
    std::int64_t last_insert_id() const;
    std::int64_t changes() const;
    std::string error_message() const;
    // SQLite opened the file read-only, though asked for writing (no permission to write it).
    bool read_only() const;

private:
    sqlite3* db_ = nullptr;
    std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

// One use of a cached statement: bind, step, read; reset (and bindings cleared) on scope exit,
// so a statement left half-stepped by an exception never holds a read lock.
class Query {
public:
    Query(Connection& connection, std::string_view sql) : stmt_(connection.cached(sql)) {}
    ~Query() { stmt_.reset(); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    template <class... Args>
    Query& bind(const Args&... args) {
        int index = 0;
        (stmt_.bind(++index, args), ...);
        return *this;
    }
    // Binds from parameter `first` on: the parameters a longer text of a statement adds after
    // those bind() gave.
    template <class... Args>
    Query& bind_from(int first, const Args&... args) {
        int index = first - 1;
        (stmt_.bind(++index, args), ...);
        return *this;
    }
    Query& bind_blob(int index, std::string_view bytes) {
        stmt_.bind_blob(index, bytes);
        return *this;
    }
    bool step() { return stmt_.step(); }
    // For INSERT/UPDATE/DELETE: steps until done.
    void run() {
        while (stmt_.step()) {
        }
    }
    const Statement& row() const { return stmt_; }
    bool is_null(int c) const { return stmt_.is_null(c); }
    std::int64_t integer(int c) const { return stmt_.integer(c); }
    std::string text(int c) const { return stmt_.text(c); }
    std::optional<std::int64_t> optional_integer(int c) const { return stmt_.optional_integer(c); }
    std::optional<std::string> optional_text(int c) const { return stmt_.optional_text(c); }

private:
    Statement& stmt_;
};

// BEGIN IMMEDIATE takes the write lock at once, so a writing transaction never fails midway
// because another connection wrote first; a reading one (BEGIN DEFERRED) sees one snapshot.
// Rolls back in its destructor unless committed.
class Transaction {
public:
    enum class Mode : std::uint8_t { write, read };
    explicit Transaction(Connection& connection, Mode mode = Mode::write);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& connection_;
    bool open_ = true;
};

}  // namespace switchyard::store::sql
