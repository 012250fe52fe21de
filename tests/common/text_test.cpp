// common/text.hpp and common/clock.hpp: the small helpers shared by several modules.
#include "common/clock.hpp"
#include "common/text.hpp"

#include <catch2/catch.hpp>

#include <chrono>

using namespace switchyard;

namespace {

std::int64_t system_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE("join puts the separator between parts, and only after text", "[text]") {
    CHECK(common::join({"a", "b", "c"}, "; ") == "a; b; c");
    CHECK(common::join({"only"}, "; ") == "only");
    CHECK(common::join({}, "; ").empty());
    CHECK(common::join({"", "a"}, ", ") == "a");
    CHECK(common::join({"a", "", "b"}, ", ") == "a, , b");
}

TEST_CASE("the wall clock counts milliseconds since 1970 by the system clock", "[clock]") {
    std::int64_t before = system_ms();
    std::int64_t now = common::wall_clock_ms();
    std::int64_t after = system_ms();
    CHECK(before <= now);
    CHECK(now <= after);
    CHECK(now > 1'700'000'000'000);  // after November 2023: milliseconds, not seconds
}
