#include "runtime/worker/decided.hpp"

namespace switchyard::worker {

void DecisionLog::take(const engine::Engine& engine, const std::vector<engine::Decision>& decisions, engine::KindSet kinds,
                       const engine::Case& c, std::span<const engine::Asked> asked) {
    ruleset_name_ = engine.image().module().name;
    std::size_t taken = 0;
    for (const auto& d : decisions) {
        if (!(kinds & (engine::KindSet(1) << d.kind))) continue;
        ++taken;
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
    asks_.push_back(engine::record_case(engine, c, kinds, asked, costly_fields, taken, written_, storage_));
}

store::NewDecision DecisionLog::row(std::string ruleset_version, std::string_view integration) {
    json::object decisions(storage_);
    decisions["ruleset"] = ruleset_name_;
    decisions["decisions"] = std::move(decisions_);
    json::object cases(storage_);
    if (!asks_.empty()) {
        cases["integration"] = integration;
        cases["asks"] = std::move(asks_);
    }
    // Moved in by construction (assigning would copy them out of their storage).
    return store::NewDecision{.inbox = 0,
                              .event = {},
                              .task = std::nullopt,
                              .comment = std::nullopt,
                              .ruleset = std::move(ruleset_version),
                              .rules = std::move(rules_),
                              .trace = std::move(traces_),
                              .decisions = std::move(decisions),
                              .cases = std::move(cases),
                              .note = std::nullopt,
                              .at = 0};
}

}  // namespace switchyard::worker
