// common/utf8.hpp: the strict helpers accept exactly well-formed UTF-8; the lenient ones agree
// with them on it and still walk malformed text.
#include "common/utf8.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace switchyard;
using common::CodePoint;

namespace {

bool is_surrogate(std::uint32_t cp) { return cp >= 0xD800 && cp <= 0xDFFF; }

std::string encoded(std::uint32_t cp) {
    std::string out;
    REQUIRE(common::append_utf8(cp, out));
    return out;
}

}  // namespace

TEST_CASE("every code point encodes, checks and decodes back, and the lenient walks agree", "[utf8]") {
    for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        if (is_surrogate(cp)) continue;
        std::string bytes = encoded(cp);
        std::size_t expected = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        auto decoded = common::decode_utf8(bytes, 0);
        bool agrees = bytes.size() == expected && common::utf8_sequence_length(bytes, 0) == expected &&
                      decoded && decoded->value == cp && decoded->bytes == expected &&
                      common::find_invalid_utf8(bytes) == std::string_view::npos &&
                      common::count_code_points(bytes) == 1 &&
                      common::utf8_claimed_length(static_cast<unsigned char>(bytes[0])) == expected &&
                      common::utf8_character_end(bytes, 0) == expected &&
                      common::utf8_character_start(bytes, expected - 1) == 0 &&
                      common::utf16_length(bytes) == (cp > 0xFFFF ? 2 : 1);
        if (!agrees) FAIL("code point " << cp);
    }
}

TEST_CASE("surrogates and values past U+10FFFF have no encoding", "[utf8]") {
    for (std::uint32_t cp : {0xD800u, 0xDBFFu, 0xDC00u, 0xDFFFu, 0x110000u, 0xFFFFFFFFu}) {
        std::string out = "x";
        CHECK_FALSE(common::append_utf8(cp, out));
        CHECK(out == "x");
        char room[common::max_utf8_bytes];
        CHECK(common::encode_utf8(cp, room) == 0);
    }
}

TEST_CASE("malformed sequences are refused at their first byte", "[utf8]") {
    const std::string_view malformed[] = {
        "\x80",              // a continuation byte with no lead
        "\xC0\x80",          // overlong NUL
        "\xC1\xBF",          // overlong
        "\xE0\x80\x80",      // overlong three bytes
        "\xED\xA0\x80",      // a surrogate, U+D800
        "\xF0\x80\x80\x80",  // overlong four bytes
        "\xF4\x90\x80\x80",  // U+110000
        "\xF5\x80\x80\x80",  // no lead byte past F4
        "\xFF",
        "\xE2\x82",          // cut short
        "\xE2\x28\xA1",      // a second byte that is no continuation
    };
    for (auto bytes : malformed) {
        INFO(static_cast<int>(static_cast<unsigned char>(bytes[0])));
        CHECK(common::utf8_sequence_length(bytes, 0) == 0);
        CHECK_FALSE(common::decode_utf8(bytes, 0));
        CHECK(common::find_invalid_utf8("ok " + std::string(bytes)) == 3);
    }
    CHECK(common::find_invalid_utf8("Ёж 🦔") == std::string_view::npos);
    CHECK(common::find_invalid_utf8("") == std::string_view::npos);
}

TEST_CASE("the lenient walks never stop on a malformed byte", "[utf8]") {
    // A stray continuation byte is inside a character; a stray lead byte starts one.
    CHECK(common::count_code_points("a\x80" "b") == 2);
    CHECK(common::count_code_points("a\xC3" "b") == 3);
    CHECK(common::count_code_points("Ёж 🦔") == 4);
    CHECK(common::utf8_character_end("é", 0) == 2);
    CHECK(common::utf8_character_end("\xC3", 0) == 1);
    CHECK(common::utf8_character_end("a\x80\x80" "b", 0) == 3);
    CHECK(common::utf8_character_start("a🦔b", 3) == 1);
    CHECK(common::utf8_character_start("\x80\x80", 1) == 0);
    CHECK(common::utf8_character_start("ab", 7) == 7);  // not inside the text: as it is
    CHECK(common::utf8_claimed_length(0xF8) == 1);
    CHECK(common::utf8_claimed_length(0xF7) == 4);
    CHECK(common::utf8_claimed_length(0xBF) == 1);
    CHECK(common::utf16_length("\xF0\x9F") == 2);  // half an emoji still takes its two units
}

TEST_CASE("UTF-16 slices fall on whole characters", "[utf8]") {
    CHECK(common::utf16_length("Ёж 🦔") == 5);
    CHECK(common::utf16_slice("привет", 2, 3) == "иве");
    CHECK(common::utf16_slice("😀x", 2, 1) == "x");
    CHECK(common::utf16_slice("😀x", 0, 2) == "😀");
    CHECK_FALSE(common::utf16_slice("😀x", 1, 1));  // inside the surrogate pair
    CHECK_FALSE(common::utf16_slice("abc", 2, 2));  // past the end
    CHECK_FALSE(common::utf16_slice("abc", -1, 1));
    CHECK_FALSE(common::utf16_slice("abc", INT64_MAX, INT64_MAX));
}
