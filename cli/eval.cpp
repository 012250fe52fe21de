// `switchyard eval`: decide one case, every case file of a folder, or every line of a
// JSON-lines file, and print the decisions.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include "bytecode/serialize.hpp"
#include "common/source.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/replay/replay.hpp"
#include "runtime/store/recorded.hpp"
#include "runtime/store/store.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <sstream>

namespace switchyard::cli {

namespace {

// One case of a run: where it came from, and its JSON or why there is none.
struct CaseInput {
    std::string label;  // `cases/a.json`, or `cases.jsonl:3`
    std::optional<boost::json::value> json;
    std::string position;  // in the label's text, where it is not JSON: `3:14` (a line's: `14`)
    std::string error;     // why there is no JSON

    // `cases.jsonl:3:14`: the label, and the position when there is one.
    std::string place() const { return position.empty() ? label : label + ":" + position; }
};

// `one_line`: the text is a line of a JSON-lines file, whose label already names the line.
CaseInput parsed_case(std::string label, std::string_view text, bool one_line) {
    auto parsed = parse_json_text(text);
    if (auto* e = std::get_if<JsonError>(&parsed)) {
        std::string column = std::to_string(e->column);
        return {std::move(label), std::nullopt, one_line ? column : std::to_string(e->line) + ":" + column, e->reason};
    }
    return {std::move(label), std::get<boost::json::value>(std::move(parsed)), {}, {}};
}

CaseInput case_file(const std::string& path) {
    auto text = read_file(path);
    if (!text) return {path, std::nullopt, {}, "cannot be read"};
    return parsed_case(path, *text, false);
}

// Every `*.json` file under a folder, its subfolders too, sorted by path.
std::vector<CaseInput> folder_cases(const std::string& folder, std::ostream& err) {
    std::vector<std::string> paths;
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".json") paths.push_back(it->path().generic_string());
    if (ec) {
        err << "switchyard: error: cannot read `" << folder << "`: " << ec.message() << '\n';
        throw Failed{exit_usage};
    }
    if (paths.empty()) {
        err << "switchyard: error: `" << folder << "` holds no case files (`*.json`)\n";
        throw Failed{exit_usage};
    }
    std::sort(paths.begin(), paths.end());
    std::vector<CaseInput> cases;
    for (const auto& p : paths) cases.push_back(case_file(p));
    return cases;
}

// A case per line that is not blank, labelled `path:LINE`.
std::vector<CaseInput> json_lines_cases(const std::string& path, std::ostream& err) {
    auto text = read_file(path);
    if (!text) {
        err << "switchyard: error: cannot read `" << path << "`\n";
        throw Failed{exit_usage};
    }
    std::vector<CaseInput> cases;
    std::istringstream lines(*text);
    std::string line;
    for (std::size_t number = 1; std::getline(lines, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        cases.push_back(parsed_case(path + ":" + std::to_string(number), line, true));
    }
    if (cases.empty()) {
        err << "switchyard: error: `" << path << "` holds no cases (one JSON object a line)\n";
        throw Failed{exit_usage};
    }
    return cases;
}

bool is_json_lines(const std::string& path) { return std::filesystem::path(path).extension() == ".jsonl"; }

// The source lines of the rules, from the text the ruleset carries: for the traces of
// `--format text`.
RuleSource rule_sources(const bytecode::Module& module) {
    auto files = std::make_shared<std::map<std::string, common::SourceFile>>();
    for (const auto& src : module.sources)
        if (auto text = source_text(src)) files->emplace(src.path, common::SourceFile(src.path, *text));
    return [files](const std::string& rule) -> std::string {
        auto [path, line] = split_rule_location(rule);
        auto found = files->find(path);
        return found == files->end() ? std::string() : trimmed(found->second.line_text(line));
    };
}

// How the decisions are printed: one case file's indented document (what `eval` printed before
// it took many cases), a JSON line per case, or text.
enum class Layout { document, json_lines, text };

// Decides cases one after another and prints each, then (for several) a summary.
class CaseRunner {
public:
    CaseRunner(std::shared_ptr<const vm::Image> image, const EvalOptions& options, Layout layout, std::ostream& out,
               std::ostream& err)
        : image_(image), engine_(image), explain_(options.explain), layout_(layout),
          sources_(layout == Layout::text ? rule_sources(image->module()) : RuleSource()), out_(out), err_(err) {
        run_.explain = options.explain;
        run_.read_values = options.explain;
        if (options.budget > 0) run_.budget = options.budget;
    }

    void decide(CaseInput input) {
        std::optional<engine::Case> kase;
        if (input.json) {
            try {
                kase = engine::Case::from_json(*image_, *input.json);
            } catch (const engine::CaseError& e) {
                input.error = e.what();  // names the field: `message.chat.kind: unknown chat_kind …`
            }
        }
        if (!kase) return refuse(input);
        const auto& decisions = engine_.decide(*kase, run_);
        bool failed = std::any_of(decisions.begin(), decisions.end(), [](const auto& d) { return !d.outcome.ok(); });
        (failed ? failed_ : decided_) += 1;
        auto json = engine_.to_json(decisions, explain_);
        switch (layout_) {
            case Layout::document:
                pretty(out_, json);
                out_ << '\n';
                break;
            case Layout::json_lines: {
                boost::json::object line{{"case", input.label}};
                for (auto& [key, value] : json) line[key] = std::move(value);
                out_ << boost::json::serialize(line) << '\n';
                break;
            }
            case Layout::text:
                out_ << input.label << '\n';
                write_decisions(out_, json.at("decisions").as_array(), sources_, "  ");
                break;
        }
    }

    void summarize() {
        std::size_t cases = decided_ + failed_ + refused_;
        if (layout_ == Layout::json_lines) {
            boost::json::object counts{{"cases", cases}, {"decided", decided_}, {"failed", failed_}, {"refused", refused_}};
            out_ << boost::json::serialize(boost::json::object{{"summary", std::move(counts)}}) << '\n';
        } else if (layout_ == Layout::text) {
            out_ << cases << (cases == 1 ? " case: " : " cases: ") << decided_ << " decided, " << failed_
                 << " with a failed policy, " << refused_ << " refused\n";
        }
    }

    // A refused case is bad input (2), as for one case file; a failed policy a problem in the rules (1).
    int exit_code() const { return refused_ ? exit_usage : failed_ ? exit_problems : exit_ok; }

private:
    void refuse(const CaseInput& input) {
        ++refused_;
        if (layout_ == Layout::json_lines) {
            boost::json::object line{{"case", input.label}, {"error", input.error}};
            if (!input.position.empty()) line["at"] = input.place();
            out_ << boost::json::serialize(line) << '\n';
        } else {
            (layout_ == Layout::document ? err_ : out_) << input.place() << ": error: " << input.error << '\n';
        }
    }

    std::shared_ptr<const vm::Image> image_;
    engine::Engine engine_;
    bool explain_;
    Layout layout_;
    RuleSource sources_;
    std::ostream& out_;
    std::ostream& err_;
    engine::Options run_;
    std::size_t decided_ = 0, failed_ = 0, refused_ = 0;
};

// The cases `--case` names: a folder's files, a JSON-lines file's lines, or one case file.
std::vector<CaseInput> cases_named(const std::string& path, bool folder, std::ostream& err) {
    if (folder) return folder_cases(path, err);
    if (is_json_lines(path)) return json_lines_cases(path, err);
    auto one = case_file(path);
    if (!one.json && one.position.empty()) {
        err << "switchyard: error: cannot read `" << path << "`\n";
        throw Failed{exit_usage};
    }
    return {std::move(one)};
}

// `eval --decision N` / `--event KEY`: the recorded cases of a logged event, decided by the
// ruleset given, with the configuration's settings (replay::explain).
int eval_logged(const EvalOptions& options, std::shared_ptr<const vm::Image> image, std::ostream& out, std::ostream& err) {
    auto config = read_configuration(options.config, err);
    store::LogFilter filter;
    filter.last = 1;
    if (options.decision) filter.id = *options.decision;
    else filter.event = options.event;
    std::string which = options.decision ? "decision " + std::to_string(*options.decision) : "event " + options.event;
    std::optional<store::RecordedRow> found;
    try {
        store::RecordedLog(options.database.empty() ? config.storage : options.database)
            .each(filter, [&](const store::RecordedRow& row) { found = row; });
    } catch (const store::StoreError& e) {
        err << "switchyard: error: " << e.what() << '\n';
        return exit_usage;
    }
    if (!found) {
        err << "switchyard: error: the decision log has no " << which << '\n';
        return exit_usage;
    }
    boost::json::object result;
    try {
        result = replay::explain(image, config, *found, options.explain, options.budget > 0 ? options.budget : vm::default_budget);
    } catch (const std::runtime_error& e) {
        err << "switchyard: error: cannot decide " << which << " again: " << e.what() << '\n';
        return exit_usage;
    }
    bool failed = false;
    for (const auto& ask : result.at("asks").as_array())
        for (const auto& d : ask.at("decisions").as_array()) failed = failed || d.as_object().contains("error");
    if (options.format.value_or(OutputFormat::json) == OutputFormat::json) {
        pretty(out, result);
        out << '\n';
    } else {
        auto sources = rule_sources(image->module());
        out << which << " (" << result.at("event").as_string().c_str() << ", decided by " << found->ruleset << ")\n";
        for (const auto& ask : result.at("asks").as_array()) {
            std::string kinds;
            for (const auto& k : ask.at("kinds").as_array()) kinds += (kinds.empty() ? "" : ", ") + std::string(k.as_string());
            out << "ask: " << kinds << (ask.at("same_as_logged").as_bool() ? "" : "  (otherwise than logged)") << '\n';
            write_decisions(out, ask.at("decisions").as_array(), sources, "  ");
        }
    }
    return failed ? int(exit_problems) : int(exit_ok);
}

}  // namespace

int run_eval(const EvalOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        // Problems in the rules go to stderr: stdout holds only the decisions.
        auto image = options.ruleset.empty() ? load_image(compile_paths(options.rules, false, err, err).module, err)
                                             : load_ruleset_file(options.ruleset, err);
        if (options.decision || !options.event.empty()) return eval_logged(options, image, out, err);
        std::error_code ec;
        bool folder = std::filesystem::is_directory(options.cases, ec);
        bool many = folder || is_json_lines(options.cases);
        auto format = options.format.value_or(OutputFormat::json);
        Layout layout = format == OutputFormat::text ? Layout::text : many ? Layout::json_lines : Layout::document;
        auto cases = cases_named(options.cases, folder, err);
        CaseRunner runner(image, options, layout, out, err);
        for (auto& c : cases) runner.decide(std::move(c));
        runner.summarize();
        return runner.exit_code();
    });
}

}  // namespace switchyard::cli
