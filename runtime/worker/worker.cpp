#include "runtime/worker/worker.hpp"

#include "runtime/adapters/adapters.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/worker/facts.hpp"
#include "runtime/worker/processor.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace switchyard::worker {

namespace {

std::int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Rows another process may have accepted are picked up within this time even without wake().
constexpr auto idle_poll = std::chrono::seconds(1);
constexpr auto max_backoff = std::chrono::seconds(30);

}  // namespace

struct Worker::Impl {
    Impl(store::Store& s, const config::Config& c, engine::RulesetHolder& r, Parser p)
        : store(s), config(c), rulesets(r), parser(std::move(p)), employees(c) {}

    bool process_one();
    engine::Engine& engine_for(const std::shared_ptr<const engine::Ruleset>& ruleset);
    std::string apply(store::Work& work, const store::InboxRow& row, const engine::Ruleset& ruleset, std::int64_t now);
    void loop();

    store::Store& store;
    const config::Config& config;
    engine::RulesetHolder& rulesets;
    Parser parser;
    Employees employees;

    // One engine per ruleset: made again only when a new ruleset is swapped in (R3).
    std::shared_ptr<const engine::Ruleset> engine_ruleset;
    std::unique_ptr<engine::Engine> engine;

    std::mutex processing;  // process_pending() from a test and the thread never run at once

    std::mutex mutex;  // guards the flags below
    std::condition_variable signal;
    bool stopping = false;
    bool woken = false;
    std::thread thread;
};

engine::Engine& Worker::Impl::engine_for(const std::shared_ptr<const engine::Ruleset>& ruleset) {
    if (ruleset != engine_ruleset) {
        engine = std::make_unique<engine::Engine>(ruleset->image);
        engine_ruleset = ruleset;
    }
    return *engine;
}

std::string Worker::Impl::apply(store::Work& work, const store::InboxRow& row, const engine::Ruleset& ruleset,
                                std::int64_t now) {
    const auto* integration = find_integration(config, row.integration);
    if (!integration) throw std::runtime_error("no integration `" + row.integration + "` in the configuration");
    auto parsed = parser(*integration, row.body);
    Processor processor(work, config, *integration, employees, *engine, ruleset, row, now);
    return processor.apply(parsed);
}

// One row, one transaction: its effects and its new state commit together. A row that cannot
// be applied (a body that does not parse, a case the ruleset refuses) is marked failed with the
// reason and nothing else of it is kept; a failing store leaves it pending for the next try.
bool Worker::Impl::process_one() {
    // The ruleset is taken once per row: a swap (R3) applies from the next row on.
    auto ruleset = rulesets.current();
    if (!ruleset) return false;  // nothing can be decided yet: the rows wait
    auto work = store.begin_work();
    auto row = work.next_pending();
    if (!row) return false;
    engine_for(ruleset);
    std::int64_t now = wall_clock_ms();
    std::string state = "done", note;
    {
        store::Work::Unit unit(work);
        try {
            note = apply(work, *row, *ruleset, now);
            unit.keep();
        } catch (const store::StoreError&) {
            throw;
        } catch (const adapters::ParseError& e) {
            state = "failed";
            note = std::string("the body cannot be read: ") + e.what();
        } catch (const std::exception& e) {
            state = "failed";
            note = e.what();
        }
    }
    work.finish(row->id, state, note, now);
    work.commit();
    return true;
}

void Worker::Impl::loop() {
    auto backoff = std::chrono::milliseconds(500);
    std::unique_lock lock(mutex);
    while (!stopping) {
        woken = false;
        lock.unlock();
        bool failed = false;
        try {
            // Rows are processed until none is left or stop() is asked.
            std::lock_guard busy(processing);
            while (process_one()) {
                std::lock_guard flags(mutex);
                if (stopping) break;
            }
            backoff = std::chrono::milliseconds(500);
        } catch (const std::exception& e) {
            // The store failed (disk full, locked too long): the row stays pending; try later.
            std::fprintf(stderr, "switchyard worker: %s (retrying in %lld ms)\n", e.what(),
                         static_cast<long long>(backoff.count()));
            failed = true;
        }
        lock.lock();
        if (stopping) break;
        signal.wait_for(lock, failed ? std::chrono::duration_cast<std::chrono::milliseconds>(backoff) : idle_poll,
                        [&] { return stopping || (woken && !failed); });
        if (failed) backoff = std::min<std::chrono::milliseconds>(backoff * 2, max_backoff);
    }
}

Worker::Worker(store::Store& store, const config::Config& config, engine::RulesetHolder& rulesets, Parser parser)
    : impl_(std::make_unique<Impl>(store, config, rulesets, std::move(parser))) {}

Worker::~Worker() { stop(); }

void Worker::start() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->thread.joinable()) return;
    impl_->stopping = false;
    impl_->thread = std::thread([this] { impl_->loop(); });
}

void Worker::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->signal.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

void Worker::wake() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->woken = true;
    }
    impl_->signal.notify_one();
}

std::size_t Worker::process_pending() {
    std::lock_guard busy(impl_->processing);
    std::size_t n = 0;
    while (impl_->process_one()) ++n;
    return n;
}

}  // namespace switchyard::worker
