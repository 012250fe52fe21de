// The store's side of outbound delivery (migration 3): the outbox and the delivery state it gives
// comments (C7), a task's history, deleted tasks, unlinked chats, quick replies (C8), the files'
// bytes in the file store, and what the read API shows of them.
#include "tests/worker/worker_support.hpp"

#include <filesystem>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

const std::string blob = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";  // sha-256 of "abc"

// A task with one employee's comment on it, in a private Telegram chat.
struct Desk {
    Desk() : store(db.path()) {
        auto work = store.begin_work();
        task = work.create_task({std::nullopt, std::nullopt, "Anna", "", std::nullopt, {{"employee", 2, "Olga"}}, t0()});
        comment = add_comment(work, "Hello Anna");
        work.commit();
    }
    std::int64_t add_comment(store::Work& work, std::string text, std::optional<std::int64_t> quotes = std::nullopt) {
        auto c = queued_reply(task, std::move(text));
        c.quotes = quotes;
        return work.add_comment(c);
    }
    store::NewOutboxMessage message(int part = 0, std::int64_t not_before = 0) const {
        auto m = reply_row(task, comment, part, R"({"chat_id":55,"text":"Hello Anna"})");
        m.not_before = not_before;
        return m;
    }
    std::int64_t enqueue(const store::NewOutboxMessage& m) {
        auto work = store.begin_work();
        auto id = work.enqueue(m);
        work.commit();
        return id;
    }
    template <class F>
    void change(F f) {
        auto work = store.begin_work();
        f(work);
        work.commit();
    }
    store::CommentRecord read_comment() {
        auto work = store.begin_work();
        return *work.comment(comment);
    }
    json::object comment_json(std::size_t index = 0) { return store.task(task)->at("comments").as_array()[index].as_object(); }

    TempDb db;
    store::Store store;
    std::int64_t task = 0;
    std::int64_t comment = 0;
};

std::vector<store::Migration> first_two() {
    auto now = store::current_schema();
    return {now.tracker.begin(), now.tracker.begin() + 2};
}

}  // namespace

TEST_CASE("migration 3 applies to a new store", "[store][outbox]") {
    TempDb db;
    store::Store s(db.path());
    CHECK(s.schema_version().tracker >= 3);
    auto stats = s.outbox_stats();
    CHECK(stats.depth == 0);
    CHECK_FALSE(stats.oldest_created_at);
    CHECK(s.quick_replies().empty());
}

TEST_CASE("migration 3 applies to a store at version 2 with rows, which keep working", "[store][outbox][sqlite]") {
    TempDb db;
    std::int64_t task = 0, comment = 0;
    {
        store::Store old(db.path(), {first_two(), store::current_schema().inbox});
        CHECK(old.schema_version().tracker == 2);
        auto work = old.begin_work();
        task = work.create_task({std::nullopt, std::nullopt, "Old", "", std::nullopt, {}, t0()});
        store::NewComment c;
        c.task = task;
        c.integration = "tg";
        c.chat = "55";
        c.chat_kind = "private";
        c.direction = "inbound";
        c.author = {"contact", 1000001, "Anna"};
        c.text = "an old message";
        c.external_id = "10";
        c.number = 10;
        comment = work.add_comment(c);
        work.add_file(comment, {0, "old.pdf", "pdf", "application/pdf", 100, "document", "BQAC", "attach", std::nullopt});
        work.link_chat("tg", "-100", task, t0());
        work.commit();
    }
    store::Store s(db.path());
    CHECK(s.schema_version().tracker >= 3);
    {
        auto work = s.begin_work();
        // The old file was never fetched: `none`, nothing to download.
        auto files = work.files_of(comment);
        REQUIRE(files.size() == 1);
        CHECK(files[0].stored == "none");
        CHECK_FALSE(files[0].blob);
        CHECK(work.pending_downloads(10).empty());
        auto old = work.comment(comment);
        REQUIRE(old);
        CHECK(old->text == "an old message");
        CHECK(old->integration == "tg");
        CHECK_FALSE(old->quotes);
        CHECK_FALSE(old->delivery_status);
        CHECK_FALSE(work.task(task)->deleted_at);
        // New rows beside the old ones: a reply quoting the old message, sent through the outbox.
        store::NewComment reply;
        reply.task = task;
        reply.integration = "tg";
        reply.chat = "55";
        reply.chat_kind = "private";
        reply.direction = "outbound";
        reply.author = {"employee", 2, "Olga"};
        reply.text = "a reply";
        reply.quotes = comment;
        auto id = work.add_comment(reply);
        work.enqueue({id, task, "tg", "55", "private", std::nullopt, "sendMessage", "{}", std::nullopt, 0, 0, t0()});
        work.commit();
    }
    auto task_json = *s.task(task);
    auto& comments = task_json.at("comments").as_array();
    REQUIRE(comments.size() == 2);
    CHECK(comments[0].at("files").as_array()[0].at("stored") == "none");
    CHECK(comments[0].at("delivery").is_null());
    CHECK(comments[1].at("quotes") == comment);
    CHECK(comments[1].at("delivery").at("state") == "queued");
    CHECK(task_json.at("chat_links").as_array().size() == 1);
    CHECK(s.outbox_stats().depth == 1);
}

TEST_CASE("C7: a queued message is due from its not_before, oldest first, and the comment shows it queued", "[store][outbox]") {
    Desk d;
    auto first = d.enqueue(d.message(0, t0() + 5000));
    auto second = d.enqueue(d.message(1, t0()));
    auto third = d.enqueue(d.message(2, t0()));
    CHECK(d.read_comment().delivery_status == "queued");
    auto work = d.store.begin_work();
    CHECK(work.next_outbox_time() == t0());
    auto due = work.due_outbox(t0(), 10);
    REQUIRE(due.size() == 2);  // the first waits until t0 + 5 s
    CHECK(due[0].id == second);
    CHECK(due[1].id == third);
    CHECK(work.due_outbox(t0() + 5000, 10).front().id == first);  // by id once all are due
    CHECK(work.due_outbox(t0() + 5000, 1).size() == 1);
    const auto& row = due[0];
    CHECK(row.comment == d.comment);
    CHECK(row.task == d.task);
    CHECK(row.integration == "tg");
    CHECK(row.chat == "55");
    CHECK(row.chat_kind == "private");
    CHECK_FALSE(row.business_connection);
    CHECK(row.method == "sendMessage");
    CHECK(row.params == R"({"chat_id":55,"text":"Hello Anna"})");
    CHECK_FALSE(row.file);
    CHECK(row.part == 1);
    CHECK(row.state == "queued");
    CHECK(row.attempts == 0);
    CHECK(row.not_before == t0());
    CHECK(row.created_at == t0());
}

TEST_CASE("C7: sending, retried, sent: the attempts counted, the error kept, the message id named", "[store][outbox]") {
    Desk d;
    auto id = d.enqueue(d.message());
    d.change([&](store::Work& w) { w.outbox_sending(id, t0() + 1000); });
    CHECK(d.read_comment().delivery_status == "sending");
    {
        // A crash here leaves the row `sending`: still due, for the dispatcher to decide on.
        auto work = d.store.begin_work();
        auto due = work.due_outbox(t0() + 1000, 10);
        REQUIRE(due.size() == 1);
        CHECK(due[0].state == "sending");
        CHECK(due[0].attempts == 1);
    }
    d.change([&](store::Work& w) { w.outbox_retry(id, t0() + 31000, "Too Many Requests: retry after 30", t0() + 1000); });
    {
        auto work = d.store.begin_work();
        CHECK(work.due_outbox(t0() + 30000, 10).empty());
        CHECK(work.next_outbox_time() == t0() + 31000);
        auto row = d.store.outbox_of_comment(d.comment).at(0);
        CHECK(row.state == "queued");
        CHECK(row.error == "Too Many Requests: retry after 30");
        CHECK(row.attempts == 1);
    }
    CHECK(d.read_comment().delivery_status == "queued");
    d.change([&](store::Work& w) {
        w.outbox_sending(id, t0() + 31000);
        w.outbox_sent(id, "4021", t0() + 32000);
    });
    auto row = d.store.outbox_of_comment(d.comment).at(0);
    CHECK(row.state == "sent");
    CHECK(row.attempts == 2);
    CHECK(row.external_id == "4021");
    CHECK_FALSE(row.error);
    CHECK(row.updated_at == t0() + 32000);
    auto c = d.read_comment();
    CHECK(c.delivery_status == "sent");
    CHECK(c.external_id == "4021");
    CHECK(c.number == 4021);  // what a reaction or a reply in Telegram will name
    {
        auto work = d.store.begin_work();
        CHECK_FALSE(work.next_outbox_time());
        CHECK(work.due_outbox(t0() + 100000, 10).empty());
        CHECK(work.comment_by_number("tg", "55", 4021)->id == d.comment);
    }
    auto delivery = d.comment_json().at("delivery");
    CHECK(delivery == json::parse(R"({"state":"sent","status":"sent","message_id":"4021","error":null,"at":"2026-11-21T10:00:32Z"})"));
}

TEST_CASE("C7: a refusal fails the comment with the platform's reason", "[store][outbox]") {
    Desk d;
    auto id = d.enqueue(d.message());
    d.change([&](store::Work& w) {
        w.outbox_sending(id, t0());
        w.outbox_failed(id, "Forbidden: bot was blocked by the user", t0() + 2000);
    });
    auto c = d.read_comment();
    CHECK(c.delivery_status == "failed");
    CHECK_FALSE(c.external_id);
    CHECK(d.store.outbox_stats().depth == 0);
    auto delivery = d.comment_json().at("delivery");
    CHECK(delivery.at("state") == "failed");
    CHECK(delivery.at("error") == "Forbidden: bot was blocked by the user");
    CHECK(delivery.at("message_id").is_null());
    CHECK(delivery.at("at") == "2026-11-21T10:00:02Z");
}

TEST_CASE("C7: a comment of several parts is failed if one failed, else sending, else queued, else sent", "[store][outbox]") {
    Desk d;
    auto text = d.enqueue(d.message(0));
    auto file = d.enqueue(d.message(1));
    auto status = [&] { return d.read_comment().delivery_status.value_or("none"); };
    d.change([&](store::Work& w) { w.outbox_sending(text, t0()); });
    CHECK(status() == "sending");
    d.change([&](store::Work& w) { w.outbox_sent(text, "50", t0()); });
    CHECK(status() == "queued");  // the file is still to go
    CHECK(d.read_comment().number == 50);  // part 0 names the comment
    d.change([&](store::Work& w) { w.outbox_sending(file, t0()); });
    CHECK(status() == "sending");
    SECTION("the file sent too") {
        d.change([&](store::Work& w) { w.outbox_sent(file, "51", t0()); });
        CHECK(status() == "sent");
        CHECK(d.read_comment().number == 50);  // a later part does not rename it
        auto rows = d.store.outbox_of_comment(d.comment);
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].part == 0);
        CHECK(rows[1].part == 1);
    }
    SECTION("the file refused") {
        d.change([&](store::Work& w) { w.outbox_failed(file, "Bad Request: file is too big", t0()); });
        CHECK(status() == "failed");
        CHECK(d.comment_json().at("delivery").at("error") == "Bad Request: file is too big");
    }
}

TEST_CASE("C7: delivered or read, reported later by Wazzup, is not turned back into sent", "[store][outbox]") {
    Desk d;
    auto text = d.enqueue(d.message(0));
    auto reaction = d.enqueue(d.message(1));
    d.change([&](store::Work& w) {
        w.outbox_sent(text, "b3c1f0e2-wz", t0());
        CHECK(w.set_delivery("tg", "b3c1f0e2-wz", "read", "", t0() + 5000));
        w.outbox_sent(reaction, "", t0() + 6000);
    });
    auto c = d.read_comment();
    CHECK(c.delivery_status == "read");
    CHECK(c.external_id == "b3c1f0e2-wz");
    CHECK_FALSE(c.number);  // not Telegram's message_id
}

TEST_CASE("C7: the outbox's depth and oldest row, and a row's file", "[store][outbox]") {
    Desk d;
    std::int64_t file = 0;
    d.change([&](store::Work& w) {
        file = w.add_file(d.comment, {0, "invoice.pdf", "pdf", "application/pdf", 3, "document", "", std::nullopt, std::nullopt,
                                      blob, "stored", std::nullopt});
    });
    auto m = d.message(0);
    m.method = "sendDocument";
    m.file = file;
    m.business_connection = "bc-1";
    m.at = t0() + 1000;
    auto id = d.enqueue(m);
    auto later = d.message(1);
    later.at = t0() + 2000;
    d.enqueue(later);
    auto stats = d.store.outbox_stats();
    CHECK(stats.depth == 2);
    CHECK(stats.oldest_created_at == t0() + 1000);
    auto row = d.store.outbox_of_comment(d.comment).at(0);
    CHECK(row.id == id);
    CHECK(row.business_connection == "bc-1");
    REQUIRE(row.file);
    CHECK(row.file->id == file);
    CHECK(row.file->name == "invoice.pdf");
    CHECK(row.file->mime == "application/pdf");
    CHECK(row.file->size == 3);
    CHECK(row.file->blob == blob);
    d.change([&](store::Work& w) { w.outbox_sent(id, "7", t0()); });
    stats = d.store.outbox_stats();
    CHECK(stats.depth == 1);
    CHECK(stats.oldest_created_at == t0() + 2000);
}

TEST_CASE("an outbox message's params must be a JSON object", "[store][outbox]") {
    Desk d;
    auto m = d.message();
    m.params = "chat_id=55";
    auto work = d.store.begin_work();
    CHECK_THROWS_WITH(work.enqueue(m), Catch::Contains("must be a JSON object"));
}

TEST_CASE("a message with no comment (a reaction) leaves every comment as it was", "[store][outbox]") {
    Desk d;
    auto m = d.message();
    m.comment = std::nullopt;
    m.method = "setMessageReaction";
    auto id = d.enqueue(m);
    d.change([&](store::Work& w) { w.outbox_sent(id, "", t0()); });
    CHECK(d.read_comment().delivery_status == "queued");  // as add_comment set it; no outbox row of its own
}

TEST_CASE("a task's history, in order, with the actor and the detail", "[store][history]") {
    Desk d;
    d.change([&](store::Work& w) {
        w.record_history(d.task, {"employee", 2, "Olga"}, "comment", json::object{{"comment", d.comment}}, t0() + 1000);
        w.record_history(d.task, {"system", std::nullopt, "switchyard"}, "status", json::object{{"to", "completed"}}, t0() + 2000);
    });
    auto history = d.store.task(d.task)->at("history").as_array();
    REQUIRE(history.size() == 2);
    CHECK(history[0] == json::parse(R"({"id":1,"actor":{"kind":"employee","id":2,"name":"Olga"},"action":"comment",)"
                                    R"("detail":{"comment":1},"at":"2026-11-21T10:00:01Z"})"));
    CHECK(history[1].at("actor") == json::parse(R"({"kind":"system","id":null,"name":"switchyard"})"));
    CHECK(history[1].at("detail").at("to") == "completed");
}

TEST_CASE("a deleted task leaves the lists but is still read by id", "[store][tasks]") {
    Desk d;
    std::int64_t other = 0;
    d.change([&](store::Work& w) { other = w.create_task({std::nullopt, std::nullopt, "Kept", "", std::nullopt, {}, t0()}); });
    {
        auto work = d.store.begin_work();
        CHECK(work.delete_task(d.task, t0() + 60000));
        CHECK_FALSE(work.delete_task(d.task, t0() + 70000));  // deleted already
        CHECK_FALSE(work.delete_task(999, t0()));            // no such task
        CHECK(work.task(d.task)->deleted_at == t0() + 60000);
        CHECK_FALSE(work.task(other)->deleted_at);
        work.commit();
    }
    auto tasks = d.store.tasks();
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0].at("id") == other);
    auto deleted = d.store.task(d.task);
    REQUIRE(deleted);
    CHECK(deleted->at("deleted_at") == "2026-11-21T10:01:00Z");
    CHECK(d.store.task(other)->at("deleted_at").is_null());
}

TEST_CASE("T3: a chat unlinked goes to no task, and the task no longer lists it", "[store][T3]") {
    Desk d;
    d.store.link_chat("tg", "-100200", d.task, t0() + 1000);
    d.store.link_chat("tg", "-100300", d.task, t0() + 2000);
    CHECK(d.store.task(d.task)->at("chat_links") ==
          json::parse(R"([{"integration":"tg","chat":"-100200","linked_at":"2026-11-21T10:00:01Z"},)"
                      R"({"integration":"tg","chat":"-100300","linked_at":"2026-11-21T10:00:02Z"}])"));
    {
        auto work = d.store.begin_work();
        CHECK(work.unlink_chat("tg", "-100200"));
        CHECK_FALSE(work.unlink_chat("tg", "-100200"));
        CHECK_FALSE(work.unlink_chat("wz", "-100300"));  // another integration's chat of that id
        CHECK_FALSE(work.linked_task("tg", "-100200"));
        CHECK(work.linked_task("tg", "-100300") == d.task);
        work.commit();
    }
    CHECK(d.store.task(d.task)->at("chat_links").as_array().size() == 1);
}

TEST_CASE("C8: quick replies by unique name", "[store][C8]") {
    Desk d;
    std::optional<std::int64_t> thanks;
    {
        auto work = d.store.begin_work();
        thanks = work.add_quick_reply("thanks", "Thank you, we are on it.", 2, "Olga", t0());
        REQUIRE(thanks);
        auto hours = work.add_quick_reply("hours", "We work 9 to 18.", std::nullopt, "admin", t0() + 1000);
        REQUIRE(hours);
        CHECK_FALSE(work.add_quick_reply("thanks", "Another text", 3, "Ivan", t0()));  // the name is taken
        auto found = work.quick_reply("thanks");
        REQUIRE(found);
        CHECK(found->id == *thanks);
        CHECK(found->text == "Thank you, we are on it.");
        CHECK(found->created_by == 2);
        CHECK(found->created_by_name == "Olga");
        CHECK(found->created_at == t0());
        CHECK_FALSE(work.quick_reply("Thanks"));
        work.commit();
    }  // a Work holds the writer until it goes
    auto all = d.store.quick_replies();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "hours");  // by name
    CHECK_FALSE(all[0].created_by);
    CHECK(all[1].name == "thanks");
    auto again = d.store.begin_work();
    CHECK(again.delete_quick_reply(*thanks));
    CHECK_FALSE(again.delete_quick_reply(*thanks));
    CHECK(again.add_quick_reply("thanks", "Free again", 2, "Olga", t0()));  // the name is free once deleted
    again.commit();
}

TEST_CASE("files: pending ones are to download, then stored or not with the reason", "[store][files][sqlite]") {
    Desk d;
    std::int64_t pending = 0, big = 0, plain = 0;
    d.change([&](store::Work& w) {
        pending = w.add_file(d.comment, {0, "photo.jpg", "jpg", "image/jpeg", 0, "image", "AgAC-file-id", "attach", std::nullopt,
                                         std::nullopt, "pending", std::nullopt});
        big = w.add_file(d.comment, {1, "movie.mp4", "mp4", "video/mp4", 90 << 20, "video", "BAAC-file-id", "link", std::nullopt,
                                     std::nullopt, "pending", std::nullopt});
        plain = w.add_file(d.comment, {2, "x.txt", "txt", "text/plain", 1, "document", "", std::nullopt, std::nullopt});
    });
    CHECK(plain > big);
    {
        auto work = d.store.begin_work();
        auto downloads = work.pending_downloads(10);
        REQUIRE(downloads.size() == 2);
        CHECK(downloads[0].file == pending);
        CHECK(downloads[0].comment == d.comment);
        CHECK(downloads[0].integration == "tg");
        CHECK(downloads[0].source == "AgAC-file-id");
        CHECK(downloads[0].name == "photo.jpg");
        CHECK(downloads[0].size == 0);
        CHECK(work.pending_downloads(1).size() == 1);
        work.file_stored(pending, blob, 3);
        work.file_not_stored(big, "too_large", "the file is 90 MiB, over the 20 MiB Telegram lets bots download");
        CHECK_THROWS_AS(work.file_not_stored(plain, "stored", "no"), store::StoreError);
        // A blob is a file name in the store: anything but 64 lowercase hex digits is refused.
        CHECK_THROWS_AS(work.file_stored(plain, "../../etc/passwd", 3), store::StoreError);
        CHECK(work.pending_downloads(10).empty());
        auto files = work.files_of(d.comment);
        REQUIRE(files.size() == 3);
        CHECK(files[0].stored == "stored");
        CHECK(files[0].blob == blob);
        CHECK(files[0].size == 3);  // the size of the bytes, where the messenger gave none
        CHECK_FALSE(files[0].store_error);
        CHECK(files[1].stored == "too_large");
        CHECK(files[1].store_error == "the file is 90 MiB, over the 20 MiB Telegram lets bots download");
        CHECK(files[2].stored == "none");
        work.commit();
    }
    auto served = d.store.file(d.comment, 0);
    REQUIRE(served);
    CHECK(served->id == pending);
    CHECK(served->comment == d.comment);
    CHECK(served->position == 0);
    CHECK(served->name == "photo.jpg");
    CHECK(served->ext == "jpg");
    CHECK(served->mime == "image/jpeg");
    CHECK(served->kind == "image");
    CHECK(served->source == "AgAC-file-id");
    CHECK(served->blob == blob);
    CHECK(served->stored == "stored");
    CHECK(served->action == "attach");
    CHECK_FALSE(served->reason);
    CHECK_FALSE(d.store.file(d.comment, 3));
    auto shown = d.comment_json().at("files").as_array();
    CHECK(shown[0].at("stored") == "stored");
    CHECK_FALSE(shown[0].as_object().contains("blob"));  // the bytes are served by the API, never named
    CHECK(shown[1].at("store_error") == "the file is 90 MiB, over the 20 MiB Telegram lets bots download");
}

TEST_CASE("a comment read by id, with its integration, the comment it quotes and its delivery status", "[store]") {
    Desk d;
    std::int64_t reply = 0;
    d.change([&](store::Work& w) { reply = d.add_comment(w, "As I said", d.comment); });
    auto work = d.store.begin_work();
    auto c = work.comment(reply);
    REQUIRE(c);
    CHECK(c->task == d.task);
    CHECK(c->integration == "tg");
    CHECK(c->quotes == d.comment);
    CHECK(c->delivery_status == "queued");
    CHECK(c->text == "As I said");
    CHECK(c->author.name == "Olga");
    CHECK_FALSE(work.comment(999));
}
