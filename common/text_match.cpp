#include "common/text_match.hpp"

#include "common/utf8.hpp"

#include <array>
#include <bitset>

namespace switchyard::common {

namespace {

// One character read from `s` at `i`. A malformed byte (rule strings are checked UTF-8; a
// hand-written ruleset or a webhook may hold anything) reads as a surrogate of its own, which
// no well-formed character equals, so it matches only itself.
struct Character {
    std::uint32_t value;
    std::size_t bytes;
};

Character read_character(std::string_view s, std::size_t i) {
    if (auto cp = decode_utf8(s, i)) return {cp->value, cp->bytes};
    return {0xDC00u + static_cast<unsigned char>(s[i]), 1};
}

// ---- words ----

struct Word {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// The first word of `s` at or after `from`, or nothing.
std::optional<Word> next_word(std::string_view s, std::size_t from) {
    std::size_t i = from;
    while (i < s.size()) {
        auto c = read_character(s, i);
        if (is_word_character(c.value)) break;
        i += c.bytes;
    }
    if (i >= s.size()) return std::nullopt;
    Word w{i, i};
    while (w.end < s.size()) {
        auto c = read_character(s, w.end);
        if (!is_word_character(c.value)) break;
        w.end += c.bytes;
    }
    return w;
}

bool same_word(std::string_view a, Word wa, std::string_view b, Word wb) {
    std::size_t i = wa.begin, j = wb.begin;
    while (i < wa.end && j < wb.end) {
        auto ca = read_character(a, i);
        auto cb = read_character(b, j);
        if (fold_case(ca.value) != fold_case(cb.value)) return false;
        i += ca.bytes;
        j += cb.bytes;
    }
    return i == wa.end && j == wb.end;
}

// Whether the words of `phrase`, from its first, follow one another in `text` from `start`.
bool phrase_at(std::string_view text, Word start, std::string_view phrase, Word first) {
    std::optional<Word> t = start, p = first;
    while (p) {
        if (!t || !same_word(text, *t, phrase, *p)) return false;
        t = next_word(text, t->end);
        p = next_word(phrase, p->end);
    }
    return true;
}

// ---- patterns ----

struct Part {
    enum class Kind : std::uint8_t { character, any_one, any_run, char_class } kind = Kind::character;
    bool negated = false;
    std::uint32_t character = 0;
    std::size_t class_begin = 0;  // the class's items: pattern bytes [class_begin, class_end)
    std::size_t class_end = 0;
};

struct Parts {
    std::array<Part, max_pattern_parts> items;
    std::size_t count = 0;
};

// Parses `[...]` whose `[` is at `open`; the class ends at the `]` returned.
std::optional<std::size_t> parse_class(std::string_view pattern, std::size_t open, Part& part,
                                       std::optional<PatternError>& error) {
    std::size_t i = open + 1;
    part.kind = Part::Kind::char_class;
    if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
        part.negated = true;
        ++i;
    }
    part.class_begin = i;
    bool first = true;
    while (i < pattern.size() && (first || pattern[i] != ']')) {
        first = false;
        auto low = read_character(pattern, i);
        std::size_t at = i;
        i += low.bytes;
        if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
            auto high = read_character(pattern, i + 1);
            if (high.value < low.value) {
                error = PatternError{at, "the range `" + std::string(pattern.substr(at, i + 1 + high.bytes - at)) +
                                             "` is reversed: write the smaller character first"};
                return std::nullopt;
            }
            i += 1 + high.bytes;
        }
    }
    if (i >= pattern.size()) {
        error = PatternError{open, "`[` has no closing `]`: write `[[]` for the character `[` itself"};
        return std::nullopt;
    }
    part.class_end = i;
    return i;
}

std::optional<PatternError> parse_pattern(std::string_view pattern, Parts& parts) {
    std::optional<PatternError> error;
    for (std::size_t i = 0; i < pattern.size();) {
        if (parts.count == max_pattern_parts)
            return PatternError{i, "the pattern has more than " + std::to_string(max_pattern_parts) + " parts"};
        Part part;
        auto c = read_character(pattern, i);
        if (c.value == '*') part.kind = Part::Kind::any_run;
        else if (c.value == '?') part.kind = Part::Kind::any_one;
        else if (c.value == '[') {
            auto close = parse_class(pattern, i, part, error);
            if (!close) return error;
            c.bytes = *close + 1 - i;
        } else part.character = c.value;
        parts.items[parts.count++] = part;
        i += c.bytes;
    }
    return std::nullopt;
}

bool in_class(std::string_view pattern, const Part& part, std::uint32_t c) {
    bool found = false;
    for (std::size_t i = part.class_begin; i < part.class_end && !found;) {
        auto low = read_character(pattern, i);
        i += low.bytes;
        std::uint32_t high = low.value;
        if (i + 1 < part.class_end && pattern[i] == '-') {
            auto h = read_character(pattern, i + 1);
            high = h.value;
            i += 1 + h.bytes;
        }
        found = c >= low.value && c <= high;
    }
    return found != part.negated;
}

bool part_takes(std::string_view pattern, const Part& part, std::uint32_t c) {
    switch (part.kind) {
        case Part::Kind::character: return part.character == c;
        case Part::Kind::any_one: return true;
        case Part::Kind::any_run: return false;  // handled as a loop by the caller
        case Part::Kind::char_class: return in_class(pattern, part, c);
    }
    return false;
}

using States = std::bitset<max_pattern_parts + 1>;  // state k: the first k parts are matched

// A `*` may match nothing: from before it, the state after it is reached too. In order, so a
// run of `*` passes through.
void add_empty_runs(const Parts& parts, States& states) {
    for (std::size_t k = 0; k < parts.count; ++k)
        if (states[k] && parts.items[k].kind == Part::Kind::any_run) states[k + 1] = true;
}

}  // namespace

std::uint32_t fold_case(std::uint32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;  // А-Я
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;  // Ѐ-Џ: Ё, Є, І, Ї, ...
    if (cp == 0x0490) return 0x0491;                     // Ґ
    return cp;
}

bool is_word_character(std::uint32_t cp) {
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp >= 0x00C0 && cp <= 0x024F) return cp != 0x00D7 && cp != 0x00F7;  // Latin letters, not × and ÷
    if (cp >= 0x0370 && cp <= 0x03FF) return cp != 0x037E && cp != 0x0387;  // Greek, not its punctuation
    return cp >= 0x0400 && cp <= 0x052F && !(cp >= 0x0482 && cp <= 0x0489);  // Cyrillic, not its signs
}

bool has_phrase(std::string_view text, std::string_view phrase) {
    auto first = next_word(phrase, 0);
    if (!first) return false;
    for (auto t = next_word(text, 0); t; t = next_word(text, t->end))
        if (phrase_at(text, *t, phrase, *first)) return true;
    return false;
}

std::optional<PatternError> check_pattern(std::string_view pattern) {
    Parts parts;
    return parse_pattern(pattern, parts);
}

bool matches_pattern(std::string_view text, std::string_view pattern) {
    Parts parts;
    if (parse_pattern(pattern, parts)) return false;
    States states;
    states[0] = true;
    add_empty_runs(parts, states);
    for (std::size_t i = 0; i < text.size() && states.any();) {
        auto c = read_character(text, i);
        i += c.bytes;
        States next;
        for (std::size_t k = 0; k < parts.count; ++k) {
            if (!states[k]) continue;
            const Part& part = parts.items[k];
            if (part.kind == Part::Kind::any_run) next[k] = true;
            else if (part_takes(pattern, part, c.value)) next[k + 1] = true;
        }
        add_empty_runs(parts, next);
        states = next;
    }
    return states[parts.count];
}

}  // namespace switchyard::common
