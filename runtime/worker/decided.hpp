// The decision-log row of one event (R2), gathered from one or more engine runs: the JSON the
// log keeps is made here, at the edge, from the decisions that were applied. Private to
// runtime/worker.
#pragma once

#include "runtime/engine/engine.hpp"
#include "runtime/store/store.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace switchyard::worker {

namespace json = boost::json;

class DecisionLog {
public:
    // `storage`: where the JSON is built (the processor's monotonic buffer), outliving the log.
    explicit DecisionLog(json::storage_ptr storage)
        : storage_(storage), rules_(storage), traces_(storage), decisions_(storage) {}

    // Adds the decisions of `kinds` from the engine's last run, in the schema's order of kinds.
    void take(const engine::Engine& engine, const std::vector<engine::Decision>& decisions, engine::KindSet kinds);
    bool empty() const { return decisions_.empty(); }

    // The row: the rules that fired (policy and rule locations, per kind and file), the traces,
    // and the decisions object without its traces. The JSON moves into it: one row per log.
    store::NewDecision row(std::string ruleset_version);

private:
    json::storage_ptr storage_;
    std::string ruleset_name_;
    json::array rules_, traces_, decisions_;
};

}  // namespace switchyard::worker
