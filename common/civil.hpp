// The civil calendar (proleptic Gregorian, no leap seconds) and the textual forms of dates,
// times of day and instants that rule files, case files and decisions share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::common {

inline constexpr std::int64_t ms_per_day = 86'400'000;

struct CivilDate {
    std::int64_t year = 1970;
    unsigned month = 1;  // 1..12
    unsigned day = 1;    // 1..31
};

// Days since 1970-01-01 and back.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);
CivilDate civil_from_days(std::int64_t days);
// 0 = Monday .. 6 = Sunday (ISO 8601 order), for days since 1970-01-01 (a Thursday).
unsigned weekday_of(std::int64_t days);
unsigned days_in_month(std::int64_t year, unsigned month);
// The day a time (milliseconds since 1970) falls on, and the milliseconds since that midnight.
std::int64_t floor_days(std::int64_t ms);

// A parsed date, time of day or instant, or why the text is not one. `offset_minutes` is the
// offset an instant was written with (`+03:00`), so it can be written back as it was.
struct ParsedTime {
    std::int64_t value = 0;
    int offset_minutes = 0;
    std::string error;  // empty on success
    bool ok() const { return error.empty(); }
};

// `YYYY-MM-DD`: days since 1970-01-01.
ParsedTime parse_date(std::string_view text);
// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.mmm`, from `00:00` to `24:00` (the end of a day): milliseconds.
ParsedTime parse_time_of_day(std::string_view text);
// `YYYY-MM-DDTHH:MM[:SS[.mmm]]` then `Z` or `+HH:MM` / `-HH:MM`: milliseconds since 1970 UTC.
ParsedTime parse_instant(std::string_view text);

std::string format_date(std::int64_t days);
// `09:00`, `09:00:30`, `09:00:30.250`: seconds and milliseconds only when not zero.
std::string format_time_of_day(std::int64_t ms);
// `2026-12-06T09:00Z`, seconds and milliseconds only when not zero; with `offset_minutes`, in
// that offset (`2026-12-06T12:00+03:00`).
std::string format_instant(std::int64_t ms, int offset_minutes = 0);

}  // namespace switchyard::common
