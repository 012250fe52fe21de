#include "runtime/worker/decided.hpp"

namespace switchyard::worker {

void DecisionLog::take(const engine::Engine& engine, const std::vector<engine::Decision>& decisions, engine::KindSet kinds) {
    ruleset_name_ = engine.image().module().name;
    for (const auto& d : decisions) {
        if (!(kinds & (engine::KindSet(1) << d.kind))) continue;
        json::object o = engine.decision_json(d, true, storage_);
        json::object fired(storage_);
        fired["kind"] = o["kind"];
        if (const auto* f = o.if_contains("file")) fired["file"] = *f;
        fired["policy"] = o["policy"];
        if (const auto* rule = o.if_contains("rule")) fired["rule"] = *rule;
        if (const auto* error = o.if_contains("error")) fired["error"] = *error;
        rules_.push_back(std::move(fired));
        json::object trace(storage_);
        trace["kind"] = o["kind"];
        if (const auto* f = o.if_contains("file")) trace["file"] = *f;
        trace["trace"] = std::move(o["trace"]);
        traces_.push_back(std::move(trace));
        o.erase("trace");
        decisions_.push_back(std::move(o));
    }
}

store::NewDecision DecisionLog::row(std::string ruleset_version) {
    json::object decisions(storage_);
    decisions["ruleset"] = ruleset_name_;
    decisions["decisions"] = std::move(decisions_);
    // Moved in by construction (assigning would copy them out of their storage).
    return store::NewDecision{.inbox = 0,
                              .event = {},
                              .task = std::nullopt,
                              .comment = std::nullopt,
                              .ruleset = std::move(ruleset_version),
                              .rules = std::move(rules_),
                              .trace = std::move(traces_),
                              .decisions = std::move(decisions),
                              .note = std::nullopt,
                              .at = 0};
}

}  // namespace switchyard::worker
