#include "runtime/vm/host.hpp"

#include "common/civil.hpp"
#include "common/text.hpp"
#include "common/text_match.hpp"
#include "common/utf8.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace switchyard::vm {

using stdlib::Type;
using stdlib::TypeKind;

namespace {

// ---- text ----

// Every letter `lower` maps keeps its UTF-8 length (ASCII to ASCII, Cyrillic two bytes to two),
// so the result fits in as many bytes as `s`. What is not a well-formed sequence (strings are
// checked UTF-8 on their way in; a ruleset written by hand may hold anything) is copied as is.
std::string_view lower_text(Arena& arena, std::string_view s) {
    char* out = arena.chars(s.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size();) {
        auto cp = common::decode_utf8(s, i);
        if (!cp) {
            out[n++] = s[i++];
            continue;
        }
        n += common::encode_utf8(common::fold_case(cp->value), out + n);
        i += cp->bytes;
    }
    return {out, n};
}

// The largest unit that divides the amount exactly; `units` from the largest down, the last
// one being 1.
template <std::size_t N>
std::string with_unit(std::int64_t amount, const std::array<std::pair<std::int64_t, const char*>, N>& units) {
    for (const auto& [factor, name] : units)
        if (amount != 0 && amount % factor == 0) return std::to_string(amount / factor) + " " + name;
    return std::to_string(amount) + " " + units.back().second;
}

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// ---- the functions ----

Value fn_count(HostContext&, const Value* a, const bytecode::RegType*) { return Value::integer(a[0].len); }
Value fn_empty(HostContext&, const Value* a, const bytecode::RegType*) { return Value::boolean(a[0].len == 0); }
Value fn_any(HostContext&, const Value* a, const bytecode::RegType*) { return Value::boolean(a[0].len != 0); }
Value fn_length(HostContext&, const Value* a, const bytecode::RegType*) {
    return Value::integer(static_cast<std::int64_t>(common::count_code_points(a[0].text())));
}
Value fn_lower(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    return Value::string(lower_text(ctx.arena, a[0].text()));
}
Value fn_contains(HostContext&, const Value* a, const bytecode::RegType*) {
    return Value::boolean(a[0].text().find(a[1].text()) != std::string_view::npos);
}
Value fn_starts_with(HostContext&, const Value* a, const bytecode::RegType*) {
    return Value::boolean(a[0].text().starts_with(a[1].text()));
}
Value fn_ends_with(HostContext&, const Value* a, const bytecode::RegType*) {
    return Value::boolean(a[0].text().ends_with(a[1].text()));
}
// Matching text: common/text_match.hpp, shared with the checker that refuses bad patterns.
// `has_word` is `has_phrase` for one word: the table below names this function for both.
Value fn_has_phrase(HostContext&, const Value* a, const bytecode::RegType*) {
    return Value::boolean(common::has_phrase(a[0].text(), a[1].text()));
}
Value fn_matches(HostContext&, const Value* a, const bytecode::RegType*) {
    return Value::boolean(common::matches_pattern(a[0].text(), a[1].text()));
}
Value fn_str(HostContext& ctx, const Value* a, const bytecode::RegType* types) {
    if (a[0].tag == Tag::string) return a[0];  // a string is its own text: no copy
    std::string text;
    append_text(text, a[0], types[0].type, ctx.schema, ctx.contact_fields);
    return Value::string(ctx.arena.copy(text));
}
Value fn_notify(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    const Value& people = a[0];
    Value* notices = ctx.arena.values(people.len);
    Value* fields = ctx.arena.values(2 * std::size_t(people.len));
    for (std::uint32_t i = 0; i < people.len; ++i) {
        fields[2 * i] = people[i];  // notice { person, reason }: the schema's field order
        fields[2 * i + 1] = a[1];
        notices[i] = Value::record(fields + 2 * i, 2);
    }
    return Value::list(notices, people.len);
}
Value fn_quick_reply(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    Value* fields = ctx.arena.values(2);
    fields[0] = a[0];
    fields[1] = a[1];
    return Value::record(fields, 2);
}
Value fn_member_of(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    return Value::boolean(ctx.facts.member_of(a[0], a[1]));
}
Value fn_has_role(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    return Value::boolean(ctx.facts.has_role(a[0], a[1]));
}
Value fn_last_message_with(HostContext& ctx, const Value* a, const bytecode::RegType*) {
    return ctx.facts.last_message_with(a[0]);
}

struct Entry {
    std::string_view name;
    HostFn fn;
};

constexpr Entry host_functions[] = {
    {"any", fn_any},
    {"contains", fn_contains},
    {"count", fn_count},
    {"empty", fn_empty},
    {"ends_with", fn_ends_with},
    {"has_phrase", fn_has_phrase},
    {"has_role", fn_has_role},
    {"has_word", fn_has_phrase},
    {"last_message_with", fn_last_message_with},
    {"length", fn_length},
    {"lower", fn_lower},
    {"matches", fn_matches},
    {"member_of", fn_member_of},
    {"notify", fn_notify},
    {"quick_reply", fn_quick_reply},
    {"starts_with", fn_starts_with},
    {"str", fn_str},
};

}  // namespace

HostFn find_host_function(std::string_view name) {
    for (const auto& e : host_functions)
        if (e.name == name) return e.fn;
    return find_time_function(name);
}

std::string format_size(std::int64_t bytes) {
    static constexpr std::array<std::pair<std::int64_t, const char*>, 4> units = {
        {{1000000000, "GB"}, {1000000, "MB"}, {1000, "KB"}, {1, "B"}}};
    return with_unit(bytes, units);
}

std::string format_duration(std::int64_t ms) {
    static constexpr std::array<std::pair<std::int64_t, const char*>, 5> units = {
        {{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}, {1, "ms"}}};
    return with_unit(ms, units);
}

std::string format_time(std::int64_t ms) {
    std::int64_t days = ms / 86400000;
    std::int64_t rest = ms % 86400000;
    if (rest < 0) {
        rest += 86400000;
        --days;
    }
    auto [y, m, d] = common::civil_from_days(days);
    auto secs = static_cast<unsigned>(rest / 1000);
    auto millis = static_cast<unsigned>(rest % 1000);
    std::string out = std::to_string(y) + "-" + two(m) + "-" + two(d) + "T" + two(secs / 3600) + ":" +
                      two(secs / 60 % 60) + ":" + two(secs % 60);
    if (millis) out += "." + std::string(millis < 100 ? "0" : "") + (millis < 10 ? "0" : "") + std::to_string(millis);
    return out + "Z";
}

namespace {

// A value inside a record, collection or result: a string is quoted as a literal is, so that
// `{name: "a, b"}` and `["a", "b"]` cannot be read as other values.
void append_nested(std::string& out, const Value& v, Type type, const stdlib::Schema& schema,
                   std::span<const bytecode::Setting> contact_fields) {
    if (type.without_optional() == stdlib::types::string && !v.is_none()) out += common::quote(v.text());
    else append_text(out, v, type, schema, contact_fields);
}

// `{name: value, …}`; `fields` names and types the items.
template <typename Fields>
void append_record(std::string& out, const Value& v, const Fields& fields, const stdlib::Schema& schema,
                   std::span<const bytecode::Setting> contact_fields) {
    out += '{';
    for (std::uint32_t i = 0; i < v.len && i < fields.size(); ++i) {
        if (i) out += ", ";
        out += fields[i].name + ": ";
        append_nested(out, v[i], fields[i].type, schema, contact_fields);
    }
    out += '}';
}

}  // namespace

void append_text(std::string& out, const Value& v, Type type, const stdlib::Schema& schema,
                 std::span<const bytecode::Setting> contact_fields) {
    if (v.is_none()) {
        out += "none";
        return;
    }
    Type t = type.without_optional();
    if (t.is_wrapped()) {  // collections inside records, as literals: `["a", "b"]`, `{1, 2}`
        const bool set = t.is(stdlib::Wrap::set);
        out += set ? '{' : '[';
        for (std::uint32_t i = 0; i < v.len; ++i) {
            if (i) out += ", ";
            append_nested(out, v[i], t.inner(), schema, contact_fields);
        }
        out += set ? '}' : ']';
        return;
    }
    switch (t.base) {
        case TypeKind::boolean: out += v.truth() ? "true" : "false"; return;
        case TypeKind::integer: out += std::to_string(v.i); return;
        case TypeKind::size: out += format_size(v.i); return;
        case TypeKind::duration: out += format_duration(v.i); return;
        case TypeKind::time: out += format_time(v.i); return;
        case TypeKind::date: out += common::format_date(v.i); return;
        case TypeKind::time_of_day: out += common::format_time_of_day(v.i); return;
        case TypeKind::string: out += v.text(); return;
        case TypeKind::enumeration: out += schema.enum_of(t).members.at(static_cast<std::size_t>(v.i)); return;
        case TypeKind::record: {
            const auto& rec = schema.record_of(t);
            if (rec.declared_by_rules) append_record(out, v, contact_fields, schema, contact_fields);
            else append_record(out, v, rec.fields, schema, contact_fields);
            return;
        }
        case TypeKind::variant: {
            const auto& fn = schema.functions().at(v.ctor);
            out += fn.name + "(";
            for (std::uint32_t i = 0; i < v.len && i < fn.params.size(); ++i) {
                if (i) out += ", ";
                Type pt = fn.params[i].type;
                if (fn.variadic_first && i == 0) {
                    for (std::uint32_t k = 0; k < v[0].len; ++k) {
                        if (k) out += ", ";
                        const Value& key = v[0][k];
                        if (key.tag == Tag::string) out += common::quote(key.text());
                        else append_text(out, key, stdlib::types::integer, schema, contact_fields);
                    }
                    continue;
                }
                append_nested(out, v[i], pt, schema, contact_fields);
            }
            out += ')';
            return;
        }
        default: out += "?"; return;
    }
}

// ---- values ----

bool equal(const Value& a, const Value& b) {
    if (a.tag != b.tag) return false;
    switch (a.tag) {
        case Tag::none: return true;
        case Tag::boolean:
        case Tag::integer: return a.i == b.i;
        case Tag::string: return a.text() == b.text();
        case Tag::variant:
            if (a.ctor != b.ctor) return false;
            [[fallthrough]];
        case Tag::record:
        case Tag::list:
            if (a.len != b.len) return false;
            for (std::uint32_t k = 0; k < a.len; ++k)
                if (!equal(a[k], b[k])) return false;
            return true;
        case Tag::builder: return a.builder == b.builder;
    }
    return false;
}

std::size_t hash_of(const Value& v) {
    auto mix = [](std::size_t h, std::size_t x) { return h ^ (x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)); };
    std::size_t h = static_cast<std::size_t>(v.tag);
    switch (v.tag) {
        case Tag::none: return h;
        case Tag::boolean:
        case Tag::integer: return mix(h, std::hash<std::int64_t>{}(v.i));
        case Tag::string: return mix(h, std::hash<std::string_view>{}(v.text()));
        case Tag::variant: h = mix(h, v.ctor); [[fallthrough]];
        case Tag::record:
        case Tag::list:
            for (std::uint32_t k = 0; k < v.len; ++k) h = mix(h, hash_of(v[k]));
            return h;
        case Tag::builder: return mix(h, std::hash<const void*>{}(v.builder));
    }
    return h;
}

std::string_view Arena::copy(std::string_view text) {
    char* p = chars(text.size());
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    return {p, text.size()};
}

void Arena::reset() {
    current_ = 0;
    used_ = 0;
}

std::size_t Arena::reserved_bytes() const {
    std::size_t n = 0;
    for (const auto& b : blocks_) n += b.size;
    return n;
}

void* Arena::bytes(std::size_t n, std::size_t align) {
    if (current_ < blocks_.size()) {
        std::size_t start = (used_ + align - 1) & ~(align - 1);
        if (start + n <= blocks_[current_].size) {
            used_ = start + n;
            return blocks_[current_].data.get() + start;
        }
    }
    return grow(n, align);
}

void* Arena::grow(std::size_t n, std::size_t align) {
    // Move on to the next kept block that is large enough, or add one.
    while (current_ + 1 < blocks_.size()) {
        ++current_;
        used_ = 0;
        if (n + align <= blocks_[current_].size) return bytes(n, align);
    }
    std::size_t size = std::max<std::size_t>({first_block_, n + align, blocks_.empty() ? 0 : 2 * blocks_.back().size});
    blocks_.push_back({std::make_unique<std::byte[]>(size), size});
    current_ = blocks_.size() - 1;
    used_ = 0;
    return bytes(n, align);
}

}  // namespace switchyard::vm
