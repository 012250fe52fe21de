#include "tests/reference/text.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::reference {

namespace {

// Strings reaching the reference are valid UTF-8 (they come from rule text and JSON).
std::u32string code_points(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        char32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
        for (std::size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
        out += cp;
        i += n;
    }
    return out;
}

// docs/language.md: Latin, Greek and Cyrillic letters and ASCII digits make words.
bool in_word(char32_t c) {
    if (c < 0x80) return std::isalnum(static_cast<int>(c)) != 0;
    if (c == U'×' || c == U'÷' || c == 0x037E || c == 0x0387 || (c >= 0x0482 && c <= 0x0489)) return false;
    return (c >= 0x00C0 && c <= 0x024F) || (c >= 0x0370 && c <= 0x03FF) || (c >= 0x0400 && c <= 0x052F);
}

std::vector<std::u32string> words(std::string_view s) {
    std::vector<std::u32string> out(1);
    for (char32_t c : code_points(s)) {
        if (in_word(c)) out.back() += c;
        else if (!out.back().empty()) out.emplace_back();
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

// A pattern part: a set of [low, high] ranges (negated or not), or a `*`.
struct Part {
    bool star = false;
    bool negated = false;
    std::vector<std::pair<char32_t, char32_t>> ranges;  // empty and negated: `?`
    bool takes(char32_t c) const {
        bool in = std::any_of(ranges.begin(), ranges.end(), [&](auto r) { return c >= r.first && c <= r.second; });
        return in != negated;
    }
};

std::optional<std::vector<Part>> parse(const std::u32string& p) {
    std::vector<Part> parts;
    for (std::size_t i = 0; i < p.size(); ++i) {
        Part part;
        if (p[i] == U'*') part.star = true;
        else if (p[i] == U'?') part.negated = true;
        else if (p[i] != U'[') part.ranges.push_back({p[i], p[i]});
        else {
            std::size_t j = i + 1;
            if (j < p.size() && (p[j] == U'!' || p[j] == U'^')) {
                part.negated = true;
                ++j;
            }
            for (std::size_t start = j; j < p.size() && (j == start || p[j] != U']');) {
                char32_t low = p[j], high = low;
                bool range = j + 2 < p.size() && p[j + 1] == U'-' && p[j + 2] != U']';
                if (range) high = p[j + 2];
                if (high < low) return std::nullopt;
                part.ranges.push_back({low, high});
                j += range ? 3 : 1;
            }
            if (j >= p.size()) return std::nullopt;
            i = j;
        }
        parts.push_back(std::move(part));
    }
    if (parts.size() > 256) return std::nullopt;
    return parts;
}

}  // namespace

bool phrase_in(std::string_view lowered_text, std::string_view lowered_phrase) {
    auto text = words(lowered_text), phrase = words(lowered_phrase);
    if (phrase.empty()) return false;
    return std::search(text.begin(), text.end(), phrase.begin(), phrase.end()) != text.end();
}

bool glob_match(std::string_view text, std::string_view pattern) {
    auto parts = parse(code_points(pattern));
    if (!parts) return false;
    auto t = code_points(text);
    // ok[k][i]: the first k parts match the first i characters.
    std::vector<std::vector<bool>> ok(parts->size() + 1, std::vector<bool>(t.size() + 1, false));
    ok[0][0] = true;
    for (std::size_t k = 1; k <= parts->size(); ++k) {
        const Part& part = (*parts)[k - 1];
        for (std::size_t i = 0; i <= t.size(); ++i) {
            if (part.star) ok[k][i] = ok[k - 1][i] || (i > 0 && ok[k][i - 1]);
            else ok[k][i] = i > 0 && ok[k - 1][i - 1] && part.takes(t[i - 1]);
        }
    }
    return ok[parts->size()][t.size()];
}

}  // namespace switchyard::reference
