// The time of day, from the one clock the server, the worker and the store stamp rows with.
#pragma once

#include <cstdint>

namespace switchyard::common {

// Milliseconds since 1970-01-01 UTC, by the system clock: what every stored time is counted in.
std::int64_t wall_clock_ms();

}  // namespace switchyard::common
