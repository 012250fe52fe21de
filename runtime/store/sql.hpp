// The store's statements, whatever the database: a Connection caches one prepared Statement per
// text of SQL; a Query borrows one of them and resets it when it goes; a Transaction and a
// Savepoint (savepoint.hpp) roll back unless committed or released. SQLite's implementation is
// sqlite.hpp, PostgreSQL's postgres.hpp (issue 16); statements are written with `?` for each
// parameter, and a PostgreSQL connection numbers them. Private to runtime/store.
#pragma once

#include "runtime/store/savepoint.hpp"
#include "runtime/store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::store::sql {

// One prepared statement of a connection.
class Statement {
public:
    virtual ~Statement() = default;

    // Parameters are numbered from 1, as in SQLite.
    virtual void bind(int index, std::int64_t value) = 0;
    virtual void bind(int index, std::string_view text) = 0;
    virtual void bind(int index, std::nullopt_t) = 0;
    virtual void bind_blob(int index, std::string_view bytes) = 0;
    void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }
    void bind(int index, bool value) { bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
    void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
    void bind(int index, const char* text) { bind(index, std::string_view(text)); }
    template <class T>
    void bind(int index, const std::optional<T>& value) {
        if (value) bind(index, *value);
        else bind(index, std::nullopt);
    }

    // True when a row is ready, false when the statement is done; throws StoreError otherwise.
    virtual bool step() = 0;
    // Ready to run again, its parameters cleared.
    virtual void reset() = 0;

    // Columns are numbered from 0.
    virtual bool is_null(int column) const = 0;
    virtual std::int64_t integer(int column) const = 0;
    virtual std::string text(int column) const = 0;  // a blob's bytes too
    std::optional<std::int64_t> optional_integer(int column) const {
        return is_null(column) ? std::nullopt : std::optional(integer(column));
    }
    std::optional<std::string> optional_text(int column) const {
        return is_null(column) ? std::nullopt : std::optional(text(column));
    }

    // How many times it has run since it was prepared.
    virtual std::int64_t runs() const = 0;
};

class Connection {
public:
    virtual ~Connection() = default;

    // Runs statements that return no rows (schema, settings), parsed on every call.
    virtual void exec(std::string_view sql) = 0;
    // Runs one statement that returns no rows through the cache: BEGIN, COMMIT, SAVEPOINT run
    // for every transaction, and parsing them each time is a measurable part of a short one.
    void run(std::string_view sql);
    // The statement for this text, prepared on first use and kept: the hot paths (accept, the
    // worker's lookups) never prepare twice.
    virtual Statement& cached(std::string_view sql) = 0;
    // How many times each cached statement has run since it was prepared, by its text.
    virtual std::map<std::string, std::int64_t> statement_runs() const = 0;
    // The id the last INSERT gave its row.
    virtual std::int64_t last_insert_id() = 0;
    // The rows the last INSERT, UPDATE or DELETE changed.
    virtual std::int64_t changes() const = 0;
    virtual std::string error_message() const = 0;
    // The database refuses writes (no permission to write it).
    virtual bool read_only() const = 0;

    // What begins a transaction: one that will write takes the write lock at once (so it never
    // fails midway because another wrote first); one that only reads sees one snapshot. A
    // serializable one writes as if no other transaction ran beside it, and where another's
    // writes make that impossible it fails with StoreError::conflict() and must be run again
    // (PostgreSQL's SERIALIZABLE, for the workers of several servers; SQLite has one writer at a
    // time, so there it is a write transaction).
    enum class Begin : std::uint8_t { write, read, serializable };
    virtual std::string_view begin_text(Begin kind) const = 0;
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

// A transaction (Connection::begin_text), rolled back in its destructor unless committed.
class Transaction {
public:
    enum class Mode : std::uint8_t { write, read, serializable };
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
