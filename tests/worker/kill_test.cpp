// kill -9 at random moments while webhooks are accepted and processed: every acknowledged event
// is applied in the end, and none twice (R1). Each round is a child process that accepts
// bodies (re-sending some, as messengers do) with the worker thread running, and is killed
// with SIGKILL after a random time; the parent finishes the work and checks the store.
#include "tests/worker/worker_support.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <set>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

// A body names its updates: `tg:<first>:<count>`; update u is message u from one of 4 users.
adapters::Parsed parse_updates(std::string_view body) {
    int first = 0, count = 0;
    if (std::sscanf(std::string(body).c_str(), "tg:%d:%d", &first, &count) != 2) throw adapters::ParseError("not ours");
    adapters::Parsed parsed;
    for (int u = first; u < first + count; ++u)
        parsed.events.push_back(tg_private(u, tg_user(1000 + u % 4, "User " + std::to_string(u % 4)), u, "message " + std::to_string(u)));
    return parsed;
}

worker::Parser parser() {
    return [](const config::Integration&, std::string_view body) { return parse_updates(body); };
}

// What one child does until it is killed: accept bodies (and re-send earlier ones), writing
// each acknowledged body to `ack` once accept() has returned, as the server answers 200. A byte
// on `ready` says the store is open and the worker started.
[[noreturn]] void child(const std::string& path, const config::Config& config, std::shared_ptr<const engine::Ruleset> rules,
                        int ack, int ready, int round) {
    store::Store s(path);
    engine::RulesetHolder holder;
    holder.swap(std::move(rules));
    worker::Worker w(s, config, holder, parser());
    w.start();
    if (::write(ready, "r", 1) != 1) ::_exit(2);
    std::mt19937 random(static_cast<unsigned>(round));
    for (int u = round * 30 + 1; u <= round * 30 + 60;) {
        int count = 1 + static_cast<int>(random() % 3);
        int first = random() % 4 == 0 && u > 5 ? u - 5 : u;  // now and then an earlier update again
        std::string body = "tg:" + std::to_string(first) + ":" + std::to_string(count);
        s.accept("tg", body, t0());
        std::int32_t acked[2] = {first, count};
        if (::write(ack, acked, sizeof acked) != sizeof acked) ::_exit(2);
        w.wake();
        if (first == u) u += count;
        // Webhooks arrive spread out, so that a kill lands between accepts as well as in them.
        std::this_thread::sleep_for(std::chrono::microseconds(random() % 1500));
    }
    for (;;) ::pause();
}

// Waits up to `limit` for the child's ready byte; false if none came.
bool wait_ready(int ready, std::chrono::milliseconds limit) {
    pollfd p{ready, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(limit.count())) != 1) return false;
    char byte;
    return ::read(ready, &byte, 1) == 1;
}

// Empties the ready pipe: the byte of a child killed before it was waited for.
void drain(int fd) {
    char bytes[16];
    while (::read(fd, bytes, sizeof bytes) > 0) {
    }
}

}  // namespace

TEST_CASE("R1: kill -9 at any moment loses no acknowledged event and applies none twice", "[worker][kill]") {
    TempDb db;
    auto rules = shipped_rules();
    auto config = test_config();
    { store::Store migrated(db.path()); }  // the children open an existing file
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    int ready_fds[2];
    REQUIRE(::pipe(ready_fds) == 0);
    ::fcntl(ready_fds[0], F_SETFL, O_NONBLOCK);
    std::mt19937 random(20261121);
    std::set<std::int64_t> acknowledged;  // update ids
    // The acknowledgements written so far (the pipe is read without waiting).
    auto read_acknowledged = [&] {
        std::int32_t acked[2];
        while (::read(pipe_fds[0], acked, sizeof acked) == sizeof acked)
            for (int u = acked[0]; u < acked[0] + acked[1]; ++u) acknowledged.insert(u);
    };
    ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    // Twelve kills, and more while none came after an acknowledgement. The even rounds kill at
    // a moment counted from the start, so some land while the store opens; the odd rounds from
    // when the child is ready, so that a slow machine, or a PostgreSQL store slower to open than
    // the kills are to come, still kills while webhooks are accepted.
    for (int round = 0; round < 12 || (acknowledged.empty() && round < 60); ++round) {
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(pipe_fds[0]);
            ::close(ready_fds[0]);
            child(db.path(), config, rules, pipe_fds[1], ready_fds[1], round);
        }
        if (round % 2 == 1) CHECK(wait_ready(ready_fds[0], std::chrono::seconds(30)));
        std::this_thread::sleep_for(std::chrono::milliseconds(2 + random() % 60));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        REQUIRE(WIFSIGNALED(status));
        drain(ready_fds[0]);
        read_acknowledged();
    }
    ::close(ready_fds[0]);
    ::close(ready_fds[1]);
    ::close(pipe_fds[1]);
    read_acknowledged();
    ::close(pipe_fds[0]);
    REQUIRE_FALSE(acknowledged.empty());

    // A last start finishes the work.
    store::Store s(db.path());
    engine::RulesetHolder holder;
    holder.swap(rules);
    worker::Worker w(s, config, holder, parser());
    auto before = s.counts();
    w.process_pending();
    auto counts = s.counts();
    CHECK(counts.processed == counts.received);
    CHECK(counts.failed == 0);

    std::multiset<std::int64_t> applied;
    for (const auto& c : all_comments(s)) applied.insert(c.at("number").as_int64());
    std::set<std::int64_t> distinct(applied.begin(), applied.end());
    CHECK(applied.size() == distinct.size());  // nothing twice
    for (auto u : acknowledged) CHECK(distinct.count(u) == 1);  // nothing acknowledged lost
    CHECK(counts.decisions == static_cast<std::int64_t>(applied.size()));
    CHECK(counts.contacts <= 4);
    CHECK(counts.tasks == counts.contacts);
    WARN(acknowledged.size() << " updates acknowledged, " << applied.size() << " applied, " << counts.received
                             << " bodies received, " << before.processed << " of them processed before the last start");
}
