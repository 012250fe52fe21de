// Failed inbox rows put back in the queue, the retention pruning of processed bodies and of the
// decision log, the durability the store was opened with, and a database it may not write.
#include "tests/worker/worker_support.hpp"

#include "common/clock.hpp"
#include "runtime/worker/retention.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

constexpr std::int64_t day = 86400000;
constexpr std::int64_t far_future = 4102444800000;  // 2100-01-01: every row is older

}  // namespace

TEST_CASE("a failed row is listed with its reason, and re-queued after a fix it is applied once", "[store][inbox]") {
    Bench b;
    auto failing = b.post_again("tg", "a body nobody can read yet");
    b.post("tg", {tg_private(1, anna, 10, "First")});
    CHECK(b.process() == 2);
    REQUIRE(b.store().counts().failed == 1);

    auto failed = b.store().failed_rows();
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].id == failing);
    CHECK(failed[0].integration == "tg");
    CHECK(failed[0].received_at_ms == t0());
    CHECK(failed[0].reason == "the body cannot be read: not JSON");
    CHECK(failed[0].bytes == 26);
    CHECK(b.store().failed_rows(100, failing).empty());  // after its id: none

    b.teach("a body nobody can read yet", {tg_private(2, anna, 11, "Second, at last")});
    CHECK(b.store().requeue_failed(failing, t0() + 1000) == store::Requeue::requeued);
    CHECK(b.store().requeue_failed(failing, t0() + 1000) == store::Requeue::not_failed);  // already back
    CHECK(b.store().counts().received == 2);  // the re-queued row counts as pending
    CHECK(b.process() == 1);
    CHECK(b.process() == 0);

    auto counts = b.store().counts();
    CHECK(counts.failed == 0);
    CHECK(counts.processed == 2);
    CHECK(b.store().failed_rows().empty());
    auto tasks = b.tasks();
    REQUIRE(tasks.size() == 1);
    auto comments = b.comments(tasks[0].at("id").as_int64());
    REQUIRE(comments.size() == 2);
    CHECK(str(comments[1].at("text")) == "Second, at last");
}

TEST_CASE("the last row taken, failed and re-queued, is taken once, and the rows after it still come", "[store][inbox]") {
    Bench b;
    auto failing = b.post_again("tg", "unknown");
    CHECK(b.process() == 1);
    b.teach("unknown", {tg_private(1, anna, 10, "Hello")});
    REQUIRE(b.store().requeue_failed(failing, t0()) == store::Requeue::requeued);
    CHECK(b.store().counts().received == 1);  // pending once, though it is now above the last row taken
    b.post("tg", {tg_private(2, anna, 11, "Next")});
    CHECK(b.process() == 2);  // the re-queued row in a batch of its own, then the next
    CHECK(b.store().counts().processed == 2);
    CHECK(b.comments(b.tasks()[0].at("id").as_int64()).size() == 2);
}

TEST_CASE("only failed rows can be re-queued", "[store][inbox]") {
    Bench b;
    auto done = b.deliver("tg", {tg_private(1, anna, 10, "Hello")});
    auto pending = b.post("tg", {tg_private(2, anna, 11, "Waiting")});
    CHECK(b.store().requeue_failed(done, t0()) == store::Requeue::not_failed);
    CHECK(b.store().requeue_failed(pending, t0()) == store::Requeue::not_failed);
    CHECK(b.store().requeue_failed(999, t0()) == store::Requeue::not_failed);
}

TEST_CASE("pruning deletes processed bodies, and keeps failed, pending and the last rows", "[store][retention]") {
    Bench b;
    for (int i = 1; i <= 3; ++i) b.deliver("tg", {tg_private(i, anna, 10 + i, "Message " + std::to_string(i))});
    auto failed = b.post_again("tg", "unreadable");
    b.post("tg", {tg_private(5, anna, 20, "Fifth")});
    CHECK(b.process() == 2);
    CHECK(b.store().counts().failed == 1);
    auto pending = b.post("tg", {tg_private(6, anna, 21, "Sixth")});

    CHECK(b.store().prune_inbox(t0(), 0, 500).deleted == 0);  // none received before t0
    auto step = b.store().prune_inbox(far_future, 0, 2);
    CHECK(step.deleted == 2);
    CHECK(step.next_after == 2);
    step = b.store().prune_inbox(far_future, step.next_after, 500);
    CHECK(step.deleted == 2);  // rows 3 and 5; 4 failed, 6 pending
    CHECK(step.next_after == 0);
    CHECK(b.store().prune_inbox(far_future, 0, 500).deleted == 0);

    CHECK(b.store().failed_rows().at(0).bytes == 10);  // its body is kept, for a fix
    CHECK(b.process() == 1);                            // the pending row still has its body
    CHECK(b.store().prune_inbox(far_future, 0, 500).deleted == 0);  // done, but the last: ids go on from it
    CHECK(b.post("tg", {tg_private(7, anna, 22, "Seventh")}) == pending + 1);
    CHECK(b.store().counts().processed == 5);  // what was done stays counted
    CHECK(failed == 4);
}

TEST_CASE("pruning the decision log deletes rows older than the cut, oldest first", "[store][retention]") {
    Bench b;
    for (int i = 1; i <= 4; ++i) b.deliver("tg", {tg_private(i, anna, 10 + i, "Message " + std::to_string(i))});
    auto decisions = b.store().counts().decisions;
    REQUIRE(decisions >= 4);
    CHECK(b.store().prune_decisions(0, 0, 500).deleted == 0);
    auto step = b.store().prune_decisions(far_future, 0, 3);
    CHECK(step.deleted == 3);
    CHECK(step.next_after > 0);
    while (step.next_after != 0) step = b.store().prune_decisions(far_future, step.next_after, 3);
    CHECK(b.store().counts().decisions == 0);
    CHECK(b.tasks().size() == 1);  // what the decisions made stays
}

TEST_CASE("the pruner keeps what is younger than the retention and deletes what is older", "[store][retention]") {
    Bench b;
    for (int i = 1; i <= 3; ++i) b.deliver("tg", {tg_private(i, anna, 10 + i, "Message " + std::to_string(i))});
    b.post("tg", {tg_private(4, anna, 14, "Last")});
    b.process();
    worker::Pruner pruner(b.store(), config::Retention{30 * day, 90 * day});
    auto young = pruner.prune(t0() + 29 * day);
    CHECK(young.inbox == 0);
    CHECK(young.decisions == 0);
    auto old = pruner.prune(common::wall_clock_ms() + 91 * day);
    CHECK(old.inbox == 3);  // not the last row
    CHECK(old.decisions == b.store().counts().decisions + old.decisions);
    CHECK(b.store().counts().decisions == 0);
    CHECK(pruner.inbox_pruned() == 3);
}

TEST_CASE("durability: power_loss by default, process_crash when asked", "[store][sqlite]") {
    TempDb a, b;
    CHECK(store::Store(a.path()).durability() == store::Durability::power_loss);
    CHECK(store::Store(b.path(), store::current_schema(), {store::Durability::process_crash}).durability() ==
          store::Durability::process_crash);
}

TEST_CASE("a database its user may not write is refused at open, with what to do", "[store][sqlite]") {
    TempDb db;
    { store::Store s(db.path()); }
    constexpr uid_t nobody = 65534;
    for (const auto& path : {db.path(), store::inbox_path(db.path())}) {
        REQUIRE(::chown(path.c_str(), nobody, nobody) == 0);
        std::filesystem::permissions(path, std::filesystem::perms::owner_read);
    }
    // Root writes any file: the check runs as another user, in a child process.
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        std::string said = "opened";
        if (::setgid(nobody) != 0 || ::setuid(nobody) != 0) said = "cannot become nobody";
        else try {
                store::Store s(db.path());
            } catch (const store::StoreError& e) {
                said = e.what();
            }
        auto written = ::write(pipe_fds[1], said.data(), said.size());
        ::_exit(written > 0 ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    std::string said;
    char buf[1024];
    for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) said.append(buf, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    INFO(said);
    CHECK(said.find("the database file " + db.path() + " cannot be written") == 0);
    CHECK(said.find("point `storage` at another file") != std::string::npos);
}
