// SQLite's side of sql.hpp, private to runtime/store: the only header that includes <sqlite3.h>,
// and it is included only by the store's .cpp files. A SqliteConnection owns a database handle
// and a cache of prepared statements.
#pragma once

#include "runtime/store/sql.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::store::sql {

// A prepared statement, finalized when destroyed.
class SqliteStatement final : public Statement {
public:
    SqliteStatement(sqlite3* db, std::string_view sql);
    ~SqliteStatement() override;
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    using Statement::bind;
    void bind(int index, std::int64_t value) override;
    void bind(int index, std::string_view text) override;
    void bind(int index, std::nullopt_t) override;
    void bind_blob(int index, std::string_view bytes) override;
    bool step() override;
    void reset() override;
    bool is_null(int column) const override;
    std::int64_t integer(int column) const override;
    std::string text(int column) const override;
    std::int64_t runs() const override;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class SqliteConnection final : public Connection {
public:
    // `vfs`: SQLite's name for how the file is locked; null for the default ("unix").
    explicit SqliteConnection(const std::string& path, const char* vfs = nullptr);
    // Opens an existing file for reading only (it is never created).
    struct ReadOnly {};
    SqliteConnection(const std::string& path, ReadOnly);
    ~SqliteConnection() override;
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    void exec(std::string_view sql) override;
    Statement& cached(std::string_view sql) override;
    std::map<std::string, std::int64_t> statement_runs() const override;
    std::int64_t last_insert_id() override;
    std::int64_t changes() const override;
    std::string error_message() const override;
    bool read_only() const override;
    std::string_view begin_text(Begin kind) const override;

private:
    sqlite3* db_ = nullptr;
    std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> cache_;
};

}  // namespace switchyard::store::sql
