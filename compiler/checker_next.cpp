// The checker: `-> next`. A rule that defers hands the message to the policy that would apply
// if this one did not: the next of its kind by priority, then by scope (narrowest first). Scopes
// are small (3 directions x 3 transports x 6 chat kinds), so every message a deferring policy
// sees is tried: each must have a policy that ranks below it.
#include "compiler/checker.hpp"
#include "compiler/checker_impl.hpp"

#include <bit>

namespace switchyard::compiler {

namespace {

std::uint64_t scope_size(const CheckedPolicy& p) {
    std::uint64_t n = 1;
    for (auto bits : p.scope) n *= static_cast<std::uint64_t>(std::popcount(bits));
    return n;
}

bool admits(const CheckedPolicy& p, const std::vector<std::size_t>& event) {
    for (std::size_t d = 0; d < event.size(); ++d)
        if (!((p.scope[d] >> event[d]) & 1)) return false;
    return true;
}

// Overlapping policies of one priority are strictly nested (else E0501): the wider ranks below.
bool ranks_below(const CheckedPolicy& q, const CheckedPolicy& p) {
    return q.priority < p.priority || (q.priority == p.priority && scope_size(q) > scope_size(p));
}

bool has_next(const std::vector<CheckedPolicy>& policies, const CheckedPolicy& p, const std::vector<std::size_t>& event) {
    for (const auto& q : policies)
        if (&q != &p && q.kind == p.kind && admits(q, event) && ranks_below(q, p)) return true;
    return false;
}

// The first message of `p`'s scope (in schema order) with no policy below it, if any.
std::optional<std::vector<std::size_t>> message_without_next(const std::vector<CheckedPolicy>& policies,
                                                              const CheckedPolicy& p, const Schema& schema) {
    std::vector<std::size_t> sizes;
    for (const auto& dim : schema.dimensions()) sizes.push_back(schema.enums()[dim.enum_index].members.size());
    std::vector<std::size_t> event(sizes.size(), 0);
    while (true) {
        if (admits(p, event) && !has_next(policies, p, event)) return event;
        std::size_t d = 0;
        while (d < sizes.size() && ++event[d] == sizes[d]) event[d++] = 0;
        if (d == sizes.size()) return std::nullopt;
    }
}

std::string describe(const std::vector<std::size_t>& event, const Schema& schema) {
    std::string text;
    for (std::size_t d = 0; d < event.size(); ++d)
        text += schema.enums()[schema.dimensions()[d].enum_index].members[event[d]] + " ";
    return text + "messages";
}

}  // namespace

void check_deferrals(const std::vector<CheckedPolicy>& policies, const Schema& schema,
                     common::DiagnosticBag& diagnostics) {
    for (const auto& p : policies) {
        const dsl::Rule* deferring = nullptr;
        for (const auto& rule : p.decl->rules)
            if (!deferring && rule.defers()) deferring = &rule;
        if (!deferring) continue;
        auto event = message_without_next(policies, p, schema);
        if (!event) continue;
        diagnostics.report(Code::E0500, p.file, deferring->result->span,
                           "`next` has nothing to defer to: no other `" + p.kind->name +
                               "` policy ranks below this one for " + describe(*event, schema),
                           "add a policy of lower priority (or of a wider scope) that covers them, or give a result");
    }
}

}  // namespace switchyard::compiler
