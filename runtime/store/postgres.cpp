#include "runtime/store/postgres.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <regex>
#include <utility>

namespace switchyard::store::pg {

namespace {

// PostgreSQL's message on one line: libpq breaks a hint onto a line of its own, tab-indented.
std::string message_of(const char* text) {
    std::string m;
    for (const char* p = text ? text : ""; *p; ++p) {
        if (*p == '\n' || *p == '\t') {
            if (!m.empty() && m.back() != ' ') m += ' ';
        } else {
            m += *p;
        }
    }
    while (!m.empty() && m.back() == ' ') m.pop_back();
    return m;
}

[[noreturn]] void fail(const PGresult* result, const std::string& doing) {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    throw Error(doing + ": " + message_of(result ? PQresultErrorMessage(result) : "no answer from the server"),
                state ? state : "");
}

bool succeeded(const PGresult* result) {
    auto status = PQresultStatus(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

std::string numbered_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 8);
    int next = 1;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        auto copy_until = [&](std::string_view end) {
            auto stop = sql.find(end, i + 1);
            stop = stop == std::string_view::npos ? sql.size() : stop + end.size();
            out.append(sql.substr(i, stop - i));
            i = stop - 1;
        };
        if (c == '\'' || c == '"') {
            // A doubled quote inside ('it''s') ends nothing: it is read as two strings, copied alike.
            copy_until(std::string_view(&sql[i], 1));
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            copy_until("\n");
        } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            copy_until("*/");
        } else if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            out += '$';  // numbered already (`?3`): the same number
        } else if (c == '?') {
            out += '$' + std::to_string(next++);
        } else {
            out += c;
        }
    }
    return out;
}

std::string without_password(std::string_view conninfo) {
    std::string text(conninfo);
    // URI form: postgresql://user:secret@host/db
    static const std::regex uri_password(R"(^(postgres(?:ql)?://[^:/@]*):[^@]*@)");
    text = std::regex_replace(text, uri_password, "$1@");
    // Key-value form: password=secret or password='se cret'
    static const std::regex kv_password(R"(password\s*=\s*('([^'\\]|\\.)*'|\S+))");
    return std::regex_replace(text, kv_password, "password=…");
}

void ResultDeleter::operator()(pg_result* r) const { PQclear(r); }

// ---- the connection ----

PgConnection::PgConnection(const std::string& conninfo) : where_(without_password(conninfo)) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_) throw StoreError("cannot connect to the database " + where_ + ": out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string why = message_of(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw StoreError("cannot connect to the database " + where_ + ": " + why);
    }
    start_session();
}

void PgConnection::start_session() {
    // Messages in English whatever the server's locale: they are shown to people as they are.
    exec("SET lc_messages TO 'C'");
    // Notices (`relation … already exists, skipping`) are not errors: libpq would print them.
    exec("SET client_min_messages TO WARNING");
}

void PgConnection::reconnect_if_lost() {
    if (PQstatus(conn_) != CONNECTION_BAD) return;
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) return;  // still down: the next statement tries again
    ++session_;  // every statement is prepared again in the new session
    try {
        start_session();
    } catch (const StoreError&) {
        // Lost again at once: the next failure reconnects.
    }
}

void PgConnection::fail_with(const pg_result* result, const std::string& doing) {
    // The error is read before a reconnection replaces the connection's own message.
    try {
        fail(result, doing);
    } catch (const Error&) {
        reconnect_if_lost();
        throw;
    }
}

PgConnection::~PgConnection() {
    cache_.clear();
    if (conn_) PQfinish(conn_);
}

void PgConnection::exec(std::string_view sql) {
    ResultPtr result(PQexec(conn_, std::string(sql).c_str()));
    if (!result || !succeeded(result.get())) fail_with(result.get(), "`" + std::string(sql) + "` failed in " + where_);
}

sql::Statement& PgConnection::cached(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return *it->second;
    std::string name = "s" + std::to_string(cache_.size() + 1);
    prepare(name, sql);
    auto statement = std::make_unique<PgStatement>(*this, std::move(name), std::string(sql), session_);
    return *cache_.emplace(std::string(sql), std::move(statement)).first->second;
}

void PgConnection::prepare(const std::string& name, std::string_view sql) {
    std::string text = numbered_placeholders(sql);
    ResultPtr result(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    if (!result || !succeeded(result.get())) fail_with(result.get(), "cannot prepare `" + std::string(sql) + "`");
}

std::map<std::string, std::int64_t> PgConnection::statement_runs() const {
    std::map<std::string, std::int64_t> out;
    for (const auto& [sql, statement] : cache_) out.emplace(sql, statement->runs());
    return out;
}

std::int64_t PgConnection::last_insert_id() {
    // The value the session last took from a sequence: an identity column's, for an INSERT.
    sql::Query q(*this, "SELECT lastval()");
    q.step();
    return q.integer(0);
}

std::string PgConnection::error_message() const { return message_of(PQerrorMessage(conn_)); }

std::string_view PgConnection::begin_text(Begin kind) const {
    // A reader sees one snapshot, as a deferred SQLite transaction does. A writer needs no lock
    // taken up front: PostgreSQL's rows lock one by one, and a conflict waits rather than fails.
    return kind == Begin::write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
}

ResultPtr PgConnection::run_prepared(const std::string& name, std::string_view sql, std::uint64_t& prepared_in,
                                     const std::vector<std::optional<std::string>>& params, const std::vector<bool>& binary) {
    if (prepared_in != session_) {
        prepare(name, sql);
        prepared_in = session_;
    }
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (std::size_t i = 0; i < params.size(); ++i) {
        values.push_back(params[i] ? params[i]->c_str() : nullptr);
        lengths.push_back(params[i] ? static_cast<int>(params[i]->size()) : 0);
        formats.push_back(binary[i] ? 1 : 0);
    }
    ResultPtr result(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), lengths.data(),
                                    formats.data(), 0));
    if (!result || !succeeded(result.get())) fail_with(result.get(), "`" + std::string(sql) + "` failed");
    std::string_view changed = PQcmdTuples(result.get());
    changes_ = 0;
    std::from_chars(changed.data(), changed.data() + changed.size(), changes_);
    return result;
}

// ---- a statement ----

PgStatement::PgStatement(PgConnection& connection, std::string name, std::string sql, std::uint64_t session)
    : connection_(connection), name_(std::move(name)), sql_(std::move(sql)), prepared_in_(session) {}

std::optional<std::string>& PgStatement::param(int index) {
    auto i = static_cast<std::size_t>(index - 1);
    if (params_.size() <= i) {
        params_.resize(i + 1);
        binary_.resize(i + 1, false);
    }
    binary_[i] = false;
    return params_[i];
}

void PgStatement::bind(int index, std::int64_t value) { param(index) = std::to_string(value); }

void PgStatement::bind(int index, std::string_view text) { param(index) = std::string(text); }

void PgStatement::bind(int index, std::nullopt_t) { param(index) = std::nullopt; }

void PgStatement::bind_blob(int index, std::string_view bytes) {
    param(index) = std::string(bytes);
    binary_[static_cast<std::size_t>(index - 1)] = true;
}

bool PgStatement::step() {
    if (!result_) {
        result_ = connection_.run_prepared(name_, sql_, prepared_in_, params_, binary_);
        ++runs_;
        row_ = -1;
    }
    return ++row_ < PQntuples(result_.get());
}

void PgStatement::reset() {
    result_.reset();
    params_.clear();
    binary_.clear();
    row_ = -1;
}

bool PgStatement::is_null(int column) const { return PQgetisnull(result_.get(), row_, column) == 1; }

std::int64_t PgStatement::integer(int column) const {
    if (is_null(column)) return 0;
    std::string_view text = PQgetvalue(result_.get(), row_, column);
    if (text == "t" || text == "f") return text == "t" ? 1 : 0;
    std::int64_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n;
}

std::string PgStatement::text(int column) const {
    const char* value = PQgetvalue(result_.get(), row_, column);
    auto size = static_cast<std::size_t>(PQgetlength(result_.get(), row_, column));
    constexpr unsigned bytea = 17;  // the type's OID
    if (PQftype(result_.get(), column) != bytea) return std::string(value, size);
    std::size_t length = 0;
    std::unique_ptr<unsigned char, decltype(&PQfreemem)> bytes(
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(value), &length), &PQfreemem);
    if (!bytes) throw StoreError("cannot read a bytea column of `" + sql_ + "`");
    return std::string(reinterpret_cast<const char*>(bytes.get()), length);
}

}  // namespace switchyard::store::pg
