#include "common/civil.hpp"

#include <cstdio>

namespace switchyard::common {

// The algorithms are Howard Hinnant's `days_from_civil` and `civil_from_days`: exact over the
// whole proleptic Gregorian calendar, with eras of 400 years.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    CivilDate c;
    c.day = doy - (153 * mp + 2) / 5 + 1;
    c.month = mp < 10 ? mp + 3 : mp - 9;
    c.year = static_cast<std::int64_t>(yoe) + era * 400 + (c.month <= 2);
    return c;
}

unsigned weekday_of(std::int64_t days) {
    // 1970-01-01 was a Thursday: index 3 from Monday.
    auto r = (days + 3) % 7;
    return static_cast<unsigned>(r < 0 ? r + 7 : r);
}

unsigned days_in_month(std::int64_t year, unsigned month) {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

std::int64_t floor_days(std::int64_t ms) {
    auto d = ms / ms_per_day;
    return ms % ms_per_day < 0 ? d - 1 : d;
}

namespace {

// Reads fixed-width decimal fields left to right, remembering the first problem.
class Fields {
public:
    explicit Fields(std::string_view text) : text_(text) {}

    std::optional<unsigned> digits(std::size_t n, std::string_view what) {
        unsigned v = 0;
        for (std::size_t i = 0; i < n; ++i, ++at_) {
            if (at_ >= text_.size() || text_[at_] < '0' || text_[at_] > '9') {
                fail("expected " + std::to_string(n) + " digits for the " + std::string(what));
                return std::nullopt;
            }
            v = v * 10 + unsigned(text_[at_] - '0');
        }
        return v;
    }
    bool literal(char c) {
        if (at_ < text_.size() && text_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }
    bool expect(char c, std::string_view what) {
        if (literal(c)) return true;
        fail("expected `" + std::string(1, c) + "` " + std::string(what));
        return false;
    }
    bool at_end() const { return at_ == text_.size(); }
    void fail(std::string why) {
        if (error_.empty()) error_ = std::move(why);
    }
    const std::string& error() const { return error_; }

private:
    std::string_view text_;
    std::size_t at_ = 0;
    std::string error_;
};

std::optional<std::int64_t> read_date(Fields& f) {
    auto y = f.digits(4, "year");
    if (!y || !f.expect('-', "after the year")) return std::nullopt;
    auto m = f.digits(2, "month");
    if (!m || !f.expect('-', "after the month")) return std::nullopt;
    auto d = f.digits(2, "day");
    if (!d) return std::nullopt;
    if (*m < 1 || *m > 12) {
        f.fail("month " + std::to_string(*m) + " is out of range (01 to 12)");
        return std::nullopt;
    }
    if (*d < 1 || *d > days_in_month(*y, *m)) {
        f.fail("day " + std::to_string(*d) + " is out of range: " + std::to_string(*y) + "-" +
               (*m < 10 ? "0" : "") + std::to_string(*m) + " has " + std::to_string(days_in_month(*y, *m)) + " days");
        return std::nullopt;
    }
    return days_from_civil(*y, *m, *d);
}

// `HH:MM[:SS[.mmm]]`; `24:00` only when `end_of_day` is allowed.
std::optional<std::int64_t> read_clock(Fields& f, bool end_of_day) {
    auto h = f.digits(2, "hour");
    if (!h || !f.expect(':', "after the hour")) return std::nullopt;
    auto mi = f.digits(2, "minute");
    if (!mi) return std::nullopt;
    unsigned s = 0, ms = 0;
    if (f.literal(':')) {
        auto sec = f.digits(2, "second");
        if (!sec) return std::nullopt;
        s = *sec;
        if (f.literal('.')) {
            auto frac = f.digits(3, "milliseconds");
            if (!frac) return std::nullopt;
            ms = *frac;
        }
    }
    if (*mi > 59 || s > 59) {
        f.fail(*mi > 59 ? "minute " + std::to_string(*mi) + " is out of range (00 to 59)"
                        : "second " + std::to_string(s) + " is out of range (00 to 59)");
        return std::nullopt;
    }
    bool is_end = *h == 24 && *mi == 0 && s == 0 && ms == 0;
    if (*h > 23 && !(is_end && end_of_day)) {
        f.fail("hour " + std::to_string(*h) + " is out of range (00 to 23" + (end_of_day ? ", or 24:00" : "") + ")");
        return std::nullopt;
    }
    return ((std::int64_t(*h) * 60 + *mi) * 60 + s) * 1000 + ms;
}

ParsedTime finish(Fields& f, std::optional<std::int64_t> value, std::string_view form) {
    if (value && !f.at_end()) f.fail("unexpected text after the " + std::string(form));
    ParsedTime p;
    if (!f.error().empty()) p.error = f.error();
    else p.value = *value;
    return p;
}

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

}  // namespace

ParsedTime parse_date(std::string_view text) {
    Fields f(text);
    auto days = read_date(f);
    return finish(f, days, "date");
}

ParsedTime parse_time_of_day(std::string_view text) {
    Fields f(text);
    auto ms = read_clock(f, true);
    return finish(f, ms, "time of day");
}

ParsedTime parse_instant(std::string_view text) {
    Fields f(text);
    ParsedTime out;
    auto days = read_date(f);
    if (!days) return finish(f, std::nullopt, "time");
    if (!f.expect('T', "between the date and the time of day")) return finish(f, std::nullopt, "time");
    auto clock = read_clock(f, false);
    if (!clock) return finish(f, std::nullopt, "time");
    int offset = 0;
    if (!f.literal('Z')) {
        int sign = f.literal('+') ? 1 : f.literal('-') ? -1 : 0;
        if (sign == 0) {
            f.fail("a time needs its offset from UTC: end it with `Z` (UTC) or an offset such as `+03:00`");
            return finish(f, std::nullopt, "time");
        }
        auto oh = f.digits(2, "offset's hours");
        if (!oh || !f.expect(':', "in the offset")) return finish(f, std::nullopt, "time");
        auto om = f.digits(2, "offset's minutes");
        if (!om) return finish(f, std::nullopt, "time");
        if (*oh > 18 || *om > 59) {
            f.fail("the offset is out of range (at most 18:00 either way)");
            return finish(f, std::nullopt, "time");
        }
        offset = sign * int(*oh * 60 + *om);
    }
    auto result = finish(f, *days * ms_per_day + *clock - std::int64_t(offset) * 60'000, "time");
    result.offset_minutes = offset;
    return result;
}

std::string format_date(std::int64_t days) {
    auto c = civil_from_days(days);
    char year[24];
    std::snprintf(year, sizeof year, "%04lld", static_cast<long long>(c.year));
    return std::string(year) + "-" + two(c.month) + "-" + two(c.day);
}

std::string format_time_of_day(std::int64_t ms) {
    auto h = unsigned(ms / 3'600'000), mi = unsigned(ms / 60'000 % 60), s = unsigned(ms / 1000 % 60),
         frac = unsigned(ms % 1000);
    std::string out = two(h) + ":" + two(mi);
    if (s || frac) out += ":" + two(s);
    if (frac) out += "." + std::string(frac < 100 ? "0" : "") + (frac < 10 ? "0" : "") + std::to_string(frac);
    return out;
}

std::string format_instant(std::int64_t ms, int offset_minutes) {
    std::int64_t local = ms + std::int64_t(offset_minutes) * 60'000;
    std::int64_t days = floor_days(local);
    std::int64_t in_day = local - days * ms_per_day;
    std::string out = format_date(days) + "T" + format_time_of_day(in_day);
    if (offset_minutes == 0) return out + "Z";
    int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    return out + (offset_minutes < 0 ? "-" : "+") + two(unsigned(a / 60)) + ":" + two(unsigned(a % 60));
}

}  // namespace switchyard::common
