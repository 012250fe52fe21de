#include "runtime/worker/decided.hpp"

namespace switchyard::worker {

void DecisionLog::take(const engine::Engine& engine, const std::vector<engine::Decision>& decisions, engine::KindSet kinds) {
    ruleset_name_ = engine.image().module().name;
    for (const auto& d : decisions)
        if (kinds & (engine::KindSet(1) << d.kind)) decisions_.push_back(engine.decision_json(d, true));
}

store::NewDecision DecisionLog::row(std::string ruleset_version) const {
    store::NewDecision row;
    row.ruleset = std::move(ruleset_version);
    json::array plain;
    for (const auto& d : decisions_) {
        json::object o = d.get_object();
        json::object fired{{"kind", o["kind"]}};
        if (const auto* f = o.if_contains("file")) fired["file"] = *f;
        fired["policy"] = o["policy"];
        if (const auto* rule = o.if_contains("rule")) fired["rule"] = *rule;
        if (const auto* error = o.if_contains("error")) fired["error"] = *error;
        row.rules.push_back(fired);
        json::object trace{{"kind", o["kind"]}};
        if (const auto* f = o.if_contains("file")) trace["file"] = *f;
        trace["trace"] = o.contains("trace") ? o["trace"] : json::array();
        row.trace.push_back(std::move(trace));
        o.erase("trace");
        plain.push_back(std::move(o));
    }
    row.decisions = {{"ruleset", ruleset_name_}, {"decisions", std::move(plain)}};
    return row;
}

}  // namespace switchyard::worker
