#include "runtime/engine/engine.hpp"

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
    for (std::size_t k = 0; k < image_->schema().kinds().size(); ++k) decide_kind(c, k, options);
    return decisions_;
}

void Engine::decide_kind(const Case& c, std::size_t kind, const Options& options) {
    const auto& schema = image_->schema();
    const auto& decl = schema.kinds()[kind];
    const Value& message = c.fact(message_);
    auto policy = image_->policy_index_for(kind, key_);
    if (!policy) return;
    auto given = [&](std::string_view fact) { return c.given(fact_index(schema, fact)); };
    if (decl.name == "reaction" && !given("reaction")) return;
    if (decl.name == "alert" && !given("notice")) return;
    if (decl.name == "quick_replies" && !given("employee")) return;
    if (decl.name == "command" && message[command_slot_].is_none()) return;
    if (!decl.per_file) {
        run(c, kind, *policy, std::nullopt, options);
        return;
    }
    const Value& files = message[files_slot_];
    for (std::size_t f = 0; f < files.len; ++f) run(c, kind, *policy, f, options);
    if (files.len == 0 && c.given(file_)) run(c, kind, *policy, std::nullopt, options);
}

void Engine::run(const Case& c, std::size_t kind, std::size_t policy, std::optional<std::size_t> file, const Options& options) {
    const auto& facts = bindings_[kind];
    inputs_.resize(facts.size());
    for (std::size_t b = 0; b < facts.size(); ++b)
        inputs_[b] = file && facts[b] == file_ ? c.fact(message_)[files_slot_][*file] : c.fact(facts[b]);
    Decision d{kind, file, policy, {}, {}};
    vm::Inputs in{inputs_.data(), c.settings().data(), &c.queries()};
    d.outcome = machine_.run(image_->module().policies[policy], in, options.budget, options.explain ? &d.trace : nullptr);
    decisions_.push_back(std::move(d));
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

}  // namespace switchyard::engine
