// The webhook server under load, against a bare Beast endpoint on the same machine in the same
// run (bench/README.md):
//   BM_Accept/<server>/<clients>: webhooks per second answered 200 by 16 or 64 keep-alive
//     clients, as fast as they go (closed loop). `switchyard` stores each body durably first
//     (durability power_loss, the default: an fsync per group commit), and
//     `switchyard_process_crash` without the fsync; `bare` answers 200 at once, with the same
//     Beast session code shape and no storage; `bare_durable` answers once the body is appended
//     to a file and synced (durable_endpoint.hpp): the floor of any durable server here;
//     `bare_store` once the store's accept path has committed it (SQLite, no server around it).
//   BM_Latency/<server>/<rate>: requests sent at a fixed rate (500, 2000, 5000 per second; open
//     loop); p50 and p99 of the time from the moment each was due to its answer.
//   BM_Process: stored webhooks processed per second by the worker (parse, rules, SQLite).
#include "bench/server_support.hpp"

#include <benchmark/benchmark.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

namespace {

namespace sy = switchyard;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

using sy::bench::Client;
using sy::bench::Switchyard;
using sy::bench::SwitchyardCrashOnly;

std::string body(std::int64_t i) { return sy::bench::private_update(i, 9000 + i % 50); }

// ---- the two servers (Switchyard and BareEndpoint: bench/server_support.hpp) ----

// ---- the clients (Client: bench/server_support.hpp) ----

std::atomic<std::int64_t> next_update{1};

double accept_rate(std::uint16_t port, int clients, double seconds) {
    return sy::bench::accept_rate(port, clients, seconds, body, next_update);
}

// Open loop at `rate` per second over `clients` connections: latency from when each request
// was due to its answer, so that a stall delays the requests behind it too.
std::vector<double> latencies(std::uint16_t port, double rate, int clients, double seconds) {
    std::vector<std::vector<double>> per(clients);
    std::vector<std::thread> threads;
    auto start = Clock::now() + std::chrono::milliseconds(50);
    auto interval = std::chrono::duration<double>(clients / rate);
    std::int64_t each = static_cast<std::int64_t>(rate * seconds / clients);
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&, c] {
            Client client(port);
            auto offset = interval * (static_cast<double>(c) / clients);
            for (std::int64_t i = 0; i < each; ++i) {
                auto due = start + std::chrono::duration_cast<Clock::duration>(offset + interval * static_cast<double>(i));
                std::this_thread::sleep_until(due);
                if (client.post(body(next_update++)) != 200) std::abort();
                per[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
            }
        });
    for (auto& t : threads) t.join();
    std::vector<double> all;
    for (auto& p : per) all.insert(all.end(), p.begin(), p.end());
    std::sort(all.begin(), all.end());
    return all;
}

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

template <typename Server>
void BM_Accept(benchmark::State& state) {
    Server server{false};
    double rate = 0;
    for (auto _ : state) rate = accept_rate(server.port(), static_cast<int>(state.range(0)), 3.0);
    state.counters["accepted_per_s"] = rate;
}

template <typename Server>
void BM_Latency(benchmark::State& state) {
    Server server{true};
    std::vector<double> all;
    for (auto _ : state) all = latencies(server.port(), static_cast<double>(state.range(0)), 8, 4.0);
    state.counters["p50_ms"] = percentile(all, 0.50);
    state.counters["p99_ms"] = percentile(all, 0.99);
    state.counters["requests"] = static_cast<double>(all.size());
}


void BM_Process(benchmark::State& state) {
    Switchyard server(false);
    const std::int64_t n = 5000;
    for (std::int64_t i = 0; i < n; ++i) server.store->accept("tg", body(next_update++), 0);
    double seconds = 0;
    for (auto _ : state) {
        auto start = Clock::now();
        auto processed = server.worker->process_pending();
        seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (processed != static_cast<std::size_t>(n)) std::abort();
    }
    state.counters["processed_per_s"] = static_cast<double>(n) / seconds;
}

BENCHMARK_TEMPLATE(BM_Accept, Switchyard)->Name("BM_Accept/switchyard")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Accept, SwitchyardCrashOnly)->Name("BM_Accept/switchyard_process_crash")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Accept, sy::bench::BareEndpoint)->Name("BM_Accept/bare")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Accept, sy::bench::BareDurableEndpoint)->Name("BM_Accept/bare_durable")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Accept, sy::bench::BareStoreEndpoint)->Name("BM_Accept/bare_store")->Arg(16)->Arg(64)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Latency, Switchyard)->Name("BM_Latency/switchyard")->Arg(500)->Arg(2000)->Arg(5000)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK_TEMPLATE(BM_Latency, sy::bench::BareEndpoint)->Name("BM_Latency/bare")->Arg(500)->Arg(2000)->Arg(5000)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Process)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace
