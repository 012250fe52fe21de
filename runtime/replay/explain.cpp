// One logged event explained (issue 15): its recorded cases decided again, with explanations,
// by the ruleset that decided them.
#include "runtime/replay/replay.hpp"

#include "common/civil.hpp"
#include "runtime/engine/ruleset.hpp"

#include <stdexcept>

namespace switchyard::replay {

namespace json = boost::json;

namespace {

json::value parsed(const std::string& text, const char* what) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) throw std::runtime_error(std::string("its ") + what + " cannot be read: " + ec.message());
    return v;
}

// The values of the logged decisions, in order, to compare with those made again.
std::vector<json::value> values_of(std::span<const json::value> decisions) {
    std::vector<json::value> out;
    for (const auto& d : decisions) {
        const auto& o = d.as_object();
        out.push_back(o.contains("value") ? o.at("value") : json::value(nullptr));
    }
    return out;
}

}  // namespace

json::object explain(std::shared_ptr<const vm::Image> decided_by, const config::Config& config, const store::RecordedRow& row,
                     bool explanations, std::int64_t budget) {
    if (row.cases.empty())
        throw std::runtime_error("decision " + std::to_string(row.id) +
                                 " was logged before decisions kept their cases: only its logged trace is known");
    auto cases = parsed(row.cases, "recording");
    auto logged = parsed(row.decisions, "decisions");
    const auto* asks = cases.as_object().if_contains("asks");
    const auto* before = logged.as_object().if_contains("decisions");
    if (!asks || !asks->is_array() || !before || !before->is_array()) throw std::runtime_error("its recording cannot be read");
    std::string integration(cases.as_object().at("integration").as_string());
    const auto* found = config.integration(integration);
    if (!found) throw std::runtime_error("its integration `" + integration + "` is no longer in the configuration");

    engine::Engine engine(decided_by);
    auto settings = engine::Case::from_json(*decided_by, json::object{{"settings", engine::settings_json(config, *found, *decided_by)}});
    json::array explained;
    const auto& all = asks->as_array();
    std::span<const json::value> old(before->as_array().data(), before->as_array().size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        auto r = engine::read_recorded(*decided_by, all[i], std::span(all.data(), i));
        r.kase.set_settings(settings.settings());
        engine::ReplayQueries queries(r);
        r.kase.set_queries(&queries);
        engine::Options options;
        options.kinds = r.kinds;
        options.explain = options.read_values = explanations;
        options.budget = budget;
        json::array decisions, kinds;
        std::vector<json::value> now;
        for (const auto& d : engine.decide(r.kase, options)) {
            if (!(r.kinds & (engine::KindSet(1) << d.kind))) continue;
            auto o = engine.decision_json(d, explanations);
            now.push_back(o.contains("value") ? o.at("value") : json::value(nullptr));
            decisions.push_back(std::move(o));
        }
        std::size_t n = std::min(r.decisions, old.size());
        bool same = now == values_of(old.first(n));
        old = old.subspan(n);
        json::object ask{{"kinds", all[i].at("kinds")}, {"same_as_logged", same}, {"decisions", std::move(decisions)}};
        explained.push_back(std::move(ask));
    }
    json::object out{{"decision", row.id},
                     {"event", row.event},
                     {"inbox", row.inbox},
                     {"integration", integration},
                     {"at", common::format_instant(row.at)},
                     {"ruleset", row.ruleset},
                     {"asks", std::move(explained)}};
    out["task"] = row.task ? json::value(*row.task) : json::value(nullptr);
    out["comment"] = row.comment ? json::value(*row.comment) : json::value(nullptr);
    return out;
}

}  // namespace switchyard::replay
