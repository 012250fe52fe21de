// What the store's .cpp files share: the connections behind a Store and the state of a Work.
#pragma once

#include "runtime/store/sqlite.hpp"
#include "runtime/store/store.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace switchyard::store {

// A connection and the lock that lets one thread at a time use it.
struct Handle {
    explicit Handle(const std::string& path) : connection(path) {}
    sql::Connection connection;
    std::mutex mutex;
};

// Three connections, so that the server's accepts, the worker's transactions and the API's
// reads never queue behind each other in this process (WAL lets readers run beside the one
// writer; writers wait for each other through busy_timeout). An in-memory database is private
// to its connection, so there the three are one.
struct Store::Impl {
    std::string path;
    std::shared_ptr<Handle> accept;
    std::shared_ptr<Handle> worker;
    std::shared_ptr<Handle> reader;
};

struct Work::State {
    explicit State(Handle& handle) : lock(handle.mutex), connection(handle.connection), transaction(connection) {}
    std::unique_lock<std::mutex> lock;  // first: held until the transaction has ended
    sql::Connection& connection;
    sql::Transaction transaction;
};

// Times as the API writes them: `2026-11-21T10:00:00Z`, with `.mmm` when there are milliseconds.
std::string iso_time(std::int64_t ms);

}  // namespace switchyard::store
