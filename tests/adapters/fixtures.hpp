// The shared example payloads of ../shared/fixtures (provenance in SOURCES.md there).
#pragma once

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

}  // namespace switchyard::testing
