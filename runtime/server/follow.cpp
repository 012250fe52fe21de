#include "runtime/server/follow.hpp"

#include "runtime/server/rulesets.hpp"

namespace switchyard::server {

std::optional<Followed> follow_latest(engine::RulesetHolder& holder, store::Store& store, const config::Config& config,
                                      std::int64_t after) {
    auto latest = store.latest_served();
    if (!latest || latest->id <= after || !latest->version) return std::nullopt;
    auto current = holder.current();
    if (current && current->version == *latest->version) return std::nullopt;  // this server made it, or swapped it in already
    auto stored = store.ruleset(*latest->version);
    engine::Loaded loaded = stored ? offer_compiled(std::move(stored->compiled)).loaded
                                   : engine::Loaded("ruleset " + *latest->version + " is not in the store");
    return Followed{std::move(*latest), engine::swap_ruleset(holder, std::move(loaded), config)};
}

RulesetFollower::RulesetFollower(engine::RulesetHolder& holder, store::Store& store, const config::Config& config,
                                 log::Logger& log, std::chrono::milliseconds period)
    : holder_(holder), store_(store), config_(config), log_(log), period_(period), thread_([this] { run(); }) {}

RulesetFollower::~RulesetFollower() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_.notify_all();
    thread_.join();
}

void RulesetFollower::run() {
    std::unique_lock lock(mutex_);
    while (!stop_.wait_for(lock, period_, [&] { return stopping_; })) {
        lock.unlock();
        look();
        lock.lock();
    }
}

void RulesetFollower::look() {
    try {
        auto followed = follow_latest(holder_, store_, config_, followed_);
        if (!followed) return;
        followed_ = followed->event.id;  // a refusal is not tried again each second
        boost::json::object fields{{"ruleset_event", followed->event.id},
                                   {"action", store::name_of(followed->event.action)},
                                   {"version", *followed->event.version},
                                   {"by", followed->event.by.name}};
        if (const auto* refused = std::get_if<engine::Refused>(&followed->result)) {
            fields["kept_version"] = refused->kept_version.value_or("");
            fields["reason"] = refused->reason;
            log_.write(log::Level::error, "ruleset_not_followed", fields);
        } else {
            log_.write(log::Level::info, "ruleset_followed", fields);
        }
    } catch (const std::exception& e) {
        log_.write(log::Level::error, "ruleset_follow_failed", {{"reason", e.what()}});
    }
}

}  // namespace switchyard::server
