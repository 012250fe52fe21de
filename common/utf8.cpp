#include "common/utf8.hpp"

#include <algorithm>
#include <limits>

namespace switchyard::common {

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    // The second byte's range rules out overlong forms (after E0, F0), surrogates (after ED)
    // and code points past U+10FFFF (after F4); the later bytes are plain continuations.
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }
    else if (c == 0xED) { len = 3; hi = 0x9F; }
    else if (c >= 0xE1 && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }
    else return 0;
    if (i + len > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < len; ++k)
        if (!is_utf8_continuation(byte(i + k))) return 0;
    return len;
}

std::size_t find_invalid_utf8(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size();) {
        std::size_t len = utf8_sequence_length(bytes, i);
        if (len == 0) return i;
        i += len;
    }
    return std::string_view::npos;
}

std::optional<CodePoint> decode_utf8(std::string_view s, std::size_t i) {
    std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) return std::nullopt;
    auto lead = static_cast<unsigned char>(s[i]);
    // The lead keeps 7, 5, 4 or 3 bits of the value; each continuation byte adds 6.
    std::uint32_t value = len == 1 ? lead : lead & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) value = (value << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    return CodePoint{value, len};
}

std::size_t encode_utf8(std::uint32_t cp, char* out) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    auto put = [&](std::size_t k, std::uint32_t bits) { out[k] = static_cast<char>(bits); };
    if (cp < 0x80) {
        put(0, cp);
        return 1;
    }
    if (cp < 0x800) {
        put(0, 0xC0 | (cp >> 6));
        put(1, 0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        put(0, 0xE0 | (cp >> 12));
        put(1, 0x80 | ((cp >> 6) & 0x3F));
        put(2, 0x80 | (cp & 0x3F));
        return 3;
    }
    put(0, 0xF0 | (cp >> 18));
    put(1, 0x80 | ((cp >> 12) & 0x3F));
    put(2, 0x80 | ((cp >> 6) & 0x3F));
    put(3, 0x80 | (cp & 0x3F));
    return 4;
}

bool append_utf8(std::uint32_t cp, std::string& out) {
    char bytes[max_utf8_bytes];
    std::size_t n = encode_utf8(cp, bytes);
    out.append(bytes, n);
    return n != 0;
}

std::size_t count_code_points(std::string_view bytes) {
    return static_cast<std::size_t>(
        std::count_if(bytes.begin(), bytes.end(), [](char c) { return !is_utf8_continuation(static_cast<unsigned char>(c)); }));
}

std::size_t utf8_character_end(std::string_view s, std::size_t i) {
    std::size_t end = i + 1;
    while (end < s.size() && is_utf8_continuation(static_cast<unsigned char>(s[end]))) ++end;
    return end;
}

std::size_t utf8_character_start(std::string_view s, std::size_t i) {
    while (i > 0 && i < s.size() && is_utf8_continuation(static_cast<unsigned char>(s[i]))) --i;
    return i;
}

namespace {

// A sequence of four UTF-8 bytes is a code point above U+FFFF: a surrogate pair in UTF-16.
std::int64_t utf16_units(std::size_t utf8_bytes) { return utf8_bytes == 4 ? 2 : 1; }

// The byte where UTF-16 unit `unit` starts; the end of the text for the unit just past it.
// nullopt past the end or inside a surrogate pair.
std::optional<std::size_t> byte_at_utf16_unit(std::string_view text, std::int64_t unit) {
    std::size_t byte = 0;
    std::int64_t units = 0;
    while (units < unit && byte < text.size()) {
        std::size_t n = utf8_claimed_length(static_cast<unsigned char>(text[byte]));
        byte = std::min(byte + n, text.size());
        units += utf16_units(n);
    }
    if (units != unit) return std::nullopt;
    return byte;
}

}  // namespace

std::int64_t utf16_length(std::string_view text) {
    std::int64_t units = 0;
    for (std::size_t byte = 0; byte < text.size();) {
        std::size_t n = utf8_claimed_length(static_cast<unsigned char>(text[byte]));
        byte += n;
        units += utf16_units(n);
    }
    return units;
}

std::optional<std::string_view> utf16_slice(std::string_view text, std::int64_t offset, std::int64_t length) {
    if (offset < 0 || length < 0 || length > std::numeric_limits<std::int64_t>::max() - offset) return std::nullopt;
    auto begin = byte_at_utf16_unit(text, offset);
    auto end = byte_at_utf16_unit(text, offset + length);
    if (!begin || !end) return std::nullopt;
    return text.substr(*begin, *end - *begin);
}

}  // namespace switchyard::common
