// Failed inbox rows (listed, put back in the queue) and the retention pruning of processed
// bodies and of the decision log.
#include "runtime/store/impl.hpp"

#include <limits>
#include <set>

namespace switchyard::store {

namespace {

using sql::Query;

// What the inbox file says of a row: its integration, when it came and its size; nothing for a
// row that is not there.
struct InboxFacts {
    std::string integration;
    std::int64_t received_at_ms = 0;
    std::int64_t bytes = 0;
};

std::optional<InboxFacts> inbox_facts(Handle& inbox, std::int64_t id) {
    std::lock_guard lock(inbox.mutex);
    Query q(inbox.connection, "SELECT integration, received_at, length(body) FROM inbox WHERE id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return InboxFacts{q.text(0), q.integer(1), q.integer(2)};
}

// The rows the pruning must keep however old: failed ones (their bodies are what a fix is tried
// on) and those put back in the queue. Few: a failure is a bug or a bad body.
std::set<std::int64_t> kept_rows(sql::Connection& tracker) {
    std::set<std::int64_t> ids;
    Query failed(tracker, "SELECT id FROM inbox_state WHERE state = 'failed'");
    while (failed.step()) ids.insert(failed.integer(0));
    Query requeued(tracker, "SELECT id FROM inbox_requeued");
    while (requeued.step()) ids.insert(requeued.integer(0));
    return ids;
}

// Up to `limit` ids after `after_id` and up to `last`, oldest first, of rows older than
// `before_ms`; stops at the first newer row, as ids grow with time. `next_after` is 0 when there
// is nothing more to look at.
std::vector<std::int64_t> old_rows(sql::Connection& c, std::string_view table_sql, std::int64_t after_id, std::int64_t last,
                                   std::int64_t before_ms, std::int64_t limit, std::int64_t& next_after) {
    std::vector<std::int64_t> ids;
    Query q(c, table_sql);
    q.bind(after_id, last, limit);
    next_after = 0;
    std::int64_t seen = 0;
    while (q.step()) {
        ++seen;
        if (q.integer(1) >= before_ms) return ids;  // newer from here on
        ids.push_back(q.integer(0));
        next_after = q.integer(0);
    }
    if (seen < limit) next_after = 0;  // the end of the table
    return ids;
}

// A shared store's first row still waiting (or one past the last row): every row below it is
// finished. Workers finish rows out of order, so the largest finished says nothing.
std::int64_t queued_from(sql::Connection& c) {
    Query q(c, "SELECT coalesce((SELECT min(id) FROM inbox_queue), (SELECT coalesce(max(id), 0) + 1 FROM inbox))");
    q.step();
    return q.integer(0);
}

}  // namespace

std::vector<FailedRow> Store::failed_rows(std::int64_t limit, std::int64_t after_id) {
    std::vector<FailedRow> rows;
    {
        std::lock_guard lock(impl_->reader->mutex);
        Query q(impl_->reader->connection,
                "SELECT id, processed_at, coalesce(note, '') FROM inbox_state WHERE state = 'failed' AND id > ? ORDER BY id LIMIT ?");
        q.bind(after_id, limit);
        while (q.step()) rows.push_back(FailedRow{q.integer(0), {}, 0, q.integer(1), q.text(2), 0});
    }
    for (auto& row : rows)
        if (auto facts = inbox_facts(*impl_->inbox, row.id)) {
            row.integration = facts->integration;
            row.received_at_ms = facts->received_at_ms;
            row.bytes = facts->bytes;
        }
    return rows;
}

Requeue Store::requeue_failed(std::int64_t id, std::int64_t at_ms) {
    auto work = begin_work();
    auto& c = work.state_->connection;
    Query failed(c, "SELECT coalesce(note, '') FROM inbox_state WHERE id = ? AND state = 'failed'");
    failed.bind(id);
    if (!failed.step()) return Requeue::not_failed;
    auto reason = failed.text(0);
    Query(c, "DELETE FROM inbox_state WHERE id = ?").bind(id).run();
    Query(c, "INSERT INTO inbox_requeued (id, requeued_at, reason) VALUES (?, ?, ?)").bind(id, at_ms, reason).run();
    if (impl_->postgres)  // back in the shared queue, with the lanes it came with
        Query(c, "INSERT INTO inbox_queue (id, lanes) SELECT id, lanes FROM inbox WHERE id = ?").bind(id).run();
    work.commit();
    return Requeue::requeued;
}

Pruned Store::prune_inbox(std::int64_t before_ms, std::int64_t after_id, std::int64_t limit) {
    std::int64_t last = 0;
    std::set<std::int64_t> kept;
    {
        std::lock_guard lock(impl_->reader->mutex);
        sql::Transaction snapshot(impl_->reader->connection, sql::Transaction::Mode::read);
        last = impl_->postgres ? queued_from(impl_->reader->connection) - 1 : last_taken(impl_->reader->connection);
        kept = kept_rows(impl_->reader->connection);
    }
    Pruned pruned;
    auto& writer = *impl_->inbox_writer;
    std::lock_guard lock(writer.mutex);  // accepts queue behind this one short transaction
    auto& c = writer.connection;
    sql::Transaction transaction(c);
    auto ids = old_rows(c,
                        "SELECT id, received_at FROM inbox WHERE id > ? AND id <= ? AND id < (SELECT max(id) FROM inbox)"
                        " ORDER BY id LIMIT ?",
                        after_id, last, before_ms, limit, pruned.next_after);
    for (auto id : ids) {
        if (kept.contains(id)) continue;
        Query(c, "DELETE FROM inbox WHERE id = ?").bind(id).run();
        ++pruned.deleted;
    }
    transaction.commit();
    return pruned;
}

Pruned Store::prune_decisions(std::int64_t before_ms, std::int64_t after_id, std::int64_t limit) {
    Pruned pruned;
    auto work = begin_work();
    auto& c = work.state_->connection;
    auto ids = old_rows(c, "SELECT id, at FROM decisions WHERE id > ? AND id <= ? ORDER BY id LIMIT ?", after_id,
                        std::numeric_limits<std::int64_t>::max(), before_ms, limit, pruned.next_after);
    for (auto id : ids) Query(c, "DELETE FROM decisions WHERE id = ?").bind(id).run();
    pruned.deleted = static_cast<std::int64_t>(ids.size());
    work.commit();
    return pruned;
}

}  // namespace switchyard::store
