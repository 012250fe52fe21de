// `switchyard fmt`: rewrite rule files in place, format standard input to standard output,
// or only say (--check) or show (--diff) what would change.
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include "common/diagnostic.hpp"
#include "common/unified_diff.hpp"
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>

namespace switchyard::cli {

namespace {

constexpr const char* stdin_path = "-";
constexpr const char* stdin_name = "<stdin>";  // how diagnostics and diffs name standard input

std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::vector<compiler::LoadError>& errors) {
    std::vector<std::string> files;
    for (const auto& p : paths) {
        std::error_code ec;
        if (p == stdin_path) {
            files.push_back(p);
        } else if (std::filesystem::is_directory(p, ec)) {
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

// What is wrong with the paths as a whole, or empty. Formatted standard input goes to standard
// output, where other files' results cannot go as well.
std::string usage_problem(const FmtOptions& options) {
    auto dashes = std::count(options.paths.begin(), options.paths.end(), stdin_path);
    if (dashes > 1) return "`-` (standard input) can be named only once";
    if (dashes == 1 && options.paths.size() > 1 && !options.check && !options.diff)
        return "`-` writes the formatted text to standard output, so it cannot be formatted with other paths "
               "(use --check or --diff to look at several)";
    return {};
}

class Formatter {
public:
    Formatter(const FmtOptions& options, std::istream& in, std::ostream& out, std::ostream& err)
        : options_(options), in_(in), out_(out), err_(err),
          // Where the output is file text (a diff, or formatted standard input), diagnostics
          // and the summary go to standard error so that the text can be piped on.
          notes_(options.diff || options.paths == std::vector<std::string>{stdin_path} ? err : out) {}

    int run() {
        if (auto problem = usage_problem(options_); !problem.empty()) {
            err_ << "switchyard: error: " << problem << "\nRun `switchyard fmt --help` for usage.\n";
            return exit_usage;
        }
        auto files = expand_paths(options_.paths, errors_);
        for (const auto& path : files) format(path);
        common::render_text(bag_.sorted(sources_), sources_, notes_);
        if (unparsable_)
            notes_ << unparsable_ << (unparsable_ == 1 ? " file was left as it is" : " files were left as they are")
                   << ": fix the syntax errors first\n";
        if (options_.check && changed_)
            out_ << changed_ << " of " << files.size() << (files.size() == 1 ? " file" : " files")
                 << " would be reformatted\n";
        report_load_errors(errors_, err_);
        if (!errors_.empty()) return exit_usage;
        bool only_looking = options_.check || options_.diff;
        return (unparsable_ || (only_looking && changed_)) ? exit_problems : exit_ok;
    }

private:
    std::optional<std::string> read(const std::string& path) {
        if (path == stdin_path) return std::string(std::istreambuf_iterator<char>(in_), {});
        return read_file(path);
    }

    void format(const std::string& path) {
        auto text = read(path);
        if (!text) {
            errors_.push_back({path, "cannot be opened"});
            return;
        }
        bool from_stdin = path == stdin_path;
        std::string name = from_stdin ? stdin_name : path;
        auto id = sources_.add(name, std::move(*text));
        const std::string& original = sources_.file(id).text();
        auto parsed = dsl::parse(sources_, id, bag_);
        if (!parsed.ok) {
            ++unparsable_;
            return;
        }
        std::string formatted = dsl::format_module(parsed.module, original);
        bool changed = formatted != original;
        changed_ += changed ? 1 : 0;
        if (options_.check) {
            if (changed) out_ << "would reformat " << name << '\n';
        } else if (options_.diff) {
            out_ << common::unified_diff(name, original, formatted);
        } else if (from_stdin) {
            out_ << formatted;  // a filter prints its text whether or not it changed
        } else if (changed) {
            write(path, formatted);
        }
    }

    void write(const std::string& path, const std::string& formatted) {
        std::ofstream file(path, std::ios::binary | std::ios::trunc);
        file << formatted;
        if (!file) errors_.push_back({path, "cannot be written"});
        else out_ << "formatted " << path << '\n';
    }

    const FmtOptions& options_;
    std::istream& in_;
    std::ostream& out_;
    std::ostream& err_;
    std::ostream& notes_;
    common::SourceMap sources_;
    common::DiagnosticBag bag_;
    std::vector<compiler::LoadError> errors_;
    std::size_t changed_ = 0, unparsable_ = 0;
};

}  // namespace

int run_fmt(const FmtOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
    return Formatter(options, in, out, err).run();
}

}  // namespace switchyard::cli
