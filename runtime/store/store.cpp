// Opening, migrating and pairing the two files, counts, and the start of a Work.
#include "runtime/store/impl.hpp"
#include "runtime/store/migrations.hpp"
#include "runtime/store/postgres.hpp"

#include "common/clock.hpp"
#include "common/storage.hpp"

#include <filesystem>

namespace switchyard::store {

namespace {

// Every connection: a busy timeout first, so that even the first lock (switching to WAL) waits
// for another process instead of failing (a server restarting while the old one exits; in this
// process each file has one writing connection); WAL so that readers never block the writer.
// In WAL mode synchronous=FULL syncs the log at every commit, so that a committed transaction
// survives a power cut; NORMAL syncs it only at checkpoints, and a commit survives a crash of
// the process (kill -9), not of the machine. Group commit shares a sync between the accepts
// that wait for it.
void configure(sql::Connection& c, bool in_memory, Durability durability) {
    c.exec("PRAGMA busy_timeout = 10000");
    if (!in_memory) c.exec("PRAGMA journal_mode = WAL");
    c.exec(durability == Durability::power_loss ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    c.exec("PRAGMA foreign_keys = ON");
    // Sorts and temporary b-trees (GROUP BY, DISTINCT) in memory, never in a temporary file.
    c.exec("PRAGMA temp_store = MEMORY");
    // No mmap (SQLite's default): mapped pages of the database count in the process's memory
    // and grew it with the file (to 315 MB over 200,000 webhooks), for no gain measured.
}

// The worker's connection to the tracker keeps a larger page cache than SQLite's 2 MiB: the
// b-tree pages it walks for every message (identities, conversations, tasks, comments, their
// indexes) then stay in memory. A bound, not a growth: it fills once and stays that size.
void configure_worker(sql::Connection& c) { c.exec("PRAGMA cache_size = -8192"); }  // KiB

// ---- migrations ----

// Where a file records the migrations applied to it. The names differ so that in memory, where
// both schemas share one database, each keeps its own record.
constexpr std::string_view tracker_record = "schema_migrations";
constexpr std::string_view inbox_record = "inbox_migrations";

void check_order(std::span<const Migration> schema) {
    for (std::size_t i = 0; i < schema.size(); ++i)
        if (schema[i].number != static_cast<int>(i) + 1)
            throw StoreError("migrations must be numbered 1, 2, 3, ... in order; found " + std::to_string(schema[i].number) +
                             " in place " + std::to_string(i + 1));
}

// ---- pairing the tracker with its inbox file ----

std::string identity_of_inbox(sql::Connection& inbox) {
    sql::Query q(inbox, "SELECT identity FROM inbox_file");
    if (!q.step()) throw StoreError("the inbox file has no identity (inbox_file is empty)");
    return q.text(0);
}

std::int64_t last_inbox_id(sql::Connection& inbox) {
    sql::Query q(inbox, "SELECT coalesce(max(id), 0) FROM inbox");
    q.step();
    return q.integer(0);
}

std::optional<std::string> linked_inbox(sql::Connection& tracker) {
    sql::Query q(tracker, "SELECT inbox_file FROM inbox_link");
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

void set_link(sql::Connection& tracker, const std::string& identity, std::int64_t start_after) {
    sql::Query(tracker, "DELETE FROM inbox_link").run();
    sql::Query(tracker, "INSERT INTO inbox_link (inbox_file, start_after) VALUES (?, ?)").bind(identity, start_after).run();
}

// A new inbox file beside a tracker that used another one (deleted, say, to reclaim space):
// its ids must go on after the tracker's last, which inbox_state keys by and the worker counts
// from. An empty row with that id does it (the next id is the largest plus one); it is at or
// below the link's start_after, so it is neither processed nor counted.
void continue_numbering(sql::Connection& inbox, std::int64_t last) {
    if (last == 0) return;
    sql::Query(inbox, "INSERT INTO inbox (id, integration, received_at, body) VALUES (?, '', 0, x'')").bind(last).run();
}

// A new inbox file: empty, or holding only the row that continue_numbering() wrote for `last`
// (an open that stopped before it could record the link: the two files commit apart).
bool new_for(sql::Connection& inbox, std::int64_t last) {
    sql::Query q(inbox, "SELECT 1 FROM inbox WHERE NOT (id = ? AND integration = '' AND length(body) = 0) LIMIT 1");
    q.bind(last);
    return !q.step();
}

// Pairs the tracker with the inbox file (inbox_link), so that the worker never mistakes one
// file's rows for another's: taking the rows after the largest id done, it would skip a new
// file's first rows, or apply rows that belong to another tracker.
void link(sql::Connection& tracker, sql::Connection& inbox, const std::string& path, const std::string& inbox_file) {
    sql::Transaction t(tracker);  // two processes opening one new pair link it once
    auto identity = identity_of_inbox(inbox);
    auto linked = linked_inbox(tracker);
    if (!linked) {
        // A new tracker: rows already in the file were another tracker's (the tracker file was
        // removed to start over); they are kept in the file but neither processed nor counted.
        set_link(tracker, identity, last_inbox_id(inbox));
    } else if (*linked != identity) {
        auto last = last_taken(tracker);
        if (!new_for(inbox, last))
            throw StoreError("the inbox file " + inbox_file + " is not the one the database " + path +
                             " was made with: move one of them away, or point `storage` at another file");
        if (last_inbox_id(inbox) == 0) continue_numbering(inbox, last);
        set_link(tracker, identity, last);
    }
    t.commit();
}

// An inbox file that lost its last rows while the tracker kept what was made of them: a power
// cut under durability process_crash that found the tracker's last commits synced and the
// inbox's not, or an older copy of the file put back. Its next ids must still come after the
// last one taken, or the worker would take new rows for done ones and skip them. (SQLite's
// alone: PostgreSQL's ids come from a sequence, which a row written with its own id would not
// move on.)
void number_after_last_taken(sql::Connection& tracker, sql::Connection& inbox) {
    if (auto last = last_taken(tracker); last_inbox_id(inbox) < last) continue_numbering(inbox, last);
}

// ---- counts ----

// Every count from one snapshot of the tracker (`received` holds only the rows re-queued), and the
// last inbox id taken.
std::pair<Counts, std::int64_t> tracker_counts(Handle& reader) {
    std::lock_guard lock(reader.mutex);
    auto& c = reader.connection;
    sql::Transaction snapshot(c, sql::Transaction::Mode::read);
    auto last = last_taken(c);
    sql::Query q(c,
                 "SELECT (SELECT count(*) FROM inbox_state),"
                 " (SELECT count(*) FROM inbox_state WHERE state = 'failed'),"
                 " (SELECT count(*) FROM tasks),"
                 " (SELECT count(*) FROM contacts),"
                 " (SELECT count(*) FROM decisions),"
                 // Re-queued rows above the last taken are counted with the rows after it.
                 " (SELECT count(*) FROM inbox_requeued WHERE id <= ?)");
    q.bind(last).step();
    Counts counts;
    counts.received = q.integer(5);  // pending again; the rest is added from the inbox file
    counts.failed = q.integer(1);
    counts.processed = q.integer(0) - counts.failed;
    counts.tasks = q.integer(2);
    counts.contacts = q.integer(3);
    counts.decisions = q.integer(4);
    return {counts, last};
}

// On a shared store every count is one statement's snapshot: the rows waiting are the queue's
// (re-queued ones included), the others inbox_state's.
Counts shared_counts(Handle& reader) {
    std::lock_guard lock(reader.mutex);
    sql::Query q(reader.connection,
                 "SELECT (SELECT count(*) FROM inbox_state), (SELECT count(*) FROM inbox_state WHERE state = 'failed'),"
                 " (SELECT count(*) FROM tasks), (SELECT count(*) FROM contacts), (SELECT count(*) FROM decisions),"
                 " (SELECT count(*) FROM inbox_queue)");
    q.step();
    Counts counts;
    counts.failed = q.integer(1);
    counts.processed = q.integer(0) - counts.failed;
    counts.received = q.integer(0) + q.integer(5);
    counts.tasks = q.integer(2);
    counts.contacts = q.integer(3);
    counts.decisions = q.integer(4);
    return counts;
}

// The rows waiting: a range of the inbox's primary key (short while the worker keeps up),
// never a scan of the whole file.
std::int64_t rows_after(Handle& inbox, std::int64_t last) {
    std::lock_guard lock(inbox.mutex);
    sql::Query q(inbox.connection, "SELECT count(*) FROM inbox WHERE id > ?");
    q.bind(last).step();
    return q.integer(0);
}

// ---- connections ----

// A file the process may not write (its mode, a read-only mount) opens without an error, read
// only, and every write would fail later, as a webhook's 503: refuse to start instead.
void require_writable(sql::Connection& c, const std::string& path) {
    if (c.read_only())
        throw StoreError("the database file " + path +
                         " cannot be written (its permissions, its folder's, or a read-only file system): give the server's"
                         " user write access to it and its folder, or point `storage` at another file");
}

std::shared_ptr<Handle> open_handle(const std::string& path, bool in_memory, Durability durability, const char* vfs = nullptr) {
    auto h = std::make_shared<Handle>(path, vfs);
    if (!in_memory) require_writable(h->connection, path);
    configure(h->connection, in_memory, durability);
    return h;
}

// The inbox file is locked for this process alone ("unix-excl"): its connections here then
// share the WAL index in memory and take their locks without a system call, where the default
// takes four to six fcntl() locks on the -shm file per transaction, about 40% of an accept's
// time. Other processes cannot open the inbox file while this one has it (the tracker stays
// open to them, for `sqlite3` and backups); a second server on the same storage is refused.
constexpr const char* inbox_vfs = "unix-excl";

std::shared_ptr<Handle> open_inbox(const std::string& path, Durability durability) {
    try {
        return open_handle(path, false, durability, inbox_vfs);
    } catch (const StoreError& e) {
        std::string why = e.what();
        if (why.find("locked") != std::string::npos) why += " (another process has it: one switchyard per `storage`)";
        throw StoreError("cannot open the inbox file " + path + ": " + why);
    }
}

// A lock of the session, on a shared database, held while the store migrates and pairs the
// schemas.
class MigrationLock {
public:
    explicit MigrationLock(sql::Connection& c) : c_(c) {
        sql::Query(c_, "SELECT pg_advisory_lock(?, ?)").bind(shared_lock_class, migration_lock_key).run();
    }
    ~MigrationLock() {
        try {
            sql::Query(c_, "SELECT pg_advisory_unlock(?, ?)").bind(shared_lock_class, migration_lock_key).run();
        } catch (const StoreError&) {
            // The connection is gone, and the lock with it.
        }
    }
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;

private:
    sql::Connection& c_;
};

}  // namespace

int applied_version(sql::Connection& c, std::string_view record) {
    sql::Query q(c, "SELECT coalesce(max(number), 0) FROM " + std::string(record));
    q.step();
    return static_cast<int>(q.integer(0));
}

namespace {

bool applied(sql::Connection& c, std::string_view record, int number) {
    sql::Query q(c, "SELECT 1 FROM " + std::string(record) + " WHERE number = ?");
    q.bind(number);
    return q.step();
}

}  // namespace

void migrate(sql::Connection& c, const std::string& path, std::span<const Migration> schema, std::string_view record) {
    check_order(schema);
    c.exec("CREATE TABLE IF NOT EXISTS " + std::string(record) +
           " (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    int known = static_cast<int>(schema.size());
    int version = applied_version(c, record);
    if (version > known)
        throw StoreError("the database " + path + " has schema version " + std::to_string(version) +
                         ", newer than this program knows (" + std::to_string(known) +
                         "): run a newer switchyard, or point `storage` at another file");
    for (const auto& m : schema) {
        sql::Transaction t(c);
        if (applied(c, record, m.number)) continue;
        try {
            c.exec(m.sql);
        } catch (const StoreError& e) {
            throw StoreError("migration " + std::to_string(m.number) + " (" + std::string(m.name) + ") failed in " + path +
                             ": " + e.what());
        }
        sql::Query q(c, "INSERT INTO " + std::string(record) + " (number, name, applied_at) VALUES (?, ?, ?)");
        q.bind(m.number, m.name, common::wall_clock_ms()).run();
        t.commit();
    }
}

std::int64_t last_taken(sql::Connection& tracker) {
    // Two numbers and the larger taken here: SQLite's max(a, b) is PostgreSQL's greatest(a, b).
    sql::Query q(tracker, "SELECT coalesce((SELECT max(id) FROM inbox_state), 0), (SELECT start_after FROM inbox_link)");
    q.step();
    return std::max(q.integer(0), q.integer(1));
}

std::string inbox_path(const std::string& path) {
    std::filesystem::path p(path);
    auto name = p.stem().string() + ".inbox" + p.extension().string();
    return (p.parent_path() / name).string();
}

bool is_postgres(std::string_view storage) { return common::is_postgres_uri(storage); }

Store::Store(const std::string& path, Schema schema, Options options) : impl_(std::make_unique<Impl>()) {
    if (is_postgres(path)) {
        // PostgreSQL (issue 16, not yet selectable in the configuration): one database holds both
        // schemas, and each connection of the store is one of its own to it.
        auto open = [&] { return std::make_shared<Handle>(std::make_unique<pg::PgConnection>(path)); };
        auto where = pg::without_password(path);
        auto pg_schema = postgres_schema();
        impl_->path = where;
        impl_->postgres = true;
        impl_->worker = open();
        impl_->inbox = open();
        {
            // Servers started together migrate one after the other: the second finds it done.
            MigrationLock one_at_a_time(impl_->worker->connection);
            migrate(impl_->inbox->connection, where, pg_schema.inbox, inbox_record);
            migrate(impl_->worker->connection, where, pg_schema.tracker, tracker_record);
            link(impl_->worker->connection, impl_->inbox->connection, where, where);
        }
        impl_->reader = open();
        impl_->inbox_writer = open();
        impl_->duties = open();
        // Several servers may share the database: each takes rows by their lanes (claims.cpp),
        // and the outbound duty is led by one at a time (leads()).
        impl_->accepts = std::make_unique<Accepts>(impl_->inbox_writer, true);
        return;
    }
    bool in_memory = path == ":memory:";
    auto durability = options.durability;
    std::string inbox_file = in_memory ? path : inbox_path(path);
    impl_->path = path;
    impl_->worker = open_handle(path, in_memory, durability);
    configure_worker(impl_->worker->connection);
    impl_->inbox = in_memory ? impl_->worker : open_inbox(inbox_file, durability);
    migrate(impl_->inbox->connection, inbox_file, schema.inbox, inbox_record);
    migrate(impl_->worker->connection, path, schema.tracker, tracker_record);
    link(impl_->worker->connection, impl_->inbox->connection, path, inbox_file);
    number_after_last_taken(impl_->worker->connection, impl_->inbox->connection);
    impl_->reader = in_memory ? impl_->worker : open_handle(path, in_memory, durability);
    impl_->inbox_writer = in_memory ? impl_->worker : open_inbox(inbox_file, durability);
    impl_->accepts = std::make_unique<Accepts>(impl_->inbox_writer, false);
}

Store::~Store() = default;

std::int64_t Store::accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms, InboxKeys keys) {
    return impl_->accepts->accept(integration, body, received_at_ms, std::move(keys));
}

void Store::accept_async(std::string_view integration, std::string_view body, std::int64_t received_at_ms, AcceptDone done) {
    impl_->accepts->accept_async(integration, body, received_at_ms, {}, std::move(done));
}

void Store::accept_async(std::string_view integration, std::string_view body, std::int64_t received_at_ms, InboxKeys keys,
                         AcceptDone done) {
    impl_->accepts->accept_async(integration, body, received_at_ms, std::move(keys), std::move(done));
}

bool Store::shared() const { return impl_->postgres; }

void Store::drain_accepts() { impl_->accepts->drain(); }

Counts Store::counts() {
    if (impl_->postgres) return shared_counts(*impl_->reader);
    // The tracker first, then the inbox: a row taken between the two reads is still in the
    // inbox, so `received` is never below processed + failed.
    auto [counts, last] = tracker_counts(*impl_->reader);
    counts.received += counts.processed + counts.failed + rows_after(*impl_->inbox, last);
    return counts;
}

const std::string& Store::name() const { return impl_->path; }

SchemaVersion Store::schema_version() {
    SchemaVersion v;
    {
        std::lock_guard lock(impl_->reader->mutex);
        v.tracker = applied_version(impl_->reader->connection, tracker_record);
    }
    std::lock_guard lock(impl_->inbox->mutex);
    v.inbox = applied_version(impl_->inbox->connection, inbox_record);
    return v;
}

Durability Store::durability() {
    if (impl_->postgres) return Durability::power_loss;  // a commit returns once its WAL is flushed
    std::lock_guard lock(impl_->inbox_writer->mutex);
    sql::Query q(impl_->inbox_writer->connection, "PRAGMA synchronous");
    q.step();
    return q.integer(0) >= 2 ? Durability::power_loss : Durability::process_crash;  // 2 FULL, 3 EXTRA
}

void Store::link_chat(std::string_view integration, std::string_view chat, std::int64_t task, std::int64_t at_ms) {
    auto work = begin_work();
    work.link_chat(integration, chat, task, at_ms);
    work.commit();
}

std::map<std::string, std::int64_t> Store::worker_statements() {
    std::lock_guard lock(impl_->worker->mutex);
    return impl_->worker->connection.statement_runs();
}

Work Store::begin_work() { return Work(std::make_unique<Work::State>(*impl_->worker, *impl_->inbox, impl_->postgres)); }

}  // namespace switchyard::store
