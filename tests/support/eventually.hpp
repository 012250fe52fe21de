// Waiting in a test for what another thread or process will make true.
#pragma once

#include <chrono>
#include <thread>

namespace switchyard::testing {

// Whether `holds()` becomes true within `within` (asked every 10 ms, and once more at the end).
template <class Holds>
bool eventually(Holds holds, std::chrono::milliseconds within = std::chrono::seconds(10)) {
    auto until = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < until) {
        if (holds()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return holds();
}

}  // namespace switchyard::testing
