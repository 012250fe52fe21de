// Times as the API and the log write them (common/clock.hpp).
#include "common/clock.hpp"

#include <catch2/catch.hpp>

using switchyard::common::iso_time;

TEST_CASE("iso_time: UTC to the second, with milliseconds only when there are some", "[clock]") {
    CHECK(iso_time(0) == "1970-01-01T00:00:00Z");
    CHECK(iso_time(1) == "1970-01-01T00:00:00.001Z");
    CHECK(iso_time(1795255200000) == "2026-11-21T10:00:00Z");
    CHECK(iso_time(1795255200345) == "2026-11-21T10:00:00.345Z");
    CHECK(iso_time(1795255199999) == "2026-11-21T09:59:59.999Z");
    CHECK(iso_time(951782400000) == "2000-02-29T00:00:00Z");  // a leap day of a year divisible by 400
    CHECK(iso_time(4107542399000) == "2100-02-28T23:59:59Z");  // 2100 has no February 29
    CHECK(iso_time(4107542400000) == "2100-03-01T00:00:00Z");
}

TEST_CASE("iso_time: before 1970 and outside four-digit years", "[clock]") {
    CHECK(iso_time(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(iso_time(-86400000) == "1969-12-31T00:00:00Z");
    CHECK(iso_time(-62167219200000) == "0000-01-01T00:00:00Z");
    CHECK(iso_time(-62167219200001) == "-001-12-31T23:59:59.999Z");
    CHECK(iso_time(253402300799999) == "9999-12-31T23:59:59.999Z");
    CHECK(iso_time(253402300800000) == "10000-01-01T00:00:00Z");
}
