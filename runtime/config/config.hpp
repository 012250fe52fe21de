// The server's configuration: one TOML file (docs/configuration.md). The only code that
// reads TOML. A bad file stops start-up with diagnostics (E08xx) at the file's lines, rendered
// as the compiler's are. It knows nothing of rulesets: the settings' values are checked against
// one by the engine (runtime/engine/ruleset.hpp).
#pragma once

#include "common/diagnostic.hpp"
#include "common/source.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::config {

// Why a configuration cannot be used. what() is ready to print: the diagnostics rendered as
// `switchyard check` renders them (file:line:col, the line, a caret, `= help:`), or, for a file
// that cannot be read at all, one line with its path and the system's reason.
class ConfigError : public std::runtime_error {
public:
    ConfigError(std::shared_ptr<const common::SourceMap> sources, std::vector<common::Diagnostic> diagnostics);
    explicit ConfigError(const std::string& unreadable);

    // Sorted by position; empty when the file could not be read.
    const std::vector<common::Diagnostic>& diagnostics() const { return *diagnostics_; }
    // The file's text, which the diagnostics point into; null when the file could not be read.
    const std::shared_ptr<const common::SourceMap>& sources() const { return sources_; }

private:
    // Shared, so that copying the exception (as throwing may) cannot throw.
    std::shared_ptr<const common::SourceMap> sources_;
    std::shared_ptr<const std::vector<common::Diagnostic>> diagnostics_;
};

struct Employee {
    std::int64_t id = 0;
    std::string name;
    bool owner = false;
    std::optional<std::string> telegram;  // the Telegram account (username or id) alerts go to

    // The Telegram username (lowercase, without `@`) when `telegram` names the account by
    // username rather than by numeric id.
    std::optional<std::string> telegram_username() const;
};

enum class Service : std::uint8_t { telegram, telegram_business, wazzup };

// The type of a contact's custom field ([contact_fields]): what the API accepts for it.
enum class FieldType : std::uint8_t { boolean, integer, string };
// The name written in the file: `bool`, `int`, `string`.
std::string_view field_type_name(FieldType type);

// The name written in the file: `telegram`, `telegram_business`, `wazzup`.
std::string_view service_name(Service service);

// One number (Wazzup) inside an integration.
struct Channel {
    std::string id;         // Wazzup channelId
    std::string number;     // digits only, `+7…`/`7…`/`8…` read as one number; for
                            // Instagram the account name, without `@`
    std::string transport;  // whatsapp or instagram
    std::string name;
    bool deleted = false;
};

struct Integration {
    std::string id;  // also the webhook path: POST /webhooks/{id}
    std::string name;
    Service service = Service::telegram;
    // Credentials. Telegram: bot_token, bot_username, webhook_secret (checked against
    // X-Telegram-Bot-Api-Secret-Token). Wazzup: api_key (outbound), crm_key (checked against
    // `Authorization: Bearer`), url_secret (checked against `?secret=` when Wazzup has no crm key).
    std::string bot_token;
    std::string bot_username;
    std::string webhook_secret;
    std::string api_key;
    std::string crm_key;
    std::string url_secret;
    std::string api_base_url;  // the messenger API (tests point it at a local fake)
    std::vector<Channel> channels;
    std::vector<std::int64_t> assignees;        // task template: employee ids
    std::vector<std::int64_t> extra_assignees;  // added to every new task
    std::optional<std::string> project;         // task template: project for new tasks
    std::optional<std::string> contact_template;
    std::optional<std::int64_t> owner;  // the employee who set up the integration (C2's last resort)
    // Values for the ruleset's settings, as case JSON (docs/cases.md: `settings`); checked
    // against each ruleset by engine::check_settings.
    boost::json::object settings;
    std::map<std::string, common::Span> setting_spans;  // setting name -> its key in the file
};

// [files]: the file store, where the bytes of attached and received files are kept.
struct Files {
    std::string path;                         // a folder; empty: beside `storage`, `<name>.files`
    std::uint64_t max_file = 50ull << 20;     // one file above it is refused
    std::uint64_t max_total = 10ull << 30;    // a file that would take the store above it is refused
    std::int64_t link_ttl_ms = 7 * 86400000;  // how long a download link in a message stays valid
};

// [outbound]: how the outbox delivers to the messengers' APIs.
struct Outbound {
    std::string ca_file;               // more certificate authorities to trust (PEM), besides the system's
    bool pacing = true;                // keep to the platforms' rates per chat, group and bot
    std::uint32_t connections = 4;     // requests in flight at once
    std::int64_t timeout_ms = 30000;   // one request, connecting included
    std::uint32_t max_attempts = 10;   // a message still failing after these is failed
    std::int64_t max_backoff_ms = 300000;  // the longest wait between two attempts (before jitter)
};

// How much a write the server has acknowledged survives ([server] durability): a webhook
// answered 200, an employee's reply answered 201.
enum class Durability : std::uint8_t {
    power_loss,     // each commit is on the disk before it is acknowledged (fsync of the WAL)
    process_crash,  // survives kill -9 of the server, not a power cut or a kernel crash
};
// The name written in the file: `power_loss`, `process_crash`.
std::string_view durability_name(Durability durability);

// [retention]: how long the record of work done is kept before the background pruning.
struct Retention {
    std::int64_t inbox_ms = 30ll * 86400000;      // bodies of processed webhooks (failed ones stay)
    std::int64_t decisions_ms = 90ll * 86400000;  // rows of the decision log
};

// [console]: the admin console `switchyard serve` shows at /console (docs/console.md).
struct Console {
    bool enabled = true;
    std::string codemirror = "/usr/share/javascript/codemirror";  // Debian's libjs-codemirror
    std::int64_t session_ttl_ms = 8ll * 3600 * 1000;              // a login lasts this long
};

enum class LogLevel : std::uint8_t { debug, info, warn, error };
// The name written in the file: `debug`, `info`, `warn`, `error`.
std::string_view log_level_name(LogLevel level);

// [log]: the JSON lines the server writes to its standard error.
struct Logging {
    LogLevel level = LogLevel::info;
    bool requests = true;  // a line per HTTP request (at info)
};

// The stand-in text of a Config built in code (tests, benchmarks): an empty file, so that a
// problem found in such a Config still renders.
std::shared_ptr<const common::SourceMap> unwritten_sources();

struct Config {
    std::string path;
    // The file's text, so that problems found after reading (the settings, checked against each
    // ruleset) point into it with the same renderer.
    std::shared_ptr<const common::SourceMap> sources = unwritten_sources();
    common::FileId file = 0;
    std::string listen_address = "127.0.0.1";  // an IP address (IPv6 without brackets)
    std::uint16_t listen_port = 8080;
    std::string storage = "switchyard.db";   // the SQLite file, relative to the config file, or a postgresql:// URI
                                             // (`:memory:` is kept as it is)
    std::string rules;                       // rule files compiled at start (a root file or folder), or
    std::string compiled;                    // a compiled ruleset file; exactly one of the two
    std::string api_token;                   // Bearer token of /api/v1
    std::uint64_t body_limit = 10u << 20;    // webhook bodies above it get 413
    std::uint32_t max_connections = 1024;    // connections served at once; more wait to be accepted
    std::int64_t request_timeout_ms = 30000;  // to send a request, header and body; also a kept-alive connection's idle time
    Durability durability = Durability::power_loss;
    std::string public_url;                  // where customers reach this server (download links);
                                             // empty: http:// and the listen address
    std::string account_name;
    std::string plan = "paid";               // a `plan` member: free, paid, premium, trial
    std::vector<Employee> employees;
    std::map<std::string, FieldType, std::less<>> contact_fields;  // [contact_fields]: name -> type
    // Where each was declared (its key), and the [contact_fields] header (the start of the file
    // without one): where a ruleset's contact field that does not fit is reported (E0812).
    std::map<std::string, common::Span, std::less<>> contact_field_spans;
    common::Span contact_fields_table;
    std::vector<Integration> integrations;
    Files files;
    Outbound outbound;
    Retention retention;
    Logging log;
    Console console;

    // public_url, or the listen address as an http:// URL; without a trailing `/`.
    std::string public_base_url() const;

    const Integration* integration(std::string_view id) const;
    const Employee* employee(std::int64_t id) const;
    // By Telegram username, with or without `@`, in any case.
    const Employee* employee_by_username(std::string_view username) const;
    const Employee* owner() const;
};

// Why a value given outside the file (through the API) is not one the configuration takes.
struct BadValue {
    std::string message;
    std::string help;
};
// A channel's number as the configuration keeps it (W3: `+7…`, `7…` and `8…` are one WhatsApp
// number; an Instagram account without `@`).
std::variant<std::string, BadValue> channel_number(std::string_view transport, std::string_view text);

// Reads and checks a configuration file. Relative paths in it (storage, rules, compiled) are
// made relative to the file's folder (the results are absolute). Every problem of the file is
// a diagnostic of the one ConfigError, sorted by position.
Config load(const std::string& path);
// The same for text held in memory, named `path`; it does not check that the ruleset exists.
Config parse(std::string_view text, const std::string& path);

}  // namespace switchyard::config
