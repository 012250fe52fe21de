// The inbox: accept() with group commit (Accepts in impl.hpp), and the worker's taking of rows
// (Work::next_pending and finish).
#include "runtime/store/impl.hpp"

#include "common/clock.hpp"
#include "common/thread_name.hpp"

#include <future>

namespace switchyard::store {

Accepts::Accepts(std::shared_ptr<Handle> handle, bool shared)
    : handle_(std::move(handle)), shared_(shared), committer_([this] {
          common::name_this_thread("sy-accept");
          run();
      }) {}

Accepts::~Accepts() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    committer_.join();
}

std::int64_t Accepts::accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms, InboxKeys keys) {
    std::promise<Accepted> outcome;
    auto future = outcome.get_future();
    accept_async(integration, body, received_at_ms, std::move(keys),
                 [&outcome](Accepted a) { outcome.set_value(std::move(a)); });
    auto accepted = future.get();
    if (accepted.error) throw *accepted.error;
    return accepted.id;
}

void Accepts::accept_async(std::string_view integration, std::string_view body, std::int64_t received_at_ms, InboxKeys keys,
                           AcceptDone done) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(Pending{std::string(integration), body, received_at_ms, std::move(keys), std::move(done)});
        ++unanswered_;
    }
    wake_.notify_one();
}

void Accepts::drain() {
    std::unique_lock lock(mutex_);
    answered_.wait(lock, [&] { return unanswered_ == 0; });
}

void Accepts::run() {
    std::vector<Pending> batch;
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, with nothing left to commit
        batch.swap(queue_);
        lock.unlock();
        commit(batch);
        lock.lock();
        unanswered_ -= batch.size();
        batch.clear();
        if (unanswered_ == 0) answered_.notify_all();
    }
}

// Inserts and commits the batch, then tells each caller. The whole batch fails together: what
// can fail here (a full disk, another process holding the file past busy_timeout) fails the
// transaction, not one row.
void Accepts::commit(std::vector<Pending>& batch) {
    std::vector<Accepted> rows;
    rows.reserve(batch.size());
    std::optional<StoreError> error;
    try {
        std::lock_guard lock(handle_->mutex);  // in memory this is the worker's connection too
        auto& c = handle_->connection;
        sql::Transaction transaction(c);
        for (const auto& row : batch) {
            if (shared_) {
                rows.push_back(insert_shared(row));
                continue;
            }
            sql::Query q(c, "INSERT INTO inbox (integration, received_at, body) VALUES (?, ?, ?)");
            q.bind(row.integration, row.received_at_ms).bind_blob(3, row.body).run();
            rows.push_back(Accepted{c.last_insert_id(), std::nullopt});
        }
        transaction.commit();
    } catch (const StoreError& e) {
        error = e;
    } catch (const std::exception& e) {
        error = StoreError(e.what());
    }
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(error ? Accepted{0, error} : std::move(rows[i]));
}

namespace {

// The lanes as the queue keeps them: one text, a line each (no lane holds a line break: they
// are integration ids and chat ids).
std::string joined_lanes(const std::vector<std::string>& lanes) {
    std::string out;
    for (const auto& lane : lanes) {
        if (!out.empty()) out += '\n';
        out += lane;
    }
    return out;
}

}  // namespace

// The key's unique index decides between servers accepting the same body at once: the second
// INSERT waits for the first's transaction and then does nothing, and the row it finds is the
// first's. The queue row is made with the inbox row, in the same transaction.
Accepted Accepts::insert_shared(const Pending& row) {
    auto& c = handle_->connection;
    std::optional<std::string_view> key;
    if (!row.keys.key.empty()) key = row.keys.key;
    auto lanes = joined_lanes(row.keys.lanes);
    sql::Query insert(c,
                      "INSERT INTO inbox (integration, received_at, body, key, lanes) VALUES (?, ?, ?, ?, ?)"
                      " ON CONFLICT (key) DO NOTHING RETURNING id");
    insert.bind(row.integration, row.received_at_ms).bind_blob(3, row.body).bind_from(4, key, lanes);
    if (insert.step()) {
        auto id = insert.integer(0);
        sql::Query(c, "INSERT INTO inbox_queue (id, lanes) VALUES (?, ?)").bind(id, lanes).run();
        return Accepted{id, std::nullopt};
    }
    sql::Query first(c, "SELECT id FROM inbox WHERE key = ?");
    first.bind(*key);
    if (!first.step()) throw StoreError("a row with the key " + std::string(*key) + " was neither made nor found");
    return Accepted{first.integer(0), std::nullopt, true};
}

namespace {

using sql::Query;

// The first inbox rows after `last`: rows are taken strictly in id order, which is the order
// they were committed in (one writer, ids that only grow).
// A batch holds at most `limit` rows and, past its first row, at most this many bytes of
// bodies: a body may be up to the server's body limit (10 MiB by default), and a batch of the
// largest must not hold gigabytes in memory.
constexpr std::size_t batch_bytes = 8u << 20;

std::vector<InboxRow> rows_after(sql::Connection& inbox, std::int64_t last, std::size_t limit) {
    std::vector<InboxRow> rows;
    Query q(inbox, "SELECT id, integration, received_at, body FROM inbox WHERE id > ? ORDER BY id LIMIT ?");
    q.bind(last, static_cast<std::int64_t>(limit));
    std::size_t bytes = 0;
    while (bytes < batch_bytes && q.step()) {
        rows.push_back(InboxRow{q.integer(0), q.text(1), q.integer(2), q.text(3)});
        bytes += rows.back().body.size();
    }
    return rows;
}

// Rows put back in the queue, by id. One whose body is gone (pruned while it was not kept)
// is not returned; requeue_failed() keeps that from happening.
std::vector<InboxRow> rows_by_id(sql::Connection& inbox, const std::vector<std::int64_t>& ids) {
    std::vector<InboxRow> rows;
    for (auto id : ids) {
        Query q(inbox, "SELECT id, integration, received_at, body FROM inbox WHERE id = ?");
        q.bind(id);
        if (q.step()) rows.push_back(InboxRow{q.integer(0), q.text(1), q.integer(2), q.text(3), true});
    }
    return rows;
}

}  // namespace

// ---- the inbox ----

std::optional<InboxRow> Work::next_pending() {
    auto rows = next_pending(1);
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
}

std::vector<InboxRow> Work::next_pending(std::size_t limit) {
    if (state_->shared) return claim_shared(limit);
    // Where to go on is in this transaction (inbox_state, with what it has finished itself);
    // the rows are read on the inbox file's own connection, so that this one, which holds the
    // tracker's write lock, never takes a lock on the inbox file that accepts need.
    auto requeued = requeued_ids(limit);
    auto last = last_taken(state_->connection);
    auto& inbox = state_->inbox;
    std::unique_lock<FairMutex> lock;
    if (&inbox.connection != &state_->connection) lock = std::unique_lock(inbox.mutex);  // in memory: one connection
    // Rows put back in the queue go first, in a batch of their own: one of them may be above
    // the last row taken (it was the last), and must not be taken twice.
    if (!requeued.empty()) {
        auto rows = rows_by_id(inbox.connection, requeued);
        if (rows.size() < requeued.size()) fail_bodiless(requeued, rows);
        if (!rows.empty()) return rows;
    }
    return rows_after(inbox.connection, last, limit);
}

std::vector<std::int64_t> Work::requeued_ids(std::size_t limit) {
    std::vector<std::int64_t> ids;
    Query q(state_->connection, "SELECT id FROM inbox_requeued ORDER BY id LIMIT ?");
    q.bind(static_cast<std::int64_t>(limit));
    while (q.step()) ids.push_back(q.integer(0));
    return ids;
}

// A row put back whose body is no longer in the inbox file (removed by hand: the pruning keeps
// failed rows) fails again at once, instead of standing in front of the queue.
void Work::fail_bodiless(const std::vector<std::int64_t>& requeued, const std::vector<InboxRow>& found) {
    std::size_t next = 0;
    for (auto id : requeued) {
        if (next < found.size() && found[next].id == id) {
            ++next;
            continue;
        }
        finish(id, "failed", "its body is no longer in the inbox file", common::wall_clock_ms());
        drop_requeued(id);
    }
}

void Work::drop_requeued(std::int64_t inbox) { Query(state_->connection, "DELETE FROM inbox_requeued WHERE id = ?").bind(inbox).run(); }

void Work::finish(std::int64_t inbox, std::string_view state, std::string_view note, std::int64_t at) {
    if (state_->shared) {
        Query(state_->connection, "DELETE FROM inbox_queue WHERE id = ?").bind(inbox).run();
        state_->finished.insert(inbox);
    }
    Query q(state_->connection, "INSERT INTO inbox_state (id, state, note, processed_at) VALUES (?, ?, ?, ?)");
    q.bind(inbox, state, note.empty() ? std::nullopt : std::optional(note), at).run();
}

}  // namespace switchyard::store
