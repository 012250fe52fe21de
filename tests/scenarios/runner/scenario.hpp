// A scenario file (tests/scenarios/*.toml, the format in tests/scenarios/README.md) read into
// steps: webhooks in, employees' calls through the API, the fake messenger APIs told to refuse,
// and what is expected of the API's answers and of the calls the fakes received.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace switchyard::scenarios {

// A scenario file that cannot be read: the message names the file, the line and the key.
class ScenarioError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A webhook posted to /webhooks/{integration}: `body` is its JSON text with placeholders
// ({{now}}, …) still in it.
struct Webhook {
    std::string integration;
    std::string body;
    int status = 200;
    std::map<std::string, std::string> headers;  // instead of the integration's credential, when given
};

// A call of the API with its token; `expect` is matched against the answer when given.
struct ApiCall {
    std::string method;
    std::string target;
    std::optional<boost::json::value> body;
    std::optional<int> status;  // any 2xx when not given
    std::optional<boost::json::value> expect;
};

// The calls a fake messenger API received since the last Sent of the same service, in order.
struct Sent {
    enum class Service : std::uint8_t { telegram, wazzup } service;
    boost::json::array expect;
};

// The next calls of a fake's send methods are answered with these refusals, in order.
struct Refusals {
    Sent::Service service;
    std::vector<boost::json::object> replies;  // status and description (and Wazzup's error)
};

// A file a fake serves: Telegram's getFile and download of `id`, or Wazzup's /files/{id}.
struct FakeFile {
    Sent::Service service;
    std::string id;
    std::string bytes;
    std::int64_t reported_size = -1;  // Telegram's getFile may report another size
};

// Bytes uploaded through POST /api/v1/uploads; later steps name them as {{upload:NAME}}.
struct Upload {
    std::string name;
    std::string mime;
    std::string bytes;
};

// A ruleset swapped in through POST /api/v1/ruleset (R3): rule files compiled by
// `switchyard compile`, or bytes as they are (to see one refused); or posted elsewhere (`to`):
// the preview, or the publish with its guard.
struct Publish {
    std::optional<std::filesystem::path> rules;  // the root file or folder
    std::string bytes;
    std::optional<int> status;  // any 2xx when not given
    std::optional<boost::json::value> expect;
    std::string to = "/api/v1/ruleset";  // the target, with its query
};

using Action = std::variant<Webhook, ApiCall, Sent, Refusals, FakeFile, Upload, Publish>;

struct Step {
    int number = 0;  // from 1, as a reader counts the [[step]] tables
    int line = 0;
    std::string note;  // what the step does, in the file's words (`note = "…"`)
    Action action;
};

// What the runner needs to know of an integration of the configuration.
struct Integration {
    std::string service;  // telegram, telegram_business, wazzup
    std::map<std::string, std::string> webhook_headers;  // the credential its webhooks carry
    std::string bot_token;  // Telegram's, to tell the bots' calls apart
};

struct Scenario {
    std::filesystem::path path;
    std::string behaviour;  // C1, T4, …
    std::string title;
    // Why the scenario needs SQLite (it names ids that PostgreSQL's sequences, which a rolled
    // back insert moves on, would not give): skipped when the suite runs on PostgreSQL.
    std::string sqlite_only;
    std::string config;  // the whole switchyard.toml: base.toml with the scenario's [config] merged in
    std::map<std::string, Integration> integrations;  // by id
    std::string api_token;
    std::vector<Step> steps;
};

// A file's bytes; ScenarioError when it cannot be read.
std::string read_text(const std::filesystem::path& path);

// Reads `path`, merging its [config] into `base` (the text of base.toml).
Scenario load_scenario(const std::filesystem::path& path, const std::string& base);

// What a step is, for a failure message: `step 3 (line 41, GET /api/v1/tasks/1)`.
std::string describe(const Step& step);

}  // namespace switchyard::scenarios
