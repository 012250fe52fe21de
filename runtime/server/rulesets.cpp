// Swapping rulesets in and recording it (rulesets.hpp). Every change runs in one Work: the store
// lets one writer in at a time, so two changes (an API call and a SIGHUP) never interleave, and
// what a change decides from the store is still true when it is written.
#include "runtime/server/rulesets.hpp"

#include "common/clock.hpp"
#include "runtime/vm/image.hpp"

#include <utility>

namespace switchyard::server {

namespace {

using store::RulesetAction;

std::optional<std::string> serving_version(const engine::RulesetHolder& holder) {
    auto current = holder.current();
    return current ? std::optional<std::string>(current->version) : std::nullopt;
}

std::optional<std::string> version_of(const Offer& offer) {
    const auto* image = std::get_if<std::shared_ptr<const vm::Image>>(&offer.loaded);
    return image ? std::optional<std::string>(engine::version_of(**image)) : std::nullopt;
}

// Runs `body` in a Work and commits it. Should anything throw, the ruleset that served when
// the Work began serves again, so that the holder never serves a swap the store has not kept.
template <typename Body>
auto in_work(engine::RulesetHolder& holder, store::Store& store, Body body) {
    auto work = store.begin_work();
    auto before = holder.current();
    try {
        auto out = body(work);
        work.commit();
        return out;
    } catch (...) {
        holder.swap(before);
        throw;
    }
}

// A ruleset now serving: kept (the first time its version serves), and the change's event
// unless `event` is false (it serves again, as it did last).
void record_swap(store::Work& work, const engine::Swapped& swapped, const std::string& compiled, const Change& change,
                 const std::optional<std::string>& previous, std::int64_t at, bool event = true) {
    const auto& ruleset = *swapped.ruleset;
    work.keep_ruleset({ruleset.version, ruleset.image->module().name, at, change.by}, compiled);
    if (event)
        work.record_ruleset_event(
            {0, at, change.action, ruleset.version, previous, std::nullopt, change.by, change.reason, change.detail});
}

void record_refusal(store::Work& work, const engine::Refused& refused, const Change& change, std::int64_t at) {
    work.record_ruleset_event({0, at, RulesetAction::refuse, refused.version, refused.kept_version, change.action, change.by,
                               change.reason, refused.reason});
}

// The ruleset of `event` from the store, swapped in again; a refusal is recorded (the
// configuration's files then serve instead).
engine::SwapResult restore(engine::RulesetHolder& holder, store::Work& work, const config::Config& config,
                           const store::RulesetEvent& event, std::int64_t at) {
    auto stored = work.ruleset(*event.version);
    engine::Loaded loaded = stored ? offer_compiled(std::move(stored->compiled)).loaded
                                   : engine::Loaded("ruleset " + *event.version + " is not in the store");
    auto result = engine::swap_ruleset(holder, std::move(loaded), config);
    if (auto* refused = std::get_if<engine::Refused>(&result)) {
        if (!refused->version) refused->version = event.version;  // it did not load, but it is known
        record_refusal(work, *refused, {event.action, configuration_actor(), std::nullopt, std::nullopt}, at);
    }
    return result;
}

}  // namespace

Offer offer_compiled(std::string compiled) {
    auto loaded = vm::load(compiled);
    return Offer{std::move(compiled), std::move(loaded)};
}

store::RulesetActor configuration_actor() { return {"configuration", std::nullopt, "configuration"}; }

engine::SwapResult swap_and_record(engine::RulesetHolder& holder, store::Store& store, const config::Config& config,
                                   Offer offer, const Change& change) {
    return in_work(holder, store, [&](store::Work& work) {
        auto at = common::wall_clock_ms();
        auto previous = serving_version(holder);
        auto result = engine::swap_ruleset(holder, std::move(offer.loaded), config);
        if (const auto* swapped = std::get_if<engine::Swapped>(&result))
            record_swap(work, *swapped, offer.compiled, change, previous, at);
        else
            record_refusal(work, std::get<engine::Refused>(result), change, at);
        return result;
    });
}

void record_refused(engine::RulesetHolder& holder, store::Store& store, const Change& change,
                    std::optional<std::string> version, const std::string& why) {
    in_work(holder, store, [&](store::Work& work) {
        engine::Refused refused{engine::Refused::Cause::not_loaded, why, {}, serving_version(holder), std::move(version)};
        record_refusal(work, refused, change, common::wall_clock_ms());
        return 0;
    });
}

Served serve_configured(engine::RulesetHolder& holder, store::Store& store, const config::Config& config,
                        Offer configured, const std::string& detail) {
    return in_work(holder, store, [&](store::Work& work) {
        auto at = common::wall_clock_ms();
        auto state = work.ruleset_state();
        auto version = version_of(configured);
        Served served;
        served.configured = version;
        bool files_unchanged = version && state.last_configured && state.last_configured->version == version;
        const auto& last = state.last_served;
        if (files_unchanged && last && last->action != RulesetAction::configured && last->version != version) {
            auto result = restore(holder, work, config, *last, at);
            if (std::holds_alternative<engine::Swapped>(result)) return Served{std::move(result), last, std::nullopt, version};
            served.restore_refused = std::get<engine::Refused>(std::move(result));
        }
        Change change{RulesetAction::configured, configuration_actor(), std::nullopt, detail};
        auto previous = serving_version(holder);
        served.result = engine::swap_ruleset(holder, std::move(configured.loaded), config);
        if (const auto* swapped = std::get_if<engine::Swapped>(&served.result)) {
            // Unchanged files that serve what served last (a restart; a rollback to what the files
            // hold) change nothing: no event for each of them. Files that changed are an event even
            // when they hold what served last, so that the next start knows them.
            bool again = files_unchanged && last && last->version == version;
            record_swap(work, *swapped, configured.compiled, change, previous, at, !again);
        } else {
            record_refusal(work, std::get<engine::Refused>(served.result), change, at);
        }
        return served;
    });
}

}  // namespace switchyard::server
