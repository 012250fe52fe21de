// The parser: the text of tokens. Numbers with units, dates and times, and string escapes
// become values; a syntax error gets the token it found and a caret as wide as it; after one,
// parsing resumes at the policy's next rule or the next declaration, and the words of what it
// skips are kept. No PEGTL here: these work on plain text.
#include "dsl/parser.hpp"

#include "common/civil.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"
#include "dsl/parser_impl.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <limits>

namespace switchyard::dsl {

namespace {

// Decodes a string body; returns the offset of a bad \u{...} escape, if any. Bodies that the
// grammar did not accept decode as best they can, never reading past the end.
std::optional<std::size_t> decode(std::string_view body, std::string& out) {
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] != '\\' || i + 1 >= body.size()) {
            out += body[i];
            continue;
        }
        char c = body[++i];
        switch (c) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'u': {
                auto close = body.find('}', i);
                if (close == std::string_view::npos || i + 2 > close) return i - 1;  // not from the grammar
                std::uint32_t cp = 0;
                std::from_chars(body.data() + i + 2, body.data() + close, cp, 16);
                if (!common::append_utf8(cp, out)) return i - 1;
                i = close;
                break;
            }
            default: out += c;
        }
    }
    return std::nullopt;
}

bool starts_declaration(std::string_view line) {
    for (std::string_view kw : {"ruleset", "import", "setting", "contact_field", "let", "fn", "policy", "test"}) {
        if (line.substr(0, kw.size()) == kw &&
            (line.size() == kw.size() || !(std::isalnum(static_cast<unsigned char>(line[kw.size()])) || line[kw.size()] == '_')))
            return true;
    }
    return false;
}

}  // namespace

std::uint32_t token_end(std::string_view text, std::uint32_t at) {
    if (at >= text.size()) return at;
    auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    std::uint32_t end = at;
    if (is_word(text[at])) {
        while (end < text.size() && is_word(text[end])) ++end;
        return end;
    }
    return static_cast<std::uint32_t>(common::utf8_character_end(text, at));
}

std::string describe_found(std::string_view text, std::uint32_t at) {
    if (at >= text.size()) return "end of file";
    if (text[at] == '\n' || text[at] == '\r') return "end of line";
    auto token = text.substr(at, std::min<std::size_t>(token_end(text, at) - at, 40));
    return "`" + std::string(token) + "`";
}

std::int64_t parse_integer(std::string_view digits, std::uint32_t at) {
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || ptr != digits.data() + digits.size())
        throw SyntaxFailure{Code::E0105,
                            "number `" + std::string(digits.substr(0, 40)) + "` is too large (the largest is " +
                                std::to_string(std::numeric_limits<std::int64_t>::max()) + ")",
                            at, at + static_cast<std::uint32_t>(digits.size())};
    return value;
}

std::optional<SizeUnit> size_unit_named(std::string_view s) {
    for (auto u : {SizeUnit::B, SizeUnit::KB, SizeUnit::MB, SizeUnit::GB, SizeUnit::KiB, SizeUnit::MiB, SizeUnit::GiB})
        if (to_string(u) == s) return u;
    return std::nullopt;
}

std::optional<DurationUnit> duration_unit_named(std::string_view s) {
    for (auto u : {DurationUnit::ms, DurationUnit::s, DurationUnit::min, DurationUnit::h, DurationUnit::d})
        if (to_string(u) == s) return u;
    return std::nullopt;
}

namespace {

template <typename Unit>
std::int64_t checked_amount(std::int64_t amount, Unit unit, Span span) {
    if (amount > std::numeric_limits<std::int64_t>::max() / unit_factor(unit))
        throw SyntaxFailure{Code::E0105, "`" + std::to_string(amount) + " " + std::string(to_string(unit)) + "` is too large",
                            span.begin, span.end};
    return amount;
}

// A date or time literal's value, or E0107 with what is wrong in it.
common::ParsedTime checked_time(common::ParsedTime parsed, Span span) {
    if (!parsed.ok()) throw SyntaxFailure{Code::E0107, parsed.error, span.begin, span.end};
    return parsed;
}

}  // namespace

Expr::Node number_literal(std::string_view text, Span span) {
    std::size_t digits_end = 0;
    while (digits_end < text.size() && std::isdigit(static_cast<unsigned char>(text[digits_end]))) ++digits_end;
    std::int64_t amount = parse_integer(text.substr(0, digits_end), span.begin);
    std::string_view rest = text.substr(digits_end);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (rest.empty()) return IntLit{amount};
    if (auto su = size_unit_named(rest)) return SizeLit{checked_amount(amount, *su, span), *su};
    auto du = duration_unit_named(rest);  // the grammar admits no other unit
    return DurationLit{checked_amount(amount, *du, span), *du};
}

Expr::Node date_literal(std::string_view text, Span span) {
    return DateLit{checked_time(common::parse_date(text), span).value};
}

Expr::Node time_of_day_literal(std::string_view text, Span span) {
    return TimeOfDayLit{checked_time(common::parse_time_of_day(text), span).value};
}

Expr::Node time_literal(std::string_view text, Span span) {
    auto parsed = checked_time(common::parse_instant(text), span);
    return TimeLit{parsed.value, parsed.offset_minutes};
}

Expr::Node short_clock_literal(std::string_view text, Span span) {
    throw SyntaxFailure{Code::E0107, "a time of day has two digits for the hour: write `0" + std::string(text) + "`",
                        span.begin, span.end};
}

std::string unescape_checked(std::string_view literal, std::uint32_t at) {
    std::string out;
    if (auto bad = decode(literal.substr(1, literal.size() - 2), out)) {
        auto begin = at + 1 + static_cast<std::uint32_t>(*bad);
        throw SyntaxFailure{Code::E0104, "`\\u{...}` names no Unicode character (surrogates and values past 10FFFF are not)",
                            begin, begin + 2};
    }
    return out;
}

std::size_t recovery_point(std::string_view text, std::size_t from, std::size_t decl_start) {
    bool at_line_start = from == 0 || text[from - 1] == '\n';
    if (from > decl_start && at_line_start && starts_declaration(text.substr(from))) return from;
    std::size_t pos = text.find('\n', from);
    while (pos != std::string_view::npos) {
        ++pos;
        if (starts_declaration(text.substr(pos))) return pos;
        pos = text.find('\n', pos);
    }
    return text.size();
}

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The first word of `line` after its indentation, and where it starts.
std::pair<std::string_view, std::size_t> first_word(std::string_view line) {
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) return {{}, line.size()};
    std::size_t end = start;
    while (end < line.size() && is_word_char(line[end])) ++end;
    return {line.substr(start, end - start), start};
}

}  // namespace

std::optional<std::size_t> rule_recovery_point(std::string_view text, std::size_t from, bool lets_allowed) {
    std::size_t line = text.rfind('\n', from == 0 ? 0 : from - 1);
    line = (line == std::string_view::npos || from == 0) ? 0 : line + 1;
    while (line < text.size()) {
        std::string_view rest = text.substr(line);
        if (starts_declaration(rest)) return std::nullopt;  // the policy's `}` is missing
        auto [word, at] = first_word(rest.substr(0, rest.find('\n')));
        bool at_or_after = line + at >= from;  // on the failing line, only a rule the failure is at
        if (at_or_after && (word == "when" || word == "otherwise" || (word == "let" && lets_allowed && at > 0)))
            return line + at;
        if (at_or_after && at == 0 && !rest.empty() && rest.front() == '}') return line;
        std::size_t next = text.find('\n', line);
        if (next == std::string_view::npos) break;
        line = next + 1;
    }
    return std::nullopt;
}

std::vector<std::string> words_in(std::string_view text) {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < text.size();) {
        char c = text[i];
        if (c == '#') {
            i = std::min(text.find('\n', i), text.size());
        } else if (c == '"') {
            for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
                if (text[i] == '\\') ++i;
            ++i;
        } else if (is_word_char(c)) {
            std::size_t end = i;
            while (end < text.size() && is_word_char(text[end])) ++end;
            if (!std::isdigit(static_cast<unsigned char>(c))) words.emplace_back(text.substr(i, end - i));
            i = end;
        } else {
            ++i;
        }
    }
    return words;
}

void skip_text(State& st, std::string_view text, std::size_t from, std::size_t to) {
    if (from >= to) return;
    auto words = words_in(text.substr(from, to - from));
    if (st.policy && st.in_policy_body)
        st.policy->unparsed_names.insert(st.policy->unparsed_names.end(), words.begin(), words.end());
    auto& all = st.module.unparsed_names;
    all.insert(all.end(), std::make_move_iterator(words.begin()), std::make_move_iterator(words.end()));
}

Resume resume_after(State& st, std::string_view text, std::uint32_t failure_at, std::size_t decl_start) {
    if (st.policy && st.in_policy_body) {
        st.policy->incomplete = true;
        if (auto next = rule_recovery_point(text, failure_at, st.policy->rules.empty())) {
            skip_text(st, text, st.item_end, *next);
            st.clear_expressions();
            st.item_end = static_cast<std::uint32_t>(*next);
            return {*next, true};
        }
        std::size_t next = recovery_point(text, failure_at, decl_start);
        skip_text(st, text, st.item_end, next);
        st.policy->close_span = {failure_at, failure_at};
        st.finish_policy(failure_at);  // what parsed of it is still checked
        st.clear();
        return {next, false};
    }
    std::size_t next = recovery_point(text, failure_at, decl_start);
    skip_text(st, text, decl_start, next);
    st.clear();
    return {next, false};
}

void finish_unparsed_names(Module& module) {
    auto sort_unique = [](std::vector<std::string>& words) {
        std::sort(words.begin(), words.end());
        words.erase(std::unique(words.begin(), words.end()), words.end());
    };
    sort_unique(module.unparsed_names);
    for (auto& decl : module.decls)
        if (auto* policy = std::get_if<PolicyDecl>(&decl.node)) sort_unique(policy->unparsed_names);
}

std::string unescape(std::string_view body) {
    std::string out;
    decode(body, out);
    return out;
}

std::string quote(std::string_view value) { return common::quote(value); }

}  // namespace switchyard::dsl
