// The checker: policies as wholes. The rules of one policy against each other and its scope
// (rules that never fire, W0003; a policy that may yield no result, E0500), and the policies of
// one program against each other (overlap without an order, E0501; a policy that never applies,
// W0005). Both work on scopes and conditions as regions (coverage.hpp).
#include "compiler/checker_impl.hpp"
#include "compiler/coverage.hpp"

#include <algorithm>
#include <map>

namespace switchyard::compiler {

namespace {

Region universe_of(const Schema& schema, CoverageAnalysis& coverage, const std::vector<std::uint64_t>& bits) {
    std::vector<std::pair<std::string, std::uint64_t>> constrained;
    for (std::size_t d = 0; d < bits.size(); ++d) constrained.push_back({schema.dimensions()[d].path, bits[d]});
    return coverage.scope_region(constrained);
}

std::uint64_t all_members(std::size_t members) { return members >= 64 ? ~0ull : (1ull << members) - 1; }

class RuleAnalysis {
public:
    RuleAnalysis(const Schema& schema, common::DiagnosticBag& diagnostics, const dsl::PolicyDecl& p, FileId file)
        : schema_(schema), diagnostics_(diagnostics), policy_(p), file_(file), coverage_(schema) {}

    // Walks the rules keeping what no rule above takes (`rest`, nullopt once too complex to
    // tell): a rule that meets none of it never fires, and what is left at the end is what
    // `otherwise` would get.
    void run(const std::vector<std::uint64_t>& scope) {
        Region universe = universe_of(schema_, coverage_, scope);
        std::optional<Region> rest = universe;
        std::vector<std::optional<Region>> earlier;  // each rule's region, for the note on a dead one
        bool seen_otherwise = false;
        const auto& rules = policy_.rules;
        for (std::size_t i = 0; i < rules.size(); ++i) {
            const auto& rule = rules[i];
            if (seen_otherwise) {
                diagnostics_.report(Code::W0003, file_, rule.span, "rule can never fire: it comes after `otherwise`",
                                    "move `otherwise` to the end");
                continue;
            }
            if (rule.is_otherwise()) {
                seen_otherwise = true;
                if (rest && rest->empty() && i > 0)
                    diagnostics_.report(Code::W0003, file_, rule.span,
                                        "`otherwise` can never be reached: the rules above cover every case", "remove it");
                continue;
            }
            // The rule's region is not cut to the scope: `rest` is inside it already.
            std::optional<Region> r;
            if (!rule.condition->annotation.type.is_error()) r = coverage_.region_of(*rule.condition);
            if (r && rest) report_if_never_fires(i, *r, *rest, universe, earlier);
            if (r && rest) rest = coverage_.subtract(*rest, *r);
            else rest.reset();
            earlier.push_back(std::move(r));
        }
        // A policy that lost text to a syntax error may have lost the rules that cover the rest.
        if (!seen_otherwise && !policy_.incomplete) report_no_result(universe, rest);
    }

private:
    void report_no_result(const Region& universe, const std::optional<Region>& rest) {
        if (rest && rest->empty()) return;
        std::string why = "its rules are too complex to prove they cover every case";
        if (rest) {
            std::string example = coverage_.example(rest->front(), universe.front());
            why = example.empty() ? "its rules cover no case" : "no rule covers, for example, `" + example + "`";
        }
        diagnostics_.report(Code::E0500, file_, policy_.kind.span,
                            "`" + policy_.kind.name + "` policy may yield no result: " + why,
                            "add `otherwise -> ...` as its last rule");
    }

    void report_if_never_fires(std::size_t i, const Region& r, const Region& rest, const Region& universe,
                               const std::vector<std::optional<Region>>& earlier) {
        const auto& rule = policy_.rules[i];
        if (!coverage_.meets(r, universe)) {
            diagnostics_.report(Code::W0003, file_, rule.condition->span,
                                "rule can never fire: its condition is never true in this policy's scope");
            return;
        }
        if (coverage_.meets(r, rest)) return;
        auto& d = diagnostics_.report(Code::W0003, file_, rule.condition->span,
                                      "rule can never fire: earlier rules match every case it matches",
                                      "remove it, or move it above the rules that cover it");
        auto in_scope = coverage_.intersect(r, universe);
        for (std::size_t j = 0; j < earlier.size() && in_scope; ++j) {
            if (!earlier[j]) continue;
            auto alone = coverage_.subtract(*in_scope, *earlier[j]);
            if (alone && alone->empty()) {
                d.notes.push_back({file_, policy_.rules[j].span, "it is covered by this rule"});
                break;
            }
        }
    }

    const Schema& schema_;
    common::DiagnosticBag& diagnostics_;
    const dsl::PolicyDecl& policy_;
    FileId file_;
    // One analysis per policy: dimensions are keyed by their text, and a policy's `let x` must
    // not meet another policy's `let x` of another type.
    CoverageAnalysis coverage_;
};

// The events of a scope as a set of cells, one per combination of the scope dimensions' values:
// few enough (direction × transport × chat kind) that a union of scopes is a bitwise or.
class ScopeCells {
public:
    explicit ScopeCells(const Schema& schema) {
        for (const auto& d : schema.dimensions()) {
            sizes_.push_back(schema.enums()[d.enum_index].members.size());
            cells_ *= sizes_.back();
            if (cells_ > max_cells) return;
        }
    }
    bool usable() const { return cells_ <= max_cells; }

    using Set = std::vector<std::uint64_t>;
    Set of(const std::vector<std::uint64_t>& scope) const {
        Set set((cells_ + 63) / 64, 0);
        for (std::size_t cell = 0; cell < cells_; ++cell) {
            bool inside = true;
            for (std::size_t d = 0, rest = cell; d < sizes_.size() && inside; rest /= sizes_[d], ++d)
                inside = (scope[d] >> (rest % sizes_[d])) & 1;
            if (inside) set[cell / 64] |= 1ull << (cell % 64);
        }
        return set;
    }
    static void add(Set& into, const Set& more) {
        for (std::size_t i = 0; i < into.size(); ++i) into[i] |= more[i];
    }
    static bool contains(const Set& outer, const Set& inner) {
        for (std::size_t i = 0; i < outer.size(); ++i)
            if (inner[i] & ~outer[i]) return false;
        return true;
    }
    static bool adds_to(const Set& have, const Set& more, const Set& within) {
        for (std::size_t i = 0; i < have.size(); ++i)
            if (more[i] & within[i] & ~have[i]) return true;
        return false;
    }

private:
    static constexpr std::size_t max_cells = 1 << 16;
    std::vector<std::size_t> sizes_;
    std::size_t cells_ = 1;
};

bool strictly_inside(const CheckedPolicy& a, const CheckedPolicy& b) {
    bool a_in_b = true, b_in_a = true;
    for (std::size_t d = 0; d < a.scope.size(); ++d) {
        a_in_b &= (a.scope[d] & ~b.scope[d]) == 0;
        b_in_a &= (b.scope[d] & ~a.scope[d]) == 0;
    }
    return a_in_b && !b_in_a;
}

class PolicyOrder {
public:
    PolicyOrder(const Schema& schema, common::DiagnosticBag& diagnostics, const std::vector<CheckedPolicy>& policies)
        : schema_(schema), diagnostics_(diagnostics), policies_(policies) {
        defers_.reserve(policies.size());
        for (const auto& p : policies) defers_.push_back(can_defer(p));
    }

    // Only policies of one kind and priority can be ambiguous: pairs are looked for inside those
    // groups (a generated ruleset of 9,000 policies, each of its own priority, spent an eighth
    // of its check comparing every pair).
    void check_ambiguity() {
        std::map<std::pair<const stdlib::PolicyKindDecl*, std::int64_t>, std::vector<std::size_t>> groups;
        for (std::size_t i = 0; i < policies_.size(); ++i) groups[{policies_[i].kind, policies_[i].priority}].push_back(i);
        for (const auto& [key, members] : groups)
            for (std::size_t i = 0; i < members.size(); ++i)
                for (std::size_t j = i + 1; j < members.size(); ++j) check_pair(policies_[members[i]], policies_[members[j]]);
    }

    // A policy every event of whose scope goes to policies of higher priority never applies.
    // Narrower policies of the same priority that together cover a wider one are not reported:
    // that is how a fallback is written (`common.rules` has `delivery for outbound`, each
    // transport's file narrows it), and a program that imports fewer transports needs it.
    void check_never_applies() {
        ScopeCells cells(schema_);
        if (!cells.usable()) return;
        std::map<const stdlib::PolicyKindDecl*, std::vector<std::size_t>> by_kind;
        for (std::size_t i = 0; i < policies_.size(); ++i) by_kind[policies_[i].kind].push_back(i);
        for (auto& [kind, indices] : by_kind) {
            std::stable_sort(indices.begin(), indices.end(),
                             [&](std::size_t a, std::size_t b) { return policies_[a].priority > policies_[b].priority; });
            std::vector<ScopeCells::Set> sets;
            for (std::size_t i : indices) sets.push_back(cells.of(policies_[i].scope));
            check_kind(indices, sets);
        }
    }

private:
    void check_pair(const CheckedPolicy& a, const CheckedPolicy& b) {
        bool overlap = true;
        for (std::size_t d = 0; d < a.scope.size(); ++d) overlap &= (a.scope[d] & b.scope[d]) != 0;
        if (!overlap || strictly_inside(a, b) || strictly_inside(b, a)) return;
        bool same = a.scope == b.scope;
        auto& d = diagnostics_.report(
            Code::E0501, b.file, b.decl->kind.span,
            std::string(same ? "two `" : "`") + a.kind->name +
                (same ? "` policies have the same scope" : "` policies overlap without an order") +
                ": both may claim " + describe_overlap(a.scope, b.scope),
            "narrow one scope, or add `priority N` to the policy that should win (higher wins)");
        d.notes.push_back({a.file, a.decl->kind.span, "the other policy"});
    }

    // `indices` by priority, highest first, and the scope of each as cells.
    void check_kind(const std::vector<std::size_t>& indices, const std::vector<ScopeCells::Set>& sets) {
        if (sets.empty()) return;
        ScopeCells::Set higher(sets.front().size(), 0);
        for (std::size_t level = 0; level < indices.size();) {
            std::size_t end = level;
            while (end < indices.size() && policies_[indices[end]].priority == policies_[indices[level]].priority) ++end;
            for (std::size_t k = level; k < end; ++k)
                if (ScopeCells::contains(higher, sets[k])) report(indices, sets, k, level);
            // A policy that can defer (`-> next`) leaves its events to the policies below it.
            for (std::size_t k = level; k < end; ++k)
                if (!defers(indices[k])) ScopeCells::add(higher, sets[k]);
            level = end;
        }
    }

    static bool can_defer(const CheckedPolicy& p) {
        return std::any_of(p.decl->rules.begin(), p.decl->rules.end(), [](const dsl::Rule& r) { return r.defers(); });
    }
    // can_defer of each policy, found once: reporting a hidden policy asks it of many.
    bool defers(std::size_t policy) const { return defers_[policy]; }

    // Notes on the policies that hide policy `k` (those before `higher_end` have a higher
    // priority): one that hides it alone when there is one, else a few found from the highest
    // priority down that together do.
    void report(const std::vector<std::size_t>& indices, const std::vector<ScopeCells::Set>& sets, std::size_t k,
                std::size_t higher_end) {
        const CheckedPolicy& hidden = policies_[indices[k]];
        std::vector<std::size_t> shown;
        for (std::size_t n = 0; n < higher_end; ++n)
            if (!defers(indices[n]) && ScopeCells::contains(sets[n], sets[k])) {
                shown = {n};
                break;
            }
        if (shown.empty()) {
            ScopeCells::Set have(sets[k].size(), 0);
            for (std::size_t n = 0; n < higher_end; ++n) {
                if (defers(indices[n]) || !ScopeCells::adds_to(have, sets[n], sets[k])) continue;
                shown.push_back(n);
                ScopeCells::add(have, sets[n]);
                if (ScopeCells::contains(have, sets[k])) break;
            }
        }
        auto& d = diagnostics_.report(Code::W0005, hidden.file, hidden.decl->kind.span,
                                      "`" + hidden.kind->name + "` policy never applies: " +
                                          (shown.size() == 1 ? "another policy wins" : "other policies win") +
                                          " every event in its scope",
                                      "remove it, or give it a `priority` above the policies that hide it");
        for (std::size_t n : shown) {
            const CheckedPolicy& p = policies_[indices[n]];
            d.notes.push_back({p.file, p.decl->kind.span,
                               "hidden by this policy (priority " + std::to_string(p.priority) + " against " +
                                   std::to_string(hidden.priority) + ")"});
        }
    }

    std::string describe_overlap(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) const {
        std::string text;
        for (std::size_t d = 0; d < a.size(); ++d) {
            const auto& en = schema_.enums()[schema_.dimensions()[d].enum_index];
            std::uint64_t both = a[d] & b[d];
            if (d != 0 && both == all_members(en.members.size())) continue;
            std::string values;
            for (std::size_t m = 0; m < en.members.size(); ++m)
                if (both & (1ull << m)) values += (values.empty() ? "" : "/") + en.members[m];
            text += (text.empty() ? "" : " ") + values;
        }
        return text + " messages";
    }

    const Schema& schema_;
    common::DiagnosticBag& diagnostics_;
    const std::vector<CheckedPolicy>& policies_;
    std::vector<bool> defers_;
};

}  // namespace

void analyse_rules(const Schema& schema, common::DiagnosticBag& diagnostics, const dsl::PolicyDecl& p,
                   const std::vector<std::uint64_t>& scope, FileId file) {
    RuleAnalysis(schema, diagnostics, p, file).run(scope);
}

void check_policy_order(const Schema& schema, common::DiagnosticBag& diagnostics, const std::vector<CheckedPolicy>& policies) {
    PolicyOrder order(schema, diagnostics, policies);
    order.check_ambiguity();
    order.check_never_applies();
}

}  // namespace switchyard::compiler
