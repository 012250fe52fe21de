// The retention pruning ([retention] in docs/configuration.md): a thread that deletes the bodies
// of processed webhooks and the decision-log rows older than configured. It works in steps of
// a few hundred rows, each its own short transaction with a pause after it, so that accepts and
// the worker never wait for more than one step. Failed rows are kept until they are re-queued
// and done.
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/log/log.hpp"
#include "runtime/store/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace switchyard::worker {

struct PruneCounts {
    std::int64_t inbox = 0;
    std::int64_t decisions = 0;
};

class Pruner {
public:
    Pruner(store::Store& store, config::Retention retention, log::Logger* log = nullptr);
    ~Pruner();  // stops the thread
    Pruner(const Pruner&) = delete;
    Pruner& operator=(const Pruner&) = delete;

    // A pass a minute after start, then one every `interval`.
    void start(std::chrono::milliseconds interval = std::chrono::minutes(10));
    void stop();

    // One whole pass, as of `now_ms`, without pauses (tests, tools): the rows deleted.
    PruneCounts prune(std::int64_t now_ms);

    // Rows deleted since start, for /metrics.
    std::uint64_t inbox_pruned() const { return inbox_pruned_.load(); }
    std::uint64_t decisions_pruned() const { return decisions_pruned_.load(); }

    static constexpr std::int64_t step_rows = 500;

private:
    using PruneStep = store::Pruned (store::Store::*)(std::int64_t before_ms, std::int64_t after_id, std::int64_t limit);
    PruneCounts pass(std::int64_t now_ms, std::chrono::milliseconds pause);
    std::int64_t prune_all(PruneStep step, std::int64_t before_ms, std::chrono::milliseconds pause,
                           std::atomic<std::uint64_t>& total);
    bool pause_for(std::chrono::milliseconds pause);  // false: stop() was called
    void loop(std::chrono::milliseconds interval);

    store::Store& store_;
    config::Retention retention_;
    log::Logger* log_;
    std::atomic<std::uint64_t> inbox_pruned_{0};
    std::atomic<std::uint64_t> decisions_pruned_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace switchyard::worker
