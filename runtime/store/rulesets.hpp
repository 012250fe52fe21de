// The rulesets that have served and what was done with them (tracker migration 11,
// runtime/store/rulesets.cpp): every ruleset kept by its version with the compiled file's bytes,
// and every load from the configuration's files, publish, rollback and refusal as an event with
// who and why. Written through a Work (Work::keep_ruleset, Work::record_ruleset_event), read by
// the API through the Store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::store {

enum class RulesetAction : std::uint8_t {
    configured,  // loaded from the configuration's files, at start or on SIGHUP
    publish,     // POST /api/v1/ruleset
    rollback,    // POST /api/v1/rulesets/{version}/rollback
    refuse,      // any of those, refused: the ruleset serving before goes on
};

// `configured`, `publish`, `rollback`, `refuse`: the column's and the API's word.
std::string_view name_of(RulesetAction action);

// Who made a ruleset serve, or tried to.
struct RulesetActor {
    std::string kind;                // employee, configuration (its files), api (a request that named nobody)
    std::optional<std::int64_t> id;  // the employee's id in the configuration
    std::string name;
};

// A ruleset that has served.
struct RulesetRecord {
    std::string version;  // engine::version_of: a hash of what runs
    std::string name;     // `ruleset NAME`
    std::int64_t first_served_at = 0;
    RulesetActor first_served_by;
};

// The same with the compiled file, byte for byte as it came: it carries the sources' text.
struct StoredRuleset {
    RulesetRecord record;
    std::string compiled;
};

struct RulesetEvent {
    std::int64_t id = 0;  // given by the store
    std::int64_t at = 0;
    RulesetAction action = RulesetAction::configured;
    std::optional<std::string> version;   // none for a ruleset refused before it loaded
    std::optional<std::string> previous;  // the version serving before (after a refusal, still)
    std::optional<RulesetAction> attempted;  // a refusal's: what was refused
    RulesetActor by;
    std::optional<std::string> reason;  // why, in the words of whoever did it
    std::optional<std::string> detail;  // configured: the files it came from; refuse: why it was refused
};

// What decides which ruleset serves when the configuration's files are loaded (at start, on
// SIGHUP): the last time they were, and the latest event that made a ruleset serve.
struct RulesetState {
    std::optional<RulesetEvent> last_configured;
    std::optional<RulesetEvent> last_served;  // configured, publish or rollback
};

}  // namespace switchyard::store
