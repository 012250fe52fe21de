#include "runtime/engine/engine.hpp"
#include "runtime/engine/ruleset.hpp"

#include "bytecode/footprint.hpp"
#include "bytecode/serialize.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

namespace switchyard::engine {

using stdlib::Type;
using stdlib::TypeKind;
using vm::Value;

namespace {

// Every policy without `otherwise` ends in a no_match that the checker proved unreachable; a
// rule `-> next` adds one of its own.
bool has_next_rule(const bytecode::Function& f) {
    auto no_matches = std::count_if(f.code.begin(), f.code.end(), [](const bytecode::Instr& i) { return i.op == bytecode::Op::no_match; });
    bool has_otherwise = !f.rules.empty() && f.rules.back().otherwise;
    return no_matches > (has_otherwise ? 0 : 1);
}

// The field slots of a path such as `message.chat.kind`, after its first name.
std::vector<std::size_t> slots_of(const stdlib::Schema& schema, std::string_view path) {
    std::vector<std::size_t> slots;
    auto dot = path.find('.');
    std::string_view fact = path.substr(0, dot);
    stdlib::Type t = fact_type(schema, fact);
    while (dot != std::string_view::npos) {
        path.remove_prefix(dot + 1);
        dot = path.find('.');
        auto name = path.substr(0, dot);
        const auto& rec = schema.record_of(t);
        auto slot = *rec.find(name);
        slots.push_back(slot);
        t = rec.fields[slot].type;
    }
    return slots;
}

constexpr std::array<std::string_view, fact_count> fact_enum_names = {
    "message", "channel", "integration", "account", "now", "task", "contact", "conversation", "file", "employee", "reaction", "notice"};
constexpr std::array<std::string_view, kind_count> kind_enum_names = {
    "routing", "reopen", "notification", "attachment", "delivery", "command", "reaction", "quick_replies", "alert", "auto_reply"};

// engine::Fact and engine::Kind name indexes; a schema that moved them would make typed callers
// fill the wrong fact or read the wrong kind.
void check_fact_and_kind_order(const stdlib::Schema& schema) {
    const auto& facts = fact_names(schema);
    bool facts_match = facts.size() == fact_count && std::equal(facts.begin(), facts.end(), fact_enum_names.begin());
    bool kinds_match = schema.kinds().size() == kind_count;
    for (std::size_t k = 0; kinds_match && k < kind_count; ++k) kinds_match = schema.kinds()[k].name == kind_enum_names[k];
    if (!facts_match || !kinds_match)
        throw std::logic_error("engine::Fact or engine::Kind no longer match the schema's facts and policy kinds");
}

}  // namespace

boost::json::value fact_field_json(const Value& v, Type t, const vm::Image& image) {
    const auto& schema = image.schema();
    Type plain = t.without_optional();
    if (v.is_none() || plain.is_wrapped() || plain.base != TypeKind::record || !schema.record_of(plain).declared_by_rules)
        return value_to_json(v, t, schema);
    const auto& fields = image.module().contact_fields;
    boost::json::object o;
    for (std::size_t i = 0; i < fields.size() && i < v.len; ++i) o[fields[i].name] = value_to_json(v[i], fields[i].type, schema);
    return o;
}

std::size_t field_slot(const stdlib::Schema& schema, std::string_view record, std::string_view field) {
    return *schema.record_of(*schema.named_type(record)).find(field);
}

Engine::Engine(std::shared_ptr<const vm::Image> image) : image_(std::move(image)), machine_(*image_) {
    const auto& schema = image_->schema();
    check_fact_and_kind_order(schema);
    for (const auto& k : schema.kinds()) {
        std::vector<std::size_t> facts;
        for (const auto& b : k.bindings) facts.push_back(fact_index(schema, b.name));
        bindings_.push_back(std::move(facts));
    }
    for (const auto& d : schema.dimensions()) dimension_paths_.push_back(slots_of(schema, d.path));
    // docs/cases.md, "Which policies are asked": the fact (or field) a kind is about.
    for (const auto& k : schema.kinds()) {
        Subject subject;
        if (k.name == "reaction") subject.fact = fact_index(schema, "reaction");
        if (k.name == "alert") subject.fact = fact_index(schema, "notice");
        if (k.name == "quick_replies") subject.fact = fact_index(schema, "employee");
        subject.needs_command = k.name == "command";
        subjects_.push_back(subject);
    }
    const auto& policies = image_->module().policies;
    for (const auto& f : policies) {
        policy_locations_.push_back(image_->location(f));
        auto& rules = rule_locations_.emplace_back();
        for (std::size_t r = 0; r < f.rules.size(); ++r) rules.push_back(image_->rule_location(f, r));
        auto& fields = fields_read_.emplace_back();
        for (std::size_t b = 0; b < f.inputs; ++b) fields.push_back(bytecode::fields_read(f, b, schema));
        defers_.push_back(has_next_rule(f));
    }
    message_ = fact_index(schema, "message");
    file_ = fact_index(schema, "file");
    files_slot_ = field_slot(schema, "message", "files");
    command_slot_ = field_slot(schema, "message", "command");
}

// The scope values of the message pick one policy per kind: their row of the policy table.
std::optional<std::size_t> Engine::scope_row(const Case& c) const {
    const Value& message = c.fact(message_);
    key_.members.resize(dimension_paths_.size());
    for (std::size_t d = 0; d < dimension_paths_.size(); ++d) {
        const Value* v = &message;
        for (auto s : dimension_paths_[d]) v = &(*v)[s];
        key_.members[d] = static_cast<std::uint32_t>(v->i);
    }
    return image_->scope_row(key_);
}

const std::vector<Decision>& Engine::decide(const Case& c, const Options& options) {
    machine_.reset();
    decisions_.clear();
    auto row = scope_row(c);
    if (!row) return decisions_;
    for (std::size_t k = 0; k < subjects_.size(); ++k) {
        if (!(options.kinds & (KindSet(1) << k))) continue;
        if (image_->policy_in_row(k, *row) >= 0) decide_kind(c, k, *row, options);
    }
    return decisions_;
}

FactSet Engine::facts_read(const Case& c, KindSet kinds) const {
    FactSet out = bit(Fact::message);
    for_each_chosen(c, kinds, [&](std::size_t k, std::size_t policy) {
        const auto& f = image_->module().policies[policy];
        for (std::size_t b = 0; b < bindings_[k].size(); ++b)
            if (f.footprint.reads_input(b)) out |= FactSet(1) << bindings_[k][b];  // checked by the verifier
    });
    return out;
}

FactSet Engine::facts_needed(const Case& c, KindSet kinds) const {
    FactSet out = facts_read(c, kinds);
    for (std::size_t k = 0; k < subjects_.size(); ++k)
        if ((kinds & (KindSet(1) << k)) && subjects_[k].fact) out |= FactSet(1) << *subjects_[k].fact;
    return out;
}

FieldSet Engine::fields_read(const Case& c, KindSet kinds, Fact fact) const {
    FieldSet out = 0;
    for_each_chosen(c, kinds, [&](std::size_t k, std::size_t policy) {
        const auto& inputs = fields_read_[policy];
        for (std::size_t b = 0; b < bindings_[k].size() && b < inputs.size(); ++b)
            if (bindings_[k][b] == static_cast<std::size_t>(fact)) out |= inputs[b];
    });
    return out;
}

void Engine::decide_kind(const Case& c, std::size_t kind, std::size_t row, const Options& options) {
    const auto& decl = image_->schema().kinds()[kind];
    const Value& message = c.fact(message_);
    const Subject& subject = subjects_[kind];
    if (subject.fact && !c.given(*subject.fact)) return;
    if (subject.needs_command && message[command_slot_].is_none()) return;
    if (!decl.per_file) {
        run(c, kind, row, std::nullopt, options);
        return;
    }
    const Value& files = message[files_slot_];
    for (std::size_t f = 0; f < files.len; ++f) run(c, kind, row, f, options);
    if (files.len == 0 && c.given(file_)) run(c, kind, row, std::nullopt, options);
}

void Engine::run(const Case& c, std::size_t kind, std::size_t row, std::optional<std::size_t> file, const Options& options) {
    const auto& facts = bindings_[kind];
    inputs_.resize(facts.size());
    for (std::size_t b = 0; b < facts.size(); ++b)
        inputs_[b] = file && facts[b] == file_ ? c.fact(message_)[files_slot_][*file] : c.fact(facts[b]);
    Decision& d = decisions_.emplace_back();
    d.kind = kind;
    d.file = file;
    d.policy = static_cast<std::size_t>(image_->policy_in_row(kind, row));
    vm::Inputs in{inputs_.data(), c.settings().data(), &c.queries()};
    d.outcome = run_policy(d.policy, in, options, d.trace, d.seen);
    // `-> next`: the policy that would apply without this one decides, with the same inputs.
    while (d.outcome.failure == vm::Failure::no_match && can_defer(d.policy)) {
        auto next = image_->policy_after(row, d.policy);
        if (next < 0) break;  // the checker makes sure there is one (E0500); a hand-written file may not
        d.deferred.push_back({d.policy, d.outcome.rule, std::move(d.trace), std::move(d.seen)});
        d.trace.clear();
        d.seen.clear();
        d.policy = static_cast<std::size_t>(next);
        d.outcome = run_policy(d.policy, in, options, d.trace, d.seen);
    }
    if (options.explain && options.read_values) d.read = read_json(kind, d.policy);
}

// The server's path (no explanation, or a trace only) stays in the plain loop; only a person
// asking for values pays for the observing one.
vm::Outcome Engine::run_policy(std::size_t policy, const vm::Inputs& in, const Options& options,
                               std::vector<vm::TraceStep>& trace, std::vector<vm::Observation>& seen) {
    const auto& f = image_->module().policies[policy];
    if (!options.explain) return machine_.run(f, in, options.budget);
    if (!options.read_values) return machine_.run(f, in, options.budget, &trace);
    return machine_.run_observed(f, in, options.budget, &trace, seen);
}

// The facts a policy's code reads (its footprint), as values: a record fact by the fields it
// reads (`message.text`), any other fact whole (`now`). Built from this run's inputs, so it
// says what the policy saw.
boost::json::object Engine::read_json(std::size_t kind, std::size_t policy) const {
    const auto& schema = image_->schema();
    const auto& bindings = schema.kinds()[kind].bindings;
    const auto& f = image_->module().policies[policy];
    boost::json::object out;
    for (std::size_t b = 0; b < bindings.size(); ++b) {
        if (!f.footprint.reads_input(b)) continue;
        const auto& binding = bindings[b];
        Type t = binding.type;
        if (t.is_wrapped() || t.base != TypeKind::record) {
            out[binding.name] = value_to_json(inputs_[b], t, schema);
            continue;
        }
        const auto& record = schema.record_of(t);
        for (std::size_t slot = 0; slot < record.fields.size(); ++slot)
            if ((fields_read_[policy][b] >> slot) & 1)
                out[binding.name + "." + record.fields[slot].name] =
                    fact_field_json(inputs_[b][slot], record.fields[slot].type, *image_);
    }
    return out;
}

std::string Engine::failure_text(const Decision& d) const {
    const auto& f = image_->module().policies[d.policy];
    std::string rule = d.outcome.rule == bytecode::no_rule ? image_->location(f) : image_->rule_location(f, d.outcome.rule);
    switch (d.outcome.failure) {
        case vm::Failure::budget: return "instruction budget exceeded in rule " + rule;
        case vm::Failure::no_match: return "no rule matched in policy " + image_->location(f);
        case vm::Failure::internal: return "the compiled ruleset is corrupt (a list outgrew its room) in rule " + rule;
        case vm::Failure::none: break;
    }
    return {};
}

const std::string& Engine::rule_location(std::size_t policy, std::uint16_t rule) const {
    return rule == bytecode::no_rule ? policy_locations_[policy] : rule_locations_[policy][rule];
}

// Each rule tried; with values observed, the parts of its condition under it.
boost::json::array Engine::trace_json(std::size_t policy, const std::vector<vm::TraceStep>& steps,
                                      const std::vector<vm::Observation>& seen, const boost::json::storage_ptr& sp) const {
    std::vector<const Value*> values;
    if (!seen.empty()) {
        values.assign(image_->module().policies[policy].probes.size(), nullptr);
        for (const auto& o : seen) values[o.probe] = &o.value;
    }
    boost::json::array trace(sp);
    trace.reserve(steps.size());
    for (const auto& step : steps) {
        boost::json::object s(sp);
        s["rule"] = rule_location(policy, step.rule);
        if (step.condition >= 0) s["condition"] = step.condition == 1;
        if (!values.empty() && step.condition >= 0)
            if (auto parts = parts_json(policy, step.rule, bytecode::no_probe, values, sp); !parts.empty())
                s["parts"] = std::move(parts);
        trace.push_back(std::move(s));
    }
    return trace;
}

// The parts of a rule's condition whose parent is `parent`, in source order, each with its
// value, or `"evaluated": false` when `and`/`or` decided without it; then its own parts.
boost::json::array Engine::parts_json(std::size_t policy, std::uint16_t rule, std::uint16_t parent,
                                      const std::vector<const Value*>& values, const boost::json::storage_ptr& sp) const {
    const auto& probes = image_->module().policies[policy].probes;
    boost::json::array parts(sp);
    for (std::size_t k = 0; k < probes.size(); ++k) {
        const auto& p = probes[k];
        if (p.kind != bytecode::ProbeKind::part || p.rule != rule || p.parent != parent) continue;
        boost::json::object o(sp);
        o["part"] = p.text;
        if (values[k]) o["value"] = probe_value(policy, static_cast<std::uint32_t>(k), *values[k], sp);
        else o["evaluated"] = false;
        if (auto inner = parts_json(policy, rule, static_cast<std::uint16_t>(k), values, sp); !inner.empty())
            o["parts"] = std::move(inner);
        parts.push_back(std::move(o));
    }
    return parts;
}

// Each let the policy computed, in the order it first did: its name, where it is declared, its
// value. A top-level let is computed where it is used, perhaps more than once: it is shown once.
boost::json::array Engine::lets_json(std::size_t policy, const std::vector<vm::Observation>& seen,
                                     const boost::json::storage_ptr& sp) const {
    const auto& f = image_->module().policies[policy];
    boost::json::array lets(sp);
    std::vector<std::string_view> shown;
    for (const auto& o : seen) {
        const auto& p = f.probes[o.probe];
        if (p.kind != bytecode::ProbeKind::let || std::find(shown.begin(), shown.end(), p.text) != shown.end()) continue;
        shown.push_back(p.text);
        boost::json::object let(sp);
        let["let"] = p.text;
        let["at"] = image_->module().sources[p.file].path + ":" + std::to_string(p.line);
        let["value"] = probe_value(policy, o.probe, o.value, sp);
        lets.push_back(std::move(let));
    }
    return lets;
}

// A probe's value, typed by its register (the verifier proved it holds a value of that type).
boost::json::value Engine::probe_value(std::size_t policy, std::uint32_t probe, const Value& v,
                                       const boost::json::storage_ptr& sp) const {
    const auto& f = image_->module().policies[policy];
    return value_to_json(v, f.registers[f.probes[probe].reg].type, image_->schema(), sp);
}

boost::json::object Engine::decision_json(const Decision& d, bool explain, const boost::json::storage_ptr& sp) const {
    const auto& schema = image_->schema();
    const auto& f = image_->module().policies[d.policy];
    boost::json::object o(sp);
    o.reserve(explain ? 8 : 5);
    o["kind"] = schema.kinds()[d.kind].name;
    if (d.file) o["file"] = *d.file;
    o["policy"] = policy_locations_[d.policy];
    if (d.outcome.ok()) {
        o["rule"] = rule_location(d.policy, d.outcome.rule);
        o["value"] = value_to_json(d.outcome.value, f.result, schema, sp);
    } else {
        o["error"] = failure_text(d);
    }
    if (explain) o["trace"] = trace_json(d.policy, d.trace, d.seen, sp);
    if (explain && !d.read.empty()) o["read"] = boost::json::object(d.read, sp);
    if (explain && !d.seen.empty())
        if (auto lets = lets_json(d.policy, d.seen, sp); !lets.empty()) o["lets"] = std::move(lets);
    if (!d.deferred.empty()) o["deferred"] = deferred_json(d, explain, sp);
    return o;
}

// `-> next`: each policy that deferred, the rule that did, and with --explain its trace.
boost::json::array Engine::deferred_json(const Decision& d, bool explain, const boost::json::storage_ptr& sp) const {
    boost::json::array out(sp);
    for (const auto& deferral : d.deferred) {
        boost::json::object o(sp);
        o["policy"] = policy_locations_[deferral.policy];
        o["rule"] = rule_location(deferral.policy, deferral.rule);
        if (explain) o["trace"] = trace_json(deferral.policy, deferral.trace, deferral.seen, sp);
        if (explain && !deferral.seen.empty())
            if (auto lets = lets_json(deferral.policy, deferral.seen, sp); !lets.empty()) o["lets"] = std::move(lets);
        out.push_back(std::move(o));
    }
    return out;
}

boost::json::object Engine::to_json(const std::vector<Decision>& decisions, bool explain) const {
    boost::json::array list;
    for (const auto& d : decisions) list.push_back(decision_json(d, explain));
    boost::json::object out;
    out["ruleset"] = image_->module().name;
    out["decisions"] = std::move(list);
    return out;
}

const std::string& Engine::rule_of(const Decision& d) const { return rule_location(d.policy, d.outcome.rule); }

// What runs, not where it came from: the compiled file with its source files' paths, hashes and
// texts and the source hash left out (the same rules compiled from another folder, or with a comment
// added at the end of a file, are the same ruleset), and its tests (never run when serving).
// What is left is the code and its constants, the settings with their types and defaults, the
// rules' lines, the zones and the schema it was checked against: a change to any of them, by the
// rules or by the compiler, is another version.
std::string version_of(const vm::Image& image) {
    auto served = image.module();
    served.source_hash = 0;
    for (auto& source : served.sources) {
        source.path.clear();
        source.hash = 0;
        source.text.clear();
    }
    served.tests.clear();
    served.expectations.clear();
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(bytecode::fnv1a(bytecode::write(served))));
    return buf;
}

}  // namespace switchyard::engine
