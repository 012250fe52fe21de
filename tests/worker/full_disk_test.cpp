// A full disk (faulty_disk.hpp; docs/robustness.md, "Storage"). Under the tracker: the worker's
// transactions fail and leave nothing behind, each failure is logged with the wait before the
// next try (500 ms, doubling), webhooks are still accepted meanwhile, and once there is room the
// rows are applied, once each. Under the inbox file: the accepts of the commit that failed are
// told so (the server answers 503 and the messenger delivers again), and none of them is stored.
#include "tests/worker/faulty_disk.hpp"
#include "tests/worker/worker_support.hpp"

#include "runtime/log/log.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/log_file.hpp"

#include <atomic>
#include <map>
#include <thread>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

// How many comments of each text the store's tasks hold.
std::map<std::string, int> comment_counts(store::Store& store) {
    std::map<std::string, int> counts;
    for (const auto& comment : all_comments(store)) ++counts[str(comment.at("text"))];
    return counts;
}

}  // namespace

TEST_CASE("a full disk under the tracker: the worker's batch stays pending, is retried with backoff, and is applied once there is room",
          "[store][sqlite][worker]") {
    TempDb db;
    FaultyDisk disk;
    LogFile log_file;
    REQUIRE(log_file.fd() >= 0);
    log::Logger log(config::Logging{}, log_file.fd());
    store::Store store(db.path());
    auto config = test_config();
    engine::RulesetHolder rulesets;
    rulesets.swap(shipped_rules());
    worker::Worker worker(store, config, rulesets);
    worker.use_log(&log);
    worker.start();
    store.accept("tg", telegram_private_update(1), t0());
    worker.wake();
    REQUIRE(eventually([&] { return store.counts().processed == 1; }));

    disk.fill_up(db.path());  // the tracker and its WAL, not the inbox file beside them
    for (std::int64_t n = 2; n <= 4; ++n) store.accept("tg", telegram_private_update(n), t0() + n);
    worker.wake();
    auto failures_logged = [&] {
        log.flush();
        return log_file.lines("worker_store_failed");
    };
    REQUIRE(eventually([&] { return failures_logged().size() >= 2; }));
    auto failures = failures_logged();
    CHECK(failures[0].at("retry_ms").as_int64() == 500);
    CHECK(failures[1].at("retry_ms").as_int64() == 1000);
    CHECK(str(failures[0].at("reason")).find("full") != std::string::npos);
    CHECK(disk.refused() > 0);
    store.accept("tg", telegram_private_update(5), t0() + 5);  // accepts go on: the inbox file has room
    auto meanwhile = store.counts();
    CHECK(meanwhile.processed == 1);
    CHECK(meanwhile.received == 5);  // 4 of them pending

    disk.make_room();
    REQUIRE(eventually([&] { return store.counts().processed == 5; }));
    worker.stop();
    CHECK(store.counts().failed == 0);
    CHECK(comment_counts(store) == std::map<std::string, int>{
                                       {"message 1", 1}, {"message 2", 1}, {"message 3", 1}, {"message 4", 1}, {"message 5", 1}});
}

TEST_CASE("a full disk under the inbox file: the accepts of the failed commit are refused with the reason and none is stored",
          "[store][sqlite]") {
    TempDb db;
    FaultyDisk disk;
    store::Store store(db.path());
    auto config = test_config();
    engine::RulesetHolder rulesets;
    rulesets.swap(shipped_rules());
    worker::Worker worker(store, config, rulesets);
    CHECK(store.accept("tg", telegram_private_update(1), t0()) == 1);

    disk.fill_up(store::inbox_path(db.path()));
    std::vector<std::thread> senders;
    std::atomic<int> refused{0};
    for (std::int64_t n = 2; n <= 5; ++n)
        senders.emplace_back([&, n] {
            try {
                store.accept("tg", telegram_private_update(n), t0() + n);
            } catch (const store::StoreError& e) {
                if (std::string(e.what()).find("full") != std::string::npos) ++refused;
            }
        });
    for (auto& t : senders) t.join();
    CHECK(refused == 4);
    CHECK(disk.refused() > 0);

    disk.make_room();
    CHECK(store.accept("tg", telegram_private_update(6), t0() + 6) == 2);  // the failed ones took no id
    CHECK(worker.process_pending() == 2);
    CHECK(comment_counts(store) == std::map<std::string, int>{{"message 1", 1}, {"message 6", 1}});
}
