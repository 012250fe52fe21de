// Telegram's rates: one message a second per chat (counted from the end of the last one),
// twenty a minute per group, thirty a second per bot; a 429 holds the chat.
#include "runtime/outbox/pacing.hpp"

#include <catch2/catch.hpp>

using switchyard::outbox::backoff_ms;
using switchyard::outbox::Pacer;

TEST_CASE("a chat waits a second after its last message ended") {
    Pacer p(true);
    CHECK(p.earliest("bot", "1", false, 1000) == 1000);
    p.started("bot", "1", 1000);
    p.finished("bot", "1", false, 1050);
    CHECK(p.earliest("bot", "1", false, 1100) == 2050);
    CHECK(p.earliest("bot", "2", false, 1100) == 1100);  // another chat is free
}

TEST_CASE("a group takes twenty messages a minute") {
    Pacer p(true);
    std::int64_t t = 0;
    for (int i = 0; i < 20; ++i) {
        t = p.earliest("bot", "-5", true, t);
        p.started("bot", "-5", t);
        p.finished("bot", "-5", true, t);
    }
    // The twenty-first waits for the first to leave the minute.
    CHECK(p.earliest("bot", "-5", true, t) == 60001);
}

TEST_CASE("a bot sends thirty messages a second at most") {
    Pacer p(true);
    for (int i = 0; i < 30; ++i) p.started("bot", std::to_string(i), 100);
    CHECK(p.earliest("bot", "new", false, 100) == 1100);
    CHECK(p.earliest("other-bot", "new", false, 100) == 100);
}

TEST_CASE("a 429 holds the chat even with pacing off") {
    Pacer p(false);
    p.started("bot", "1", 0);
    p.finished("bot", "1", false, 0);
    CHECK(p.earliest("bot", "1", false, 10) == 10);
    p.hold("bot", "1", 5000);
    CHECK(p.earliest("bot", "1", false, 10) == 5000);
}

TEST_CASE("forget_idle drops chats whose windows have passed") {
    Pacer p(true);
    p.started("bot", "1", 0);
    p.finished("bot", "1", false, 0);
    p.forget_idle(120000);
    CHECK(p.earliest("bot", "1", false, 120000) == 120000);
}

TEST_CASE("backoff doubles from a second, stays under its cap, and half of it is random") {
    CHECK(backoff_ms(1, 300000, 0.0) == 500);
    CHECK(backoff_ms(1, 300000, 0.999) < 1000);
    CHECK(backoff_ms(2, 300000, 0.0) == 1000);
    CHECK(backoff_ms(4, 300000, 0.0) == 4000);
    CHECK(backoff_ms(30, 300000, 0.999) <= 300000);
    CHECK(backoff_ms(30, 300000, 0.0) == 150000);
}

TEST_CASE("a bot with limits of its own, and a hold of the whole bot") {
    Pacer p(true);
    p.set_limits("wz", switchyard::outbox::wazzup_limits);
    p.started("wz", "1", 0);
    p.finished("wz", "1", false, 0);
    CHECK(p.earliest("wz", "1", false, 0) == 0);  // Wazzup has no rate per chat
    p.hold_bot("wz", 5000);
    CHECK(p.earliest("wz", "2", false, 10) == 5000);
    CHECK(p.earliest("tg", "2", false, 10) == 10);
}
