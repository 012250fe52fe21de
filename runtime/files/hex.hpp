// Bytes as lowercase hex, the form of blob names, signatures and secrets. Private to runtime/files.
#pragma once

#include <string>
#include <string_view>

namespace switchyard::files {

inline std::string to_hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

// Exactly `length` characters, each 0-9 or a-f.
inline bool is_lower_hex(std::string_view text, std::size_t length) {
    if (text.size() != length) return false;
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace switchyard::files
