#include "cli/cli.hpp"

#include "cli/commands.hpp"

#include "common/diagnostic.hpp"
#include "common/text.hpp"
#include "compiler/checker.hpp"
#include "compiler/workspace.hpp"
#include "stdlib/schema.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <array>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>
#include <unistd.h>

namespace switchyard::cli {

namespace {

constexpr const char* version = "0.1.0";

enum class Format { text, json, sarif };

struct CheckOptions {
    std::vector<std::string> paths;
    bool werror = false;
    Format format = Format::text;
    std::string color = "auto";
};

bool use_color(const std::string& mode, std::ostream& out) {
    if (mode == "always") return true;
    if (mode == "never") return false;
    return &out == &std::cout && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

int run_check(const CheckOptions& options, std::ostream& out, std::ostream& err) {
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> load_errors;
    auto ws = compiler::load_workspace(options.paths, bag, load_errors);
    compiler::check(ws, bag);
    auto diagnostics = bag.sorted(ws.sources);
    switch (options.format) {
        case Format::json: common::render_json(diagnostics, ws.sources, out); break;
        case Format::sarif: common::render_sarif(diagnostics, ws.sources, out, version); break;
        case Format::text: {
            common::render_text(diagnostics, ws.sources, out, {use_color(options.color, out)});
            std::size_t requested = 0;
            for (const auto& f : ws.files) requested += f.requested ? 1 : 0;
            if (requested == 0) break;  // nothing was read: the reasons follow on stderr
            std::string summary = common::summarize(diagnostics);
            out << "checked " << requested << (requested == 1 ? " file" : " files");
            if (ws.files.size() > requested) out << " (and " << ws.files.size() - requested << " imported)";
            out << ": " << (summary.empty() ? "no problems" : summary) << '\n';
            break;
        }
    }
    report_load_errors(load_errors, err);
    if (!load_errors.empty()) return exit_usage;
    bool failed = bag.has_errors() ||
                  (options.werror && std::any_of(diagnostics.begin(), diagnostics.end(), [](const auto& d) {
                       return d.severity == common::Severity::warning;
                   }));
    return failed ? exit_problems : exit_ok;
}

// ---- the subcommands: each adds its options to its CLI11 app and returns what it runs ----

// What a subcommand does once the command line is parsed; it returns the exit code. Options
// are bound into state the runner shares, since CLI11 writes them while parsing, after the
// subcommand is defined.
using Runner = std::function<int(std::istream& in, std::ostream& out, std::ostream& err)>;

// A number from 0 to 100; CLI11's Range would word its refusal with six decimals.
CLI::Validator percentage() {
    return CLI::Validator(
        [](std::string& value) -> std::string {
            double number = -1;
            auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
            bool whole = error == std::errc() && end == value.data() + value.size();
            if (!whole || number < 0 || number > 100)
                return "expected a percentage from 0 to 100, found `" + value + "`";
            return {};
        },
        "PERCENT (0 to 100)");
}

// `--format text|json`, as eval and test take it; the value is empty when the option is not given.
std::shared_ptr<std::string> add_format_option(CLI::App& command, const std::string& description) {
    auto value = std::make_shared<std::string>();
    command.add_option("--format", *value, description)->check(CLI::IsMember({"text", "json"}, CLI::ignore_case));
    return value;
}

// The --format values are case-insensitive (`JSON` is `json`); CLI11's ignore_case accepts such
// a value but passes it on as written.
OutputFormat output_format(const std::string& name) { return common::ascii_lower(name) == "json" ? OutputFormat::json : OutputFormat::text; }

Runner define_check(CLI::App& command) {
    struct Parsed {
        CheckOptions options;
        std::string format = "text";
    };
    auto parsed = std::make_shared<Parsed>();
    command.add_option("paths", parsed->options.paths, "Rule files, or folders searched recursively for *.rules")->required();
    command.add_flag("--werror", parsed->options.werror, "Exit 1 on warnings too");
    command.add_option("--format", parsed->format, "Output: text (default), json, or sarif (SARIF 2.1.0 for CI)")
        ->check(CLI::IsMember({"text", "json", "sarif"}, CLI::ignore_case));
    command.add_option("--color", parsed->options.color, "Color text output: auto (default), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    return [parsed](std::istream&, std::ostream& out, std::ostream& err) {
        const auto name = common::ascii_lower(parsed->format);
        parsed->options.format = name == "json" ? Format::json : name == "sarif" ? Format::sarif : Format::text;
        return run_check(parsed->options, out, err);
    };
}

Runner define_fmt(CLI::App& command) {
    auto options = std::make_shared<FmtOptions>();
    command.add_option("paths", options->paths,
                       "Rule files, folders searched recursively for *.rules, or - to format standard input to standard output")
        ->required();
    auto* check = command.add_flag("--check", options->check,
                                   "Change nothing; list the files that would change and exit 1 if any");
    auto* diff = command.add_flag("--diff", options->diff,
                                  "Change nothing; print a unified diff of what would change and exit 1 if anything would");
    check->excludes(diff);
    return [options](std::istream& in, std::ostream& out, std::ostream& err) { return run_fmt(*options, in, out, err); };
}

Runner define_schema(CLI::App&) {
    return [](std::istream&, std::ostream& out, std::ostream&) -> int {
        out << stdlib::builtin_schema().describe();
        return exit_ok;
    };
}

Runner define_compile(CLI::App& command) {
    auto options = std::make_shared<CompileOptions>();
    command.add_option("paths", options->paths, "The root rule file (or a folder whose files one root imports)")->required();
    command.add_option("-o,--output", options->output, "Where to write the compiled ruleset")->required();
    return [options](std::istream&, std::ostream& out, std::ostream& err) { return run_compile(*options, out, err); };
}

Runner define_disasm(CLI::App& command) {
    auto options = std::make_shared<DisasmOptions>();
    command.add_option("file", options->file, "A compiled ruleset file")->required();
    return [options](std::istream&, std::ostream& out, std::ostream& err) { return run_disasm(*options, out, err); };
}

Runner define_eval(CLI::App& command) {
    auto options = std::make_shared<EvalOptions>();
    auto* ruleset = command.add_option("--ruleset", options->ruleset, "A compiled ruleset file");
    auto* rules = command.add_option("--rules", options->rules, "Rule files to compile first (instead of --ruleset)");
    ruleset->excludes(rules);
    auto* cases = command.add_option("--case,--cases", options->cases,
                                     "The case: a JSON file (docs/cases.md); a folder, for each *.json file under it; or a "
                                     "JSON-lines file (*.jsonl), a case a line");
    auto decision = std::make_shared<std::int64_t>(0);
    auto* logged = command.add_option("--decision", *decision,
                                      "Instead of --case: the cases a server recorded for this decision-log row (an id of "
                                      "GET /api/v1/decisions), from the storage of --config")
                       ->check(CLI::PositiveNumber);
    auto* event = command.add_option("--event", options->event, "Instead of --case: the latest decision-log row of this event "
                                                                "(its key, as the log names it: tg:tg:update:12)");
    command.add_option("--config", options->config, "With --decision or --event: the server's configuration (its storage, its settings)");
    command.add_option("--database", options->database, "With --decision or --event: another tracker database than the configuration's");
    cases->excludes(logged)->excludes(event);
    logged->excludes(event);
    command.add_flag("--explain", options->explain,
                     "Explain each decision: every rule tried with its condition and the values of its parts, "
                     "each let and each fact read with its value");
    command.add_option("--budget", options->budget, "Instructions one policy may run before it fails (default 100000)")
        ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()).description("a positive number"));
    auto format = add_format_option(command,
                                    "Output: json (the default: one document for a case file, a JSON line per case and a "
                                    "summary line for a folder or *.jsonl) or text (each case's decisions, then a summary)");
    return [options, format, decision, logged](std::istream&, std::ostream& out, std::ostream& err) -> int {
        if (!format->empty()) options->format = output_format(*format);
        if (logged->count()) options->decision = *decision;
        // CLI11 can say that the two exclude each other, not that one of them is required.
        if (options->ruleset.empty() && options->rules.empty()) {
            err << "switchyard: error: eval needs --ruleset FILE or --rules PATH...\nRun `switchyard eval --help` for usage.\n";
            return exit_usage;
        }
        bool from_log = options->decision || !options->event.empty();
        if (options->cases.empty() && !from_log) {
            err << "switchyard: error: eval needs --case FILE, or --decision ID or --event KEY with --config\n"
                   "Run `switchyard eval --help` for usage.\n";
            return exit_usage;
        }
        if (from_log && options->config.empty()) {
            err << "switchyard: error: --decision and --event need --config, the server's configuration\n";
            return exit_usage;
        }
        return run_eval(*options, out, err);
    };
}

Runner define_test(CLI::App& command) {
    auto options = std::make_shared<TestOptions>();
    command.add_option("paths", options->paths, "The root rule file (or a folder whose files one root imports)")->required();
    command.add_flag("--coverage", options->coverage, "Also report which rules the tests made fire, and list those that never did");
    auto minimum = std::make_shared<double>(0.0);
    auto* min_coverage = command.add_option("--min-coverage", *minimum,
                       "Exit 1 when less than this percentage of the rules fired in some test (0 to 100; implies --coverage)")
        ->check(percentage());
    command.add_flag("-v,--verbose", options->verbose, "Show decisions and traces of passing tests too");
    auto format = add_format_option(command, "Output: text (the default) or json (one document: the tests, and the coverage)");
    return [options, format, minimum, min_coverage](std::istream&, std::ostream& out, std::ostream& err) {
        if (!format->empty()) options->format = output_format(*format);
        if (min_coverage->count()) options->min_coverage = *minimum;
        return run_test(*options, out, err);
    };
}

Runner define_replay(CLI::App& command) {
    auto options = std::make_shared<ReplayOptions>();
    command.add_option("--config", options->config, "The server's configuration file: its storage holds the decision log, "
                                                     "and its settings are given to the candidate")->required();
    command.add_option("--database", options->database,
                       "Another tracker database than the configuration's `storage` (a copy of it, say)");
    auto* ruleset = command.add_option("--ruleset", options->ruleset, "The candidate: a compiled ruleset file");
    auto* rules = command.add_option("--rules", options->rules, "The candidate: rule files to compile (instead of --ruleset)");
    ruleset->excludes(rules);
    command.add_option("--since", options->since, "Only events decided at or after this date or time (2026-12-01, 2026-12-01T09:00Z)");
    command.add_option("--until", options->until, "Only events decided before this date or time");
    command.add_option("--integration", options->integration, "Only the events of this integration (its id)");
    command.add_option("--last", options->last, "Only the latest N events (after the other filters)")
        ->check(CLI::PositiveNumber);
    command.add_option("--sample", options->sample,
                       "Replay this share of the events, from 0 to 1, chosen by their ids: the same share picks the same events")
        ->check(CLI::Range(0.0, 1.0).description("a share from 0 to 1"));
    command.add_option("--max-listed", options->max_listed, "List at most N changed events in full (the counts cover all; default 1000)");
    auto max_changed = std::make_shared<std::int64_t>(0);
    auto* guard = command.add_option("--max-changed", *max_changed, "Exit 1 when more than N events changed (for CI)")
        ->check(CLI::NonNegativeNumber);
    auto format = add_format_option(command, "Output: text (the default: each changed event, then the summary) or json");
    return [options, format, max_changed, guard](std::istream&, std::ostream& out, std::ostream& err) -> int {
        if (!format->empty()) options->format = output_format(*format);
        if (guard->count()) options->max_changed = *max_changed;
        if (options->ruleset.empty() && options->rules.empty()) {
            err << "switchyard: error: replay needs the candidate: --ruleset FILE or --rules PATH...\n"
                   "Run `switchyard replay --help` for usage.\n";
            return exit_usage;
        }
        return run_replay(*options, out, err);
    };
}

Runner define_serve(CLI::App& command) {
    auto options = std::make_shared<ServeOptions>();
    command.add_option("--config", options->config, "The configuration file (TOML), e.g. config/switchyard.toml")->required();
    command.add_option("--threads", options->threads, "Threads serving HTTP (default 2)")->check(CLI::Range(1, 64));
    return [options](std::istream&, std::ostream& out, std::ostream& err) { return run_serve(*options, out, err); };
}

// `rulesets ACTION`: the actions are subcommands of their own; the options that say where the
// server is may come before or after the action (each action falls through to them).
Runner define_rulesets(CLI::App& command) {
    auto options = std::make_shared<RulesetsOptions>();
    command.require_subcommand(1);
    command.add_option("--config", options->config, "The server's configuration file (TOML): where it listens, and its api_token");
    command.add_option("--url", options->url, "The server's address instead, e.g. http://127.0.0.1:8080");
    command.add_option("--token", options->token, "The API token (else SWITCHYARD_API_TOKEN, else --config's api_token)");
    command.add_flag("--json", options->json, "Print the API's JSON answer instead of text");
    auto add = [&](const char* name, const char* description) {
        auto* action = command.add_subcommand(name, description);
        action->fallthrough();
        action->footer("Where the server is, before or after the action: --config FILE, or --url URL with --token TOKEN; "
                       "--json for the API's answer (`switchyard rulesets --help`).");
        return action;
    };
    auto by_and_reason = [&](CLI::App* action) {
        action->add_option("--by", options->by, "The employee who does it (an id of the configuration's [[employees]])")->required();
        action->add_option("--reason", options->reason, "Why, in a few words: the events keep it")->required();
    };
    add("list", "The rulesets that have served, newest first; * marks the one serving");
    auto* show = add("show", "One ruleset's sources; with --against, the diff of its sources from another's");
    show->add_option("version", options->version, "The ruleset's version (as `list` shows it)")->required();
    show->add_option("--against", options->against, "The version to compare with: the diff turns its sources into these");
    auto* preview = add("preview", "What a compiled ruleset would decide otherwise over the latest events, without swapping it in");
    preview->add_option("file", options->file, "The compiled ruleset")->required();
    preview->add_option("--last", options->last, "Over the latest N events (1 to 20000; default 1000)")->check(CLI::Range(1, 20000));
    auto* publish = add("publish", "Swap in a compiled ruleset (`switchyard compile`'s file), verified first");
    publish->add_option("file", options->file, "The compiled ruleset")->required();
    by_and_reason(publish);
    auto max_changed = std::make_shared<std::int64_t>(0);
    auto* guard = publish->add_option("--max-changed", *max_changed,
                                      "Refuse it when the preview finds more than N of the latest events decided otherwise")
                      ->check(CLI::NonNegativeNumber);
    publish->add_option("--last", options->last, "With --max-changed: over the latest N events (1 to 20000; default 1000)")
        ->check(CLI::Range(1, 20000));
    auto* rollback = add("rollback", "Swap back to a ruleset that has served, atomically; a refusal leaves the current one");
    rollback->add_option("version", options->version, "The version to serve again")->required();
    by_and_reason(rollback);
    auto* events = add("events", "Every publish, rollback, load of the configured rules and refusal, newest first");
    events->add_option("--limit", options->limit, "At most this many (1 to 1000; default 100)")->check(CLI::Range(1, 1000));
    return [options, &command, max_changed, guard](std::istream&, std::ostream& out, std::ostream& err) {
        for (auto* action : command.get_subcommands()) options->action = action->get_name();
        if (guard->count()) options->max_changed = *max_changed;
        return run_rulesets(*options, out, err);
    };
}

struct Subcommand {
    std::string_view name;
    std::string_view description;  // the one line of `switchyard --help`, and the first of its own
    Runner (*define)(CLI::App& command);
};

// Every subcommand, in the order `switchyard --help` lists them: a new one is added here and
// only here (subcommand_names() gives the tests this list).
constexpr std::array<Subcommand, 10> subcommands{{
    {"check", "Parse, type-check and lint rule files; print every problem with its file:line:col.", define_check},
    {"fmt",
     "Rewrite rule files in the one canonical layout (comments kept); idempotent. --check lists and --diff shows "
     "what would change; - formats standard input to standard output.",
     define_fmt},
    {"schema", "Print the facts, functions and policy kinds that rules can use, with their types.", define_schema},
    {"compile", "Check rule files and write the compiled ruleset that `switchyard serve` and `eval` load.", define_compile},
    {"disasm", "Print a compiled ruleset readably: pools, settings, and each policy's code with its source lines.",
     define_disasm},
    {"eval",
     "Evaluate a ruleset on a case (an event and its facts, JSON: docs/cases.md), a folder of cases or a JSON-lines "
     "file of them; print every decision as JSON.",
     define_eval},
    {"test",
     "Run the `test` blocks of rule files; report each, with the decisions and traces of failures, and which rules "
     "they made fire (text or JSON; --min-coverage for CI).",
     define_test},
    {"serve",
     "Run the webhook server: store and process messenger webhooks with the compiled rules (docs/configuration.md, "
     "docs/api.md).",
     define_serve},
    {"replay",
     "Run a candidate ruleset over the events a server decided (its decision log), with the facts as they were and no "
     "effects; report every event it would decide otherwise, and a summary.",
     define_replay},
    {"rulesets",
     "List the rulesets a running server has served, show one's sources or the diff between two, publish one, roll "
     "back to one, and list who did what and why (through the server's API).",
     define_rulesets},
}};

bool is_subcommand(std::string_view word) {
    return std::any_of(subcommands.begin(), subcommands.end(), [&](const Subcommand& s) { return s.name == word; });
}

// The word that names the subcommand: the first argument that is not an option (the main
// command's options, -h, --help and --version, take no values).
std::optional<std::string_view> subcommand_word(const std::vector<std::string>& args) {
    for (const auto& arg : args)
        if (arg.empty() || arg.front() != '-') return arg;
    return std::nullopt;
}

// Parses the command line into `app`. The exit code when that ends the run (help, version,
// usage errors, all printed here); nothing when the parsed subcommand is to run.
std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args, std::ostream& out,
                                      std::ostream& err) {
    try {
        std::vector<std::string> reversed(args.rbegin(), args.rend());
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return exit_ok;
    } catch (const CLI::CallForAllHelp&) {
        out << app.help("", CLI::AppFormatMode::All);
        return exit_ok;
    } catch (const CLI::CallForVersion&) {
        out << "switchyard " << version << '\n';
        return exit_ok;
    } catch (const CLI::ParseError& e) {
        // A subcommand's --help lands here as CallForHelp thrown from the subcommand.
        if (e.get_exit_code() == 0) {
            // The help of the innermost subcommand named (`rulesets show --help`: show's).
            const CLI::App* asked = &app;
            while (!asked->get_subcommands().empty()) asked = asked->get_subcommands().front();
            out << asked->help();
            return exit_ok;
        }
        err << "switchyard: error: " << e.what() << "\nRun `switchyard --help` for usage.\n";
        return exit_usage;
    }
    return std::nullopt;
}

}  // namespace

std::vector<std::string> subcommand_names() {
    std::vector<std::string> names;
    for (const auto& s : subcommands) names.emplace_back(s.name);
    return names;
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) { return run(args, std::cin, out, err); }

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
    // CLI11 would take an unknown word for a stray argument, and with --help show the main help.
    if (auto word = subcommand_word(args); word && !is_subcommand(*word)) {
        err << "switchyard: unknown subcommand `" << *word << "`; see `switchyard --help`\n";
        return exit_usage;
    }
    CLI::App app{"switchyard: check, format and compile messenger-integration policies written in the Switchyard rules language.\n"
                 "Exit codes: 0 success, 1 problems found in the rules, 2 bad usage or unreadable files.",
                 "switchyard"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version);
    app.footer("Run `switchyard SUBCOMMAND --help` for the options of each subcommand. Docs: docs/cli.md, docs/language.md.");
    std::vector<std::pair<const CLI::App*, Runner>> runners;
    for (const auto& s : subcommands) {
        auto* command = app.add_subcommand(std::string(s.name), std::string(s.description));
        runners.emplace_back(command, s.define(*command));
    }
    if (auto ended = parse_command_line(app, args, out, err)) return *ended;
    for (const auto& [command, runner] : runners)
        if (command->parsed()) return runner(in, out, err);
    return exit_usage;
}

}  // namespace switchyard::cli
