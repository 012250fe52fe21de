#include "tests/reference/reference.hpp"

#include "dsl/ast.hpp"
#include "tests/reference/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdlib>
#include <ctime>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchyard::reference {

namespace json = boost::json;
using stdlib::Schema;
using stdlib::Type;
using stdlib::TypeKind;
using stdlib::Wrap;

namespace {

// ---------------------------------------------------------------------------------------------
// Values

enum class Kind : std::uint8_t { none, boolean, number, string, member, record, list, set, result };

// One value of the language. Values carry enough of their type (the unit of a number, the
// enum, record or constructor) for str() and the JSON output to be written from the value alone.
struct Value {
    Kind kind = Kind::none;
    TypeKind unit = TypeKind::integer;  // numbers: integer, size, duration or time
    std::int64_t number = 0;            // a number, a bool (0 or 1), or an enum member's index
    std::size_t decl = 0;               // enum or record (schema index), constructor (function index)
    std::string text;                   // strings
    std::vector<Value> items;           // record fields in schema order, list or set items, constructor arguments
};

Value boolean(bool b) {
    Value v;
    v.kind = Kind::boolean;
    v.number = b ? 1 : 0;
    return v;
}

Value number(TypeKind unit, std::int64_t n) {
    Value v;
    v.kind = Kind::number;
    v.unit = unit;
    v.number = n;
    return v;
}

Value string(std::string s) {
    Value v;
    v.kind = Kind::string;
    v.text = std::move(s);
    return v;
}

Value member(std::size_t enumeration, std::size_t index) {
    Value v;
    v.kind = Kind::member;
    v.decl = enumeration;
    v.number = static_cast<std::int64_t>(index);
    return v;
}

Value record(std::size_t decl, std::vector<Value> fields) {
    Value v;
    v.kind = Kind::record;
    v.decl = decl;
    v.items = std::move(fields);
    return v;
}

Value list(std::vector<Value> items) {
    Value v;
    v.kind = Kind::list;
    v.items = std::move(items);
    return v;
}

Value result(std::size_t constructor, std::vector<Value> args) {
    Value v;
    v.kind = Kind::result;
    v.decl = constructor;
    v.items = std::move(args);
    return v;
}

bool equal(const Value& a, const Value& b);

bool contains_value(const std::vector<Value>& items, const Value& x) {
    return std::any_of(items.begin(), items.end(), [&](const Value& i) { return equal(i, x); });
}

bool equal_sequences(const std::vector<Value>& a, const std::vector<Value>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!equal(a[i], b[i])) return false;
    return true;
}

// Structural equality (docs/cases.md): `none` equals only `none`; records, lists and results
// item by item. Sets hold each value once, so equal sets are equal as collections.
bool equal(const Value& a, const Value& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
        case Kind::none: return true;
        case Kind::boolean: return a.number == b.number;
        // A size and an int of one amount differ: `thread(1 KB)` is not `thread(1000)`.
        case Kind::number: return a.unit == b.unit && a.number == b.number;
        case Kind::string: return a.text == b.text;
        case Kind::member: return a.decl == b.decl && a.number == b.number;
        case Kind::record:
        case Kind::result: return a.decl == b.decl && equal_sequences(a.items, b.items);
        case Kind::list: return equal_sequences(a.items, b.items);
        case Kind::set:
            return a.items.size() == b.items.size() &&
                   std::all_of(a.items.begin(), a.items.end(), [&](const Value& x) { return contains_value(b.items, x); });
    }
    return false;
}

// A set keeps the first appearance of each value, in order.
Value set_of(std::vector<Value> items) {
    Value v;
    v.kind = Kind::set;
    for (auto& item : items)
        if (!contains_value(v.items, item)) v.items.push_back(std::move(item));
    return v;
}

// Integers of every unit are 64-bit and wrap on overflow; unsigned arithmetic is where C++
// defines wrapping, and the conversion back is modular since C++20.
std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
std::int64_t wrapping_sub(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}

// ---------------------------------------------------------------------------------------------
// Text

// Reads one code point. Strings reach us as valid UTF-8 (rule files and JSON are checked on the
// way in); a malformed byte is still read as a code point of its own so that nothing is lost.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
    std::uint8_t lead = byte(i);
    std::size_t extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    bool whole = i + extra < s.size();
    for (std::size_t k = 1; whole && k <= extra; ++k) whole = (byte(i + k) & 0xC0) == 0x80;
    if (extra == 0 || !whole) {
        ++i;
        return lead;
    }
    std::uint32_t cp = lead & (0x3Fu >> extra);
    for (std::size_t k = 1; k <= extra; ++k) cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    i += extra + 1;
    return cp;
}

void append_utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::int64_t code_point_count(std::string_view s) {
    std::int64_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++n) next_code_point(s, i);
    return n;
}

// `lower` maps A-Z, А-Я (U+0410-U+042F), Ѐ-Џ (U+0400-U+040F) and Ґ (U+0490), nothing else.
std::uint32_t lower_code_point(std::uint32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
    if (cp >= 0x0410 && cp <= 0x042F) return cp + 0x20;
    if (cp >= 0x0400 && cp <= 0x040F) return cp + 0x50;
    if (cp == 0x0490) return 0x0491;
    return cp;
}

std::string lower(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t start = i;
        std::uint32_t cp = next_code_point(s, i);
        std::uint32_t low = lower_code_point(cp);
        if (low == cp) out.append(s.substr(start, i - start));  // unchanged bytes, stray ones too
        else append_utf8(low, out);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Calendar: milliseconds since 1970-01-01 <-> UTC civil time, proleptic Gregorian.

constexpr std::int64_t ms_per_day = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct Civil {
    std::int64_t year;
    int month;  // 1-12
    int day;    // 1-31
};

// Counting years from March makes the leap day the last day of its year, so a 400-year era
// (146 097 days) splits into years by plain division.
Civil civil_from_days(std::int64_t days) {
    days += 719'468;  // days from 0000-03-01 to 1970-01-01
    std::int64_t era = floor_div(days, 146'097);
    std::int64_t day_of_era = days - era * 146'097;
    std::int64_t year_of_era =
        (day_of_era - day_of_era / 1'460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
    std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    std::int64_t month_from_march = (5 * day_of_year + 2) / 153;
    int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    int month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
    year -= month <= 2 ? 1 : 0;
    std::int64_t era = floor_div(year, 400);
    std::int64_t year_of_era = year - era * 400;
    std::int64_t month_from_march = month > 2 ? month - 3 : month + 9;
    std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146'097 + day_of_era - 719'468;
}

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(std::int64_t year, int month) {
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[static_cast<std::size_t>(month - 1)];
}

// At least `width` digits, with a `-` before them for a negative number.
std::string padded(std::int64_t n, int width) {
    std::uint64_t magnitude = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    std::string digits = std::to_string(magnitude);
    if (digits.size() < static_cast<std::size_t>(width)) digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    return (n < 0 ? "-" : "") + digits;
}

// `2026-11-21T10:00:00Z`, with `.mmm` when the milliseconds are not zero. A year outside
// 0000-9999 is written with its sign and as many digits as it needs.
std::string format_time(std::int64_t ms) {
    std::int64_t days = floor_div(ms, ms_per_day);
    std::int64_t in_day = ms - days * ms_per_day;
    Civil c = civil_from_days(days);
    std::string text = padded(c.year, 4) + "-" + padded(c.month, 2) + "-" + padded(c.day, 2) + "T" +
                       padded(in_day / 3'600'000, 2) + ":" + padded(in_day / 60'000 % 60, 2) + ":" +
                       padded(in_day / 1'000 % 60, 2);
    if (in_day % 1'000 != 0) text += "." + padded(in_day % 1'000, 3);
    return text + "Z";
}

// A time as seen in a zone. The reference reads zones through the C library (TZ and
// localtime_r): a second reading of the tzdata, independent of the compiler's TZif reader.
struct Local {
    std::int64_t days;  // since 1970-01-01, local
    std::int64_t ms;    // since local midnight
    int weekday;        // 0 = Monday
};

Local local_time(std::int64_t utc_ms, const std::string& zone) {
    const char* before = std::getenv("TZ");
    std::string saved = before ? before : "";
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
    std::time_t seconds = static_cast<std::time_t>(floor_div(utc_ms, 1'000));
    std::tm parts{};
    ::localtime_r(&seconds, &parts);
    if (before) ::setenv("TZ", saved.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
    std::int64_t local = utc_ms + static_cast<std::int64_t>(parts.tm_gmtoff) * 1'000;
    std::int64_t days = floor_div(local, ms_per_day);
    return {days, local - days * ms_per_day, (parts.tm_wday + 6) % 7};
}

// `2027-01-01`.
std::string format_date(std::int64_t days) {
    Civil c = civil_from_days(days);
    return padded(c.year, 4) + "-" + padded(c.month, 2) + "-" + padded(c.day, 2);
}

// `09:00`, or `09:00:30`, or `09:00:30.250`: the seconds only when the time has some.
std::string format_time_of_day(std::int64_t ms) {
    std::string text = padded(ms / 3'600'000, 2) + ":" + padded(ms / 60'000 % 60, 2);
    if (ms % 60'000 != 0) text += ":" + padded(ms / 1'000 % 60, 2);
    if (ms % 1'000 != 0) text += "." + padded(ms % 1'000, 3);
    return text;
}

// ---------------------------------------------------------------------------------------------
// str() and JSON output

// The largest unit that divides the amount exactly, else the smallest unit. Zero, which every
// unit divides, is written in the smallest (`0 B`, `0 ms`): no unit is larger for it.
std::string with_unit(std::int64_t n, std::initializer_list<std::pair<std::int64_t, const char*>> units,
                      const char* smallest) {
    for (auto [factor, name] : units)
        if (n != 0 && n % factor == 0) return std::to_string(n / factor) + " " + name;
    return std::to_string(n) + " " + smallest;
}

std::string write_number(const Value& v) {
    switch (v.unit) {
        case TypeKind::size:
            return with_unit(v.number, {{1'000'000'000, "GB"}, {1'000'000, "MB"}, {1'000, "KB"}}, "B");
        case TypeKind::duration:
            return with_unit(v.number, {{86'400'000, "d"}, {3'600'000, "h"}, {60'000, "min"}, {1'000, "s"}}, "ms");
        case TypeKind::time: return format_time(v.number);
        case TypeKind::date: return format_date(v.number);
        case TypeKind::time_of_day: return format_time_of_day(v.number);
        default: return std::to_string(v.number);
    }
}

// Strings inside records and results are quoted as a literal of the language would be.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
        }
    }
    return out + "\"";
}

class Writer {
public:
    explicit Writer(const Schema& schema) : schema_(schema) {}

    // The names of the program's contact fields: a `contact_fields` record's fields are the
    // rules', which the schema does not know.
    std::vector<std::string> contact_fields;

    // str(value): a string at the top is written as itself, nested ones quoted.
    std::string text(const Value& v, bool nested = false) const {
        switch (v.kind) {
            case Kind::none: return "none";
            case Kind::boolean: return v.number ? "true" : "false";
            case Kind::number: return write_number(v);
            case Kind::string: return nested ? quoted(v.text) : v.text;
            case Kind::member: return member_name(v);
            case Kind::record: return record_text(v);
            case Kind::list: return "[" + joined(v.items) + "]";
            case Kind::set: return "{" + joined(v.items) + "}";
            case Kind::result: return result_text(v);
        }
        return {};
    }

    json::value to_json(const Value& v) const {
        switch (v.kind) {
            case Kind::none: return nullptr;
            case Kind::boolean: return v.number != 0;
            case Kind::number:
                if (v.unit == TypeKind::date || v.unit == TypeKind::time_of_day) return json::string(write_number(v));
                return v.number;
            case Kind::string: return json::string(v.text);
            case Kind::member: return json::string(member_name(v));
            case Kind::record: return record_json(v);
            case Kind::list:
            case Kind::set: {
                json::array a;
                for (const auto& item : v.items) a.push_back(to_json(item));
                return a;
            }
            case Kind::result: return result_json(v);
        }
        return nullptr;
    }

private:
    std::string member_name(const Value& v) const {
        return schema_.enums().at(v.decl).members.at(static_cast<std::size_t>(v.number));
    }

    std::string joined(const std::vector<Value>& items) const {
        std::string out;
        for (const auto& item : items) out += (out.empty() ? "" : ", ") + text(item, true);
        return out;
    }

    std::string record_text(const Value& v) const {
        const auto& decl = schema_.records().at(v.decl);
        std::vector<std::string> names;
        if (decl.declared_by_rules) names = contact_fields;
        else
            for (const auto& f : decl.fields) names.push_back(f.name);
        std::string out;
        for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i] + ": " + text(v.items[i], true);
        return "{" + out + "}";
    }

    // Every parameter, in order; `thread`'s keys one by one in the place of `key`.
    std::string result_text(const Value& v) const {
        const auto& fn = schema_.functions().at(v.decl);
        std::vector<Value> args;
        for (std::size_t i = 0; i < fn.params.size(); ++i) {
            if (i == 0 && fn.variadic_first) args.insert(args.end(), v.items[0].items.begin(), v.items[0].items.end());
            else args.push_back(v.items[i]);
        }
        return fn.name + "(" + joined(args) + ")";
    }

    json::value record_json(const Value& v) const {
        const auto& decl = schema_.records().at(v.decl);
        json::object o;
        for (std::size_t i = 0; i < decl.fields.size(); ++i) o[decl.fields[i].name] = to_json(v.items[i]);
        return o;
    }

    json::value result_json(const Value& v) const {
        const auto& fn = schema_.functions().at(v.decl);
        json::object args;
        for (std::size_t i = 0; i < fn.params.size(); ++i) args[fn.params[i].name] = to_json(v.items[i]);
        json::object o;
        o[fn.name] = std::move(args);
        return o;
    }

    const Schema& schema_;
};

// ---------------------------------------------------------------------------------------------
// Reading a case

[[noreturn]] void refuse(const std::string& path, const std::string& reason) {
    throw std::runtime_error("case: " + path + ": " + reason);
}

std::string join_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// Parses a non-negative decimal amount; nullopt when it is not one or does not fit.
std::optional<std::int64_t> parse_amount(std::string_view digits) {
    if (digits.empty() || digits.size() > 19) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(n);
}

using UnitTable = std::vector<std::pair<std::string_view, std::int64_t>>;
const UnitTable size_units = {{"B", 1},       {"KB", 1'000},      {"MB", 1'000'000},    {"GB", 1'000'000'000},
                              {"KiB", 1'024}, {"MiB", 1'048'576}, {"GiB", 1'073'741'824}};
const UnitTable duration_units = {{"ms", 1}, {"s", 1'000}, {"min", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

// `"5 MB"`, `"5MB"`: an amount, at most one space, a unit of the language.
std::optional<std::int64_t> parse_with_unit(std::string_view text, const UnitTable& units) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    auto amount = parse_amount(text.substr(0, digits));
    std::string_view unit = text.substr(digits);
    if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (!amount) return std::nullopt;
    for (auto [name, factor] : units) {
        if (name != unit) continue;
        if (*amount > INT64_MAX / factor) return std::nullopt;
        return *amount * factor;
    }
    return std::nullopt;
}

std::optional<int> two_digits(std::string_view s, std::size_t at) {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return std::nullopt;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, every field in range.
std::optional<std::int64_t> parse_time(std::string_view s) {
    if (s.size() != 20 && s.size() != 24) return std::nullopt;
    auto year = parse_amount(s.substr(0, 4));
    auto month = two_digits(s, 5), day = two_digits(s, 8);
    auto hour = two_digits(s, 11), minute = two_digits(s, 14), second = two_digits(s, 17);
    if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
    if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z') return std::nullopt;
    std::int64_t millis = 0;
    if (s.size() == 24) {
        auto m = parse_amount(s.substr(20, 3));
        if (s[19] != '.' || !m) return std::nullopt;
        millis = *m;
    }
    if (*month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
    if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
    std::int64_t days = days_from_civil(*year, *month, *day);
    return days * ms_per_day + ((*hour * 60 + *minute) * 60 + *second) * 1'000 + millis;
}

// Fact queries answer from these tables.
struct QueryFacts {
    std::map<std::int64_t, std::vector<std::int64_t>> members;  // chat id -> member ids
    std::map<std::int64_t, std::vector<std::int64_t>> roles;    // task id -> ids of people with a role
    std::vector<Value> history;                                 // messages, oldest first
};

// The program's contact fields (`contact_field`): what a `contact_fields` record holds, in the
// program's order, and each one's default.
struct ContactFields {
    std::vector<std::string> names;
    std::vector<Type> types;
    std::vector<Value> defaults;
};

class CaseReader {
public:
    explicit CaseReader(const Schema& schema) : schema_(schema) {}

    ContactFields contact_fields;

    Value read(Type t, const json::value& v, const std::string& path) const {
        if (t.is_optional()) return v.is_null() ? Value{} : read(t.inner(), v, path);
        if (t.is(Wrap::list) || t.is(Wrap::set)) return read_collection(t, v, path);
        switch (t.base) {
            case TypeKind::boolean:
                if (!v.is_bool()) refuse(path, "expected a bool");
                return boolean(v.get_bool());
            case TypeKind::integer: return number(TypeKind::integer, read_int(v, path));
            case TypeKind::string:
                if (!v.is_string()) refuse(path, "expected a string");
                return string(std::string(v.get_string()));
            case TypeKind::size: return number(TypeKind::size, read_with_unit(v, path, size_units, "size"));
            case TypeKind::duration:
                return number(TypeKind::duration, read_with_unit(v, path, duration_units, "duration"));
            case TypeKind::time: return number(TypeKind::time, read_time(v, path));
            case TypeKind::date:
            case TypeKind::time_of_day: return number(t.base, read_int(v, path));
            case TypeKind::enumeration: return read_member(t, v, path);
            case TypeKind::record: return read_record(t.decl, v, path);
            default: throw std::logic_error("reference: a case cannot hold a " + schema_.type_name(t));
        }
    }

    Value default_of(Type t) const {
        if (t.is_optional()) return {};
        if (t.is(Wrap::list)) return list({});
        if (t.is(Wrap::set)) return set_of({});
        switch (t.base) {
            case TypeKind::boolean: return boolean(false);
            case TypeKind::integer:
            case TypeKind::size:
            case TypeKind::duration:
            case TypeKind::time:
            case TypeKind::date:
            case TypeKind::time_of_day: return number(t.base, 0);
            case TypeKind::string: return string("");
            case TypeKind::enumeration: return member(t.decl, 0);
            case TypeKind::record: {
                if (schema_.records().at(t.decl).declared_by_rules) return record(t.decl, contact_fields.defaults);
                std::vector<Value> fields;
                for (const auto& f : schema_.records().at(t.decl).fields) fields.push_back(default_of(f.type));
                return record(t.decl, std::move(fields));
            }
            default: throw std::logic_error("reference: no default for " + schema_.type_name(t));
        }
    }

    Value read_record(std::size_t decl, const json::value& v, const std::string& path) const {
        const auto& rec = schema_.records().at(decl);
        if (!v.is_object()) refuse(path, "expected an object (a " + rec.name + ")");
        Value out = default_of(Type::of(TypeKind::record, static_cast<std::uint16_t>(decl)));
        for (const auto& [key, value] : v.get_object()) {
            if (rec.declared_by_rules) {  // `contact.fields`: the program's, by name
                const auto& names = contact_fields.names;
                auto at = static_cast<std::size_t>(std::find(names.begin(), names.end(), key) - names.begin());
                if (at == names.size()) refuse(join_path(path, key), "unknown contact field");
                out.items[at] = read(contact_fields.types[at], value, join_path(path, key));
                continue;
            }
            auto index = rec.find(key);
            if (!index) refuse(join_path(path, key), "unknown field of " + rec.name);
            out.items[*index] = read(rec.fields[*index].type, value, join_path(path, key));
        }
        return out;
    }

    QueryFacts read_facts(const json::value& v, Type message_type) const {
        if (!v.is_object()) refuse("facts", "expected an object");
        QueryFacts facts;
        for (const auto& [key, value] : v.get_object()) {
            if (key == "members") facts.members = read_id_table(value, "facts.members");
            else if (key == "roles") facts.roles = read_id_table(value, "facts.roles");
            else if (key == "history") facts.history = read_history(value, message_type);
            else refuse(join_path("facts", key), "unknown key");
        }
        return facts;
    }

    std::int64_t read_int(const json::value& v, const std::string& path) const {
        if (v.is_int64()) return v.get_int64();
        if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
            return static_cast<std::int64_t>(v.get_uint64());
        refuse(path, "expected a 64-bit integer");
    }

private:
    Value read_collection(Type t, const json::value& v, const std::string& path) const {
        if (!v.is_array()) refuse(path, "expected an array");
        std::vector<Value> items;
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) items.push_back(read(t.inner(), a[i], path + "[" + std::to_string(i) + "]"));
        return t.is(Wrap::set) ? set_of(std::move(items)) : list(std::move(items));
    }

    std::int64_t read_with_unit(const json::value& v, const std::string& path, const UnitTable& units, const char* what) const {
        if (!v.is_string()) return read_int(v, path);
        auto n = parse_with_unit(v.get_string(), units);
        if (!n) refuse(path, "not a " + std::string(what) + ": \"" + std::string(v.get_string()) + "\"");
        return *n;
    }

    std::int64_t read_time(const json::value& v, const std::string& path) const {
        if (!v.is_string()) return read_int(v, path);
        auto t = parse_time(v.get_string());
        if (!t) refuse(path, "not a time (YYYY-MM-DDTHH:MM:SS[.mmm]Z): \"" + std::string(v.get_string()) + "\"");
        return *t;
    }

    Value read_member(Type t, const json::value& v, const std::string& path) const {
        const auto& en = schema_.enum_of(t);
        if (!v.is_string()) refuse(path, "expected a " + en.name + " name");
        auto index = en.find(v.get_string());
        if (!index) refuse(path, "unknown " + en.name + " \"" + std::string(v.get_string()) + "\"");
        return member(t.decl, *index);
    }

    // {"<id>": [ids...]}; keys are ids written as JSON strings, in their canonical decimal form.
    std::map<std::int64_t, std::vector<std::int64_t>> read_id_table(const json::value& v, const std::string& path) const {
        if (!v.is_object()) refuse(path, "expected an object from ids to arrays of ids");
        std::map<std::int64_t, std::vector<std::int64_t>> table;
        for (const auto& [key, ids] : v.get_object()) {
            std::string key_path = join_path(path, key);
            std::int64_t id = 0;
            auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
            if (error != std::errc() || end != key.data() + key.size() || std::to_string(id) != key)
                refuse(key_path, "not an id in decimal");
            if (!ids.is_array()) refuse(key_path, "expected an array of ids");
            auto& out = table[id];
            for (const auto& item : ids.get_array()) out.push_back(read_int(item, key_path));
        }
        return table;
    }

    std::vector<Value> read_history(const json::value& v, Type message_type) const {
        if (!v.is_array()) refuse("facts.history", "expected an array of messages");
        std::vector<Value> history;
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i)
            history.push_back(read_record(message_type.decl, a[i], "facts.history[" + std::to_string(i) + "]"));
        return history;
    }

    const Schema& schema_;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

class Evaluator {
public:
    Evaluator(const Schema& schema, const QueryFacts& queries) : schema_(schema), queries_(queries), writer_(schema) {}

    std::map<std::string, Value, std::less<>> facts;  // by binding name, `now` included
    std::map<const void*, Value> settings;            // by SettingDecl
    std::map<const void*, std::size_t> contact_field_slots;  // by SettingDecl: its item in `contact.fields`
    std::map<const void*, Value> lets;                // top-level lets, by LetDecl

    Value eval(const dsl::Expr& e) {
        return std::visit([&](const auto& node) { return visit(e, node); }, e.node);
    }

    // A policy's lets, then its rules top to bottom; returns the index of the deciding rule, and
    // its value (none for `-> next`: the next policy decides).
    std::pair<std::size_t, std::optional<Value>> decide(const dsl::PolicyDecl& policy) {
        locals_.clear();
        for (const auto& let : policy.lets) {
            Value v = eval(*let.value);
            locals_.emplace_back(let.name.name, std::move(v));
        }
        for (std::size_t i = 0; i < policy.rules.size(); ++i) {
            const auto& rule = policy.rules[i];
            if (!rule.is_otherwise() && !truth(eval(*rule.condition))) continue;
            if (rule.defers()) return {i, std::nullopt};
            return {i, eval(*rule.result)};
        }
        throw std::logic_error("reference: a checked policy decided nothing");
    }

    const Writer& writer() const { return writer_; }
    Writer& writer() { return writer_; }

private:
    static bool truth(const Value& v) { return v.kind == Kind::boolean && v.number != 0; }

    Value visit(const dsl::Expr&, const dsl::IntLit& n) { return number(TypeKind::integer, n.value); }
    Value visit(const dsl::Expr&, const dsl::StringLit& s) { return string(s.value); }
    Value visit(const dsl::Expr&, const dsl::BoolLit& b) { return boolean(b.value); }
    Value visit(const dsl::Expr&, const dsl::NoneLit&) { return {}; }
    // The checker refuses (E0105) an amount whose bytes or milliseconds do not fit.
    Value visit(const dsl::Expr&, const dsl::SizeLit& s) {
        return number(TypeKind::size, s.amount * dsl::unit_factor(s.unit));
    }
    Value visit(const dsl::Expr&, const dsl::DurationLit& d) {
        return number(TypeKind::duration, d.amount * dsl::unit_factor(d.unit));
    }
    Value visit(const dsl::Expr&, const dsl::DateLit& d) { return number(TypeKind::date, d.days); }
    Value visit(const dsl::Expr&, const dsl::TimeOfDayLit& t) { return number(TypeKind::time_of_day, t.ms); }
    Value visit(const dsl::Expr&, const dsl::TimeLit& t) { return number(TypeKind::time, t.ms); }
    Value visit(const dsl::Expr&, const dsl::RecordLit&) {
        throw std::logic_error("reference: record literals only appear in tests");
    }

    Value visit(const dsl::Expr& e, const dsl::Name& n) {
        const auto& a = e.annotation;
        switch (a.ref) {
            case dsl::RefKind::local: return local(n.id);
            case dsl::RefKind::let: return lets.at(a.target);
            case dsl::RefKind::binding: return facts.at(n.id);
            case dsl::RefKind::enum_member: return member(a.type.decl, a.index);
            case dsl::RefKind::function: return construct(a.index, {});  // a constructor written bare
            default: throw std::logic_error("reference: unresolved name " + n.id);
        }
    }

    // A result read as a record: the argument of that name, or none when its constructor has
    // none (the keys of `thread` are not a field).
    Value argument_named(const Value& result, std::string_view name) const {
        const auto& fn = schema_.functions().at(result.decl);
        for (std::size_t p = 0; p < fn.params.size(); ++p)
            if (fn.params[p].name == name && !(p == 0 && fn.variadic_first)) return result.items.at(p);
        return {};
    }

    // `it` and policy lets; the innermost `it` of nested `where`s is the last one pushed.
    Value local(std::string_view name) const {
        for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
            if (it->first == name) return it->second;
        throw std::logic_error("reference: no local " + std::string(name));
    }

    Value visit(const dsl::Expr& e, const dsl::Field& f) {
        const auto& a = e.annotation;
        if (a.ref == dsl::RefKind::setting) return settings.at(a.target);
        if (a.ref == dsl::RefKind::enum_member) return member(a.type.decl, a.index);
        Value object = eval(*f.object);
        if (object.kind == Kind::none) return {};  // `none` propagates through field access
        if (object.kind == Kind::result) return argument_named(object, f.name);
        if (a.ref == dsl::RefKind::contact_field) return object.items.at(contact_field_slots.at(a.target));
        return object.items.at(a.index);
    }

    Value visit(const dsl::Expr&, const dsl::Unary& u) {
        Value v = eval(*u.operand);
        if (u.op == dsl::UnaryOp::logical_not) return boolean(!truth(v));
        v.number = wrapping_sub(0, v.number);
        return v;
    }

    Value visit(const dsl::Expr&, const dsl::Binary& b) {
        using Op = dsl::BinaryOp;
        switch (b.op) {
            case Op::coalesce: {
                Value l = eval(*b.lhs);
                return l.kind == Kind::none ? eval(*b.rhs) : l;
            }
            case Op::logical_or: return boolean(truth(eval(*b.lhs)) || truth(eval(*b.rhs)));
            case Op::logical_and: return boolean(truth(eval(*b.lhs)) && truth(eval(*b.rhs)));
            case Op::eq: return boolean(equal(eval(*b.lhs), eval(*b.rhs)));
            case Op::ne: return boolean(!equal(eval(*b.lhs), eval(*b.rhs)));
            case Op::lt:
            case Op::le:
            case Op::gt:
            case Op::ge: return boolean(ordered(b.op, eval(*b.lhs), eval(*b.rhs)));
            case Op::in: return boolean(contains_value(eval(*b.rhs).items, eval(*b.lhs)));
            case Op::not_in: return boolean(!contains_value(eval(*b.rhs).items, eval(*b.lhs)));
            case Op::add:
            case Op::sub: return arithmetic(b.op == Op::add, eval(*b.lhs), eval(*b.rhs));
        }
        throw std::logic_error("reference: unknown operator");
    }

    // Numbers compare as signed 64-bit; strings by their bytes, unsigned (the code point order).
    static bool ordered(dsl::BinaryOp op, const Value& l, const Value& r) {
        int c = 0;
        if (l.kind == Kind::string) {
            c = l.text.compare(r.text);  // char_traits<char> compares as unsigned char: byte order
        } else {
            c = l.number < r.number ? -1 : l.number > r.number ? 1 : 0;
        }
        switch (op) {
            case dsl::BinaryOp::lt: return c < 0;
            case dsl::BinaryOp::le: return c <= 0;
            case dsl::BinaryOp::gt: return c > 0;
            default: return c >= 0;
        }
    }

    static Value arithmetic(bool add, Value l, Value r) {
        if (l.kind == Kind::none || r.kind == Kind::none) return {};  // `none` propagates through + and -
        if (l.kind == Kind::string) return string(l.text + r.text);
        if (l.kind == Kind::list) {
            l.items.insert(l.items.end(), r.items.begin(), r.items.end());
            return l;
        }
        // time - time is a duration; time +/- duration stays a time; other units keep theirs.
        TypeKind unit = l.unit == TypeKind::time && r.unit == TypeKind::time ? TypeKind::duration : l.unit;
        return number(unit, add ? wrapping_add(l.number, r.number) : wrapping_sub(l.number, r.number));
    }

    Value visit(const dsl::Expr&, const dsl::ListLit& l) {
        std::vector<Value> items;
        for (const auto& item : l.items) items.push_back(eval(*item));
        return list(std::move(items));
    }

    Value visit(const dsl::Expr&, const dsl::SetLit& s) {
        std::vector<Value> items;
        for (const auto& item : s.items) items.push_back(eval(*item));
        return set_of(std::move(items));
    }

    Value visit(const dsl::Expr&, const dsl::Where& w) {
        Value items = eval(*w.items);
        std::vector<Value> kept;
        for (auto& item : items.items) {
            locals_.emplace_back("it", item);
            bool keep = truth(eval(*w.predicate));
            locals_.pop_back();
            if (keep) kept.push_back(std::move(item));
        }
        items.items = std::move(kept);  // a list stays a list and a set a set, in input order
        return items;
    }

    Value visit(const dsl::Expr&, const dsl::IfElse& i) {
        return truth(eval(*i.condition)) ? eval(*i.then_value) : eval(*i.else_value);
    }

    Value visit(const dsl::Expr& e, const dsl::Call& c) {
        if (e.annotation.ref == dsl::RefKind::rule_function)
            return call_rule_function(*static_cast<const dsl::FnDecl*>(e.annotation.target), c);
        const auto& fn = schema_.functions().at(e.annotation.index);
        // Arguments by parameter: named ones by name, positional ones fill the required
        // parameters in order; every positional argument of `thread` is a key.
        std::vector<std::pair<std::size_t, Value>> args;
        std::size_t next_required = 0;
        for (const auto& arg : c.args) {
            std::size_t p = 0;
            if (arg.name) {
                while (fn.params.at(p).name != *arg.name) ++p;
            } else if (!fn.variadic_first) {
                while (fn.params.at(next_required).optional) ++next_required;
                p = next_required++;
            }
            Value v = eval(*arg.value);
            if (p == 0 && fn.variadic_first) v = thread_key(arg.value->annotation.type, std::move(v));
            args.emplace_back(p, std::move(v));
        }
        if (fn.role == stdlib::FunctionRole::constructor) return construct(e.annotation.index, std::move(args));
        return call(fn.name, args);
    }

    // A function written in rules: its arguments, by name or in order, become the only locals
    // its body sees.
    Value call_rule_function(const dsl::FnDecl& fn, const dsl::Call& c) {
        std::vector<std::pair<std::string, Value>> params;
        std::size_t next_positional = 0;
        for (const auto& arg : c.args)
            params.emplace_back(arg.name ? *arg.name : fn.params.at(next_positional++).name.name, eval(*arg.value));
        std::swap(params, locals_);
        Value v = eval(*fn.body);
        std::swap(params, locals_);
        return v;
    }

    // docs/cases.md: a key of a string or number type is kept (numbers as plain numbers, none as
    // none); any other key is keyed by its text, as `str` writes it.
    Value thread_key(stdlib::Type type, Value v) const {
        stdlib::Type base = type.without_optional();
        bool numeric = base.depth == 0 && (base.base == TypeKind::integer || base.base == TypeKind::size ||
                                           base.base == TypeKind::duration || base.base == TypeKind::time);
        bool text_type = base.depth == 0 && base.base == TypeKind::string;
        if (numeric && v.kind == Kind::number) return number(TypeKind::integer, v.number);
        if (numeric || text_type) return v;
        return string(writer_.text(v));
    }

    Value construct(std::size_t index, std::vector<std::pair<std::size_t, Value>> args) const {
        const auto& fn = schema_.functions().at(index);
        std::vector<Value> params(fn.params.size());
        if (fn.variadic_first) params[0] = list({});
        for (auto& [p, v] : args) {
            if (p == 0 && fn.variadic_first) params[0].items.push_back(std::move(v));
            else params[p] = std::move(v);
        }
        return result(index, std::move(params));
    }

    Value call(const std::string& name, const std::vector<std::pair<std::size_t, Value>>& args) const {
        auto arg = [&](std::size_t p) -> const Value& {
            for (const auto& [i, v] : args)
                if (i == p) return v;
            throw std::logic_error("reference: missing argument of " + name);
        };
        if (name == "count") return number(TypeKind::integer, static_cast<std::int64_t>(arg(0).items.size()));
        if (name == "empty") return boolean(arg(0).items.empty());
        if (name == "any") return boolean(!arg(0).items.empty());
        if (name == "lower") return string(lower(arg(0).text));
        if (name == "contains") return boolean(arg(0).text.find(arg(1).text) != std::string::npos);
        if (name == "starts_with") return boolean(arg(0).text.starts_with(arg(1).text));
        if (name == "ends_with") return boolean(arg(0).text.ends_with(arg(1).text));
        if (name == "has_word" || name == "has_phrase") return boolean(phrase_in(lower(arg(0).text), lower(arg(1).text)));
        if (name == "matches") return boolean(glob_match(arg(0).text, arg(1).text));
        if (name == "length") return number(TypeKind::integer, code_point_count(arg(0).text));
        if (name == "str") return string(writer_.text(arg(0)));
        if (name == "notify") return notify(arg(0), arg(1));
        if (name == "quick_reply") return make_record("quick_reply", {{"name", arg(0)}, {"text", arg(1)}});
        if (name == "member_of") return boolean(listed(queries_.members, field(arg(1), "id"), field(arg(0), "id")));
        if (name == "has_role") return boolean(listed(queries_.roles, field(arg(1), "id"), field(arg(0), "id")));
        if (name == "last_message_with") return last_message_with(field(arg(0), "id"));
        if (name == "weekday_in") return weekday(local_time(arg(0).number, arg(1).text).weekday);
        if (name == "time_of_day_in") return number(TypeKind::time_of_day, local_time(arg(0).number, arg(1).text).ms);
        if (name == "date_in") return number(TypeKind::date, local_time(arg(0).number, arg(1).text).days);
        if (name == "hours") return make_record("opening_hours", {{"days", arg(0)}, {"from", arg(1)}, {"to", arg(2)}});
        if (name == "calendar") return calendar(args);
        if (name == "open_at") return boolean(open_at(arg(0), arg(1).number));
        throw std::logic_error("reference: unknown function " + name);
    }

    std::size_t record_index(std::string_view name) const { return schema_.named_type(name)->decl; }

    Value weekday(int index) const { return member(schema_.named_type("weekday")->decl, static_cast<std::size_t>(index)); }

    // `holidays` left out is no holidays.
    Value calendar(const std::vector<std::pair<std::size_t, Value>>& args) const {
        Value zone, hours, holidays = set_of({});
        for (const auto& [p, v] : args) {
            if (p == 0) zone = v;
            else if (p == 1) hours = v;
            else if (v.kind != Kind::none) holidays = v;
        }
        return make_record("calendar", {{"zone", zone}, {"hours", hours}, {"holidays", holidays}});
    }

    // Closed on a holiday; otherwise open when some hours hold: from <= t < to on one of their
    // days, or, for hours that end past midnight (to < from), from `from` on such a day until
    // `to` on the next.
    bool open_at(const Value& calendar, std::int64_t at) const {
        auto item = [&](const Value& rec, std::string_view f) -> const Value& {
            return rec.items.at(*schema_.records().at(rec.decl).find(f));
        };
        Local local = local_time(at, item(calendar, "zone").text);
        for (const auto& day : item(calendar, "holidays").items)
            if (day.number == local.days) return false;
        auto on = [&](const Value& days, int weekday) {
            return std::any_of(days.items.begin(), days.items.end(), [&](const Value& d) { return d.number == weekday; });
        };
        for (const auto& h : item(calendar, "hours").items) {
            std::int64_t from = item(h, "from").number, to = item(h, "to").number;
            const Value& days = item(h, "days");
            if (from < to && on(days, local.weekday) && from <= local.ms && local.ms < to) return true;
            if (to < from && ((on(days, local.weekday) && local.ms >= from) || (on(days, (local.weekday + 6) % 7) && local.ms < to)))
                return true;
        }
        return false;
    }

    Value make_record(std::string_view name, std::vector<std::pair<std::string_view, Value>> fields) const {
        std::size_t decl = record_index(name);
        const auto& rec = schema_.records().at(decl);
        std::vector<Value> items(rec.fields.size());
        for (auto& [f, v] : fields) items.at(*rec.find(f)) = std::move(v);
        return record(decl, std::move(items));
    }

    std::int64_t field(const Value& rec, std::string_view name) const {
        return rec.items.at(*schema_.records().at(rec.decl).find(name)).number;
    }

    // One notice per person, in order, duplicates kept.
    Value notify(const Value& people, const Value& reason) const {
        std::vector<Value> notices;
        for (const auto& person : people.items) notices.push_back(make_record("notice", {{"person", person}, {"reason", reason}}));
        return list(std::move(notices));
    }

    static bool listed(const std::map<std::int64_t, std::vector<std::int64_t>>& table, std::int64_t key, std::int64_t id) {
        auto it = table.find(key);
        return it != table.end() && std::find(it->second.begin(), it->second.end(), id) != it->second.end();
    }

    // The latest message of the history whose sender, or one of whose participants, has the id.
    Value last_message_with(std::int64_t person) const {
        for (auto m = queries_.history.rbegin(); m != queries_.history.rend(); ++m) {
            if (field(m->items.at(*schema_.records().at(m->decl).find("sender")), "id") == person) return *m;
            const auto& participants = m->items.at(*schema_.records().at(m->decl).find("participants"));
            for (const auto& p : participants.items)
                if (field(p, "id") == person) return *m;
        }
        return {};
    }

    const Schema& schema_;
    const QueryFacts& queries_;
    Writer writer_;
    std::vector<std::pair<std::string, Value>> locals_;
};

// ---------------------------------------------------------------------------------------------
// Which policies decide

std::string location(const compiler::Workspace& ws, common::FileId file, common::Span span) {
    for (const auto& f : ws.files)
        if (f.id == file) return f.path + ":" + std::to_string(ws.sources.file(file).locate(span.begin).line);
    throw std::logic_error("reference: unknown file");
}

// The value a scope dimension constrains (`message.chat.kind`), read from the facts.
std::size_t dimension_value(const Schema& schema, const std::map<std::string, Value, std::less<>>& facts,
                            std::string_view path) {
    auto dot = path.find('.');
    const Value* v = &facts.find(path.substr(0, dot))->second;
    while (dot != std::string_view::npos) {
        path.remove_prefix(dot + 1);
        dot = path.find('.');
        auto name = path.substr(0, dot);
        v = &v->items.at(*schema.records().at(v->decl).find(name));
    }
    return static_cast<std::size_t>(v->number);
}

std::uint64_t scope_size(const compiler::CheckedPolicy& p) {
    std::uint64_t n = 1;
    for (auto bits : p.scope) n *= static_cast<std::uint64_t>(std::popcount(bits));
    return n;
}

// The highest priority wins; among equal priorities the smallest scope (the checker ensures
// that overlapping scopes of equal priority are strictly nested, so the smallest is unique).
const compiler::CheckedPolicy* applicable(const compiler::Program& program, const stdlib::PolicyKindDecl& kind,
                                          const std::vector<std::size_t>& event) {
    const compiler::CheckedPolicy* best = nullptr;
    for (const auto& p : program.policies) {
        if (p.kind->name != kind.name) continue;
        bool admitted = true;
        for (std::size_t d = 0; d < event.size(); ++d) admitted &= ((p.scope[d] >> event[d]) & 1) != 0;
        if (!admitted) continue;
        if (!best || p.priority > best->priority || (p.priority == best->priority && scope_size(p) < scope_size(*best)))
            best = &p;
    }
    return best;
}

// `-> next`: the policy that applies when `deferring` does not: the best of those ranked below it.
const compiler::CheckedPolicy* next_below(const compiler::Program& program, const compiler::CheckedPolicy& deferring,
                                          const std::vector<std::size_t>& event) {
    auto below = [](const compiler::CheckedPolicy& q, const compiler::CheckedPolicy& p) {
        return q.priority < p.priority || (q.priority == p.priority && scope_size(q) > scope_size(p));
    };
    const compiler::CheckedPolicy* best = nullptr;
    for (const auto& q : program.policies) {
        if (q.kind != deferring.kind || &q == &deferring || !below(q, deferring)) continue;
        bool admitted = true;
        for (std::size_t d = 0; d < event.size(); ++d) admitted &= ((q.scope[d] >> event[d]) & 1) != 0;
        if (admitted && (!best || below(*best, q))) best = &q;
    }
    return best;
}

// Kinds other than these are asked on every event; these only when the case gives their subject.
bool asked(const stdlib::PolicyKindDecl& kind, const json::object& case_object, const Value& message,
           const Schema& schema) {
    if (kind.name == "reaction") return case_object.contains("reaction");
    if (kind.name == "alert") return case_object.contains("notice");
    if (kind.name == "quick_replies") return case_object.contains("employee");
    if (kind.name == "command")
        return message.items.at(*schema.records().at(message.decl).find("command")).kind != Kind::none;
    return true;
}

class CaseRun {
public:
    CaseRun(const compiler::Workspace& ws, const compiler::Program& program, const Schema& schema,
            const json::value& case_json)
        : ws_(ws), program_(program), schema_(schema), reader_(schema), evaluator_(schema, queries_) {
        if (!case_json.is_object()) refuse("case", "expected an object");
        case_ = &case_json.get_object();
        declare_contact_fields();
        read_facts();
        read_settings();
        for (const auto& let : program_.lets) evaluator_.lets[let.decl] = evaluator_.eval(*let.decl->value);
    }

    json::object run() {
        const Value message = evaluator_.facts.at("message");
        std::vector<std::size_t> event;
        for (const auto& dim : schema_.dimensions()) event.push_back(dimension_value(schema_, evaluator_.facts, dim.path));
        event_ = event;
        json::array decisions;
        for (const auto& kind : schema_.kinds()) {
            const auto* policy = applicable(program_, kind, event);
            if (!policy || !asked(kind, *case_, message, schema_)) continue;
            if (kind.per_file) decide_files(*policy, message, decisions);
            else decisions.push_back(decide(*policy, std::nullopt));
        }
        json::object out;
        out["ruleset"] = program_.name;
        out["decisions"] = std::move(decisions);
        return out;
    }

private:
    // Each file of the message in turn; the case's own `file` when the message has none.
    void decide_files(const compiler::CheckedPolicy& policy, const Value& message, json::array& decisions) {
        const auto& files = message.items.at(*schema_.records().at(message.decl).find("files")).items;
        for (std::size_t i = 0; i < files.size(); ++i) {
            evaluator_.facts["file"] = files[i];
            decisions.push_back(decide(policy, i));
        }
        if (files.empty() && case_->contains("file")) {
            evaluator_.facts["file"] = given_file_;
            decisions.push_back(decide(policy, std::nullopt));
        }
    }

    json::object decide(const compiler::CheckedPolicy& first, std::optional<std::size_t> file) {
        json::array deferred;
        for (const auto* policy = &first; policy; policy = next_below(program_, *policy, event_)) {
            auto [rule, value] = evaluator_.decide(*policy->decl);
            std::string where = location(ws_, policy->file, policy->decl->rules[rule].span);
            if (!value) {
                deferred.push_back(json::object{{"policy", location(ws_, policy->file, policy->decl->kind.span)},
                                                {"rule", where}});
                continue;
            }
            json::object d;
            d["kind"] = policy->kind->name;
            if (file) d["file"] = static_cast<std::int64_t>(*file);
            d["policy"] = location(ws_, policy->file, policy->decl->kind.span);
            d["rule"] = where;
            d["value"] = evaluator_.writer().to_json(*value);
            if (!deferred.empty()) d["deferred"] = std::move(deferred);
            return d;
        }
        throw std::logic_error("reference: `next` with no policy below it (the checker refuses that)");
    }

    void read_facts() {
        std::map<std::string, Type, std::less<>> bindings;
        for (const auto& kind : schema_.kinds())
            for (const auto& b : kind.bindings) bindings.emplace(b.name, b.type);
        for (const auto& [name, type] : bindings) evaluator_.facts[name] = reader_.default_of(type);
        for (const auto& [key, value] : *case_) {
            if (key == "settings" || key == "facts") continue;
            auto b = bindings.find(key);
            if (b == bindings.end()) refuse(key, "unknown key");
            evaluator_.facts[b->first] = reader_.read(b->second, value, key);
        }
        given_file_ = evaluator_.facts.at("file");
        if (const auto* facts = case_->if_contains("facts"))
            queries_ = reader_.read_facts(*facts, bindings.at("message"));
    }

    // Before the facts: a contact's fields are read, and defaulted, by these.
    void declare_contact_fields() {
        for (const auto& f : program_.contact_fields) {
            evaluator_.contact_field_slots[f.decl] = reader_.contact_fields.names.size();
            reader_.contact_fields.names.push_back(f.decl->name.name);
            evaluator_.writer().contact_fields.push_back(f.decl->name.name);
            reader_.contact_fields.types.push_back(f.type);
            reader_.contact_fields.defaults.push_back(evaluator_.eval(*f.decl->default_value));
        }
    }

    void read_settings() {
        const json::object* given = nullptr;
        if (const auto* s = case_->if_contains("settings")) {
            if (!s->is_object()) refuse("settings", "expected an object");
            given = &s->get_object();
            for (const auto& entry : *given) {
                std::string_view key = entry.key();  // clang 14 cannot capture a structured binding
                auto known = std::any_of(program_.settings.begin(), program_.settings.end(),
                                         [&](const auto& c) { return c.decl->name.name == key; });
                if (!known) refuse(join_path("settings", key), "unknown setting");
            }
        }
        for (const auto& s : program_.settings) {
            const json::value* v = given ? given->if_contains(s.decl->name.name) : nullptr;
            evaluator_.settings[s.decl] = v ? reader_.read(s.type, *v, "settings." + s.decl->name.name)
                                            : evaluator_.eval(*s.decl->default_value);
        }
    }

    const compiler::Workspace& ws_;
    const compiler::Program& program_;
    const Schema& schema_;
    CaseReader reader_;
    QueryFacts queries_;
    Evaluator evaluator_;
    const json::object* case_ = nullptr;
    Value given_file_;
    std::vector<std::size_t> event_;  // the scope values of the case: where `-> next` looks
};

}  // namespace

json::object evaluate(const compiler::Workspace& ws, const compiler::Program& program, const Schema& schema,
                      const json::value& case_json) {
    return CaseRun(ws, program, schema, case_json).run();
}

}  // namespace switchyard::reference
