// The layout of the server's TOML configuration (docs/configuration.md): which tables and keys
// a file has, read through TableReader (toml_reader.hpp) and checked by checks.hpp. Every
// problem of a file is collected with its position and all of them are reported at once.
#include "runtime/config/config.hpp"

#include "common/storage.hpp"
#include "runtime/config/checks.hpp"
#include "runtime/config/toml_reader.hpp"
#include "stdlib/schema.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace switchyard::config {

namespace fs = std::filesystem;
using common::Code;

ConfigError::ConfigError(std::shared_ptr<const common::SourceMap> sources, std::vector<common::Diagnostic> diagnostics)
    : std::runtime_error(common::render_text_string(diagnostics, *sources)),
      sources_(std::move(sources)),
      diagnostics_(std::make_shared<const std::vector<common::Diagnostic>>(std::move(diagnostics))) {}

ConfigError::ConfigError(const std::string& unreadable)
    : std::runtime_error(unreadable), diagnostics_(std::make_shared<const std::vector<common::Diagnostic>>()) {}

std::shared_ptr<const common::SourceMap> unwritten_sources() {
    static const std::shared_ptr<const common::SourceMap> stand_in = [] {
        auto sources = std::make_shared<common::SourceMap>();
        sources->add("(configuration built in code)", "");
        return sources;
    }();
    return stand_in;
}

namespace {

using common::is_postgres_uri;

using namespace detail;

const std::vector<std::string_view> integration_common_keys = {
    "id", "name", "service", "owner", "api_base_url", "assignees", "extra_assignees", "project", "contact_template",
    "settings"};
const std::vector<std::string_view> telegram_keys = {"bot_token", "bot_username", "webhook_secret"};
const std::vector<std::string_view> wazzup_keys = {"api_key", "crm_key", "url_secret", "channels"};

// The layout of the file (docs/configuration.md), on top of TableReader.
class Reader : TableReader {
public:
    Reader(std::string path, bool check_files, Report& report)
        : TableReader(report), path_(std::move(path)), check_files_(check_files) {}

    Config read(const toml::table& root) {
        Config c;
        c.path = path_;
        c.sources = report().sources();
        c.file = report().file();
        Section top{&root, ""};
        allow(top, {"server", "ruleset", "account", "employees", "contact_fields", "integrations", "files", "outbound",
                    "retention", "log", "console"});
        read_server(top, c);
        read_files(top, c);
        if (storage_at_ && is_postgres_uri(c.storage) && c.files.path.empty())
            problem(Code::E0804, *storage_at_, "server.storage: a PostgreSQL storage needs [files] path",
                    "name the folder customers' files are kept in: [files] path = \"/srv/switchyard/files\"");
        read_outbound(top, c);
        read_retention(top, c);
        read_log(top, c);
        read_console(top, c);
        read_ruleset(top, c);
        read_account(top, c);
        read_employees(top, c);
        read_contact_fields(top, c);
        read_integrations(top, c);
        return c;
    }

private:
    std::optional<std::string> path_value(const Section& s, std::string_view key) {
        auto v = text(s, key);
        if (!v) return std::nullopt;
        if (v->value.empty()) {
            problem(Code::E0804, v->at, s.key(key) + ": must not be empty");
            return std::nullopt;
        }
        return resolve_path(path_, v->value);
    }

    // --- [server] ----------------------------------------------------------------------------

    void read_server(const Section& top, Config& c) {
        auto s = table(top, "server");
        if (!s) {
            if (!top.get("server")) missing_table("server", "add [server] with its required key `api_token`");
            return;
        }
        allow(*s, {"listen", "storage", "api_token", "body_limit", "public_url", "max_connections", "durability", "request_timeout"});
        if (auto v = text(*s, "listen")) {
            if (auto listen = accept(*s, "listen", v->at, check_listen(v->value))) {
                c.listen_address = listen->address;
                c.listen_port = listen->port;
            }
        }
        if (auto v = text(*s, "storage")) {
            if (v->value.empty()) problem(Code::E0804, v->at, s->key("storage") + ": must not be empty");
            // `:memory:` is SQLite's name for a database that lives only as long as the process; a
            // `postgresql://` URI names a PostgreSQL database (issue 16).
            else if (v->value == ":memory:" || is_postgres_uri(v->value)) c.storage = v->value;
            else c.storage = resolve_path(path_, v->value);
            storage_at_ = v->at;
        } else {
            c.storage = resolve_path(path_, c.storage);
        }
        if (auto v = required_text(*s, "api_token", "the Bearer token of the HTTP API"))
            if (auto token = accept(*s, "api_token", v->at, check_api_token(v->value))) c.api_token = *token;
        if (auto bytes = size_value(*s, "body_limit")) c.body_limit = *bytes;
        if (auto v = text(*s, "public_url"))
            if (auto url = accept(*s, "public_url", v->at, check_base_url(v->value))) c.public_url = *url;
        if (auto n = bounded(*s, "max_connections", 1, 1000000)) c.max_connections = static_cast<std::uint32_t>(*n);
        if (auto ms = duration_value(*s, "request_timeout")) {
            if (*ms >= 1000) c.request_timeout_ms = *ms;
            else problem(Code::E0804, s->get("request_timeout")->source(), s->key("request_timeout") + ": must be at least \"1 s\"",
                         "a client on a slow network needs time to send a webhook's body");
        }
        if (auto v = text(*s, "durability"))
            if (auto name = accept(*s, "durability", v->at, check_member("durability", v->value, {"power_loss", "process_crash"})))
                c.durability = *name == "power_loss" ? Durability::power_loss : Durability::process_crash;
    }

    // A size: bytes as an integer, or a string with a unit.
    std::optional<std::uint64_t> size_value(const Section& s, std::string_view key) {
        const auto* n = s.get(key);
        if (!n) return std::nullopt;
        if (const auto* i = n->as_integer()) return accept(s, key, n->source(), check_byte_count(i->get()));
        if (const auto* str = n->as_string()) return accept(s, key, n->source(), check_size(str->get()));
        wrong_type(s, key, *n, "bytes (an integer) or a size such as \"10 MiB\"");
        return std::nullopt;
    }

    std::optional<std::int64_t> duration_value(const Section& s, std::string_view key) {
        auto v = text(s, key);
        if (!v) return std::nullopt;
        return accept(s, key, v->at, check_duration(v->value));
    }

    // --- [files] and [outbound] --------------------------------------------------------------

    void read_files(const Section& top, Config& c) {
        auto s = table(top, "files");
        if (!s) return;
        allow(*s, {"path", "max_file", "max_total", "link_ttl"});
        if (auto path = path_value(*s, "path")) c.files.path = *path;
        if (auto bytes = size_value(*s, "max_file")) c.files.max_file = *bytes;
        if (auto bytes = size_value(*s, "max_total")) c.files.max_total = *bytes;
        if (auto ms = duration_value(*s, "link_ttl")) c.files.link_ttl_ms = *ms;
        if (c.files.max_file > c.files.max_total && s->get("max_file"))
            problem(Code::E0804, s->get("max_file")->source(), s->key("max_file") + ": is larger than `max_total`",
                    "a file larger than the whole store could never be kept");
    }

    void read_outbound(const Section& top, Config& c) {
        auto s = table(top, "outbound");
        if (!s) return;
        allow(*s, {"ca_file", "pacing", "connections", "timeout", "max_attempts", "max_backoff"});
        if (auto path = path_value(*s, "ca_file")) {
            check_exists(*s, "ca_file", *path, true);
            c.outbound.ca_file = *path;
        }
        if (auto pacing = boolean(*s, "pacing")) c.outbound.pacing = *pacing;
        if (auto n = bounded(*s, "connections", 1, 64)) c.outbound.connections = static_cast<std::uint32_t>(*n);
        if (auto n = bounded(*s, "max_attempts", 1, 1000)) c.outbound.max_attempts = static_cast<std::uint32_t>(*n);
        if (auto ms = duration_value(*s, "timeout")) c.outbound.timeout_ms = *ms;
        if (auto ms = duration_value(*s, "max_backoff")) c.outbound.max_backoff_ms = *ms;
    }

    // The codemirror folder is not checked here: the server starts without it and says so
    // (the console's editor is what needs it).
    void read_console(const Section& top, Config& c) {
        auto s = table(top, "console");
        if (!s) return;
        allow(*s, {"enabled", "codemirror", "session_ttl"});
        if (auto enabled = boolean(*s, "enabled")) c.console.enabled = *enabled;
        if (auto path = path_value(*s, "codemirror")) c.console.codemirror = *path;
        if (auto ms = duration_value(*s, "session_ttl")) {
            if (*ms >= 60000) c.console.session_ttl_ms = *ms;
            else problem(Code::E0804, s->get("session_ttl")->source(), s->key("session_ttl") + ": must be at least \"1 min\"",
                         "a session shorter than that ends while the admin works");
        }
    }

    // Shorter than an hour is a mistake: the pruning would race the worker and the API's readers.
    void read_retention(const Section& top, Config& c) {
        auto s = table(top, "retention");
        if (!s) return;
        allow(*s, {"inbox", "decisions"});
        auto at_least_an_hour = [&](std::string_view key, std::int64_t& into) {
            auto ms = duration_value(*s, key);
            if (!ms) return;
            if (*ms >= 3600000) into = *ms;
            else problem(Code::E0804, s->get(key)->source(), s->key(key) + ": must be at least \"1 h\"",
                         "records are pruned when older than this; keep them a day or more");
        };
        at_least_an_hour("inbox", c.retention.inbox_ms);
        at_least_an_hour("decisions", c.retention.decisions_ms);
    }

    void read_log(const Section& top, Config& c) {
        auto s = table(top, "log");
        if (!s) return;
        allow(*s, {"level", "requests"});
        if (auto v = text(*s, "level"))
            if (auto name = accept(*s, "level", v->at, check_member("level", v->value, {"debug", "info", "warn", "error"})))
                c.log.level = *name == "debug" ? LogLevel::debug
                              : *name == "info" ? LogLevel::info
                              : *name == "warn" ? LogLevel::warn
                                                : LogLevel::error;
        if (auto requests = boolean(*s, "requests")) c.log.requests = *requests;
    }

    std::optional<std::int64_t> bounded(const Section& s, std::string_view key, std::int64_t low, std::int64_t high) {
        auto v = integer(s, key, "an integer");
        if (!v) return std::nullopt;
        if (v->value >= low && v->value <= high) return v->value;
        problem(Code::E0804, v->at,
                s.key(key) + ": expected " + std::to_string(low) + " to " + std::to_string(high) + ", found " +
                    std::to_string(v->value));
        return std::nullopt;
    }

    // --- [ruleset] ---------------------------------------------------------------------------

    void read_ruleset(const Section& top, Config& c) {
        const std::string how = "write rules = \"FOLDER or FILE\" or compiled = \"FILE\"";
        auto s = table(top, "ruleset");
        if (!s) {
            if (!top.get("ruleset")) missing_table("ruleset", how);
            return;
        }
        allow(*s, {"rules", "compiled"});
        auto rules = path_value(*s, "rules");
        auto compiled = path_value(*s, "compiled");
        if (s->get("rules") && s->get("compiled")) {
            problem(Code::E0808, s->get("compiled")->source(), "ruleset: both `rules` and `compiled` are given",
                    "name one, the rules to compile or a compiled ruleset");
            return;
        }
        if (!s->get("rules") && !s->get("compiled")) {
            problem(Code::E0803, s->table->source(), "ruleset: missing `rules` or `compiled`", how);
            return;
        }
        if (rules) check_exists(*s, "rules", *rules, false);
        if (compiled) check_exists(*s, "compiled", *compiled, true);
        c.rules = rules.value_or("");
        c.compiled = compiled.value_or("");
    }

    // Only load() looks at the disk; parse() reads the text alone, so tests need no files.
    void check_exists(const Section& s, std::string_view key, const std::string& path, bool file_only) {
        if (!check_files_) return;
        std::error_code ec;
        auto status = fs::status(path, ec);
        if (!fs::exists(status))
            problem(Code::E0809, s.get(key)->source(),
                    s.key(key) + ": no such " + (file_only ? "file" : "file or folder") + ": " + path);
        else if (file_only && !fs::is_regular_file(status))
            problem(Code::E0809, s.get(key)->source(), s.key(key) + ": not a file: " + path);
    }

    // --- [account] ---------------------------------------------------------------------------

    // --- [contact_fields] ----------------------------------------------------------------------

    // Each key a custom field of contacts, its value the field's type.
    void read_contact_fields(const Section& top, Config& c) {
        auto s = table(top, "contact_fields");
        if (!s) return;
        c.contact_fields_table = report().span_of(s->table->source());
        constexpr std::array<FieldType, 3> types = {FieldType::boolean, FieldType::integer, FieldType::string};
        std::vector<std::string_view> names;
        for (auto t : types) names.push_back(field_type_name(t));
        for (const auto& [key, node] : *s->table) {
            auto v = text(*s, key.str());
            if (!v) continue;
            auto name = accept(*s, key.str(), v->at, check_member("field type", v->value, names));
            if (!name) continue;
            auto at = std::find(names.begin(), names.end(), *name) - names.begin();
            c.contact_fields.emplace(std::string(key.str()), types[static_cast<std::size_t>(at)]);
            c.contact_field_spans.emplace(std::string(key.str()), report().span_of(key.source()));
        }
    }

    void read_account(const Section& top, Config& c) {
        auto s = table(top, "account");
        if (!s) return;
        allow(*s, {"name", "plan"});
        if (auto v = text(*s, "name")) c.account_name = v->value;
        if (auto v = text(*s, "plan")) {
            const auto& schema = stdlib::builtin_schema();
            const auto& members = schema.enum_of(*schema.named_type("plan")).members;
            std::vector<std::string_view> names(members.begin(), members.end());
            if (auto plan = accept(*s, "plan", v->at, check_member("plan", v->value, names))) c.plan = *plan;
        }
    }

    // --- [[employees]] -----------------------------------------------------------------------

    void read_employees(const Section& top, Config& c) {
        std::optional<Located<std::int64_t>> first_owner;
        for (const auto& s : tables(top, "employees")) {
            allow(s, {"id", "name", "owner", "telegram"});
            Employee e;
            auto id = read_employee_id(s);
            if (auto name = required_text(s, "name")) e.name = name->value;
            e.owner = boolean(s, "owner").value_or(false);
            e.telegram = telegram_account(s);
            if (!id) continue;
            e.id = *id;
            if (e.owner && first_owner) {
                auto& d = problem(Code::E0806, s.get("owner")->source(),
                                  s.key("owner") + ": employee " + std::to_string(first_owner->value) + " is the owner already",
                                  "only one employee can be the owner");
                note(d, first_owner->at, "the owner is declared here");
                continue;
            }
            if (e.owner) first_owner = Located<std::int64_t>{e.id, s.get("owner")->source()};
            c.employees.push_back(std::move(e));
        }
    }

    // The id when it is usable: given, from 1, and not declared before.
    std::optional<std::int64_t> read_employee_id(const Section& s) {
        auto id = integer(s, "id", "an employee id (an integer from 1)");
        if (!s.get("id")) missing(s, "id");
        if (!id) return std::nullopt;
        if (id->value < 1) {
            problem(Code::E0804, id->at, s.key("id") + ": expected an employee id from 1, found " + std::to_string(id->value));
            return std::nullopt;
        }
        if (auto first = employee_ids_.find(id->value); first != employee_ids_.end()) {
            auto& d = problem(Code::E0806, id->at, s.key("id") + ": employee " + std::to_string(id->value) + " is declared twice");
            note(d, first->second, "first declared here");
            return std::nullopt;
        }
        employee_ids_.emplace(id->value, id->at);
        return id->value;
    }

    std::optional<std::string> telegram_account(const Section& s) {
        const auto* n = s.get("telegram");
        if (!n) return std::nullopt;
        if (const auto* i = n->as_integer()) return accept(s, "telegram", n->source(), check_telegram_user_id(i->get()));
        if (const auto* str = n->as_string()) return accept(s, "telegram", n->source(), check_telegram_account(str->get()));
        wrong_type(s, "telegram", *n, "a string (\"@username\") or a user id");
        return std::nullopt;
    }

    // --- [[integrations]] --------------------------------------------------------------------

    void read_integrations(const Section& top, Config& c) {
        for (const auto& s : tables(top, "integrations")) read_integration(s, c);
    }

    void read_integration(const Section& s, Config& c) {
        std::vector<std::string_view> keys = integration_common_keys;
        keys.insert(keys.end(), telegram_keys.begin(), telegram_keys.end());
        keys.insert(keys.end(), wazzup_keys.begin(), wazzup_keys.end());
        allow(s, keys);
        Integration in;
        auto id = read_integration_id(s);
        in.id = id.value_or("");
        in.name = in.id;
        if (auto name = optional_text(s, "name")) in.name = name->value;
        if (auto service = read_service(s)) {
            in.service = *service;
            refuse_foreign_keys(s, *service);
            if (*service == Service::wazzup) read_wazzup(s, in);
            else read_telegram(s, in);
        }
        read_base_url(s, in);
        read_template(s, c, in);
        read_settings(s, in);
        if (id) c.integrations.push_back(std::move(in));
    }

    // The id when it is usable: a plain path segment, not declared before.
    std::optional<std::string> read_integration_id(const Section& s) {
        auto v = required_text(s, "id", "it names the webhook: POST /webhooks/{id}");
        if (!v) return std::nullopt;
        auto id = accept(s, "id", v->at, check_integration_id(v->value));
        if (!id) return std::nullopt;
        if (auto first = integration_ids_.find(*id); first != integration_ids_.end()) {
            auto& d = problem(Code::E0806, v->at, s.key("id") + ": integration \"" + *id + "\" is declared twice");
            note(d, first->second, "first declared here");
            return std::nullopt;
        }
        integration_ids_.emplace(*id, v->at);
        return id;
    }

    std::optional<Service> read_service(const Section& s) {
        auto v = required_text(s, "service", "telegram, telegram_business or wazzup");
        if (!v) return std::nullopt;
        auto name = accept(s, "service", v->at, check_member("service", v->value, {"telegram", "telegram_business", "wazzup"}));
        if (!name) return std::nullopt;
        return *name == "wazzup" ? Service::wazzup : *name == "telegram" ? Service::telegram : Service::telegram_business;
    }

    // A Wazzup key on a Telegram integration (or the reverse) is a mistake worth its own words.
    void refuse_foreign_keys(const Section& s, Service service) {
        bool wazzup = service == Service::wazzup;
        for (auto key : wazzup ? telegram_keys : wazzup_keys) {
            auto it = s.table->find(key);
            if (it == s.table->end()) continue;
            problem(Code::E0808, it->first.source(),
                    s.key(key) + ": only " + (wazzup ? "telegram and telegram_business" : "wazzup") +
                        " integrations take this key, and this one is " + std::string(service_name(service)));
        }
    }

    void read_telegram(const Section& s, Integration& in) {
        if (auto v = required_text(s, "bot_token", "the token @BotFather gave"))
            in.bot_token = accept(s, "bot_token", v->at, check_bot_token(v->value)).value_or("");
        if (auto v = required_text(s, "bot_username", "the bot's username, to tell the commands meant for it"))
            in.bot_username = accept(s, "bot_username", v->at, check_bot_username(v->value)).value_or("");
        if (auto v = required_text(s, "webhook_secret", "Telegram sends it with every webhook; requests without it are refused"))
            in.webhook_secret = accept(s, "webhook_secret", v->at, check_webhook_secret(v->value)).value_or("");
    }

    void read_wazzup(const Section& s, Integration& in) {
        if (auto v = required_text(s, "api_key", "the Wazzup API key, for sending")) in.api_key = v->value;
        if (auto v = optional_text(s, "crm_key")) in.crm_key = v->value;
        if (auto v = text(s, "url_secret"))
            in.url_secret = accept(s, "url_secret", v->at, check_url_secret(v->value)).value_or("");
        if (!s.get("crm_key") && !s.get("url_secret"))
            problem(Code::E0803, s.table->source(), s.name + ": missing `crm_key` or `url_secret`",
                    "give one of them: it proves that a webhook comes from Wazzup");
        read_channels(s, in);
    }

    // --- [[integrations.channels]] -----------------------------------------------------------

    void read_channels(const Section& s, Integration& in) {
        if (!s.get("channels")) {
            missing(s, "channels", "a wazzup integration has at least one [[integrations.channels]]");
            return;
        }
        std::map<std::string, toml::source_region> numbers;  // "transport number" of live channels -> where
        for (const auto& ch : tables(s, "channels")) {
            allow(ch, {"id", "number", "transport", "name", "deleted"});
            Channel c;
            auto id = read_channel_id(ch);
            std::optional<std::string> transport;
            if (auto v = required_text(ch, "transport", "whatsapp or instagram"))
                transport = accept(ch, "transport", v->at, check_member("transport", v->value, {"whatsapp", "instagram"}));
            auto number = required_text(ch, "number", "the phone number, or for Instagram the account name");
            c.deleted = boolean(ch, "deleted").value_or(false);
            if (auto name = text(ch, "name")) c.name = name->value;
            if (!id || !transport || !number) continue;
            c.id = *id;
            c.transport = *transport;
            auto read = accept(ch, "number", number->at, check_channel_number(c.transport, number->value));
            if (!read) continue;
            c.number = *read;
            if (c.name.empty()) c.name = number->value;
            if (!c.deleted && !unique_number(ch, *number, c, numbers)) continue;
            in.channels.push_back(std::move(c));
        }
        if (const auto* a = s.get("channels")->as_array(); a && a->empty())
            problem(Code::E0803, s.get("channels")->source(), s.key("channels") + ": a wazzup integration has at least one channel");
    }

    std::optional<std::string> read_channel_id(const Section& ch) {
        auto id = required_text(ch, "id", "the channelId Wazzup gives the channel");
        if (!id) return std::nullopt;
        if (auto it = channel_ids_.find(id->value); it != channel_ids_.end()) {
            auto& d = problem(Code::E0806, id->at, ch.key("id") + ": channel \"" + id->value + "\" is declared twice");
            note(d, it->second, "first declared here");
            return std::nullopt;
        }
        channel_ids_.emplace(id->value, id->at);
        return id->value;
    }

    // W7: one live channel per number; an old channel whose number moved is marked `deleted`.
    bool unique_number(const Section& ch, const Located<std::string>& number, const Channel& c,
                       std::map<std::string, toml::source_region>& numbers) {
        auto key = c.transport + " " + c.number;
        if (auto it = numbers.find(key); it != numbers.end()) {
            auto& d = problem(Code::E0806, number.at,
                              ch.key("number") + ": " + key + " is already the number of another channel",
                              "mark the old channel `deleted = true`");
            note(d, it->second, "the other channel's number");
            return false;
        }
        numbers.emplace(key, number.at);
        return true;
    }

    // --- the messenger API, the task template, the settings ----------------------------------

    void read_base_url(const Section& s, Integration& in) {
        in.api_base_url = in.service == Service::wazzup ? "https://api.wazzup24.com" : "https://api.telegram.org";
        if (auto v = text(s, "api_base_url"))
            if (auto url = accept(s, "api_base_url", v->at, check_base_url(v->value))) in.api_base_url = *url;
    }

    void read_template(const Section& s, const Config& c, Integration& in) {
        in.assignees = employee_ids(s, "assignees", c);
        in.extra_assignees = employee_ids(s, "extra_assignees", c);
        if (auto v = integer(s, "owner", "an employee id")) {
            if (c.employee(v->value)) in.owner = v->value;
            else problem(Code::E0807, v->at, s.key("owner") + ": " + no_employee(c, v->value));
        }
        if (auto v = optional_text(s, "project")) in.project = v->value;
        if (auto v = optional_text(s, "contact_template")) in.contact_template = v->value;
    }

    std::vector<std::int64_t> employee_ids(const Section& s, std::string_view key, const Config& c) {
        std::vector<std::int64_t> out;
        for (const auto& id : integers(s, key, "an employee id")) {
            if (c.employee(id.value)) out.push_back(id.value);
            else problem(Code::E0807, id.at, s.key(key) + ": " + no_employee(c, id.value));
        }
        return out;
    }

    static std::string no_employee(const Config& c, std::int64_t id) {
        std::string ids;
        for (const auto& e : c.employees) ids += (ids.empty() ? "" : ", ") + std::to_string(e.id);
        return "no employee has id " + std::to_string(id) +
               (ids.empty() ? std::string(" (no [[employees]] are declared)") : " (the employees are " + ids + ")");
    }

    // Values are kept as case JSON; only a ruleset knows their types (engine::check_settings).
    void read_settings(const Section& s, Integration& in) {
        auto t = table(s, "settings");
        if (!t) return;
        for (const auto& [key, value] : *t->table) {
            std::string name(key.str());
            in.settings[name] = to_json(value);
            in.setting_spans[name] = report().span_of(key.source());
        }
    }

    std::string path_;
    bool check_files_;
    std::optional<toml::source_region> storage_at_;  // where [server] storage was written
    std::map<std::int64_t, toml::source_region> employee_ids_;    // id -> where it was declared
    std::map<std::string, toml::source_region> integration_ids_;  // id -> where it was declared
    std::map<std::string, toml::source_region> channel_ids_;      // id -> where it was declared
};

// toml++ says "Error while parsing key-value pair: …"; the diagnostic says what it could not parse.
std::string toml_error_message(std::string_view description) {
    constexpr std::string_view prefix = "Error while parsing ";
    if (description.starts_with(prefix)) return "cannot parse the " + std::string(description.substr(prefix.size()));
    std::string message(description);
    if (!message.empty()) message.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(message.front())));
    return message;
}

Config read_config(std::string_view text, const std::string& path, bool check_files) {
    Report report(path, text);
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(path));
    } catch (const toml::parse_error& e) {
        report.add(Code::E0800, e.source(), toml_error_message(e.description()));
        report.throw_if_any();
    }
    Config config = Reader(path, check_files, report).read(root);
    report.throw_if_any();
    return config;
}

}  // namespace

Config parse(std::string_view text, const std::string& path) { return read_config(text, path, false); }

std::variant<std::string, BadValue> channel_number(std::string_view transport, std::string_view text) {
    auto checked = check_channel_number(transport, text);
    if (auto* number = std::get_if<std::string>(&checked)) return std::move(*number);
    auto& fault = std::get<Fault>(checked);
    return BadValue{std::move(fault.message), std::move(fault.help)};
}

Config load(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw ConfigError(path + ": cannot read the configuration: it is a folder");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot read the configuration: " + std::string(std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    return read_config(text.str(), path, true);
}

}  // namespace switchyard::config
