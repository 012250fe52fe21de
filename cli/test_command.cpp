// `switchyard test`: run the `test` blocks of a program, report each, and the rules they made fire.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/coverage_report.hpp"

#include "runtime/engine/engine.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <ostream>
#include <set>

namespace switchyard::cli {

namespace {

struct TestResult {
    const bytecode::Test* test;
    std::string failure;  // empty when it passed
};

// Runs the `test` blocks of a compiled module, reports each, and counts the rules that fired.
class TestRunner {
public:
    TestRunner(const Compiled& c, std::shared_ptr<const vm::Image> image, const TestOptions& options, std::ostream& out)
        : c_(c), image_(std::move(image)), engine_(image_), options_(options), out_(out) {}

    // Every test's result; in text, each is printed as it ends, then a summary.
    std::vector<TestResult> run_all() {
        std::vector<TestResult> results;
        for (const auto& t : image_->module().tests) results.push_back(run(t));
        if (options_.format == OutputFormat::text) {
            auto failed = count_failed(results);
            out_ << "\n" << results.size() << (results.size() == 1 ? " test" : " tests") << ", "
                 << results.size() - failed << " passed, " << failed << " failed\n";
        }
        return results;
    }

    CoverageReport coverage() const {
        std::vector<std::string> kinds;
        for (const auto& k : image_->schema().kinds()) kinds.push_back(k.name);
        return CoverageReport(image_->module(), kinds, fired_, reachable_policies(*image_),
                              [this](std::uint32_t file, std::uint32_t line) { return source_line(file, line); });
    }

    const std::string& path_of(std::uint32_t file) const { return image_->module().sources[file].path; }
    std::string where(std::uint32_t file, std::uint32_t line) const { return path_of(file) + ":" + std::to_string(line); }

    static std::size_t count_failed(const std::vector<TestResult>& results) {
        return static_cast<std::size_t>(
            std::count_if(results.begin(), results.end(), [](const TestResult& r) { return !r.failure.empty(); }));
    }

private:
    std::string source_line(std::uint32_t file, std::uint32_t line) const {
        const auto& path = image_->module().sources[file].path;
        for (const auto& f : c_.ws.files) {
            if (f.path != path) continue;
            return trimmed(c_.ws.sources.file(f.id).line_text(line));
        }
        return {};
    }

    // The kinds an expectation reads: the inputs of its footprint (checked by the verifier).
    static std::set<std::size_t> kinds_read(const bytecode::Function& f) {
        std::set<std::size_t> read;
        for (std::size_t k = 0; k < f.inputs; ++k)
            if (f.footprint.reads_input(k)) read.insert(k);
        return read;
    }

    TestResult run(const bytecode::Test& t) {
        std::optional<engine::Case> parsed;
        try {
            parsed = engine::Case::from_json(*image_, boost::json::parse(t.case_json));
        } catch (const std::exception& e) {
            return reported({&t, std::string("its case is refused: ") + e.what()}, {});
        }
        const engine::Case& kase = *parsed;
        engine::Options options;
        options.explain = true;
        options.read_values = true;
        const auto& decisions = engine_.decide(kase, options);
        for (const auto& d : decisions) {
            if (d.outcome.ok()) ++fired_[{d.policy, d.outcome.rule}];
            for (const auto& deferral : d.deferred) ++fired_[{deferral.policy, deferral.rule}];  // `-> next`
        }
        std::vector<const engine::Decision*> by_kind(image_->schema().kinds().size(), nullptr);
        for (const auto& d : decisions)
            if (!by_kind[d.kind] || (!d.file && by_kind[d.kind]->file)) by_kind[d.kind] = &d;
        std::string failure = unset_now(kase, decisions);
        for (auto e : t.expects) {
            if (!failure.empty()) break;
            failure = check(image_->module().expectations[e], by_kind, kase.settings());
        }
        return reported({&t, failure}, decisions);
    }

    // A policy that reads `now` in a test that does not set it would decide at 1970-01-01 and
    // could pass for the wrong reason: the test fails instead, naming the policy.
    std::string unset_now(const engine::Case& kase, const std::vector<engine::Decision>& decisions) const {
        const auto& schema = image_->schema();
        if (kase.given(engine::fact_index(schema, "now"))) return {};
        for (const auto& d : decisions) {
            const auto& kind = schema.kinds()[d.kind];
            const auto& policy = image_->module().policies[d.policy];
            for (std::size_t b = 0; b < kind.bindings.size(); ++b)
                if (kind.bindings[b].name == "now" && policy.footprint.reads_input(b))
                    return "the `" + kind.name + "` policy (" + image_->location(policy) +
                           ") reads `now`, which this test does not set: add `given now = 2026-12-07T10:00+03:00`";
        }
        return {};
    }

    TestResult reported(TestResult result, const std::vector<engine::Decision>& decisions) {
        if (options_.format != OutputFormat::text) return result;
        const auto& t = *result.test;
        bool passed = result.failure.empty();
        out_ << (passed ? "PASS  " : "FAIL  ") << where(t.file, t.line) << "  " << t.name << '\n';
        if (!passed) out_ << "      " << result.failure << '\n';
        if (!passed || options_.verbose) {
            auto json = engine_.to_json(decisions, true);
            write_decisions(out_, json.at("decisions").as_array(), source_of_rule(), "      ");
        }
        return result;
    }

    // The source line of `path:line`, for traces.
    RuleSource source_of_rule() const {
        return [this](const std::string& rule) -> std::string {
            auto [path, line] = split_rule_location(rule);
            const auto& sources = image_->module().sources;
            for (std::size_t src = 0; src < sources.size(); ++src)
                if (sources[src].path == path) return source_line(static_cast<std::uint32_t>(src), line);
            return {};
        };
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

    const Compiled& c_;
    std::shared_ptr<const vm::Image> image_;
    engine::Engine engine_;
    const TestOptions& options_;
    std::ostream& out_;
    CoverageReport::Counts fired_;
};

// The document of `test --format json` (docs/cli.md).
boost::json::object results_json(const TestRunner& runner, const std::vector<TestResult>& results) {
    boost::json::array tests;
    for (const auto& r : results) {
        boost::json::object o{{"name", r.test->name},
                              {"file", runner.path_of(r.test->file)},
                              {"line", r.test->line},
                              {"passed", r.failure.empty()}};
        if (!r.failure.empty()) o["failure"] = r.failure;
        tests.push_back(std::move(o));
    }
    auto failed = TestRunner::count_failed(results);
    return {{"tests", std::move(tests)}, {"passed", results.size() - failed}, {"failed", failed}};
}

}  // namespace

int run_test(const TestOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        bool json = options.format == OutputFormat::json;
        // In JSON, standard output holds only the document: the rules' diagnostics go to stderr.
        auto c = compile_paths(options.paths, true, json ? err : out, err);
        auto image = load_image(c.module, err);
        TestRunner runner(c, image, options, out);
        auto results = runner.run_all();
        bool passed = TestRunner::count_failed(results) == 0;
        bool covering = options.coverage || options.min_coverage;
        std::optional<CoverageReport> coverage;
        if (covering) coverage = runner.coverage();
        if (json) {
            auto doc = results_json(runner, results);
            if (coverage) doc["coverage"] = coverage->to_json();
            out << boost::json::serialize(doc) << '\n';
        } else if (coverage) {
            coverage->write_text(out);
        }
        std::string shortfall = options.min_coverage ? coverage->shortfall(*options.min_coverage) : "";
        (json ? err : out) << shortfall;
        return int(passed && shortfall.empty() ? exit_ok : exit_problems);
    });
}

}  // namespace switchyard::cli
