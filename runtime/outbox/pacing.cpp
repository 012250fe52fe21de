#include "runtime/outbox/pacing.hpp"

#include <algorithm>

namespace switchyard::outbox {

namespace {

constexpr std::int64_t minute_ms = 60000;
constexpr std::int64_t second_ms = 1000;

void drop_before(std::deque<std::int64_t>& times, std::int64_t cutoff) {
    while (!times.empty() && times.front() <= cutoff) times.pop_front();
}

}  // namespace

Pacer::Pacer(bool enabled, PacingLimits limits) : enabled_(enabled), limits_(limits) {}

void Pacer::set_limits(std::string_view bot, PacingLimits limits) { own_limits_.insert_or_assign(std::string(bot), limits); }

const PacingLimits& Pacer::limits_of(std::string_view bot) const {
    auto it = own_limits_.find(bot);
    return it == own_limits_.end() ? limits_ : it->second;
}

std::string Pacer::key(std::string_view bot, std::string_view chat) {
    std::string k;
    k.reserve(bot.size() + 1 + chat.size());
    k.append(bot).push_back('\0');
    k.append(chat);
    return k;
}

Pacer::ChatState* Pacer::find(std::string_view bot, std::string_view chat) {
    auto it = chats_.find(key(bot, chat));
    return it == chats_.end() ? nullptr : &it->second;
}

const Pacer::ChatState* Pacer::find(std::string_view bot, std::string_view chat) const {
    auto it = chats_.find(key(bot, chat));
    return it == chats_.end() ? nullptr : &it->second;
}

std::int64_t Pacer::earliest(std::string_view bot, std::string_view chat, bool group, std::int64_t now) const {
    std::int64_t at = now;
    const auto* c = find(bot, chat);
    if (c) at = std::max(at, c->hold_until);
    if (auto h = bot_holds_.find(bot); h != bot_holds_.end()) at = std::max(at, h->second);
    if (!enabled_) return at;
    const auto& limits = limits_of(bot);
    if (c && c->last_end > 0) at = std::max(at, c->last_end + limits.chat_interval_ms);
    if (c && group && c->minute.size() >= limits.group_per_minute) {
        // The oldest of the last `group_per_minute` must leave the minute first.
        at = std::max(at, c->minute[c->minute.size() - limits.group_per_minute] + minute_ms + 1);
    }
    if (auto b = bots_.find(bot); b != bots_.end() && b->second.size() >= limits.bot_per_second) {
        const auto& starts = b->second;
        auto oldest_counted = starts[starts.size() - limits.bot_per_second];
        if (oldest_counted + second_ms > now) at = std::max(at, oldest_counted + second_ms);
    }
    return at;
}

void Pacer::started(std::string_view bot, std::string_view /*chat*/, std::int64_t at) {
    if (!enabled_) return;
    auto it = bots_.find(bot);
    if (it == bots_.end()) it = bots_.emplace(std::string(bot), std::deque<std::int64_t>{}).first;
    it->second.push_back(at);
    drop_before(it->second, at - second_ms);
}

void Pacer::finished(std::string_view bot, std::string_view chat, bool group, std::int64_t at) {
    if (!enabled_) return;
    auto* c = find(bot, chat);
    if (!c) c = &chats_[key(bot, chat)];
    c->last_end = std::max(c->last_end, at);
    if (group) {
        c->minute.push_back(at);
        drop_before(c->minute, at - minute_ms);
    }
}

void Pacer::hold(std::string_view bot, std::string_view chat, std::int64_t until) {
    auto* c = find(bot, chat);
    if (!c) c = &chats_[key(bot, chat)];
    c->hold_until = std::max(c->hold_until, until);
}

void Pacer::hold_bot(std::string_view bot, std::int64_t until) {
    auto it = bot_holds_.find(bot);
    if (it == bot_holds_.end()) bot_holds_.emplace(std::string(bot), until);
    else it->second = std::max(it->second, until);
}

void Pacer::forget_idle(std::int64_t now) {
    std::erase_if(bot_holds_, [&](const auto& entry) { return entry.second < now; });
    std::erase_if(chats_, [&](const auto& entry) {
        const auto& c = entry.second;
        return c.hold_until < now && c.last_end + minute_ms < now;
    });
    for (auto& [bot, starts] : bots_) drop_before(starts, now - second_ms);
}

std::int64_t backoff_ms(std::uint32_t attempt, std::int64_t max_ms, double random01) {
    std::int64_t base = 1000;
    for (std::uint32_t i = 1; i < attempt && base < max_ms; ++i) base *= 2;
    base = std::min(base, max_ms);
    return base / 2 + static_cast<std::int64_t>(static_cast<double>(base / 2) * random01);
}

}  // namespace switchyard::outbox
