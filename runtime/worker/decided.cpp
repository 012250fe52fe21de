#include "runtime/worker/decided.hpp"

#include <algorithm>

namespace switchyard::worker {

const json::object* Run::find(std::string_view kind, std::optional<std::size_t> file) const {
    const auto* list = json.if_contains("decisions");
    if (!list || !list->is_array()) return nullptr;
    for (const auto& d : list->get_array()) {
        const auto& o = d.get_object();
        if (o.at("kind").get_string() != kind) continue;
        // The engine writes the file index unsigned (a size_t); compare it as a number.
        const auto* f = o.if_contains("file");
        if (file && (!f || !f->is_number() || f->to_number<std::uint64_t>() != *file)) continue;
        return &o;
    }
    return nullptr;
}

const json::value* value_of(const json::object* decision) {
    if (!decision) return nullptr;
    return decision->if_contains("value");
}

std::string error_of(const json::object* decision) {
    if (!decision) return {};
    const auto* e = decision->if_contains("error");
    return e && e->is_string() ? std::string(e->get_string()) : std::string();
}

std::string constructor_of(const json::value& value) {
    if (value.is_string()) return std::string(value.get_string());
    if (value.is_object() && value.get_object().size() == 1) return std::string(value.get_object().begin()->key());
    return {};
}

const json::object* arguments_of(const json::value& value) {
    if (!value.is_object() || value.get_object().size() != 1) return nullptr;
    return value.get_object().begin()->value().if_object();
}

std::string string_argument(const json::object* arguments, std::string_view name, std::string_view fallback) {
    if (!arguments) return std::string(fallback);
    const auto* v = arguments->if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string(fallback);
}

void DecisionLog::add(const json::object& decision) { decisions_.push_back(decision); }

void DecisionLog::take(const Run& run, std::string_view kind) {
    if (const auto* name = run.json.if_contains("ruleset"); name && name->is_string())
        ruleset_name_ = std::string(name->get_string());
    const auto* list = run.json.if_contains("decisions");
    if (!list || !list->is_array()) return;
    for (const auto& d : list->get_array())
        if (d.get_object().at("kind").get_string() == kind) add(d.get_object());
}

void DecisionLog::take_all_but(const Run& run, std::initializer_list<std::string_view> except) {
    if (const auto* name = run.json.if_contains("ruleset"); name && name->is_string())
        ruleset_name_ = std::string(name->get_string());
    const auto* list = run.json.if_contains("decisions");
    if (!list || !list->is_array()) return;
    for (const auto& d : list->get_array()) {
        std::string_view kind = d.get_object().at("kind").get_string();
        if (std::find(except.begin(), except.end(), kind) == except.end()) add(d.get_object());
    }
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
