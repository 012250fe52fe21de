// What the tests of the Telegram adapter share: the context they parse with, a fixture parsed,
// and the one event of a body.
#pragma once

#include "runtime/adapters/adapters.hpp"
#include "tests/adapters/fixtures.hpp"

#include <catch2/catch.hpp>

namespace switchyard::testing {

inline const adapters::TelegramContext telegram_context{"my_support_bot", "tg1"};

inline adapters::Parsed parse_telegram_fixture(const std::string& name) {
    return adapters::parse_telegram(read_fixture(name), telegram_context);
}

// The one event of a body, which must be of `type`.
inline adapters::Event only_event(const adapters::Parsed& parsed, adapters::EventType type) {
    INFO("ignored: " << parsed.ignored);
    REQUIRE(parsed.events.size() == 1);
    REQUIRE(parsed.events[0].type == type);
    CHECK(parsed.ignored.empty());
    CHECK_FALSE(parsed.ping);
    return parsed.events[0];
}

}  // namespace switchyard::testing
