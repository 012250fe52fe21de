// The shared example payloads of ../shared/fixtures (provenance in SOURCES.md there).
#pragma once

#include "runtime/adapters/adapters.hpp"
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace switchyard::testing {

inline std::string read_fixture(const std::string& name) {
    auto path = source_dir() / ".." / "shared" / "fixtures" / name;
    INFO(path.string());
    REQUIRE(std::filesystem::exists(path));
    return read_text(path);
}

// The ParseError message that `parse(body, context)` gives; fails the test when it gives none.
template <typename Context>
std::string parse_error(adapters::Parsed (*parse)(std::string_view, const Context&), const std::string& body,
                        const Context& context) {
    try {
        parse(body, context);
    } catch (const adapters::ParseError& e) {
        return e.what();
    }
    FAIL("no ParseError for " << body);
    return {};
}

}  // namespace switchyard::testing
