// Text helpers of the adapters: UTF-16 offsets into UTF-8 text, ISO times, trimming.
// Internal to the adapters (normalize_phone, declared in adapters.hpp, lives here too).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::adapters::detail {

// The part of UTF-8 `text` that starts `offset` UTF-16 code units in and is `length` units
// long, as Telegram's entities count. nullopt when the range is negative, runs past the end,
// or cuts a character that takes two units (an emoji, any code point above U+FFFF) in half.
std::optional<std::string_view> utf16_slice(std::string_view text, std::int64_t offset, std::int64_t length);

// How many UTF-16 code units the UTF-8 `text` takes.
std::int64_t utf16_length(std::string_view text);

// `2025-05-06T14:16:00.002Z` as milliseconds since the epoch. Fractions of any length are cut
// to milliseconds; `Z`, `+hh:mm`, `-hh:mm` or no zone (read as UTC) may end it.
std::optional<std::int64_t> parse_iso_time_ms(std::string_view text);

// Without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

// ASCII letters lowered; other bytes as they are (usernames and extensions are ASCII).
std::string ascii_lower(std::string_view text);

}  // namespace switchyard::adapters::detail
