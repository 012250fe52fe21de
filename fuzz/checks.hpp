// What the fuzz targets share: an invariant that fails stops the run with a message, so that
// libFuzzer keeps the input as a crash (a plain `return` would let a broken promise pass).
#pragma once

#include "common/utf8.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::fuzz {

// Aborts with `what` when `holds` is false; abort() is what libFuzzer records as a crash.
inline void require(bool holds, std::string_view what) {
    if (holds) return;
    std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

// `text` (named `field` in the message) must be well-formed UTF-8.
inline void require_utf8(std::string_view text, std::string_view field) {
    auto bad = common::find_invalid_utf8(text);
    if (bad == std::string_view::npos) return;
    require(false, std::string(field) + " is not valid UTF-8 at byte " + std::to_string(bad));
}

// The same for a string that may be absent.
inline void require_utf8_if(const std::optional<std::string>& text, std::string_view field) {
    if (text) require_utf8(*text, field);
}

inline std::string_view bytes_of(const unsigned char* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace switchyard::fuzz
