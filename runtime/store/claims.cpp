// A shared store's inbox (PostgreSQL, several servers on one database): which worker takes
// which rows, and which server leads each background duty.
//
// Every row waiting is in `inbox_queue` with its lanes, the conversations its events belong
// to (InboxKeys). A worker reads the head of the queue, then chooses, in id order, the rows whose
// lanes it can lock: a lane is an advisory lock of its inbox connection's session, so while a
// worker holds it no other takes a row of that conversation, and a row stays behind an earlier
// row of one of its lanes that another worker holds. It takes the rows chosen in its own
// transaction with FOR UPDATE SKIP LOCKED: row locks alone would let a worker that skips a
// conversation's row held by another take that conversation's next row; the lanes keep the order. The lanes are let go when the worker's
// transaction has ended (LaneLocks), after the rows it finished left the queue in that same
// transaction; a killed server's connections end, and with them its lanes, so its rows are
// taken over as they stand (its transaction rolled back). The queue is read outside that
// transaction, on the inbox connection, so that each read sees the latest commits, and the
// lanes are let go only once the transaction has ended.
#include "runtime/store/impl.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace switchyard::store {

namespace {

using sql::Query;

// How far past the rows wanted a worker looks: rows that other workers hold, and rows behind
// them, are passed over.
constexpr std::size_t window_factor = 8;
constexpr std::size_t batch_bytes = 8u << 20;  // as rows_after's in inbox.cpp

struct Queued {
    std::int64_t id = 0;
    std::vector<std::int64_t> lanes;  // lock keys
    bool requeued = false;
};

// A lane's lock key: FNV-1a of its text, as PostgreSQL's advisory locks take one bigint. Two
// lanes that share a key only wait for each other.
std::int64_t lane_key(std::string_view lane) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char ch : lane) {
        h ^= ch;
        h *= 1099511628211ull;
    }
    return static_cast<std::int64_t>(h);
}

std::vector<std::int64_t> lane_keys(std::int64_t id, const std::string& lanes) {
    std::vector<std::int64_t> keys;
    std::size_t start = 0;
    while (start < lanes.size()) {
        auto end = lanes.find('\n', start);
        if (end == std::string::npos) end = lanes.size();
        keys.push_back(lane_key(std::string_view(lanes).substr(start, end - start)));
        start = end + 1;
    }
    // A row of no conversation waits for no other, but two workers must not take it both.
    if (keys.empty()) keys.push_back(lane_key("#" + std::to_string(id)));
    return keys;
}

// The head of the queue, less the rows this Work has finished (they leave the queue when it
// commits).
std::vector<Queued> queue_head(sql::Connection& c, std::size_t window, const std::set<std::int64_t>& finished) {
    std::vector<Queued> rows;
    Query q(c,
            "SELECT q.id, q.lanes, r.id IS NOT NULL FROM inbox_queue q LEFT JOIN inbox_requeued r ON r.id = q.id"
            " ORDER BY q.id LIMIT ?");
    q.bind(static_cast<std::int64_t>(window + finished.size()));
    while (q.step())
        if (!finished.contains(q.integer(0)))
            rows.push_back(Queued{q.integer(0), lane_keys(q.integer(0), q.text(1)), q.integer(2) != 0});
    return rows;
}

// PostgreSQL's array literal of the numbers: `{1,2,3}`.
std::string array_literal(const std::vector<std::int64_t>& numbers) {
    std::string out = "{";
    for (auto n : numbers) {
        if (out.size() > 1) out += ',';
        out += std::to_string(n);
    }
    return out + "}";
}

// Tries each key's lock without waiting; the keys now held.
std::set<std::int64_t> try_locks(sql::Connection& c, const std::vector<std::int64_t>& keys) {
    std::set<std::int64_t> held;
    Query q(c, "SELECT k FROM unnest(?::bigint[]) AS k WHERE pg_try_advisory_lock(k)");
    q.bind(array_literal(keys));
    while (q.step()) held.insert(q.integer(0));
    return held;
}

// Lets go of one lock of each key (a lock taken twice by a session is held until let go twice).
void unlock(sql::Connection& c, const std::vector<std::int64_t>& keys) {
    if (keys.empty()) return;
    Query q(c, "SELECT count(*) FROM unnest(?::bigint[]) AS k WHERE pg_advisory_unlock(k)");
    q.bind(array_literal(keys));
    q.step();
}

// Walks the head of the queue in id order and takes up to `limit` rows. A row is taken when
// every lane of it is held here and none is blocked; a row not taken blocks its lanes for the
// rows after it, so that no row of a conversation overtakes an earlier one. Locks are tried
// for several rows at once (as many as are still wanted, and at least 16), in one statement;
// those no row taken needs are let go at the end, so that other workers may take those rows.
std::vector<const Queued*> take(sql::Connection& c, const std::vector<Queued>& head, std::size_t limit, LaneLocks& locks) {
    std::vector<const Queued*> taken;
    std::set<std::int64_t> held, refused, blocked;
    std::size_t tried_to = 0;  // rows whose lanes were tried
    for (std::size_t i = 0; i < head.size() && taken.size() < limit; ++i) {
        const auto& row = head[i];
        auto is_blocked = [&](std::int64_t k) { return blocked.contains(k); };
        if (std::any_of(row.lanes.begin(), row.lanes.end(), is_blocked)) {
            blocked.insert(row.lanes.begin(), row.lanes.end());
            continue;
        }
        if (i >= tried_to) {
            std::vector<std::int64_t> keys;
            tried_to = std::min(head.size(), i + std::max<std::size_t>(limit - taken.size(), 16));
            for (std::size_t j = i; j < tried_to; ++j)
                for (auto k : head[j].lanes)
                    if (!held.contains(k) && !refused.contains(k) && !blocked.contains(k) &&
                        std::find(keys.begin(), keys.end(), k) == keys.end())
                        keys.push_back(k);
            if (!keys.empty()) {
                locks.taken();
                auto got = try_locks(c, keys);
                for (auto k : keys) (got.contains(k) ? held : refused).insert(k);
            }
        }
        auto is_held = [&](std::int64_t k) { return held.contains(k); };
        if (std::all_of(row.lanes.begin(), row.lanes.end(), is_held))
            taken.push_back(&row);
        else
            blocked.insert(row.lanes.begin(), row.lanes.end());
    }
    for (const auto* row : taken)
        for (auto k : row->lanes) held.erase(k);
    unlock(c, std::vector<std::int64_t>(held.begin(), held.end()));
    return taken;
}

}  // namespace

LaneLocks::~LaneLocks() {
    if (!held_) return;
    try {
        std::lock_guard lock(inbox_.mutex);
        Query q(inbox_.connection, "SELECT pg_advisory_unlock_all()");
        q.step();
    } catch (const std::exception&) {
        // The connection is gone, and its locks with it.
    }
}

std::vector<InboxRow> Work::claim_shared(std::size_t limit) {
    auto& inbox = state_->inbox;
    std::lock_guard lock(inbox.mutex);
    auto& c = inbox.connection;
    auto head = queue_head(c, limit * window_factor, state_->finished);
    auto taken = take(c, head, limit, state_->lanes);
    if (taken.empty()) return {};
    // Taken for good in this Work's transaction: each queue row locked FOR UPDATE, skipped
    // rather than waited for when another transaction has it (a killed server's, not yet rolled
    // back; two lanes whose keys are one number), and deleted by finish() when its row is done. Still queued: a row
    // that another worker finished after the head was read left the queue before that worker let
    // its lanes go, so this statement, which began after the lanes were taken, does not see it.
    std::vector<std::int64_t> ids;
    std::unordered_map<std::int64_t, bool> requeued;
    for (const auto* row : taken) {
        ids.push_back(row->id);
        requeued[row->id] = row->requeued;
    }
    Query q(state_->connection,
            "SELECT i.id, i.integration, i.received_at, i.body FROM inbox_queue q JOIN inbox i ON i.id = q.id"
            " WHERE q.id = ANY(?::bigint[]) ORDER BY q.id FOR UPDATE OF q SKIP LOCKED");
    q.bind(array_literal(ids));
    // The batch ends before the first row chosen that was not taken: a killed server's lanes
    // may be free a moment before its transaction has rolled back and let go of the row, and a
    // later row of that conversation must not overtake it. (A row finished meanwhile ends the
    // batch too; the next one goes on from there.)
    std::vector<InboxRow> rows;
    std::size_t bytes = 0, next = 0;
    while (bytes < batch_bytes && q.step()) {
        if (q.integer(0) != ids[next++]) break;
        rows.push_back(InboxRow{q.integer(0), q.text(1), q.integer(2), q.text(3), requeued[q.integer(0)]});
        bytes += rows.back().body.size();
    }
    return rows;
}

// ---- duties ----

namespace {

// A lock held by a session stays held until the session ends, so a duty once led is led until
// the connection breaks: looked at again at most once a second, with a statement that fails
// on a broken connection.
constexpr std::int64_t duty_check_ms = 1000;

}  // namespace

bool Store::leads(Duty duty) {
    if (!impl_->postgres) return true;
    auto& h = *impl_->duties;
    std::lock_guard lock(h.mutex);
    auto now = common::steady_clock_ms();
    if (impl_->led.contains(duty)) {
        if (now - impl_->duties_checked_ms < duty_check_ms) return true;
        try {
            Query q(h.connection, "SELECT 1");
            q.step();
            impl_->duties_checked_ms = now;
            return true;
        } catch (const StoreError&) {
            impl_->led.clear();  // the session, and every lock of it, is gone
            return false;
        }
    }
    Query q(h.connection, "SELECT pg_try_advisory_lock(?, ?)");
    q.bind(shared_lock_class, static_cast<std::int64_t>(duty));  // two keys: apart from the lanes' one-key locks
    if (!q.step() || q.integer(0) == 0) return false;
    impl_->led.insert(duty);
    impl_->duties_checked_ms = now;
    return true;
}

}  // namespace switchyard::store
