// Reading the server's TOML configuration (docs/configuration.md). Every problem of a file is
// collected with its position and all of them are reported at once, sorted by line, so that an
// admin fixes a file in one pass instead of one restart per mistake.
#include "runtime/config/config.hpp"
#include "stdlib/units.hpp"

#include "common/diagnostic.hpp"
#include "runtime/engine/engine.hpp"
#include "stdlib/schema.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace switchyard::config {

namespace fs = std::filesystem;

std::string_view service_name(Service service) {
    switch (service) {
    case Service::telegram: return "telegram";
    case Service::telegram_business: return "telegram_business";
    case Service::wazzup: return "wazzup";
    }
    return "telegram";
}

const Integration* Config::integration(std::string_view id) const {
    for (const auto& i : integrations)
        if (i.id == id) return &i;
    return nullptr;
}

const Employee* Config::employee(std::int64_t id) const {
    for (const auto& e : employees)
        if (e.id == id) return &e;
    return nullptr;
}

const Employee* Config::owner() const {
    for (const auto& e : employees)
        if (e.owner) return &e;
    return nullptr;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Problems: collected, then thrown as one ConfigError of `file:line:col: reason` lines.

struct Problem {
    std::uint32_t line = 1;
    std::uint32_t column = 1;
    std::string text;
};

class Problems {
public:
    explicit Problems(std::string file) : file_(std::move(file)) {}

    void add(std::uint32_t line, std::uint32_t column, std::string text) {
        // A node without a source (never the case for parsed nodes) still gets a usable position.
        items_.push_back({std::max<std::uint32_t>(line, 1), std::max<std::uint32_t>(column, 1), std::move(text)});
    }
    void add(const toml::source_region& at, std::string text) { add(at.begin.line, at.begin.column, std::move(text)); }

    void throw_if_any() {
        if (items_.empty()) return;
        std::stable_sort(items_.begin(), items_.end(), [](const Problem& a, const Problem& b) {
            return a.line != b.line ? a.line < b.line : a.column < b.column;
        });
        std::string message;
        for (const auto& p : items_) {
            if (!message.empty()) message += '\n';
            message += file_ + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.text;
        }
        throw ConfigError(message);
    }

private:
    std::string file_;
    std::vector<Problem> items_;
};

// ---------------------------------------------------------------------------------------------
// Small text checks, each returning what is wrong (or nothing).

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string joined(const std::vector<std::string_view>& words) {
    std::string out;
    for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
    return out;
}

// The whole UTF-8 character starting at byte `i`, so that a refused `é` is shown as itself.
std::string_view char_at(std::string_view s, std::size_t i) {
    return s.substr(i, common::utf8_character_end(s, i) - i);
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// The first character of `s` that `allowed` refuses, quoted, or nothing.
std::optional<std::string> bad_char(std::string_view s, const std::function<bool(char)>& allowed) {
    for (std::size_t i = 0; i < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) >= 0x80 || !allowed(s[i])) return in_quotes(char_at(s, i));
    return std::nullopt;
}

// `unknown plan "payed": did you mean `paid`?`, or the full list when nothing is close.
std::optional<std::string> member_problem(std::string_view what, std::string_view value,
                                          const std::vector<std::string_view>& members) {
    if (std::find(members.begin(), members.end(), value) != members.end()) return std::nullopt;
    auto best = common::closest_match(value, members);
    std::string text = "unknown " + std::string(what) + " " + in_quotes(value);
    if (!best.empty()) return text + ": did you mean `" + best + "`?";
    return text + ", expected one of " + joined(members);
}

// `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080` (read as 127.0.0.1).
bool is_ipv4(std::string_view s) {
    int parts = 0;
    while (true) {
        auto dot = s.find('.');
        auto part = s.substr(0, dot);
        if (part.empty() || part.size() > 3 || !all_digits(part) || std::stoi(std::string(part)) > 255) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
    }
    return parts == 4;
}

bool is_ipv6(std::string_view s) {
    auto colons = std::count(s.begin(), s.end(), ':');
    return colons >= 2 && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
           });
}

std::optional<std::string> read_listen(std::string_view text, Config& c) {
    const std::string shape = "expected an address and a port, such as \"127.0.0.1:8080\" or \"[::1]:8080\"";
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return "cannot read " + in_quotes(text) + ": " + shape;
    auto host = text.substr(0, colon), port = text.substr(colon + 1);
    bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (bracketed) host = host.substr(1, host.size() - 2);
    bool ok = bracketed ? is_ipv6(host) : (is_ipv4(host) || host == "localhost");
    if (!ok || !all_digits(port)) return "cannot read " + in_quotes(text) + ": " + shape;
    // Port 0 asks the system for a free port; the server prints the one it got (tests use it).
    if (port.size() > 5 || std::stoi(std::string(port)) > 65535)
        return "port " + std::string(port) + " is out of range: expected 0 to 65535";
    // The server binds an IP address and never resolves names; `localhost` is the one name allowed.
    c.listen_address = host == "localhost" ? "127.0.0.1" : std::string(host);
    c.listen_port = static_cast<std::uint16_t>(std::stoi(std::string(port)));
    return std::nullopt;
}

// `10 MiB`, `512KiB`, `1000000`: bytes, with the units of the rules language.
std::optional<std::uint64_t> parse_size(std::string_view text) {
    if (text.starts_with('-')) return std::nullopt;
    auto bytes = stdlib::parse_quantity(text, stdlib::size_units, true);
    if (!bytes) return std::nullopt;
    return static_cast<std::uint64_t>(*bytes);
}

// W3: `+7 901 111-22-33`, `79011112233` and `8 (901) 111-22-33` are one number. Digits only;
// a leading 8 of an 11-digit number is the Russian trunk prefix, read as the country code 7.
std::optional<std::string> normalize_phone(std::string_view text) {
    std::string digits;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (is_digit(ch)) digits += ch;
        else if (ch == '+' && i == 0) continue;
        else if (ch != ' ' && ch != '-' && ch != '(' && ch != ')') return std::nullopt;
    }
    if (digits.size() < 10 || digits.size() > 15) return std::nullopt;  // E.164 allows at most 15
    if (digits.size() == 11 && digits.front() == '8') digits.front() = '7';
    return digits;
}

// Relative paths are read from the config file's folder: the server may be started anywhere.
std::string resolve_path(const std::string& config_path, const std::string& p) {
    fs::path path(p);
    if (path.is_relative()) {
        fs::path folder = fs::path(config_path).parent_path();
        path = fs::absolute(folder.empty() ? fs::path(".") : folder) / path;
    }
    path = path.lexically_normal();
    if (!path.has_filename() && path != path.root_path()) path = path.parent_path();  // `rules/` is `rules`
    return path.string();
}

// ---------------------------------------------------------------------------------------------
// TOML values.

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

// ---------------------------------------------------------------------------------------------
// The reader.

// A table and the dotted name its keys are called by in messages (`integrations.channels`).
struct Section {
    const toml::table* table = nullptr;
    std::string name;

    std::string key(std::string_view k) const { return name.empty() ? std::string(k) : name + "." + std::string(k); }
    const toml::node* get(std::string_view k) const { return table->get(k); }
};

// A value together with where it was written, for checks made after reading.
template <typename T>
struct Located {
    T value;
    toml::source_region at;
};

const std::vector<std::string_view> integration_common_keys = {
    "id", "name", "service", "owner", "api_base_url", "assignees", "extra_assignees", "project", "contact_template",
    "settings"};
const std::vector<std::string_view> telegram_keys = {"bot_token", "bot_username", "webhook_secret"};
const std::vector<std::string_view> wazzup_keys = {"api_key", "crm_key", "url_secret", "channels"};

// Typed access to the keys of a table: every value of the wrong type, unknown key and missing
// key becomes a problem, and the caller gets nothing for it and goes on.
class TableReader {
public:
    explicit TableReader(Problems& problems) : problems_(problems) {}

protected:
    void problem(const toml::source_region& at, std::string text) { problems_.add(at, std::move(text)); }

    void wrong_type(const Section& s, std::string_view key, const toml::node& n, std::string_view expected) {
        problem(n.source(), s.key(key) + ": expected " + std::string(expected) + ", found " + found(n));
    }

    // A key the section does not take: the key's own position, and the closest known key.
    void allow(const Section& s, const std::vector<std::string_view>& keys) {
        for (const auto& [key, value] : *s.table) {
            if (std::find(keys.begin(), keys.end(), key.str()) != keys.end()) continue;
            unknown_key(s, key, keys);
        }
    }

    void unknown_key(const Section& s, const toml::key& key, const std::vector<std::string_view>& keys) {
        auto best = common::closest_match(key.str(), keys);
        problem(key.source(),
                s.key(key.str()) + ": unknown key" + (best.empty() ? std::string() : ": did you mean `" + best + "`?"));
    }

    void missing(const Section& s, std::string_view key, std::string_view why = {}) {
        std::string where = s.name.empty() ? std::string() : s.name + ": ";
        problem(s.table->source(), where + "missing required key `" + std::string(key) + "`" +
                                       (why.empty() ? std::string() : " (" + std::string(why) + ")"));
    }

    void missing_table(const Section& top, std::string_view name, const std::string& why) {
        problem(top.table->source(), "missing table [" + std::string(name) + "]: " + why);
    }

    std::optional<Located<std::string>> text(const Section& s, std::string_view key) {
        const auto* n = s.get(key);
        if (!n) return std::nullopt;
        const auto* v = n->as_string();
        if (!v) {
            wrong_type(s, key, *n, "a string");
            return std::nullopt;
        }
        return Located<std::string>{v->get(), n->source()};
    }

    // A string that must be there and must not be empty.
    std::optional<Located<std::string>> required_text(const Section& s, std::string_view key, std::string_view why = {}) {
        if (!s.get(key)) {
            missing(s, key, why);
            return std::nullopt;
        }
        auto v = text(s, key);
        if (v && v->value.empty()) {
            problem(v->at, s.key(key) + ": must not be empty");
            return std::nullopt;
        }
        return v;
    }

    std::optional<Located<std::int64_t>> integer(const Section& s, std::string_view key, std::string_view expected) {
        const auto* n = s.get(key);
        if (!n) return std::nullopt;
        const auto* v = n->as_integer();
        if (!v) {
            wrong_type(s, key, *n, expected);
            return std::nullopt;
        }
        return Located<std::int64_t>{v->get(), n->source()};
    }

    std::optional<bool> boolean(const Section& s, std::string_view key) {
        const auto* n = s.get(key);
        if (!n) return std::nullopt;
        const auto* v = n->as_boolean();
        if (!v) {
            wrong_type(s, key, *n, "true or false");
            return std::nullopt;
        }
        return v->get();
    }

    std::optional<Section> table(const Section& s, std::string_view key) {
        const auto* n = s.get(key);
        if (!n) return std::nullopt;
        const auto* t = n->as_table();
        if (!t) {
            wrong_type(s, key, *n, "a table ([" + s.key(key) + "])");
            return std::nullopt;
        }
        return Section{t, s.key(key)};
    }

    // `[[name]]` entries; an entry that is not a table is reported and skipped.
    std::vector<Section> tables(const Section& s, std::string_view key) {
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
            else problem(item.source(), s.key(key) + ": expected a table, found " + found(item));
        }
        return out;
    }

    // An array of integers; items of another type are reported and skipped.
    std::vector<Located<std::int64_t>> integers(const Section& s, std::string_view key, std::string_view expected) {
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
            else problem(item.source(), s.key(key) + "[" + std::to_string(i) + "]: expected " + std::string(expected) +
                                            ", found " + found(item));
        }
        return out;
    }

private:
    Problems& problems_;
};

// The layout of the file (docs/configuration.md), on top of TableReader.
class Reader : TableReader {
public:
    Reader(std::string path, bool check_files, Problems& problems)
        : TableReader(problems), path_(std::move(path)), check_files_(check_files) {}

    Config read(const toml::table& root) {
        Config c;
        c.path = path_;
        Section top{&root, ""};
        allow(top, {"server", "ruleset", "account", "employees", "integrations"});
        read_server(top, c);
        read_ruleset(top, c);
        read_account(top, c);
        read_employees(top, c);
        read_integrations(top, c);
        return c;
    }

private:
    std::optional<std::string> path_value(const Section& s, std::string_view key) {
        auto v = text(s, key);
        if (!v) return std::nullopt;
        if (v->value.empty()) {
            problem(v->at, s.key(key) + ": must not be empty");
            return std::nullopt;
        }
        return resolve_path(path_, v->value);
    }

    // --- [server] ----------------------------------------------------------------------------

    void read_server(const Section& top, Config& c) {
        auto s = table(top, "server");
        if (!s) {
            if (!top.get("server")) missing_table(top, "server", "it holds `api_token`, which is required");
            return;
        }
        allow(*s, {"listen", "storage", "api_token", "body_limit"});
        if (auto v = text(*s, "listen"))
            if (auto why = read_listen(v->value, c)) problem(v->at, s->key("listen") + ": " + *why);
        if (auto v = text(*s, "storage")) {
            if (v->value.empty()) problem(v->at, s->key("storage") + ": must not be empty");
            // `:memory:` is SQLite's name for a database that lives only as long as the process.
            else c.storage = v->value == ":memory:" ? v->value : resolve_path(path_, v->value);
        } else {
            c.storage = resolve_path(path_, c.storage);
        }
        read_api_token(*s, c);
        read_body_limit(*s, c);
    }

    void read_api_token(const Section& s, Config& c) {
        auto v = required_text(s, "api_token", "the Bearer token of the HTTP API");
        if (!v) return;
        if (auto bad = bad_char(v->value, [](char ch) { return std::isgraph(static_cast<unsigned char>(ch)) != 0; }))
            problem(v->at, s.key("api_token") + ": " + *bad + " is not allowed: use printable ASCII without spaces");
        else if (v->value.size() < 16)
            problem(v->at, s.key("api_token") + ": too short (" + std::to_string(v->value.size()) +
                               " characters): use at least 16, such as the output of `openssl rand -hex 32`");
        else c.api_token = v->value;
    }

    void read_body_limit(const Section& s, Config& c) {
        const auto* n = s.get("body_limit");
        if (!n) return;
        std::optional<std::uint64_t> bytes;
        if (const auto* i = n->as_integer()) {
            if (i->get() > 0) bytes = static_cast<std::uint64_t>(i->get());
        } else if (const auto* str = n->as_string()) {
            bytes = parse_size(str->get());
            if (!bytes) {
                problem(n->source(), s.key("body_limit") + ": cannot read " + in_quotes(str->get()) +
                                         ": expected a size such as \"10 MiB\" (units B, KB, MB, GB, KiB, MiB, GiB)");
                return;
            }
        } else {
            wrong_type(s, "body_limit", *n, "bytes (an integer) or a size such as \"10 MiB\"");
            return;
        }
        if (!bytes || *bytes == 0) problem(n->source(), s.key("body_limit") + ": must be more than 0 bytes");
        else c.body_limit = *bytes;
    }

    // --- [ruleset] ---------------------------------------------------------------------------

    void read_ruleset(const Section& top, Config& c) {
        const std::string_view how = "rules = \"FOLDER or FILE\" or compiled = \"FILE\"";
        auto s = table(top, "ruleset");
        if (!s) {
            if (!top.get("ruleset")) missing_table(top, "ruleset", "write " + std::string(how));
            return;
        }
        allow(*s, {"rules", "compiled"});
        auto rules = path_value(*s, "rules");
        auto compiled = path_value(*s, "compiled");
        if (s->get("rules") && s->get("compiled")) {
            problem(s->get("compiled")->source(),
                    "ruleset: both `rules` and `compiled` are given: name one, the rules to compile or a compiled ruleset");
            return;
        }
        if (!s->get("rules") && !s->get("compiled")) {
            problem(s->table->source(), "ruleset: missing `rules` or `compiled`: write " + std::string(how));
            return;
        }
        if (rules) check_exists(*s, "rules", *rules, false);
        if (compiled) check_exists(*s, "compiled", *compiled, true);
        c.rules = rules.value_or("");
        c.compiled = compiled.value_or("");
    }

    // Only load() looks at the disk; parse() reads the text alone, so tests need no files.
    void check_exists(const Section& s, std::string_view key, const std::string& path, bool file_only) {
        if (!check_files_) return;
        std::error_code ec;
        auto status = fs::status(path, ec);
        if (!fs::exists(status))
            problem(s.get(key)->source(), s.key(key) + ": no such " + (file_only ? "file" : "file or folder") + ": " + path);
        else if (file_only && !fs::is_regular_file(status))
            problem(s.get(key)->source(), s.key(key) + ": not a file: " + path);
    }

    // --- [account] ---------------------------------------------------------------------------

    void read_account(const Section& top, Config& c) {
        auto s = table(top, "account");
        if (!s) return;
        allow(*s, {"name", "plan"});
        if (auto v = text(*s, "name")) c.account_name = v->value;
        if (auto v = text(*s, "plan")) {
            const auto& schema = stdlib::builtin_schema();
            const auto& members = schema.enum_of(*schema.named_type("plan")).members;
            std::vector<std::string_view> names(members.begin(), members.end());
            if (auto why = member_problem("plan", v->value, names)) problem(v->at, s->key("plan") + ": " + *why);
            else c.plan = v->value;
        }
    }

    // --- [[employees]] -----------------------------------------------------------------------

    void read_employees(const Section& top, Config& c) {
        std::optional<Located<std::int64_t>> first_owner;
        for (const auto& s : tables(top, "employees")) {
            allow(s, {"id", "name", "owner", "telegram"});
            Employee e;
            auto id = integer(s, "id", "an employee id (an integer from 1)");
            if (!s.get("id")) missing(s, "id");
            if (id && id->value < 1) problem(id->at, s.key("id") + ": expected an employee id from 1, found " + std::to_string(id->value));
            else if (id && c.employee(id->value))
                problem(id->at, s.key("id") + ": employee " + std::to_string(id->value) + " is already declared at line " +
                                    std::to_string(employee_lines_[id->value]));
            if (auto name = required_text(s, "name")) e.name = name->value;
            e.owner = boolean(s, "owner").value_or(false);
            e.telegram = telegram_account(s);
            if (!id || id->value < 1 || c.employee(id->value)) continue;
            e.id = id->value;
            employee_lines_[e.id] = id->at.begin.line;
            if (e.owner && first_owner) {
                problem(s.get("owner")->source(), s.key("owner") + ": employee " + std::to_string(first_owner->value) +
                                                      " (line " + std::to_string(first_owner->at.begin.line) +
                                                      ") is the owner already; only one employee can be");
                continue;
            }
            if (e.owner) first_owner = Located<std::int64_t>{e.id, id->at};
            c.employees.push_back(std::move(e));
        }
    }

    // T8: where the bot sends an employee's notifications: `@username` or a numeric user id.
    std::optional<std::string> telegram_account(const Section& s) {
        const auto* n = s.get("telegram");
        if (!n) return std::nullopt;
        const std::string shape = ": expected a Telegram username such as \"@anna_k\" or a numeric user id";
        if (const auto* i = n->as_integer()) {
            if (i->get() > 0) return std::to_string(i->get());
            problem(n->source(), s.key("telegram") + shape);
            return std::nullopt;
        }
        const auto* str = n->as_string();
        if (!str) {
            wrong_type(s, "telegram", *n, "a string (\"@username\") or a user id");
            return std::nullopt;
        }
        std::string_view v = str->get();
        if (all_digits(v)) return std::string(v);
        if (v.size() >= 6 && v.size() <= 33 && v.front() == '@' &&
            !bad_char(v.substr(1), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }))
            return std::string(v);
        problem(n->source(), s.key("telegram") + ": cannot read " + in_quotes(v) + shape);
        return std::nullopt;
    }

    // --- [[integrations]] --------------------------------------------------------------------

    void read_integrations(const Section& top, Config& c) {
        for (const auto& s : tables(top, "integrations")) read_integration(s, c);
    }

    void read_integration(const Section& s, Config& c) {
        std::vector<std::string_view> keys = integration_common_keys;
        keys.insert(keys.end(), telegram_keys.begin(), telegram_keys.end());
        keys.insert(keys.end(), wazzup_keys.begin(), wazzup_keys.end());
        allow(s, keys);
        Integration in;
        bool id_ok = read_integration_id(s, c, in);
        in.name = in.id;
        if (auto name = text(s, "name")) {
            if (name->value.empty()) problem(name->at, s.key("name") + ": must not be empty (leave the key out instead)");
            else in.name = name->value;
        }
        auto service = read_service(s);
        if (service) {
            in.service = *service;
            refuse_foreign_keys(s, *service);
            if (*service == Service::wazzup) read_wazzup(s, in);
            else read_telegram(s, in);
        }
        read_base_url(s, in);
        read_template(s, c, in);
        read_settings(s, in);
        if (id_ok) c.integrations.push_back(std::move(in));
    }

    // The id is also the webhook path (`/webhooks/{id}`), so it must be a plain path segment.
    bool read_integration_id(const Section& s, const Config& c, Integration& in) {
        auto id = required_text(s, "id", "it names the webhook: POST /webhooks/{id}");
        if (!id) return false;
        if (auto bad = bad_char(id->value, is_word_char); bad || id->value.size() > 64) {
            problem(id->at, s.key("id") + ": " + (bad ? *bad + " is not allowed" : std::string("too long")) +
                                ": an id is 1 to 64 letters, digits, _ and -, as it is part of the webhook URL");
            return false;
        }
        if (c.integration(id->value)) {
            problem(id->at, s.key("id") + ": integration " + in_quotes(id->value) + " is already declared at line " +
                                std::to_string(integration_lines_[id->value]));
            return false;
        }
        integration_lines_[id->value] = id->at.begin.line;
        in.id = id->value;
        return true;
    }

    std::optional<Service> read_service(const Section& s) {
        auto v = required_text(s, "service", "telegram, telegram_business or wazzup");
        if (!v) return std::nullopt;
        if (auto why = member_problem("service", v->value, {"telegram", "telegram_business", "wazzup"})) {
            problem(v->at, s.key("service") + ": " + *why);
            return std::nullopt;
        }
        return v->value == "wazzup" ? Service::wazzup
               : v->value == "telegram" ? Service::telegram
                                        : Service::telegram_business;
    }

    // A Wazzup key on a Telegram integration (or the reverse) is a mistake worth its own words.
    void refuse_foreign_keys(const Section& s, Service service) {
        bool wazzup = service == Service::wazzup;
        for (auto key : wazzup ? telegram_keys : wazzup_keys) {
            auto it = s.table->find(key);
            if (it == s.table->end()) continue;
            problem(it->first.source(), s.key(key) + ": only " + (wazzup ? "telegram and telegram_business" : "wazzup") +
                                            " integrations take this key, and this one is " +
                                            std::string(service_name(service)));
        }
    }

    void read_telegram(const Section& s, Integration& in) {
        if (auto v = required_text(s, "bot_token", "the token @BotFather gave")) {
            auto colon = v->value.find(':');
            bool ok = colon != std::string::npos && all_digits(std::string_view(v->value).substr(0, colon)) &&
                      colon + 1 < v->value.size() && !bad_char(std::string_view(v->value).substr(colon + 1), is_word_char);
            if (ok) in.bot_token = v->value;
            else problem(v->at, s.key("bot_token") + ": expected a token from @BotFather such as \"123456789:AAE...\": "
                                                     "digits, a colon, then letters, digits, _ and -");
        }
        if (auto v = required_text(s, "bot_username", "the bot's username, to tell the commands meant for it")) {
            std::string_view name = v->value;
            if (name.front() == '@') name.remove_prefix(1);
            auto bad = bad_char(name, [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
            if (bad || name.size() < 5 || name.size() > 32)
                problem(v->at, s.key("bot_username") + ": cannot read " + in_quotes(v->value) +
                                   ": expected the bot's username, 5 to 32 letters, digits and _");
            else in.bot_username = std::string(name);
        }
        read_webhook_secret(s, in);
    }

    // Telegram echoes it in X-Telegram-Bot-Api-Secret-Token and refuses setWebhook outside these limits.
    void read_webhook_secret(const Section& s, Integration& in) {
        auto v = required_text(s, "webhook_secret", "Telegram sends it with every webhook; requests without it are refused");
        if (!v) return;
        if (auto bad = bad_char(v->value, is_word_char))
            problem(v->at, s.key("webhook_secret") + ": " + *bad +
                               " is not allowed: Telegram takes 1 to 256 characters of A-Z, a-z, 0-9, _ and -");
        else if (v->value.size() > 256)
            problem(v->at, s.key("webhook_secret") + ": too long (" + std::to_string(v->value.size()) +
                               " characters): Telegram takes 1 to 256");
        else in.webhook_secret = v->value;
    }

    void read_wazzup(const Section& s, Integration& in) {
        if (auto v = required_text(s, "api_key", "the Wazzup API key, for sending")) in.api_key = v->value;
        if (auto v = text(s, "crm_key")) {
            if (v->value.empty()) problem(v->at, s.key("crm_key") + ": must not be empty");
            else in.crm_key = v->value;
        }
        read_url_secret(s, in);
        if (!s.get("crm_key") && !s.get("url_secret"))
            problem(s.table->source(), s.name + ": missing `crm_key` or `url_secret`: one of them proves that a "
                                                "webhook comes from Wazzup");
        read_channels(s, in);
    }

    // Wazzup signs nothing without a crm key; the secret rides in the webhook URL (`?secret=`),
    // which Wazzup limits to 200 characters.
    void read_url_secret(const Section& s, Integration& in) {
        auto v = text(s, "url_secret");
        if (!v) return;
        if (auto bad = bad_char(v->value, is_word_char))
            problem(v->at, s.key("url_secret") + ": " + *bad + " is not allowed: use 16 to 128 characters of A-Z, a-z, 0-9, _ and -");
        else if (v->value.size() < 16 || v->value.size() > 128)
            problem(v->at, s.key("url_secret") + ": too " + (v->value.size() < 16 ? "short" : "long") + " (" +
                               std::to_string(v->value.size()) +
                               " characters): use 16 to 128, such as the output of `openssl rand -hex 24`");
        else in.url_secret = v->value;
    }

    // --- [[integrations.channels]] -----------------------------------------------------------

    void read_channels(const Section& s, Integration& in) {
        if (!s.get("channels")) {
            missing(s, "channels", "a wazzup integration has at least one [[integrations.channels]]");
            return;
        }
        std::map<std::string, std::uint32_t> numbers;  // "transport number" of live channels -> line
        for (const auto& ch : tables(s, "channels")) {
            allow(ch, {"id", "number", "transport", "name", "deleted"});
            Channel c;
            auto id = read_channel_id(ch);
            auto transport = required_text(ch, "transport", "whatsapp or instagram");
            if (transport) {
                if (auto why = member_problem("transport", transport->value, {"whatsapp", "instagram"})) {
                    problem(transport->at, ch.key("transport") + ": " + *why);
                    transport.reset();
                }
            }
            auto number = required_text(ch, "number", "the phone number, or for Instagram the account name");
            c.deleted = boolean(ch, "deleted").value_or(false);
            if (auto name = text(ch, "name")) c.name = name->value;
            if (!id || !transport || !number) continue;
            c.id = *id;
            c.transport = transport->value;
            if (!read_number(ch, *number, c)) continue;
            if (c.name.empty()) c.name = number->value;
            if (!c.deleted && !unique_number(ch, *number, c, numbers)) continue;
            in.channels.push_back(std::move(c));
        }
        if (const auto* a = s.get("channels")->as_array(); a && a->empty())
            problem(s.get("channels")->source(), s.key("channels") + ": a wazzup integration has at least one channel");
    }

    std::optional<std::string> read_channel_id(const Section& ch) {
        auto id = required_text(ch, "id", "the channelId Wazzup gives the channel");
        if (!id) return std::nullopt;
        if (auto it = channel_lines_.find(id->value); it != channel_lines_.end()) {
            problem(id->at, ch.key("id") + ": channel " + in_quotes(id->value) + " is already declared at line " +
                                std::to_string(it->second));
            return std::nullopt;
        }
        channel_lines_[id->value] = id->at.begin.line;
        return id->value;
    }

    bool read_number(const Section& ch, const Located<std::string>& number, Channel& c) {
        if (c.transport == "whatsapp") {
            if (auto digits = normalize_phone(number.value)) {
                c.number = *digits;
                return true;
            }
            problem(number.at, ch.key("number") + ": cannot read " + in_quotes(number.value) +
                                   ": expected a phone number such as \"+7 901 111-22-33\", \"79011112233\" or \"89011112233\"");
            return false;
        }
        std::string_view name = number.value;
        if (!name.empty() && name.front() == '@') name.remove_prefix(1);
        auto bad = bad_char(name, [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.'; });
        if (!bad && !name.empty() && name.size() <= 30) {
            c.number = std::string(name);
            return true;
        }
        problem(number.at, ch.key("number") + ": cannot read " + in_quotes(number.value) +
                               ": expected an Instagram account name such as \"@shop.example\"");
        return false;
    }

    // W7: one live channel per number; an old channel whose number moved is marked `deleted`.
    bool unique_number(const Section& ch, const Located<std::string>& number, const Channel& c,
                       std::map<std::string, std::uint32_t>& numbers) {
        auto key = c.transport + " " + c.number;
        if (auto it = numbers.find(key); it != numbers.end()) {
            problem(number.at, ch.key("number") + ": " + c.transport + " " + c.number + " is already the number of the channel at line " +
                                   std::to_string(it->second) + ": mark the old channel `deleted = true`");
            return false;
        }
        numbers[key] = number.at.begin.line;
        return true;
    }

    // --- the messenger API, the task template, the settings ----------------------------------

    void read_base_url(const Section& s, Integration& in) {
        in.api_base_url = in.service == Service::wazzup ? "https://api.wazzup24.com" : "https://api.telegram.org";
        auto v = text(s, "api_base_url");
        if (!v) return;
        std::string url = v->value;
        while (!url.empty() && url.back() == '/') url.pop_back();  // the clients append `/bot…`, `/v3/…`
        bool http = url.rfind("http://", 0) == 0 && url.size() > 7;
        bool https = url.rfind("https://", 0) == 0 && url.size() > 8;
        if ((http || https) && url.find_first_of(" \t?#") == std::string::npos) in.api_base_url = url;
        else problem(v->at, s.key("api_base_url") + ": cannot read " + in_quotes(v->value) +
                                ": expected an http:// or https:// URL such as \"https://api.telegram.org\"");
    }

    void read_template(const Section& s, const Config& c, Integration& in) {
        in.assignees = employee_ids(s, "assignees", c);
        in.extra_assignees = employee_ids(s, "extra_assignees", c);
        if (auto v = integer(s, "owner", "an employee id")) {
            if (c.employee(v->value)) in.owner = v->value;
            else problem(v->at, s.key("owner") + ": " + no_employee(c, v->value));
        }
        if (auto v = text(s, "project")) {
            if (v->value.empty()) problem(v->at, s.key("project") + ": must not be empty (leave the key out instead)");
            else in.project = v->value;
        }
        if (auto v = text(s, "contact_template")) {
            if (v->value.empty()) problem(v->at, s.key("contact_template") + ": must not be empty (leave the key out instead)");
            else in.contact_template = v->value;
        }
    }

    std::vector<std::int64_t> employee_ids(const Section& s, std::string_view key, const Config& c) {
        std::vector<std::int64_t> out;
        for (const auto& id : integers(s, key, "an employee id")) {
            if (c.employee(id.value)) out.push_back(id.value);
            else problem(id.at, s.key(key) + ": " + no_employee(c, id.value));
        }
        return out;
    }

    static std::string no_employee(const Config& c, std::int64_t id) {
        std::string ids;
        for (const auto& e : c.employees) ids += (ids.empty() ? "" : ", ") + std::to_string(e.id);
        return "no employee has id " + std::to_string(id) +
               (ids.empty() ? std::string(" (no [[employees]] are declared)") : " (the employees are " + ids + ")");
    }

    // Values are kept as case JSON; only the ruleset knows their types (check_settings).
    void read_settings(const Section& s, Integration& in) {
        auto t = table(s, "settings");
        if (!t) return;
        for (const auto& [key, value] : *t->table) {
            std::string name(key.str());
            in.settings[name] = to_json(value);
            in.setting_lines[name] = key.source().begin.line;
            in.setting_columns[name] = key.source().begin.column;
        }
    }

    std::string path_;
    bool check_files_;
    std::map<std::int64_t, std::uint32_t> employee_lines_;
    std::map<std::string, std::uint32_t> integration_lines_;
    std::map<std::string, std::uint32_t> channel_lines_;
};

Config read_config(std::string_view text, const std::string& path, bool check_files) {
    Problems problems(path);
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(path));
    } catch (const toml::parse_error& e) {
        problems.add(e.source(), std::string(e.description()));
        problems.throw_if_any();
    }
    Config config = Reader(path, check_files, problems).read(root);
    problems.throw_if_any();
    return config;
}

}  // namespace

Config parse(std::string_view text, const std::string& path) { return read_config(text, path, false); }

Config load(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw ConfigError(path + ": cannot read the configuration: it is a folder");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read the configuration: " + std::string(std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    return read_config(text.str(), path, true);
}

namespace {

std::string found(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::string: return "a string";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "an integer";
    case boost::json::kind::double_: return "a floating-point number";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "a table";
    case boost::json::kind::null: break;
    }
    return "nothing";
}

// The part of `v` that a case path such as `[1]` or `.field[0]` names, or null.
const boost::json::value* at_path(const boost::json::value& v, std::string_view path) {
    if (path.empty()) return &v;
    if (path.front() == '[') {
        auto close = path.find(']');
        const auto* a = v.if_array();
        if (!a || close == std::string_view::npos) return nullptr;
        auto i = std::stoul(std::string(path.substr(1, close - 1)));
        return i < a->size() ? at_path((*a)[i], path.substr(close + 1)) : nullptr;
    }
    if (path.front() != '.') return nullptr;
    path.remove_prefix(1);
    auto end = path.find_first_of(".[");
    const auto* o = v.if_object();
    const auto* field = o ? o->if_contains(path.substr(0, end)) : nullptr;
    return field ? at_path(*field, end == std::string_view::npos ? std::string_view() : path.substr(end)) : nullptr;
}

// The case's `settings.NAME[1]: expected a string` as the file names it, with what was found.
std::string setting_problem(const std::string& name, const boost::json::value& value, std::string_view why) {
    auto colon = why.find(": ");
    std::string_view path = why.substr(0, colon), reason = why.substr(colon + 2);
    std::string text = "integrations." + std::string(why);
    const std::string prefix = "settings." + name;
    if (colon == std::string_view::npos || path.substr(0, prefix.size()) != prefix || reason.rfind("expected ", 0) != 0)
        return text;
    if (const auto* part = at_path(value, path.substr(prefix.size()))) text += ", found " + found(*part);
    return text;
}

}  // namespace

// Each setting is checked on its own, so that every bad setting of a file is reported at once.
void check_settings(const Config& config, const vm::Image& image) {
    Problems problems(config.path);
    for (const auto& in : config.integrations) {
        for (const auto& [name, value] : in.settings) {
            boost::json::object one;
            one[name] = value;
            try {
                engine::Case::from_json(image, boost::json::object{{"settings", std::move(one)}});
            } catch (const engine::CaseError& e) {
                auto line = in.setting_lines.count(name) ? in.setting_lines.at(name) : 1;
                auto column = in.setting_columns.count(name) ? in.setting_columns.at(name) : 1;
                // The case names the path `settings.NAME…`; the file names it `integrations.settings.NAME…`.
                problems.add(line, column, setting_problem(std::string(name), value, e.what()));
            }
        }
    }
    problems.throw_if_any();
}

}  // namespace switchyard::config
