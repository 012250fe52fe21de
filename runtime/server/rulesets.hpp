// Every way a ruleset comes in, with what the store keeps of it (docs/api.md, "Rulesets"): the
// configuration's files at start and on SIGHUP (serve_configured), a compiled file posted to the
// API and a rollback to a ruleset that served before (swap_and_record). Each goes through
// engine::swap_ruleset and is recorded in the same transaction: a ruleset that serves is kept
// with its compiled bytes, and every swap and refusal is an event with who and why.
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/store/store.hpp"

#include <optional>
#include <string>

namespace switchyard::server {

// A ruleset offered to serve: the compiled file's bytes and what loading them gave (the image,
// or the reason there is none).
struct Offer {
    std::string compiled;
    engine::Loaded loaded;
};

// Compiled bytes, loaded (vm::load; a refusal in the loader's words).
Offer offer_compiled(std::string compiled);

// Who swaps a ruleset in, how, and why.
struct Change {
    store::RulesetAction action = store::RulesetAction::publish;  // configured, publish or rollback
    store::RulesetActor by;
    std::optional<std::string> reason;
    std::optional<std::string> detail;  // configured: where its files are
};

// The configuration's files as an actor: `configuration`.
store::RulesetActor configuration_actor();

// Swaps the offer in and records it, in one transaction of the store: the ruleset now serving
// is kept (the first time its version serves) and the change is an event; a refusal is a
// `refuse` event, with the reason, and the old ruleset goes on. Should recording fail, the
// ruleset that served before is put back and the StoreError thrown: nothing serves that the
// store does not know.
engine::SwapResult swap_and_record(engine::RulesetHolder& holder, store::Store& store, const config::Config& config,
                                   Offer offer, const Change& change);

// A change refused before any swap was tried (a publish that its guard stopped): recorded as a
// `refuse` event of `version` with `why`, the ruleset serving going on.
void record_refused(engine::RulesetHolder& holder, store::Store& store, const Change& change,
                    std::optional<std::string> version, const std::string& why);

// What serve_configured did.
struct Served {
    // The ruleset now serving, or the refusal of the configuration's (the old one goes on).
    engine::SwapResult result;
    // When a ruleset swapped in through the API since the configuration's files were last
    // loaded serves again (the files are unchanged since): the event that made it serve.
    std::optional<store::RulesetEvent> restored;
    // When that ruleset was refused (the configuration no longer fits it): why. The
    // configuration's ruleset serves instead.
    std::optional<engine::Refused> restore_refused;
    // The configuration's ruleset's version, when it loaded.
    std::optional<std::string> configured;
};

// At start and on SIGHUP, the configuration's ruleset (`detail`: where its files are) against
// what the store remembers; the latest admin action wins. When its version is the one the
// configuration's files had the last time they were loaded, and a ruleset was published or
// rolled back to after that, that one serves again (from its stored bytes). Otherwise the
// configuration's serves (the files changed since they were last loaded, or nothing else was
// swapped in through the API since), recorded as `configured` unless the files are unchanged
// and hold what served last.
Served serve_configured(engine::RulesetHolder& holder, store::Store& store, const config::Config& config,
                        Offer configured, const std::string& detail);

}  // namespace switchyard::server
