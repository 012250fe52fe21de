#include "runtime/store/postgres.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <regex>

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

Connection::Connection(const std::string& conninfo) : where_(without_password(conninfo)) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_) throw StoreError("cannot connect to the database " + where_ + ": out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string why = message_of(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw StoreError("cannot connect to the database " + where_ + ": " + why);
    }
    // Messages in English whatever the server's locale: they are shown to people as they are.
    exec("SET lc_messages TO 'C'");
}

Connection::~Connection() {
    if (conn_) PQfinish(conn_);
}

void Connection::exec(std::string_view sql) {
    ResultPtr result(PQexec(conn_, std::string(sql).c_str()));
    if (!result || !succeeded(result.get())) fail(result.get(), "`" + std::string(sql) + "` failed in " + where_);
}

const std::string& Connection::prepared(std::string_view sql) {
    if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
    std::string name = "s" + std::to_string(prepared_.size() + 1);
    std::string text = numbered_placeholders(sql);
    ResultPtr result(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr));
    if (!result || !succeeded(result.get())) fail(result.get(), "cannot prepare `" + std::string(sql) + "`");
    return prepared_.emplace(std::string(sql), std::move(name)).first->second;
}

ResultPtr Connection::run_prepared(const std::string& name, const std::vector<std::optional<std::string>>& params,
                                   std::string_view sql_for_errors) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    ResultPtr result(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
    if (!result || !succeeded(result.get())) fail(result.get(), "`" + std::string(sql_for_errors) + "` failed");
    return result;
}

void Query::execute() {
    const auto& name = connection_.prepared(sql_);
    result_ = connection_.run_prepared(name, params_, sql_);
    row_ = -1;
}

bool Query::step() {
    if (!result_) execute();
    return ++row_ < PQntuples(result_.get());
}

std::int64_t Query::run() {
    execute();
    std::string_view changed = PQcmdTuples(result_.get());
    std::int64_t n = 0;
    std::from_chars(changed.data(), changed.data() + changed.size(), n);
    return n;
}

bool Query::is_null(int column) const { return PQgetisnull(result_.get(), row_, column) == 1; }

std::int64_t Query::integer(int column) const {
    if (is_null(column)) return 0;
    std::string_view text = PQgetvalue(result_.get(), row_, column);
    if (text == "t" || text == "f") return text == "t" ? 1 : 0;  // booleans, read as SQLite's 1 and 0
    std::int64_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);
    return n;
}

std::string Query::text(int column) const {
    return std::string(PQgetvalue(result_.get(), row_, column), static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
}

std::optional<std::int64_t> Query::optional_integer(int column) const {
    return is_null(column) ? std::nullopt : std::optional(integer(column));
}

std::optional<std::string> Query::optional_text(int column) const {
    return is_null(column) ? std::nullopt : std::optional(text(column));
}

Transaction::Transaction(Connection& connection) : connection_(connection) { connection_.exec("BEGIN"); }

Transaction::~Transaction() {
    if (!open_) return;
    try {
        connection_.exec("ROLLBACK");
    } catch (const StoreError&) {
        // The connection is gone: the server rolls the transaction back itself.
    }
}

void Transaction::commit() {
    connection_.exec("COMMIT");
    open_ = false;
}

}  // namespace switchyard::store::pg
