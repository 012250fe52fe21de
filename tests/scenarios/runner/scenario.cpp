// Reading a scenario file: TOML to steps, the [config] merged into base.toml, and every
// mistake in the file named with its line.
#include "tests/scenarios/runner/scenario.hpp"

#include "tests/scenarios/runner/bodies.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace switchyard::scenarios {

namespace {

std::string where(const std::filesystem::path& path, const toml::node& n) {
    return path.string() + ":" + std::to_string(n.source().begin.line);
}

boost::json::value to_json(const toml::node& n) {
    if (const auto* s = n.as_string()) return boost::json::string(s->get());
    if (const auto* i = n.as_integer()) return i->get();
    if (const auto* f = n.as_floating_point()) return f->get();
    if (const auto* b = n.as_boolean()) return b->get();
    if (const auto* a = n.as_array()) {
        boost::json::array out;
        for (const auto& item : *a) out.push_back(to_json(item));
        return out;
    }
    if (const auto* t = n.as_table()) {
        boost::json::object out;
        for (const auto& [key, value] : *t) out[key.str()] = to_json(value);
        return out;
    }
    std::ostringstream text;  // a date, a time or a date-time, as TOML writes it
    if (const auto* d = n.as_date()) text << *d;
    if (const auto* t = n.as_time()) text << *t;
    if (const auto* dt = n.as_date_time()) text << *dt;
    return boost::json::string(text.str());
}

// The [config] of a scenario over base.toml: tables key by key, arrays of tables ([[employees]],
// [[integrations]], [[integrations.channels]]) element by element matched by `id` (an id the
// base lacks is added), anything else replaced.
void merge(toml::table& into, const toml::table& from);

void merge_array(toml::array& into, const toml::array& from) {
    if (!from.is_array_of_tables() || !into.is_array_of_tables()) {
        into = from;
        return;
    }
    for (const auto& item : from) {
        const auto& table = *item.as_table();
        auto* id = table.get("id");
        toml::table* same = nullptr;
        for (auto& existing : into)
            if (id && to_json(*id) == to_json(existing.as_table()->get("id") ? *existing.as_table()->get("id") : *id) &&
                existing.as_table()->contains("id"))
                same = existing.as_table();
        if (same)
            merge(*same, table);
        else
            into.push_back(table);
    }
}

void merge(toml::table& into, const toml::table& from) {
    for (const auto& [key, value] : from) {
        auto* existing = into.get(key);
        if (existing && existing->is_table() && value.is_table())
            merge(*existing->as_table(), *value.as_table());
        else if (existing && existing->is_array() && value.is_array())
            merge_array(*existing->as_array(), *value.as_array());
        else
            into.insert_or_assign(key, value);
    }
}

toml::table merged_config(const std::string& base, const toml::table* changes) {
    auto config = toml::parse(std::string_view(base), std::string_view("tests/scenarios/base.toml"));
    if (changes) merge(config, *changes);
    return config;
}

std::map<std::string, Integration> integrations_of(const toml::table& config) {
    std::map<std::string, Integration> out;
    auto* list = config["integrations"].as_array();
    if (!list) return out;
    for (const auto& node : *list) {
        const auto& t = *node.as_table();
        Integration i;
        i.service = t["service"].value_or(std::string());
        i.bot_token = t["bot_token"].value_or(std::string());
        if (i.service == "wazzup")
            i.webhook_headers["Authorization"] = "Bearer " + t["crm_key"].value_or(std::string());
        else
            i.webhook_headers["X-Telegram-Bot-Api-Secret-Token"] = t["webhook_secret"].value_or(std::string());
        out[t["id"].value_or(std::string())] = i;
    }
    return out;
}

class StepReader {
public:
    StepReader(const std::filesystem::path& path, const toml::table& step) : path_(path), step_(step) {}

    std::string string(std::string_view key, std::string fallback = {}) const {
        auto* n = step_.get(key);
        if (!n) return fallback;
        if (!n->is_string()) fail(*n, "`" + std::string(key) + "` must be a string");
        return n->as_string()->get();
    }
    std::optional<std::int64_t> integer(std::string_view key) const {
        auto* n = step_.get(key);
        if (!n) return std::nullopt;
        if (!n->is_integer()) fail(*n, "`" + std::string(key) + "` must be an integer");
        return n->as_integer()->get();
    }
    std::optional<boost::json::value> json(std::string_view key) const {
        auto* n = step_.get(key);
        return n ? std::optional(to_json(*n)) : std::nullopt;
    }
    const toml::table& table(std::string_view key) const {
        auto* n = step_.get(key);
        if (!n->is_table()) fail(*n, "`" + std::string(key) + "` must be a table: { key = value, … }");
        return *n->as_table();
    }
    boost::json::array array(std::string_view key) const {
        auto* n = step_.get(key);
        if (!n->is_array()) fail(*n, "`" + std::string(key) + "` must be an array: [ … ]");
        return to_json(*n).as_array();
    }
    [[noreturn]] void fail(const toml::node& n, const std::string& why) const { throw ScenarioError(where(path_, n) + ": " + why); }

private:
    const std::filesystem::path& path_;
    const toml::table& step_;
};

// The key that says what a step does, and the other keys it may have.
struct Kind {
    std::string_view key;
    std::set<std::string_view> others;
};

const std::vector<Kind>& kinds() {
    static const std::vector<Kind> k = {
        {"telegram", {}},
        {"telegram_reaction", {}},
        {"wazzup", {}},
        {"webhook", {"body", "status", "headers"}},
        {"api", {"body", "status", "expect"}},
        {"get", {"status", "expect"}},
        {"telegram_sent", {}},
        {"wazzup_sent", {}},
        {"telegram_refuses", {}},
        {"wazzup_refuses", {}},
        {"telegram_file", {}},
        {"wazzup_file", {}},
        {"upload", {}},
        {"ruleset", {"status", "expect"}},
    };
    return k;
}

const Kind& kind_of(const std::filesystem::path& path, const toml::table& step) {
    const Kind* found = nullptr;
    for (const auto& k : kinds())
        if (step.contains(k.key)) {
            if (found)
                throw ScenarioError(where(path, step) + ": a step does one thing; this one has both `" + std::string(found->key) +
                                    "` and `" + std::string(k.key) + "`");
            found = &k;
        }
    if (!found) {
        std::string names;
        for (const auto& k : kinds()) names += (names.empty() ? "" : ", ") + std::string(k.key);
        throw ScenarioError(where(path, step) + ": a step needs one of: " + names);
    }
    for (const auto& [key, value] : step)
        if (key.str() != found->key && key.str() != "note" && !found->others.contains(key.str()))
            throw ScenarioError(where(path, value) + ": `" + std::string(key.str()) + "` has no meaning in a `" +
                                std::string(found->key) + "` step (tests/scenarios/README.md lists the keys)");
    return *found;
}

Sent::Service service_of(std::string_view key) { return key.starts_with("telegram") ? Sent::Service::telegram : Sent::Service::wazzup; }

// "POST /api/v1/tasks/1/comments" into the method and the target.
std::pair<std::string, std::string> method_and_target(const StepReader& r, const toml::table& step, std::string_view key) {
    auto text = r.string(key);
    auto space = text.find(' ');
    if (space == std::string::npos || text.find('/') != space + 1)
        r.fail(*step.get(key), "`api` is a method and a path: \"POST /api/v1/tasks/1/comments\"");
    return {text.substr(0, space), text.substr(space + 1)};
}

Action read_action(const std::filesystem::path& path, const toml::table& step, Bodies& bodies) {
    StepReader r(path, step);
    const auto& kind = kind_of(path, step);
    auto key = kind.key;
    try {
        if (key == "telegram") return bodies.telegram_message(to_json(r.table(key)).as_object());
        if (key == "telegram_reaction") return bodies.telegram_reaction(to_json(r.table(key)).as_object());
        if (key == "wazzup") return bodies.wazzup_message(to_json(r.table(key)).as_object());
    } catch (const std::invalid_argument& e) {
        r.fail(*step.get(key), e.what());
    }
    if (key == "webhook") {
        auto body = r.json("body");
        if (!body) r.fail(step, "a `webhook` step needs its `body`: the JSON the messenger sends, as a string");
        std::string text = body->is_string() ? std::string(body->as_string()) : boost::json::serialize(*body);
        Webhook w{r.string(key), text, static_cast<int>(r.integer("status").value_or(200)), {}};
        if (auto headers = r.json("headers")) {
            if (!headers->is_object()) r.fail(*step.get("headers"), "`headers` is a table: { \"Name\" = \"value\" }");
            for (const auto& [name, value] : headers->as_object())
                w.headers[std::string(name)] = value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
        }
        return w;
    }
    if (key == "api" || key == "get") {
        auto [method, target] = key == "get" ? std::pair{std::string("GET"), r.string(key)} : method_and_target(r, step, key);
        auto status = r.integer("status");
        return ApiCall{method, target, r.json("body"), status ? std::optional<int>(static_cast<int>(*status)) : std::nullopt,
                       r.json("expect")};
    }
    if (key == "telegram_sent" || key == "wazzup_sent") return Sent{service_of(key), r.array(key)};
    if (key == "telegram_refuses" || key == "wazzup_refuses") {
        Refusals out{service_of(key), {}};
        for (const auto& reply : r.array(key)) {
            if (!reply.is_object() || !reply.as_object().contains("status"))
                r.fail(*step.get(key), "each refusal is a table with its `status` and `description`");
            out.replies.push_back(reply.as_object());
        }
        return out;
    }
    if (key == "telegram_file" || key == "wazzup_file") {
        auto t = to_json(r.table(key)).as_object();
        if (!t.contains("id") || !t.contains("bytes"))
            r.fail(*step.get(key), "a file needs its `id` and its `bytes` (a string)");
        auto size = t.contains("reported_size") ? t.at("reported_size").as_int64() : -1;
        return FakeFile{service_of(key), std::string(t.at("id").as_string()), bytes_of(t), size};
    }
    if (key == "ruleset") {
        auto t = to_json(r.table(key)).as_object();
        auto status = r.integer("status");
        Publish out{std::nullopt, bytes_of(t), status ? std::optional<int>(static_cast<int>(*status)) : std::nullopt, r.json("expect")};
        if (t.contains("rules")) out.rules = path.parent_path() / std::string(t.at("rules").as_string());
        if (t.contains("to")) out.to = std::string(t.at("to").as_string());
        if (!out.rules && !t.contains("bytes")) r.fail(*step.get(key), "a ruleset is `rules` (a file or folder to compile) or `bytes`");
        return out;
    }
    auto t = to_json(r.table(key)).as_object();
    if (!t.contains("name")) r.fail(*step.get(key), "an upload needs its `name`");
    auto mime = t.contains("mime") ? std::string(t.at("mime").as_string()) : "application/octet-stream";
    return Upload{std::string(t.at("name").as_string()), mime, bytes_of(t)};
}

}  // namespace

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(path.string() + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Scenario load_scenario(const std::filesystem::path& path, const std::string& base) {
    toml::table root;
    try {
        auto text = read_text(path);
        root = toml::parse(std::string_view(text), path.string());
    } catch (const toml::parse_error& e) {
        throw ScenarioError(path.string() + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    for (const auto& [key, value] : root)
        if (key.str() != "behaviour" && key.str() != "title" && key.str() != "sqlite_only" && key.str() != "config" &&
            key.str() != "step")
            throw ScenarioError(where(path, value) + ": `" + std::string(key.str()) +
                                "`: a scenario has `behaviour`, `title`, `sqlite_only`, `[config]` and `[[step]]` tables");
    Scenario s;
    s.path = path;
    s.behaviour = root["behaviour"].value_or(std::string());
    s.title = root["title"].value_or(std::string());
    s.sqlite_only = root["sqlite_only"].value_or(std::string());
    if (s.behaviour.empty() || s.title.empty())
        throw ScenarioError(path.string() + ":1: a scenario names its `behaviour` (the id, C1…R3) and its `title`");
    auto config = merged_config(base, root["config"].as_table());
    std::ostringstream text;
    text << toml::toml_formatter(config);
    s.config = text.str();
    s.integrations = integrations_of(config);
    s.api_token = config["server"]["api_token"].value_or(std::string());
    auto* steps = root["step"].as_array();
    if (!steps || steps->empty() || !steps->is_array_of_tables())
        throw ScenarioError(path.string() + ": a scenario has its steps as [[step]] tables");
    Bodies bodies;
    for (const auto& node : *steps) {
        const auto& t = *node.as_table();
        Step step{static_cast<int>(s.steps.size()) + 1, static_cast<int>(t.source().begin.line), t["note"].value_or(std::string()),
                  read_action(path, t, bodies)};
        s.steps.push_back(std::move(step));
    }
    return s;
}

std::string describe(const Step& step) {
    std::string what = std::visit(
        [](const auto& a) -> std::string {
            using A = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<A, Webhook>) return "webhook to " + a.integration;
            if constexpr (std::is_same_v<A, ApiCall>) return a.method + " " + a.target;
            if constexpr (std::is_same_v<A, Sent>) return a.service == Sent::Service::telegram ? "telegram_sent" : "wazzup_sent";
            if constexpr (std::is_same_v<A, Refusals>) return a.service == Sent::Service::telegram ? "telegram_refuses" : "wazzup_refuses";
            if constexpr (std::is_same_v<A, FakeFile>) return "file " + a.id;
            if constexpr (std::is_same_v<A, Upload>) return "upload " + a.name;
            if constexpr (std::is_same_v<A, Publish>) return a.rules ? "ruleset " + a.rules->filename().string() : "ruleset of bytes";
        },
        step.action);
    std::string out = "step " + std::to_string(step.number) + " (line " + std::to_string(step.line) + ", " + what + ")";
    if (!step.note.empty()) out += ": " + step.note;
    return out;
}

}  // namespace switchyard::scenarios
