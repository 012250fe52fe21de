#include "cli/commands.hpp"

#include "bytecode/disasm.hpp"
#include "bytecode/serialize.hpp"
#include "cli/cli.hpp"
#include "compiler/lower.hpp"
#include "runtime/engine/engine.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

namespace switchyard::cli {

namespace {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

Compiled compile_paths(const std::vector<std::string>& paths, bool include_tests, std::ostream& out, std::ostream& err) {
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> load_errors;
    Compiled c{compiler::load_workspace(paths, bag, load_errors), {}};
    for (const auto& e : load_errors) err << "switchyard: error: cannot read `" << e.path << "`: " << e.reason << '\n';
    if (!load_errors.empty()) throw Failed{exit_usage};
    auto checked = compiler::check(c.ws, bag);
    std::optional<bytecode::Module> module;
    if (!bag.has_errors() && checked.programs.size() > 1) {
        err << "switchyard: error: these files make " << checked.programs.size()
            << " rulesets, one per file that no other imports:";
        for (const auto& p : checked.programs) err << ' ' << c.ws.files[p.root].path;
        err << "\nname the root file (the one that imports the others), or import them from one file\n";
        throw Failed{exit_usage};
    }
    if (!bag.has_errors() && !checked.programs.empty())
        module = compiler::lower(c.ws, checked.programs.front(), bag, {include_tests});
    auto diagnostics = bag.sorted(c.ws.sources);
    if (!diagnostics.empty()) common::render_text(diagnostics, c.ws.sources, out, {false});
    if (!module) {
        if (diagnostics.empty()) err << "switchyard: error: no rule files found\n";
        throw Failed{diagnostics.empty() ? exit_usage : exit_problems};
    }
    c.module = std::move(*module);
    return c;
}

namespace {

std::shared_ptr<const vm::Image> load_image(bytecode::Module module, std::ostream& err) {
    auto loaded = vm::load_module(std::move(module));
    if (auto* problem = std::get_if<std::string>(&loaded)) {
        err << "switchyard: error: the compiled ruleset was refused: " << *problem << '\n';
        throw Failed{exit_problems};
    }
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

std::shared_ptr<const vm::Image> load_ruleset_file(const std::string& path, std::ostream& err) {
    auto bytes = read_file(path);
    if (!bytes) {
        err << "switchyard: error: cannot read `" << path << "`\n";
        throw Failed{exit_usage};
    }
    auto loaded = vm::load(*bytes);
    if (auto* problem = std::get_if<std::string>(&loaded)) {
        err << "switchyard: error: `" << path << "` is refused: " << *problem << '\n';
        throw Failed{exit_problems};
    }
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

// `line:column` of a byte offset, for JSON syntax errors.
std::string position(std::string_view text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return std::to_string(line) + ":" + std::to_string(column);
}

boost::json::value parse_json_file(const std::string& path, std::ostream& err) {
    auto text = read_file(path);
    if (!text) {
        err << "switchyard: error: cannot read `" << path << "`\n";
        throw Failed{exit_usage};
    }
    boost::json::stream_parser parser;
    boost::system::error_code ec;
    std::size_t used = parser.write_some(text->data(), text->size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        err << path << ":" << position(*text, used) << ": error: invalid JSON: " << ec.message() << '\n';
        throw Failed{exit_usage};
    }
    return parser.release();
}

void pretty(std::ostream& out, const boost::json::value& v, std::string indent = "") {
    switch (v.kind()) {
        case boost::json::kind::object: {
            const auto& o = v.get_object();
            if (o.empty()) {
                out << "{}";
                return;
            }
            out << "{\n";
            std::size_t i = 0;
            for (const auto& [key, value] : o) {
                out << indent << "  " << boost::json::serialize(boost::json::string(key)) << ": ";
                pretty(out, value, indent + "  ");
                out << (++i < o.size() ? ",\n" : "\n");
            }
            out << indent << "}";
            return;
        }
        case boost::json::kind::array: {
            const auto& a = v.get_array();
            if (a.empty()) {
                out << "[]";
                return;
            }
            out << "[\n";
            for (std::size_t i = 0; i < a.size(); ++i) {
                out << indent << "  ";
                pretty(out, a[i], indent + "  ");
                out << (i + 1 < a.size() ? ",\n" : "\n");
            }
            out << indent << "]";
            return;
        }
        default: out << boost::json::serialize(v);
    }
}

template <typename F>
int guarded(F body) {
    try {
        return body();
    } catch (const Failed& f) {
        return f.code;
    }
}

}  // namespace

int run_compile(const CompileOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        auto c = compile_paths(options.paths, false, out, err);
        load_image(c.module, err);  // never write a file the loader would refuse
        std::string bytes = bytecode::write(c.module);
        std::ofstream file(options.output, std::ios::binary | std::ios::trunc);
        file << bytes;
        file.close();
        if (!file) {
            err << "switchyard: error: cannot write `" << options.output << "`\n";
            return int(exit_usage);
        }
        auto count = [](std::size_t n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); };
        out << "compiled ruleset " << c.module.name << " (" << count(c.module.sources.size(), "file", "files") << ", "
            << count(c.module.policies.size(), "policy", "policies") << ", "
            << count(c.module.settings.size(), "setting", "settings") << ") to "
            << options.output << " (" << bytes.size() << " bytes)\n";
        return int(exit_ok);
    });
}

int run_disasm(const DisasmOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        auto bytes = read_file(options.file);
        if (!bytes) {
            err << "switchyard: error: cannot read `" << options.file << "`\n";
            return int(exit_usage);
        }
        auto read = bytecode::read(*bytes);
        if (auto* e = std::get_if<bytecode::ReadError>(&read)) {
            err << "switchyard: error: `" << options.file << "` is refused: at byte " << e->offset << ": " << e->message << '\n';
            return int(exit_problems);
        }
        const auto& module = std::get<bytecode::Module>(read);
        // Everything the loader checks, policy overlaps included.
        auto loaded = vm::load_module(module);
        auto* refused = std::get_if<std::string>(&loaded);
        auto problem = refused ? std::optional<std::string>(*refused) : std::nullopt;
        // Source lines are shown when the file is still where it was compiled from, unchanged.
        auto sources = [](const bytecode::SourceFile& src) -> std::optional<std::string> {
            auto text = read_file(src.path);
            if (!text || bytecode::fnv1a(*text) != src.hash) return std::nullopt;
            return text;
        };
        // An unverified module may hold any index: it is not listed.
        if (problem) {
            err << "switchyard: error: `" << options.file << "` is refused by the verifier: " << *problem << '\n';
            return int(exit_problems);
        }
        out << "; " << options.file << ": verified\n";
        out << bytecode::disassemble(module, stdlib::builtin_schema(), sources);
        return int(exit_ok);
    });
}

int run_eval(const EvalOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        // Problems in the rules go to stderr: stdout holds only the decisions' JSON.
        auto image = options.ruleset.empty() ? load_image(compile_paths(options.rules, false, err, err).module, err)
                                             : load_ruleset_file(options.ruleset, err);
        auto json = parse_json_file(options.case_file, err);
        std::optional<engine::Case> kase;
        try {
            kase = engine::Case::from_json(*image, json);
        } catch (const engine::CaseError& e) {
            err << options.case_file << ": error: " << e.what() << '\n';
            return int(exit_usage);
        }
        engine::Engine engine(image);
        engine::Options run;
        run.explain = options.explain;
        if (options.budget > 0) run.budget = options.budget;
        const auto& decisions = engine.decide(*kase, run);
        pretty(out, engine.to_json(decisions, options.explain));
        out << '\n';
        bool failed = std::any_of(decisions.begin(), decisions.end(), [](const auto& d) { return !d.outcome.ok(); });
        return int(failed ? exit_problems : exit_ok);
    });
}

namespace {

// Runs the `test` blocks of a compiled module and reports each.
class TestRunner {
public:
    TestRunner(const Compiled& c, std::shared_ptr<const vm::Image> image, std::ostream& out)
        : c_(c), image_(std::move(image)), engine_(image_), out_(out) {}

    bool run_all(bool verbose) {
        const auto& m = image_->module();
        std::size_t failed = 0;
        for (const auto& t : m.tests) failed += run(t, verbose) ? 0 : 1;
        out_ << "\n" << m.tests.size() << (m.tests.size() == 1 ? " test" : " tests") << ", "
             << m.tests.size() - failed << " passed, " << failed << " failed\n";
        return failed == 0;
    }

    void report_coverage() {
        const auto& m = image_->module();
        std::size_t total = 0, never = 0;
        std::ostringstream list;
        for (std::size_t p = 0; p < m.policies.size(); ++p) {
            const auto& f = m.policies[p];
            for (std::size_t r = 0; r < f.rules.size(); ++r) {
                ++total;
                if (fired_.count({p, r})) continue;
                ++never;
                list << "  " << image_->rule_location(f, r) << "  " << source_line(f.file, f.rules[r].line) << '\n';
            }
        }
        out_ << "\ncoverage: " << total - never << " of " << total << " rules fired in some test";
        if (never) out_ << "; never fired:\n" << list.str();
        else out_ << '\n';
    }

private:
    std::string source_line(std::uint32_t file, std::uint32_t line) const {
        const auto& path = image_->module().sources[file].path;
        for (const auto& f : c_.ws.files) {
            if (f.path != path) continue;
            std::string text(c_.ws.sources.file(f.id).line_text(line));
            auto start = text.find_first_not_of(' ');
            return start == std::string::npos ? text : text.substr(start);
        }
        return {};
    }

    std::string where(std::uint32_t file, std::uint32_t line) const {
        return image_->module().sources[file].path + ":" + std::to_string(line);
    }

    // The kinds an expectation reads: the inputs of its footprint (checked by the verifier).
    static std::set<std::size_t> kinds_read(const bytecode::Function& f) {
        std::set<std::size_t> read;
        for (std::size_t k = 0; k < f.inputs; ++k)
            if (f.footprint.reads_input(k)) read.insert(k);
        return read;
    }

    bool run(const bytecode::Test& t, bool verbose) {
        std::optional<engine::Case> parsed;
        try {
            parsed = engine::Case::from_json(*image_, boost::json::parse(t.case_json));
        } catch (const std::exception& e) {
            out_ << "FAIL  " << where(t.file, t.line) << "  " << t.name << "\n      its case is refused: " << e.what() << '\n';
            return false;
        }
        const engine::Case& kase = *parsed;
        engine::Options options;
        options.explain = true;
        const auto& decisions = engine_.decide(kase, options);
        for (const auto& d : decisions) {
            if (d.outcome.ok()) fired_.insert({d.policy, d.outcome.rule});
            for (const auto& deferral : d.deferred) fired_.insert({deferral.policy, deferral.rule});  // `-> next`
        }
        std::vector<const engine::Decision*> by_kind(image_->schema().kinds().size(), nullptr);
        for (const auto& d : decisions)
            if (!by_kind[d.kind] || (!d.file && by_kind[d.kind]->file)) by_kind[d.kind] = &d;
        std::string failure;
        for (auto e : t.expects) {
            failure = check(image_->module().expectations[e], by_kind, kase.settings());
            if (!failure.empty()) break;
        }
        out_ << (failure.empty() ? "PASS  " : "FAIL  ") << where(t.file, t.line) << "  " << t.name << '\n';
        if (!failure.empty() || verbose) explain(failure, decisions);
        return failure.empty();
    }

    // Empty when the expectation holds; otherwise what went wrong.
    std::string check(const bytecode::Function& f, const std::vector<const engine::Decision*>& by_kind,
                      const std::vector<vm::Value>& settings) {
        const auto& kinds = image_->schema().kinds();
        std::string expectation = source_line(f.file, f.line) + "  (" + where(f.file, f.line) + ")";
        std::vector<vm::Value> inputs(kinds.size());
        for (auto k : kinds_read(f)) {
            const auto* d = by_kind[k];
            if (!d) return expectation + "\n      no `" + kinds[k].name + "` policy applies to this case";
            if (!d->outcome.ok()) return expectation + "\n      the `" + kinds[k].name + "` policy failed";
            inputs[k] = d->outcome.value;
        }
        vm::Inputs in{inputs.data(), settings.data(), nullptr};
        auto outcome = engine_.machine().run(f, in);
        if (!outcome.ok()) return expectation + "\n      the expectation could not be evaluated";
        return outcome.value.truth() ? std::string() : expectation;
    }

    void explain(const std::string& failure, const std::vector<engine::Decision>& decisions) {
        if (!failure.empty()) out_ << "      " << failure << '\n';
        auto json = engine_.to_json(decisions, true);
        for (const auto& d : json.at("decisions").as_array()) {
            const auto& o = d.as_object();
            out_ << "      " << o.at("kind").as_string().c_str();
            if (o.contains("value")) out_ << " = " << boost::json::serialize(o.at("value"));
            else out_ << ": " << o.at("error").as_string().c_str();
            out_ << "  (policy " << o.at("policy").as_string().c_str() << ")\n";
            if (const auto* deferred = o.if_contains("deferred")) {
                for (const auto& deferral : deferred->as_array()) {
                    out_ << "        deferred by policy " << deferral.at("policy").as_string().c_str() << ":\n";
                    trace(deferral.at("trace").as_array());
                }
                out_ << "        then policy " << o.at("policy").as_string().c_str() << ":\n";
            }
            trace(o.at("trace").as_array());
        }
    }

    // The rules a policy tried, each with its condition's value and its source line.
    void trace(const boost::json::array& steps) {
        for (const auto& step : steps) {
            const auto& s = step.as_object();
            std::string rule = s.at("rule").as_string().c_str();
            out_ << "        " << rule << "  ";
            if (s.contains("condition")) out_ << (s.at("condition").as_bool() ? "true " : "false");
            else out_ << "otherwise";
            auto colon = rule.rfind(':');
            std::string path = rule.substr(0, colon);
            for (std::size_t src = 0; src < image_->module().sources.size(); ++src)
                if (image_->module().sources[src].path == path)
                    out_ << "  " << source_line(static_cast<std::uint32_t>(src), std::stoul(rule.substr(colon + 1)));
            out_ << '\n';
        }
    }

    const Compiled& c_;
    std::shared_ptr<const vm::Image> image_;
    engine::Engine engine_;
    std::ostream& out_;
    std::set<std::pair<std::size_t, std::size_t>> fired_;
};

}  // namespace

int run_test(const TestOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        auto c = compile_paths(options.paths, true, out, err);
        auto image = load_image(c.module, err);
        TestRunner runner(c, image, out);
        bool passed = runner.run_all(options.verbose);
        if (options.coverage) runner.report_coverage();
        return int(passed ? exit_ok : exit_problems);
    });
}

}  // namespace switchyard::cli
