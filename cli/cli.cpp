#include "cli/cli.hpp"

#include "cli/commands.hpp"

#include "common/diagnostic.hpp"
#include "compiler/checker.hpp"
#include "compiler/workspace.hpp"
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "stdlib/schema.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <limits>
#include <fstream>
#include <ostream>
#include <sstream>
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

struct FmtOptions {
    std::vector<std::string> paths;
    bool check = false;
};

void report_load_errors(const std::vector<compiler::LoadError>& errors, std::ostream& err) {
    for (const auto& e : errors) err << "switchyard: error: cannot read `" << e.path << "`: " << e.reason << '\n';
}

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

std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::vector<compiler::LoadError>& errors) {
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(p, ec)) {
            auto found = compiler::rule_files_in(p);
            if (found.empty()) errors.push_back({p, "folder holds no `.rules` files"});
            files.insert(files.end(), found.begin(), found.end());
        } else if (std::filesystem::exists(p, ec)) {
            files.push_back(p);
        } else {
            errors.push_back({p, "no such file or folder"});
        }
    }
    return files;
}

int run_fmt(const FmtOptions& options, std::ostream& out, std::ostream& err) {
    std::vector<compiler::LoadError> errors;
    auto files = expand_paths(options.paths, errors);
    common::SourceMap sources;
    common::DiagnosticBag bag;
    std::size_t changed = 0, unparsable = 0;
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            errors.push_back({path, "cannot be opened"});
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        auto id = sources.add(path, text.str());
        auto parsed = dsl::parse(sources, id, bag);
        if (!parsed.ok) {
            ++unparsable;
            continue;
        }
        std::string formatted = dsl::format_module(parsed.module, sources.file(id).text());
        if (formatted == sources.file(id).text()) continue;
        ++changed;
        if (options.check) {
            out << "would reformat " << path << '\n';
            continue;
        }
        std::ofstream write(path, std::ios::binary | std::ios::trunc);
        write << formatted;
        if (!write) errors.push_back({path, "cannot be written"});
        else out << "formatted " << path << '\n';
    }
    common::render_text(bag.sorted(sources), sources, out);
    if (unparsable)
        out << unparsable << (unparsable == 1 ? " file was left as it is" : " files were left as they are")
            << ": fix the syntax errors first\n";
    if (options.check && changed)
        out << changed << " of " << files.size() << (files.size() == 1 ? " file" : " files") << " would be reformatted\n";
    report_load_errors(errors, err);
    if (!errors.empty()) return exit_usage;
    return (unparsable || (options.check && changed)) ? exit_problems : exit_ok;
}

}  // namespace

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    CLI::App app{"switchyard: check, format and compile messenger-integration policies written in the Switchyard rules language.\n"
                 "Exit codes: 0 success, 1 problems found in the rules, 2 bad usage or unreadable files.",
                 "switchyard"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version);
    app.footer("Run `switchyard SUBCOMMAND --help` for the options of each subcommand. Docs: docs/cli.md, docs/language.md.");

    CheckOptions check;
    auto* check_cmd = app.add_subcommand(
        "check", "Parse, type-check and lint rule files; print every problem with its file:line:col.");
    check_cmd->add_option("paths", check.paths, "Rule files, or folders searched recursively for *.rules")->required();
    check_cmd->add_flag("--werror", check.werror, "Exit 1 on warnings too");
    std::string format_name = "text";
    check_cmd->add_option("--format", format_name, "Output: text (default), json, or sarif (SARIF 2.1.0 for CI)")
        ->check(CLI::IsMember({"text", "json", "sarif"}));
    check_cmd->add_option("--color", check.color, "Color text output: auto (default), always, never")
        ->check(CLI::IsMember({"auto", "always", "never"}));

    FmtOptions fmt;
    auto* fmt_cmd = app.add_subcommand(
        "fmt", "Rewrite rule files in the one canonical layout (comments kept); idempotent.");
    fmt_cmd->add_option("paths", fmt.paths, "Rule files, or folders searched recursively for *.rules")->required();
    fmt_cmd->add_flag("--check", fmt.check, "Change nothing; list the files that would change and exit 1 if any");

    auto* schema_cmd = app.add_subcommand(
        "schema", "Print the facts, functions and policy kinds that rules can use, with their types.");

    CompileOptions compile;
    auto* compile_cmd = app.add_subcommand(
        "compile", "Check rule files and write the compiled ruleset that `switchyard serve` and `eval` load.");
    compile_cmd->add_option("paths", compile.paths, "The root rule file (or a folder whose files one root imports)")->required();
    compile_cmd->add_option("-o,--output", compile.output, "Where to write the compiled ruleset")->required();

    DisasmOptions disasm;
    auto* disasm_cmd = app.add_subcommand(
        "disasm", "Print a compiled ruleset readably: pools, settings, and each policy's code with its source lines.");
    disasm_cmd->add_option("file", disasm.file, "A compiled ruleset file")->required();

    EvalOptions eval;
    auto* eval_cmd = app.add_subcommand(
        "eval", "Evaluate a ruleset on one case (an event and its facts, JSON: docs/cases.md); print every decision as JSON.");
    auto* ruleset_opt = eval_cmd->add_option("--ruleset", eval.ruleset, "A compiled ruleset file");
    auto* rules_opt = eval_cmd->add_option("--rules", eval.rules, "Rule files to compile first (instead of --ruleset)");
    ruleset_opt->excludes(rules_opt);
    eval_cmd->add_option("--case", eval.case_file, "The case: a JSON file (docs/cases.md)")->required();
    eval_cmd->add_flag("--explain", eval.explain, "Add each policy's trace: every rule tried, its condition, the rule that decided");
    eval_cmd->add_option("--budget", eval.budget, "Instructions one policy may run before it fails (default 100000)")
        ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()).description("a positive number"));

    TestOptions test;
    auto* test_cmd = app.add_subcommand(
        "test", "Run the `test` blocks of rule files; report each, with the decisions and traces of failures.");
    test_cmd->add_option("paths", test.paths, "The root rule file (or a folder whose files one root imports)")->required();
    test_cmd->add_flag("--coverage", test.coverage, "Also list the rules that no test made fire");
    test_cmd->add_flag("-v,--verbose", test.verbose, "Show decisions and traces of passing tests too");

    ServeOptions serve;
    auto* serve_cmd = app.add_subcommand(
        "serve", "Run the webhook server: store and process messenger webhooks with the compiled rules (docs/configuration.md, docs/api.md).");
    serve_cmd->add_option("--config", serve.config, "The configuration file (TOML), e.g. config/switchyard.toml")->required();
    serve_cmd->add_option("--threads", serve.threads, "Threads serving HTTP (default 2)")->check(CLI::Range(1, 64));

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
            for (auto* sub : app.get_subcommands()) {
                out << sub->help();
                return exit_ok;
            }
            out << app.help();
            return exit_ok;
        }
        err << "switchyard: error: " << e.what() << "\nRun `switchyard --help` for usage.\n";
        return exit_usage;
    }
    if (check_cmd->parsed()) {
        check.format = format_name == "json" ? Format::json : format_name == "sarif" ? Format::sarif : Format::text;
        return run_check(check, out, err);
    }
    if (fmt_cmd->parsed()) return run_fmt(fmt, out, err);
    if (compile_cmd->parsed()) return run_compile(compile, out, err);
    if (disasm_cmd->parsed()) return run_disasm(disasm, out, err);
    if (eval_cmd->parsed()) {
        if (eval.ruleset.empty() && eval.rules.empty()) {
            err << "switchyard: error: eval needs --ruleset FILE or --rules PATH...\nRun `switchyard eval --help` for usage.\n";
            return exit_usage;
        }
        return run_eval(eval, out, err);
    }
    if (test_cmd->parsed()) return run_test(test, out, err);
    if (serve_cmd->parsed()) return run_serve(serve, out, err);
    if (schema_cmd->parsed()) {
        out << stdlib::builtin_schema().describe();
        return exit_ok;
    }
    return exit_usage;
}

}  // namespace switchyard::cli
