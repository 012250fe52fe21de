// Writes through the API beside a worker with a backlog (runtime/store/fair_mutex.hpp): the
// tracker's connection is one at a time, and an employee's reply must wait for the worker's
// batch in progress, not for every batch of the backlog.
#include "tests/worker/worker_support.hpp"

#include <atomic>
#include <chrono>
#include <thread>

using namespace switchyard;
using namespace switchyard::testing;

TEST_CASE("an employee's write waits for the worker's batch in progress, not for its whole backlog", "[store][worker]") {
    TempDb db;
    store::Store store(db.path());
    constexpr std::int64_t backlog = 3000;  // about a dozen of the worker's batches
    std::vector<std::string> bodies;  // each must live until its commit is done
    bodies.reserve(backlog);
    std::atomic<int> failed{0};
    for (std::int64_t n = 1; n <= backlog; ++n) {
        bodies.push_back(telegram_private_update(n));
        store.accept_async("tg", bodies.back(), t0() + n, [&failed](store::Accepted accepted) { failed += accepted.error ? 1 : 0; });
    }
    store.drain_accepts();
    REQUIRE(failed == 0);
    auto config = test_config();
    engine::RulesetHolder rulesets;
    rulesets.swap(shipped_rules());
    worker::Worker worker(store, config, rulesets);
    worker.start();
    worker.wake();
    while (store.counts().processed == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));

    std::int64_t processed_when_in = 0;
    {
        auto work = store.begin_work();  // as the API's reply route does
        processed_when_in = store.counts().processed;
        work.create_task({std::nullopt, std::nullopt, "A reply's task", "", std::nullopt, {{"employee", 2, "Olga"}}, t0()});
        work.commit();
    }
    INFO(processed_when_in << " of " << backlog << " processed when the employee's transaction began");
    CHECK(processed_when_in < backlog / 2);
    worker.stop();
}
