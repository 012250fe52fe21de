// Loading a compiled ruleset: read, verify, then build what the interpreter needs (constants
// as values, policy lookup tables). Nothing runs before all of it has succeeded.
#pragma once

#include "bytecode/module.hpp"
#include "runtime/vm/host.hpp"
#include "runtime/vm/value.hpp"
#include "stdlib/schema.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::vm {

// Checks that the code of a module cannot misbehave, whatever its bytes: every index in range,
// every jump inside its function, every register of the right type and written before it is
// read, every path ending in `ret` or `no_match`; and each function's footprint exactly what
// its code reads (bytecode/footprint.hpp). The first problem found, or nothing. What this
// promises the interpreter is written once, as the INVARIANT above its dispatch loop
// (machine.cpp). Loading (load, load_module) also refuses policies of one kind that apply to
// the same messages with no winner.
std::optional<std::string> verify(const bytecode::Module& module, const stdlib::Schema& schema);

// The scope values of one event: member indexes of each scope dimension's enum.
struct ScopeKey {
    std::vector<std::uint32_t> members;
};

class Image {
public:
    const bytecode::Module& module() const { return module_; }
    const stdlib::Schema& schema() const { return *schema_; }
    const Value& constant(std::uint32_t k) const { return constants_[k]; }
    const Value& default_setting(std::size_t s) const { return constants_[module_.settings[s].default_value]; }
    // A contact's custom fields when it has none set: a `contact_fields` record of the declared
    // defaults (Module::contact_fields), made once at load.
    const Value& contact_field_defaults() const { return contact_field_defaults_; }
    const Value& default_contact_field(std::size_t f) const { return constants_[module_.contact_fields[f].default_value]; }
    std::optional<std::size_t> contact_field_index(std::string_view name) const;
    const std::vector<std::string_view>& strings_of_set(std::size_t s) const { return set_strings_[s]; }
    HostFn host(std::size_t function) const { return hosts_[function]; }
    // For `get_arg`: the parameter of `constructor` that result field `field` of its result type
    // reads, or -1 when it has none (the verifier checked `field` against the result type).
    int argument_of(std::size_t constructor, std::size_t field) const { return argument_slots_[constructor][field]; }
    // The largest frame of any function: what an interpreter's register file must hold.
    std::size_t frame_size() const { return frame_size_; }

    // The policy of `kind` that applies to messages with these scope values, if any.
    const bytecode::Function* policy_for(std::size_t kind, const ScopeKey& key) const;
    std::optional<std::size_t> policy_index_for(std::size_t kind, const ScopeKey& key) const;
    // The same in two steps, for callers that ask every kind about one event: the key's row,
    // then the policy of each kind in it (-1 for none).
    std::optional<std::size_t> scope_row(const ScopeKey& key) const;
    std::int32_t policy_in_row(std::size_t kind, std::size_t row) const { return dispatch_[kind][row]; }
    // When `policy` defers (`-> next`): the policy of its kind that ranks next below it in the
    // row, -1 for none. Computed when asked (rarely: only on a deferral); allocates nothing.
    std::int32_t policy_after(std::size_t row, std::size_t policy) const;
    std::optional<std::size_t> setting_index(std::string_view name) const;
    // `path:line` of a policy, of one of its rules.
    std::string location(const bytecode::Function& f) const;
    std::string rule_location(const bytecode::Function& f, std::size_t rule) const;

private:
    friend std::variant<std::shared_ptr<const Image>, std::string> load(std::string_view, const stdlib::Schema&, bool);
    friend std::variant<std::shared_ptr<const Image>, std::string> load_module(bytecode::Module, const stdlib::Schema&);
    std::optional<std::string> prepare();
    void prepare_argument_slots();
    std::variant<std::int32_t, std::string> winner_for(std::size_t kind, const ScopeKey& key) const;
    Value materialize(const bytecode::Constant& c);
    std::size_t key_index(const ScopeKey& key) const;
    bool admits_row(const bytecode::Function& f, std::size_t row) const;

    bytecode::Module module_;
    const stdlib::Schema* schema_ = nullptr;
    std::vector<Value> constants_;
    std::vector<std::unique_ptr<Value[]>> parts_;  // the items of constant lists, records, variants
    std::vector<Value> contact_field_default_values_;
    Value contact_field_defaults_;
    std::vector<std::vector<std::string_view>> set_strings_;
    std::vector<std::size_t> dimension_sizes_;
    std::vector<std::vector<std::int32_t>> dispatch_;  // [kind][scope key] -> policy, or -1
    std::vector<HostFn> hosts_;                        // by schema function index; null for constructors
    std::vector<std::vector<int>> argument_slots_;     // [constructor][result field] -> parameter, or -1
    std::size_t frame_size_ = 0;
};

// Reads, verifies and prepares a compiled ruleset file; the reason when it is refused.
std::variant<std::shared_ptr<const Image>, std::string> load(std::string_view bytes,
                                                             const stdlib::Schema& schema = stdlib::builtin_schema(),
                                                             bool check_checksum = true);
// The same for a module compiled in memory (`switchyard eval --rules`, `switchyard test`).
std::variant<std::shared_ptr<const Image>, std::string> load_module(bytecode::Module module,
                                                                    const stdlib::Schema& schema = stdlib::builtin_schema());

}  // namespace switchyard::vm
