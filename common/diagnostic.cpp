#include "common/diagnostic.hpp"

#include "common/text.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <ostream>
#include <sstream>
#include <tuple>

namespace switchyard::common {

namespace {
const std::vector<CodeInfo> code_table = {
#define X(code, severity, title) {#code, Severity::severity, title},
#include "common/diagnostic_codes.def"
#undef X
};

auto sort_key(const Diagnostic& d, const SourceMap& sources) {
    const auto& file = sources.file(d.file);
    return std::make_tuple(std::string_view(file.path()), d.span.begin, d.span.end, code_info(d.code).name,
                           std::string_view(d.message));
}

std::string location(const SourceMap& sources, FileId file, Span span) {
    const auto& f = sources.file(file);
    auto lc = f.locate(span.begin);
    return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

// The prefix of a source line turned into padding that lines up under it (tabs kept).
std::string padding_for(std::string_view prefix) {
    std::string pad;
    for (char c : prefix) {
        if (is_utf8_continuation(static_cast<unsigned char>(c))) continue;
        pad += c == '\t' ? '\t' : ' ';
    }
    return pad;
}

// The line with invalid UTF-8 and control characters (tabs kept) shown as `?`, byte for byte,
// so that a hostile file cannot drive the terminal and the caret still lines up.
std::string printable(std::string_view line) {
    std::string out(line);
    for (std::size_t i = 0; i < out.size();) {
        auto c = static_cast<unsigned char>(out[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t') || c == 0x7F) out[i] = '?';
            ++i;
            continue;
        }
        std::size_t len = utf8_sequence_length(out, i);
        if (len == 0) out[i] = '?', len = 1;  // one byte of a malformed sequence at a time
        i += len;
    }
    return out;
}

void render_snippet(const SourceFile& file, Span span, std::ostream& out) {
    auto lc = file.locate(span.begin);
    std::string safe_line = printable(file.line_text(lc.line));
    std::string_view line = safe_line;
    // A 10 MB line would drown the terminal: show at most this much of it.
    constexpr std::size_t max_shown = 240;
    std::size_t line_begin = span.begin;
    while (line_begin > 0 && file.text()[line_begin - 1] != '\n') --line_begin;
    std::size_t col_byte = span.begin - line_begin;
    std::size_t shown_from = col_byte > max_shown / 2 ? col_byte - max_shown / 2 : 0;
    shown_from = utf8_character_start(line, shown_from);
    std::string_view shown = line.substr(std::min(shown_from, line.size()));
    bool cut = shown.size() > max_shown;
    if (cut) {
        shown = shown.substr(0, utf8_character_start(shown, max_shown));
    }
    std::string number = std::to_string(lc.line);
    std::string gutter(number.size(), ' ');
    out << ' ' << number << " | " << (shown_from > 0 ? "..." : "") << shown << (cut ? "..." : "") << '\n';
    std::size_t rel = col_byte - shown_from;
    std::string_view before = shown.substr(0, std::min(rel, shown.size()));
    std::size_t span_len = span.end > span.begin ? span.end - span.begin : 1;
    std::size_t avail = rel < shown.size() ? shown.size() - rel : 0;
    std::string_view under = shown.substr(std::min(rel, shown.size()), std::min(span_len, avail));
    std::size_t width = std::max<std::size_t>(1, count_code_points(under));
    out << ' ' << gutter << " | " << (shown_from > 0 ? "   " : "") << padding_for(before) << '^'
        << std::string(width - 1, '~') << '\n';
}

boost::json::object to_json(const Diagnostic& d, const SourceMap& sources) {
    const auto& file = sources.file(d.file);
    auto begin = file.locate(d.span.begin);
    auto end = file.locate(d.span.end);
    boost::json::object o;
    o["code"] = code_info(d.code).name;
    o["severity"] = severity_name(d.severity);
    o["file"] = file.path();
    o["line"] = begin.line;
    o["column"] = begin.column;
    o["end_line"] = end.line;
    o["end_column"] = end.column;
    o["message"] = d.message;
    if (!d.help.empty()) o["help"] = d.help;
    if (!d.notes.empty()) {
        boost::json::array notes;
        for (const auto& n : d.notes) {
            auto lc = sources.file(n.file).locate(n.span.begin);
            notes.push_back({{"file", sources.file(n.file).path()},
                             {"line", lc.line},
                             {"column", lc.column},
                             {"message", n.message}});
        }
        o["notes"] = std::move(notes);
    }
    return o;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}
}  // namespace

const CodeInfo& code_info(Code code) { return code_table.at(static_cast<std::size_t>(code)); }
const std::vector<CodeInfo>& all_codes() { return code_table; }

std::string_view severity_name(Severity severity) {
    switch (severity) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::note: return "note";
    }
    return "error";
}

bool is_configuration_code(Code code) { return code_info(code).name.starts_with("E08"); }

Diagnostic& DiagnosticBag::report(Code code, FileId file, Span span, std::string message, std::string help) {
    items_.push_back(Diagnostic{code, code_info(code).severity, file, span, std::move(message), std::move(help), {}});
    return items_.back();
}

void DiagnosticBag::append(std::vector<Diagnostic> more) {
    for (auto& d : more) items_.push_back(std::move(d));
}

std::vector<Diagnostic> DiagnosticBag::sorted(const SourceMap& sources) const {
    std::vector<Diagnostic> out = items_;
    std::stable_sort(out.begin(), out.end(),
                     [&](const Diagnostic& a, const Diagnostic& b) { return sort_key(a, sources) < sort_key(b, sources); });
    auto same = [&](const Diagnostic& a, const Diagnostic& b) { return sort_key(a, sources) == sort_key(b, sources); };
    out.erase(std::unique(out.begin(), out.end(), same), out.end());
    return out;
}

bool DiagnosticBag::has_errors() const {
    return std::any_of(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::error; });
}

void render_text(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources, std::ostream& out,
                 RenderOptions options) {
    const char* bold = options.color ? "\x1b[1m" : "";
    const char* reset = options.color ? "\x1b[0m" : "";
    for (const auto& d : diagnostics) {
        const char* tint = !options.color ? "" : d.severity == Severity::error ? "\x1b[1;31m" : "\x1b[1;35m";
        out << bold << location(sources, d.file, d.span) << ": " << reset << tint << severity_name(d.severity) << '['
            << code_info(d.code).name << "]: " << reset << bold << d.message << reset << '\n';
        render_snippet(sources.file(d.file), d.span, out);
        for (const auto& n : d.notes) out << "   = note: " << n.message << " at " << location(sources, n.file, n.span) << '\n';
        if (!d.help.empty()) out << "   = help: " << d.help << '\n';
    }
}

std::string render_text_string(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources) {
    std::ostringstream out;
    render_text(diagnostics, sources, out);
    auto text = out.str();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

void render_json(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources, std::ostream& out) {
    boost::json::array items;
    std::size_t errors = 0, warnings = 0;
    for (const auto& d : diagnostics) {
        items.push_back(to_json(d, sources));
        (d.severity == Severity::error ? errors : warnings) += d.severity == Severity::note ? 0 : 1;
    }
    boost::json::object doc{{"diagnostics", std::move(items)}, {"errors", errors}, {"warnings", warnings}};
    out << boost::json::serialize(doc) << '\n';
}

std::string summarize(const std::vector<Diagnostic>& diagnostics) {
    std::size_t errors = 0, warnings = 0;
    for (const auto& d : diagnostics) {
        if (d.severity == Severity::error) ++errors;
        if (d.severity == Severity::warning) ++warnings;
    }
    auto plural = [](std::size_t n, std::string_view word) {
        return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
    };
    if (errors && warnings) return plural(errors, "error") + ", " + plural(warnings, "warning");
    if (errors) return plural(errors, "error");
    if (warnings) return plural(warnings, "warning");
    return {};
}

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
    // Case is no distance: `ATTACH` is `attach` mistyped, however long the word.
    auto lowered = ascii_lower(word);
    std::string_view best;
    std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
    for (auto candidate : candidates) {
        std::size_t d = edit_distance(lowered, ascii_lower(candidate));
        if (d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    return std::string(best);
}

}  // namespace switchyard::common
