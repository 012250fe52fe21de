#include "common/clock.hpp"

#include <chrono>
#include <cstdio>

namespace switchyard::common {

std::int64_t steady_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::int64_t wall_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}


namespace {

// `value` (0 or more) as `width` decimal digits, zero-padded, at `out`; the end.
char* put_digits(char* out, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

}  // namespace

std::string iso_time(std::int64_t ms) {
    // Days to a civil date (proleptic Gregorian), as in the engine's case reader, reversed.
    std::int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    std::int64_t rest = ms - days * 86400000;
    days += 719468;
    std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    auto doe = static_cast<unsigned>(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    auto seconds = rest / 1000, millis = rest % 1000;
    char buf[40];
    char* end = buf;
    // Digits put by hand, not snprintf: every log line carries one of these (a third of the
    // cost of a request's line, measured in the server benchmark's profile).
    if (y >= 0 && y <= 9999) {
        end = put_digits(end, y, 4);
    } else {
        end += std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
    }
    *end++ = '-';
    end = put_digits(end, m, 2);
    *end++ = '-';
    end = put_digits(end, d, 2);
    *end++ = 'T';
    end = put_digits(end, seconds / 3600, 2);
    *end++ = ':';
    end = put_digits(end, seconds / 60 % 60, 2);
    *end++ = ':';
    end = put_digits(end, seconds % 60, 2);
    if (millis != 0) {
        *end++ = '.';
        end = put_digits(end, millis, 3);
    }
    *end++ = 'Z';
    return std::string(buf, end);
}

}  // namespace switchyard::common
