#include "compiler/timezones.hpp"

#include "common/civil.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

namespace switchyard::compiler {

namespace {

using bytecode::Zone;
using bytecode::ZoneShift;

std::string zone_dir() {
    const char* dir = std::getenv("TZDIR");
    return dir && *dir ? dir : "/usr/share/zoneinfo";
}

// A name that can only be a file inside the database folder: `Area/Place`, no `..`.
bool plausible_name(std::string_view name) {
    if (name.empty() || name.front() == '/' || name.size() > 64) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+')) return false;
    return name.find("..") == std::string_view::npos;
}

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

// ---- TZif (RFC 8536) ----

class Bytes {
public:
    Bytes(std::string_view data, std::size_t at) : data_(data), at_(at) {}
    bool has(std::size_t n) const { return at_ + n <= data_.size(); }
    std::int64_t be(std::size_t n) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(data_[at_ + i]);
        at_ += n;
        if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        return static_cast<std::int64_t>(v);
    }
    void skip(std::size_t n) { at_ += n; }
    std::size_t at() const { return at_; }

private:
    std::string_view data_;
    std::size_t at_;
};

struct Counts {
    std::size_t isut, isstd, leap, time, type, chars;
    // The bytes of the data block that follows a header, for times of `width` bytes.
    std::size_t block(std::size_t width) const {
        return time * width + time + type * 6 + chars + leap * (width + 4) + isstd + isut;
    }
};

// Real files have a few thousand entries at most: larger counts are a damaged file, and refusing
// them first keeps the size arithmetic from overflowing.
bool plausible(const Counts& c) {
    for (auto n : {c.isut, c.isstd, c.leap, c.time, c.type, c.chars})
        if (n > (std::size_t(1) << 20)) return false;
    return true;
}

std::optional<Counts> header(Bytes& b) {
    if (!b.has(44)) return std::nullopt;
    b.skip(20);  // magic, version, reserved
    Counts c{};
    for (auto* n : {&c.isut, &c.isstd, &c.leap, &c.time, &c.type, &c.chars}) *n = static_cast<std::size_t>(b.be(4));
    return c;
}

struct Transitions {
    std::vector<ZoneShift> shifts;
    std::string footer;  // the POSIX TZ rule for times after the last transition
};

std::variant<Transitions, std::string> parse_tzif(std::string_view data) {
    if (data.size() < 44 || data.substr(0, 4) != "TZif") return std::string("not a TZif file");
    char version = data[4];
    Bytes b(data, 0);
    auto v1 = header(b);
    if (!v1) return std::string("truncated header");
    std::size_t width = 4;
    Counts c = *v1;
    if (!plausible(c)) return std::string("implausible counts in the header");
    if (version >= '2') {
        b.skip(v1->block(4));
        auto v2 = header(b);
        if (!v2) return std::string("truncated second header");
        c = *v2;
        width = 8;
    }
    if (!plausible(c)) return std::string("implausible counts in the header");
    if (c.type == 0 || !b.has(c.block(width))) return std::string("truncated data");
    std::vector<std::int64_t> times(c.time);
    for (auto& t : times) t = b.be(width);
    std::vector<std::size_t> kinds(c.time);
    for (auto& k : kinds) k = static_cast<std::size_t>(b.be(1));
    std::vector<std::int32_t> offsets(c.type);
    for (auto& o : offsets) {
        o = static_cast<std::int32_t>(b.be(4));
        b.skip(2);
    }
    b.skip(c.chars + c.leap * (width + 4) + c.isstd + c.isut);
    Transitions out;
    out.shifts.push_back({std::numeric_limits<std::int64_t>::min(), offsets[0]});
    for (std::size_t i = 0; i < times.size(); ++i) {
        if (kinds[i] >= offsets.size()) return std::string("a transition names an unknown local time type");
        out.shifts.push_back({times[i] * 1000, offsets[kinds[i]]});
    }
    if (version >= '2' && b.at() < data.size() && data[b.at()] == '\n') {
        auto end = data.find('\n', b.at() + 1);
        if (end != std::string_view::npos) out.footer = std::string(data.substr(b.at() + 1, end - b.at() - 1));
    }
    return out;
}

// ---- the POSIX TZ rule of the footer: `CET-1CEST,M3.5.0,M10.5.0/3` ----

struct RuleDate {
    char form = 'M';  // M: month.week.weekday; J: Julian day 1..365 without Feb 29; n: day 0..365
    int month = 0, week = 0, weekday = 0, day = 0;
    std::int64_t time_s = 7200;  // local time of day of the change, default 02:00
};

struct PosixRule {
    std::int32_t std_offset = 0;  // seconds east of UTC
    std::optional<std::int32_t> dst_offset;
    RuleDate start, end;
};

class RuleReader {
public:
    explicit RuleReader(std::string_view s) : s_(s) {}
    bool done() const { return at_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[at_]; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++at_;
        return true;
    }
    bool name() {
        if (eat('<')) {
            auto close = s_.find('>', at_);
            if (close == std::string_view::npos) return false;
            at_ = close + 1;
            return true;
        }
        std::size_t start = at_;
        while (std::isalpha(static_cast<unsigned char>(peek()))) ++at_;
        return at_ - start >= 3;
    }
    std::optional<int> number() {
        if (!std::isdigit(static_cast<unsigned char>(peek()))) return std::nullopt;
        int v = 0;
        while (std::isdigit(static_cast<unsigned char>(peek()))) v = v * 10 + (s_[at_++] - '0');
        return v;
    }
    // `[+-]hh[:mm[:ss]]` in seconds.
    std::optional<std::int64_t> clock() {
        int sign = eat('-') ? -1 : (eat('+'), 1);
        auto h = number();
        if (!h) return std::nullopt;
        std::int64_t v = *h * 3600;
        if (eat(':')) {
            auto m = number();
            if (!m) return std::nullopt;
            v += *m * 60;
            if (eat(':')) {
                auto sec = number();
                if (!sec) return std::nullopt;
                v += *sec;
            }
        }
        return sign * v;
    }
    std::optional<RuleDate> date() {
        RuleDate d;
        if (eat('M')) {
            auto m = number();
            if (!m || !eat('.')) return std::nullopt;
            auto w = number();
            if (!w || !eat('.')) return std::nullopt;
            auto wd = number();
            if (!wd || *m < 1 || *m > 12 || *w < 1 || *w > 5 || *wd > 6) return std::nullopt;
            d.month = *m, d.week = *w, d.weekday = *wd;
        } else {
            d.form = eat('J') ? 'J' : 'n';
            auto n = number();
            if (!n || *n > 365) return std::nullopt;
            d.day = *n;
        }
        if (eat('/')) {
            auto t = clock();
            if (!t) return std::nullopt;
            d.time_s = *t;
        }
        return d;
    }

private:
    std::string_view s_;
    std::size_t at_ = 0;
};

std::optional<PosixRule> parse_rule(std::string_view text) {
    RuleReader r(text);
    PosixRule rule;
    if (!r.name()) return std::nullopt;
    auto std_west = r.clock();
    if (!std_west) return std::nullopt;
    rule.std_offset = static_cast<std::int32_t>(-*std_west);  // POSIX counts west of UTC
    if (r.done()) return rule;
    if (!r.name()) return std::nullopt;
    rule.dst_offset = rule.std_offset + 3600;
    if (r.peek() != ',') {
        auto dst_west = r.clock();
        if (!dst_west) return std::nullopt;
        rule.dst_offset = static_cast<std::int32_t>(-*dst_west);
    }
    if (!r.eat(',')) return std::nullopt;  // a DST name without a rule: nothing says when
    auto start = r.date();
    if (!start || !r.eat(',')) return std::nullopt;
    auto end = r.date();
    if (!end || !r.done()) return std::nullopt;
    rule.start = *start, rule.end = *end;
    return rule;
}

// The day (days since 1970) a rule date falls on in `year`.
std::int64_t rule_day(const RuleDate& d, std::int64_t year) {
    if (d.form == 'J') {
        std::int64_t day = common::days_from_civil(year, 1, 1) + d.day - 1;
        bool leap = common::days_in_month(year, 2) == 29;
        return day + (leap && d.day >= 60 ? 1 : 0);  // Jn never counts February 29
    }
    if (d.form == 'n') return common::days_from_civil(year, 1, 1) + d.day;
    auto first = common::days_from_civil(year, unsigned(d.month), 1);
    // POSIX weekdays count from Sunday = 0; weekday_of counts from Monday = 0.
    int first_weekday = int((common::weekday_of(first) + 1) % 7);
    std::int64_t day = first + (d.weekday - first_weekday + 7) % 7 + (d.week - 1) * 7;
    auto last = first + common::days_in_month(year, unsigned(d.month)) - 1;
    while (day > last) day -= 7;  // week 5 means the last such weekday of the month
    return day;
}

// The rule's changes from the year of `after` up to the horizon, appended to `shifts`.
void extend(std::vector<ZoneShift>& shifts, const PosixRule& rule, std::int64_t after) {
    auto add = [&](std::int64_t at, std::int32_t offset) {
        if (at > after && at < zone_horizon_ms) shifts.push_back({at, offset});
    };
    if (!rule.dst_offset) {
        add(after + 1, rule.std_offset);
        return;
    }
    auto first_year = after == std::numeric_limits<std::int64_t>::min()
                          ? std::int64_t(1970)
                          : common::civil_from_days(common::floor_days(after)).year;
    for (std::int64_t year = first_year; year < 2100; ++year) {
        // The change to summer time happens at its local time in standard time, and back at its
        // local time in summer time.
        std::int64_t on = (rule_day(rule.start, year) * 86400 + rule.start.time_s - rule.std_offset) * 1000;
        std::int64_t off = (rule_day(rule.end, year) * 86400 + rule.end.time_s - *rule.dst_offset) * 1000;
        if (on < off) {
            add(on, *rule.dst_offset);
            add(off, rule.std_offset);
        } else {  // the southern hemisphere: summer time spans the new year
            add(off, rule.std_offset);
            add(on, *rule.dst_offset);
        }
    }
}

// Consecutive shifts to the same offset say nothing new.
std::vector<ZoneShift> compacted(const std::vector<ZoneShift>& shifts) {
    std::vector<ZoneShift> out;
    for (const auto& s : shifts)
        if (out.empty() || out.back().offset_s != s.offset_s) out.push_back(s);
    return out;
}

std::variant<Zone, std::string> load_zone(std::string_view name) {
    if (!plausible_name(name)) return "`" + std::string(name) + "` is not a time zone name";
    auto data = read_file(zone_dir() + "/" + std::string(name));
    if (!data) return "unknown time zone `" + std::string(name) + "` (not in " + zone_dir() + ")";
    auto parsed = parse_tzif(*data);
    if (auto* why = std::get_if<std::string>(&parsed))
        return "time zone `" + std::string(name) + "`: " + zone_dir() + "/" + std::string(name) + ": " + *why;
    auto& t = std::get<Transitions>(parsed);
    if (!t.footer.empty()) {
        auto rule = parse_rule(t.footer);
        if (!rule)
            return "time zone `" + std::string(name) + "`: cannot read its rule `" + t.footer + "` for later times";
        extend(t.shifts, *rule, t.shifts.back().from_ms);
    }
    return Zone{std::string(name), compacted(t.shifts)};
}

}  // namespace

std::variant<Zone, std::string> read_zone(std::string_view name) {
    static std::mutex mutex;
    static std::map<std::string, std::variant<Zone, std::string>, std::less<>> cache;
    std::lock_guard lock(mutex);
    auto it = cache.find(name);
    if (it == cache.end()) it = cache.emplace(std::string(name), load_zone(name)).first;
    return it->second;
}

const std::vector<std::string>& zone_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        std::istringstream in(read_file(zone_dir() + "/tzdata.zi").value_or(""));
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream words(line);
            std::string tag, a, b;
            words >> tag >> a >> b;
            if (tag == "Z") out.push_back(a);
            else if (tag == "L") out.push_back(b);
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }();
    return names;
}

}  // namespace switchyard::compiler
