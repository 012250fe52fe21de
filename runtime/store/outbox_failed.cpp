// Outbox messages given up (state `failed`): listed, and sent again after a fix (the platform
// back, a chat unblocked), as failed inbox rows are in retention.cpp.
#include "runtime/store/impl.hpp"

namespace switchyard::store {

namespace {

using sql::Query;

FailedOutboxRow failed_outbox_at(const Query& q) {
    FailedOutboxRow r;
    r.id = q.integer(0);
    r.comment = q.optional_integer(1);
    r.task = q.optional_integer(2);
    r.integration = q.text(3);
    r.chat = q.text(4);
    r.method = q.text(5);
    r.error = q.optional_text(6).value_or("");
    r.attempts = static_cast<int>(q.integer(7));
    r.failed_at_ms = q.integer(8);
    return r;
}

}  // namespace

std::vector<FailedOutboxRow> Store::failed_outbox(std::int64_t limit, std::int64_t after_id) {
    std::lock_guard lock(impl_->reader->mutex);
    std::vector<FailedOutboxRow> rows;
    Query q(impl_->reader->connection,
            "SELECT id, comment, task, integration, chat, method, error, attempts, updated_at FROM outbox"
            " WHERE state = 'failed' AND id > ? ORDER BY id LIMIT ?");
    q.bind(after_id, limit);
    while (q.step()) rows.push_back(failed_outbox_at(q));
    return rows;
}

Requeue Store::requeue_outbox(std::int64_t id, std::int64_t at_ms) {
    auto work = begin_work();
    auto& c = work.state_->connection;
    std::optional<std::optional<std::int64_t>> comment;  // outer: whether the row was failed
    {
        // The error is kept, as between retries: the reason of the last attempt until a new one.
        Query q(c,
                "UPDATE outbox SET state = 'queued', attempts = 0, not_before = ?, updated_at = ?"
                " WHERE id = ? AND state = 'failed' RETURNING comment");
        q.bind(at_ms, at_ms, id);
        if (q.step()) comment = q.optional_integer(0);
    }
    if (!comment) return Requeue::not_failed;
    if (*comment) summarise_delivery(c, **comment, at_ms);
    work.commit();
    return Requeue::requeued;
}

}  // namespace switchyard::store
