// The Bot API's requests for outbox rows, and what its answers mean for the row.
#include "runtime/outbox/telegram.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace switchyard;
using outbox::Method;

namespace {

outbox::BotEndpoint endpoint(std::string_view base = "https://api.telegram.org") {
    auto e = outbox::bot_endpoint(base, "123:ABC");
    REQUIRE(std::holds_alternative<outbox::BotEndpoint>(e));
    return std::get<outbox::BotEndpoint>(e);
}

net::Response response(int status, std::string body) {
    net::Response r;
    r.status = status;
    r.body = std::move(body);
    r.content_type = "application/json";
    return r;
}

}  // namespace

TEST_CASE("sendMessage is JSON to /bot<token>/sendMessage with the chat as a number") {
    outbox::Outgoing o;
    o.text = "Hello";
    o.reply_to = 12;
    auto r = outbox::telegram_request(endpoint("https://example.test/tg/"), "-1001", std::nullopt, o, nullptr);
    CHECK(r.target == "/tg/bot123:ABC/sendMessage");
    CHECK(r.content_type == "application/json");
    auto body = boost::json::parse(r.body).as_object();
    CHECK(body.at("chat_id").as_int64() == -1001);
    CHECK(body.at("text").as_string() == "Hello");
    CHECK(body.at("reply_parameters").as_object().at("message_id").as_int64() == 12);
    CHECK_FALSE(body.contains("business_connection_id"));
}

TEST_CASE("a Business chat's messages carry business_connection_id, reactions never do") {
    outbox::Outgoing o;
    o.text = "Hi";
    auto r = outbox::telegram_request(endpoint(), "55", std::string("bc-1"), o, nullptr);
    CHECK(boost::json::parse(r.body).as_object().at("business_connection_id").as_string() == "bc-1");

    outbox::Outgoing like;
    like.method = Method::set_message_reaction;
    like.message_id = 9;
    like.emoji = "👍";
    auto l = outbox::telegram_request(endpoint(), "55", std::string("bc-1"), like, nullptr);
    auto body = boost::json::parse(l.body).as_object();
    CHECK(l.target == "/bot123:ABC/setMessageReaction");
    CHECK_FALSE(body.contains("business_connection_id"));
    CHECK(body.at("reaction").as_array().at(0).as_object().at("emoji").as_string() == "👍");

    like.emoji.clear();  // an unlike removes the reaction
    CHECK(boost::json::parse(outbox::telegram_request(endpoint(), "55", std::nullopt, like, nullptr).body)
              .as_object().at("reaction").as_array().empty());
}

TEST_CASE("a file is a multipart upload with its name, type and caption") {
    outbox::Outgoing o;
    o.method = Method::send_document;
    o.text = "The offer";
    outbox::Upload u{"offer.pdf", "application/pdf", std::string("%PDF-1.4\r\n--\0x", 13)};
    auto r = outbox::telegram_request(endpoint(), "77", std::nullopt, o, &u);
    CHECK(r.target == "/bot123:ABC/sendDocument");
    CHECK(r.content_type.starts_with("multipart/form-data; boundary="));
    CHECK(r.body.find("name=\"document\"; filename=\"offer.pdf\"") != std::string::npos);
    CHECK(r.body.find(u.bytes) != std::string::npos);
    CHECK(r.body.find("The offer") != std::string::npos);
}

TEST_CASE("ok:true is delivered with the message id") {
    auto o = outbox::telegram_outcome(response(200, R"({"ok":true,"result":{"message_id":321,"chat":{"id":1}}})"));
    REQUIRE(std::holds_alternative<outbox::Delivered>(o));
    CHECK(std::get<outbox::Delivered>(o).message_id == "321");
    auto reaction = outbox::telegram_outcome(response(200, R"({"ok":true,"result":true})"));
    CHECK(std::get<outbox::Delivered>(reaction).message_id.empty());
}

TEST_CASE("a 429 waits retry_after, a 5xx and a network failure back off") {
    auto o = outbox::telegram_outcome(
        response(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}})"));
    REQUIRE(std::holds_alternative<outbox::TryAgain>(o));
    CHECK(std::get<outbox::TryAgain>(o).after_ms == 7000);

    auto five = outbox::telegram_outcome(response(502, "<html>Bad Gateway</html>"));
    REQUIRE(std::holds_alternative<outbox::TryAgain>(five));
    CHECK_FALSE(std::get<outbox::TryAgain>(five).after_ms);

    auto net_fail = outbox::telegram_outcome(net::Failure{net::FailureKind::timeout, "no answer in 30 s"});
    REQUIRE(std::holds_alternative<outbox::TryAgain>(net_fail));
    CHECK(std::get<outbox::TryAgain>(net_fail).reason.find("no answer in 30 s") != std::string::npos);
}

TEST_CASE("a refusal is final with the platform's description, a blocked bot marks the recipient") {
    auto blocked = outbox::telegram_outcome(
        response(403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})"));
    REQUIRE(std::holds_alternative<outbox::Refused>(blocked));
    CHECK(std::get<outbox::Refused>(blocked).reason == "Forbidden: bot was blocked by the user");
    CHECK(std::get<outbox::Refused>(blocked).recipient_gone);

    auto missing = outbox::telegram_outcome(response(400, R"({"ok":false,"error_code":400,"description":"Bad Request: chat not found"})"));
    REQUIRE(std::holds_alternative<outbox::Refused>(missing));
    CHECK_FALSE(std::get<outbox::Refused>(missing).recipient_gone);
}

TEST_CASE("a certificate that does not verify is final, with the reason") {
    auto o = outbox::telegram_outcome(net::Failure{net::FailureKind::certificate, "certificate verify failed: self-signed certificate"});
    REQUIRE(std::holds_alternative<outbox::Refused>(o));
    CHECK(std::get<outbox::Refused>(o).reason.find("self-signed") != std::string::npos);
}

TEST_CASE("a base URL the client cannot call is refused with the reason") {
    CHECK(std::holds_alternative<std::string>(outbox::bot_endpoint("ftp://example.test", "t")));
}
