// The inbox's writing side: accept() with group commit (Accepts in impl.hpp).
#include "runtime/store/impl.hpp"

namespace switchyard::store {

std::int64_t Accepts::accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms) {
    Waiter me(integration, body, received_at_ms);
    std::unique_lock lock(mutex_);
    queue_.push_back(&me);
    // While a commit is under way (sealed before this row came), wait: the leader of the commit
    // that holds this row wakes it done; a leader that ends with rows queued wakes the first,
    // to lead the next commit unless a caller that comes meanwhile leads it first.
    me.wake.wait(lock, [&] { return me.done || !committing_; });
    if (!me.done) lead(lock);
    if (me.error) throw StoreError(*me.error);
    return me.id;
}

// With the lock held and no commit under way: commits every queued row, then wakes each of their
// callers, and the first of those queued meanwhile. One wake-up per caller: waiters for a later
// commit sleep through this one.
void Accepts::lead(std::unique_lock<std::mutex>& lock) {
    committing_ = true;
    std::vector<Waiter*> batch;
    batch.swap(queue_);
    lock.unlock();
    auto error = insert_all(batch);
    lock.lock();
    for (auto* w : batch) {
        w->error = error;
        w->done = true;
        w->wake.notify_one();  // under the lock: the waiter cannot return (and go) before this
    }
    committing_ = false;
    if (!queue_.empty()) queue_.front()->wake.notify_one();
}

// Inserts and commits the batch; the reason when that failed. The whole batch fails together:
// what can fail here (a full disk, another process holding the file past busy_timeout) fails the
// transaction, not one row.
std::optional<std::string> Accepts::insert_all(const std::vector<Waiter*>& batch) {
    try {
        std::lock_guard lock(handle_->mutex);  // in memory this is the worker's connection too
        auto& c = handle_->connection;
        sql::Transaction transaction(c);
        for (auto* w : batch) {
            sql::Query q(c, "INSERT INTO inbox (integration, received_at, body) VALUES (?, ?, ?)");
            q.bind(w->integration, w->received_at_ms).bind_blob(3, w->body).run();
            w->id = c.last_insert_id();  // its caller reads it only after `done`, set under mutex_
        }
        transaction.commit();
        return std::nullopt;
    } catch (const std::exception& e) {
        return e.what();
    }
}

}  // namespace switchyard::store
