// The subcommands but check and schema (cli.cpp), and what they share.
#pragma once

#include "bytecode/module.hpp"
#include "compiler/workspace.hpp"
#include "runtime/config/config.hpp"
#include "runtime/vm/image.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace switchyard::cli {

struct FmtOptions {
    std::vector<std::string> paths;  // "-" is standard input
    bool check = false;
    bool diff = false;
};

struct CompileOptions {
    std::vector<std::string> paths;
    std::string output;
};

struct DisasmOptions {
    std::string file;
};

enum class OutputFormat { text, json };

struct EvalOptions {
    std::string ruleset;             // a compiled ruleset file, or
    std::vector<std::string> rules;  // rule files compiled on the fly
    std::string cases;               // a case file, a folder of them, or a JSON-lines file (*.jsonl), or
    std::optional<std::int64_t> decision;  // a decision-log row of the configuration's storage, or
    std::string event;                     // the latest row of this event (its dedup key)
    std::string config;                    // with decision or event: the server's configuration
    std::string database;                  // another tracker file than the configuration's
    bool explain = false;
    std::int64_t budget = 0;  // 0: the default
    std::optional<OutputFormat> format;  // unset: JSON (one document for one case file)
};

struct TestOptions {
    std::vector<std::string> paths;
    bool coverage = false;
    bool verbose = false;
    OutputFormat format = OutputFormat::text;
    std::optional<double> min_coverage;  // a percentage; implies coverage
};

struct ServeOptions {
    std::string config;
    std::size_t threads = 2;
};

struct ReplayOptions {
    std::string config;              // the server's configuration: its storage, its settings
    std::string database;            // another tracker file than the configuration's (a copy)
    std::string ruleset;             // the candidate: a compiled ruleset file, or
    std::vector<std::string> rules;  // rule files compiled on the fly
    std::string since, until;        // instants or dates
    std::string integration;
    std::int64_t last = 0;           // 0: every row
    double sample = 1.0;
    std::size_t max_listed = 1000;
    std::optional<std::int64_t> max_changed;
    OutputFormat format = OutputFormat::text;
};

// `switchyard rulesets ACTION`: talks to a running server's API (docs/api.md, "Rulesets").
struct RulesetsOptions {
    std::string action;  // list, show, preview, publish, rollback, events
    std::string config;  // the server's configuration: where it listens, its api_token
    std::string url;     // or the server's address
    std::string token;   // and the API token (also SWITCHYARD_API_TOKEN)
    bool json = false;   // the API's answer as it came
    std::string version;  // show, rollback
    std::string against;  // show: the version to diff from
    std::string file;     // publish: the compiled ruleset
    std::int64_t by = 0;  // publish, rollback: the employee
    std::string reason;
    std::int64_t limit = 0;  // events: at most this many (0: the API's default)
    std::optional<std::int64_t> max_changed;  // publish: the guard (the preview must change no more events)
    std::int64_t last = 0;   // preview, publish's guard: over the latest N events (0: the API's default)
};

// A subcommand that cannot go on, with its exit code; what went wrong is already printed.
struct Failed {
    int code;
};

// Rule files compiled in memory: the module, and the workspace it came from (for source lines).
struct Compiled {
    compiler::Workspace ws;
    bytecode::Module module;
};

// ---- shared by the subcommands ----

std::optional<std::string> read_file(const std::string& path);
// The text of a compiled ruleset's source file: the text the file carries, or (for a file that
// carries none, made by hand) the file at its path when it is unchanged; none when neither has
// the hash the ruleset records.
std::optional<std::string> source_text(const bytecode::SourceFile& src);
void report_load_errors(const std::vector<compiler::LoadError>& errors, std::ostream& err);

// Runs a subcommand's body; a Failed thrown inside becomes its exit code.
template <typename F>
int guarded(F body) {
    try {
        return body();
    } catch (const Failed& f) {
        return f.code;
    }
}

// Loads, checks and lowers `paths` (one ruleset: several root files are refused). Diagnostics
// go to `out`, other problems to `err`; throws Failed when there is no module.
Compiled compile_paths(const std::vector<std::string>& paths, bool include_tests, std::ostream& out, std::ostream& err);

// The server's configuration file, read and checked; throws Failed (exit 2) with its
// diagnostics on `err`.
config::Config read_configuration(const std::string& path, std::ostream& err);

// A module made loadable (verified, overlaps refused); throws Failed with the reason on `err`.
std::shared_ptr<const vm::Image> load_image(bytecode::Module module, std::ostream& err);
// A compiled ruleset file, read and loaded; throws Failed with the reason on `err`.
std::shared_ptr<const vm::Image> load_ruleset_file(const std::string& path, std::ostream& err);

struct JsonError {
    std::size_t line = 1, column = 1;  // where the parser stopped
    std::string reason;
};
std::variant<boost::json::value, JsonError> parse_json_text(std::string_view text);
// JSON indented by two spaces a level, keys in their order.
void pretty(std::ostream& out, const boost::json::value& v, std::string indent = "");

// The source line of a rule given as `path:line` (trimmed), or empty when it is not at hand.
using RuleSource = std::function<std::string(const std::string& rule)>;
// `path:line` split at its last colon.
std::pair<std::string, std::uint32_t> split_rule_location(const std::string& rule);
// A source line without its indentation.
std::string trimmed(std::string_view line);
// Decisions (the "decisions" array of docs/cases.md) as text, a line each (`kind = value  (policy
// …)`), each followed by its trace when it has one: every rule tried and its condition.
void write_decisions(std::ostream& out, const boost::json::array& decisions, const RuleSource& source_of,
                     std::string_view indent);

int run_fmt(const FmtOptions& options, std::istream& in, std::ostream& out, std::ostream& err);
int run_compile(const CompileOptions& options, std::ostream& out, std::ostream& err);
int run_disasm(const DisasmOptions& options, std::ostream& out, std::ostream& err);
int run_eval(const EvalOptions& options, std::ostream& out, std::ostream& err);
int run_test(const TestOptions& options, std::ostream& out, std::ostream& err);
int run_replay(const ReplayOptions& options, std::ostream& out, std::ostream& err);
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err);
int run_rulesets(const RulesetsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace switchyard::cli
