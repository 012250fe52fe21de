#include "cli/coverage_report.hpp"

#include <iomanip>
#include <ostream>
#include <sstream>

namespace switchyard::cli {

CoverageReport::CoverageReport(const bytecode::Module& module, const std::vector<std::string>& kind_names,
                               const Counts& fired, const SourceLine& source_line) {
    files_.resize(module.sources.size());
    for (std::size_t s = 0; s < module.sources.size(); ++s) files_[s].path = module.sources[s].path;
    for (std::size_t p = 0; p < module.policies.size(); ++p) {
        const auto& f = module.policies[p];
        PolicyCoverage policy{kind_names.at(f.kind), f.line, {}};
        for (std::size_t r = 0; r < f.rules.size(); ++r) {
            auto count = fired.find({p, r});
            RuleCoverage rule{f.rules[r].line, source_line(f.file, f.rules[r].line), count == fired.end() ? 0 : count->second};
            ++rules_;
            fired_ += rule.fired ? 1 : 0;
            policy.rules.push_back(std::move(rule));
        }
        files_.at(f.file).policies.push_back(std::move(policy));
    }
}

double CoverageReport::percent() const { return rules_ == 0 ? 100.0 : 100.0 * double(fired_) / double(rules_); }

std::string CoverageReport::never_fired_list() const {
    std::ostringstream list;
    for (const auto& file : files_)
        for (const auto& policy : file.policies)
            for (const auto& rule : policy.rules)
                if (!rule.fired) list << "  " << file.path << ':' << rule.line << "  " << rule.source << '\n';
    return list.str();
}

void CoverageReport::write_text(std::ostream& out) const {
    out << "\ncoverage: " << fired_ << " of " << rules_ << " rules fired in some test";
    if (fired_ < rules_) out << "; never fired:\n" << never_fired_list();
    else out << '\n';
}

boost::json::object CoverageReport::to_json() const {
    boost::json::array files;
    for (const auto& file : files_) {
        if (file.policies.empty()) continue;  // a file of settings and lets has no rules to cover
        std::size_t rules = 0, fired = 0;
        boost::json::array policies;
        for (const auto& policy : file.policies) {
            boost::json::array list;
            for (const auto& rule : policy.rules) {
                ++rules;
                fired += rule.fired ? 1 : 0;
                list.push_back({{"line", rule.line}, {"fired", rule.fired}, {"source", rule.source}});
            }
            policies.push_back({{"kind", policy.kind}, {"line", policy.line}, {"rules", std::move(list)}});
        }
        files.push_back({{"file", file.path}, {"rules", rules}, {"fired", fired}, {"policies", std::move(policies)}});
    }
    return {{"rules", rules_}, {"fired", fired_}, {"percent", percent()}, {"files", std::move(files)}};
}

std::string CoverageReport::shortfall(double minimum) const {
    if (percent() >= minimum) return {};
    std::ostringstream figure, threshold;
    figure << std::fixed << std::setprecision(1) << percent();
    threshold << minimum;  // as the user wrote it: `80`, `87.5`
    return "rule coverage " + figure.str() + "% is below --min-coverage " + threshold.str() + "%; " +
           std::to_string(rules_ - fired_) + " of " + std::to_string(rules_) + " rules never fired:\n" + never_fired_list();
}

}  // namespace switchyard::cli
