// The outbox (C7): calls to the messengers' APIs, queued in the same transaction as what made
// them (a comment, a like) and sent by the dispatcher; and the delivery state they give their
// comment. Each state change writes the comment's summary at once, so that reading a task never
// has to gather its outbox rows.
#include "runtime/store/impl.hpp"

#include <algorithm>
#include <charconv>

namespace switchyard::store {

namespace {

using sql::Query;

constexpr std::string_view outbox_columns =
    "SELECT o.id, o.comment, o.task, o.integration, o.chat, o.chat_kind, o.business_connection, o.method, o.params,"
    " o.file, f.name, f.mime, f.size, f.blob, o.part, o.state, o.attempts, o.not_before, o.created_at, o.external_id,"
    " o.error, o.updated_at FROM outbox o LEFT JOIN files f ON f.id = o.file ";

OutboxRow outbox_at(const Query& q) {
    OutboxRow r;
    r.id = q.integer(0);
    r.comment = q.optional_integer(1);
    r.task = q.optional_integer(2);
    r.integration = q.text(3);
    r.chat = q.text(4);
    r.chat_kind = q.text(5);
    r.business_connection = q.optional_text(6);
    r.method = q.text(7);
    r.params = q.text(8);
    if (auto file = q.optional_integer(9)) r.file = OutboxFile{*file, q.text(10), q.text(11), q.integer(12), q.optional_text(13)};
    r.part = static_cast<int>(q.integer(14));
    r.state = q.text(15);
    r.attempts = static_cast<int>(q.integer(16));
    r.not_before = q.integer(17);
    r.created_at = q.integer(18);
    r.external_id = q.optional_text(19);
    r.error = q.optional_text(20);
    r.updated_at = q.integer(21);
    return r;
}

// Telegram's message_id, when the external id is one: what replies and reactions name.
std::optional<std::int64_t> number_of(std::string_view id) {
    if (id.empty() || !std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
    if (ec != std::errc() || end != id.data() + id.size()) return std::nullopt;  // too large for an integer
    return n;
}

// The row an UPDATE ... RETURNING comment, part changed, if any.
struct Changed {
    std::optional<std::int64_t> comment;
    int part = 0;
};

std::optional<Changed> changed(Query& q) {
    if (!q.step()) return std::nullopt;
    return Changed{q.optional_integer(0), static_cast<int>(q.integer(1))};
}

void after_change(sql::Connection& c, const std::optional<Changed>& row, std::int64_t at) {
    if (row && row->comment) summarise_delivery(c, *row->comment, at);
}

void check_params(const std::string& params) {
    boost::system::error_code ec;
    auto v = boost::json::parse(params, ec);
    if (ec || !v.is_object()) throw StoreError("an outbox message's params must be a JSON object, not `" + params + "`");
}

}  // namespace

// The comment's delivery columns from all its rows (Work's header says the order). A
// `delivered` or `read` that Wazzup reported is newer news than the rows' `sent`: kept.
void summarise_delivery(sql::Connection& c, std::int64_t comment, std::int64_t at) {
    sql::Query(c,
          "UPDATE comments SET delivery_status = s.state, delivery_error = s.error, delivery_at = ?2 FROM"
          " (SELECT CASE WHEN count(*) = 0 THEN NULL WHEN sum(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) > 0 THEN 'failed'"
          "   WHEN sum(CASE WHEN state = 'sending' THEN 1 ELSE 0 END) > 0 THEN 'sending'"
          "   WHEN sum(CASE WHEN state = 'queued' THEN 1 ELSE 0 END) > 0 THEN 'queued' ELSE 'sent' END AS state,"
          "   (SELECT error FROM outbox WHERE comment = ?1 AND state = 'failed' ORDER BY id LIMIT 1) AS error"
          "  FROM outbox WHERE comment = ?1) AS s"
          " WHERE comments.id = ?1 AND s.state IS NOT NULL"
          " AND NOT (s.state = 'sent' AND coalesce(comments.delivery_status, '') IN ('delivered', 'read'))")
        .bind(comment, at)
        .run();
}

std::int64_t Work::enqueue(const NewOutboxMessage& m) {
    check_params(m.params);
    auto& c = state_->connection;
    Query(c,
          "INSERT INTO outbox (comment, task, integration, chat, chat_kind, business_connection, method, params, file, part,"
          " state, not_before, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)")
        .bind(m.comment, m.task, m.integration, m.chat, m.chat_kind, m.business_connection, m.method, m.params, m.file, m.part,
              m.not_before, m.at, m.at)
        .run();
    auto id = c.last_insert_id();
    if (m.comment) summarise_delivery(c, *m.comment, m.at);
    return id;
}

std::vector<OutboxRow> Work::due_outbox(std::int64_t now, std::size_t limit) {
    std::vector<OutboxRow> out;
    Query q(state_->connection, std::string(outbox_columns) +
                                    "WHERE o.state IN ('queued', 'sending') AND o.not_before <= ? ORDER BY o.id LIMIT ?");
    q.bind(now, static_cast<std::int64_t>(limit));
    while (q.step()) out.push_back(outbox_at(q));
    return out;
}

std::vector<OutboxRow> Work::outbox_heads(std::int64_t now, std::size_t limit) {
    // Walked in id order through outbox_waiting, each row checked for an earlier waiting row of
    // its chat through outbox_chat (migration 4): the scan stops after `limit` heads.
    std::vector<OutboxRow> out;
    Query q(state_->connection,
            std::string(outbox_columns) +
                "WHERE o.state IN ('queued', 'sending') AND o.not_before <= ?"
                " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.integration = o.integration AND e.chat = o.chat"
                " AND e.state IN ('queued', 'sending') AND e.id < o.id) ORDER BY o.id LIMIT ?");
    q.bind(now, static_cast<std::int64_t>(limit));
    while (q.step()) out.push_back(outbox_at(q));
    return out;
}

std::optional<std::int64_t> Work::next_outbox_time() {
    // The same condition as the partial index outbox_due, so that this is one step into it.
    Query q(state_->connection, "SELECT min(not_before) FROM outbox WHERE state IN ('queued', 'sending')");
    q.step();
    return q.optional_integer(0);
}

void Work::outbox_sending(std::int64_t id, std::int64_t at) {
    auto& c = state_->connection;
    std::optional<Changed> row;
    {
        Query q(c, "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ? RETURNING comment, part");
        q.bind(at, id);
        row = changed(q);
    }
    after_change(c, row, at);
}

void Work::outbox_sent(std::int64_t id, std::string_view external_id, std::int64_t at) {
    auto& c = state_->connection;
    std::optional<Changed> row;
    {
        Query q(c,
                "UPDATE outbox SET state = 'sent', external_id = ?, error = NULL, updated_at = ? WHERE id = ?"
                " RETURNING comment, part");
        q.bind(external_id, at, id);
        row = changed(q);
    }
    if (row && row->comment && row->part == 0)
        Query(c, "UPDATE comments SET external_id = ?, number = coalesce(?, number) WHERE id = ?")
            .bind(external_id, number_of(external_id), *row->comment)
            .run();
    after_change(c, row, at);
}

void Work::outbox_retry(std::int64_t id, std::int64_t not_before, std::string_view error, std::int64_t at) {
    auto& c = state_->connection;
    std::optional<Changed> row;
    {
        Query q(c,
                "UPDATE outbox SET state = 'queued', not_before = ?, error = ?, updated_at = ? WHERE id = ?"
                " RETURNING comment, part");
        q.bind(not_before, error, at, id);
        row = changed(q);
    }
    after_change(c, row, at);
}

void Work::outbox_failed(std::int64_t id, std::string_view error, std::int64_t at) {
    auto& c = state_->connection;
    std::optional<Changed> row;
    {
        Query q(c, "UPDATE outbox SET state = 'failed', error = ?, updated_at = ? WHERE id = ? RETURNING comment, part");
        q.bind(error, at, id);
        row = changed(q);
    }
    after_change(c, row, at);
}

OutboxStats Store::outbox_stats() {
    std::lock_guard lock(impl_->reader->mutex);
    Query q(impl_->reader->connection,
            "SELECT count(*), min(created_at) FROM outbox WHERE state IN ('queued', 'sending')");
    q.step();
    return OutboxStats{q.integer(0), q.optional_integer(1)};
}

std::vector<OutboxRow> Store::outbox_of_comment(std::int64_t comment) {
    std::lock_guard lock(impl_->reader->mutex);
    std::vector<OutboxRow> out;
    Query q(impl_->reader->connection, std::string(outbox_columns) + "WHERE o.comment = ? ORDER BY o.part, o.id");
    q.bind(comment);
    while (q.step()) out.push_back(outbox_at(q));
    return out;
}

}  // namespace switchyard::store
