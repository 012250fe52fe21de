// The store: the only code that touches SQLite. One database file holds the inbox of webhook
// bodies, what was made of them (contacts, conversations, tasks, comments, files,
// notifications, likes), and the decision log. The schema has numbered migrations, applied at
// open. Safe to use from several threads: the server accepts, the worker processes, the API reads.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchyard::store {

struct StoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
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
    // Opens (creating it if needed) and migrates the database at `path`.
    explicit Store(const std::string& path);
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
    boost::json::array decisions(std::optional<std::int64_t> task);  // the decision log, newest first
    Counts counts();

    // ---- the worker's side (runtime/worker): what processing an inbox row needs ----

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::store
