// The time zones a ruleset carries: read from the system's tzdata by the compiler (its own TZif
// and POSIX-rule reader), checked here against the C library's reading of the same files, and
// pinned at instants whose offsets the tz database will not change.
#include "bytecode/serialize.hpp"
#include "common/civil.hpp"
#include "compiler/timezones.hpp"
#include "runtime/vm/host.hpp"
#include "tests/vm_support.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <variant>

using namespace switchyard;

namespace {

std::vector<bytecode::Zone> zones_of(std::initializer_list<const char*> names) {
    std::vector<bytecode::Zone> out;
    for (const char* name : names) {
        auto zone = compiler::read_zone(name);
        INFO(name);
        REQUIRE(std::holds_alternative<bytecode::Zone>(zone));
        out.push_back(std::get<bytecode::Zone>(zone));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

std::int64_t at(std::string_view instant) {
    auto parsed = common::parse_instant(instant);
    REQUIRE(parsed.ok());
    return parsed.value;
}

std::int64_t offset_h(const std::vector<bytecode::Zone>& zones, std::string_view zone, std::string_view instant) {
    return vm::zone_offset_ms(zones, zone, at(instant)) / 60'000;  // in minutes
}

// The C library's offset for a zone, in seconds, with TZ set for the duration of the call.
class LibcZone {
public:
    explicit LibcZone(const char* zone) {
        if (const char* old = std::getenv("TZ")) saved_ = old;
        ::setenv("TZ", zone, 1);
        ::tzset();
    }
    ~LibcZone() {
        if (saved_) ::setenv("TZ", saved_->c_str(), 1);
        else ::unsetenv("TZ");
        ::tzset();
    }
    LibcZone(const LibcZone&) = delete;
    LibcZone& operator=(const LibcZone&) = delete;
    long offset_s(std::int64_t utc_ms) const {
        std::time_t t = static_cast<std::time_t>(utc_ms / 1000);
        std::tm parts{};
        ::localtime_r(&t, &parts);
        return parts.tm_gmtoff;
    }

private:
    std::optional<std::string> saved_;
};

}  // namespace

TEST_CASE("time zones: offsets pinned at known instants", "[timezones]") {
    auto zones = zones_of({"Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"});
    CHECK(offset_h(zones, "Europe/Moscow", "2026-12-07T00:00Z") == 180);
    CHECK(offset_h(zones, "Europe/Moscow", "2012-07-01T00:00Z") == 240);  // Moscow's summer time of 2011-2014
    CHECK(offset_h(zones, "Asia/Kolkata", "2026-06-01T00:00Z") == 330);
    // Berlin: summer time from 01:00 UTC on the last Sunday of March to the last Sunday of October.
    CHECK(offset_h(zones, "Europe/Berlin", "2027-03-28T00:59:59.999Z") == 60);
    CHECK(offset_h(zones, "Europe/Berlin", "2027-03-28T01:00Z") == 120);
    CHECK(offset_h(zones, "Europe/Berlin", "2027-10-31T00:59Z") == 120);
    CHECK(offset_h(zones, "Europe/Berlin", "2027-10-31T01:00Z") == 60);
    // Past the transitions the file lists (2037), from its POSIX rule.
    CHECK(offset_h(zones, "Europe/Berlin", "2098-03-30T01:00Z") == 120);  // the last Sunday of March 2098
    CHECK(offset_h(zones, "Europe/Berlin", "2098-03-30T00:59Z") == 60);
    CHECK(offset_h(zones, "America/New_York", "2050-03-13T06:59Z") == -300);  // the second Sunday of March
    CHECK(offset_h(zones, "America/New_York", "2050-03-13T07:00Z") == -240);
    // Lord Howe Island moves by half an hour, in the southern summer.
    CHECK(offset_h(zones, "Australia/Lord_Howe", "2027-01-15T00:00Z") == 660);
    CHECK(offset_h(zones, "Australia/Lord_Howe", "2027-07-15T00:00Z") == 630);
    // After the horizon the last offset holds.
    CHECK(offset_h(zones, "Europe/Berlin", "2150-07-01T00:00Z") == offset_h(zones, "Europe/Berlin", "2099-12-31T23:00Z"));
}

TEST_CASE("time zones: the compiler's reading agrees with the C library's from 1970 to 2099", "[timezones]") {
    const char* names[] = {"Europe/Moscow",      "Europe/Berlin",       "America/New_York", "Asia/Kolkata",
                           "Australia/Lord_Howe", "America/Sao_Paulo", "Europe/Kyiv",      "Pacific/Chatham",
                           "America/Santiago",    "Africa/Casablanca", "Asia/Tehran",      "UTC"};
    for (const char* name : names) {
        auto zones = zones_of({name});
        LibcZone libc(name);
        std::size_t differences = 0;
        // Every 37 hours and 11 minutes: every hour of the day and day of the week comes by.
        for (std::int64_t t = 0; t < compiler::zone_horizon_ms; t += (37 * 60 + 11) * 60'000) {
            if (vm::zone_offset_ms(zones, name, t) != libc.offset_s(t) * 1000) ++differences;
        }
        INFO(name);
        CHECK(differences == 0);
    }
}

TEST_CASE("time zones: unknown and malformed names are refused with the reason", "[timezones]") {
    auto unknown = compiler::read_zone("Europe/Moskow");
    REQUIRE(std::holds_alternative<std::string>(unknown));
    CHECK(std::get<std::string>(unknown).find("unknown time zone `Europe/Moskow`") != std::string::npos);
    for (const char* bad : {"../../etc/passwd", "/etc/localtime", "", "Europe/Mos cow"}) {
        auto zone = compiler::read_zone(bad);
        INFO(bad);
        CHECK(std::holds_alternative<std::string>(zone));
    }
    // A file of the database folder that is not TZif.
    auto not_tzif = compiler::read_zone("leapseconds");
    REQUIRE(std::holds_alternative<std::string>(not_tzif));
    CHECK(std::get<std::string>(not_tzif).find("not a TZif file") != std::string::npos);
    const auto& names = compiler::zone_names();
    CHECK(std::binary_search(names.begin(), names.end(), "Europe/Moscow"));
    CHECK(std::binary_search(names.begin(), names.end(), "Europe/Kiev"));  // a link
}

TEST_CASE("time zones: a compiled ruleset carries the zones its rules name, and only those", "[timezones]") {
    auto module = testing::compile_text(R"(let zone = "Asia/Kolkata"
policy reopen for inbound {
    when weekday_in(now, zone) == sunday                            -> append
    when date_in(now, "Europe/Moscow") == 2027-01-01                -> append
    otherwise                                                       -> reopen
}
)");
    REQUIRE(module.zones.size() == 2);
    CHECK(module.zones[0].name == "Asia/Kolkata");
    CHECK(module.zones[1].name == "Europe/Moscow");
    auto back = bytecode::read(bytecode::write(module));
    REQUIRE(std::holds_alternative<bytecode::Module>(back));
    const auto& read = std::get<bytecode::Module>(back);
    REQUIRE(read.zones.size() == 2);
    CHECK(read.zones[1].shifts == module.zones[1].shifts);
    // A table out of order is refused by the verifier, not trusted.
    auto broken = module;
    std::swap(broken.zones[0], broken.zones[1]);
    auto loaded = vm::load_module(broken);
    REQUIRE(std::holds_alternative<std::string>(loaded));
    CHECK(std::get<std::string>(loaded).find("not sorted") != std::string::npos);
}

TEST_CASE("time zones: a damaged TZif file is refused with the reason, not read", "[timezones]") {
    namespace fs = std::filesystem;
    auto dir = fs::temp_directory_path() / ("switchyard-tz-" + std::to_string(::getpid()));
    fs::create_directories(dir / "Test");
    auto write = [&](const char* name, std::string bytes) { std::ofstream(dir / "Test" / name, std::ios::binary) << bytes; };
    std::string header = "TZif2" + std::string(15, '\0');
    write("Huge", header + std::string(12, '\0') + std::string("\xff\xff\xff\xff", 4) + std::string(8, '\0'));
    // Five transitions and one local time type announced, none there.
    write("Short", header + std::string(12, '\0') + std::string("\0\0\0\x05\0\0\0\x01", 8) + std::string(4, '\0'));
    const char* before = std::getenv("TZDIR");
    std::string saved = before ? before : "";
    ::setenv("TZDIR", dir.c_str(), 1);
    auto huge = compiler::read_zone("Test/Huge");
    auto shorter = compiler::read_zone("Test/Short");
    if (before) ::setenv("TZDIR", saved.c_str(), 1);
    else ::unsetenv("TZDIR");
    fs::remove_all(dir);
    REQUIRE(std::holds_alternative<std::string>(huge));
    CHECK(std::get<std::string>(huge).find("implausible counts") != std::string::npos);
    REQUIRE(std::holds_alternative<std::string>(shorter));
    CHECK(std::get<std::string>(shorter).find("truncated") != std::string::npos);
}
