// End to end, outbound through Wazzup (WhatsApp and Instagram): a customer writes, an employee
// answers, and the fake Wazzup API receives exactly what Wazzup would; statuses and echoes come
// back as webhooks. Behaviour ids in the names.
#include "tests/server/wazzup_support.hpp"

#include <csignal>
#include <fstream>

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

struct WazzupChat {
    explicit WazzupChat(FakeWazzup& fake, const std::string& public_url = "https://switchyard.example.com")
        : server(wazzup_toml(fake, public_url), "wazzup") {
        server.start();
        post_wazzup(server, json::object{{"messages", json::array{wazzup_message("in-1", "wa-channel", "whatsapp", "79991234567",
                                                                           "Hello, where is my order?")}}});
        task = first_task(server);
    }
    std::string comments() const { return "/api/v1/tasks/" + std::to_string(task) + "/comments"; }
    ServerProcess server;
    std::int64_t task = 0;
};

}  // namespace

TEST_CASE("W1, C7: a reply to a WhatsApp customer is one POST /v3/message, and Wazzup's statuses move its state",
          "[e2e][wazzup][W1][C7]") {
    FakeWazzup fake;
    WazzupChat c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("Shipped today")));
    REQUIRE(fake.wait_for(1));
    auto sent = fake.calls().at(0);
    CHECK(sent.authorization == "Bearer wazzup-api-key");
    CHECK(sent.channel_id == "wa-channel");
    CHECK(sent.chat_type == "whatsapp");
    CHECK(sent.chat_id == "79991234567");
    CHECK(sent.text == "Shipped today");
    CHECK_FALSE(sent.has_content_uri);
    CHECK(sent.crm_user_id == "2");
    CHECK(sent.crm_message_id.starts_with("switchyard-outbox-"));
    auto d = settled_delivery(c.server, c.task, comment);
    CHECK(d.at("state") == "sent");
    CHECK(d.at("message_id") == "wz-msg-1");

    post_wazzup(c.server, json::object{{"statuses", json::array{json::object{{"messageId", "wz-msg-1"}, {"timestamp", iso_now()}, {"status", "read"}}}}});
    REQUIRE(c.server.wait_until_processed());
    CHECK(comment_of(c.server, c.task, comment).at("delivery").at("state") == "read");
}

TEST_CASE("W2: a file goes as its own message with a contentUri that Switchyard serves, never with a text", "[e2e][wazzup][W2]") {
    FakeWazzup fake;
    WazzupChat c(fake);
    auto up = http_request(c.server.port(), "POST", "/api/v1/uploads?name=invoice.pdf", "%PDF the invoice",
                           {{"Authorization", "Bearer e2e-api-token-0123456789"}, {"Content-Type", "application/pdf"}});
    REQUIRE(up.status == 201);
    json::object body = reply_to_contact("The invoice");
    body["files"] = json::array{json::object{{"name", "invoice.pdf"}, {"upload", json::parse(up.body).at("upload")}}};
    auto r = call(c.server, "POST", c.comments(), body);
    posted(r);
    CHECK(json::parse(r.body).at("messages") == 2);
    REQUIRE(fake.wait_for(2));
    auto calls = fake.calls();
    CHECK(calls[0].text == "The invoice");
    CHECK_FALSE(calls[0].has_content_uri);
    CHECK_FALSE(calls[1].has_text);
    REQUIRE(calls[1].content_uri.starts_with("https://switchyard.example.com/files/"));
    auto path = calls[1].content_uri.substr(std::string("https://switchyard.example.com").size());
    auto got = http_request(c.server.port(), "GET", path);
    CHECK(got.status == 200);
    CHECK(got.body == "%PDF the invoice");
}

TEST_CASE("a send whose answer was lost is sent again with the same crmMessageId, and Wazzup's repeat refusal counts as sent",
          "[e2e][wazzup][retry]") {
    FakeWazzup fake;
    Reply cut{201, R"({"messageId":"wz-msg-lost","chatId":"79991234567"})"};
    cut.action = Reply::Action::close_mid_body;
    fake.misbehave({cut});
    WazzupChat c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("once only")));
    CHECK(settled_delivery(c.server, c.task, comment).at("state") == "sent");
    auto calls = fake.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].crm_message_id == calls[1].crm_message_id);
    CHECK(calls[1].answered_message_id.empty());  // answered repeatedCrmMessageId: not sent twice
}

TEST_CASE("Wazzup's 500 and timeouts are retried, 429 waits, a refusal fails with Wazzup's description", "[e2e][wazzup][retry][C7]") {
    FakeWazzup fake;
    Reply stall;
    stall.action = Reply::Action::stall;
    fake.misbehave({FakeWazzup::error(500, "internalError", "try later"), stall});
    WazzupChat c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("eventually")));
    CHECK(settled_delivery(c.server, c.task, comment).at("state") == "sent");
    CHECK(fake.calls().size() == 3);

    fake.misbehave({FakeWazzup::error(429, "tooManyRequests", "500 requests in 5 seconds")});
    auto slow = posted(call(c.server, "POST", c.comments(), reply_to_contact("after the limit")));
    CHECK(settled_delivery(c.server, c.task, slow, 15).at("state") == "sent");
    auto calls = fake.calls();
    REQUIRE(calls.size() == 5);
    CHECK(calls[4].at - calls[3].at >= std::chrono::milliseconds(5000));

    fake.misbehave({FakeWazzup::error(400, "chatNotFound", "the chat does not exist in the channel")});
    auto refused = posted(call(c.server, "POST", c.comments(), reply_to_contact("nobody there")));
    auto d = settled_delivery(c.server, c.task, refused);
    CHECK(d.at("state") == "failed");
    CHECK(d.at("error") == "the chat does not exist in the channel");
}

TEST_CASE("W9: the echo of a message Switchyard sent is not recorded a second time", "[e2e][wazzup][W9]") {
    FakeWazzup fake;
    WazzupChat c(fake);
    posted(call(c.server, "POST", c.comments(), reply_to_contact("one comment")));
    REQUIRE(fake.wait_for(1));
    auto sent = fake.calls().at(0);
    auto echo = wazzup_message("wz-msg-1", "wa-channel", "whatsapp", "79991234567", "one comment");
    echo["isEcho"] = true;
    echo["crmMessageId"] = sent.crm_message_id;
    post_wazzup(c.server, json::object{{"messages", json::array{echo}}});
    REQUIRE(c.server.wait_until_processed());
    CHECK(get_json(c.server, "/api/v1/tasks/" + std::to_string(c.task)).at("comments").as_array().size() == 2);
}

TEST_CASE("a Wazzup message on a channel the configuration does not list creates nothing, and is counted", "[e2e][wazzup]") {
    FakeWazzup fake;
    WazzupChat c(fake);
    post_wazzup(c.server, json::object{{"messages", json::array{wazzup_message("in-9", "no-such-channel", "whatsapp", "79990000009", "hi")}}});
    REQUIRE(c.server.wait_until_processed());
    CHECK(get_json(c.server, "/api/v1/tasks").at("tasks").as_array().size() == 1);
    CHECK(metric(c.server.port(), "switchyard_unknown_channel_messages_total") == 1);
}

TEST_CASE("I5: a reply in a comment thread quotes the user's first comment, Instagram takes 1,000 characters a message",
          "[e2e][wazzup][I5]") {
    FakeWazzup fake;
    WazzupChat c(fake);
    auto comment = wazzup_message("ig-comment-1", "ig-channel", "instagram", "some.customer", "How much is this?");
    comment["instPost"] = json::object{{"id", "post-1"}, {"src", "https://www.instagram.com/p/X"}, {"description", "A lamp"}};
    post_wazzup(c.server, json::object{{"messages", json::array{comment}}});
    REQUIRE(c.server.wait_until_processed());
    auto tasks = get_json(c.server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 2);
    auto task = tasks[1].at("id").as_int64();
    std::string text = std::string(900, 'a') + "\n\n" + std::string(900, 'b');
    posted(call(c.server, "POST", "/api/v1/tasks/" + std::to_string(task) + "/comments", reply_to_contact(text)));
    REQUIRE(fake.wait_for(2));
    auto calls = fake.calls();
    CHECK(calls[0].chat_type == "instagram");
    CHECK(calls[0].channel_id == "ig-channel");
    CHECK(calls[0].ref_message_id == "ig-comment-1");
    CHECK(calls[0].text == std::string(900, 'a'));
    CHECK(calls[1].text == std::string(900, 'b'));
}

TEST_CASE("W2: a customer's file is downloaded from its contentUri in the background and served to employees", "[e2e][wazzup][W2]") {
    FakeWazzup fake;
    fake.add_file("photo.jpg", "JPEG bytes of the photo");
    WazzupChat c(fake);
    auto image = wazzup_message("in-2", "wa-channel", "whatsapp", "79991234567", "");
    image["type"] = "image";
    image["contentUri"] = fake.base_url() + "/files/photo.jpg";
    post_wazzup(c.server, json::object{{"messages", json::array{image}}});
    REQUIRE(c.server.wait_until_processed());
    auto comments = get_json(c.server, "/api/v1/tasks/" + std::to_string(c.task)).at("comments").as_array();
    REQUIRE(comments.size() == 2);
    auto path = "/api/v1/comments/" + std::to_string(comments[1].at("id").as_int64()) + "/files/0";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    HttpResult got;
    do {
        got = http_request(c.server.port(), "GET", path, "", api_auth());
        if (got.status != 409) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    } while (std::chrono::steady_clock::now() < deadline);
    CHECK(got.status == 200);
    CHECK(got.body == "JPEG bytes of the photo");
}

TEST_CASE("W4, W5: an employee writes first through a chosen channel, the description is the first message and the reply joins the task",
          "[e2e][wazzup][W4][W5]") {
    FakeWazzup fake;
    ServerProcess server(wazzup_toml(fake, "https://s.example.com"), "w4");
    server.start();
    auto start = [&](json::object body) { return call(server, "POST", "/api/v1/conversations", body); };
    json::object first{{"by", 2}, {"integration", "wz"}, {"channel", "wa-channel"}, {"chat", "8 (999) 765-43-21"},
                       {"title", "Order 1182"}, {"description", "Hello! Your order 1182 is ready."}};

    auto untitled = first;
    untitled.erase("title");
    auto refused = start(untitled);
    CHECK(refused.status == 422);
    CHECK(std::string(json::parse(refused.body).at("error").as_string()).starts_with("a new conversation needs a task title"));
    CHECK(get_json(server, "/api/v1/tasks").at("tasks").as_array().empty());  // nothing written

    auto made = start(first);
    INFO(made.body);
    REQUIRE(made.status == 201);
    auto task = json::parse(made.body).at("task").as_int64();
    REQUIRE(fake.wait_for(1));
    auto sent = fake.calls().at(0);
    CHECK(sent.chat_id == "79997654321");
    CHECK(sent.channel_id == "wa-channel");
    CHECK(sent.text == "Hello! Your order 1182 is ready.");
    auto t = get_json(server, "/api/v1/tasks/" + std::to_string(task));
    CHECK(t.at("title") == "Order 1182");
    CHECK(t.at("conversation").at("started_by") == "employee");
    // The customer, new to the tracker, is made from the integration's template (TB2, C1).
    auto contact = get_json(server, "/api/v1/contacts/" + std::to_string(t.at("contact").at("id").as_int64()));
    CHECK(contact.at("template") == "WhatsApp customer");

    CHECK(start(first).status == 409);  // W5: one conversation per contact and channel

    post_wazzup(server, json::object{{"messages", json::array{wazzup_message("in-r", "wa-channel", "whatsapp", "79997654321", "Thanks!")}}});
    REQUIRE(server.wait_until_processed());
    auto tasks = get_json(server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 1);
    auto comments = get_json(server, "/api/v1/tasks/" + std::to_string(task)).at("comments").as_array();
    REQUIRE(comments.size() == 2);
    CHECK(comments[1].at("text") == "Thanks!");
}

TEST_CASE("I7: nobody writes first on Instagram, an integration that does not exist is refused", "[e2e][wazzup][I7]") {
    FakeWazzup fake;
    ServerProcess server(wazzup_toml(fake, "https://s.example.com"), "i7");
    server.start();
    auto r = call(server, "POST", "/api/v1/conversations",
                  json::object{{"by", 2}, {"integration", "wz"}, {"channel", "ig-channel"}, {"chat", "@some.customer"},
                               {"title", "Lamp"}, {"description", "Hello!"}});
    CHECK(r.status == 422);
    CHECK(json::parse(r.body).at("error") == "Instagram is reply-only: nobody can write first");
    CHECK(call(server, "POST", "/api/v1/conversations", json::object{{"by", 2}, {"integration", "nope"}, {"channel", "x"}, {"chat", "1"}})
              .status == 422);
    CHECK(fake.calls().empty());
}

TEST_CASE("I6: a private reply to a post comment opens a Direct task whose first message is its description", "[e2e][wazzup][I6]") {
    FakeWazzup fake;
    WazzupChat c(fake);
    auto comment = wazzup_message("ig-comment-7", "ig-channel", "instagram", "some.customer", "Is it in stock?");
    comment["instPost"] = json::object{{"id", "post-7"}, {"src", "https://www.instagram.com/p/Y"}, {"description", "A chair"}};
    post_wazzup(c.server, json::object{{"messages", json::array{comment}}});
    REQUIRE(c.server.wait_until_processed());
    auto thread_task = get_json(c.server, "/api/v1/tasks").at("tasks").as_array().at(1).at("id").as_int64();
    auto path = "/api/v1/tasks/" + std::to_string(thread_task) + "/private-reply";
    auto r = call(c.server, "POST", path, json::object{{"by", 2}, {"text", "It is: shall I reserve one for you?"}});
    INFO(r.body);
    REQUIRE(r.status == 201);
    auto direct = json::parse(r.body).at("task").as_int64();
    REQUIRE(fake.wait_for(1));
    auto sent = fake.calls().at(0);
    CHECK(sent.chat_type == "instagram");
    CHECK(sent.chat_id == "some.customer");
    CHECK(sent.ref_message_id == "ig-comment-7");
    CHECK(sent.text == "It is: shall I reserve one for you?");
    auto t = get_json(c.server, "/api/v1/tasks/" + std::to_string(direct));
    CHECK(t.at("description") == "It is: shall I reserve one for you?");
    CHECK(t.at("conversation").at("chat_kind") == "direct");
    CHECK(t.at("comments").as_array().size() == 1);
    CHECK(get_json(c.server, "/api/v1/tasks/" + std::to_string(thread_task)).at("history").as_array().at(0).at("action") == "private_reply");
    CHECK(call(c.server, "POST", path, json::object{{"by", 2}, {"text", "again"}}).status == 409);
    CHECK(call(c.server, "POST", "/api/v1/tasks/" + std::to_string(c.task) + "/private-reply", json::object{{"by", 2}, {"text", "x"}}).status ==
          422);  // a WhatsApp task has no comments to answer privately
}

TEST_CASE("W3, W6, W7: channels are added and deleted through the API, a new channel with the number takes the tasks over",
          "[e2e][wazzup][W3][W6][W7]") {
    FakeWazzup fake;
    WazzupChat c(fake);  // the customer 79991234567 wrote on wa-channel (+7 999 000-00-01)
    auto channels = [&] { return get_json(c.server, "/api/v1/integrations/wz/channels").at("channels").as_array(); };
    CHECK(channels().size() == 2);
    auto add = [&](json::object body) { return call(c.server, "POST", "/api/v1/integrations/wz/channels", body); };

    // W3: `8…` is the same number as `+7…`; a second channel with a number taken is refused.
    auto second = add({{"by", 1}, {"id", "wa-2"}, {"number", "8 (999) 000-00-02"}, {"transport", "whatsapp"}});
    INFO(second.body);
    REQUIRE(second.status == 201);
    CHECK(json::parse(second.body).at("number") == "79990000002");
    CHECK(add({{"by", 1}, {"id", "wa-3"}, {"number", "+7 999 000-00-02"}, {"transport", "whatsapp"}}).status == 409);
    CHECK(add({{"by", 1}, {"id", "wa-4"}, {"number", "not a number"}, {"transport", "whatsapp"}}).status == 422);

    // W6: the same customer on the other channel is another task, each with its own channel.
    post_wazzup(c.server, json::object{{"messages", json::array{wazzup_message("in-w6", "wa-2", "whatsapp", "79991234567", "me again")}}});
    REQUIRE(c.server.wait_until_processed());
    auto tasks = get_json(c.server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 2);
    posted(call(c.server, "POST", "/api/v1/tasks/" + std::to_string(tasks[1].at("id").as_int64()) + "/comments",
                reply_to_contact("on the second number")));
    REQUIRE(fake.wait_for(1));
    CHECK(fake.calls().at(0).channel_id == "wa-2");

    // W7: the first channel deleted, its task cannot send...
    CHECK(http_request(c.server.port(), "DELETE", "/api/v1/integrations/wz/channels/wa-channel?by=1", "", api_auth()).status == 200);
    auto closed = call(c.server, "POST", c.comments(), reply_to_contact("hello?"));
    CHECK(closed.status == 422);
    CHECK(std::string(json::parse(closed.body).at("error").as_string()).starts_with("the channel of this conversation was deleted"));
    // ...until a new channel with the same number takes it over, inbound and outbound.
    REQUIRE(add({{"by", 1}, {"id", "wa-new"}, {"number", "79990000001"}, {"transport", "whatsapp"}}).status == 201);
    post_wazzup(c.server, json::object{{"messages", json::array{wazzup_message("in-w7", "wa-new", "whatsapp", "79991234567", "still there?")}}});
    REQUIRE(c.server.wait_until_processed());
    CHECK(get_json(c.server, "/api/v1/tasks").at("tasks").as_array().size() == 2);
    CHECK(get_json(c.server, "/api/v1/tasks/" + std::to_string(c.task)).at("comments").as_array().size() == 2);
    posted(call(c.server, "POST", c.comments(), reply_to_contact("yes, here")));
    REQUIRE(fake.wait_for(2));
    CHECK(fake.calls().at(1).channel_id == "wa-new");

    // The API's channels outlive a restart.
    c.server.kill(SIGTERM);
    c.server.start();
    auto after = channels();
    REQUIRE(after.size() == 4);
    CHECK(after[0].at("deleted") == true);
}

TEST_CASE("I2, I3: on Instagram an image goes with a preview and a document as a link, a reply quotes the message chosen",
          "[e2e][wazzup][I2][I3]") {
    FakeWazzup fake;
    WazzupChat c(fake);
    post_wazzup(c.server, json::object{{"messages", json::array{wazzup_message("ig-dm-1", "ig-channel", "instagram", "some.customer",
                                                                         "Do you ship abroad?")}}});
    REQUIRE(c.server.wait_until_processed());
    auto task = get_json(c.server, "/api/v1/tasks").at("tasks").as_array().at(1).at("id").as_int64();
    auto task_path = "/api/v1/tasks/" + std::to_string(task);
    auto quoted = get_json(c.server, task_path).at("comments").as_array().at(0).at("id").as_int64();
    auto upload = [&](const std::string& name, const std::string& mime) {
        auto up = http_request(c.server.port(), "POST", "/api/v1/uploads?name=" + name, "bytes of " + name,
                               {{"Authorization", "Bearer e2e-api-token-0123456789"}, {"Content-Type", mime}});
        REQUIRE(up.status == 201);
        return json::parse(up.body).at("upload");
    };
    json::object body = reply_to_contact("Yes: here are the terms");
    body["quotes"] = quoted;
    body["files"] = json::array{json::object{{"name", "map.png"}, {"mime", "image/png"}, {"upload", upload("map.png", "image/png")}},
                                json::object{{"name", "terms.pdf"}, {"mime", "application/pdf"}, {"upload", upload("terms.pdf", "application/pdf")}}};
    auto r = call(c.server, "POST", task_path + "/comments", body);
    posted(r);
    auto files = json::parse(r.body).at("files").as_array();
    CHECK(files[0].at("action") == "inline");
    CHECK(files[1].at("action") == "link");
    REQUIRE(fake.wait_for(2));
    auto calls = fake.calls();
    CHECK(calls[0].ref_message_id == "ig-dm-1");  // I3
    CHECK(calls[0].text.find("terms.pdf: https://switchyard.example.com/files/") != std::string::npos);
    CHECK(calls[1].content_uri.find("/map.png?") != std::string::npos);
}

TEST_CASE("auto-reply through Wazzup: sent as the integration's owner, and its echo is not recorded again",
          "[e2e][wazzup][auto_reply]") {
    FakeWazzup fake;
    auto toml = wazzup_toml(fake);
    ServerProcess server(replace_all(toml, "{{source}}/rules", "{{dir}}/auto.rules"), "wazzup-auto");
    std::ofstream(server.dir() / "auto.rules") << shipped_rules_and(R"(
policy auto_reply for inbound via whatsapp {
    when conversation.is_new -> answer("We got your message, " + message.sender.name + ".")
    otherwise                -> no_answer
}

policy auto_reply for inbound via instagram in comment {
    otherwise -> answer("Thank you! We answer in Direct.")
}
)");
    server.start();
    post_wazzup(server, json::object{{"messages", json::array{wazzup_message("in-1", "wa-channel", "whatsapp", "79991234567", "Hello")}}});
    REQUIRE(fake.wait_for(1));
    auto sent = fake.calls().at(0);
    CHECK(sent.channel_id == "wa-channel");
    CHECK(sent.chat_id == "79991234567");
    CHECK(sent.text == "We got your message, Anna.");
    CHECK(sent.crm_user_id == "1");
    REQUIRE(sent.crm_message_id.starts_with("switchyard-outbox-"));
    auto task = first_task(server);
    auto comment = get_json(server, "/api/v1/tasks/" + std::to_string(task)).at("comments").as_array().at(1).at("id").as_int64();
    CHECK(settled_delivery(server, task, comment).at("state") == "sent");

    // Wazzup reports the message back as an echo naming our crmMessageId: nothing new.
    auto echo = wazzup_message("wz-msg-1", "wa-channel", "whatsapp", "79991234567", "We got your message, Anna.");
    echo["isEcho"] = true;
    echo["status"] = "sent";
    echo["crmMessageId"] = sent.crm_message_id;
    post_wazzup(server, json::object{{"messages", json::array{echo}}});
    REQUIRE(server.wait_until_processed());
    CHECK(get_json(server, "/api/v1/tasks/" + std::to_string(task)).at("comments").as_array().size() == 2);
    CHECK(fake.calls().size() == 1);

    // I5: under a post, the shipped delivery policy quotes the user's first comment.
    auto under_post = wazzup_message("ig-comment-1", "ig-channel", "instagram", "some.customer", "How much is this?");
    under_post["instPost"] = json::object{{"id", "post-1"}, {"src", "https://www.instagram.com/p/X"}, {"description", "A lamp"}};
    post_wazzup(server, json::object{{"messages", json::array{under_post}}});
    REQUIRE(fake.wait_for(2));
    auto answer = fake.calls().at(1);
    CHECK(answer.chat_type == "instagram");
    CHECK(answer.text == "Thank you! We answer in Direct.");
    CHECK(answer.ref_message_id == "ig-comment-1");
}
