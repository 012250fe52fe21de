// Ruleset swaps reaching every server of a shared store (issue 16): a publish, a rollback or a
// SIGHUP on one server is an event in the store (rulesets.hpp), and each other server looks
// for a newer one every second and serves the ruleset it made serve, from the store's bytes,
// loaded and verified here before it serves. Following records nothing: the event that was
// followed says who did it and why.
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/log/log.hpp"
#include "runtime/store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace switchyard::server {

// What one look found.
struct Followed {
    store::RulesetEvent event;
    // The ruleset now serving, or why this server keeps the one it had (its configuration does
    // not fit the ruleset's settings, the stored bytes do not load).
    engine::SwapResult result;
};

// Serves the ruleset of the store's latest serving event when it is not the one serving and
// the event is newer than `after` (an event id); nothing when there is nothing to follow.
std::optional<Followed> follow_latest(engine::RulesetHolder& holder, store::Store& store, const config::Config& config,
                                      std::int64_t after);

// A thread that follows every `period` on a shared store, and logs each swap and refusal.
class RulesetFollower {
public:
    RulesetFollower(engine::RulesetHolder& holder, store::Store& store, const config::Config& config, log::Logger& log,
                    std::chrono::milliseconds period = std::chrono::seconds(1));
    ~RulesetFollower();  // stops
    RulesetFollower(const RulesetFollower&) = delete;
    RulesetFollower& operator=(const RulesetFollower&) = delete;

private:
    void run();
    void look();

    engine::RulesetHolder& holder_;
    store::Store& store_;
    const config::Config& config_;
    log::Logger& log_;
    std::chrono::milliseconds period_;
    std::int64_t followed_ = 0;  // the last event looked at
    std::mutex mutex_;
    std::condition_variable stop_;
    bool stopping_ = false;
    std::thread thread_;  // last: started once the rest is ready
};

}  // namespace switchyard::server
