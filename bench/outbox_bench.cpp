// The outbox's dispatcher delivering to a fake Bot API on loopback (bench/README.md,
// "The outbox"):
//   BM_Dispatch/pacing:0  messages per second with pacing off, over kept-alive connections:
//                         rows queued in the store (1,000 chats), the dispatcher started, the
//                         time until the outbox is empty. Target: 5,000/s or more.
//   BM_Dispatch/pacing:1  the same with pacing on: 30 chats, 3 messages each; the counters say
//                         the smallest gap the fake saw between two messages to one chat
//                         (`min_gap_ms`, which must be at least 1000) and how many gaps were
//                         shorter (`violations`, which must be 0).
// The fake API is the test suite's (tests/support/fake_telegram.hpp): a real HTTP server.
#include "bench/server_support.hpp"
#include "common/clock.hpp"
#include "runtime/files/file_store.hpp"
#include "runtime/outbox/dispatcher.hpp"
#include "runtime/outbox/outgoing.hpp"
#include "runtime/outbox/telegram.hpp"
#include "tests/support/fake_telegram.hpp"
#include "tests/support/fake_wazzup.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <thread>

namespace sy = switchyard;

namespace {

sy::config::Config outbox_config(const std::string& api, bool pacing, std::uint32_t connections, bool wazzup = false) {
    sy::config::Config c;
    c.outbound.pacing = pacing;
    c.outbound.connections = connections;
    sy::config::Integration i;
    i.id = "tg";
    i.service = wazzup ? sy::config::Service::wazzup : sy::config::Service::telegram;
    i.bot_token = "1:bench";
    i.bot_username = "bench_bot";
    i.api_key = "bench-key";
    i.api_base_url = api;
    c.integrations.push_back(i);
    return c;
}

void enqueue(sy::store::Store& store, int chats, int per_chat, bool wazzup = false) {
    auto now = sy::common::wall_clock_ms();
    auto work = store.begin_work();
    for (int m = 0; m < per_chat; ++m) {
        for (int chat = 0; chat < chats; ++chat) {
            sy::outbox::Outgoing o;
            o.text = "message " + std::to_string(m) + " to chat " + std::to_string(chat);
            if (wazzup) {
                o.method = sy::outbox::Method::wazzup_message;
                o.channel_id = "bench-channel";
                o.chat_type = "whatsapp";
            }
            sy::store::NewOutboxMessage row;
            row.integration = "tg";
            row.chat = std::to_string(100000 + chat);
            row.chat_kind = "private";
            row.method = std::string(sy::outbox::method_name(o.method));
            row.params = sy::outbox::params_json(o);
            row.part = 0;
            row.not_before = now;
            row.at = now;
            work.enqueue(row);
        }
    }
    work.commit();
}

// Runs the dispatcher until the outbox is empty; the seconds it took.
double drain(sy::store::Store& store, const sy::config::Config& config, sy::files::FileStore& files) {
    auto start = std::chrono::steady_clock::now();
    sy::outbox::Dispatcher dispatcher(config, store, files);
    dispatcher.wake();
    while (store.outbox_stats().depth > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The gaps between consecutive messages to one chat, as the fake received them: the smallest,
// and how many were under a second.
void pacing_gaps(const sy::testing::FakeTelegram& fake, double& min_gap, int& violations) {
    std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> by_chat;
    for (const auto& c : fake.calls("sendMessage")) by_chat[c.chat_id].push_back(c.at);
    for (auto& [chat, times] : by_chat) {
        std::sort(times.begin(), times.end());
        for (std::size_t i = 1; i < times.size(); ++i) {
            double gap = std::chrono::duration<double, std::milli>(times[i] - times[i - 1]).count();
            min_gap = std::min(min_gap, gap);
            if (gap < 1000) ++violations;
        }
    }
}

void BM_Dispatch(benchmark::State& state) {
    bool pacing = state.range(0) != 0;
    int chats = pacing ? 30 : 1000;
    int per_chat = pacing ? 3 : 20;
    double seconds = 0, min_gap = 1e9;
    std::int64_t messages = 0;
    std::size_t connections = 0;
    int violations = 0;
    for (auto _ : state) {
        state.PauseTiming();
        {
            sy::testing::FakeTelegram fake;  // a fresh one each time: its calls are this run's
            sy::bench::TempDir dir;
            sy::store::Store store((dir.path() / "bench.db").string());
            sy::files::FileStore files(dir.path() / "files");
            auto config = outbox_config(fake.base_url(), pacing, 4);
            enqueue(store, chats, per_chat);
            state.ResumeTiming();
            seconds += drain(store, config, files);
            state.PauseTiming();
            messages += static_cast<std::int64_t>(chats) * per_chat;
            connections += fake.connections();
            if (pacing) pacing_gaps(fake, min_gap, violations);
        }
        state.ResumeTiming();
    }
    state.counters["messages_per_s"] = static_cast<double>(messages) / seconds;
    state.counters["connections_per_run"] = static_cast<double>(connections) / static_cast<double>(state.iterations());
    if (pacing) {
        state.counters["min_gap_ms"] = min_gap;
        state.counters["violations"] = violations;
    }
}
// Through Wazzup: pacing off, 20,000 messages to 1,000 chats; pacing on, 1,000 messages to
// 1,000 chats, where Wazzup's 500 requests in 5 seconds bound the time, and `max_in_5s` is the
// most the fake received in any 5 seconds (at most 500).
void BM_DispatchWazzup(benchmark::State& state) {
    bool pacing = state.range(0) != 0;
    int chats = 1000;
    int per_chat = pacing ? 1 : 20;
    double seconds = 0;
    std::int64_t messages = 0;
    std::size_t most_in_5s = 0;
    for (auto _ : state) {
        state.PauseTiming();
        {
            sy::testing::FakeWazzup fake;
            sy::bench::TempDir dir;
            sy::store::Store store((dir.path() / "bench.db").string());
            sy::files::FileStore files(dir.path() / "files");
            auto config = outbox_config(fake.base_url(), pacing, 4, true);
            enqueue(store, chats, per_chat, true);
            state.ResumeTiming();
            seconds += drain(store, config, files);
            state.PauseTiming();
            messages += static_cast<std::int64_t>(chats) * per_chat;
            auto calls = fake.calls();
            for (std::size_t i = 0, j = 0; i < calls.size(); ++i) {
                while (calls[i].at - calls[j].at >= std::chrono::seconds(5)) ++j;
                most_in_5s = std::max(most_in_5s, i - j + 1);
            }
        }
        state.ResumeTiming();
    }
    state.counters["messages_per_s"] = static_cast<double>(messages) / seconds;
    state.counters["max_in_5s"] = static_cast<double>(most_in_5s);
}
BENCHMARK(BM_DispatchWazzup)->ArgName("pacing")->Arg(0)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_DispatchWazzup)->ArgName("pacing")->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

// The baseline of BM_Dispatch/pacing:0: the same 20,000 sendMessage requests to the same fake,
// sent by 4 threads over one net::Client with no store, no pacing and no outbox. The ratio of
// the two is what the outbox's durability costs (bench/README.md).
void BM_BareClient(benchmark::State& state) {
    constexpr int messages = 20000, threads = 4;
    double seconds = 0;
    for (auto _ : state) {
        state.PauseTiming();
        {
            sy::testing::FakeTelegram fake;
            auto endpoint = std::get<sy::outbox::BotEndpoint>(sy::outbox::bot_endpoint(fake.base_url(), "1:bench"));
            sy::net::Client client;
            state.ResumeTiming();
            auto start = std::chrono::steady_clock::now();
            std::vector<std::thread> senders;
            for (int t = 0; t < threads; ++t)
                senders.emplace_back([&, t] {
                    for (int i = t; i < messages; i += threads) {
                        sy::outbox::Outgoing o;
                        o.text = "message " + std::to_string(i);
                        auto request = sy::outbox::telegram_request(endpoint, std::to_string(100000 + i % 1000), std::nullopt, o, nullptr);
                        benchmark::DoNotOptimize(client.send(endpoint.origin, request));
                    }
                });
            for (auto& t : senders) t.join();
            seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            state.PauseTiming();
        }
        state.ResumeTiming();
    }
    state.counters["messages_per_s"] = static_cast<double>(messages) * static_cast<double>(state.iterations()) / seconds;
}
BENCHMARK(BM_BareClient)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

BENCHMARK(BM_Dispatch)->ArgName("pacing")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
