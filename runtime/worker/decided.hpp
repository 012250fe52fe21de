// The decision-log row of one event (R2), gathered from one or more engine runs: the JSON the
// log keeps is made here, at the edge, from the decisions that were applied. Private to
// runtime/worker.
#pragma once

#include "runtime/engine/engine.hpp"
#include "runtime/engine/recorded.hpp"
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
        : storage_(storage), rules_(storage), traces_(storage), decisions_(storage), asks_(storage) {}

    // Adds the decisions of `kinds` from the engine's last run on `c`, in the schema's order of
    // kinds, and the case as recorded (engine/recorded.hpp): the facts those policies read and
    // the fact queries they `asked`.
    void take(const engine::Engine& engine, const std::vector<engine::Decision>& decisions, engine::KindSet kinds,
              const engine::Case& c, std::span<const engine::Asked> asked);
    bool empty() const { return decisions_.empty(); }

    // The row: the rules that fired (policy and rule locations, per kind and file), the traces,
    // the decisions object without its traces, and the recorded cases of the integration's
    // event. The JSON moves into it: one row per log.
    store::NewDecision row(std::string ruleset_version, std::string_view integration);

    // The parts of facts the worker reads only for a policy that reads them (a query of their
    // own each): a recorded case says which it left out.
    static constexpr engine::CostlyField costly_fields[] = {
        {engine::Fact::task, "history"}, {engine::Fact::contact, "tags"}, {engine::Fact::contact, "fields"}};

private:
    json::storage_ptr storage_;
    std::string ruleset_name_;
    json::array rules_, traces_, decisions_, asks_;
    engine::Written written_;  // the facts the event's asks recorded so far
};

}  // namespace switchyard::worker
