// The store alone: migrations, the inbox, transactions that roll back, the read API.
#include "tests/worker/worker_support.hpp"

#include <chrono>
#include <thread>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

store::NewTask a_task(std::int64_t at) {
    store::NewTask t;
    t.title = "A task";
    t.at = at;
    t.assignees = {{"employee", 2, "Olga"}};
    return t;
}

}  // namespace

TEST_CASE("migrations: a fresh file gets every migration, in order", "[store]") {
    TempDb db;
    store::Store s(db.path());
    CHECK(s.schema_version() == static_cast<int>(store::migrations().size()));
    auto c = s.counts();
    CHECK(c.received == 0);
    CHECK(c.tasks == 0);
}

TEST_CASE("migrations: an existing file keeps its data and gets only the migrations it lacks", "[store]") {
    TempDb db;
    auto all = store::migrations();
    {
        store::Store old(db.path(), all.first(1));  // a file made by a program that knew only migration 1
        CHECK(old.schema_version() == 1);
        old.accept("tg", "{\"update_id\":1}", t0());
    }
    {
        store::Store s(db.path());
        CHECK(s.schema_version() == static_cast<int>(all.size()));
        CHECK(s.counts().received == 1);
    }
    // Opening again applies nothing twice.
    store::Store again(db.path());
    CHECK(again.schema_version() == static_cast<int>(all.size()));
    CHECK(again.counts().received == 1);
}

TEST_CASE("migrations: a database newer than the program is refused with a clear error", "[store]") {
    TempDb db;
    std::vector<store::Migration> newer(store::migrations().begin(), store::migrations().end());
    newer.push_back({static_cast<int>(newer.size()) + 1, "future", "CREATE TABLE future (x INTEGER)"});
    { store::Store future(db.path(), newer); }
    try {
        store::Store s(db.path());
        FAIL("a newer database was opened");
    } catch (const store::StoreError& e) {
        std::string what = e.what();
        CHECK(what.find("newer than this program") != std::string::npos);
        CHECK(what.find(db.path()) != std::string::npos);
    }
}

TEST_CASE("migrations: a failing migration leaves the file at the version before it", "[store]") {
    TempDb db;
    std::vector<store::Migration> broken(store::migrations().begin(), store::migrations().end());
    broken.push_back({static_cast<int>(broken.size()) + 1, "broken", "CREATE TABLE ok (x INTEGER); CREATE TABLE inbox (x)"});
    CHECK_THROWS_WITH(store::Store(db.path(), broken), Catch::Contains("migration 3 (broken) failed"));
    store::Store s(db.path());
    CHECK(s.schema_version() == static_cast<int>(store::migrations().size()));
}

TEST_CASE("R1: accept stores the body as it came, pending, for the worker", "[store]") {
    TempDb db;
    store::Store s(db.path());
    std::string body = std::string("{\"a\":1}\0binary", 14);
    auto id = s.accept("wz", body, t0());
    CHECK(id > 0);
    auto work = s.begin_work();
    auto row = work.next_pending();
    REQUIRE(row);
    CHECK(row->id == id);
    CHECK(row->integration == "wz");
    CHECK(row->body == body);
    CHECK(row->received_at_ms == t0());
}

TEST_CASE("R1: accepted rows survive closing the store, and the oldest is processed first", "[store]") {
    TempDb db;
    {
        store::Store s(db.path());
        s.accept("tg", "first", t0());
        s.accept("tg", "second", t0());
    }
    store::Store s(db.path());
    auto work = s.begin_work();
    auto row = work.next_pending();
    REQUIRE(row);
    CHECK(row->body == "first");
    work.finish(row->id, "done", "", t0());
    auto next = work.next_pending();
    REQUIRE(next);
    CHECK(next->body == "second");
}

TEST_CASE("accept is safe from several threads at once", "[store]") {
    TempDb db;
    store::Store s(db.path());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&s, t] {
            for (int i = 0; i < 500; ++i) s.accept("tg", "body " + std::to_string(t) + "/" + std::to_string(i), t0());
        });
    for (auto& t : threads) t.join();
    CHECK(s.counts().received == 2000);
}

TEST_CASE("accept keeps up with 10 000 webhooks a second", "[store][.bench]") {
    TempDb db;
    store::Store s(db.path());
    std::string body(800, 'x');
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20000; ++i) s.accept("tg", body, t0());
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("20000 accepts in " << seconds << " s: " << 20000 / seconds << " per second");
    CHECK(20000 / seconds > 10000);
}

TEST_CASE("accept keeps up with 10 000 webhooks a second while the worker processes", "[store][.bench]") {
    Bench b;
    const int bodies = 2000;
    std::vector<std::string> names;
    for (int i = 0; i < bodies; ++i) {
        b.post("tg", {tg_private(i + 1, tg_user(1000 + i % 50, "User"), i + 1, "message")});
        names.push_back(b.last_body());
    }
    b.worker().start();
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&b, &names, t] {
            for (int i = 0; i < 10000; ++i) {
                b.store().accept("tg", names[static_cast<std::size_t>((i * 2 + t) % bodies)], t0());
                b.worker().wake();
            }
        });
    for (auto& t : threads) t.join();
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto processed = b.store().counts().processed;
    b.worker().stop();
    WARN("20000 accepts from 2 threads in " << seconds << " s (" << 20000 / seconds << " per second); the worker did "
                                            << processed << " rows meanwhile");
    CHECK(20000 / seconds > 10000);
}

TEST_CASE("a transaction rolled back midway leaves nothing", "[store]") {
    TempDb db;
    store::Store s(db.path());
    s.accept("tg", "body", t0());
    {
        auto work = s.begin_work();
        auto row = work.next_pending();
        auto contact = work.find_or_create_contact({"telegram", "55", "Anna", "anna", std::nullopt}, t0());
        auto task = work.create_task(a_task(t0()));
        store::NewComment c;
        c.task = task;
        c.integration = "tg";
        c.chat = "55";
        c.chat_kind = "private";
        c.direction = "inbound";
        c.author = {"contact", contact.id, contact.name};
        c.text = "hello";
        work.add_comment(c);
        work.finish(row->id, "done", "", t0());
        // No commit: as if the process died here.
    }
    auto c = s.counts();
    CHECK(c.contacts == 0);
    CHECK(c.tasks == 0);
    CHECK(c.processed == 0);
    auto work = s.begin_work();
    CHECK(work.next_pending());
}

TEST_CASE("a unit undone inside a transaction undoes only its own changes", "[store]") {
    TempDb db;
    store::Store s(db.path());
    {
        auto work = s.begin_work();
        work.find_or_create_contact({"telegram", "1", "Kept", std::nullopt, std::nullopt}, t0());
        {
            store::Work::Unit unit(work);
            work.find_or_create_contact({"telegram", "2", "Undone", std::nullopt, std::nullopt}, t0());
        }
        work.commit();
    }
    CHECK(s.counts().contacts == 1);
}

TEST_CASE("contacts: one identity per transport, and the same phone on another messenger is the same contact", "[store]") {
    TempDb db;
    store::Store s(db.path());
    auto work = s.begin_work();
    auto a = work.find_or_create_contact({"whatsapp", "79011112233", "Anna", std::nullopt, "79011112233"}, t0());
    CHECK(a.is_new);
    CHECK(a.id > 1000000);  // never an employee's id
    auto again = work.find_or_create_contact({"whatsapp", "79011112233", "Anna K.", std::nullopt, std::nullopt}, t0());
    CHECK_FALSE(again.is_new);
    CHECK(again.id == a.id);
    CHECK(again.name == "Anna K.");
    CHECK(again.phone == "79011112233");
    auto telegram = work.find_or_create_contact({"telegram", "555", "Anna", "anna", "79011112233"}, t0());
    CHECK_FALSE(telegram.is_new);
    CHECK(telegram.id == a.id);
    auto nameless = work.find_or_create_contact({"whatsapp", "79011112233", "", std::nullopt, std::nullopt}, t0());
    CHECK(nameless.name == "Anna K.");
    work.commit();
    auto contact = s.contact(a.id);
    REQUIRE(contact);
    CHECK(contact->at("identities").as_array().size() == 2);
}

TEST_CASE("the read API: tasks list, one task, unknown ids", "[store]") {
    TempDb db;
    store::Store s(db.path());
    {
        auto work = s.begin_work();
        work.create_task(a_task(t0()));
        work.create_task(a_task(t0() + 1500));
        work.commit();
    }
    auto list = s.tasks(10, 0);
    REQUIRE(list.size() == 2);
    CHECK(list[0].at("title") == "A task");
    CHECK(list[0].at("created_at") == "2026-11-21T10:00:00Z");
    CHECK(list[1].at("created_at") == "2026-11-21T10:00:01.500Z");
    CHECK(list[0].at("assignees").as_array()[0].at("name") == "Olga");
    auto page = s.tasks(1, list[0].at("id").as_int64());
    REQUIRE(page.size() == 1);
    CHECK(page[0].at("id") == list[1].at("id"));
    CHECK_FALSE(s.task(999));
    CHECK_FALSE(s.contact(999));
    CHECK(s.decisions(std::nullopt).empty());
}

TEST_CASE("an in-memory store works as one connection", "[store]") {
    store::Store s(":memory:");
    s.accept("tg", "body", t0());
    CHECK(s.counts().received == 1);
}
