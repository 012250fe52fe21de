// Wazzup webhooks into events: every wazzup_* fixture, then hand-written bodies for Instagram
// comments and Direct, echoes, edits, skipped chat types and webhook kinds, and errors.
#include "common/utf8.hpp"
#include "runtime/adapters/adapters.hpp"
#include "tests/adapters/fixtures.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::adapters;

namespace {

const WazzupContext context{"wz1", {{"b96a353b-9999-4cac-8413-ba99999f981", "79990001122"}}};

Parsed parse_fixture(const std::string& name) { return parse_wazzup(testing::read_fixture(name), context); }

Message only_message(const Parsed& parsed) {
    INFO("ignored: " << parsed.ignored);
    REQUIRE(parsed.events.size() == 1);
    REQUIRE(parsed.events[0].type == EventType::message);
    CHECK(parsed.ignored.empty());
    CHECK_FALSE(parsed.ping);
    return parsed.events[0].message;
}

// A `messages` body with one item made of the common fields and `extra` (JSON members).
std::string message_body(const std::string& chat_type, const std::string& chat_id, const std::string& extra) {
    return R"({"messages": [{"messageId": "m-1", "dateTime": "2025-10-17T08:29:18.895Z", "channelId": "ch-1",
        "chatType": ")" + chat_type + R"(", "chatId": ")" + chat_id + R"(", "status": "inbound")" + extra + "}]}";
}

std::string parse_error(const std::string& body) { return testing::parse_error(parse_wazzup, body, context); }

}  // namespace

// --- the fixtures -------------------------------------------------------------------------

TEST_CASE("fixture: a WhatsApp poll arrives as text", "[wazzup]") {
    auto parsed = parse_fixture("wazzup_incoming_whatsapp_poll_as_text__wazzup_docs.json");
    auto m = only_message(parsed);
    CHECK(parsed.events[0].dedup_key == "wz:message:caa9999-cce3-424c-86cd-05f99995073");
    CHECK(m.id == "caa9999-cce3-424c-86cd-05f99995073");
    CHECK(m.number == 0);
    CHECK(stdlib::name_of(m.direction) == "inbound");
    CHECK(stdlib::name_of(m.transport) == "whatsapp");
    CHECK(stdlib::name_of(m.chat_kind) == "private");
    CHECK(m.chat_id == 0);
    CHECK(m.chat_external_id == "79999999999");
    CHECK(m.chat_title == "79999999999");
    CHECK_FALSE(m.chat_username);
    CHECK(m.channel == "b96a999e-06f5-4cac-8413-ba999993f981");
    CHECK(m.sender.external_id == "79999999999");
    CHECK(m.sender.name == "79999999999");
    CHECK(m.sender.phone == "79999999999");
    CHECK_FALSE(m.sender.username);
    CHECK(m.text == "Тестовый\n• Вариант1\n• Вариант2");
    CHECK(m.files.empty());
    CHECK_FALSE(m.post);
    CHECK_FALSE(m.command);
    CHECK(m.sent_at_ms == 1746541080001);
    CHECK_FALSE(m.edited);
}

TEST_CASE("fixture: a WhatsApp sticker arrives as an image", "[wazzup]") {
    auto parsed = parse_fixture("wazzup_incoming_whatsapp_sticker__wazzup_docs.json");
    auto m = only_message(parsed);
    CHECK(parsed.events[0].dedup_key == "wz:message:6a2087e8-e0f4-9999-b968-9d9999933c81");
    CHECK(stdlib::name_of(m.transport) == "whatsapp");
    CHECK(stdlib::name_of(m.direction) == "inbound");
    CHECK(m.text.empty());
    CHECK(m.sent_at_ms == 1746540960002);
    REQUIRE(m.files.size() == 1);
    const auto& f = m.files[0];
    CHECK(f.name == "f9ebe1b1-3ed5-4ec2-97fb-03f0c25e413f.was");
    CHECK(f.ext == "was");
    CHECK(f.mime.empty());
    CHECK(f.size == 0);
    CHECK(stdlib::name_of(f.kind) == "sticker");
    CHECK(f.source == "https://store.wazzup24.com/e51159999e0046d628b3924161d411e5812d2546/"
                      "?filename=f9ebe1b1-3ed5-4ec2-97fb-03f0c25e413f.was");
}

TEST_CASE("fixture: an Instagram comment", "[wazzup]") {
    auto parsed = parse_fixture("wazzup_instagram_comment__adapted_wazzup_docs.json");
    auto m = only_message(parsed);
    CHECK(parsed.events[0].dedup_key == "wz:message:0f6c2a4e-3b1d-4f7a-9c2e-5d8b1a7e4c21");
    CHECK(stdlib::name_of(m.transport) == "instagram");
    CHECK(stdlib::name_of(m.chat_kind) == "comment");
    CHECK(stdlib::name_of(m.direction) == "inbound");
    CHECK(m.chat_external_id == "some.customer");
    CHECK(m.chat_username == "some.customer");
    CHECK(m.chat_title == "Some Customer");
    CHECK(m.channel == "d9e5721c-ce2b-444f-9627-60a8129d7e1f");
    CHECK(m.sender.external_id == "some.customer");
    CHECK(m.sender.name == "Some Customer");
    CHECK(m.sender.username == "some.customer");
    CHECK_FALSE(m.sender.phone);
    CHECK(m.text == "How much is this?");
    REQUIRE(m.post);
    CHECK(m.post->id == "2430659146657243411_41370968890");
    CHECK(m.post->url == "https://www.instagram.com/p/CG7b52ejyET");
    CHECK(m.post->caption == "Красота");
    CHECK(m.sent_at_ms == 1760689758895);
}

TEST_CASE("fixture: an echo of a message sent from the Wazzup app", "[wazzup]") {
    auto parsed = parse_fixture("wazzup_outgoing_echo_from_app__schema_derived.json");
    auto m = only_message(parsed);
    CHECK(parsed.events[0].dedup_key == "wz:message:a1b2c3d4-0000-4e5f-8a9b-112233445566");
    CHECK(stdlib::name_of(m.direction) == "echo");
    CHECK(stdlib::name_of(m.transport) == "whatsapp");
    CHECK(stdlib::name_of(m.chat_kind) == "private");
    CHECK(m.chat_external_id == "79999999999");
    // Our side wrote it: the manager on the channel's configured number.
    CHECK(m.sender.name == "Manager Olga");
    CHECK(m.sender.external_id == "79990001122");
    CHECK(m.sender.phone == "79990001122");
    CHECK(m.text == "Yes, shipped today.");
    CHECK(m.sent_at_ms == 1760689862120);
}

TEST_CASE("fixture: a status update", "[wazzup]") {
    auto parsed = parse_fixture("wazzup_statuses__wazzup_docs.json");
    REQUIRE(parsed.events.size() == 1);
    const auto& event = parsed.events[0];
    REQUIRE(event.type == EventType::status);
    CHECK(event.dedup_key == "wz:status:be3dc577-60c4-4fc8-83a5-8c358e0bfe15:delivered");
    CHECK(event.status.message_id == "be3dc577-60c4-4fc8-83a5-8c358e0bfe15");
    CHECK(event.status.status == "delivered");
    CHECK(event.status.error.empty());
    CHECK(event.status.at_ms == 1738735267499);
    CHECK(parsed.ignored.empty());
}

TEST_CASE("fixture: the test ping", "[wazzup]") {
    auto parsed = parse_fixture("wazzup_webhook_test_ping__wazzup_docs.json");
    CHECK(parsed.ping);
    CHECK(parsed.events.empty());
    CHECK(parsed.ignored.empty());
}

TEST_CASE("fixtures: bodies of the sending API are not webhooks", "[wazzup]") {
    auto request = parse_fixture("wazzup_send_message_request__wazzup_docs.json");
    CHECK(request.events.empty());
    CHECK_FALSE(request.ping);
    CHECK(request.ignored.starts_with("webhook \"channelId\" is not handled; webhook \"refMessageId\" is not handled"));
    auto response = parse_fixture("wazzup_send_message_response__wazzup_docs.json");
    CHECK(response.events.empty());
    CHECK(response.ignored == "webhook \"messageId\" is not handled; webhook \"chatId\" is not handled");
}

// --- Instagram, echoes, edits -------------------------------------------------------------

TEST_CASE("Instagram: Direct without instPost, comment with it", "[wazzup]") {
    auto direct = only_message(parse_wazzup(
        message_body("instagram", "some.customer", R"(, "type": "text", "text": "hi", "contact": {"name": "C"})"), context));
    CHECK(stdlib::name_of(direct.chat_kind) == "direct");
    CHECK_FALSE(direct.post);
    CHECK(direct.sender.username == "some.customer");

    auto comment = only_message(parse_wazzup(
        message_body("instagram", "some.customer", R"(, "type": "text", "text": "hi", "instPost": {"id": "p1"})"), context));
    CHECK(stdlib::name_of(comment.chat_kind) == "comment");
    REQUIRE(comment.post);
    CHECK(comment.post->id == "p1");
    CHECK(comment.post->url.empty());
    CHECK(comment.post->caption.empty());
}

TEST_CASE("echo on a channel whose number is not configured", "[wazzup]") {
    auto m = only_message(parse_wazzup(message_body("instagram", "some.customer", R"(, "type": "text", "isEcho": true)"),
                                       context));
    CHECK(stdlib::name_of(m.direction) == "echo");
    CHECK(m.sender.external_id.empty());
    CHECK(m.sender.name.empty());
    CHECK(m.chat_external_id == "some.customer");
}

TEST_CASE("edited messages are new events", "[wazzup]") {
    auto body = message_body("whatsapp", "79011112233", R"(, "type": "text", "text": "new", "isEdited": true,
        "oldInfo": {"oldText": "old"})");
    auto parsed = parse_wazzup(body, context);
    auto m = only_message(parsed);
    CHECK(m.edited);
    CHECK(m.text == "new");
    CHECK(parsed.events[0].dedup_key == "wz:message:m-1:edited:2025-10-17T08:29:18.895Z");
}

TEST_CASE("files from contentUri", "[wazzup]") {
    auto file = [](const std::string& type, const std::string& uri) {
        auto m = only_message(parse_wazzup(
            message_body("whatsapp", "79011112233", R"(, "type": ")" + type + R"(", "contentUri": ")" + uri + "\""),
            context));
        REQUIRE(m.files.size() == 1);
        return m.files[0];
    };
    auto pdf = file("document", "https://store.wazzup24.com/abc/Offer%20No%205.PDF");
    CHECK(pdf.name == "Offer No 5.PDF");
    CHECK(pdf.ext == "pdf");
    CHECK(pdf.mime == "application/pdf");
    CHECK(stdlib::name_of(pdf.kind) == "document");
    CHECK(pdf.size == 0);
    CHECK(pdf.source == "https://store.wazzup24.com/abc/Offer%20No%205.PDF");
    auto video = file("video", "https://store.wazzup24.com/xyz/?filename=clip.mp4");
    CHECK(video.name == "clip.mp4");
    CHECK(video.mime == "video/mp4");
    CHECK(stdlib::name_of(video.kind) == "video");
    auto audio = file("audio", "https://store.wazzup24.com/e5/?other=1&filename=voice%20note.ogg");
    CHECK(audio.name == "voice note.ogg");
    CHECK(stdlib::name_of(audio.kind) == "audio");
    CHECK(audio.mime == "audio/ogg");
    auto image = file("image", "https://store.wazzup24.com/0e82ead97ae07d");
    CHECK(image.name == "0e82ead97ae07d");
    CHECK(image.ext.empty());
    CHECK(stdlib::name_of(image.kind) == "image");

    // Types without a file keep none, even with a contentUri.
    auto vcard = only_message(parse_wazzup(
        message_body("whatsapp", "79011112233", R"(, "type": "vcard", "contentUri": "https://x/y.vcf")"), context));
    CHECK(vcard.files.empty());
}

// --- what is skipped ----------------------------------------------------------------------

TEST_CASE("chat types other than WhatsApp and Instagram are skipped", "[wazzup]") {
    auto parsed = parse_wazzup(message_body("telegram", "guid-1", R"(, "type": "text", "text": "hi")"), context);
    CHECK(parsed.events.empty());
    CHECK(parsed.ignored == "messages[0]: chat type \"telegram\" is not handled");

    // Beside a message we handle, the skipped one leaves no reason: something came of the body.
    auto mixed = parse_wazzup(R"({"messages": [
        {"messageId": "a", "dateTime": "2025-01-01T00:00:00Z", "channelId": "c", "chatType": "viber", "chatId": "1"},
        {"messageId": "b", "dateTime": "2025-01-01T00:00:00Z", "channelId": "c", "chatType": "whatsapp", "chatId": "89011112233",
         "type": "text", "text": "hi"}]})",
                              context);
    auto m = only_message(mixed);
    CHECK(m.id == "b");
    CHECK(m.sender.phone == "79011112233");
    CHECK(m.sent_at_ms == 1735689600000);
}

TEST_CASE("deleted messages are skipped", "[wazzup]") {
    auto parsed = parse_wazzup(message_body("whatsapp", "79011112233", R"(, "type": "text", "isDeleted": true)"), context);
    CHECK(parsed.events.empty());
    CHECK(parsed.ignored == "messages[0]: deleted messages are not handled");
}

TEST_CASE("other webhook kinds are ignored with the reason", "[wazzup]") {
    auto channels = parse_wazzup(R"({"channelsUpdates": [{"channelId": "c", "state": "active", "timestamp": 1700000000000}]})",
                                 context);
    CHECK(channels.events.empty());
    CHECK(channels.ignored == "webhook \"channelsUpdates\" is not handled");
    CHECK(parse_wazzup(R"({"templateStatus": {"templateGuid": "g", "name": "n", "status": "approved"}})", context).ignored ==
          "webhook \"templateStatus\" is not handled");
    CHECK(parse_wazzup(R"({"createContact": {}})", context).ignored == "webhook \"createContact\" is not handled");
    CHECK(parse_wazzup("{}", context).ignored == "no messages or statuses");
    CHECK(parse_wazzup(R"({"messages": []})", context).ignored == "no messages or statuses");
}

// --- statuses -----------------------------------------------------------------------------

TEST_CASE("messages and statuses in one body", "[wazzup]") {
    auto parsed = parse_wazzup(R"({
        "messages": [{"messageId": "m1", "dateTime": "2025-01-01T00:00:00.5+03:00", "channelId": "c",
                      "chatType": "whatsapp", "chatId": "79011112233", "type": "text", "text": "a"}],
        "statuses": [{"messageId": "s1", "timestamp": "2025-01-01T00:00:01Z", "status": "sent"},
                     {"messageId": "s1", "timestamp": "2025-01-01T00:00:02Z", "status": "error",
                      "error": {"error": "24_HOURS_EXCEEDED", "description": "window closed"}},
                     {"messageId": "s2", "timestamp": 1735689600000, "status": "read"}]})",
                               context);
    REQUIRE(parsed.events.size() == 4);
    CHECK(parsed.events[0].type == EventType::message);
    CHECK(parsed.events[0].message.sent_at_ms == 1735689600500 - 3 * 3600 * 1000);
    CHECK(parsed.events[1].dedup_key == "wz:status:s1:sent");
    CHECK(parsed.events[1].status.at_ms == 1735689601000);
    CHECK(parsed.events[2].dedup_key == "wz:status:s1:error");
    CHECK(parsed.events[2].status.error == "24_HOURS_EXCEEDED");
    CHECK(parsed.events[3].status.status == "read");
    CHECK(parsed.events[3].status.at_ms == 1735689600000);
    CHECK(parsed.ignored.empty());
}

// Found by fuzz/wazzup_fuzz.cpp: a link whose name percent-decodes to bytes that are not UTF-8
// made a file name that is not UTF-8, which the store, the API's JSON and the rules take it to be.
TEST_CASE("a file name from a link stays UTF-8 when its percent-decoding is not", "[wazzup][fuzz]") {
    auto m = only_message(parse_wazzup(R"({"messages":[{"messageId":"","dateTime":"2025-05-06T14:16:02","channelId":"",
        "chatType": "whatsapp","chatId": "9","type":"image","contentUri":"%bd"}]})", context));
    REQUIRE(m.files.size() == 1);
    CHECK(m.files[0].name == "%bd");
    CHECK(common::find_invalid_utf8(m.files[0].name) == std::string::npos);
}

// --- malformed bodies ---------------------------------------------------------------------

TEST_CASE("malformed Wazzup bodies are parse errors naming the path", "[wazzup]") {
    CHECK(parse_error(R"({"messages": [)").starts_with("body: invalid JSON"));
    CHECK(parse_error(R"("test")") == "body: expected an object");
    CHECK(parse_error(R"({"test": "true"})") == "test: expected true or false");
    CHECK(parse_error(R"({"messages": {}})") == "messages: expected an array");
    CHECK(parse_error(R"({"statuses": [{"messageId": 5, "status": "read"}]})") == "statuses[0].messageId: expected a string");
    CHECK(parse_error(message_body("whatsapp", "1", R"(, "isEcho": "yes")")) == "messages[0].isEcho: expected true or false");
    CHECK(parse_error(message_body("whatsapp", "1", R"(, "contact": "Ivan")")) == "messages[0].contact: expected an object");
    CHECK(parse_error(message_body("instagram", "1", R"(, "instPost": {"id": 5})")) ==
          "messages[0].instPost.id: expected a string");
    CHECK(parse_error(R"({"messages": [{"messageId": "m", "dateTime": "yesterday", "channelId": "c",
        "chatType": "whatsapp", "chatId": "1"}]})") ==
          "messages[0].dateTime: expected a time such as 2025-05-06T14:16:00.002Z");
    CHECK(parse_error(R"({"messages": [{"messageId": "m", "channelId": "c", "chatType": "whatsapp", "chatId": "1"}]})") ==
          "messages[0].dateTime: missing");
}
