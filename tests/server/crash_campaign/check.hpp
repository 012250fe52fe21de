// The campaign's final check, once the traffic has stopped and the server has drained: what the
// tracker holds (read through the API) and what the fake APIs received, against the ledger of
// what was sent and acknowledged. Fills the report's counts and lists every problem.
#pragma once

#include "tests/server/crash_campaign/ledger.hpp"
#include "tests/server/crash_campaign/report.hpp"
#include "tests/support/fake_telegram.hpp"
#include "tests/support/fake_wazzup.hpp"

#include <cstdint>

namespace switchyard::campaign {

void check_campaign(std::uint16_t port, const Ledger& ledger, const testing::FakeTelegram& telegram,
                    const testing::FakeWazzup& wazzup, Report& report);

}  // namespace switchyard::campaign
