// The server's configuration: one TOML file (docs/configuration.md). The only code that
// reads TOML. A bad file stops start-up with the file, line and reason.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::vm {
class Image;
}

namespace switchyard::config {

// `file:line:column: reason`, ready to print.
struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Employee {
    std::int64_t id = 0;
    std::string name;
    bool owner = false;
    std::optional<std::string> telegram;  // the Telegram account (username or id) alerts go to
};

enum class Service : std::uint8_t { telegram, telegram_business, wazzup };

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
    // against the ruleset by check_settings.
    boost::json::object settings;
    std::map<std::string, std::uint32_t> setting_lines;  // setting name -> its line, for errors
    std::map<std::string, std::uint32_t> setting_columns;  // setting name -> its column
};

struct Config {
    std::string path;
    std::string listen_address = "127.0.0.1";  // an IP address (IPv6 without brackets)
    std::uint16_t listen_port = 8080;
    std::string storage = "switchyard.db";   // the SQLite file, relative to the config file
                                             // (`:memory:` is kept as it is)
    std::string rules;                       // rule files compiled at start (a root file or folder), or
    std::string compiled;                    // a compiled ruleset file; exactly one of the two
    std::string api_token;                   // Bearer token of /api/v1
    std::uint64_t body_limit = 10u << 20;    // webhook bodies above it get 413
    std::string account_name;
    std::string plan = "paid";               // a `plan` member: free, paid, premium, trial
    std::vector<Employee> employees;
    std::vector<Integration> integrations;

    const Integration* integration(std::string_view id) const;
    const Employee* employee(std::int64_t id) const;
    const Employee* owner() const;
};

// Reads and checks a configuration file. Relative paths in it (storage, rules, compiled) are
// made relative to the file's folder (the results are absolute). Every problem of the file is
// in the one ConfigError, a line each, sorted by position.
Config load(const std::string& path);
// The same for text held in memory, named `path`; it does not check that the ruleset exists.
Config parse(std::string_view text, const std::string& path);

// Every integration's settings against the ruleset's declared settings: an unknown name or a
// value of the wrong type is a ConfigError at the setting's line.
void check_settings(const Config& config, const vm::Image& image);

}  // namespace switchyard::config
