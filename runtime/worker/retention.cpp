#include "runtime/worker/retention.hpp"

#include "common/clock.hpp"
#include "common/thread_name.hpp"

#include <cstdio>

namespace switchyard::worker {

namespace {

constexpr auto first_pass_after = std::chrono::minutes(1);
// Between two steps: long enough that accepts and the worker run between them, short enough
// that a backlog of a million rows goes in a few minutes.
constexpr auto step_pause = std::chrono::milliseconds(10);

}  // namespace

Pruner::Pruner(store::Store& store, config::Retention retention, log::Logger* log)
    : store_(store), retention_(retention), log_(log) {}

Pruner::~Pruner() { stop(); }

void Pruner::start(std::chrono::milliseconds interval) {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this, interval] {
        common::name_this_thread("sy-retention");
        loop(interval);
    });
}

void Pruner::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

PruneCounts Pruner::prune(std::int64_t now_ms) { return pass(now_ms, std::chrono::milliseconds(0)); }

bool Pruner::pause_for(std::chrono::milliseconds pause) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, pause, [&] { return stopping_; });
}

// Steps of one kind of rows until none is left to look at (or stop() is called); the rows
// deleted, added to `total` as they go.
std::int64_t Pruner::prune_all(PruneStep step, std::int64_t before_ms, std::chrono::milliseconds pause,
                               std::atomic<std::uint64_t>& total) {
    std::int64_t deleted = 0;
    for (std::int64_t after = 0;;) {
        auto pruned = (store_.*step)(before_ms, after, step_rows);
        deleted += pruned.deleted;
        total += static_cast<std::uint64_t>(pruned.deleted);
        after = pruned.next_after;
        if (after == 0 || (pause.count() > 0 && !pause_for(pause))) return deleted;
    }
}

PruneCounts Pruner::pass(std::int64_t now_ms, std::chrono::milliseconds pause) {
    PruneCounts counts;
    counts.inbox = prune_all(&store::Store::prune_inbox, now_ms - retention_.inbox_ms, pause, inbox_pruned_);
    counts.decisions = prune_all(&store::Store::prune_decisions, now_ms - retention_.decisions_ms, pause, decisions_pruned_);
    return counts;
}

void Pruner::loop(std::chrono::milliseconds interval) {
    std::chrono::milliseconds wait = first_pass_after;
    while (pause_for(wait)) {
        wait = interval;
        try {
            auto counts = pass(common::wall_clock_ms(), step_pause);
            if (log_ && counts.inbox + counts.decisions > 0)
                log_->write(log::Level::info, "pruned", {{"inbox_rows", counts.inbox}, {"decision_rows", counts.decisions}});
        } catch (const std::exception& e) {
            // The store failed (a full disk): nothing is lost by pruning later.
            if (log_) log_->write(log::Level::error, "prune_failed", {{"reason", e.what()}});
            else std::fprintf(stderr, "switchyard serve: pruning failed: %s\n", e.what());
        }
    }
}

}  // namespace switchyard::worker
