// Which rules the `test` blocks made fire: counted while the tests run, reported as text or
// JSON, and held against `--min-coverage`.
#pragma once

#include "bytecode/module.hpp"

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

    CoverageReport(const bytecode::Module& module, const std::vector<std::string>& kind_names, const Counts& fired,
                   const SourceLine& source_line);

    std::size_t rules() const { return rules_; }
    std::size_t fired() const { return fired_; }
    // The share of rules that fired, 0 to 100; 100 when there are no rules.
    double percent() const;

    // `coverage: 3 of 4 rules fired in some test`, and the rules that never did.
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
};

}  // namespace switchyard::cli
