// Telegram updates into events: every telegram_* fixture, then hand-written bodies for the
// corners (UTF-16 offsets, commands for other bots, files, ids at the int64 limits, errors).
#include "runtime/adapters/adapters.hpp"
#include "tests/adapters/fixtures.hpp"
#include "tests/adapters/telegram_support.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using namespace switchyard::adapters;

namespace {

const TelegramContext& context = testing::telegram_context;
using testing::only_event;

Parsed parse_fixture(const std::string& name) { return testing::parse_telegram_fixture(name); }

Message only_message(const std::string& body) {
    return only_event(parse_telegram(body, context), EventType::message).message;
}

// A private-chat `message` update with the given text and entities (JSON array).
std::string text_update(const std::string& text, const std::string& entities) {
    return R"({"update_id": 5, "message": {"message_id": 1, "date": 1700000000,
        "from": {"id": 42, "is_bot": false, "first_name": "Anna"},
        "chat": {"id": 42, "type": "private", "first_name": "Anna"},
        "text": ")" + text + R"(", "entities": )" + entities + "}}";
}

std::string parse_error(const std::string& body) { return testing::parse_error(parse_telegram, body, context); }

}  // namespace

// --- the fixtures -------------------------------------------------------------------------

TEST_CASE("fixture: a private text message", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_private_text__teloxide.json"), EventType::message);
    CHECK(event.dedup_key == "tg:tg1:update:306197398");
    const auto& m = event.message;
    CHECK(m.id == "154");
    CHECK(m.number == 154);
    CHECK(stdlib::name_of(m.direction) == "inbound");
    CHECK(stdlib::name_of(m.transport) == "telegram");
    CHECK(stdlib::name_of(m.chat_kind) == "private");
    CHECK(m.chat_id == 408258968);
    CHECK(m.chat_external_id == "408258968");
    CHECK(m.chat_title == "Hirrolot");
    CHECK(m.chat_username == "hirrolot");
    CHECK(m.sender.external_id == "408258968");
    CHECK(m.sender.name == "Hirrolot");
    CHECK(m.sender.username == "hirrolot");
    CHECK_FALSE(m.sender.is_bot);
    CHECK(m.text == "4");
    CHECK_FALSE(m.command);
    CHECK(m.mentions.empty());
    CHECK(m.files.empty());
    CHECK_FALSE(m.reply_to);
    CHECK(m.channel.empty());
    CHECK(m.business_connection.empty());
    CHECK(m.sent_at_ms == 1581448857000);
    CHECK_FALSE(m.edited);
}

TEST_CASE("fixture: a group message with a mention and a text mention", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_group_mention__adapted_badpaybad.json"), EventType::message);
    CHECK(event.dedup_key == "tg:tg1:update:170620969");
    const auto& m = event.message;
    CHECK(m.number == 471);
    CHECK(stdlib::name_of(m.chat_kind) == "group");
    CHECK(m.chat_id == -5251554348);
    CHECK(m.chat_title == "FOSS-A.I.BOT");
    CHECK(m.sender.external_id == "730806080");
    CHECK(m.sender.name == "John Nguyen");
    CHECK(m.sender.username == "badpaybad");
    CHECK(m.text.starts_with("@my_support_bot F Ngoc Cu Kim https://github.com/"));
    REQUIRE(m.mentions.size() == 2);
    CHECK(m.mentions[0].username == "my_support_bot");
    CHECK(m.mentions[0].external_id.empty());
    CHECK(m.mentions[1].external_id == "6993779075");
    CHECK(m.mentions[1].name == "Cù Kim Ngọc");
    CHECK_FALSE(m.mentions[1].username);
    CHECK_FALSE(m.command);
    CHECK(m.sent_at_ms == 1771996531000);
}

TEST_CASE("fixture: a document with a caption", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_document__adapted_pyTelegramBotAPI.json"), EventType::message);
    CHECK(event.dedup_key == "tg:tg1:update:938204");
    const auto& m = event.message;
    CHECK(m.number == 97);
    CHECK(stdlib::name_of(m.chat_kind) == "private");
    CHECK(m.chat_title == "Fd Wd");
    CHECK(m.sender.name == "Fd Wd");
    CHECK(m.sender.username == "dd");
    CHECK(m.text == "invoice attached");
    REQUIRE(m.files.size() == 1);
    const auto& f = m.files[0];
    CHECK(f.name == "Text File");
    CHECK(f.ext.empty());
    CHECK(f.mime == "text/plain");
    CHECK(f.size == 446);
    CHECK(stdlib::name_of(f.kind) == "document");
    CHECK(f.source == "BQADBQADMwIAAsYifgZ_CEh0u682xwI");
    CHECK(m.sent_at_ms == 1435478744000);
}

TEST_CASE("fixture: a business connection", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_business_connection__schema_derived.json"),
                            EventType::business_connection);
    CHECK(event.dedup_key == "tg:tg1:update:514000001");
    const auto& b = event.business;
    CHECK(b.id == "Q2xhc3NpY0J1c2luZXNzQ29ubmVjdGlvbklk");
    CHECK(b.owner.external_id == "777000111");
    CHECK(b.owner.name == "Anna");
    CHECK(b.owner.username == "anna_shop");
    CHECK(b.owner_chat_id == 777000111);
    CHECK(b.can_reply);
    CHECK(b.enabled);
}

TEST_CASE("fixture: a business message from the customer", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_business_message__schema_derived.json"), EventType::message);
    CHECK(event.dedup_key == "tg:tg1:update:514000002");
    const auto& m = event.message;
    CHECK(m.number == 3120);
    CHECK(stdlib::name_of(m.chat_kind) == "business");
    CHECK(m.business_connection == "Q2xhc3NpY0J1c2luZXNzQ29ubmVjdGlvbklk");
    CHECK(stdlib::name_of(m.direction) == "inbound");
    CHECK(m.chat_id == 5550001234);
    CHECK(m.sender.external_id == "5550001234");
    CHECK(m.sender.name == "Ivan");
    CHECK(m.sender.username == "ivan_customer");
    CHECK(m.text == "Hello! Is the order #1182 shipped?");
    CHECK(m.sent_at_ms == 1751900420000);
}

TEST_CASE("fixture: deleted business messages", "[telegram]") {
    auto event = only_event(parse_fixture("telegram_deleted_business_messages__schema_derived.json"), EventType::deleted);
    CHECK(event.dedup_key == "tg:tg1:update:514000003");
    CHECK(event.deleted.business_connection == "Q2xhc3NpY0J1c2luZXNzQ29ubmVjdGlvbklk");
    CHECK(event.deleted.chat_external_id == "5550001234");
    CHECK(event.deleted.message_numbers == std::vector<std::int64_t>{3120, 3121});
}

TEST_CASE("mentions are sliced by UTF-16 offsets past Cyrillic and emoji", "[telegram]") {
    // "Привет " is 7 units, the waving hand with a skin tone is two surrogate pairs (4 units),
    // then a space: the mention starts at unit 12 but at byte 23.
    auto m = only_message(text_update("Привет 👋🏽 @ivan_petrov, глянь 😀 @Olga",
                                      R"([{"type": "mention", "offset": 12, "length": 12},
                                          {"type": "mention", "offset": 35, "length": 5}])"));
    REQUIRE(m.mentions.size() == 2);
    CHECK(m.mentions[0].username == "ivan_petrov");
    CHECK(m.mentions[0].external_id.empty());
    CHECK(m.mentions[1].username == "Olga");
}

TEST_CASE("a text mention carries the user", "[telegram]") {
    auto m = only_message(text_update("Ёж 🦔 Иван",
                                      R"([{"type": "text_mention", "offset": 6, "length": 4,
                                           "user": {"id": 9007199254740991, "is_bot": false, "first_name": "Иван"}}])"));
    REQUIRE(m.mentions.size() == 1);
    CHECK(m.mentions[0].external_id == "9007199254740991");
    CHECK(m.mentions[0].name == "Иван");
}

TEST_CASE("an entity outside the text is left out with the reason, the message is kept", "[telegram]") {
    auto dropped = [](const std::string& text, const std::string& entities) {
        auto m = only_message(text_update(text, entities));
        CHECK(m.text == text);
        CHECK(m.mentions.empty());
        REQUIRE(m.dropped.size() == 1);
        return m.dropped[0];
    };
    SECTION("past the end") {
        CHECK(dropped("hi @a", R"([{"type": "mention", "offset": 3, "length": 3}])") ==
              "message.entities[0]: offset 3 and length 3 do not fit the text (5 UTF-16 units)");
    }
    SECTION("inside a surrogate pair") {
        CHECK(dropped("😀@a", R"([{"type": "mention", "offset": 1, "length": 3}])")
                  .starts_with("message.entities[0]: offset 1 and length 3 do not fit"));
    }
    SECTION("negative") {
        CHECK(dropped("@a", R"([{"type": "mention", "offset": -1, "length": 2}])").starts_with("message.entities[0]: offset -1"));
    }
    SECTION("huge") {
        CHECK(dropped("@a", R"([{"type": "mention", "offset": 9223372036854775807, "length": 9223372036854775807}])")
                  .starts_with("message.entities[0]: offset 9223372036854775807"));
    }
    SECTION("of a type Switchyard does not read: held to the same rule") {
        CHECK(dropped("@a", R"([{"type": "bold", "offset": 0, "length": 9}])").starts_with("message.entities[0]: offset 0"));
    }
    SECTION("the good entities beside a bad one are read") {
        auto m = only_message(text_update("hi @ann", R"([{"type": "bold", "offset": 0, "length": 99},
                                                          {"type": "mention", "offset": 3, "length": 4}])"));
        REQUIRE(m.mentions.size() == 1);
        CHECK(m.mentions[0].username == "ann");
        CHECK(m.dropped.size() == 1);
    }
}

TEST_CASE("a file that cannot be read is left out with the reason, the rest of the message is kept", "[telegram]") {
    auto m = only_message(R"({"update_id": 7, "message": {"message_id": 3, "date": 1700000000,
        "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "A"}, "caption": "the invoice",
        "document": {"file_name": "a.pdf"},
        "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 60}]}})");
    CHECK(m.text == "the invoice");
    REQUIRE(m.files.size() == 1);
    CHECK(m.files[0].name == "photo.jpg");
    REQUIRE(m.dropped.size() == 1);
    CHECK(m.dropped[0].starts_with("message.document"));
}

TEST_CASE("entities of a caption come from caption_entities", "[telegram]") {
    auto m = only_message(R"({"update_id": 6, "message": {"message_id": 2, "date": 1700000000,
        "chat": {"id": 42, "type": "private"}, "from": {"id": 42, "first_name": "A"},
        "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 60}],
        "caption": "для @anna", "caption_entities": [{"type": "mention", "offset": 4, "length": 5}]}})");
    CHECK(m.text == "для @anna");
    REQUIRE(m.mentions.size() == 1);
    CHECK(m.mentions[0].username == "anna");
}

// --- commands -----------------------------------------------------------------------------

TEST_CASE("bot commands", "[telegram]") {
    auto command = [](const std::string& text, int length) {
        return only_message(text_update(text, R"([{"type": "bot_command", "offset": 0, "length": )" +
                                                  std::to_string(length) + "}]"));
    };
    SECTION("without a bot name") {
        auto m = command("/help", 5);
        CHECK(m.command == "help");
        CHECK(m.command_args.empty());
    }
    SECTION("addressed to us, in any case, with arguments") {
        auto m = command("/Start@My_Support_Bot   order 1182 \\n", 21);
        CHECK(m.command == "start");
        CHECK(m.command_args == "order 1182");
    }
    SECTION("addressed to another bot") {
        auto m = command("/start@other_bot hello", 16);
        CHECK_FALSE(m.command);
        CHECK(m.command_args.empty());
        CHECK(m.text == "/start@other_bot hello");
    }
    SECTION("arguments in Cyrillic") {
        auto m = command("/найти заказ №5", 6);
        CHECK(m.command == "найти");
        CHECK(m.command_args == "заказ №5");
    }
}

TEST_CASE("a bot command not at the start is no command", "[telegram]") {
    auto m = only_message(text_update("see /help", R"([{"type": "bot_command", "offset": 4, "length": 5}])"));
    CHECK_FALSE(m.command);
}

TEST_CASE("without a configured bot username every command is ours", "[telegram]") {
    auto parsed = parse_telegram(text_update("/start@some_bot x", R"([{"type": "bot_command", "offset": 0, "length": 15}])"),
                                 TelegramContext{"", "tg1"});
    REQUIRE(parsed.events.size() == 1);
    CHECK(parsed.events[0].message.command == "start");
    CHECK(parsed.events[0].message.command_args == "x");
}

// --- update types -------------------------------------------------------------------------

TEST_CASE("unknown update types are ignored with the reason", "[telegram]") {
    auto parsed = parse_telegram(R"({"update_id": 7, "poll": {"id": "1", "question": "?"}})", context);
    CHECK(parsed.events.empty());
    CHECK(parsed.ignored == "unknown update type \"poll\"");
    CHECK_FALSE(parsed.ping);

    auto empty = parse_telegram(R"({"update_id": 7})", context);
    CHECK(empty.events.empty());
    CHECK(empty.ignored == "update without content");
}

TEST_CASE("an unknown chat type is ignored with the reason", "[telegram]") {
    auto parsed = parse_telegram(R"({"update_id": 8, "message": {"message_id": 1, "date": 1,
        "chat": {"id": 1, "type": "guild"}, "text": "x"}})",
                                 context);
    CHECK(parsed.events.empty());
    CHECK(parsed.ignored == "chat type \"guild\" is not handled (message.chat.type)");
}

TEST_CASE("edited messages", "[telegram]") {
    auto parsed = parse_telegram(R"({"update_id": 9, "edited_message": {"message_id": 77, "date": 1700000000,
        "edit_date": 1700000100, "chat": {"id": -1001234567890, "type": "supergroup", "title": "Support"},
        "from": {"id": 55, "first_name": "Anna", "username": "anna"}, "text": "fixed"}})",
                                 context);
    auto event = only_event(parsed, EventType::message);
    CHECK(event.dedup_key == "tg:tg1:update:9");
    CHECK(event.message.edited);
    CHECK(event.message.number == 77);
    CHECK(stdlib::name_of(event.message.chat_kind) == "group");
    CHECK(event.message.chat_title == "Support");
    CHECK(event.message.sent_at_ms == 1700000000000);
    CHECK(event.message.edited_at_ms == 1700000100000);  // edit_date: when it was edited

    auto business = only_message(R"({"update_id": 10, "edited_business_message": {"message_id": 3,
        "business_connection_id": "bc", "date": 1, "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "first_name": "Ivan"}, "text": "x"}})");
    CHECK(business.edited);
    CHECK(stdlib::name_of(business.chat_kind) == "business");
}

TEST_CASE("channel posts without a sender come from the channel", "[telegram]") {
    auto m = only_message(R"({"update_id": 11, "channel_post": {"message_id": 12, "date": 1700000000,
        "chat": {"id": -1001987654321, "type": "channel", "title": "News", "username": "news_channel"},
        "text": "Release"}})");
    CHECK(stdlib::name_of(m.chat_kind) == "channel");
    CHECK(m.chat_username == "news_channel");
    CHECK(m.sender.external_id == "-1001987654321");
    CHECK(m.sender.name == "News");
    CHECK(m.sender.username == "news_channel");
}

TEST_CASE("an anonymous admin speaks as the chat", "[telegram]") {
    auto m = only_message(R"({"update_id": 12, "message": {"message_id": 5, "date": 1,
        "from": {"id": 1087968824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot"},
        "sender_chat": {"id": -1001111, "type": "supergroup", "title": "Team"},
        "chat": {"id": -1001111, "type": "supergroup", "title": "Team"}, "text": "hi",
        "reply_to_message": {"message_id": 4, "date": 1, "chat": {"id": -1001111, "type": "supergroup"}}}})");
    CHECK(m.sender.external_id == "-1001111");
    CHECK(m.sender.name == "Team");
    CHECK_FALSE(m.sender.is_bot);
    CHECK(m.reply_to == 4);
}

TEST_CASE("business messages: direction", "[telegram]") {
    auto business = [](const std::string& extra, std::int64_t from) {
        return only_message(R"({"update_id": 13, "business_message": {"message_id": 3, "business_connection_id": "bc",
            "date": 1, "chat": {"id": 5550001234, "type": "private", "first_name": "Ivan"},
            "from": {"id": )" + std::to_string(from) + R"(, "first_name": "X"}, "text": "x")" + extra + "}}");
    };
    CHECK(stdlib::name_of(business("", 5550001234).direction) == "inbound");
    // Sent by a bot for the account.
    CHECK(business(R"(, "sender_business_bot": {"id": 99, "is_bot": true, "first_name": "Bot"})", 777000111).direction ==
          stdlib::Direction::outbound);
    // Written by the owner: the private chat's id is the customer's, the sender is someone else.
    CHECK(stdlib::name_of(business("", 777000111).direction) == "outbound");
}

TEST_CASE("a business connection in the pre-9.0 shape", "[telegram]") {
    auto event = only_event(parse_telegram(R"({"update_id": 14, "business_connection": {"id": "c1",
        "user": {"id": 1, "first_name": "Owner"}, "user_chat_id": 1, "date": 1, "can_reply": true,
        "is_enabled": false}})",
                                           context),
                            EventType::business_connection);
    CHECK(event.business.can_reply);
    CHECK_FALSE(event.business.enabled);

    auto without_rights = only_event(parse_telegram(R"({"update_id": 15, "business_connection": {"id": "c1",
        "user": {"id": 1, "first_name": "Owner"}, "user_chat_id": 1, "date": 1, "rights": {}, "is_enabled": true}})",
                                                    context),
                                     EventType::business_connection);
    CHECK_FALSE(without_rights.business.can_reply);
}

TEST_CASE("my_chat_member: the bot blocked in a private chat", "[telegram]") {
    auto event = only_event(parse_telegram(R"({"update_id": 16, "my_chat_member": {
        "chat": {"id": 42, "type": "private", "first_name": "Anna"},
        "from": {"id": 42, "is_bot": false, "first_name": "Anna", "username": "anna"},
        "date": 1700000000,
        "old_chat_member": {"status": "member", "user": {"id": 100, "is_bot": true, "first_name": "Bot"}},
        "new_chat_member": {"status": "kicked", "until_date": 0, "user": {"id": 100, "is_bot": true, "first_name": "Bot"}}}})",
                                           context),
                            EventType::member_change);
    CHECK(event.dedup_key == "tg:tg1:update:16");
    CHECK(event.member.chat_external_id == "42");
    CHECK(stdlib::name_of(event.member.chat_kind) == "private");
    CHECK(event.member.user.external_id == "42");
    CHECK(event.member.user.username == "anna");
    CHECK(event.member.old_status == "member");
    CHECK(event.member.new_status == "kicked");
    CHECK(event.member.at_ms == 1700000000000);
    CHECK(event.member.about_bot);
}

TEST_CASE("chat_member: someone joins and leaves a group", "[telegram]") {
    auto update = [](const char* old_status, const char* new_status) {
        return std::string(R"({"update_id": 18, "chat_member": {
        "chat": {"id": -1001234567890, "type": "supergroup", "title": "Support"},
        "from": {"id": 7, "is_bot": false, "first_name": "Admin"},
        "date": 1700000200,
        "old_chat_member": {"status": ")") + old_status + R"(", "user": {"id": 55, "is_bot": false, "first_name": "Anna", "username": "anna"}},
        "new_chat_member": {"status": ")" + new_status + R"(", "user": {"id": 55, "is_bot": false, "first_name": "Anna", "username": "anna"}}}})";
    };
    auto joined = only_event(parse_telegram(update("left", "member"), context), EventType::member_change);
    CHECK(joined.dedup_key == "tg:tg1:update:18");
    CHECK_FALSE(joined.member.about_bot);
    CHECK(joined.member.chat_external_id == "-1001234567890");
    CHECK(joined.member.chat_kind == stdlib::ChatKind::group);
    // The member whose status changed, not the admin who changed it.
    CHECK(joined.member.user.external_id == "55");
    CHECK(joined.member.user.username == "anna");
    CHECK(joined.member.new_status == "member");
    auto left = only_event(parse_telegram(update("member", "left"), context), EventType::member_change);
    CHECK(left.member.old_status == "member");
    CHECK(left.member.new_status == "left");
}

TEST_CASE("files: the largest photo", "[telegram]") {
    auto m = only_message(R"({"update_id": 18, "message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"},
        "photo": [{"file_id": "small", "file_unique_id": "a", "width": 90, "height": 67, "file_size": 1200},
                  {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 960, "file_size": 154000},
                  {"file_id": "mid", "file_unique_id": "c", "width": 320, "height": 240, "file_size": 14000}]}})");
    REQUIRE(m.files.size() == 1);
    CHECK(m.files[0].name == "photo.jpg");
    CHECK(m.files[0].ext == "jpg");
    CHECK(m.files[0].mime == "image/jpeg");
    CHECK(m.files[0].size == 154000);
    CHECK(stdlib::name_of(m.files[0].kind) == "image");
    CHECK(m.files[0].source == "big");
    CHECK(m.text.empty());
}

TEST_CASE("files: an animation is counted once", "[telegram]") {
    auto m = only_message(R"({"update_id": 19, "message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"},
        "animation": {"file_id": "anim", "file_unique_id": "a", "width": 1, "height": 1, "duration": 2,
                      "file_name": "cat.MP4", "mime_type": "video/mp4", "file_size": 5000},
        "document": {"file_id": "anim", "file_unique_id": "a", "file_name": "cat.MP4", "mime_type": "video/mp4", "file_size": 5000}}})");
    REQUIRE(m.files.size() == 1);
    CHECK(m.files[0].name == "cat.MP4");
    CHECK(m.files[0].ext == "mp4");
    CHECK(stdlib::name_of(m.files[0].kind) == "video");
}

TEST_CASE("files: kinds and made-up names", "[telegram]") {
    auto file = [](const std::string& field) {
        auto m = only_message(R"({"update_id": 20, "message": {"message_id": 1, "date": 1,
            "chat": {"id": 1, "type": "private"}, )" + field + "}}");
        REQUIRE(m.files.size() == 1);
        return m.files[0];
    };
    SECTION("a document's kind follows its MIME type") {
        auto f = file(R"("document": {"file_id": "d", "file_unique_id": "u", "file_name": "scan.PNG", "mime_type": "image/png"})");
        CHECK(stdlib::name_of(f.kind) == "image");
        CHECK(f.ext == "png");
        CHECK(f.size == 0);
        CHECK(file(R"("document": {"file_id": "d", "file_unique_id": "u", "file_name": "a.pdf", "mime_type": "application/pdf"})")
                  .kind == stdlib::FileKind::document);
        CHECK(stdlib::name_of(file(R"("document": {"file_id": "d", "file_unique_id": "u", "mime_type": "audio/mpeg"})").kind) == "audio");
        CHECK(file(R"("document": {"file_id": "d", "file_unique_id": "u", "mime_type": "video/quicktime"})").name ==
              "document.mov");
        CHECK(file(R"("document": {"file_id": "d", "file_unique_id": "u"})").name == "document");
    }
    SECTION("a document over 4 GB") {
        auto f = file(R"("document": {"file_id": "d", "file_unique_id": "u", "file_name": "dump.zip", "file_size": 4294967296000})");
        CHECK(f.size == 4294967296000);
        CHECK(stdlib::name_of(f.kind) == "document");
        CHECK(f.mime.empty());
    }
    SECTION("voice") {
        auto f = file(R"("voice": {"file_id": "v", "file_unique_id": "u", "duration": 3, "mime_type": "audio/ogg", "file_size": 9000})");
        CHECK(stdlib::name_of(f.kind) == "voice");
        CHECK(f.name == "voice.ogg");
        CHECK(f.mime == "audio/ogg");
        CHECK(f.size == 9000);
        CHECK(f.source == "v");
    }
    SECTION("video, audio and video notes") {
        CHECK(stdlib::name_of(file(R"("video": {"file_id": "v", "file_unique_id": "u", "width": 1, "height": 1, "duration": 1})").kind) == "video");
        auto audio = file(R"("audio": {"file_id": "a", "file_unique_id": "u", "duration": 1, "file_name": "Song.Mp3", "mime_type": "audio/mpeg"})");
        CHECK(stdlib::name_of(audio.kind) == "audio");
        CHECK(audio.name == "Song.Mp3");
        CHECK(audio.ext == "mp3");
        auto note = file(R"("video_note": {"file_id": "n", "file_unique_id": "u", "length": 240, "duration": 5})");
        CHECK(stdlib::name_of(note.kind) == "video");
        CHECK(note.name == "video_note.mp4");
        CHECK(note.mime.empty());
    }
    SECTION("stickers have no name or MIME type") {
        auto f = file(R"("sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 512, "height": 512,
                          "is_animated": false, "is_video": false, "file_size": 20000})");
        CHECK(stdlib::name_of(f.kind) == "sticker");
        CHECK(f.name == "sticker.webp");
        CHECK(f.ext == "webp");
        CHECK(f.mime.empty());
        CHECK(file(R"("sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1,
                      "is_animated": true, "is_video": false})")
                  .name == "sticker.tgs");
    }
}

// --- malformed bodies and ids at the limits ------------------------------------------------

TEST_CASE("malformed JSON is a parse error", "[telegram]") {
    CHECK(parse_error("{").starts_with("body: invalid JSON"));
    CHECK(parse_error("").starts_with("body: invalid JSON"));
    CHECK(parse_error(R"({"update_id": 1} trailing)").starts_with("body: invalid JSON at byte 17"));
    CHECK(parse_error("[1, 2]") == "body: expected an object");
}

TEST_CASE("fields of the wrong type are a parse error naming the path", "[telegram]") {
    CHECK(parse_error(R"({"message": {}})") == "update_id: missing");
    CHECK(parse_error(R"({"update_id": "1"})") == "update_id: expected an integer");
    CHECK(parse_error(R"({"update_id": 1.5})") == "update_id: expected an integer");
    CHECK(parse_error(R"({"update_id": 1, "message": []})") == "message: expected an object");
    CHECK(parse_error(R"({"update_id": 1, "message": {"message_id": 1, "date": 1,
        "chat": {"id": "42", "type": "private"}}})") == "message.chat.id: expected an integer");
    CHECK(parse_error(R"({"update_id": 1, "message": {"message_id": 1, "date": 1,
        "chat": {"id": 42, "type": "private"}, "text": 5}})") == "message.text: expected a string");
    CHECK(parse_error(R"({"update_id": 1, "message": {"message_id": 1, "date": 1,
        "chat": {"id": 42, "type": "private"}, "text": "x", "entities": {}}})") == "message.entities: expected an array");
    CHECK(parse_error(R"({"update_id": 1, "message": {"message_id": 1,
        "chat": {"id": 42, "type": "private"}}})") == "message.date: missing");
    // A part of a message (here a photo) is left out with the same reason, not the message.
    auto photo = only_message(R"({"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 42, "type": "private"},
        "photo": [{"file_id": 5, "width": 1, "height": 1}]}})");
    CHECK(photo.files.empty());
    CHECK(photo.dropped == std::vector<std::string>{"message.photo[0].file_id: expected a string"});
    CHECK(parse_error(R"({"update_id": 1, "message_reaction": {"chat": {"id": 1, "type": "group"}, "message_id": 1,
        "date": 1, "old_reaction": [], "new_reaction": [{"type": "emoji"}]}})") ==
          "message_reaction.new_reaction[0].emoji: missing");
    CHECK(parse_error(R"({"update_id": 1, "business_connection": {"id": "c", "user": {"id": 1}, "user_chat_id": 1,
        "date": 1, "is_enabled": "yes"}})") == "business_connection.is_enabled: expected true or false");
}

TEST_CASE("ids at the int64 limits", "[telegram]") {
    auto m = only_message(R"({"update_id": 9223372036854775807, "message": {"message_id": 9223372036854775807,
        "date": 1, "chat": {"id": -9223372036854775808, "type": "supergroup", "title": "T"},
        "from": {"id": 9223372036854775807, "first_name": "Max"}, "text": "x",
        "reply_to_message": {"message_id": -9223372036854775808}}})");
    CHECK(m.number == INT64_MAX);
    CHECK(m.id == "9223372036854775807");
    CHECK(m.chat_id == INT64_MIN);
    CHECK(m.chat_external_id == "-9223372036854775808");
    CHECK(m.sender.external_id == "9223372036854775807");
    CHECK(m.reply_to == INT64_MIN);
    CHECK(parse_telegram(R"({"update_id": 9223372036854775807, "poll": {}})", context).ignored ==
          "unknown update type \"poll\"");

    // A 52-bit supergroup id, as Telegram documents them.
    CHECK(only_message(R"({"update_id": 1, "message": {"message_id": 1, "date": 1,
        "chat": {"id": -1004503599627370495, "type": "supergroup"}, "text": "x"}})")
              .chat_id == -1004503599627370495);

    CHECK(parse_error(R"({"update_id": 9223372036854775808})") == "update_id: integer out of the 64-bit range");
    CHECK(parse_error(R"({"update_id": 1, "message": {"message_id": 1, "date": 9223372036854775807,
        "chat": {"id": 1, "type": "private"}}})") == "message.date: time out of range");
}

TEST_CASE("unknown extra fields are fine", "[telegram]") {
    auto m = only_message(R"({"update_id": 1, "new_field": {"x": [1, 2]}, "message": {"message_id": 1, "date": 1,
        "chat": {"id": 1, "type": "private", "brand_new": true}, "text": "x", "guest_thing": null}})");
    CHECK(m.text == "x");
}
