// Swapping a ruleset in, and checking the configuration's setting values against it: the
// settings' types are known only to a ruleset, so this check lives next to rulesets, and it is
// made again for every ruleset offered.
#include "runtime/engine/ruleset.hpp"

#include "runtime/engine/engine.hpp"

namespace switchyard::engine {

using common::Code;

namespace {

std::string found(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::string: return "a string";
    case boost::json::kind::int64:
    case boost::json::kind::uint64: return "an integer";
    case boost::json::kind::double_: return "a floating-point number";
    case boost::json::kind::bool_: return "a boolean";
    case boost::json::kind::array: return "an array";
    case boost::json::kind::object: return "a table";
    case boost::json::kind::null: break;
    }
    return "nothing";
}

// The part of `v` that a case path such as `[1]` or `.field[0]` names, or null.
const boost::json::value* at_path(const boost::json::value& v, std::string_view path) {
    if (path.empty()) return &v;
    if (path.front() == '[') {
        auto close = path.find(']');
        const auto* a = v.if_array();
        if (!a || close == std::string_view::npos) return nullptr;
        auto i = std::stoul(std::string(path.substr(1, close - 1)));
        return i < a->size() ? at_path((*a)[i], path.substr(close + 1)) : nullptr;
    }
    if (path.front() != '.') return nullptr;
    path.remove_prefix(1);
    auto end = path.find_first_of(".[");
    const auto* o = v.if_object();
    const auto* field = o ? o->if_contains(path.substr(0, end)) : nullptr;
    return field ? at_path(*field, end == std::string_view::npos ? std::string_view() : path.substr(end)) : nullptr;
}

// The case's `settings.NAME[1]: expected a string` as the file names it
// (`integrations.settings.NAME[1]: …`), with what was found.
std::string misfit_message(const std::string& name, const boost::json::value& value, std::string_view why) {
    auto colon = why.find(": ");
    std::string text = "integrations." + std::string(why);
    if (colon == std::string_view::npos) return text;
    std::string_view path = why.substr(0, colon), reason = why.substr(colon + 2);
    const std::string prefix = "settings." + name;
    if (!path.starts_with(prefix) || !reason.starts_with("expected ")) return text;
    if (const auto* part = at_path(value, path.substr(prefix.size()))) text += ", found " + found(*part);
    return text;
}

std::string closest_setting(const vm::Image& image, std::string_view name) {
    std::vector<std::string_view> names;
    for (const auto& s : image.module().settings) names.push_back(s.name);
    return common::closest_match(name, names);
}

// ---- settings that hold people ----

namespace json = boost::json;

bool holds_people(const stdlib::Schema& schema, stdlib::Type t) {
    while (t.depth) t = t.inner();
    auto person = schema.named_type("person");
    return person && t == *person;
}

// The person record rules see for an employee, as the worker makes it (worker::Employees).
json::object employee_json(const config::Employee& e) {
    auto username = e.telegram_username();
    return {{"id", e.id},          {"name", e.name},       {"username", username ? json::value(*username) : json::value(nullptr)},
            {"phone", nullptr},    {"is_employee", true},  {"has_access", true}};
}

std::string employees_listed(const config::Config& config) {
    std::string ids;
    for (const auto& e : config.employees) ids += (ids.empty() ? "" : ", ") + std::to_string(e.id) + " (" + e.name + ")";
    return ids.empty() ? "no [[employees]] are declared" : "the employees are " + ids;
}

// One person of a setting, named in the configuration by employee id or Telegram username.
std::variant<json::value, std::string> employee_value(const config::Config& config, const json::value& v,
                                                      const std::string& path) {
    const config::Employee* e = nullptr;
    if (v.is_int64()) e = config.employee(v.get_int64());
    else if (v.is_string()) e = config.employee_by_username(v.get_string());
    else return path + ": expected an employee id or a Telegram username, found " + found(v);
    if (e) return employee_json(*e);
    std::string named = v.is_int64() ? "has id " + std::to_string(v.get_int64())
                                     : "has the Telegram username `" + std::string(v.get_string()) + "`";
    return path + ": no employee " + named + " (" + employees_listed(config) + ")";
}

// `v` with every person it names replaced by the person's record; or why it cannot be.
std::variant<json::value, std::string> people_value(const config::Config& config, stdlib::Type t, const json::value& v,
                                                    const std::string& path) {
    if (t.is_optional()) return people_value(config, t.inner(), v, path);
    if (!t.is_collection()) return employee_value(config, v, path);
    const auto* items = v.if_array();
    if (!items) return path + ": expected an array of employee ids or Telegram usernames, found " + found(v);
    json::array out;
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto item = people_value(config, t.inner(), (*items)[i], path + "[" + std::to_string(i) + "]");
        if (auto* why = std::get_if<std::string>(&item)) return std::move(*why);
        out.push_back(std::move(std::get<json::value>(item)));
    }
    return json::value(std::move(out));
}

// The setting's value as the case reader takes it: people as records.
std::variant<json::value, std::string> setting_value(const config::Config& config, const vm::Image& image,
                                                     const std::string& name, const json::value& value) {
    auto index = image.setting_index(name);
    if (!index) return value;
    auto type = image.module().settings[*index].type;
    if (!holds_people(image.schema(), type)) return value;
    return people_value(config, type, value, "integrations.settings." + name);
}

// ---- checking the settings ----

// One setting's value against its declaration, through the case reader the worker uses, so
// that what passes here is what the worker will accept.
std::optional<common::Diagnostic> check_setting(const config::Config& config, const config::Integration& in,
                                                const std::string& name, const boost::json::value& value,
                                                const vm::Image& image) {
    auto at = in.setting_spans.count(name) ? in.setting_spans.at(name) : common::Span{};
    if (!image.setting_index(name)) {
        auto best = closest_setting(image, name);
        return common::Diagnostic{Code::E0810, common::Severity::error, config.file, at,
                                  "integrations.settings." + name + ": the ruleset declares no such setting",
                                  best.empty() ? std::string() : "did you mean `" + best + "`?", {}};
    }
    auto resolved = setting_value(config, image, name, value);
    if (auto* why = std::get_if<std::string>(&resolved))
        return common::Diagnostic{Code::E0807, common::Severity::error, config.file, at, std::move(*why), {}, {}};
    try {
        Case::from_json(image, boost::json::object{{"settings", boost::json::object{{name, std::get<json::value>(resolved)}}}});
    } catch (const CaseError& e) {
        return common::Diagnostic{Code::E0811, common::Severity::error, config.file, at,
                                  misfit_message(name, value, e.what()), {}, {}};
    }
    return std::nullopt;
}

Refused refuse(const RulesetHolder& holder, Refused::Cause cause, std::string reason,
               std::vector<common::Diagnostic> diagnostics = {}) {
    auto current = holder.current();
    return Refused{cause, std::move(reason), std::move(diagnostics),
                   current ? std::optional<std::string>(current->version) : std::nullopt, std::nullopt};
}

}  // namespace

boost::json::object settings_json(const config::Config& config, const config::Integration& integration,
                                  const vm::Image& image) {
    json::object out;
    for (const auto& [name, value] : integration.settings) {
        auto resolved = setting_value(config, image, std::string(name), value);
        if (auto* why = std::get_if<std::string>(&resolved)) throw CaseError(*why);
        out[name] = std::move(std::get<json::value>(resolved));
    }
    return out;
}

std::vector<common::Diagnostic> check_settings(const config::Config& config, const vm::Image& image) {
    std::vector<common::Diagnostic> misfits;
    for (const auto& in : config.integrations)
        for (const auto& [name, value] : in.settings)
            if (auto d = check_setting(config, in, std::string(name), value, image)) misfits.push_back(std::move(*d));
    common::DiagnosticBag bag;
    bag.append(std::move(misfits));
    return bag.sorted(*config.sources);
}

std::vector<common::Diagnostic> check_contact_fields(const config::Config& config, const vm::Image& image) {
    std::vector<common::Diagnostic> misfits;
    for (const auto& field : image.module().contact_fields) {
        const std::string ruled = image.schema().type_name(field.type);
        const std::string plain = image.schema().type_name(field.type.without_optional());
        auto declared = config.contact_fields.find(field.name);
        if (declared == config.contact_fields.end()) {
            misfits.push_back({Code::E0812, common::Severity::error, config.file, config.contact_fields_table,
                               "contact_fields." + field.name + ": the ruleset reads contact field `" + field.name +
                                   "` (`" + ruled + "`), which the configuration does not declare",
                               "add `" + field.name + " = \"" + plain + "\"` to [contact_fields]", {}});
            continue;
        }
        std::string_view configured = config::field_type_name(declared->second);
        if (configured == plain) continue;
        misfits.push_back({Code::E0812, common::Severity::error, config.file, config.contact_field_spans.at(field.name),
                           "contact_fields." + field.name + ": the ruleset declares `" + field.name + "` as `" + ruled +
                               "`, the configuration as `" + std::string(configured) + "`",
                           "declare one type in both: `" + field.name + " = \"" + plain + "\"` here, or `contact_field " +
                               field.name + ": " + std::string(configured) + "` in the rules", {}});
    }
    common::DiagnosticBag bag;
    bag.append(std::move(misfits));
    return bag.sorted(*config.sources);
}

namespace {

// "the configuration's settings do not fit it:", naming what did not fit.
std::string misfit_reason(bool settings, bool contact_fields) {
    std::string what = settings && contact_fields ? "settings and contact fields" : settings ? "settings" : "contact fields";
    return "the configuration's " + what + " do not fit it:\n";
}

}  // namespace

SwapResult swap_ruleset(RulesetHolder& holder, Loaded loaded, const config::Config& config) {
    if (auto* reason = std::get_if<std::string>(&loaded)) return refuse(holder, Refused::Cause::not_loaded, std::move(*reason));
    auto image = std::get<std::shared_ptr<const vm::Image>>(std::move(loaded));
    auto misfits = check_settings(config, *image);
    auto fields = check_contact_fields(config, *image);
    if (!misfits.empty() || !fields.empty()) {
        auto reason = misfit_reason(!misfits.empty(), !fields.empty());
        common::DiagnosticBag bag;
        bag.append(std::move(misfits));
        bag.append(std::move(fields));
        auto all = bag.sorted(*config.sources);
        reason += common::render_text_string(all, *config.sources);
        auto refused = refuse(holder, Refused::Cause::settings_misfit, std::move(reason), std::move(all));
        refused.version = version_of(*image);
        return refused;
    }
    auto version = version_of(*image);
    auto ruleset = std::make_shared<const Ruleset>(Ruleset{std::move(image), std::move(version)});
    holder.swap(ruleset);
    return Swapped{std::move(ruleset)};
}

}  // namespace switchyard::engine
