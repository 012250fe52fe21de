// Replay (issue 15): a candidate ruleset decides the recorded cases of the decision log again,
// with the facts as they were when each event was decided and nothing written anywhere, and the
// differences from what was decided then are reported. The same rows and the same candidate
// give the same report.
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/engine/recorded.hpp"
#include "runtime/store/recorded.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace switchyard::replay {

// One decision that came out otherwise: the value (or the failure) and the rule, before and after.
struct Change {
    std::string kind;
    std::optional<std::int64_t> file;  // per-file kinds: the file's index in the message
    boost::json::value before, after;  // the decision objects (docs/cases.md); null: none made
    std::string before_rule, after_rule;  // `telegram.rules:12`, or the failure; empty: none
};

// An event of the log as people recognise it.
struct EventRef {
    std::int64_t decision = 0;  // the decision-log row
    std::int64_t inbox = 0;
    std::string event;          // its dedup key
    std::string integration;
    std::int64_t at = 0;
    std::optional<std::int64_t> task;
    std::string sender, text;   // of the message decided on, when the recording has it
};

struct ChangedEvent {
    EventRef event;
    std::vector<Change> changes;
};

// An event the candidate cannot decide exactly from what was recorded.
struct Unreplayable {
    EventRef event;
    std::string reason;
};

struct Report {
    std::string candidate_version;
    std::size_t replayed = 0;      // decided again (changed or not)
    std::size_t changed = 0;
    std::size_t unreplayable = 0;  // read facts or asked questions that were not recorded
    std::size_t unrecorded = 0;    // logged before decisions kept their cases
    std::map<std::string, std::size_t> changed_by_kind;
    // (kind, rule before, rule after): how many decisions changed so
    std::map<std::tuple<std::string, std::string, std::string>, std::size_t> changed_by_rule;
    std::map<std::string, std::size_t> unreplayable_by_reason;
    std::vector<ChangedEvent> changes;         // at most Options::max_listed, oldest first
    std::vector<Unreplayable> unreplayed;      // likewise
};

struct Options {
    double sample = 1.0;             // the share of rows replayed, chosen by their id (deterministic)
    std::size_t max_listed = 1000;   // events listed in full; the counts cover them all
};

// Replays rows one by one for one candidate. Not thread-safe; cheap to make.
class Replayer {
public:
    Replayer(std::shared_ptr<const vm::Image> candidate, std::string version, const config::Config& config, Options options = {});
    ~Replayer();

    // One decision-log row: counted, and listed when it changed or cannot be replayed.
    void row(const store::RecordedRow& row);
    const Report& report() const { return report_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    Report report_;
};

// Whether a row of this id is in a sample of this share (the same rows for the same share).
bool sampled(std::int64_t id, double share);

// Why a logged event was decided as it was: each recorded ask decided again by the ruleset
// that decided it (`decided_by`, of the row's version), explained as `eval --explain` explains:
// every rule tried with its condition's parts, each let, and each fact read with its value.
// {"decision", "event", "inbox", "task", "comment", "at", "ruleset", "integration", "asks": [
//   {"kinds", "same_as_logged", "decisions": [...]}]}; `same_as_logged` is false when deciding
// again gives other values than the log (the configuration's settings changed since).
// Throws std::runtime_error naming what cannot be explained (no recording, another schema).
// Without `explanations`, the decisions alone; another ruleset than the one that decided may be
// given (`switchyard eval --decision`): `same_as_logged` then compares it with the log.
boost::json::object explain(std::shared_ptr<const vm::Image> decided_by, const config::Config& config,
                            const store::RecordedRow& row, bool explanations = true,
                            std::int64_t budget = vm::default_budget);

boost::json::object to_json(const Report& report);
// For people: each changed event with its changes, the events not replayed, then the summary.
std::string to_text(const Report& report);

}  // namespace switchyard::replay
