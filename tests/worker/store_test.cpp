// The store alone: migrations of its two files, the inbox and its group commit, pairing a tracker
// with its inbox file, transactions that roll back, the read API.
#include "tests/worker/worker_support.hpp"

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
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

TEST_CASE("migrations: a new store gets two files, each with every migration of its own", "[store][sqlite]") {
    TempDb db;
    store::Store s(db.path());
    auto schema = store::current_schema();
    CHECK(s.schema_version().tracker == static_cast<int>(schema.tracker.size()));
    CHECK(s.schema_version().inbox == static_cast<int>(schema.inbox.size()));
    CHECK(std::filesystem::exists(db.path()));
    CHECK(std::filesystem::exists(store::inbox_path(db.path())));
    auto c = s.counts();
    CHECK(c.received == 0);
    CHECK(c.tasks == 0);
}

TEST_CASE("new database files are readable by their owner only, an existing file keeps its mode", "[store][sqlite]") {
    namespace fs = std::filesystem;
    TempDb db;
    {
        store::Store s(db.path());
        s.accept("tg", "{}", 1);  // a write: the inbox's WAL file exists while the store is open
        for (const auto& path : {db.path(), store::inbox_path(db.path()), store::inbox_path(db.path()) + "-wal"}) {
            INFO(path);
            REQUIRE(fs::exists(path));
            CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
        }
    }
    fs::permissions(db.path(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    store::Store again(db.path());
    CHECK((fs::status(db.path()).permissions() & fs::perms::group_read) == fs::perms::group_read);
}

TEST_CASE("the inbox file is the tracker's name with .inbox before the extension", "[store]") {
    CHECK(store::inbox_path("var/switchyard.db") == "var/switchyard.inbox.db");
    CHECK(store::inbox_path("/srv/data/store") == "/srv/data/store.inbox");
    CHECK(store::inbox_path("switchyard.db") == "switchyard.inbox.db");
}

namespace {

// This program's schema with one more migration at the end of each file's list.
struct NextSchema {
    std::vector<store::Migration> tracker;
    std::vector<store::Migration> inbox;
    NextSchema() {
        auto now = store::current_schema();
        tracker.assign(now.tracker.begin(), now.tracker.end());
        inbox.assign(now.inbox.begin(), now.inbox.end());
        tracker.push_back({static_cast<int>(tracker.size()) + 1, "next", "CREATE TABLE next_thing (x INTEGER)"});
        inbox.push_back({static_cast<int>(inbox.size()) + 1, "next", "CREATE INDEX inbox_received ON inbox (received_at)"});
    }
    store::Schema schema() const { return {tracker, inbox}; }
};

}  // namespace

TEST_CASE("migrations: existing files keep their data and get only the migrations they lack", "[store][sqlite]") {
    TempDb db;
    NextSchema next;
    {
        store::Store old(db.path());  // files made by a program that knew one migration less of each
        old.accept("tg", "{\"update_id\":1}", t0());
    }
    {
        store::Store s(db.path(), next.schema());
        CHECK(s.schema_version().tracker == static_cast<int>(next.tracker.size()));
        CHECK(s.schema_version().inbox == static_cast<int>(next.inbox.size()));
        CHECK(s.counts().received == 1);
    }
    // Opening again applies nothing twice (the migrations would fail: their tables exist).
    store::Store again(db.path(), next.schema());
    CHECK(again.schema_version().tracker == static_cast<int>(next.tracker.size()));
    CHECK(again.counts().received == 1);
}

TEST_CASE("migrations: a file newer than the program is refused with a clear error", "[store][sqlite]") {
    NextSchema next;
    auto current = store::current_schema();
    auto refused = [](const std::string& path, const std::string& named) {
        try {
            store::Store s(path);
            FAIL("a newer file was opened");
        } catch (const store::StoreError& e) {
            std::string what = e.what();
            CHECK(what.find("newer than this program") != std::string::npos);
            CHECK(what.find(named) != std::string::npos);
        }
    };
    SECTION("the tracker") {
        TempDb db;
        { store::Store future(db.path(), {next.tracker, current.inbox}); }
        refused(db.path(), db.path());
    }
    SECTION("the inbox file") {
        TempDb db;
        { store::Store future(db.path(), {current.tracker, next.inbox}); }
        refused(db.path(), store::inbox_path(db.path()));
    }
}

TEST_CASE("migrations: a failing migration leaves the file at the version before it", "[store][sqlite]") {
    TempDb db;
    auto current = store::current_schema();
    std::vector<store::Migration> broken(current.tracker.begin(), current.tracker.end());
    int number = static_cast<int>(broken.size()) + 1;
    broken.push_back({number, "broken", "CREATE TABLE ok (x INTEGER); CREATE TABLE contacts (x)"});
    CHECK_THROWS_WITH(store::Store(db.path(), {broken, current.inbox}),
                      Catch::Contains("migration " + std::to_string(number) + " (broken) failed"));
    store::Store s(db.path());
    CHECK(s.schema_version().tracker == static_cast<int>(current.tracker.size()));
}

TEST_CASE("migration 8 gives each like already there its source: Telegram for a contact's and as the history says",
          "[store][T6][sqlite]") {
    TempDb db;
    auto schema = store::current_schema();
    REQUIRE(schema.tracker.size() >= 8);
    std::vector<store::Migration> first_seven(schema.tracker.begin(), schema.tracker.begin() + 7);
    std::int64_t comment = 0;
    {
        store::Store old(db.path(), {first_seven, schema.inbox});
        REQUIRE(old.schema_version().tracker == 7);
        auto work = old.begin_work();
        auto conversation = work.create_conversation({"tg", "55", std::nullopt, "55", "private", std::nullopt, "contact", t0()});
        auto task = work.create_task({conversation, std::nullopt, "A task", "", std::nullopt, {}, t0()});
        store::NewComment c;
        c.task = task;
        c.conversation = conversation;
        c.integration = "tg";
        c.chat = "55";
        c.chat_kind = "private";
        c.direction = "inbound";
        c.author = {"contact", 1000001, "Anna"};
        c.sent_at = t0();
        comment = work.add_comment(c);
        // Olga reacted 🔥 in Telegram. Ivan reacted 👍 there, took it back, then liked 👍 in the
        // tracker: the latest like of that emoji tells.
        auto like = [&](std::int64_t id, const char* name, const char* action, const char* emoji, bool telegram, std::int64_t at) {
            json::object detail{{"comment", comment}, {"emoji", emoji}};
            if (telegram) detail["from"] = "telegram";
            work.record_history(task, {"employee", id, name}, action, detail, at);
        };
        like(2, "Olga", "like", "🔥", true, t0() + 1000);
        like(1, "Ivan", "like", "👍", true, t0() + 2000);
        like(1, "Ivan", "unlike", "👍", true, t0() + 3000);
        like(1, "Ivan", "like", "👍", false, t0() + 4000);
        work.commit();
    }
    // At version 7 a like has no source to write: the likes come from the first statement of
    // migration 8 itself, followed by its own text.
    std::string c = std::to_string(comment);
    std::string likes = "INSERT INTO likes (comment, kind, person, name, emoji, at) VALUES (" + c +
                        ", 'contact', 1000001, 'Anna', '👍', 1), (" + c + ", 'employee', 2, 'Olga', '🔥', 2), (" + c +
                        ", 'employee', 1, 'Ivan', '👍', 3);\n";
    std::string liking = likes + std::string(schema.tracker[7].sql);  // outlives the migration's view of it
    auto migrations = first_seven;
    migrations.push_back({8, schema.tracker[7].name, liking});
    store::Store s(db.path(), {migrations, schema.inbox});
    CHECK(s.schema_version().tracker == 8);
    auto work = s.begin_work();
    store::PersonRef ivan{"employee", 1, "Ivan"};
    CHECK(work.tracker_likes(comment) == 1);
    CHECK(work.like_of(comment, ivan, store::LikeSource::tracker) == "👍");
    CHECK(work.like_of(comment, {"employee", 2, "Olga"}, store::LikeSource::telegram) == "🔥");
    CHECK(work.like_of(comment, {"contact", 1000001, "Anna"}, store::LikeSource::telegram) == "👍");
    // The source is part of the key: Ivan's 👍 reaction in Telegram is a like beside his own.
    CHECK(work.like(comment, ivan, "👍", store::LikeSource::telegram, t0()));
    CHECK_FALSE(work.like(comment, ivan, "👍", store::LikeSource::telegram, t0()));
    CHECK(work.tracker_likes(comment) == 1);
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

TEST_CASE("accept is safe from several threads at once, and each gets the id of its own row", "[store]") {
    // Concurrent accepts share commits (group commit): the leader of each must hand every
    // follower the id of the row it inserted for it.
    TempDb db;
    store::Store s(db.path());
    const int threads_n = 8, each = 250;
    std::vector<std::vector<std::int64_t>> ids(threads_n);
    std::vector<std::thread> threads;
    auto body = [](int t, int i) { return "body " + std::to_string(t) + "/" + std::to_string(i); };
    for (int t = 0; t < threads_n; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < each; ++i) ids[static_cast<std::size_t>(t)].push_back(s.accept("tg", body(t, i), t0()));
        });
    for (auto& t : threads) t.join();
    CHECK(s.counts().received == threads_n * each);

    std::map<std::int64_t, std::string> stored;  // every row, read in the worker's order
    auto work = s.begin_work();
    while (auto row = work.next_pending()) {
        CHECK((stored.empty() || row->id > stored.rbegin()->first));
        stored[row->id] = row->body;
        work.finish(row->id, "done", "", t0());
    }
    work.commit();
    REQUIRE(stored.size() == static_cast<std::size_t>(threads_n * each));
    for (int t = 0; t < threads_n; ++t)
        for (int i = 0; i < each; ++i) {
            auto id = ids[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)];
            CHECK(stored[id] == body(t, i));
            if (i > 0) CHECK(id > ids[static_cast<std::size_t>(t)][static_cast<std::size_t>(i - 1)]);  // one caller's rows in order
        }
}

TEST_CASE("an accept completes while the worker's transaction is open", "[store]") {
    // The inbox is its own file: the worker's write transaction on the tracker does not hold
    // the accepts up (it used to, for up to busy_timeout).
    TempDb db;
    store::Store s(db.path());
    auto work = s.begin_work();
    work.find_or_create_contact({"telegram", "55", "Anna", std::nullopt, std::nullopt}, t0());  // it has written
    auto accepted = std::async(std::launch::async, [&s] { return s.accept("tg", "during", t0()); });
    REQUIRE(accepted.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
    auto id = accepted.get();
    // The open transaction sees the new row as the next one to process.
    auto row = work.next_pending();
    REQUIRE(row);
    CHECK(row->id == id);
    CHECK(row->body == "during");
    work.finish(row->id, "done", "", t0());
    work.commit();
    auto c = s.counts();
    CHECK(c.received == 1);
    CHECK(c.processed == 1);
}

TEST_CASE("counts: failed rows, and rows received but not yet taken", "[store]") {
    TempDb db;
    store::Store s(db.path());
    for (int i = 0; i < 4; ++i) s.accept("tg", "body " + std::to_string(i), t0());
    {
        auto work = s.begin_work();
        work.finish(work.next_pending()->id, "done", "", t0());
        work.finish(work.next_pending()->id, "failed", "the body cannot be read", t0());
        work.commit();
    }
    auto c = s.counts();
    CHECK(c.received == 4);
    CHECK(c.processed == 1);
    CHECK(c.failed == 1);
}

TEST_CASE("a new tracker beside an old inbox file starts after the rows already there", "[store][sqlite]") {
    // The tracker file removed to start over: the old rows were another tracker's.
    TempDb db;
    {
        store::Store s(db.path());
        s.accept("tg", "old 1", t0());
        s.accept("tg", "old 2", t0());
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.path() + suffix);
    store::Store s(db.path());
    CHECK(s.counts().received == 0);
    CHECK_FALSE(s.begin_work().next_pending());
    auto id = s.accept("tg", "new", t0());
    auto work = s.begin_work();
    auto row = work.next_pending();
    REQUIRE(row);
    CHECK(row->id == id);
    CHECK(row->body == "new");
    CHECK(s.counts().received == 1);
}

TEST_CASE("a new inbox file beside an existing tracker goes on with the old numbering", "[store]") {
    // The inbox file removed (to reclaim its space): new rows must not get ids the tracker has
    // finished already, or the worker, going on after the largest, would skip them.
    TempDb db;
    {
        store::Store s(db.path());
        s.accept("tg", "first", t0());
        s.accept("tg", "second", t0());
        auto work = s.begin_work();
        while (auto row = work.next_pending()) work.finish(row->id, "done", "", t0());
        work.commit();
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store::inbox_path(db.path()) + suffix);
    store::Store s(db.path());
    auto id = s.accept("tg", "third", t0());
    CHECK(id == 3);
    auto work = s.begin_work();
    auto row = work.next_pending();
    REQUIRE(row);
    CHECK(row->id == id);
    auto c = s.counts();
    CHECK(c.received == 3);
    CHECK(c.processed == 2);
}

TEST_CASE("a tracker beside an inbox file it was not made with is refused", "[store][sqlite]") {
    TempDb a, b;
    { store::Store s(a.path()); }
    {
        store::Store s(b.path());
        s.accept("tg", "b's", t0());
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(store::inbox_path(a.path()) + suffix);
    std::filesystem::copy_file(store::inbox_path(b.path()), store::inbox_path(a.path()));
    CHECK_THROWS_WITH(store::Store(a.path()), Catch::Contains("is not the one the database " + a.path()));
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

TEST_CASE("units nest: one undone forgets the channels made in it, one kept or its parent keeps its own", "[store]") {
    TempDb db;
    store::Store s(db.path());
    auto work = s.begin_work();
    std::int64_t kept = 0;
    {
        store::Work::Unit outer(work);
        kept = work.channel_id("tg", "kept");
        {
            store::Work::Unit inner(work);
            work.channel_id("tg", "undone");
            inner.undo();
        }
        outer.keep();
    }
    // The undone channel's row is gone, so the next new channel gets its id: had the unit left
    // the undone id cached, the two would now be one.
    std::int64_t other = work.channel_id("tg", "other");
    std::int64_t undone = work.channel_id("tg", "undone");
    CHECK(undone != other);
    CHECK(work.channel_id("tg", "kept") == kept);
    {
        store::Work::Unit dropped(work);  // neither kept nor undone: rolled back when it goes
        work.channel_id("tg", "dropped");
    }
    CHECK(work.channel_id("tg", "after") != work.channel_id("tg", "dropped"));
    work.commit();
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

TEST_CASE("contacts: a new contact records the template it was made from, a contact found again keeps its own",
          "[store][TB2]") {
    TempDb db;
    store::Store s(db.path());
    auto work = s.begin_work();
    auto anna = work.find_or_create_contact({"whatsapp", "79011112233", "Anna", std::nullopt, "79011112233"}, t0(),
                                            "WhatsApp customer");
    // The same phone on Telegram is the same contact: made from the WhatsApp integration's template.
    work.find_or_create_contact({"telegram", "555", "Anna", "anna", "79011112233"}, t0(), "Telegram customer");
    auto boris = work.find_or_create_contact({"telegram", "666", "Boris", std::nullopt, std::nullopt}, t0());
    work.commit();
    CHECK(s.contact(anna.id)->at("template") == "WhatsApp customer");
    CHECK(s.contact(boris.id)->at("template").is_null());  // an integration without a template
}

TEST_CASE("migration 9: the contacts made before it have no template, and a new contact records its own", "[store][TB2][sqlite]") {
    TempDb db;
    auto schema = store::current_schema();
    REQUIRE(schema.tracker.size() >= 9);
    REQUIRE(schema.tracker[8].name == std::string_view("contact template"));
    std::vector<store::Migration> first_eight(schema.tracker.begin(), schema.tracker.begin() + 8);
    {
        store::Store old(db.path(), {first_eight, schema.inbox});
        REQUIRE(old.schema_version().tracker == 8);
    }
    // A contact of version 8, made by the statement that version ran, then migration 9 itself.
    std::string made_before = "INSERT INTO contacts (name, username, phone, created_at, updated_at)"
                              " VALUES ('Old', NULL, NULL, 1, 1);\n" + std::string(schema.tracker[8].sql);
    auto migrations = first_eight;
    migrations.push_back({9, schema.tracker[8].name, made_before});
    store::Store s(db.path(), {migrations, schema.inbox});
    CHECK(s.schema_version().tracker == 9);
    auto work = s.begin_work();
    auto made = work.find_or_create_contact({"telegram", "555", "Anna", std::nullopt, std::nullopt}, t0(), "Customers");
    work.commit();
    CHECK(s.contact(1000001)->at("name") == "Old");
    CHECK(s.contact(1000001)->at("template").is_null());
    CHECK(s.contact(made.id)->at("template") == "Customers");
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
    auto id = s.accept("tg", "body", t0());
    CHECK(s.counts().received == 1);
    {
        auto work = s.begin_work();
        auto row = work.next_pending();
        REQUIRE(row);
        CHECK(row->id == id);
        work.finish(row->id, "done", "", t0());
        work.commit();
    }
    CHECK(s.counts().processed == 1);
}
