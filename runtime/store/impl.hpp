// What the store's .cpp files share: the connections behind a Store, the group commit of
// accepts, and the state of a Work.
#pragma once

#include "common/clock.hpp"
#include "runtime/store/sqlite.hpp"
#include "runtime/store/store.hpp"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::store {

// A connection and the lock that lets one thread at a time use it.
struct Handle {
    Handle(const std::string& path, const char* vfs) : connection(path, vfs) {}
    sql::Connection connection;
    std::mutex mutex;
    // The worker's handle: channel ids by (integration, external id), as committed. Channels
    // are never deleted or renumbered, so what is here stays true. Guarded by `mutex`.
    std::map<std::pair<std::string, std::string>, std::int64_t> channels;
};

// Group commit (inbox.cpp): concurrent accepts share one transaction. A caller that finds no
// commit under way leads: it takes every queued row, inserts them all, commits, and wakes each
// caller with its row id; callers that arrive meanwhile queue for the next commit. Most of a
// commit's cost is per commit, not per row (the locks, the WAL write), so the cost per row
// falls as the queue grows. Queues grow where a commit keeps callers waiting (a slow disk, a
// checkpoint's fsync, more cores); on 2 cores, where a commit is a few microseconds of CPU,
// they average about 1.1 rows.
class Accepts {
public:
    explicit Accepts(std::shared_ptr<Handle> handle) : handle_(std::move(handle)) {}
    std::int64_t accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms);

private:
    // One caller's row; it lives on the caller's stack, which waits until `done`. Its fields
    // after `body` are guarded by mutex_ (`id` is written by the leader before `done` is set).
    struct Waiter {
        Waiter(std::string_view i, std::string_view b, std::int64_t at) : integration(i), body(b), received_at_ms(at) {}
        std::string_view integration;
        std::string_view body;
        std::int64_t received_at_ms = 0;
        std::int64_t id = 0;
        std::optional<std::string> error;  // why the commit failed
        bool done = false;
        std::condition_variable wake;
    };
    void lead(std::unique_lock<std::mutex>& lock);
    std::optional<std::string> insert_all(const std::vector<Waiter*>& batch);

    std::shared_ptr<Handle> handle_;  // the inbox file's writing connection
    std::mutex mutex_;
    std::vector<Waiter*> queue_;      // rows for the next commit
    bool committing_ = false;         // a leader is at work
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
    std::shared_ptr<Handle> worker;
    std::shared_ptr<Handle> inbox;
    std::shared_ptr<Handle> reader;
    std::shared_ptr<Handle> inbox_writer;  // the connection of accepts (and of the pruning)
    std::unique_ptr<Accepts> accepts;
};

struct Work::State {
    State(Handle& worker, Handle& inbox_reader)
        : lock(worker.mutex),
          connection(worker.connection),
          inbox(inbox_reader),
          channels(worker.channels),
          transaction(connection) {}
    std::unique_lock<std::mutex> lock;  // first: held until the transaction has ended
    sql::Connection& connection;
    Handle& inbox;  // the worker's connection itself in memory (its lock is `lock` then)
    std::map<std::pair<std::string, std::string>, std::int64_t>& channels;  // committed (Handle::channels)
    std::map<std::pair<std::string, std::string>, std::int64_t> new_channels;  // made or found by this transaction
    std::string json_text[3];  // room for the JSON columns of one statement, reused
    sql::Transaction transaction;
};

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

}  // namespace switchyard::store
