// The adapters' helpers on their own: phone numbers, UTF-16 slicing, ISO times, file names.
#include "runtime/adapters/adapters.hpp"
#include "runtime/adapters/files.hpp"
#include "runtime/adapters/text.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::adapters;

TEST_CASE("normalize_phone", "[adapters]") {
    CHECK(normalize_phone("+7 (901) 111-22-33") == "79011112233");
    CHECK(normalize_phone("79011112233") == "79011112233");
    CHECK(normalize_phone("89011112233") == "79011112233");
    CHECK(normalize_phone("8 901 111 22 33") == "79011112233");
    CHECK(normalize_phone("+49 30 1234567") == "49301234567");
    CHECK(normalize_phone("8800") == "8800");  // a leading 8 is a trunk prefix only in 11 digits
    CHECK(normalize_phone("") == "");
}

TEST_CASE("utf16_slice", "[adapters]") {
    using detail::utf16_slice;
    CHECK(utf16_slice("hello", 1, 3) == "ell");
    CHECK(utf16_slice("hello", 5, 0) == "");
    CHECK(utf16_slice("привет", 2, 3) == "иве");
    CHECK(utf16_slice("😀x", 2, 1) == "x");
    CHECK(utf16_slice("😀x", 0, 2) == "😀");
    CHECK_FALSE(utf16_slice("😀x", 1, 1));  // half an emoji
    CHECK_FALSE(utf16_slice("😀x", 0, 1));
    CHECK_FALSE(utf16_slice("abc", 2, 2));
    CHECK_FALSE(utf16_slice("abc", -1, 1));
    CHECK_FALSE(utf16_slice("abc", 1, -1));
    CHECK_FALSE(utf16_slice("abc", INT64_MAX, INT64_MAX));
    CHECK(detail::utf16_length("Ёж 🦔") == 5);
    // Malformed UTF-8 is walked a byte at a time rather than past the end.
    CHECK(utf16_slice("\xF0\x9F", 0, 2) == "\xF0\x9F");
    CHECK(detail::utf16_length("\xF0\x9F") == 2);
}

TEST_CASE("parse_iso_time_ms", "[adapters]") {
    using detail::parse_iso_time_ms;
    CHECK(parse_iso_time_ms("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_iso_time_ms("2025-05-06T14:16:00.002Z") == 1746540960002);
    CHECK(parse_iso_time_ms("2025-05-06T14:16:00.002") == 1746540960002);
    CHECK(parse_iso_time_ms("2025-05-06T14:16:00.0029999Z") == 1746540960002);
    CHECK(parse_iso_time_ms("2025-05-06T17:16:00+03:00") == 1746540960000);
    CHECK(parse_iso_time_ms("2025-05-06T09:16:00-0500") == 1746540960000);
    CHECK(parse_iso_time_ms("1969-12-31T23:59:59Z") == -1000);
    CHECK(parse_iso_time_ms("2024-02-29T00:00:00Z") == 1709164800000);
    CHECK_FALSE(parse_iso_time_ms("2025-02-29T00:00:00Z"));
    CHECK_FALSE(parse_iso_time_ms("2025-05-06 14:16:00Z"));
    CHECK_FALSE(parse_iso_time_ms("2025-05-06T14:16:00.Z"));
    CHECK_FALSE(parse_iso_time_ms("2025-05-06T24:00:00Z"));
    CHECK_FALSE(parse_iso_time_ms("2025-05-06T14:16:00+3"));
    CHECK_FALSE(parse_iso_time_ms("2025-05-06"));
    CHECK_FALSE(parse_iso_time_ms(""));
}

TEST_CASE("file names, extensions and MIME types", "[adapters]") {
    using namespace detail;
    CHECK(extension_of("Offer.PDF") == "pdf");
    CHECK(extension_of("archive.tar.gz") == "gz");
    CHECK(extension_of("Text File") == "");
    CHECK(extension_of(".bashrc") == "");
    CHECK(extension_of("v1.2 final") == "");
    CHECK(extension_of("name.") == "");
    CHECK(mime_for_extension("docx") == "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    CHECK(mime_for_extension("was") == "");
    CHECK(extension_for_mime("audio/ogg; codecs=opus") == "ogg");
    CHECK(extension_for_mime("image/JPEG") == "jpg");
    CHECK(extension_for_mime("application/x-unknown") == "");
    CHECK(kind_for_mime("image/png") == "image");
    CHECK(kind_for_mime("Video/MP4") == "video");
    CHECK(kind_for_mime("audio/mpeg") == "audio");
    CHECK(kind_for_mime("application/pdf") == "document");
    CHECK(file_name_from_uri("https://host/a/b/report%20final.pdf?x=1#top") == "report final.pdf");
    CHECK(file_name_from_uri("https://host/a/?filename=%D1%84%D0%B0%D0%B9%D0%BB.txt") == "файл.txt");
    CHECK(file_name_from_uri("https://host/a/?filename=") == "a");
    CHECK(file_name_from_uri("https://host") == "");
    CHECK(file_name_from_uri("https://host/") == "");
    CHECK(file_name_from_uri("https://host/100%") == "100%");
    // Decoded bytes that are not UTF-8 (a legacy code page, a stray byte) leave the name as written.
    CHECK(file_name_from_uri("https://host/%C4%EE%EA.pdf") == "%C4%EE%EA.pdf");
    CHECK(file_name_from_uri("https://host/a/?filename=%bd+1.txt") == "%bd+1.txt");
}
