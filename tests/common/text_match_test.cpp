// Matching text for has_word, has_phrase and matches: words, the glob and its errors, and the
// promise that no pattern or text makes the matcher slow.
#include "common/text_match.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace switchyard;

TEST_CASE("words are runs of Latin, Greek and Cyrillic letters and digits, folded as lower does", "[text_match]") {
    CHECK(common::has_phrase("Ваш СЧЁТ-Фактура готов", "счёт фактура"));
    CHECK(common::has_phrase("ΑΒΓ δ", "αβγ") == false);  // Greek letters are words, but lower folds no Greek
    CHECK(common::has_phrase("ΑΒΓ δ", "ΑΒΓ"));
    CHECK(common::has_phrase("x1 y2", "Y2"));
    CHECK_FALSE(common::has_phrase("invoices", "invoice"));
    CHECK_FALSE(common::has_phrase("start new", "new start"));
    CHECK_FALSE(common::has_phrase("anything", ""));
    CHECK_FALSE(common::has_phrase("", "!?"));
    CHECK(common::has_phrase("price×2", "price"));       // × separates
    CHECK(common::has_phrase("a\xFF" "b", "b"));          // a malformed byte separates too
    CHECK_FALSE(common::has_phrase("ab", "a\xFF"));
}

TEST_CASE("a glob matches all of the text", "[text_match]") {
    CHECK(common::matches_pattern("", ""));
    CHECK(common::matches_pattern("", "***"));
    CHECK_FALSE(common::matches_pattern("a", ""));
    CHECK(common::matches_pattern("order #12a", "order #[0-9]*"));
    CHECK_FALSE(common::matches_pattern("order #x", "order #[0-9]*"));
    CHECK(common::matches_pattern("Привет", "П?ив*"));
    CHECK(common::matches_pattern("😀", "?"));
    CHECK(common::matches_pattern("a]b", "a[]]b"));
    CHECK(common::matches_pattern("a-b", "a[x-]b"));
    CHECK(common::matches_pattern("a^b", "a[!x]b"));
    CHECK_FALSE(common::matches_pattern("axb", "a[^x]b"));
    CHECK(common::matches_pattern("ё", "[а-яё]"));
    CHECK_FALSE(common::matches_pattern("A", "a"));  // case-sensitive
    CHECK_FALSE(common::matches_pattern("abc", "a[b"));  // invalid: matches nothing
}

TEST_CASE("a bad pattern is reported at its byte", "[text_match]") {
    auto unclosed = common::check_pattern("ab[cd");
    REQUIRE(unclosed);
    CHECK(unclosed->offset == 2);
    auto reversed = common::check_pattern("x[9-0]");
    REQUIRE(reversed);
    CHECK(reversed->offset == 2);
    CHECK(reversed->message.find("`9-0`") != std::string::npos);
    CHECK_FALSE(common::check_pattern("[]]"));
    CHECK(common::check_pattern("[]"));
    CHECK_FALSE(common::check_pattern(std::string(common::max_pattern_parts, 'a')));
    auto long_one = common::check_pattern(std::string(common::max_pattern_parts + 1, 'a'));
    REQUIRE(long_one);
    CHECK(long_one->offset == common::max_pattern_parts);
}

TEST_CASE("no pattern backtracks: the worst case stays linear in the text", "[text_match]") {
    std::string text(100000, 'a');
    std::string pattern;
    for (int i = 0; i < 100; ++i) pattern += "*a";
    pattern += "*b";
    auto start = std::chrono::steady_clock::now();
    CHECK_FALSE(common::matches_pattern(text, pattern));
    CHECK_FALSE(common::has_phrase(text + " " + text, "a a a b"));
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 5.0);  // a backtracking matcher would not end
}
