// The time zones rules name, read from the system's tz database ($TZDIR, or
// /usr/share/zoneinfo from Debian's tzdata) when rules are checked and compiled. The compiled
// ruleset carries the zones it uses (bytecode::Zone), so decisions never depend on the tzdata of
// the machine that runs them.
#pragma once

#include "bytecode/module.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::compiler {

// Offsets are computed up to this instant (2100-01-01T00:00:00Z); later, the last offset holds.
inline constexpr std::int64_t zone_horizon_ms = 4'102'444'800'000;

// The zone's offsets from its TZif file: its transitions, then those its POSIX rule (the file's
// footer) gives up to zone_horizon_ms. Or why it cannot be read (an unknown name, a bad file).
// Read once per process and name.
std::variant<bytecode::Zone, std::string> read_zone(std::string_view name);

// Every zone and link name of the database (from its tzdata.zi), sorted: for suggestions.
const std::vector<std::string>& zone_names();

}  // namespace switchyard::compiler
