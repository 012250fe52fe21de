#include "runtime/worker/worker.hpp"

#include "common/clock.hpp"
#include "runtime/adapters/adapters.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/worker/channels.hpp"
#include "runtime/worker/facts.hpp"
#include "runtime/worker/processor.hpp"
#include "common/thread_name.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace switchyard::worker {

namespace {

// Rows another process may have accepted are picked up within this time even without wake().
constexpr auto idle_poll = std::chrono::seconds(1);
constexpr auto max_backoff = std::chrono::seconds(30);
// Rows applied in one transaction at most. A commit costs about as much as applying a row
// (the WAL write and its locks): sharing it between rows is most of what batching buys, and
// past a few hundred rows there is little left to gain while the batch's effects wait longer
// to become visible to the API.
constexpr std::size_t batch_rows = 256;
// On a shared store a batch is smaller: when another server's worker conflicts with it, all of
// it is done again (and PostgreSQL's commits cost a round trip and a flush shared with the
// other servers' commits, so sharing one among many rows buys less).
constexpr std::size_t shared_batch_rows = 64;
// How many times a batch that another server's worker made fail (a shared store: both made one
// contact, say) is run again before its failure is the loop's to wait out.
constexpr int conflict_attempts = 100;

}  // namespace

struct Worker::Impl {
    Impl(store::Store& s, const config::Config& c, engine::RulesetHolder& r, Parser p)
        : store(s), config(c), rulesets(r), parser(std::move(p)), employees(c) {}

    std::size_t process_batch();
    std::size_t process_batch_once(std::size_t limit);
    Deciding& deciding_for(const std::shared_ptr<const engine::Ruleset>& ruleset);
    void process_row(store::Work& work, const store::InboxRow& row);
    void log_row(const store::InboxRow& row, std::string_view state, std::string_view note,
                 std::chrono::steady_clock::duration took);
    std::string apply(store::Work& work, const store::InboxRow& row, Deciding& deciding, std::int64_t now);
    void loop();

    store::Store& store;
    const config::Config& config;
    engine::RulesetHolder& rulesets;
    Parser parser;
    Employees employees;
    std::function<void()> on_queued;  // after a commit that queued outbox rows or downloads
    log::Logger* log = nullptr;       // a line per row processed; null: none
    const ChannelBook* channels = nullptr;
    std::size_t queued = 0;           // in the batch in hand
    std::atomic<std::uint64_t> unknown_channels{0};  // since start (an undone row's included)
    std::atomic<std::uint64_t> conflicts{0};         // batches run again (StoreError::conflict)
    std::mt19937 jitter{std::random_device{}()};

    // What deciding needs, per ruleset: made again only when a new ruleset is swapped in (R3).
    std::unique_ptr<Deciding> deciding;

    std::mutex processing;  // process_pending() from a test and the thread never run at once

    std::mutex mutex;  // guards the flags below
    std::condition_variable signal;
    bool stopping = false;
    bool woken = false;
    std::thread thread;
};

Deciding& Worker::Impl::deciding_for(const std::shared_ptr<const engine::Ruleset>& ruleset) {
    if (!deciding || deciding->shared() != ruleset) deciding = std::make_unique<Deciding>(ruleset);
    return *deciding;
}

std::string Worker::Impl::apply(store::Work& work, const store::InboxRow& row, Deciding& deciding, std::int64_t now) {
    // The integration as it is now, its channels included; kept alive for the row.
    std::shared_ptr<const config::Integration> current;
    if (channels) current = channels->integration(row.integration);
    const auto* integration = current ? current.get() : find_integration(config, row.integration);
    if (!integration) throw std::runtime_error("no integration `" + row.integration + "` in the configuration");
    auto parsed = parser(*integration, row.body);
    Processor processor(work, config, *integration, employees, deciding, row, now);
    auto note = processor.apply(parsed);
    queued += processor.queued();
    unknown_channels += processor.unknown_channel_messages();
    return note;
}

// One row inside the batch's transaction, in a savepoint of its own: its effects and its new
// state go together. A row that cannot be applied (a body that does not parse, a case the
// ruleset refuses) is rolled back alone and marked failed with the reason; a failing store
// throws, and the whole batch stays pending for the next try.
void Worker::Impl::process_row(store::Work& work, const store::InboxRow& row) {
    // The ruleset is taken once per row: a swap (R3) applies from the next row on.
    auto& current = deciding_for(rulesets.current());
    std::int64_t now = common::wall_clock_ms();
    auto started = std::chrono::steady_clock::now();
    std::string state = "done", note;
    {
        store::Work::Unit unit(work);
        try {
            note = apply(work, row, current, now);
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
    work.finish(row.id, state, note, now);
    if (row.requeued) work.drop_requeued(row.id);
    if (log) log_row(row, state, note, std::chrono::steady_clock::now() - started);
}

// The row's ids, integration, outcome and time; the reason of a failure (the adapter's or the
// engine's words, which name fields, not their values). Never the body. Written before the
// batch commits: a store failure after it makes the whole batch pending again, and its rows
// are logged again when they are done.
void Worker::Impl::log_row(const store::InboxRow& row, std::string_view state, std::string_view note,
                           std::chrono::steady_clock::duration took) {
    bool failed = state == "failed";
    if (!log->enabled(failed ? log::Level::warn : log::Level::info)) return;
    boost::json::object fields{{"inbox_id", row.id},
                               {"integration", row.integration},
                               {"outcome", state},
                               {"duration_us", std::chrono::duration_cast<std::chrono::microseconds>(took).count()}};
    if (row.requeued) fields["requeued"] = true;
    if (failed) fields["reason"] = note;
    log->write(failed ? log::Level::warn : log::Level::info, "processed", fields);
}

// A batch, run again when another transaction's writes made it fail: at once, after a short
// pause, with fewer rows each time (down to one), so that two workers that keep meeting settle
// quickly and little is done twice. The other transaction went on (PostgreSQL fails one of two
// that conflict), so trying again makes progress; a store that fails otherwise is the loop's
// to wait out.
std::size_t Worker::Impl::process_batch() {
    std::size_t limit = store.shared() ? shared_batch_rows : batch_rows;
    for (int attempt = 1;; ++attempt) {
        try {
            return process_batch_once(limit);
        } catch (const store::StoreError& e) {
            if (!e.conflict() || attempt == conflict_attempts) throw;
            ++conflicts;
            limit = std::max<std::size_t>(1, limit / 2);
            std::uniform_int_distribution<int> pause(0, std::min(attempt, 10));
            std::this_thread::sleep_for(std::chrono::milliseconds(pause(jitter)));
        }
    }
}

// The pending rows, up to batch_rows, in one transaction: one commit for all of them.
std::size_t Worker::Impl::process_batch_once(std::size_t limit) {
    // Nothing can be decided without a ruleset: the rows wait. (One never goes away once loaded.)
    if (!rulesets.current()) return 0;
    auto work = store.begin_work();
    auto rows = work.next_pending(limit);
    queued = 0;
    for (const auto& row : rows) process_row(work, row);
    if (!rows.empty()) work.commit();
    if (queued > 0 && on_queued) on_queued();
    return rows.size();
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
            while (process_batch() > 0) {
                std::lock_guard flags(mutex);
                if (stopping) break;
            }
            backoff = std::chrono::milliseconds(500);
        } catch (const std::exception& e) {
            // The store failed (disk full, locked too long): the row stays pending; try later.
            if (log)
                log->write(log::Level::error, "worker_store_failed", {{"reason", e.what()}, {"retry_ms", backoff.count()}});
            else
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
    impl_->thread = std::thread([this] {
        common::name_this_thread("sy-worker");
        impl_->loop();
    });
}

void Worker::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->signal.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint64_t Worker::unknown_channel_messages() const { return impl_->unknown_channels.load(); }

std::uint64_t Worker::conflicts() const { return impl_->conflicts.load(); }

void Worker::use_channels(const ChannelBook* channels) { impl_->channels = channels; }

void Worker::use_log(log::Logger* log) { impl_->log = log; }

void Worker::on_queued(std::function<void()> callback) { impl_->on_queued = std::move(callback); }

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
    while (std::size_t batch = impl_->process_batch()) n += batch;
    return n;
}

}  // namespace switchyard::worker
