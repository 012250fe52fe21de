#include "runtime/engine/engine.hpp"
#include "runtime/engine/ruleset.hpp"

#include <cstdio>

namespace switchyard::engine {

using vm::Value;

namespace {

// The field slots of a path such as `message.chat.kind`, after its first name.
std::vector<std::size_t> slots_of(const stdlib::Schema& schema, std::string_view path) {
    std::vector<std::size_t> slots;
    auto dot = path.find('.');
    std::string_view fact = path.substr(0, dot);
    stdlib::Type t = stdlib::types::error;
    for (const auto& k : schema.kinds())
        if (const auto* b = k.find_binding(fact)) t = b->type;
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

std::size_t slot(const stdlib::Schema& schema, std::string_view record, std::string_view field) {
    return *schema.record_of(*schema.named_type(record)).find(field);
}

}  // namespace

Engine::Engine(std::shared_ptr<const vm::Image> image) : image_(std::move(image)), machine_(*image_) {
    const auto& schema = image_->schema();
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
    message_ = fact_index(schema, "message");
    file_ = fact_index(schema, "file");
    files_slot_ = slot(schema, "message", "files");
    command_slot_ = slot(schema, "message", "command");
}

const std::vector<Decision>& Engine::decide(const Case& c, const Options& options) {
    machine_.reset();
    decisions_.clear();
    // The scope values of the message pick one policy per kind.
    const Value& message = c.fact(message_);
    key_.members.resize(dimension_paths_.size());
    for (std::size_t d = 0; d < dimension_paths_.size(); ++d) {
        const Value* v = &message;
        for (auto s : dimension_paths_[d]) v = &(*v)[s];
        key_.members[d] = static_cast<std::uint32_t>(v->i);
    }
    auto row = image_->scope_row(key_);
    if (!row) return decisions_;
    for (std::size_t k = 0; k < subjects_.size(); ++k) {
        auto policy = image_->policy_in_row(k, *row);
        if (policy >= 0) decide_kind(c, k, static_cast<std::size_t>(policy), options);
    }
    return decisions_;
}

void Engine::decide_kind(const Case& c, std::size_t kind, std::size_t policy, const Options& options) {
    const auto& decl = image_->schema().kinds()[kind];
    const Value& message = c.fact(message_);
    const Subject& subject = subjects_[kind];
    if (subject.fact && !c.given(*subject.fact)) return;
    if (subject.needs_command && message[command_slot_].is_none()) return;
    if (!decl.per_file) {
        run(c, kind, policy, std::nullopt, options);
        return;
    }
    const Value& files = message[files_slot_];
    for (std::size_t f = 0; f < files.len; ++f) run(c, kind, policy, f, options);
    if (files.len == 0 && c.given(file_)) run(c, kind, policy, std::nullopt, options);
}

void Engine::run(const Case& c, std::size_t kind, std::size_t policy, std::optional<std::size_t> file, const Options& options) {
    const auto& facts = bindings_[kind];
    inputs_.resize(facts.size());
    for (std::size_t b = 0; b < facts.size(); ++b)
        inputs_[b] = file && facts[b] == file_ ? c.fact(message_)[files_slot_][*file] : c.fact(facts[b]);
    Decision& d = decisions_.emplace_back();
    d.kind = kind;
    d.file = file;
    d.policy = policy;
    vm::Inputs in{inputs_.data(), c.settings().data(), &c.queries()};
    d.outcome = machine_.run(image_->module().policies[policy], in, options.budget, options.explain ? &d.trace : nullptr);
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

boost::json::object Engine::to_json(const std::vector<Decision>& decisions, bool explain) const {
    const auto& schema = image_->schema();
    boost::json::array list;
    for (const auto& d : decisions) {
        const auto& f = image_->module().policies[d.policy];
        boost::json::object o;
        o["kind"] = schema.kinds()[d.kind].name;
        if (d.file) o["file"] = *d.file;
        o["policy"] = image_->location(f);
        if (d.outcome.ok()) {
            o["rule"] = image_->rule_location(f, d.outcome.rule);
            o["value"] = value_to_json(d.outcome.value, f.result, schema);
        } else {
            o["error"] = failure_text(d);
        }
        if (explain) {
            boost::json::array trace;
            for (const auto& step : d.trace) {
                boost::json::object s;
                s["rule"] = image_->rule_location(f, step.rule);
                if (step.condition >= 0) s["condition"] = step.condition == 1;
                trace.push_back(std::move(s));
            }
            o["trace"] = std::move(trace);
        }
        list.push_back(std::move(o));
    }
    boost::json::object out;
    out["ruleset"] = image_->module().name;
    out["decisions"] = std::move(list);
    return out;
}

std::string version_of(const vm::Image& image) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(image.module().source_hash));
    return buf;
}

}  // namespace switchyard::engine
