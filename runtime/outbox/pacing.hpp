// Telegram's rates (../shared/reference/outbound.md, "Limits"), kept by the dispatcher before
// each message: one message a second to a chat, twenty a minute to a group, thirty a second
// for a bot; and a 429's `retry_after` holds the chat that long. Not thread-safe: the
// dispatcher's one thread asks it and tells it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

namespace switchyard::outbox {

struct PacingLimits {
    std::int64_t chat_interval_ms = 1000;  // between the end of one message to a chat and the next's start
    std::size_t group_per_minute = 20;
    std::size_t bot_per_second = 30;
};

// Wazzup's: 500 requests in 5 seconds per API key, and no rate per chat of its own. Paced at
// 90 a second: a message is counted when the dispatcher chooses it, and a sender may write it
// a little later, so the margin keeps any 5 seconds of requests, as Wazzup sees them, under 500.
inline constexpr PacingLimits wazzup_limits{0, 1000000, 90};

class Pacer {
public:
    // A disabled pacer lets everything go at once, except a chat a 429 holds. `limits` are every
    // bot's but those given their own with set_limits.
    explicit Pacer(bool enabled, PacingLimits limits = {});
    void set_limits(std::string_view bot, PacingLimits limits);

    // The earliest time (ms) at which the next message to `chat` of `bot` may start; `now` or later.
    std::int64_t earliest(std::string_view bot, std::string_view chat, bool group, std::int64_t now) const;
    // A message to `chat` starts at `at` (counted against the bot's rate).
    void started(std::string_view bot, std::string_view chat, std::int64_t at);
    // The message ended at `at` (answered or not): the chat's interval counts from here, so that
    // the next message never reaches the platform within the interval of this one.
    void finished(std::string_view bot, std::string_view chat, bool group, std::int64_t at);
    // A 429: nothing goes to the chat before `until`; or, for hold_bot, nothing of the bot.
    void hold(std::string_view bot, std::string_view chat, std::int64_t until);
    void hold_bot(std::string_view bot, std::int64_t until);
    // Forgets chats idle for longer than every window, so that memory follows the active chats.
    void forget_idle(std::int64_t now);

    bool enabled() const { return enabled_; }

private:
    struct ChatState {
        std::int64_t last_end = 0;         // when the last message ended; 0: none yet
        std::int64_t hold_until = 0;       // a 429's retry_after
        std::deque<std::int64_t> minute;   // groups: the ends of the messages of the last minute
    };
    // `bot`, a NUL, `chat`: one string, so that a lookup by views needs no pair of strings.
    static std::string key(std::string_view bot, std::string_view chat);

    ChatState* find(std::string_view bot, std::string_view chat);
    const ChatState* find(std::string_view bot, std::string_view chat) const;

    const PacingLimits& limits_of(std::string_view bot) const;

    bool enabled_;
    PacingLimits limits_;
    std::map<std::string, PacingLimits, std::less<>> own_limits_;
    std::map<std::string, ChatState, std::less<>> chats_;
    std::map<std::string, std::deque<std::int64_t>, std::less<>> bots_;  // the starts of the last second
    std::map<std::string, std::int64_t, std::less<>> bot_holds_;         // a 429 for the whole account
};

// The wait before attempt `attempt` + 1 after a failure that may pass (a network error, a 5xx):
// exponential from one second, at most `max_ms`, with "equal jitter" (half fixed, half random)
// so that many messages failing together do not retry together. `random01` is in [0, 1).
std::int64_t backoff_ms(std::uint32_t attempt, std::int64_t max_ms, double random01);

}  // namespace switchyard::outbox
