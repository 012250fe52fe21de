// The worker: stored webhooks processed per second, through the public API only (store::Store,
// store::Work, worker::Worker, server::Server), so that the same benchmarks measure the worker
// before and after a rewrite of its insides (bench/README.md, "The worker"):
//   BM_Process/private: 20 000 Telegram private messages from 300 customers, round robin.
//   BM_Process/group: 10 000 messages in 20 linked supergroups, with @mentions of employees and
//     members, ~10 authors per group, notify_only_chat_members on.
//   BM_Process/long_chat/<before>: 5 000 messages in one private chat that already holds
//     <before> processed messages (100, 10 000): the rate must not fall as a chat grows.
//   BM_EndToEnd: the real server and its worker on loopback, 16 keep-alive clients posting
//     50 000 private messages (SWITCHYARD_BENCH_E2E_COUNT), until the inbox is drained; RSS at
//     the start, when half the rows are processed, and at the end.
// The BM_Process rows are accepted into the inbox first; then the clock starts, the worker
// starts on its own thread and is woken (as `switchyard serve` does), and the clock stops when
// the store counts no pending row. Each benchmark has its own storage folder, on disk.
#include "bench/server_support.hpp"
#include "common/utf8.hpp"
#include "runtime/replay/replay.hpp"
#include "runtime/store/recorded.hpp"

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <iostream>
#include <thread>
#include <vector>

namespace {

namespace sy = switchyard;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// ---- measuring ----

// CPU time of the whole process (the worker thread and the poller), in seconds: less disturbed
// than the wall clock by other work on a shared machine.
double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// The resident set, in MiB (/proc/self/statm: size, resident, ... in pages).
double rss_mb() {
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Waits until the store counts `total` rows taken and none pending. counts() is not free: it
// counts the pending inbox rows and four tracker tables (about 0.75 ms a call at 20 000 rows,
// up to 5 ms), holding the inbox connection that the worker reads its next row through. Polled
// every millisecond it kept 40% of a core busy and slowed the worker down, so the wait between
// polls is a quarter of the time the rows left should take at the rate seen so far, and at
// least a millisecond: the drain is still seen within about a millisecond of its end, after
// tens of polls instead of thousands. A worker that makes no progress for a minute (a store
// failing in a loop) ends the run instead of hanging it.
// `rss_at_half`, when given, gets the resident set once half of the rows are done: with the
// one at the start and the end, it shows whether memory grows with the rows or stays flat.
void wait_drained(sy::store::Store& store, std::int64_t total, double* rss_at_half = nullptr) {
    constexpr auto stalled_after = std::chrono::seconds(60);
    constexpr double min_wait = 0.001, max_wait = 0.25;
    auto start = Clock::now(), last_progress = start;
    std::int64_t first_done = -1, last_done = -1;
    for (;;) {
        auto c = store.counts();
        std::int64_t done = c.processed + c.failed;
        if (rss_at_half && *rss_at_half == 0 && done >= total / 2) *rss_at_half = rss_mb();
        if (done >= total && c.received == done) return;
        auto now = Clock::now();
        if (first_done < 0) first_done = done;
        if (done != last_done) {
            last_done = done;
            last_progress = now;
        } else if (now - last_progress > stalled_after) {
            std::cerr << "worker_bench: no progress for 60 s at " << done << " of " << total << " rows\n";
            std::abort();
        }
        double elapsed = std::chrono::duration<double>(now - start).count();
        double rate = static_cast<double>(done - first_done) / elapsed;
        double wait = rate > 0 ? static_cast<double>(total - done) / rate / 4 : min_wait;
        std::this_thread::sleep_for(std::chrono::duration<double>(std::clamp(wait, min_wait, max_wait)));
    }
}

// A benchmark's setup is wrong when this fails; its numbers would mean nothing.
void require(bool ok, const std::string& what) {
    if (ok) return;
    std::cerr << "worker_bench: " << what << '\n';
    std::abort();
}

// ---- the worker on its own storage ----

// A store on a fresh folder, the shipped rules, and a worker that is not running yet.
struct Rig {
    sy::bench::TempDir dir;
    sy::config::Config config;
    std::unique_ptr<sy::store::Store> store;
    sy::engine::RulesetHolder rulesets;
    std::unique_ptr<sy::worker::Worker> worker;
    std::int64_t next_update = 1;

    explicit Rig(const std::function<void(sy::config::Config&)>& adjust = {}) {
        config = sy::bench::bench_config(dir.path());
        if (adjust) adjust(config);
        auto ruleset = sy::bench::shipped_ruleset();
        if (auto misfits = sy::engine::check_settings(config, *ruleset->image); !misfits.empty())
            throw std::runtime_error(sy::common::render_text_string(misfits, *config.sources));
        store = std::make_unique<sy::store::Store>(config.storage);
        rulesets.swap(ruleset);
        worker = std::make_unique<sy::worker::Worker>(*store, config, rulesets);
    }
    ~Rig() {
        worker.reset();  // stops its thread before the store goes
        store.reset();
    }
    Rig(const Rig&) = delete;
    Rig& operator=(const Rig&) = delete;

    void accept(const std::string& body) { store->accept("tg", body, 0); }

    // What `switchyard serve` does with rows already in the inbox: start the worker, wake it,
    // and let it take them all. The seconds until the store counts none pending.
    double process_on_thread() {
        auto total = store->counts().received;
        auto start = Clock::now();
        worker->start();
        worker->wake();
        wait_drained(*store, total);
        double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        worker->stop();
        return seconds;
    }
};

void report(benchmark::State& state, std::int64_t n, double seconds, double cpu) {
    state.counters["webhooks"] = static_cast<double>(n);
    state.counters["webhooks_per_second"] = static_cast<double>(n) / seconds;
    state.counters["webhooks_per_cpu_second"] = static_cast<double>(n) / cpu;
}

// Times processing every row in the inbox on the worker's thread.
void time_processing(benchmark::State& state, Rig& rig, std::int64_t n) {
    for (auto _ : state) {
        double cpu = cpu_seconds();
        double seconds = rig.process_on_thread();
        report(state, n, seconds, cpu_seconds() - cpu);
    }
    auto c = rig.store->counts();
    require(c.failed == 0, std::to_string(c.failed) + " rows failed");
}

// ---- private chats ----

constexpr std::int64_t first_customer = 100000;  // Telegram user ids: a private chat's id is its user's

void BM_Process_private(benchmark::State& state) {
    const std::int64_t n = 20000, customers = 300;
    Rig rig;
    for (std::int64_t i = 0; i < n; ++i) {
        auto update = rig.next_update++;
        rig.accept(sy::bench::private_update(update, first_customer + i % customers));
    }
    time_processing(state, rig, n);
    auto c = rig.store->counts();
    require(c.tasks == customers && c.contacts == customers, "expected one contact and one task per customer");
}

// ---- one long private chat ----

void BM_Process_long_chat(benchmark::State& state) {
    const std::int64_t before = state.range(0), n = 5000;
    Rig rig;
    auto post = [&](std::int64_t count) {
        for (std::int64_t i = 0; i < count; ++i) rig.accept(sy::bench::private_update(rig.next_update++, first_customer));
    };
    post(before);
    require(rig.worker->process_pending() == static_cast<std::size_t>(before), "the chat's history was not processed");
    post(n);
    time_processing(state, rig, n);
    require(rig.store->counts().tasks == 1, "expected one task for the one chat");
}

// ---- linked supergroups ----

constexpr std::int64_t groups = 20, authors_per_group = 10;


// Message text with its `mention` entities, built piece by piece so the offsets stay right.
struct Text {
    std::string text;
    json::array entities;
    Text& plain(std::string_view s) {
        text += s;
        return *this;
    }
    Text& mention(const std::string& username) {
        std::string m = "@" + username;
        entities.push_back(json::object{{"offset", sy::common::utf16_length(text)}, {"length", sy::common::utf16_length(m)}, {"type", "mention"}});
        text += m;
        return *this;
    }
};

std::int64_t group_chat(std::int64_t g) { return -1001000000000 - g; }  // supergroup ids: -100…

// Olga, an employee, writes in every group (so she is a member); Ivan, another employee, never does.
constexpr std::int64_t olga_user = 7000001;

json::object author(std::int64_t g, std::int64_t k) {
    if (k == 0) return {{"id", olga_user}, {"is_bot", false}, {"first_name", "Olga"}, {"username", "olga"}};
    return {{"id", 600000 + g * 100 + k},
            {"is_bot", false},
            {"first_name", "Member"},
            {"last_name", std::to_string(g) + "-" + std::to_string(k)},
            {"username", "member_" + std::to_string(g) + "_" + std::to_string(k)},
            {"language_code", "ru"}};
}

std::string member(std::int64_t g, std::int64_t k) {
    return "member_" + std::to_string(g) + "_" + std::to_string(1 + k % (authors_per_group - 1));
}

// Four kinds of message in turn: an employee who is a member mentioned, an employee who is not
// and a member, a member only, no mention (the notification falls back to recent participants
// and assignees). Cyrillic and emoji before the mentions make UTF-16 offsets differ from bytes.
Text group_text(std::int64_t i, std::int64_t g, std::int64_t k) {
    Text t;
    auto n = std::to_string(i);
    switch (i / groups % 4) {
        case 0: t.plain("Привет 👋 ").mention("olga").plain(", посмотрите заказ №" + n); break;
        case 1: t.mention("ivan_support").plain(" и ").mention(member(g, k + 3)).plain(" — счёт " + n + " 📎 готов?"); break;
        case 2: t.plain("Коллеги, ").mention(member(g, k + 5)).plain(" ответит по задаче " + n + " 🙂"); break;
        default: t.plain("Спасибо! Всё получили 👍 (" + n + ")"); break;
    }
    return t;
}

// Message i of the run: group i % 20, its authors in turn.
std::string group_update(std::int64_t update, std::int64_t i) {
    std::int64_t g = i % groups, k = i / groups % authors_per_group;
    auto text = group_text(i, g, k);
    json::object message{{"message_id", 1 + i / groups},
                         {"from", author(g, k)},
                         {"chat", json::object{{"id", group_chat(g)}, {"title", "Project " + std::to_string(g)}, {"type", "supergroup"}}},
                         {"date", 1763719200 + i},
                         {"text", text.text}};
    if (!text.entities.empty()) message["entities"] = std::move(text.entities);
    return json::serialize(json::object{{"update_id", update}, {"message", std::move(message)}});
}

void group_config(sy::config::Config& c) {
    c.employees.push_back({2, "Ivan", false, "ivan_support"});
    c.employees.push_back({3, "Olga", false, "@olga"});
    c.integrations[0].settings["notify_only_chat_members"] = true;
}

// T3: each group linked to its own task beforehand, through the worker's side of the store.
std::vector<std::int64_t> link_groups(sy::store::Store& store) {
    std::vector<std::int64_t> tasks;
    auto work = store.begin_work();
    for (std::int64_t g = 0; g < groups; ++g) {
        sy::store::NewTask task;
        task.title = "Project " + std::to_string(g);
        task.assignees = {{"employee", 2, "Ivan"}, {"employee", 3, "Olga"}};
        task.at = 1763719200000;
        tasks.push_back(work.create_task(task));
        work.link_chat("tg", std::to_string(group_chat(g)), tasks.back(), task.at);
    }
    work.commit();
    return tasks;
}

// The groups did what they are meant to exercise: every message a comment of its group's task,
// and mentioned people notified.
void check_groups(sy::store::Store& store, const std::vector<std::int64_t>& tasks, std::int64_t n) {
    auto task = store.task(tasks[0]);
    require(task.has_value(), "the first group's task is gone");
    const auto& comments = task->at("comments").as_array();
    require(static_cast<std::int64_t>(comments.size()) == n / groups, "a group's messages are not all comments of its task");
    std::int64_t mentioned = 0;
    for (const auto& comment : comments)
        for (const auto& notice : comment.at("notifications").as_array())
            if (notice.at("reason") == "mentioned") ++mentioned;
    require(mentioned > 0, "nobody mentioned was notified");
}

void BM_Process_group(benchmark::State& state) {
    const std::int64_t n = 10000;
    Rig rig(group_config);
    auto tasks = link_groups(*rig.store);
    for (std::int64_t i = 0; i < n; ++i) {
        auto update = rig.next_update++;
        rig.accept(group_update(update, i));
    }
    time_processing(state, rig, n);
    check_groups(*rig.store, tasks, n);
}

// ---- replay (issue 15) ----

// The rows are processed first (not timed); then the clock runs while the ruleset that decided
// them replays the whole decision log as `switchyard replay` does: RecordedLog reads each row from
// the tracker file, Replayer decides its recorded cases again and compares the decisions.
void time_replay(benchmark::State& state, Rig& rig, std::int64_t n) {
    rig.process_on_thread();
    auto ruleset = rig.rulesets.current();
    for (auto _ : state) {
        double cpu = cpu_seconds();
        auto start = Clock::now();
        sy::replay::Replayer replayer(ruleset->image, ruleset->version, rig.config);
        sy::store::RecordedLog log(rig.config.storage);
        log.each({}, [&](const sy::store::RecordedRow& row) { replayer.row(row); });
        double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        cpu = cpu_seconds() - cpu;
        const auto& r = replayer.report();
        require(r.replayed == static_cast<std::size_t>(n) && r.changed == 0 && r.unreplayable == 0,
                "replaying the deciding rules: " + sy::replay::to_text(r));
        state.counters["events"] = static_cast<double>(n);
        state.counters["events_per_second"] = static_cast<double>(n) / seconds;
        state.counters["events_per_cpu_second"] = static_cast<double>(n) / cpu;
    }
}

void BM_Replay_private(benchmark::State& state) {
    const std::int64_t n = 20000, customers = 300;
    Rig rig;
    for (std::int64_t i = 0; i < n; ++i) rig.accept(sy::bench::private_update(rig.next_update++, first_customer + i % customers));
    time_replay(state, rig, n);
}

void BM_Replay_group(benchmark::State& state) {
    const std::int64_t n = 10000;
    Rig rig(group_config);
    link_groups(*rig.store);
    for (std::int64_t i = 0; i < n; ++i) {
        auto update = rig.next_update++;
        rig.accept(group_update(update, i));
    }
    time_replay(state, rig, n);
}

// ---- end to end ----

std::int64_t e2e_count() {
    const char* env = std::getenv("SWITCHYARD_BENCH_E2E_COUNT");
    return env ? std::atoll(env) : 50000;
}

// `clients` keep-alive connections post updates 1..n between them, as fast as they are
// answered. They connect first; the clock starts as they are let go. The seconds taken.
double post_all(std::uint16_t port, int clients, std::int64_t n) {
    std::atomic<std::int64_t> next{1};
    std::atomic<int> connected{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&] {
            sy::bench::Client client(port);
            ++connected;
            go.wait(false);
            for (std::int64_t i = next++; i <= n; i = next++)
                require(client.post(sy::bench::private_update(i, first_customer + i % 300)) == 200, "a post was refused");
        });
    while (connected < clients) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto start = Clock::now();
    go = true;
    go.notify_all();
    for (auto& t : threads) t.join();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void BM_EndToEnd(benchmark::State& state) {
    const std::int64_t n = e2e_count();
    sy::bench::Switchyard server(true);
    state.counters["rss_start_mb"] = rss_mb();
    for (auto _ : state) {
        double cpu = cpu_seconds();
        auto start = Clock::now();
        double posting = post_all(server.port(), 16, n);
        double rss_half = 0;
        wait_drained(*server.store, n, &rss_half);
        state.counters["rss_half_mb"] = rss_half;
        double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        // Per CPU second of the whole process here: server, worker and the clients too.
        report(state, n, seconds, cpu_seconds() - cpu);
        state.counters["accepted_per_second"] = static_cast<double>(n) / posting;
    }
    state.counters["rss_end_mb"] = rss_mb();
    require(server.store->counts().failed == 0, "rows failed");
}

BENCHMARK(BM_Process_private)->Name("BM_Process/private")->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Process_group)->Name("BM_Process/group")->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Process_long_chat)->Name("BM_Process/long_chat")->Arg(100)->Arg(10000)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Replay_private)->Name("BM_Replay/private")->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_Replay_group)->Name("BM_Replay/group")->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
BENCHMARK(BM_EndToEnd)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);

}  // namespace
