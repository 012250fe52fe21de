// How a comment becomes Telegram's messages: the text split at 4,096 UTF-16 units, a lone file
// with a short text as one captioned message, links in the text, the signature.
#include "runtime/outbox/plan.hpp"

#include "common/utf8.hpp"

#include <catch2/catch.hpp>

using namespace switchyard;
using outbox::Carry;
using outbox::FilePlan;
using outbox::Method;

TEST_CASE("split_text keeps a short text whole and gives nothing for an empty one") {
    CHECK(outbox::split_text("Hello", 4096) == std::vector<std::string>{"Hello"});
    CHECK(outbox::split_text("  \n ", 4096).empty());
}

TEST_CASE("split_text cuts after a paragraph, a line or a space, never inside a word") {
    std::string text = std::string(3000, 'a') + "\n\n" + std::string(3000, 'b');
    auto parts = outbox::split_text(text, 4096);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0] == std::string(3000, 'a'));
    CHECK(parts[1] == std::string(3000, 'b'));

    std::string words;
    for (int i = 0; i < 2000; ++i) words += "word ";
    for (const auto& p : outbox::split_text(words, 4096)) {
        CHECK(common::utf16_length(p) <= 4096);
        CHECK(p.front() == 'w');
        CHECK(p.back() == 'd');
    }
}

TEST_CASE("split_text counts UTF-16 units: an emoji takes two, and is never cut in half") {
    std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, two UTF-16 units
    std::string text;
    for (int i = 0; i < 3000; ++i) text += emoji;  // 6000 units, no spaces
    auto parts = outbox::split_text(text, 4096);
    REQUIRE(parts.size() == 2);
    CHECK(common::utf16_length(parts[0]) == 4096);
    CHECK(parts[0].size() % 4 == 0);
    CHECK(parts[0] + parts[1] == text);
}

TEST_CASE("a text alone is one sendMessage quoting the message replied to") {
    auto pieces = outbox::plan_telegram("Hello", {}, "", 42);
    REQUIRE(pieces.size() == 1);
    CHECK(pieces[0].outgoing.method == Method::send_message);
    CHECK(pieces[0].outgoing.text == "Hello");
    CHECK(pieces[0].outgoing.reply_to == 42);
    CHECK_FALSE(pieces[0].file);
}

TEST_CASE("one file with a short text is one message with a caption, inline media goes by its kind") {
    std::vector<FilePlan> files = {{7, "photo.jpg", stdlib::FileKind::image, Carry::media, {}}};
    auto pieces = outbox::plan_telegram("Here it is", files, "", std::nullopt);
    REQUIRE(pieces.size() == 1);
    CHECK(pieces[0].outgoing.method == Method::send_photo);
    CHECK(pieces[0].outgoing.text == "Here it is");
    CHECK(pieces[0].file == 7);

    files[0].carry = Carry::file;
    CHECK(outbox::plan_telegram("x", files, "", std::nullopt)[0].outgoing.method == Method::send_document);
}

TEST_CASE("a caption over 1,024 units goes as a text, then the file without a caption") {
    std::vector<FilePlan> files = {{7, "offer.pdf", stdlib::FileKind::document, Carry::file, {}}};
    auto pieces = outbox::plan_telegram(std::string(1100, 'x'), files, "", 5);
    REQUIRE(pieces.size() == 2);
    CHECK(pieces[0].outgoing.method == Method::send_message);
    CHECK(pieces[0].outgoing.reply_to == 5);
    CHECK(pieces[1].outgoing.method == Method::send_document);
    CHECK(pieces[1].outgoing.text.empty());
    CHECK_FALSE(pieces[1].outgoing.reply_to);
}

TEST_CASE("several files go one by one after the text") {
    std::vector<FilePlan> files = {{1, "a.pdf", stdlib::FileKind::document, Carry::file, {}},
                                   {2, "b.mp3", stdlib::FileKind::audio, Carry::media, {}}};
    auto pieces = outbox::plan_telegram("Two files", files, "", std::nullopt);
    REQUIRE(pieces.size() == 3);
    CHECK(pieces[0].outgoing.text == "Two files");
    CHECK(pieces[1].file == 1);
    CHECK(pieces[2].outgoing.method == Method::send_audio);
}

TEST_CASE("a file that travels as a link is a line of the text, the signature ends the text (TB3)") {
    std::vector<FilePlan> files = {{3, "demo.mov", stdlib::FileKind::video, Carry::link, "https://s.example/files/x/demo.mov"}};
    auto pieces = outbox::plan_telegram("See the demo", files, "Olga", std::nullopt);
    REQUIRE(pieces.size() == 1);
    CHECK(pieces[0].outgoing.method == Method::send_message);
    CHECK(pieces[0].outgoing.text == "See the demo\n\n— Olga\n\ndemo.mov: https://s.example/files/x/demo.mov");
}

TEST_CASE("nothing to send gives no message") { CHECK(outbox::plan_telegram("", {}, "", std::nullopt).empty()); }

TEST_CASE("the parameters of a row read back as they were written") {
    outbox::Outgoing o;
    o.method = Method::send_document;
    o.text = "caption \"quoted\"";
    o.reply_to = 9;
    auto back = outbox::read_outgoing(outbox::method_name(o.method), outbox::params_json(o));
    REQUIRE(back);
    CHECK(back->method == Method::send_document);
    CHECK(back->text == o.text);
    CHECK(back->reply_to == 9);

    outbox::Outgoing r;
    r.method = Method::set_message_reaction;
    r.message_id = 77;
    r.emoji = "👍";
    auto reaction = outbox::read_outgoing("setMessageReaction", outbox::params_json(r));
    REQUIRE(reaction);
    CHECK(reaction->message_id == 77);
    CHECK(reaction->emoji == "👍");

    CHECK_FALSE(outbox::read_outgoing("sendSticker", "{}"));
    CHECK_FALSE(outbox::read_outgoing("sendMessage", "not json"));
}
