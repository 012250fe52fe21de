// Matching text for the rules' `has_word`, `has_phrase` and `matches` (docs/language.md,
// "Matching text"). Shared by the checker, which refuses a bad pattern when the rules are
// compiled, and by the VM's host functions, which must not allocate: everything here works on
// views and fixed-size stack state, and runs in O(len(text) x len(pattern or phrase)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::common {

// The case folding of `lower`: A-Z, А-Я, Ѐ-Џ and Ґ to lowercase, everything else unchanged.
std::uint32_t fold_case(std::uint32_t cp);

// Letters of the Latin, Greek and Cyrillic scripts and the ASCII digits; every other character
// (spaces, punctuation, symbols, emoji, other scripts) separates words.
bool is_word_character(std::uint32_t cp);

// True when the words of `phrase` occur in `text` one after the other, compared after case
// folding; what separates the words does not matter. A phrase without words is never found.
bool has_phrase(std::string_view text, std::string_view phrase);

// A pattern of `matches` has at most this many parts (characters, `?`, `*`, classes), so the
// set of states the matcher tracks fits on the stack.
inline constexpr std::size_t max_pattern_parts = 256;

struct PatternError {
    std::size_t offset = 0;  // the byte of the pattern where the problem is
    std::string message;
};

// Nothing when `pattern` is a valid glob pattern (see matches_pattern), else what is wrong.
std::optional<PatternError> check_pattern(std::string_view pattern);

// Whether all of `text` matches the glob `pattern`: `*` any run of characters, `?` one
// character, `[abc]`, `[a-z]`, `[!a-z]` (or `[^a-z]`) one character of a class (a `]` first in a
// class is itself); every other character is itself. Case-sensitive. The pattern is run as an
// NFA over its parts, without backtracking. An invalid pattern (the checker refuses them; only
// a hand-written ruleset can hold one) matches nothing.
bool matches_pattern(std::string_view text, std::string_view pattern);

}  // namespace switchyard::common
