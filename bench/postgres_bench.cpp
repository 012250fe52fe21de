// Several servers on one PostgreSQL database (issue 16), beside SQLite in the same run
// (bench/README.md, "PostgreSQL"), on a PostgreSQL 15 that the benchmark starts itself (initdb
// into a temporary folder, Unix socket, its default durability: tests/support/postgres.hpp):
//   BM_Shared/process/<workers>: 8 000 Telegram private messages from 300 customers, stored
//     first, then processed by 1, 2 or 4 worker processes (fork: each its own Store and Worker,
//     as each `switchyard serve` has), from the moment all are ready until the queue is empty.
//   BM_Shared/process_sqlite: the same rows by the one worker of an SQLite store.
//   BM_Shared/accept/<storage>/<clients>: webhooks per second answered 200 by the server on
//     PostgreSQL and on SQLite (durability power_loss both), and by a bare Beast endpoint, 16
//     keep-alive clients as fast as they go.
#include "bench/server_support.hpp"
#include "tests/support/postgres.hpp"

#include <benchmark/benchmark.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace {

namespace sy = switchyard;
using Clock = std::chrono::steady_clock;

constexpr std::int64_t rows = 8000, customers = 300, first_customer = 100000;

void require(bool ok, const std::string& what) {
    if (ok) return;
    std::cerr << "postgres_bench: " << what << '\n';
    std::abort();
}

std::optional<std::string> new_database(benchmark::State& state) {
    auto* postgres = sy::testing::TestPostgres::durable();
    if (!postgres) {
        state.SkipWithError(("no PostgreSQL: " + sy::testing::TestPostgres::why()).c_str());
        return std::nullopt;
    }
    return postgres->new_database_uri();
}

sy::config::Config config_on(const sy::bench::TempDir& dir, const std::string& storage) {
    auto config = sy::bench::bench_config(dir.path());
    config.storage = storage;
    config.files.path = (dir.path() / "files").string();
    return config;
}

// The rows, stored as a server stores them: with their keys and lanes on a shared store.
void store_rows(sy::store::Store& store, const sy::config::Config& config) {
    auto parser = sy::worker::adapters_parser();
    const auto& integration = config.integrations.front();
    for (std::int64_t i = 0; i < rows; ++i) {
        auto body = sy::bench::private_update(i + 1, first_customer + i % customers);
        store.accept("tg", body, 0, store.shared() ? sy::worker::inbox_keys(parser, integration, body) : sy::store::InboxKeys{});
    }
}

bool pending(sy::store::Store& store) {
    auto c = store.counts();
    return c.received > c.processed + c.failed;
}

// A worker process: its own store and worker, ready, then processing once `go` closes, until
// nothing is left in the queue (rows other workers hold are waited for, a millisecond at a time).
[[noreturn]] void worker_process(const sy::config::Config& config, int ready, int go, int results) {
    sy::store::Store store(config.storage);
    sy::engine::RulesetHolder rulesets;
    rulesets.swap(sy::bench::shipped_ruleset());
    sy::worker::Worker worker(store, config, rulesets);
    char byte = 1;
    require(::write(ready, &byte, 1) == 1, "cannot say ready");
    require(::read(go, &byte, 1) == 0, "expected the go pipe to close");
    while (pending(store))
        if (worker.process_pending() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::uint64_t conflicts = worker.conflicts();
    require(::write(results, &conflicts, sizeof conflicts) == sizeof conflicts, "cannot report");
    std::_Exit(0);
}

void report(benchmark::State& state, double seconds) {
    state.counters["webhooks"] = static_cast<double>(rows);
    state.counters["webhooks_per_second"] = static_cast<double>(rows) / seconds;
}

void BM_Shared_process(benchmark::State& state) {
    auto uri = new_database(state);
    if (!uri) return;
    sy::bench::TempDir dir;
    auto config = config_on(dir, *uri);
    {
        sy::store::Store store(config.storage);
        store_rows(store, config);
    }  // closed before the fork: its committing thread would not be in the children
    int workers = static_cast<int>(state.range(0));
    for (auto _ : state) {
        int ready[2], go[2], results[2];
        require(::pipe(ready) == 0 && ::pipe(go) == 0 && ::pipe(results) == 0, "pipe failed");
        std::vector<pid_t> children;
        for (int w = 0; w < workers; ++w) {
            auto pid = ::fork();
            require(pid >= 0, "fork failed");
            if (pid == 0) {
                ::close(ready[0]);
                ::close(go[1]);
                ::close(results[0]);
                worker_process(config, ready[1], go[0], results[1]);
            }
            children.push_back(pid);
        }
        ::close(ready[1]);
        ::close(go[0]);
        char byte = 0;
        for (int w = 0; w < workers; ++w) require(::read(ready[0], &byte, 1) == 1, "a worker did not start");
        auto start = Clock::now();
        ::close(go[1]);
        for (auto pid : children) {
            int status = 0;
            ::waitpid(pid, &status, 0);
            require(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a worker failed");
        }
        report(state, std::chrono::duration<double>(Clock::now() - start).count());
        ::close(results[1]);
        std::uint64_t conflicts = 0, each = 0;
        while (::read(results[0], &each, sizeof each) == sizeof each) conflicts += each;
        state.counters["conflicts"] = static_cast<double>(conflicts);
        ::close(results[0]);
        ::close(ready[0]);
    }
    sy::store::Store store(config.storage);
    auto c = store.counts();
    require(c.processed == rows && c.failed == 0, "expected every row processed, none failed");
    require(c.tasks == customers, "expected one task per customer");
}

void BM_Shared_process_sqlite(benchmark::State& state) {
    sy::bench::TempDir dir;
    auto config = sy::bench::bench_config(dir.path());
    sy::store::Store store(config.storage);
    store_rows(store, config);
    sy::engine::RulesetHolder rulesets;
    rulesets.swap(sy::bench::shipped_ruleset());
    sy::worker::Worker worker(store, config, rulesets);
    for (auto _ : state) {
        auto start = Clock::now();
        require(worker.process_pending() == static_cast<std::size_t>(rows), "expected every row processed");
        report(state, std::chrono::duration<double>(Clock::now() - start).count());
    }
}

// ---- accepts ----

// The server on a new PostgreSQL database, as bench::Switchyard is on an SQLite file.
struct SwitchyardPostgres : sy::bench::Switchyard {
    explicit SwitchyardPostgres(bool process) : Switchyard(process, sy::store::Durability::power_loss, database()) {}
    static std::string database() {
        auto* postgres = sy::testing::TestPostgres::durable();
        require(postgres != nullptr, "no PostgreSQL: " + sy::testing::TestPostgres::why());
        return postgres->new_database_uri();
    }
};

std::atomic<std::int64_t> next_update{1};

template <typename Server>
void BM_Shared_accept(benchmark::State& state) {
    Server server{false};
    double rate = 0;
    auto body = [](std::int64_t i) { return sy::bench::private_update(i, 9000 + i % 50); };
    for (auto _ : state) rate = sy::bench::accept_rate(server.port(), static_cast<int>(state.range(0)), 3.0, body, next_update);
    state.counters["accepted_per_s"] = rate;
}

BENCHMARK(BM_Shared_process)->Name("BM_Shared/process")->Arg(1)->Arg(2)->Arg(4)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Shared_process_sqlite)->Name("BM_Shared/process_sqlite")->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Shared_accept, SwitchyardPostgres)->Name("BM_Shared/accept/postgres")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Shared_accept, sy::bench::Switchyard)->Name("BM_Shared/accept/sqlite")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Shared_accept, sy::bench::BareEndpoint)->Name("BM_Shared/accept/bare")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace
