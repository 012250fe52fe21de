#include "cli/coverage_report.hpp"

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <sstream>

namespace switchyard::cli {

CoverageReport::CoverageReport(const bytecode::Module& module, const std::vector<std::string>& kind_names,
                               const Counts& fired, const std::vector<bool>& applies, const SourceLine& source_line) {
    files_.resize(module.sources.size());
    for (std::size_t s = 0; s < module.sources.size(); ++s) files_[s].path = module.sources[s].path;
    for (std::size_t p = 0; p < module.policies.size(); ++p) {
        const auto& f = module.policies[p];
        PolicyCoverage policy{kind_names.at(f.kind), f.line, source_line(f.file, f.line), applies.at(p), {}};
        for (std::size_t r = 0; r < f.rules.size(); ++r) {
            auto count = fired.find({p, r});
            RuleCoverage rule{f.rules[r].line, source_line(f.file, f.rules[r].line), count == fired.end() ? 0 : count->second};
            if (policy.applies) {
                ++rules_;
                fired_ += rule.fired ? 1 : 0;
            } else {
                ++not_counted_;
            }
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
                if (policy.applies && !rule.fired)
                    list << "  " << file.path << ':' << rule.line << "  " << rule.source << '\n';
    return list.str();
}

void CoverageReport::write_text(std::ostream& out) const {
    out << "\ncoverage: " << fired_ << " of " << rules_ << " rules fired in some test";
    if (fired_ < rules_) out << "; never fired:\n" << never_fired_list();
    else out << '\n';
    if (not_counted_ == 0) return;
    std::ostringstream list;
    std::size_t policies = 0;
    for (const auto& file : files_)
        for (const auto& policy : file.policies)
            if (!policy.applies) {
                ++policies;
                list << "  " << file.path << ':' << policy.line << "  " << policy.source << '\n';
            }
    bool one = policies == 1;
    out << "not counted: " << not_counted_ << (not_counted_ == 1 ? " rule" : " rules") << " of "
        << (one ? "a policy" : std::to_string(policies) + " policies")
        << " that no message of this program reaches (narrower or higher-priority policies of "
        << (one ? "its kind take its" : "their kind take their") << " whole scope):\n"
        << list.str();
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
                if (policy.applies) {
                    ++rules;
                    fired += rule.fired ? 1 : 0;
                }
                list.push_back({{"line", rule.line}, {"fired", rule.fired}, {"source", rule.source}});
            }
            policies.push_back(
                {{"kind", policy.kind}, {"line", policy.line}, {"applies", policy.applies}, {"rules", std::move(list)}});
        }
        files.push_back({{"file", file.path}, {"rules", rules}, {"fired", fired}, {"policies", std::move(policies)}});
    }
    return {{"rules", rules_},
            {"fired", fired_},
            {"percent", percent()},
            {"not_counted", not_counted_},
            {"files", std::move(files)}};
}

std::string CoverageReport::shortfall(double minimum) const {
    if (percent() >= minimum) return {};
    std::ostringstream figure, threshold;
    figure << std::fixed << std::setprecision(1) << percent();
    threshold << minimum;  // as the user wrote it: `80`, `87.5`
    return "rule coverage " + figure.str() + "% is below --min-coverage " + threshold.str() + "%; " +
           std::to_string(rules_ - fired_) + " of " + std::to_string(rules_) + " rules never fired:\n" + never_fired_list();
}

namespace {

// A rule `-> next` compiles to a `no_match` in place of its result, so a policy that has one
// holds more `no_match` than the one that ends a policy without `otherwise` (docs/bytecode.md;
// the engine tells them apart the same way).
bool can_defer(const bytecode::Function& f) {
    auto no_matches = std::count_if(f.code.begin(), f.code.end(),
                                    [](const bytecode::Instr& i) { return i.op == bytecode::Op::no_match; });
    bool has_otherwise = !f.rules.empty() && f.rules.back().otherwise;
    return no_matches > (has_otherwise ? 0 : 1);
}

}  // namespace

std::vector<bool> reachable_policies(const vm::Image& image) {
    const auto& schema = image.schema();
    const auto& policies = image.module().policies;
    std::size_t rows = 1;  // the rows of the policy table: every combination of scope values
    for (const auto& dimension : schema.dimensions()) rows *= schema.enums()[dimension.enum_index].members.size();
    std::vector<bool> reached(policies.size(), false);
    for (std::size_t kind = 0; kind < schema.kinds().size(); ++kind)
        for (std::size_t row = 0; row < rows; ++row)
            for (auto p = image.policy_in_row(kind, row); p >= 0;) {
                auto policy = static_cast<std::size_t>(p);
                reached[policy] = true;
                p = can_defer(policies[policy]) ? image.policy_after(row, policy) : -1;
            }
    return reached;
}

}  // namespace switchyard::cli
