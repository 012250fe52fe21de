// Reading TOML: toml++'s positions as diagnostics, typed access to a table's keys, TOML values
// as case JSON.
#include "runtime/config/toml_reader.hpp"

#include <algorithm>
#include <cstdlib>

namespace switchyard::config::detail {

using common::Code;

Report::Report(const std::string& path, std::string_view text) : sources_(std::make_shared<common::SourceMap>()) {
    file_ = sources_->add(path, std::string(text));
}

common::Span Report::span_of(const toml::source_region& at) const {
    const auto& file = sources_->file(file_);
    auto position = [&](const toml::source_position& p) {
        // A node without a source (never the case for parsed nodes) still gets a usable position.
        return file.offset_of({std::max<std::uint32_t>(p.line, 1), std::max<std::uint32_t>(p.column, 1)});
    };
    auto begin = position(at.begin);
    // A region over several lines (the root table, an array written over lines) is pointed at by
    // its first character: underlining its first line would name the wrong thing.
    if (at.end.line != at.begin.line || at.end.column < at.begin.column) return {begin, begin};
    return {begin, position(at.end)};
}

common::Diagnostic& Report::add(Code code, const toml::source_region& at, std::string message, std::string help) {
    return bag_.report(code, file_, span_of(at), std::move(message), std::move(help));
}

void Report::add_at_start(Code code, std::string message, std::string help) {
    bag_.report(code, file_, {0, 0}, std::move(message), std::move(help));
}

void Report::throw_if_any() const {
    if (bag_.size() == 0) return;
    throw ConfigError(sources_, bag_.sorted(*sources_));
}

std::string found(const toml::node& n) {
    switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return n.as_array()->is_array_of_tables() ? "an array of tables" : "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
    }
    return "nothing";
}

namespace {

std::string two_digits(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// TOML dates and times become the text a case reads (`2026-11-21T10:00:00Z`); anything but a
// UTC date-time is kept as written so that the ruleset's check names it.
std::string date_time_text(const toml::node& n) {
    std::string out;
    auto date = [&](const toml::date& d) {
        out += std::to_string(d.year) + "-" + two_digits(d.month) + "-" + two_digits(d.day);
    };
    auto time = [&](const toml::time& t) {
        out += two_digits(t.hour) + ":" + two_digits(t.minute) + ":" + two_digits(t.second);
        if (t.nanosecond != 0) {
            auto ms = std::to_string(1000 + t.nanosecond / 1000000);
            out += "." + ms.substr(1);
        }
    };
    if (const auto* d = n.as_date()) date(d->get());
    if (const auto* t = n.as_time()) time(t->get());
    if (const auto* dt = n.as_date_time()) {
        const auto& v = dt->get();
        date(v.date);
        out += "T";
        time(v.time);
        if (v.offset) {
            int minutes = v.offset->minutes;
            if (minutes == 0) out += "Z";
            else {
                out += minutes < 0 ? "-" : "+";
                minutes = std::abs(minutes);
                out += two_digits(unsigned(minutes / 60)) + ":" + two_digits(unsigned(minutes % 60));
            }
        }
    }
    return out;
}

}  // namespace

boost::json::value to_json(const toml::node& n) {
    if (const auto* s = n.as_string()) return boost::json::string(s->get());
    if (const auto* i = n.as_integer()) return i->get();
    if (const auto* f = n.as_floating_point()) return f->get();
    if (const auto* b = n.as_boolean()) return b->get();
    if (const auto* a = n.as_array()) {
        boost::json::array out;
        for (const auto& item : *a) out.push_back(to_json(item));
        return out;
    }
    if (const auto* t = n.as_table()) {
        boost::json::object out;
        for (const auto& [key, value] : *t) out[key.str()] = to_json(value);
        return out;
    }
    return boost::json::string(date_time_text(n));
}

void TableReader::wrong_type(const Section& s, std::string_view key, const toml::node& n, std::string_view expected) {
    problem(Code::E0802, n.source(), s.key(key) + ": expected " + std::string(expected) + ", found " + found(n));
}

void TableReader::allow(const Section& s, const std::vector<std::string_view>& keys) {
    for (const auto& [key, value] : *s.table) {
        if (std::find(keys.begin(), keys.end(), key.str()) != keys.end()) continue;
        auto best = common::closest_match(key.str(), keys);
        problem(Code::E0801, key.source(), s.key(key.str()) + ": unknown key",
                best.empty() ? std::string() : "did you mean `" + best + "`?");
    }
}

void TableReader::missing(const Section& s, std::string_view key, std::string_view why) {
    std::string where = s.name.empty() ? std::string() : s.name + ": ";
    problem(Code::E0803, s.table->source(),
            where + "missing required key `" + std::string(key) + "`" + (why.empty() ? std::string() : " (" + std::string(why) + ")"));
}

void TableReader::missing_table(std::string_view name, std::string help) {
    report_.add_at_start(Code::E0803, "missing table [" + std::string(name) + "]", std::move(help));
}

std::optional<Located<std::string>> TableReader::text(const Section& s, std::string_view key) {
    const auto* n = s.get(key);
    if (!n) return std::nullopt;
    const auto* v = n->as_string();
    if (!v) {
        wrong_type(s, key, *n, "a string");
        return std::nullopt;
    }
    return Located<std::string>{v->get(), n->source()};
}

std::optional<Located<std::string>> TableReader::required_text(const Section& s, std::string_view key, std::string_view why) {
    if (!s.get(key)) {
        missing(s, key, why);
        return std::nullopt;
    }
    auto v = text(s, key);
    if (v && v->value.empty()) {
        problem(Code::E0804, v->at, s.key(key) + ": must not be empty");
        return std::nullopt;
    }
    return v;
}

std::optional<Located<std::string>> TableReader::optional_text(const Section& s, std::string_view key) {
    auto v = text(s, key);
    if (v && v->value.empty()) {
        problem(Code::E0804, v->at, s.key(key) + ": must not be empty", "leave the key out instead");
        return std::nullopt;
    }
    return v;
}

std::optional<Located<std::int64_t>> TableReader::integer(const Section& s, std::string_view key, std::string_view expected) {
    const auto* n = s.get(key);
    if (!n) return std::nullopt;
    const auto* v = n->as_integer();
    if (!v) {
        wrong_type(s, key, *n, expected);
        return std::nullopt;
    }
    return Located<std::int64_t>{v->get(), n->source()};
}

std::optional<bool> TableReader::boolean(const Section& s, std::string_view key) {
    const auto* n = s.get(key);
    if (!n) return std::nullopt;
    const auto* v = n->as_boolean();
    if (!v) {
        wrong_type(s, key, *n, "true or false");
        return std::nullopt;
    }
    return v->get();
}

std::optional<Section> TableReader::table(const Section& s, std::string_view key) {
    const auto* n = s.get(key);
    if (!n) return std::nullopt;
    const auto* t = n->as_table();
    if (!t) {
        wrong_type(s, key, *n, "a table ([" + s.key(key) + "])");
        return std::nullopt;
    }
    return Section{t, s.key(key)};
}

std::vector<Section> TableReader::tables(const Section& s, std::string_view key) {
    std::vector<Section> out;
    const auto* n = s.get(key);
    if (!n) return out;
    const auto* a = n->as_array();
    if (!a) {
        wrong_type(s, key, *n, "an array of tables ([[" + s.key(key) + "]])");
        return out;
    }
    for (const auto& item : *a) {
        if (const auto* t = item.as_table()) out.push_back({t, s.key(key)});
        else problem(Code::E0802, item.source(), s.key(key) + ": expected a table, found " + found(item));
    }
    return out;
}

std::vector<Located<std::int64_t>> TableReader::integers(const Section& s, std::string_view key, std::string_view expected) {
    std::vector<Located<std::int64_t>> out;
    const auto* n = s.get(key);
    if (!n) return out;
    const auto* a = n->as_array();
    if (!a) {
        wrong_type(s, key, *n, "an array of " + std::string(expected));
        return out;
    }
    for (std::size_t i = 0; i < a->size(); ++i) {
        const auto& item = *a->get(i);
        if (const auto* v = item.as_integer()) out.push_back({v->get(), item.source()});
        else problem(Code::E0802, item.source(),
                     s.key(key) + "[" + std::to_string(i) + "]: expected " + std::string(expected) + ", found " + found(item));
    }
    return out;
}

}  // namespace switchyard::config::detail
