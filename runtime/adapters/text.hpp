// Text helpers of the adapters: UTF-16 offsets into UTF-8 text, ISO times, trimming.
// Internal to the adapters (normalize_phone, declared in adapters.hpp, lives here too).
#pragma once

#include "common/utf8.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::adapters::detail {

// Telegram counts its entities' offsets in UTF-16 code units: common/utf8.hpp has the helpers.
using common::utf16_length;
using common::utf16_slice;

// `2025-05-06T14:16:00.002Z` as milliseconds since the epoch. Fractions of any length are cut
// to milliseconds; `Z`, `+hh:mm`, `-hh:mm` or no zone (read as UTC) may end it.
std::optional<std::int64_t> parse_iso_time_ms(std::string_view text);

// Without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

// ASCII letters lowered; other bytes as they are (usernames and extensions are ASCII).
std::string ascii_lower(std::string_view text);

}  // namespace switchyard::adapters::detail
