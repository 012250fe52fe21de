// End to end, outbound: a customer writes, an employee answers through the API, and the fake
// Bot API receives exactly the calls Telegram would; the comment shows its delivery state.
// Failures of the platform (500, 429, a timeout, a close mid-answer, 403, a bad certificate)
// each have a test. Behaviour ids in the names.
#include "tests/server/outbound_support.hpp"

using namespace switchyard;
using namespace switchyard::testing;
namespace json = boost::json;

namespace {

// A server whose bot calls `fake`, with Anna (chat 555) having written once.
struct Conversation {
    explicit Conversation(FakeTelegram& fake, const std::string& outbound_keys = "")
        : server(outbound_toml(fake, outbound_keys), "outbound") {
        server.start();
        post_webhook(server, "tg", private_text(1, 555, "Hello, I need an invoice", 41));
        task = first_task(server);
    }
    std::string comments() const { return "/api/v1/tasks/" + std::to_string(task) + "/comments"; }
    ServerProcess server;
    std::int64_t task = 0;
};

// The Business fixtures: Ivan (chat 5550001234) writes through connection `bc`, dated now (in
// the 24 hours); the connection's update, with or without the right to reply.
constexpr const char* bc = "Q2xhc3NpY0J1c2luZXNzQ29ubmVjdGlvbklk";

std::string business_message_now() {
    auto message = json::parse(read_fixture("telegram_business_message__schema_derived.json")).as_object();
    message["business_message"].as_object()["date"] = unix_now();
    return json::serialize(message);
}

std::string business_connection(std::int64_t update, bool can_reply) {
    auto update_o = json::parse(read_fixture("telegram_business_connection__schema_derived.json")).as_object();
    update_o["update_id"] = update;
    update_o["business_connection"].as_object()["rights"].as_object()["can_reply"] = can_reply;
    return json::serialize(update_o);
}

std::string task_comments(std::int64_t task) { return "/api/v1/tasks/" + std::to_string(task) + "/comments"; }

}  // namespace

TEST_CASE("T1, C5, C7: an employee's reply reaches the customer's chat and shows as sent", "[e2e][outbound][T1][C5][C7]") {
    FakeTelegram fake;
    Conversation c(fake);
    auto r = call(c.server, "POST", c.comments(), reply_to_contact("Hello Anna, here it comes"));
    auto comment = posted(r);
    CHECK(json::parse(r.body).at("delivery") == "queued");
    REQUIRE(fake.wait_for(1, "sendMessage"));
    auto sent = fake.calls("sendMessage").at(0);
    CHECK(sent.token == "1:fake");
    CHECK(sent.chat_id == "555");
    CHECK(sent.text == "Hello Anna, here it comes");
    CHECK_FALSE(sent.business_connection_id);
    auto d = settled_delivery(c.server, c.task, comment);
    CHECK(d.at("state") == "sent");
    CHECK(d.at("message_id") == "1000");
    CHECK(labeled_metric(c.server.port(), "switchyard_outbox_sent_total", "tg") == 1);
    CHECK(metric(c.server.port(), "switchyard_outbox_depth") == 0);
}

TEST_CASE("C6: a comment that notifies nobody while the customer waits is refused, and nothing is written", "[e2e][outbound][C6]") {
    FakeTelegram fake;
    Conversation c(fake);
    auto r = call(c.server, "POST", c.comments(), json::object{{"by", 2}, {"text", "internal note"}});
    INFO(r.body);
    REQUIRE(r.status == 422);
    auto body = json::parse(r.body);
    CHECK(std::string(body.at("error").as_string()).starts_with("choose whom to notify"));
    CHECK(std::string(body.at("rule").as_string()).find("rules") != std::string::npos);
    CHECK(get_json(c.server, "/api/v1/tasks/" + std::to_string(c.task)).at("comments").as_array().size() == 1);

    // Once answered, the customer waits no more: a note among employees stays in the tracker (C5).
    posted(call(c.server, "POST", c.comments(), reply_to_contact("On it")));
    auto note = call(c.server, "POST", c.comments(), json::object{{"by", 2}, {"text", "internal note"}});
    posted(note);
    CHECK(json::parse(note.body).at("delivery") == "internal");
    REQUIRE(fake.wait_for(1, "sendMessage"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(fake.calls("sendMessage").size() == 1);
}

TEST_CASE("refusals of the input name the field", "[e2e][outbound]") {
    FakeTelegram fake;
    Conversation c(fake);
    auto status = [&](const json::value& body) { return call(c.server, "POST", c.comments(), body); };
    auto no_by = status(json::object{{"text", "x"}});
    CHECK(no_by.status == 400);
    CHECK(json::parse(no_by.body).at("field") == "by");
    CHECK(status(json::object{{"by", 99}, {"text", "x"}}).status == 422);
    CHECK(status(json::object{{"by", 2}}).status == 400);
    CHECK(call(c.server, "POST", "/api/v1/tasks/999/comments", reply_to_contact("x")).status == 404);
    auto bad_file = status(json::object{{"by", 2}, {"files", json::array{json::object{{"name", "a.pdf"}}}}});
    CHECK(bad_file.status == 400);
    CHECK(json::parse(bad_file.body).at("field") == "files[0]");
    CHECK(http_request(c.server.port(), "POST", c.comments(), "{not json", api_auth()).status == 400);
    CHECK(http_request(c.server.port(), "POST", c.comments(), "{}").status == 401);
}

TEST_CASE("T5: a small pdf goes as a document with its caption, a video goes as a download link that works", "[e2e][outbound][T5]") {
    FakeTelegram fake;
    Conversation c(fake);
    std::string pdf = "%PDF-1.4\r\n--boundary-like\r\n" + std::string(2000, 'x');
    auto up = http_request(c.server.port(), "POST", "/api/v1/uploads?name=offer.pdf", pdf,
                           {{"Authorization", "Bearer e2e-api-token-0123456789"}, {"Content-Type", "application/pdf"}});
    REQUIRE(up.status == 201);
    auto blob = std::string(json::parse(up.body).at("upload").as_string());
    json::object body = reply_to_contact("The offer");
    body["files"] = json::array{json::object{{"name", "offer.pdf"}, {"mime", "application/pdf"}, {"upload", blob}}};
    posted(call(c.server, "POST", c.comments(), body));
    REQUIRE(fake.wait_for(1, "sendDocument"));
    auto doc = fake.calls("sendDocument").at(0);
    CHECK(doc.multipart);
    CHECK(doc.chat_id == "555");
    CHECK(doc.text == "The offer");
    CHECK(doc.file_field == "document");
    CHECK(doc.file_name == "offer.pdf");
    CHECK(doc.file_bytes == pdf);

    std::string video(3000, 'v');
    auto up2 = http_request(c.server.port(), "POST", "/api/v1/uploads?name=demo.mov", video,
                            {{"Authorization", "Bearer e2e-api-token-0123456789"}, {"Content-Type", "video/quicktime"}});
    REQUIRE(up2.status == 201);
    json::object linked = reply_to_contact("See the demo");
    linked["files"] = json::array{json::object{{"name", "demo.mov"}, {"upload", json::parse(up2.body).at("upload")}}};
    posted(call(c.server, "POST", c.comments(), linked));
    REQUIRE(fake.wait_for(1, "sendMessage"));
    auto text = fake.calls("sendMessage").at(0).text;
    CHECK(text.starts_with("See the demo\n\ndemo.mov: https://switchyard.example.com/files/"));
    CHECK(fake.calls("sendVideo").empty());
    // The link works on this server (the public URL is where a proxy would send it), and only as signed.
    auto path = text.substr(text.find("/files/"));
    auto got = http_request(c.server.port(), "GET", path);
    CHECK(got.status == 200);
    CHECK(got.body == video);
    auto tampered = path;
    tampered.back() = tampered.back() == '0' ? '1' : '0';
    CHECK(http_request(c.server.port(), "GET", tampered).status == 403);
}

TEST_CASE("a file given by URL is fetched by the server and sent", "[e2e][outbound][T5]") {
    FakeTelegram fake;
    fake.add_file("scan", "PNGDATA-0123456789");
    Conversation c(fake);
    json::object body = reply_to_contact("The scan");
    body["files"] = json::array{json::object{{"name", "scan.png"}, {"url", fake.base_url() + "/file/bot1:fake/documents/scan"},
                                             {"mime", "image/png"}}};
    posted(call(c.server, "POST", c.comments(), body));
    REQUIRE(fake.wait_for(1, "sendDocument"));
    CHECK(fake.calls("sendDocument").at(0).file_bytes == "PNGDATA-0123456789");

    json::object missing = reply_to_contact("broken");
    missing["files"] = json::array{json::object{{"name", "x.png"}, {"url", fake.base_url() + "/file/bot1:fake/documents/nope"}}};
    auto r = call(c.server, "POST", c.comments(), missing);
    CHECK(r.status == 422);
    CHECK(json::parse(r.body).at("field") == "files[0].url");
}

TEST_CASE("a text over 4,096 characters arrives as several messages, in order", "[e2e][outbound]") {
    FakeTelegram fake;
    Conversation c(fake);
    std::string text = std::string(4000, 'a') + "\n\n" + std::string(3000, 'b') + "\n\n" + std::string(2000, 'c');
    auto r = call(c.server, "POST", c.comments(), reply_to_contact(text));
    posted(r);
    CHECK(json::parse(r.body).at("messages") == 3);
    REQUIRE(fake.wait_for(3, "sendMessage"));
    auto calls = fake.calls("sendMessage");
    CHECK(calls[0].text == std::string(4000, 'a'));
    CHECK(calls[1].text == std::string(3000, 'b'));
    CHECK(calls[2].text == std::string(2000, 'c'));
}

TEST_CASE("a 500 is retried with backoff and the message is sent once it passes", "[e2e][outbound][retry]") {
    FakeTelegram fake;
    fake.misbehave({FakeTelegram::error(500, "Internal Server Error")});
    Conversation c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("retry me")));
    auto d = settled_delivery(c.server, c.task, comment);
    CHECK(d.at("state") == "sent");
    CHECK(fake.calls("sendMessage").size() == 2);
    CHECK(labeled_metric(c.server.port(), "switchyard_outbox_retried_total", "tg") == 1);
}

TEST_CASE("a 429 waits its retry_after before the next call to the chat", "[e2e][outbound][retry]") {
    FakeTelegram fake;
    fake.misbehave({FakeTelegram::error(429, "Too Many Requests: retry after 1", 1)});
    Conversation c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("slow down")));
    CHECK(settled_delivery(c.server, c.task, comment).at("state") == "sent");
    auto calls = fake.calls("sendMessage");
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].at - calls[0].at >= std::chrono::milliseconds(1000));
}

TEST_CASE("an API that does not answer in time is retried", "[e2e][outbound][retry]") {
    FakeTelegram fake;
    Reply stall;
    stall.action = Reply::Action::stall;
    fake.misbehave({stall});
    Conversation c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("are you there")));
    CHECK(settled_delivery(c.server, c.task, comment).at("state") == "sent");
    CHECK(fake.calls("sendMessage").size() == 2);
}

TEST_CASE("a connection closed in the middle of the answer is retried", "[e2e][outbound][retry]") {
    FakeTelegram fake;
    Reply cut{200, R"({"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":555}}})"};
    cut.action = Reply::Action::close_mid_body;
    fake.misbehave({cut});
    Conversation c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("cut")));
    CHECK(settled_delivery(c.server, c.task, comment).at("state") == "sent");
    // The platform got the first request too: Telegram gives no way to tell (docs/outbound.md).
    CHECK(fake.calls("sendMessage").size() == 2);
    CHECK(labeled_metric(c.server.port(), "switchyard_outbox_uncertain_total", "tg") == 1);
}

TEST_CASE("retries end: after max_attempts the message fails with the last reason", "[e2e][outbound][retry]") {
    FakeTelegram fake;
    fake.misbehave({FakeTelegram::error(502, "Bad Gateway"), FakeTelegram::error(502, "Bad Gateway"),
                    FakeTelegram::error(502, "Bad Gateway")});
    Conversation c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("never")));
    auto d = settled_delivery(c.server, c.task, comment);
    CHECK(d.at("state") == "failed");
    CHECK(std::string(d.at("error").as_string()).find("gave up after 3 attempts") != std::string::npos);
    CHECK(labeled_metric(c.server.port(), "switchyard_outbox_failed_total", "tg") == 1);
}

TEST_CASE("T2, C7: 403 blocked ends the message as failed with Telegram's words, the next reply is refused first",
          "[e2e][outbound][T2][C7]") {
    FakeTelegram fake;
    fake.misbehave({FakeTelegram::error(403, "Forbidden: bot was blocked by the user")});
    Conversation c(fake);
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("hello?")));
    auto d = settled_delivery(c.server, c.task, comment);
    CHECK(d.at("state") == "failed");
    CHECK(d.at("error") == "Forbidden: bot was blocked by the user");
    CHECK(fake.calls("sendMessage").size() == 1);  // a refusal is not retried
    auto next = call(c.server, "POST", c.comments(), reply_to_contact("hello again"));
    CHECK(next.status == 422);
    CHECK(json::parse(next.body).at("error") == "the contact stopped or blocked the bot");
}

TEST_CASE("HTTPS: the Bot API is reached over TLS with the certificate verified", "[e2e][outbound][tls]") {
    FakeTelegram fake(test_ca().server);
    Conversation c(fake, "ca_file = \"" + test_ca_file().string() + "\"");
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("over TLS")));
    CHECK(settled_delivery(c.server, c.task, comment).at("state") == "sent");
    CHECK(fake.calls("sendMessage").at(0).text == "over TLS");
}

TEST_CASE("HTTPS: a certificate the client cannot verify fails the message with the reason, and nothing is sent",
          "[e2e][outbound][tls]") {
    FakeTelegram fake(test_ca().rogue);
    Conversation c(fake, "ca_file = \"" + test_ca_file().string() + "\"");
    auto comment = posted(call(c.server, "POST", c.comments(), reply_to_contact("to an impostor")));
    auto d = settled_delivery(c.server, c.task, comment);
    CHECK(d.at("state") == "failed");
    CHECK(std::string(d.at("error").as_string()).find("certificate") != std::string::npos);
    CHECK(fake.calls().empty());
}

TEST_CASE("TB1, TB3: a Business reply carries the connection and, with send_as_employee, the signature",
          "[e2e][outbound][TB1][TB3]") {
    FakeTelegram fake;
    // The settings table belongs to the last integration of the file: the Business bot's.
    auto toml = outbound_toml(fake) + "\n[integrations.settings]\nsend_as_employee = true\n";
    ServerProcess server(toml, "business");
    server.start();
    post_webhook(server, "tgb", read_fixture("telegram_business_connection__schema_derived.json"));
    auto message = json::parse(read_fixture("telegram_business_message__schema_derived.json")).as_object();
    message["business_message"].as_object()["date"] = unix_now();
    post_webhook(server, "tgb", json::serialize(message));
    auto task = first_task(server);
    auto comment = posted(call(server, "POST", "/api/v1/tasks/" + std::to_string(task) + "/comments", reply_to_contact("Shipped today")));
    REQUIRE(fake.wait_for(1, "sendMessage"));
    auto sent = fake.calls("sendMessage").at(0);
    CHECK(sent.token == "2:fake");
    CHECK(sent.chat_id == "5550001234");
    CHECK(sent.business_connection_id == "Q2xhc3NpY0J1c2luZXNzQ29ubmVjdGlvbklk");
    CHECK(sent.text == "Shipped today\n\n— Ivan Support");
    CHECK(settled_delivery(server, task, comment).at("state") == "sent");
}

TEST_CASE("TB4: a Business reply outside the 24 hours is refused with the reason", "[e2e][outbound][TB4]") {
    FakeTelegram fake;
    ServerProcess server(outbound_toml(fake), "business");
    server.start();
    post_webhook(server, "tgb", read_fixture("telegram_business_connection__schema_derived.json"));
    post_webhook(server, "tgb", read_fixture("telegram_business_message__schema_derived.json"));  // sent in 2025
    auto task = first_task(server);
    auto r = call(server, "POST", "/api/v1/tasks/" + std::to_string(task) + "/comments", reply_to_contact("too late"));
    CHECK(r.status == 422);
    CHECK(json::parse(r.body).at("error") == "more than 24 hours passed since the customer's last message");
    CHECK(fake.calls().empty());
}

TEST_CASE("TB4: a Business reply through a connection the server has no update of goes, and is refused once it is known",
          "[e2e][outbound][TB4]") {
    FakeTelegram fake;
    ServerProcess server(outbound_toml(fake), "business");
    server.start();
    post_webhook(server, "tgb", business_message_now());  // no business_connection update before it
    auto task = first_task(server);
    auto comment = posted(call(server, "POST", task_comments(task), reply_to_contact("Shipped today")));
    CHECK(settled_delivery(server, task, comment).at("state") == "sent");
    auto sent = fake.calls("sendMessage").at(0);
    CHECK(sent.token == "2:fake");
    CHECK(sent.business_connection_id == bc);

    // Known now: the rules refuse before sending, and Telegram is not asked.
    post_webhook(server, "tgb", business_connection(514000010, false));
    REQUIRE(server.wait_until_processed());
    auto r = call(server, "POST", task_comments(task), reply_to_contact("And the invoice?"));
    CHECK(r.status == 422);
    CHECK(json::parse(r.body).at("error") == "the business bot lacks the right to reply in this chat");
    CHECK(fake.calls("sendMessage").size() == 1);
}

TEST_CASE("TB4, C7: after Telegram refuses a Business reply as blocked, the next reply is refused before sending",
          "[e2e][outbound][TB4][C7]") {
    FakeTelegram fake;
    ServerProcess server(outbound_toml(fake), "business");
    server.start();
    post_webhook(server, "tgb", business_connection(514000001, true));
    post_webhook(server, "tgb", business_message_now());
    auto task = first_task(server);
    fake.misbehave({FakeTelegram::error(403, "Forbidden: bot was blocked by the user")});
    auto comment = posted(call(server, "POST", task_comments(task), reply_to_contact("hello?")));
    auto d = settled_delivery(server, task, comment);
    CHECK(d.at("state") == "failed");
    CHECK(d.at("error") == "Forbidden: bot was blocked by the user");
    auto next = call(server, "POST", task_comments(task), reply_to_contact("hello again"));
    CHECK(next.status == 422);
    CHECK(json::parse(next.body).at("error") == "the customer stopped the bot in this chat");
    CHECK(fake.calls("sendMessage").size() == 1);
}
