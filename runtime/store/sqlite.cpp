#include "runtime/store/sqlite.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace switchyard::store::sql {

namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
    std::string reason = db ? sqlite3_errmsg(db) : "out of memory";
    throw StoreError(std::string(what) + ": " + reason, reason);
}

// A database file that does not exist yet is made readable by its owner only: it holds
// customers' messages. SQLite gives its -wal and -shm files the same mode. A file that exists
// keeps the mode the operator gave it; ":memory:" and URIs are SQLite's to open.
void create_private(const std::string& path) {
    if (path.empty() || path == ":memory:" || path.starts_with("file:")) return;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);  // EEXIST and the rest: sqlite3_open_v2 reports what matters
}

}  // namespace

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
        fail(db, "cannot prepare `" + std::string(sql) + "`");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
}

void SqliteStatement::bind(int index, std::string_view text) {
    // SQLITE_TRANSIENT: SQLite copies, so the caller's buffer may go before step().
    if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
        fail(db_, "bind");
}

void SqliteStatement::bind(int index, std::nullopt_t) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "bind");
}

void SqliteStatement::bind_blob(int index, std::string_view bytes) {
    // A zero-length blob with a null pointer would bind NULL: keep empty bodies as empty blobs.
    static const char empty = 0;
    const void* data = bytes.empty() ? &empty : bytes.data();
    if (sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
}

bool SqliteStatement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string sql = sqlite3_sql(stmt_) ? sqlite3_sql(stmt_) : "";
    sqlite3_reset(stmt_);
    fail(db_, "`" + sql + "`");
}

void SqliteStatement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t SqliteStatement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string SqliteStatement::text(int column) const {
    // Blob and text alike: the body column holds bytes that may not be UTF-8.
    const void* data = sqlite3_column_blob(stmt_, column);
    auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
    return data ? std::string(static_cast<const char*>(data), size) : std::string();
}

SqliteConnection::SqliteConnection(const std::string& path, const char* vfs) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    create_private(path);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, vfs) != SQLITE_OK) {
        std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close_v2(db_);
        throw StoreError("cannot open the database " + path + ": " + why);
    }
    sqlite3_extended_result_codes(db_, 1);
}

SqliteConnection::SqliteConnection(const std::string& path, ReadOnly) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close_v2(db_);
        throw StoreError("cannot open the database " + path + " for reading: " + why);
    }
    sqlite3_extended_result_codes(db_, 1);
}

bool SqliteConnection::read_only() const { return sqlite3_db_readonly(db_, "main") == 1; }

SqliteConnection::~SqliteConnection() {
    cache_.clear();  // statements first: a handle with live statements does not close
    sqlite3_close_v2(db_);
}

void SqliteConnection::exec(std::string_view sql) {
    std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string why = message ? message : sqlite3_errmsg(db_);
        sqlite3_free(message);
        throw StoreError(why);
    }
}

Statement& SqliteConnection::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(db_, sql)).first;
    return *it->second;
}

std::int64_t SqliteStatement::runs() const { return sqlite3_stmt_status(stmt_, SQLITE_STMTSTATUS_RUN, 0); }

std::map<std::string, std::int64_t> SqliteConnection::statement_runs() const {
    std::map<std::string, std::int64_t> out;
    for (const auto& [sql, statement] : cache_) out.emplace(sql, statement->runs());
    return out;
}

std::int64_t SqliteConnection::last_insert_id() { return sqlite3_last_insert_rowid(db_); }

std::int64_t SqliteConnection::changes() const { return sqlite3_changes64(db_); }

std::string SqliteConnection::error_message() const { return sqlite3_errmsg(db_); }

std::string_view SqliteConnection::begin_text(Begin kind) const {
    return kind == Begin::read ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE";  // one writer: serializable already
}

}  // namespace switchyard::store::sql
