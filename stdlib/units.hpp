// The units of the language's sizes and durations, declared once: the parser's literals
// (`5 MB`, `24 h`), case files and the configuration (`"10 MiB"`) read the same ones.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace switchyard::stdlib {

struct Unit {
    std::string_view name;
    std::int64_t factor;  // bytes, or milliseconds
};

// In the order of dsl::SizeUnit and dsl::DurationUnit. KB/MB/GB are powers of 1000.
inline constexpr std::array<Unit, 7> size_units = {
    {{"B", 1}, {"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000}, {"KiB", 1024}, {"MiB", 1048576}, {"GiB", 1073741824}}};
inline constexpr std::array<Unit, 5> duration_units = {
    {{"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}}};

// `5 MB`, `-90 s`, `512KiB`: an amount (64-bit), spaces, and one of `units`; with `bare` also a
// plain amount. Nothing when the text is not one, or the value does not fit in 64 bits.
std::optional<std::int64_t> parse_quantity(std::string_view text, std::span<const Unit> units, bool bare = false);

}  // namespace switchyard::stdlib
