// Which rules the `test` blocks made fire: counted while the tests run, reported as text or
// JSON, and held against `--min-coverage`.
#pragma once

#include "bytecode/module.hpp"
#include "runtime/vm/image.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::cli {

struct RuleCoverage {
    std::uint32_t line = 0;
    std::string source;     // the rule's source line, trimmed; empty when the file is not at hand
    std::size_t fired = 0;  // how many decisions it made across all tests
};

struct PolicyCoverage {
    std::string kind;
    std::uint32_t line = 0;  // of the `policy` keyword
    std::string source;      // its `policy ...` line, trimmed
    bool applies = true;     // false: no message of the program reaches it, so its rules are not counted
    std::vector<RuleCoverage> rules;
};

struct FileCoverage {
    std::string path;
    std::vector<PolicyCoverage> policies;
};

class CoverageReport {
public:
    // (policy index, rule index) -> decisions it made.
    using Counts = std::map<std::pair<std::size_t, std::size_t>, std::size_t>;
    // The trimmed text of a source line, from the file's path and the line number.
    using SourceLine = std::function<std::string(std::uint32_t file, std::uint32_t line)>;

    // `applies[p]`: whether policy p decides for some message of the program (see
    // reachable_policies); the rules of one that does not are listed apart and not counted.
    CoverageReport(const bytecode::Module& module, const std::vector<std::string>& kind_names, const Counts& fired,
                   const std::vector<bool>& applies, const SourceLine& source_line);

    // The rules counted: those of the policies that apply to some message.
    std::size_t rules() const { return rules_; }
    std::size_t fired() const { return fired_; }
    // The rules of policies that apply to no message of the program: no test can make them fire.
    std::size_t not_counted() const { return not_counted_; }
    // The share of the counted rules that fired, 0 to 100; 100 when there are none.
    double percent() const;

    // `coverage: 3 of 4 rules fired in some test`, the rules that never did, and the policies
    // whose rules are not counted.
    void write_text(std::ostream& out) const;
    // The "coverage" object of docs/cli.md.
    boost::json::object to_json() const;
    // When the coverage is below `minimum` (a percentage): the figure, the threshold and the
    // rules that never fired; empty otherwise.
    std::string shortfall(double minimum) const;

private:
    // `  rules/x.rules:12  when ... -> ...`: a line per rule that never fired.
    std::string never_fired_list() const;

    std::vector<FileCoverage> files_;
    std::size_t rules_ = 0;
    std::size_t fired_ = 0;
    std::size_t not_counted_ = 0;
};

// Which policies of the module decide for some message: for each kind and each combination of
// scope values, the policy the table picks, then each one it can defer to (`-> next`) in turn.
// A policy that none of these reaches (a fallback whose every message a narrower policy takes,
// or one that a higher priority hides) has rules that no test can make fire.
std::vector<bool> reachable_policies(const vm::Image& image);

}  // namespace switchyard::cli
