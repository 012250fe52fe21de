// The store: the only code that touches SQLite. One database file holds the inbox of webhook
// bodies, what was made of them (contacts, conversations, tasks, comments, files,
// notifications, likes), and the decision log. The schema has numbered migrations, applied at
// open. Safe to use from several threads: the server accepts, the worker processes, the API reads.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::store {

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One step of the schema. Numbers start at 1 and grow by one; a database records the numbers
// applied to it in `schema_migrations`.
struct Migration {
    int number = 0;
    std::string_view name;
    std::string_view sql;
};

// This program's schema, in order (runtime/store/schema.cpp).
std::span<const Migration> migrations();

class Work;

// One inbox row as the worker reads it.
struct InboxRow {
    std::int64_t id = 0;
    std::string integration;
    std::int64_t received_at_ms = 0;
    std::string body;
};

struct Counts {
    std::int64_t received = 0;   // inbox rows
    std::int64_t processed = 0;  // inbox rows done
    std::int64_t failed = 0;     // inbox rows whose processing failed (kept, with the reason)
    std::int64_t tasks = 0;
    std::int64_t contacts = 0;
    std::int64_t decisions = 0;
};

class Store {
public:
    // Opens (creating it if needed) and migrates the database at `path`: every migration not yet
    // applied, each in its own transaction. A database that records a migration this program
    // does not know (written by a newer version) is refused with StoreError. `:memory:` opens
    // one private in-memory database (tests). `schema` is for tests of the migration itself.
    explicit Store(const std::string& path, std::span<const Migration> schema = migrations());
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // ---- the inbox (called by the server for each authenticated webhook) ----

    // Stores a webhook body durably: when this returns, a kill -9 cannot lose it. The row id.
    std::int64_t accept(std::string_view integration, std::string_view body, std::int64_t received_at_ms);

    // ---- the read side of the HTTP API (docs/api.md) ----

    boost::json::array tasks(std::int64_t limit = 100, std::int64_t after_id = 0);
    std::optional<boost::json::object> task(std::int64_t id);        // with comments, files, notifications, likes
    std::optional<boost::json::object> contact(std::int64_t id);     // with its identities and tasks
    // The decision log, newest first: at most `limit` rows, with ids below `before_id` when given.
    boost::json::array decisions(std::optional<std::int64_t> task, std::int64_t limit = 100, std::int64_t before_id = 0);
    Counts counts();

    // The highest migration applied to the file.
    int schema_version();

    // ---- the tracker's side ----

    // T3: links a Telegram group or channel (its chat id as text) to a task; later messages of
    // that chat become comments there (`linked_task` routing). Replaces an earlier link.
    void link_chat(std::string_view integration, std::string_view chat, std::int64_t task, std::int64_t at_ms);

    // ---- the worker's side (runtime/worker): what processing an inbox row needs ----

    // A write transaction on the worker's own connection (runtime/store/work.hpp). Only one
    // is open at a time: a second begin_work() waits for the first to end.
    Work begin_work();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::store

#include "runtime/store/work.hpp"
