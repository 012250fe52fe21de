// UTF-8, written once: checking it, decoding and encoding code points, counting characters
// and UTF-16 code units, finding where a character starts and ends.
//
// Two kinds of helper. The strict ones (utf8_sequence_length, find_invalid_utf8,
// decode_utf8) accept only well-formed UTF-8: no overlong forms, no surrogates, nothing past
// U+10FFFF. The others walk text by its lead and continuation bytes alone and never stop on a
// malformed byte, so text that was never checked (a webhook's, a column shown in a
// diagnostic) can still be measured and cut; on valid UTF-8 both kinds agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::common {

// ---- strict ----

// The length of the well-formed UTF-8 sequence that starts at s[i], or 0 when it is malformed
// or cut short by the end of `s`.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// The offset of the first byte that is not valid UTF-8, or npos when all of it is.
std::size_t find_invalid_utf8(std::string_view bytes);

struct CodePoint {
    std::uint32_t value = 0;
    std::size_t bytes = 0;  // its length in UTF-8
};

// The code point whose well-formed sequence starts at s[i], or nothing.
std::optional<CodePoint> decode_utf8(std::string_view s, std::size_t i);

// The largest UTF-8 sequence: room enough for encode_utf8.
inline constexpr std::size_t max_utf8_bytes = 4;

// Writes `cp` as UTF-8 at `out` (room for max_utf8_bytes) and returns how many bytes it took;
// 0, writing nothing, for a surrogate or a value past U+10FFFF, which have no encoding.
std::size_t encode_utf8(std::uint32_t cp, char* out);

// Appends `cp` as UTF-8; false, appending nothing, when it has no encoding.
bool append_utf8(std::uint32_t cp, std::string& out);

// ---- by lead and continuation bytes ----

// A continuation byte (10xxxxxx) is inside a character, never the start of one.
constexpr bool is_utf8_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Characters, counted as the bytes that are not continuation bytes (so a stray lead byte counts
// one, a stray continuation byte none).
std::size_t count_code_points(std::string_view bytes);

// Where the character that starts at s[i] ends: past i and the continuation bytes after it.
std::size_t utf8_character_end(std::string_view s, std::size_t i);

// Where the character that holds s[i] starts: i, moved back over continuation bytes, but not
// before 0 (and i itself when it is not inside `s`).
std::size_t utf8_character_start(std::string_view s, std::size_t i);

// How many bytes a sequence starting with `lead` claims to take: 2 to 4 for a lead byte
// (0xC0 to 0xF7), else 1; what follows is not checked, so a walk by it always moves on.
constexpr std::size_t utf8_claimed_length(unsigned char lead) {
    if (lead >= 0xF0 && lead <= 0xF7) return 4;
    if (lead >= 0xE0) return lead <= 0xEF ? 3 : 1;
    if (lead >= 0xC0) return 2;
    return 1;
}

// How many UTF-16 code units `text` takes, walked by utf8_claimed_length: two for a four-byte
// sequence (a code point above U+FFFF is a surrogate pair), one for anything else.
std::int64_t utf16_length(std::string_view text);

// The part of `text` that starts `offset` UTF-16 code units in and is `length` units long (as
// Telegram's entities count). nullopt when the range is negative, runs past the end, or cuts a
// character that takes two units (an emoji, any code point above U+FFFF) in half.
std::optional<std::string_view> utf16_slice(std::string_view text, std::int64_t offset, std::int64_t length);

}  // namespace switchyard::common
