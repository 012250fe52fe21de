// The time of day, from the one clock the server, the worker and the store stamp rows with.
#pragma once

#include <cstdint>
#include <string>

namespace switchyard::common {

// Milliseconds since 1970-01-01 UTC, by the system clock: what every stored time is counted in.
std::int64_t wall_clock_ms();

// Milliseconds of a clock that only goes forward at a steady rate (from an arbitrary start):
// for waits inside the process. The system clock may be stepped or slewed (a VM's clock
// corrected by its host ran 0.5% fast, measured), so that a wait measured by it is not one.
std::int64_t steady_clock_ms();

// Times as the API and the log write them: `2026-11-21T10:00:00Z`, with `.mmm` when there are
// milliseconds (UTC, proleptic Gregorian).
std::string iso_time(std::int64_t ms);

}  // namespace switchyard::common
