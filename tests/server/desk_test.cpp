// End to end, the rest of the write API and what the bot does by itself: completing, reopening
// and deleting tasks with their history; likes as reactions (T6); linking a group (T3); quick
// replies (C8); commands answered (T7); employees alerted by the bot (T8); customers' files
// downloaded in the background and served.
#include "tests/server/outbound_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

struct Desk {
    explicit Desk(FakeTelegram& fake) : server(outbound_toml(fake), "desk") { server.start(); }
    std::string task_path(std::int64_t id, const std::string& rest = "") const { return "/api/v1/tasks/" + std::to_string(id) + rest; }
    json::array history(std::int64_t id) { return get_json(server, task_path(id)).at("history").as_array(); }
    ServerProcess server;
};

json::object by(std::int64_t employee) { return {{"by", employee}}; }

}  // namespace

TEST_CASE("tasks are completed, reopened and deleted, each recorded in the history with who did it", "[e2e][desk]") {
    FakeTelegram fake;
    Desk d(fake);
    post_webhook(d.server, "tg", private_text(1, 555, "Hello", 41));
    auto task = first_task(d.server);

    CHECK(call(d.server, "POST", d.task_path(task, "/complete"), by(2)).status == 200);
    CHECK(get_json(d.server, d.task_path(task)).at("status") == "completed");
    auto again = call(d.server, "POST", d.task_path(task, "/complete"), by(2));
    CHECK(again.status == 409);
    CHECK(call(d.server, "POST", d.task_path(task, "/reopen"), by(1)).status == 200);
    CHECK(call(d.server, "POST", d.task_path(task, "/complete"), json::object{}).status == 400);  // who?

    auto history = d.history(task);
    REQUIRE(history.size() == 2);
    CHECK(history[0].at("action") == "complete");
    CHECK(history[0].at("actor").at("name") == "Ivan Support");
    CHECK(history[1].at("action") == "reopen");
    CHECK(history[1].at("actor").at("id") == 1);

    CHECK(http_request(d.server.port(), "DELETE", d.task_path(task) + "?by=1", "", api_auth()).status == 200);
    CHECK(get_json(d.server, "/api/v1/tasks").at("tasks").as_array().empty());
    CHECK(call(d.server, "POST", d.task_path(task, "/comments"), reply_to_contact("x")).status == 409);
    CHECK(d.history(task).back().at("action") == "delete");
    // The customer writes again: a new task, not the deleted one.
    post_webhook(d.server, "tg", private_text(2, 555, "Hello again", 42));
    REQUIRE(d.server.wait_until_processed());
    auto tasks = get_json(d.server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 1);
    CHECK(tasks[0].at("id").as_int64() != task);
    CHECK(get_json(d.server, d.task_path(task)).at("comments").as_array().size() == 1);
}

TEST_CASE("T6: a like in the tracker sets the bot's reaction on the customer's message, the unlike removes it",
          "[e2e][desk][T6]") {
    FakeTelegram fake;
    Desk d(fake);
    post_webhook(d.server, "tg", private_text(1, 555, "Thanks!", 41));
    auto task = first_task(d.server);
    auto comment = get_json(d.server, d.task_path(task)).at("comments").as_array().at(0).at("id").as_int64();
    auto like = "/api/v1/comments/" + std::to_string(comment) + "/like";

    auto r = call(d.server, "POST", like, by(2));
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body).at("reaction") == "queued");
    REQUIRE(fake.wait_for(1, "setMessageReaction"));
    auto set = fake.calls("setMessageReaction").at(0);
    CHECK(set.chat_id == "555");
    CHECK(set.message_id == 41);
    CHECK(set.reaction == std::vector<std::string>{"👍"});

    CHECK(call(d.server, "POST", like, by(2)).status == 409);  // liked already
    // A second employee's like changes nothing on Telegram; the last unlike removes the reaction.
    CHECK(json::parse(call(d.server, "POST", like, by(1)).body).at("reaction").is_null());
    CHECK(json::parse(http_request(d.server.port(), "DELETE", like + "?by=1", "", api_auth()).body).at("reaction").is_null());
    CHECK(http_request(d.server.port(), "DELETE", like + "?by=2", "", api_auth()).status == 200);
    REQUIRE(fake.wait_for(2, "setMessageReaction"));
    CHECK(fake.calls("setMessageReaction").at(1).reaction.empty());
    auto actions = d.history(task);
    CHECK(actions.size() == 4);
    CHECK(actions[0].at("action") == "like");
}

namespace {

// A message_reaction update in `chat`: `user` (with `username`) changes their reactions to message
// `message_id` from `removed` to `added` (each empty, or one emoji).
std::string reaction(std::int64_t update, std::int64_t chat, std::int64_t message_id, std::int64_t user,
                     const std::string& username, const std::string& removed, const std::string& added) {
    auto set = [](const std::string& emoji) {
        json::array out;
        if (!emoji.empty()) out.push_back(json::object{{"type", "emoji"}, {"emoji", emoji}});
        return out;
    };
    json::object chat_o{{"id", chat}, {"type", "supergroup"}, {"title", "Partners"}};
    json::object from{{"id", user}, {"is_bot", false}, {"first_name", username}, {"username", username}};
    return json::serialize(json::object{{"update_id", update},
                                        {"message_reaction", json::object{{"chat", chat_o}, {"message_id", message_id}, {"user", from},
                                                                          {"date", unix_now()}, {"old_reaction", set(removed)},
                                                                          {"new_reaction", set(added)}}}});
}

std::string group_text(std::int64_t update, std::int64_t id, const std::string& text) {
    json::object chat{{"id", -100777}, {"type", "supergroup"}, {"title", "Partners"}};
    json::object from{{"id", 901}, {"is_bot", false}, {"first_name", "Petr"}};
    return json::serialize(json::object{{"update_id", update},
                                        {"message", json::object{{"message_id", id}, {"date", unix_now()}, {"chat", chat}, {"from", from}, {"text", text}}}});
}

}  // namespace

TEST_CASE("T6: the bot's reaction follows the likes made in the tracker, not an employee's own reaction in Telegram",
          "[e2e][desk][T6]") {
    FakeTelegram fake;
    Desk d(fake);
    post_webhook(d.server, "tg", private_text(1, 555, "Hello", 41));
    auto task = first_task(d.server);
    REQUIRE(call(d.server, "POST", d.task_path(task, "/chats"), json::object{{"by", 2}, {"integration", "tg"}, {"chat", "-100777"}}).status == 201);
    post_webhook(d.server, "tg", group_text(2, 7, "The drawings"));
    // Ivan (@ivan_support) reacts 🔥 from his own Telegram account: his like, from Telegram.
    post_webhook(d.server, "tg", reaction(3, -100777, 7, 902, "ivan_support", "", "🔥"));
    REQUIRE(d.server.wait_until_processed());
    auto comment = get_json(d.server, d.task_path(task)).at("comments").as_array().at(1);
    REQUIRE(comment.at("likes").as_array().size() == 1);
    CHECK(comment.at("likes").at(0).at("from") == "telegram");
    auto like = "/api/v1/comments/" + std::to_string(comment.at("id").as_int64()) + "/like";
    auto unlike = [&](std::int64_t employee) {
        return http_request(d.server.port(), "DELETE", like + "?by=" + std::to_string(employee), "", api_auth());
    };

    // Olga's like is the first made in the tracker: it sets the bot's reaction.
    CHECK(json::parse(call(d.server, "POST", like, by(1)).body).at("reaction") == "queued");
    REQUIRE(fake.wait_for(1, "setMessageReaction"));
    CHECK(fake.calls("setMessageReaction").at(0).reaction == std::vector<std::string>{"👍"});
    // Ivan may like it in the tracker too, beside his reaction there: the second tracker like.
    auto ivan = call(d.server, "POST", like, by(2));
    INFO(ivan.body);
    REQUIRE(ivan.status == 200);
    CHECK(json::parse(ivan.body).at("reaction").is_null());
    CHECK(json::parse(unlike(1).body).at("reaction").is_null());
    // Ivan's is the last like made in the tracker: taking it back removes the bot's reaction,
    // and leaves his own reaction's like.
    CHECK(json::parse(unlike(2).body).at("reaction") == "queued");
    REQUIRE(fake.wait_for(2, "setMessageReaction"));
    CHECK(fake.calls("setMessageReaction").at(1).reaction.empty());
    auto likes = get_json(d.server, d.task_path(task)).at("comments").at(1).at("likes").as_array();
    REQUIRE(likes.size() == 1);
    CHECK(likes[0].at("emoji") == "🔥");
    // Nothing was liked in the tracker any more: an unlike is refused.
    CHECK(unlike(2).status == 409);
}

TEST_CASE("T6: the history's unlike names the emoji of the like taken back", "[e2e][desk][T6]") {
    FakeTelegram fake;
    Desk d(fake);
    post_webhook(d.server, "tg", private_text(1, 555, "Thanks!", 41));
    auto task = first_task(d.server);
    auto comment = get_json(d.server, d.task_path(task)).at("comments").as_array().at(0).at("id").as_int64();
    auto like = "/api/v1/comments/" + std::to_string(comment) + "/like";
    REQUIRE(call(d.server, "POST", like, json::object{{"by", 1}, {"emoji", "❤"}}).status == 200);
    REQUIRE(http_request(d.server.port(), "DELETE", like + "?by=1", "", api_auth()).status == 200);
    auto history = d.history(task);
    REQUIRE(history.size() == 2);
    CHECK(history[1].at("action") == "unlike");
    CHECK(history[1].at("detail").at("emoji") == "❤");
    REQUIRE(fake.wait_for(2, "setMessageReaction"));
    CHECK(fake.calls("setMessageReaction").at(0).reaction == std::vector<std::string>{"❤"});
}

TEST_CASE("T3: a group linked to a task writes into it, unlinked, its messages are dropped again", "[e2e][desk][T3]") {
    FakeTelegram fake;
    Desk d(fake);
    post_webhook(d.server, "tg", private_text(1, 555, "Hello", 41));
    auto task = first_task(d.server);
    auto link = call(d.server, "POST", d.task_path(task, "/chats"), json::object{{"by", 2}, {"integration", "tg"}, {"chat", "-100777"}});
    INFO(link.body);
    REQUIRE(link.status == 201);
    auto group_message = [](std::int64_t update, std::int64_t id, const std::string& text) {
        json::object chat{{"id", -100777}, {"type", "supergroup"}, {"title", "Partners"}};
        json::object from{{"id", 901}, {"is_bot", false}, {"first_name", "Petr"}};
        return json::serialize(json::object{{"update_id", update},
                                            {"message", json::object{{"message_id", id}, {"date", unix_now()}, {"chat", chat}, {"from", from}, {"text", text}}}});
    };
    post_webhook(d.server, "tg", group_message(2, 7, "From the group"));
    REQUIRE(d.server.wait_until_processed());
    auto comments = get_json(d.server, d.task_path(task)).at("comments").as_array();
    REQUIRE(comments.size() == 2);
    CHECK(comments[1].at("text") == "From the group");
    CHECK(get_json(d.server, d.task_path(task)).at("chat_links").as_array().size() == 1);

    CHECK(http_request(d.server.port(), "DELETE", d.task_path(task, "/chats/tg/-100777") + "?by=2", "", api_auth()).status == 200);
    post_webhook(d.server, "tg", group_message(3, 8, "After the unlink"));
    REQUIRE(d.server.wait_until_processed());
    CHECK(get_json(d.server, d.task_path(task)).at("comments").as_array().size() == 2);
    auto history = d.history(task);
    CHECK(history.at(0).at("action") == "link_chat");
    CHECK(history.at(1).at("action") == "unlink_chat");
    CHECK(call(d.server, "POST", d.task_path(task, "/chats"), json::object{{"by", 2}, {"integration", "tg"}, {"chat", "555"}}).status == 422);
}

TEST_CASE("C8: quick replies from the rules and the API are listed, created, used and deleted", "[e2e][desk][C8]") {
    FakeTelegram fake;
    Desk d(fake);
    auto list = [&] { return get_json(d.server, "/api/v1/quick-replies?employee=2").at("quick_replies").as_array(); };
    CHECK(list().size() == 3);
    auto made = call(d.server, "POST", "/api/v1/quick-replies", json::object{{"by", 1}, {"name", "bye"}, {"text", "Goodbye!"}});
    REQUIRE(made.status == 201);
    CHECK(list().size() == 4);
    CHECK(call(d.server, "POST", "/api/v1/quick-replies", json::object{{"by", 1}, {"name", "bye"}, {"text", "again"}}).status == 409);
    CHECK(call(d.server, "POST", "/api/v1/quick-replies", json::object{{"by", 1}, {"name", "greeting"}, {"text", "x"}}).status == 409);

    post_webhook(d.server, "tg", private_text(1, 555, "Hello", 41));
    auto task = first_task(d.server);
    json::object body = reply_to_contact("");
    body.erase("text");
    body["quick_reply"] = "bye";
    posted(call(d.server, "POST", d.task_path(task, "/comments"), body));
    REQUIRE(fake.wait_for(1, "sendMessage"));
    CHECK(fake.calls("sendMessage").at(0).text == "Goodbye!");
    body["quick_reply"] = "nope";
    CHECK(call(d.server, "POST", d.task_path(task, "/comments"), body).status == 422);

    auto id = json::parse(made.body).at("id").as_int64();
    CHECK(http_request(d.server.port(), "DELETE", "/api/v1/quick-replies/" + std::to_string(id) + "?by=1", "", api_auth()).status == 200);
    CHECK(list().size() == 3);
}

TEST_CASE("T7: /start is answered with the rules' greeting, /tasks lists the user's open tasks", "[e2e][desk][T7]") {
    FakeTelegram fake;
    Desk d(fake);
    post_webhook(d.server, "tg", private_text(1, 555, "/start", 41));
    REQUIRE(fake.wait_for(1, "sendMessage"));
    auto greeting = fake.calls("sendMessage").at(0);
    CHECK(greeting.chat_id == "555");
    CHECK(greeting.text == "Hello! Write your question here and we will answer.");
    CHECK(greeting.reply_to == 41);

    post_webhook(d.server, "tg", private_text(2, 555, "/tasks", 42));
    REQUIRE(fake.wait_for(2, "sendMessage"));
    auto task = first_task(d.server);
    CHECK(fake.calls("sendMessage").at(1).text.starts_with("Your open tasks:\n#" + std::to_string(task) + " "));

    // /new opens a new task with the command as its first comment, recorded in its history.
    post_webhook(d.server, "tg", private_text(3, 555, "/new the second order", 43));
    REQUIRE(d.server.wait_until_processed());
    auto tasks = get_json(d.server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 2);
    auto second = tasks[1].at("id").as_int64();
    auto comments = get_json(d.server, d.task_path(second)).at("comments").as_array();
    REQUIRE(comments.size() == 1);
    CHECK(comments[0].at("text") == "/new the second order");
    CHECK(d.history(second).at(0).at("action") == "create_task");
}

TEST_CASE("T8: an employee who wrote to the bot gets the notifications the alert policy routes to it", "[e2e][desk][T8]") {
    FakeTelegram fake;
    Desk d(fake);
    // Ivan (employee 2, telegram = "@ivan_support") opens a chat with the bot: that links his
    // account. The shipped routing ignores an employee's own chat: no task, no greeting.
    post_webhook(d.server, "tg", private_text(1, 777, "/start", 5, "ivan_support", "Ivan"));
    REQUIRE(d.server.wait_until_processed());
    // Anna writes: the shipped notification policy notifies the assignees, Ivan among them.
    post_webhook(d.server, "tg", private_text(2, 555, "Where is my order?", 41));
    REQUIRE(fake.wait_for(1, "sendMessage"));  // the alert
    auto calls = fake.calls("sendMessage");
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].chat_id == "777");
    CHECK(calls[0].text.find("\nAnna: Where is my order?") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(fake.calls("sendMessage").size() == 1);  // Ivan is not alerted of his own /start
    auto tasks = get_json(d.server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 1);  // Anna's: Ivan is no customer
    CHECK(tasks[0].at("contact").at("name") == "Anna");
}

TEST_CASE("files customers send are downloaded in the background with getFile and served to employees", "[e2e][desk][files]") {
    FakeTelegram fake;
    fake.add_file("FILE-1", "the invoice bytes");
    fake.add_file("FILE-BIG", "x", 25'000'000);
    Desk d(fake);
    auto document = [](std::int64_t update, const std::string& file_id, std::int64_t size) {
        json::object user{{"id", 555}, {"is_bot", false}, {"first_name", "Anna"}};
        json::object doc{{"file_id", file_id}, {"file_unique_id", file_id + "u"}, {"file_name", "invoice.pdf"},
                         {"mime_type", "application/pdf"}, {"file_size", size}};
        json::object message{{"message_id", update + 40}, {"date", unix_now()}, {"chat", json::object{{"id", 555}, {"type", "private"}}},
                             {"from", user}, {"document", doc}, {"caption", "invoice"}};
        return json::serialize(json::object{{"update_id", update}, {"message", message}});
    };
    post_webhook(d.server, "tg", document(1, "FILE-1", 17));
    post_webhook(d.server, "tg", document(2, "FILE-BIG", 25'000'000));
    auto task = first_task(d.server);
    auto comments = get_json(d.server, d.task_path(task)).at("comments").as_array();
    REQUIRE(comments.size() == 2);
    auto first = std::to_string(comments[0].at("id").as_int64());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    HttpResult got;
    while (std::chrono::steady_clock::now() < deadline) {
        got = http_request(d.server.port(), "GET", "/api/v1/comments/" + first + "/files/0", "", api_auth());
        if (got.status != 409) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(got.status == 200);
    CHECK(got.body == "the invoice bytes");
    CHECK(fake.calls("getFile").size() >= 1);

    json::value big;
    while (std::chrono::steady_clock::now() < deadline) {
        big = get_json(d.server, d.task_path(task)).at("comments").as_array().at(1).at("files").as_array().at(0);
        if (big.at("stored") != "pending") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(big.at("stored") == "too_large");
    CHECK(std::string(big.at("store_error").as_string()).find("20 MB") != std::string::npos);
    CHECK(http_request(d.server.port(), "GET", "/api/v1/comments/" + std::to_string(comments[1].at("id").as_int64()) + "/files/0", "",
                       api_auth()).status == 409);
}
