// Wazzup's side of the outbox: the request for a row, what the answers mean, and how a comment
// becomes Wazzup's messages.
#include "runtime/outbox/plan.hpp"
#include "runtime/outbox/wazzup.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace switchyard;
using outbox::Carry;
using outbox::FilePlan;

namespace {

outbox::WazzupEndpoint endpoint() {
    auto e = outbox::wazzup_endpoint("https://api.wazzup24.com/", "key-1");
    REQUIRE(std::holds_alternative<outbox::WazzupEndpoint>(e));
    return std::get<outbox::WazzupEndpoint>(e);
}

net::Response response(int status, std::string body) {
    net::Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

outbox::WazzupTarget whatsapp() { return {"ch-1", "whatsapp", "2", outbox::whatsapp_text_limit}; }

}  // namespace

TEST_CASE("a text is POST /v3/message with the channel, the chat, the employee and the row as crmMessageId") {
    outbox::Outgoing o;
    o.method = outbox::Method::wazzup_message;
    o.channel_id = "ch-1";
    o.chat_type = "whatsapp";
    o.text = "Hello";
    o.ref_message_id = "m-0";
    o.crm_user_id = "2";
    auto r = outbox::wazzup_request(endpoint(), "79991234567", o, 42);
    CHECK(r.target == "/v3/message");
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].value == "Bearer key-1");
    auto body = boost::json::parse(r.body).as_object();
    CHECK(body.at("channelId") == "ch-1");
    CHECK(body.at("chatType") == "whatsapp");
    CHECK(body.at("chatId") == "79991234567");
    CHECK(body.at("text") == "Hello");
    CHECK_FALSE(body.contains("contentUri"));
    CHECK(body.at("refMessageId") == "m-0");
    CHECK(body.at("crmMessageId") == "switchyard-outbox-42");
}

TEST_CASE("a file is a contentUri and no text") {
    outbox::Outgoing o;
    o.method = outbox::Method::wazzup_message;
    o.channel_id = "ch-1";
    o.chat_type = "instagram";
    o.content_uri = "https://s.example/files/x/a.jpg";
    auto body = boost::json::parse(outbox::wazzup_request(endpoint(), "shop", o, 1).body).as_object();
    CHECK(body.at("contentUri") == "https://s.example/files/x/a.jpg");
    CHECK_FALSE(body.contains("text"));
}

TEST_CASE("Wazzup's answers: 201 sent, a repeated crmMessageId sent, 429 waits for the account, 5xx again, 4xx final") {
    auto ok = outbox::wazzup_outcome(response(201, R"({"messageId":"m-1","chatId":"7999"})"));
    REQUIRE(std::holds_alternative<outbox::Delivered>(ok));
    CHECK(std::get<outbox::Delivered>(ok).message_id == "m-1");
    auto repeat = outbox::wazzup_outcome(response(400, R"({"error":"repeatedCrmMessageId","description":"seen"})"));
    CHECK(std::holds_alternative<outbox::Delivered>(repeat));
    auto busy = outbox::wazzup_outcome(response(429, R"({"error":"tooManyRequests","description":"slow down"})"));
    REQUIRE(std::holds_alternative<outbox::TryAgain>(busy));
    CHECK(std::get<outbox::TryAgain>(busy).account_wide);
    CHECK(std::get<outbox::TryAgain>(busy).after_ms == 5000);
    CHECK(std::holds_alternative<outbox::TryAgain>(outbox::wazzup_outcome(response(503, "down"))));
    auto refused = outbox::wazzup_outcome(response(400, R"({"error":"chatNotFound","description":"no such chat"})"));
    REQUIRE(std::holds_alternative<outbox::Refused>(refused));
    CHECK(std::get<outbox::Refused>(refused).reason == "no such chat");
}

TEST_CASE("through Wazzup the text is split at the channel's limit, then each file is a message of its own") {
    std::vector<FilePlan> files = {{1, "a.pdf", stdlib::FileKind::document, Carry::file, "https://s/files/1/a.pdf"},
                                   {2, "b.jpg", stdlib::FileKind::image, Carry::media, "https://s/files/2/b.jpg"},
                                   {3, "c.mov", stdlib::FileKind::video, Carry::link, "https://s/files/3/c.mov"}};
    auto target = whatsapp();
    target.text_limit = 40;
    auto pieces = outbox::plan_wazzup("first part of it and the second", files, "", "m-0", target);
    REQUIRE(pieces.size() == 4);
    CHECK(pieces[0].outgoing.ref_message_id == "m-0");
    CHECK(pieces[1].outgoing.ref_message_id.empty());
    CHECK(pieces[0].outgoing.text == "first part of it and the second");
    CHECK(pieces[1].outgoing.text == "c.mov: https://s/files/3/c.mov");
    CHECK(pieces[2].outgoing.content_uri == "https://s/files/1/a.pdf");
    CHECK(pieces[2].outgoing.text.empty());
    CHECK(pieces[3].file == 2);
    for (const auto& p : pieces) CHECK(p.outgoing.channel_id == "ch-1");
    auto back = outbox::read_outgoing("wazzup.message", outbox::params_json(pieces[2].outgoing));
    REQUIRE(back);
    CHECK(back->content_uri == "https://s/files/1/a.pdf");
    CHECK(back->crm_user_id == "2");
}
