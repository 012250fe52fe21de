#include "tests/scenarios/runner/json_match.hpp"

namespace switchyard::scenarios {

namespace json = boost::json;

namespace {

constexpr std::string_view contains_pattern = "<contains>";

std::string at(const std::string& path) { return path.empty() ? "the answer" : path; }

std::string shown(const json::value& v) {
    auto text = json::serialize(v);
    return text.size() > 300 ? text.substr(0, 300) + "…" : text;
}

std::optional<std::string> differs(const std::string& path, const json::value& expected, const json::value& actual) {
    return at(path) + ": expected " + shown(expected) + ", found " + shown(actual);
}

bool is_pattern(const json::value& v, std::string_view pattern) { return v.is_string() && v.as_string() == pattern; }

bool same_number(const json::value& a, const json::value& b) {
    if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
    if (a.is_uint64() && b.is_uint64()) return a.as_uint64() == b.as_uint64();
    if (a.is_uint64() || b.is_uint64()) {
        const auto& u = a.is_uint64() ? a : b;
        const auto& i = a.is_uint64() ? b : a;
        return i.as_int64() >= 0 && static_cast<std::uint64_t>(i.as_int64()) == u.as_uint64();
    }
    return a.as_int64() == b.as_int64();
}

bool is_number(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

}  // namespace

std::optional<std::string> mismatch(const json::value& expected, const json::value& actual, const std::string& path) {
    if (is_pattern(expected, "<any>")) return std::nullopt;
    if (is_pattern(expected, "<absent>")) return actual.is_null() ? std::nullopt : differs(path, expected, actual);
    if (expected.is_string() && expected.as_string().starts_with(contains_pattern)) {
        auto part = std::string_view(expected.as_string()).substr(contains_pattern.size());
        if (actual.is_string() && std::string_view(actual.as_string()).find(part) != std::string_view::npos) return std::nullopt;
        return differs(path, expected, actual);
    }
    if (expected.is_object()) {
        if (!actual.is_object()) return differs(path, expected, actual);
        for (const auto& [key, want] : expected.as_object()) {
            auto here = path.empty() ? std::string(key) : path + "." + std::string(key);
            const auto* found = actual.as_object().if_contains(key);
            if (!found) {
                if (is_pattern(want, "<absent>")) continue;
                return here + ": expected " + shown(want) + ", but the key is missing (the keys: " + [&] {
                    std::string keys;
                    for (const auto& [k, v] : actual.as_object()) keys += (keys.empty() ? "" : ", ") + std::string(k);
                    return keys;
                }() + ")";
            }
            if (auto d = mismatch(want, *found, here)) return d;
        }
        return std::nullopt;
    }
    if (expected.is_array()) {
        if (!actual.is_array()) return differs(path, expected, actual);
        const auto& want = expected.as_array();
        const auto& got = actual.as_array();
        if (want.size() != got.size())
            return at(path) + ": expected " + std::to_string(want.size()) + " items, found " + std::to_string(got.size()) + ": " +
                   shown(actual);
        for (std::size_t i = 0; i < want.size(); ++i)
            if (auto d = mismatch(want[i], got[i], path + "[" + std::to_string(i) + "]")) return d;
        return std::nullopt;
    }
    if (is_number(expected) && is_number(actual)) return same_number(expected, actual) ? std::nullopt : differs(path, expected, actual);
    return expected == actual ? std::nullopt : differs(path, expected, actual);
}

}  // namespace switchyard::scenarios
