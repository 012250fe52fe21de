#include "runtime/adapters/text.hpp"

#include "runtime/adapters/adapters.hpp"

#include <chrono>

namespace switchyard::adapters {

std::string normalize_phone(std::string_view text) {
    std::string digits;
    for (char c : text)
        if (c >= '0' && c <= '9') digits += c;
    // Russians write their numbers with a trunk prefix 8 as often as with the country code 7.
    if (digits.size() == 11 && digits.front() == '8') digits.front() = '7';
    return digits;
}

}  // namespace switchyard::adapters

namespace switchyard::adapters::detail {

namespace {

std::optional<int> digits(std::string_view text, std::size_t at, std::size_t count) {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

// The zone suffix (`Z`, `+03:00`, `-0500`, or nothing) as an offset from UTC in minutes.
std::optional<int> zone_minutes(std::string_view zone) {
    if (zone.empty() || zone == "Z" || zone == "z") return 0;
    if (zone[0] != '+' && zone[0] != '-') return std::nullopt;
    auto hours = digits(zone, 1, 2);
    bool colon = zone.size() == 6 && zone[3] == ':';
    auto minutes = digits(zone, colon ? 4 : 3, 2);
    if (!hours || !minutes || zone.size() != (colon ? 6u : 5u) || *hours > 23 || *minutes > 59) return std::nullopt;
    int total = *hours * 60 + *minutes;
    return zone[0] == '-' ? -total : total;
}

}  // namespace

std::optional<std::int64_t> parse_iso_time_ms(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS, then an optional fraction, then the zone.
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
        text[13] != ':' || text[16] != ':')
        return std::nullopt;
    auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60)
        return std::nullopt;
    std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(unsigned(*month)),
                                     std::chrono::day(unsigned(*day))};
    if (!date.ok()) return std::nullopt;

    std::size_t at = 19;
    std::int64_t millis = 0;
    if (at < text.size() && text[at] == '.') {
        std::size_t first = ++at;
        for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at)
            if (at - first < 3) millis = millis * 10 + (text[at] - '0');
        if (at == first) return std::nullopt;
        for (std::size_t shown = at - first; shown < 3; ++shown) millis *= 10;  // `.5` is 500 ms
    }
    auto zone = zone_minutes(text.substr(at));
    if (!zone) return std::nullopt;

    std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
    std::int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - std::int64_t{*zone} * 60;
    return seconds * 1000 + millis;
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view space = " \t\r\n\v\f";
    auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    auto last = text.find_last_not_of(space);
    return text.substr(first, last - first + 1);
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace switchyard::adapters::detail
