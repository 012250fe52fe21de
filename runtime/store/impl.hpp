// What the store's .cpp files share: the connections behind a Store, the group commit of
// accepts, and the state of a Work.
#pragma once

#include "common/clock.hpp"
#include "runtime/store/fair_mutex.hpp"
#include "runtime/store/sqlite.hpp"
#include "runtime/store/store.hpp"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace switchyard::store {

// A connection and the lock that lets one thread at a time use it, in the order they asked.
struct Handle {
    Handle(const std::string& path, const char* vfs) : owned(std::make_unique<sql::SqliteConnection>(path, vfs)) {}
    explicit Handle(std::unique_ptr<sql::Connection> c) : owned(std::move(c)) {}
    std::unique_ptr<sql::Connection> owned;
    sql::Connection& connection = *owned;
    FairMutex mutex;
    // The worker's handle: channel ids by (integration, external id), as committed. Channels
    // are never deleted or renumbered, so what is here stays true. Guarded by `mutex`.
    std::map<std::pair<std::string, std::string>, std::int64_t> channels;
};

// Group commit (inbox.cpp): a thread of its own commits the rows callers queue. It takes every
// row queued, inserts them all in one transaction, commits, and tells each caller its row id;
// rows queued meanwhile wait for the next commit. Most of a commit's cost is per commit, not per
// row (the locks, the WAL write, and with durability power_loss an fsync of a few
// milliseconds), so the cost per row falls as the queue grows: with the server's callers
// waiting without holding a thread (accept_async), as many rows share a sync as there are
// requests in flight.
class Accepts {
public:
    // `shared`: a store several servers share (PostgreSQL), whose rows carry InboxKeys.
    Accepts(std::shared_ptr<Handle> handle, bool shared);
    ~Accepts();  // commits what is queued, then stops
    Accepts(const Accepts&) = delete;
    Accepts& operator=(const Accepts&) = delete;

    std::int64_t accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms, InboxKeys keys);
    void accept_async(std::string_view integration, std::string_view body, std::int64_t received_at_ms, InboxKeys keys,
                      AcceptDone done);
    // Waits until every row queued so far is committed and its caller told.
    void drain();

private:
    struct Pending {
        std::string integration;
        std::string_view body;  // the caller keeps it until `done`
        std::int64_t received_at_ms = 0;
        InboxKeys keys;
        AcceptDone done;
    };
    void run();
    void commit(std::vector<Pending>& batch);
    // One row of a shared store: made unless its key is there already.
    Accepted insert_shared(const Pending& row);

    std::shared_ptr<Handle> handle_;  // the inbox file's writing connection
    bool shared_ = false;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Pending> queue_;  // rows for the next commit
    std::size_t unanswered_ = 0;  // rows queued or being committed, whose callers are not yet told
    std::condition_variable answered_;
    bool stopping_ = false;
    std::thread committer_;  // last: started once the rest is ready
};

// The connections behind a Store, each with its own lock, so that the server's accepts, the
// worker's transactions and the API's reads never queue behind each other in this process:
//   accepts  the inbox file, its only writer (through Accepts);
//   worker   the tracker, its only writer; it never touches the inbox file, so its long
//            BEGIN IMMEDIATE transactions lock the tracker only;
//   inbox    reads of the inbox file: the worker's next row (beside its transaction), and
//            counts(); each a short lookup, so neither waits long for the other;
//   reader   the API's reads of the tracker.
// The retention pruning deletes through the accepts' connection (under its lock) and the
// worker's, in short transactions.
// WAL lets readers run beside the one writer of each file. An in-memory database is private to
// its connection, so there all four are one and both schemas live in it.
struct Store::Impl {
    std::string path;
    bool postgres = false;  // issue 16: one PostgreSQL database holds both schemas
    std::shared_ptr<Handle> worker;
    std::shared_ptr<Handle> inbox;
    std::shared_ptr<Handle> reader;
    std::shared_ptr<Handle> inbox_writer;  // the connection of accepts (and of the pruning)
    // A shared store's: the connection that holds the duties' locks (leads()), and those held.
    std::shared_ptr<Handle> duties;
    std::set<Duty> led;
    std::int64_t duties_checked_ms = 0;  // when the duties' connection was last seen alive
    std::unique_ptr<Accepts> accepts;
};

// The lanes a shared store's worker holds (claims.cpp): locks of the inbox connection's
// session, taken as rows are claimed and let go when the Work ends, committed or rolled back,
// so that the next holder of a lane sees this one's commit. A server killed lets its lanes go
// with its connections.
class LaneLocks {
public:
    explicit LaneLocks(Handle& inbox) : inbox_(inbox) {}
    ~LaneLocks();
    LaneLocks(const LaneLocks&) = delete;
    LaneLocks& operator=(const LaneLocks&) = delete;
    void taken() { held_ = true; }

private:
    Handle& inbox_;
    bool held_ = false;
};

struct Work::State {
    State(Handle& worker, Handle& inbox_reader, bool shared_store)
        : lock(worker.mutex),
          connection(worker.connection),
          inbox(inbox_reader),
          shared(shared_store),
          channels(worker.channels),
          lanes(inbox_reader),
          transaction(connection) {}
    std::unique_lock<FairMutex> lock;  // first: held until the transaction has ended
    sql::Connection& connection;
    Handle& inbox;  // the worker's connection itself in memory (its lock is `lock` then)
    bool shared;    // PostgreSQL: rows are claimed from inbox_queue by lanes
    std::map<std::pair<std::string, std::string>, std::int64_t>& channels;  // committed (Handle::channels)
    std::map<std::pair<std::string, std::string>, std::int64_t> new_channels;  // made or found by this transaction
    std::string json_text[4];  // room for the JSON columns of one statement, reused
    std::set<std::int64_t> finished;  // a shared store's: rows finished here, still queued until the commit
    LaneLocks lanes;  // let go after the transaction has ended
    sql::Transaction transaction;
};

// A shared store's locks of the session in PostgreSQL's two-key space (the lanes take the
// one-key space, claims.cpp): (class, the duty's number) for each Duty, (class, -1) while the
// store migrates.
inline constexpr std::int64_t shared_lock_class = 0x53590001;
inline constexpr std::int64_t migration_lock_key = -1;

// The last inbox id the tracker has taken (inbox_state) or left out (inbox_link): the next row
// to process is the first inbox id above it.
std::int64_t last_taken(sql::Connection& tracker);

using common::iso_time;

// ---- rows read and written alike by several files (rows.cpp) ----

// JSON text written into `buffer`, whose room is kept from call to call (State::json_text).
std::string_view json_text(const boost::json::value& v, std::string& buffer);
// A JSON array column; empty when the text is not one.
boost::json::array array_from(const std::string& text);
// An author or assignee from its three columns (kind, id, name); a null id is 0, a null kind
// an employee the messenger did not name.
PersonRef person_at(const sql::Query& q, int kind, int id, int name);
// Person id 0 (not named) is stored as null.
std::optional<std::int64_t> nonzero(std::int64_t id);

// The columns of a CommentRecord, to be followed by a WHERE clause; comment_record_at reads them.
inline constexpr std::string_view comment_record_columns =
    "SELECT id, task, conversation, chat, chat_kind, direction, author_kind, author, author_name, text, external_id,"
    " number, participants, sent_at, integration, quotes, delivery_status FROM comments ";
CommentRecord comment_record_at(const sql::Query& q);

// ---- the outbox (outbox.cpp) ----

// The comment's delivery columns from all its outbox rows (Work's header says the order): after
// every change of one of them.
void summarise_delivery(sql::Connection& c, std::int64_t comment, std::int64_t at);

}  // namespace switchyard::store
