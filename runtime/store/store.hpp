// The store: the only code that touches SQLite. Two database files: the inbox of webhook bodies
// (`<name>.inbox.db` beside the tracker, inbox_path()), and the tracker database, with what was
// made of them (contacts, conversations, tasks, comments, files, notifications, likes), which
// rows are done, the decision log, and what employees do (the outbox of messages going out,
// the tasks' history, quick replies). Two files because SQLite lets one writer at a time into a
// file: the server's accepts must never wait for the worker's transactions. Each file has its
// own numbered migrations, applied at open. Safe to use from several threads: the server
// accepts, the worker processes, the API reads.
#pragma once

#include "runtime/store/rulesets.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::store {

// what(): the whole story for the server's log, the SQL included. reason(): what may be shown
// to a client (the database's own words), never the SQL.
class StoreError : public std::runtime_error {
public:
    explicit StoreError(const std::string& what) : std::runtime_error(what), reason_(what) {}
    StoreError(const std::string& what, std::string reason, bool conflict = false)
        : std::runtime_error(what), reason_(std::move(reason)), conflict_(conflict) {}
    const std::string& reason() const { return reason_; }
    // Another transaction's writes made this one fail (PostgreSQL: a serialization failure, a
    // deadlock): nothing of it was kept, and running it again may succeed.
    bool conflict() const { return conflict_; }

private:
    std::string reason_;
    bool conflict_ = false;
};

// One step of the schema of one file. Numbers start at 1 and grow by one; a file records the
// numbers applied to it (the tracker in `schema_migrations`, the inbox in `inbox_migrations`).
struct Migration {
    int number = 0;
    std::string_view name;
    std::string_view sql;
};

// The migrations of each file, in order.
struct Schema {
    std::span<const Migration> tracker;
    std::span<const Migration> inbox;
};

// This program's schema (runtime/store/schema.cpp).
Schema current_schema();
// The same migrations in PostgreSQL's words (runtime/store/schema_postgres.cpp, issue 16).
Schema postgres_schema();
// Whether a storage is a PostgreSQL database (a `postgresql://` URI) rather than an SQLite file.
bool is_postgres(std::string_view storage);

// The inbox file that goes with the tracker database at `path`: `.inbox` before the extension
// (`var/switchyard.db` -> `var/switchyard.inbox.db`; `data/store` -> `data/store.inbox`).
std::string inbox_path(const std::string& path);

// The highest migration applied to each file.
struct SchemaVersion {
    int tracker = 0;
    int inbox = 0;
};

class Work;

// What became of a row given to accept_async(): its id, or why its commit failed.
struct Accepted {
    std::int64_t id = 0;
    std::optional<StoreError> error;
    // The body's key was already stored (a redelivery, to this server or another): no row was
    // made, and `id` is the first one's.
    bool duplicate = false;
};

// What a server sharing its database with others (shared(): PostgreSQL) says of a body as it
// accepts it, read from the body by the adapters (worker::inbox_keys).
struct InboxKeys {
    // The same for every delivery of the same events: a body whose key is stored already makes
    // no second row. Empty: the body is kept whatever else came.
    std::string key;
    // The conversations the body's events belong to: rows that share one are processed one at
    // a time, in the order of their ids, by whichever server's worker takes them. None: the
    // row waits for no other.
    std::vector<std::string> lanes;
};
using AcceptDone = std::function<void(Accepted)>;

// W3-W7: a Wazzup channel added or deleted through the API (api_channels).
struct ChannelRow {
    std::string integration;
    std::string id;
    std::string number;
    std::string transport;  // whatsapp, instagram
    std::string name;
    bool deleted = false;
    std::int64_t at = 0;
};

struct OutboxRow;
struct QuickReplyRecord;
struct FileRecord;

// One inbox row as the worker reads it.
struct InboxRow {
    std::int64_t id = 0;
    std::string integration;
    std::int64_t received_at_ms = 0;
    std::string body;
    bool requeued = false;  // it had failed, and was put back by requeue_failed()
};

// How much a commit survives: what `[server] durability` chooses (docs/configuration.md).
enum class Durability : std::uint8_t {
    power_loss,     // synchronous=FULL: the WAL is on the disk (fsync) before a commit returns
    process_crash,  // synchronous=NORMAL: a kill -9 loses nothing, a power cut the last commits
};

struct Options {
    Durability durability = Durability::power_loss;
};

// An inbox row whose processing failed, with the worker's reason (GET /api/v1/inbox/failed).
struct FailedRow {
    std::int64_t id = 0;
    std::string integration;
    std::int64_t received_at_ms = 0;
    std::int64_t failed_at_ms = 0;
    std::string reason;
    std::int64_t bytes = 0;  // of the body
};

enum class Requeue : std::uint8_t {
    requeued,    // pending again; the worker takes it next
    not_failed,  // no such row, or it is pending or done
};

// An outbox message given up (state `failed`), with the reason (GET /api/v1/outbox/failed).
struct FailedOutboxRow {
    std::int64_t id = 0;
    std::optional<std::int64_t> comment;  // the comment it carries; none for a like
    std::optional<std::int64_t> task;
    std::string integration;
    std::string chat;
    std::string method;  // sendMessage, sendDocument, setMessageReaction, ...
    std::string error;   // the platform's words, or why it was given up
    int attempts = 0;
    std::int64_t failed_at_ms = 0;
};

// One step of the retention pruning: rows deleted, and where the next step starts (0: done).
struct Pruned {
    std::int64_t deleted = 0;
    std::int64_t next_after = 0;
};

struct Counts {
    std::int64_t received = 0;   // inbox rows
    std::int64_t processed = 0;  // inbox rows done
    std::int64_t failed = 0;     // inbox rows whose processing failed (kept, with the reason)
    std::int64_t tasks = 0;
    std::int64_t contacts = 0;
    std::int64_t decisions = 0;
};

// The outbox's backlog: rows queued or sending.
struct OutboxStats {
    std::int64_t depth = 0;
    std::optional<std::int64_t> oldest_created_at;  // none when the backlog is empty
};

struct LogFilter;
struct RecordedRow;

// Background work that one server at a time does on a shared store.
enum class Duty : std::uint8_t {
    // The outbox and the files to fetch: the dispatcher paces each chat and each bot (one
    // message a second to a chat, thirty a second for a bot), which holds only if one process
    // decides what goes; a second server takes over when the first goes away.
    outbound,
};

class Store {
public:
    // Opens (creating them if needed) and migrates the tracker database at `path` and its inbox
    // file (inbox_path): every migration not yet applied, each in its own transaction. A file that
    // records a migration this program does not know (written by a newer version) is refused with
    // StoreError. A new tracker next to an existing inbox file starts after the rows already
    // there (they were another tracker's); an existing tracker next to an inbox file it was not
    // made with is refused, unless that file is empty (a new one), which then goes on with the
    // old numbering. `:memory:` opens one private in-memory database holding both (tests).
    // `schema` is for tests of the migration itself.
    explicit Store(const std::string& path, Schema schema = current_schema(), Options options = {});
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // ---- the inbox (called by the server for each authenticated webhook) ----

    // Stores a webhook body durably: when this returns, a kill -9 cannot lose it. The row id.
    // Writes only the inbox file, so it never waits for the worker. Concurrent calls share one
    // commit (group commit): each returns once the commit that holds its row is done.
    // `keys` as for accept_async() on a shared store: a duplicate gives the first row's id.
    std::int64_t accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms,
                        InboxKeys keys = {});
    // The same without waiting: `done` is called once the commit that holds the row is done or
    // has failed, on the store's committing thread, so it must be short (hand the answer to
    // another thread). `body` must stay valid until then.
    void accept_async(std::string_view integration, std::string_view body, std::int64_t received_at_ms, AcceptDone done);
    // The same on a shared store, with what the server read of the body: a duplicate key makes
    // no row; the lanes keep each conversation in order across the servers' workers.
    void accept_async(std::string_view integration, std::string_view body, std::int64_t received_at_ms, InboxKeys keys,
                      AcceptDone done);
    // Whether several servers may run on this store at once (PostgreSQL): their workers then
    // share the inbox by lanes (InboxKeys), and each background duty (Duty) is led by one.
    bool shared() const;
    // Waits until every accept_async() so far has called its `done` (before what those callbacks
    // use, such as the server's sessions, goes away).
    void drain_accepts();

    // ---- the read side of the HTTP API (docs/api.md) ----

    boost::json::array tasks(std::int64_t limit = 100, std::int64_t after_id = 0);
    // With comments (their files, notifications, likes, delivery), chat links and history; a
    // deleted task too (tasks() leaves those out).
    std::optional<boost::json::object> task(std::int64_t id);
    std::optional<boost::json::object> contact(std::int64_t id);     // with its identities and tasks
    // The decision log, newest first: at most `limit` rows, with ids below `before_id` when given.
    boost::json::array decisions(std::optional<std::int64_t> task, std::int64_t limit = 100, std::int64_t before_id = 0);
    // The decision log with its recorded cases, for replay and explanations (recorded.hpp).
    void each_recorded(const LogFilter& filter, const std::function<void(const RecordedRow&)>& each);
    Counts counts();
    // W3-W7: the channels added and deleted through the API, by integration and id.
    std::vector<ChannelRow> saved_channels();
    OutboxStats outbox_stats();
    // The outbox rows of a comment, in their order (part, then id), whatever their state.
    std::vector<OutboxRow> outbox_of_comment(std::int64_t comment);
    // C8: the quick replies, by name.
    std::vector<QuickReplyRecord> quick_replies();
    // A comment's file by its position in the message, for serving its bytes.
    std::optional<FileRecord> file(std::int64_t comment, int position);

    // ---- the rulesets that have served (rulesets.cpp) ----

    // Newest first (by when each first served).
    std::vector<RulesetRecord> rulesets();
    std::optional<StoredRuleset> ruleset(std::string_view version);
    // The latest event that made a ruleset serve (configured, publish or rollback), by any
    // server of the store: what the others follow on a shared one.
    std::optional<RulesetEvent> latest_served();
    // Newest first: at most `limit` events, with ids below `before_id` when given.
    std::vector<RulesetEvent> ruleset_events(std::int64_t limit = 100, std::int64_t before_id = 0);

    // Whether this server leads `duty`: always on a store of its own; on a shared one, while it
    // holds the duty's lock in the database, taken here when no other server holds it and kept
    // until the store closes (or its connection breaks: a server killed lets it go at once).
    bool leads(Duty duty);

    SchemaVersion schema_version();
    // The database for people: its file, or a PostgreSQL URI without its password.
    const std::string& name() const;
    // What the inbox file's writing connection does at a commit (its PRAGMA synchronous).
    Durability durability();

    // ---- failed rows and retention (retention.cpp) ----

    // Failed inbox rows, oldest first: at most `limit`, with ids above `after_id`.
    std::vector<FailedRow> failed_rows(std::int64_t limit = 100, std::int64_t after_id = 0);
    // Puts a failed row back in the queue, ahead of the rows not yet taken.
    Requeue requeue_failed(std::int64_t id, std::int64_t at_ms);
    // Failed outbox rows, oldest first: at most `limit`, with ids above `after_id` (outbox_failed.cpp).
    std::vector<FailedOutboxRow> failed_outbox(std::int64_t limit = 100, std::int64_t after_id = 0);
    // Sends a failed outbox row again: queued, its attempts from 0, due at `at_ms`, its
    // comment's delivery summary written anew. not_failed when it is not a failed row.
    Requeue requeue_outbox(std::int64_t id, std::int64_t at_ms);
    // Deletes up to `limit` bodies of inbox rows processed (done, not failed) and received
    // before `before_ms`, from the row after `after_id` on; never the last row (ids go on from
    // it). Each call is one short transaction on the inbox file: accepts wait at most for it.
    Pruned prune_inbox(std::int64_t before_ms, std::int64_t after_id, std::int64_t limit);
    // The same for decision-log rows written before `before_ms`, on the worker's connection.
    Pruned prune_decisions(std::int64_t before_ms, std::int64_t after_id, std::int64_t limit);

    // ---- the tracker's side ----

    // T3: links a Telegram group or channel (its chat id as text) to a task; later messages of
    // that chat become comments there (`linked_task` routing). Replaces an earlier link.
    void link_chat(std::string_view integration, std::string_view chat, std::int64_t task, std::int64_t at_ms);

    // ---- the worker's side (runtime/worker): what processing an inbox row needs ----

    // A write transaction on the worker's own connection (runtime/store/work.hpp). Only one
    // is open at a time: a second begin_work() waits for the first to end. On a shared store
    // another server's worker may write beside it; what the two could both decide (one contact,
    // a person's task) is kept to one of them at a time by the lanes, and a unique key both
    // wrote fails one of them with StoreError::conflict(), to be run again.
    Work begin_work();
    // How many times each statement of the worker's transactions has run, by its text (for
    // tests and benchmarks: what applying a webhook costs). Waits for a Work in progress.
    std::map<std::string, std::int64_t> worker_statements();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::store

#include "runtime/store/work.hpp"
