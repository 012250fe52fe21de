#include "runtime/vm/image.hpp"

#include "bytecode/serialize.hpp"

#include <algorithm>
#include <unordered_set>

namespace switchyard::vm {

namespace {

bool admits(const bytecode::Function& f, const ScopeKey& key) {
    for (std::size_t d = 0; d < key.members.size(); ++d)
        if (key.members[d] >= 64 || !((f.scope[d] >> key.members[d]) & 1)) return false;
    return true;
}

bool scope_within(const bytecode::Function& inner, const bytecode::Function& outer) {
    for (std::size_t d = 0; d < inner.scope.size(); ++d)
        if (inner.scope[d] & ~outer.scope[d]) return false;
    return true;
}

}  // namespace

Value Image::materialize(const bytecode::Constant& c) {
    switch (c.kind) {
        case bytecode::ConstKind::none: return Value::none();
        case bytecode::ConstKind::boolean: return Value::boolean(c.number != 0);
        case bytecode::ConstKind::integer: return Value::integer(c.number);
        case bytecode::ConstKind::string: return Value::string(c.text);
        default: break;
    }
    // Sets drop duplicates here too, so that a set constant written by hand behaves as one; by
    // hash, so that a set of 100,000 strings loads in linear time (a file could be hostile).
    auto parts = std::make_unique<Value[]>(c.parts.size() + 1);
    std::size_t n = 0;
    auto hash = [](const Value* v) { return hash_of(*v); };
    auto same = [](const Value* a, const Value* b) { return equal(*a, *b); };
    std::unordered_set<const Value*, decltype(hash), decltype(same)> seen(c.kind == bytecode::ConstKind::set ? c.parts.size() : 0,
                                                                         hash, same);
    for (auto p : c.parts) {
        parts[n] = constants_[p];
        if (c.kind != bytecode::ConstKind::set || seen.insert(&parts[n]).second) ++n;
    }
    const Value* items = parts.get();
    parts_.push_back(std::move(parts));
    switch (c.kind) {
        case bytecode::ConstKind::record: return Value::record(items, n);
        case bytecode::ConstKind::variant: return Value::variant(static_cast<std::uint16_t>(c.number), items, n);
        default: return Value::list(items, n);
    }
}

std::size_t Image::key_index(const ScopeKey& key) const {
    std::size_t index = 0;
    for (std::size_t d = 0; d < dimension_sizes_.size(); ++d) index = index * dimension_sizes_[d] + key.members[d];
    return index;
}

// The policy of `kind` that applies to `key`: the one that beats every other that admits it
// (a higher priority, or the same priority and a scope strictly inside), -1 when none admits
// it. Linear in the policies, so that a hostile file with many cannot stall loading.
std::variant<std::int32_t, std::string> Image::winner_for(std::size_t kind, const ScopeKey& key) const {
    const auto& policies = module_.policies;
    auto breadth = [](const bytecode::Function& f) {
        std::size_t n = 0;
        for (auto bits : f.scope) n += static_cast<std::size_t>(__builtin_popcountll(bits));
        return n;
    };
    std::int32_t winner = -1;
    for (std::size_t p = 0; p < policies.size(); ++p) {
        const auto& f = policies[p];
        if (f.kind != kind || !admits(f, key)) continue;
        if (winner < 0) {
            winner = static_cast<std::int32_t>(p);
            continue;
        }
        const auto& best = policies[std::size_t(winner)];
        if (f.priority > best.priority || (f.priority == best.priority && breadth(f) < breadth(best)))
            winner = static_cast<std::int32_t>(p);
    }
    if (winner < 0) return winner;
    const auto& w = policies[std::size_t(winner)];
    for (std::size_t q = 0; q < policies.size(); ++q) {
        const auto& other = policies[q];
        if (q == std::size_t(winner) || other.kind != kind || !admits(other, key) || other.priority != w.priority) continue;
        if (!scope_within(w, other) || scope_within(other, w))
            return "policies " + location(w) + " and " + location(other) +
                   " both apply to some messages and neither wins: give one a higher priority";
    }
    return winner;
}

// `get_arg` reads a result's argument by the name of a result field: which parameter that is
// depends on the constructor, so each constructor gets its row once, here.
void Image::prepare_argument_slots() {
    const auto& functions = schema_->functions();
    argument_slots_.resize(functions.size());
    for (std::size_t v = 0; v < schema_->variants().size(); ++v) {
        auto fields = schema_->result_fields(v);
        for (std::size_t c : schema_->variants()[v].constructors)
            for (const auto& field : fields) {
                auto p = schema_->result_field_param(c, field.name);
                argument_slots_[c].push_back(p ? static_cast<int>(*p) : -1);
            }
    }
}

namespace {

std::size_t breadth_of(const bytecode::Function& f) {
    std::size_t n = 0;
    for (auto bits : f.scope) n += static_cast<std::size_t>(__builtin_popcountll(bits));
    return n;
}

// `q` would apply only where `p` did not: a lower priority, or a wider scope at the same one.
bool ranks_below(const bytecode::Function& q, const bytecode::Function& p) {
    return q.priority < p.priority || (q.priority == p.priority && breadth_of(q) > breadth_of(p));
}

}  // namespace

bool Image::admits_row(const bytecode::Function& f, std::size_t row) const {
    for (std::size_t d = dimension_sizes_.size(); d-- > 0;) {
        auto member = row % dimension_sizes_[d];
        row /= dimension_sizes_[d];
        if (d >= f.scope.size() || !((f.scope[d] >> member) & 1)) return false;
    }
    return true;
}

std::int32_t Image::policy_after(std::size_t row, std::size_t policy) const {
    const auto& policies = module_.policies;
    const auto& deferring = policies[policy];
    std::int32_t next = -1;
    for (std::size_t q = 0; q < policies.size(); ++q) {
        const auto& f = policies[q];
        if (q == policy || f.kind != deferring.kind || !ranks_below(f, deferring) || !admits_row(f, row)) continue;
        if (next < 0 || ranks_below(policies[std::size_t(next)], f)) next = static_cast<std::int32_t>(q);
    }
    return next;
}

std::optional<std::string> Image::prepare() {
    if (auto problem = verify(module_, *schema_)) return problem;
    constants_.reserve(module_.constants.size());
    for (const auto& c : module_.constants) constants_.push_back(materialize(c));
    for (std::size_t f = 0; f < module_.contact_fields.size(); ++f)
        contact_field_default_values_.push_back(default_contact_field(f));
    contact_field_defaults_ = Value::record(contact_field_default_values_.data(), contact_field_default_values_.size());
    for (const auto& s : module_.sets) {
        std::vector<std::string_view> views(s.strings.begin(), s.strings.end());
        set_strings_.push_back(std::move(views));
    }
    for (const auto& fn : schema_->functions()) hosts_.push_back(find_host_function(fn.name));
    prepare_argument_slots();
    for (const auto* functions : {&module_.policies, &module_.expectations})
        for (const auto& f : *functions) frame_size_ = std::max(frame_size_, f.registers.size());
    for (const auto& dim : schema_->dimensions()) dimension_sizes_.push_back(schema_->enums()[dim.enum_index].members.size());
    std::size_t keys = 1;
    for (auto n : dimension_sizes_) keys *= n;
    dispatch_.assign(schema_->kinds().size(), std::vector<std::int32_t>(keys, -1));
    ScopeKey key;
    key.members.resize(dimension_sizes_.size());
    for (std::size_t k = 0; k < keys; ++k) {
        std::size_t rest = k;
        for (std::size_t d = dimension_sizes_.size(); d-- > 0;) {
            key.members[d] = static_cast<std::uint32_t>(rest % dimension_sizes_[d]);
            rest /= dimension_sizes_[d];
        }
        for (std::size_t kind = 0; kind < dispatch_.size(); ++kind) {
            auto winner = winner_for(kind, key);
            if (auto* problem = std::get_if<std::string>(&winner)) return *problem;
            dispatch_[kind][k] = std::get<std::int32_t>(winner);
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> Image::scope_row(const ScopeKey& key) const {
    if (key.members.size() != dimension_sizes_.size()) return std::nullopt;
    for (std::size_t d = 0; d < key.members.size(); ++d)
        if (key.members[d] >= dimension_sizes_[d]) return std::nullopt;
    return key_index(key);
}

std::optional<std::size_t> Image::policy_index_for(std::size_t kind, const ScopeKey& key) const {
    auto row = scope_row(key);
    if (kind >= dispatch_.size() || !row) return std::nullopt;
    auto slot = dispatch_[kind][*row];
    if (slot < 0) return std::nullopt;
    return static_cast<std::size_t>(slot);
}

const bytecode::Function* Image::policy_for(std::size_t kind, const ScopeKey& key) const {
    auto p = policy_index_for(kind, key);
    return p ? &module_.policies[*p] : nullptr;
}

std::optional<std::size_t> Image::setting_index(std::string_view name) const {
    for (std::size_t s = 0; s < module_.settings.size(); ++s)
        if (module_.settings[s].name == name) return s;
    return std::nullopt;
}

std::optional<std::size_t> Image::contact_field_index(std::string_view name) const {
    for (std::size_t f = 0; f < module_.contact_fields.size(); ++f)
        if (module_.contact_fields[f].name == name) return f;
    return std::nullopt;
}

std::string Image::location(const bytecode::Function& f) const {
    return module_.sources[f.file].path + ":" + std::to_string(f.line);
}

std::string Image::rule_location(const bytecode::Function& f, std::size_t rule) const {
    return module_.sources[f.file].path + ":" + std::to_string(f.rules.at(rule).line);
}

std::variant<std::shared_ptr<const Image>, std::string> load_module(bytecode::Module module, const stdlib::Schema& schema) {
    auto image = std::make_shared<Image>();
    image->module_ = std::move(module);
    image->schema_ = &schema;
    if (auto problem = image->prepare()) return *problem;
    return std::shared_ptr<const Image>(std::move(image));
}

std::variant<std::shared_ptr<const Image>, std::string> load(std::string_view bytes, const stdlib::Schema& schema,
                                                             bool check_checksum) {
    auto read = bytecode::read(bytes, check_checksum);
    if (auto* error = std::get_if<bytecode::ReadError>(&read))
        return "at byte " + std::to_string(error->offset) + ": " + error->message;
    return load_module(std::move(std::get<bytecode::Module>(read)), schema);
}

}  // namespace switchyard::vm
