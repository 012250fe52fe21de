// The examples of docs/api.md against the answers the code gives: the tests that hold them true
// (tests/worker/docs_examples_test.cpp for the read API, tests/server/rulesets_docs_test.cpp
// for the rulesets) run a scenario and compare each example with its answer. Values that are
// not the scenario's own (wall-clock times, versions that are hashes of the compiler's output)
// are compared by form, as each test says. With SWITCHYARD_PRINT_DOCS set, each answer is
// printed, to paste into docs/api.md after a deliberate change.
#pragma once

#include "tests/support.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <regex>
#include <string>
#include <string_view>

namespace switchyard::testing {

// The first ```json block after the heading that starts with `heading` in docs/api.md.
inline boost::json::value example_after(const std::string& heading) {
    auto text = read_text(source_dir() / "docs" / "api.md");
    auto at = text.find("\n### " + heading);
    REQUIRE(at != std::string::npos);
    auto open = text.find("```json\n", at);
    auto close = text.find("```", open + 8);
    REQUIRE(open != std::string::npos);
    REQUIRE(close != std::string::npos);
    return boost::json::parse(text.substr(open + 8, close - open - 8));
}

inline bool matches(const boost::json::value& v, const std::regex& form) {
    return v.is_string() && std::regex_match(std::string(v.get_string()), form);
}

// Whether a documented value and an actual one under `key` are equal by form: true for the
// values a test compares by form only.
using SameForm = std::function<bool(std::string_view key, const boost::json::value& documented, const boost::json::value& actual)>;

// Where `documented` and `actual` differ (a JSON path), or empty when they agree.
inline std::string difference(const boost::json::value& documented, const boost::json::value& actual, const std::string& path,
                              const SameForm& same_form) {
    using boost::json::serialize;
    if (documented.kind() != actual.kind()) return path + ": documented " + serialize(documented) + ", got " + serialize(actual);
    if (const auto* o = documented.if_object()) {
        const auto& a = actual.get_object();
        for (const auto& [key, value] : *o) {
            std::string here = path + "." + std::string(key);
            if (!a.contains(key)) return here + ": documented but not returned";
            if (same_form(key, value, a.at(key))) continue;
            if (auto d = difference(value, a.at(key), here, same_form); !d.empty()) return d;
        }
        for (const auto& [key, value] : a)
            if (!o->contains(key)) return path + "." + std::string(key) + ": returned but not documented";
        return {};
    }
    if (const auto* arr = documented.if_array()) {
        const auto& a = actual.get_array();
        if (arr->size() != a.size())
            return path + ": " + std::to_string(arr->size()) + " items documented, " + std::to_string(a.size()) + " returned";
        for (std::size_t i = 0; i < arr->size(); ++i)
            if (auto d = difference((*arr)[i], a[i], path + "[" + std::to_string(i) + "]", same_form); !d.empty()) return d;
        return {};
    }
    return documented == actual ? std::string() : path + ": documented " + serialize(documented) + ", got " + serialize(actual);
}

inline void check_example(const std::string& heading, const boost::json::value& actual, const SameForm& same_form) {
    if (std::getenv("SWITCHYARD_PRINT_DOCS")) std::cout << heading << "\n" << boost::json::serialize(actual) << "\n\n";
    INFO("docs/api.md, the example of " << heading);
    CHECK(difference(example_after(heading), actual, "", same_form) == "");
}

}  // namespace switchyard::testing
