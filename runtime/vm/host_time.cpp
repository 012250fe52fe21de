// The time-zone and calendar functions (stdlib/builtin.cpp, declare_calendars). Zones come from
// the ruleset (bytecode::Zone), never from the machine's tzdata.
#include "common/civil.hpp"
#include "runtime/vm/host.hpp"

#include <algorithm>

namespace switchyard::vm {

std::int64_t zone_offset_ms(const std::vector<bytecode::Zone>& zones, std::string_view zone, std::int64_t utc_ms) {
    auto z = std::lower_bound(zones.begin(), zones.end(), zone,
                              [](const bytecode::Zone& a, std::string_view name) { return a.name < name; });
    if (z == zones.end() || z->name != zone || z->shifts.empty()) return 0;
    // The last shift that starts at or before the instant (the first starts at the smallest int64).
    auto next = std::upper_bound(z->shifts.begin(), z->shifts.end(), utc_ms,
                                 [](std::int64_t t, const bytecode::ZoneShift& s) { return t < s.from_ms; });
    return std::int64_t(std::prev(next)->offset_s) * 1000;
}

namespace {

struct Local {
    std::int64_t days;  // since 1970-01-01
    std::int64_t ms;    // since local midnight
};

Local local_time(const HostContext& ctx, std::string_view zone, std::int64_t utc_ms) {
    std::int64_t local = utc_ms + zone_offset_ms(ctx.zones, zone, utc_ms);
    std::int64_t days = common::floor_days(local);
    return {days, local - days * common::ms_per_day};
}

bool has_integer(const Value& items, std::int64_t v) {
    return std::any_of(items.begin(), items.end(), [&](const Value& item) { return item.i == v; });
}

// opening_hours { days, from, to }, in the schema's field order.
bool within(const Value& hours, const Local& at) {
    const Value& days = hours[0];
    std::int64_t from = hours[1].i, to = hours[2].i;
    std::int64_t weekday = common::weekday_of(at.days);
    if (from < to) return has_integer(days, weekday) && from <= at.ms && at.ms < to;
    if (from == to) return false;
    // Past midnight: the evening of an opening day, or the early hours after one.
    std::int64_t yesterday = (weekday + 6) % 7;
    return (has_integer(days, weekday) && at.ms >= from) || (has_integer(days, yesterday) && at.ms < to);
}

Value fn_weekday_in(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    return Value::integer(common::weekday_of(local_time(ctx, a[1].text(), a[0].i).days));
}
Value fn_time_of_day_in(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    return Value::integer(local_time(ctx, a[1].text(), a[0].i).ms);
}
Value fn_date_in(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    return Value::integer(local_time(ctx, a[1].text(), a[0].i).days);
}
Value fn_hours(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    Value* fields = ctx.arena.values(3);
    std::copy(a, a + 3, fields);
    return Value::record(fields, 3);
}
Value fn_calendar(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    Value* fields = ctx.arena.values(3);
    fields[0] = a[0];
    fields[1] = a[1];
    fields[2] = a[2].is_none() ? Value::list(nullptr, 0) : a[2];
    return Value::record(fields, 3);
}
Value fn_open_at(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    const Value& calendar = a[0];  // { zone, hours, holidays }
    Local at = local_time(ctx, calendar[0].text(), a[1].i);
    if (has_integer(calendar[2], at.days)) return Value::boolean(false);
    const Value& hours = calendar[1];
    return Value::boolean(std::any_of(hours.begin(), hours.end(), [&](const Value& h) { return within(h, at); }));
}

struct Entry {
    std::string_view name;
    HostFn fn;
};

constexpr Entry time_functions[] = {
    {"calendar", fn_calendar}, {"date_in", fn_date_in}, {"hours", fn_hours},
    {"open_at", fn_open_at},   {"time_of_day_in", fn_time_of_day_in}, {"weekday_in", fn_weekday_in},
};

}  // namespace

HostFn find_time_function(std::string_view name) {
    for (const auto& e : time_functions)
        if (e.name == name) return e.fn;
    return nullptr;
}

}  // namespace switchyard::vm
