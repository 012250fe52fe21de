// The engine: an event with its facts (a case) in, the decision of every policy kind out.
// No I/O: the CLI reads case files, the server builds cases from webhooks.
#pragma once

#include "runtime/vm/image.hpp"
#include "runtime/vm/machine.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchyard::engine {

// A case that does not fit the schema; the message names the path (`message.chat.kind`).
struct CaseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class CaseReader;

// The fact queries of a case file (`facts.members`, `facts.roles`, `facts.history`).
class CaseFacts final : public vm::FactQueries {
public:
    bool member_of(const vm::Value& person, const vm::Value& chat) const override;
    bool has_role(const vm::Value& person, const vm::Value& task) const override;
    vm::Value last_message_with(const vm::Value& person) const override;

private:
    friend class CaseReader;
    std::map<std::int64_t, std::vector<std::int64_t>> members_;
    std::map<std::int64_t, std::vector<std::int64_t>> roles_;
    std::vector<vm::Value> history_;
    std::size_t person_id_ = 0, chat_id_ = 0, task_id_ = 0, sender_ = 0, participants_ = 0;
};

// The facts of a case, in the order of fact_names() (Engine's constructor checks the two agree).
enum class Fact : std::uint8_t { message, channel, integration, account, now, task, contact, conversation, file, employee, reaction, notice };
inline constexpr std::size_t fact_count = 12;
using FactSet = std::uint32_t;  // bit i: Fact i
constexpr FactSet bit(Fact f) { return FactSet(1) << static_cast<unsigned>(f); }
using FieldSet = std::uint64_t;  // bit i: the field in slot i of a record

// The policy kinds, in the schema's order (checked as above).
enum class Kind : std::uint8_t {
    routing, reopen, notification, attachment, delivery, command, reaction, quick_replies, alert, auto_reply
};
inline constexpr std::size_t kind_count = 10;
using KindSet = std::uint32_t;  // bit i: Kind i
constexpr KindSet bit(Kind k) { return KindSet(1) << static_cast<unsigned>(k); }
inline constexpr KindSet all_kinds = (KindSet(1) << kind_count) - 1;

// One event and the facts its policies read, as VM values (docs/cases.md).
class Case {
public:
    // Throws CaseError for anything that does not fit the ruleset's schema and settings.
    static Case from_json(const vm::Image& image, const boost::json::value& json);
    // A case to fill fact by fact (the worker): every fact at its default and not given, the
    // settings at their declared defaults, the fact queries answering from nothing.
    explicit Case(const vm::Image& image);
    Case(Case&&) noexcept = default;
    Case& operator=(Case&&) noexcept = default;

    const vm::Value& fact(std::size_t binding) const { return facts_[binding]; }
    const vm::Value& fact(Fact f) const { return facts_[static_cast<std::size_t>(f)]; }
    bool given(std::size_t binding) const { return given_[binding]; }
    const std::vector<vm::Value>& settings() const { return settings_; }
    const vm::FactQueries& queries() const { return queries_ ? *queries_ : *case_facts_; }

    // Filling a case: every fact back to its default, and what the last event built freed (the
    // arena keeps its blocks, so a case reused event after event stops allocating).
    void clear();
    // How many times clear() ran: a fact's value from before a clear() may point at memory
    // reused since, so equal values of different generations are not the same fact.
    std::uint64_t generation() const { return generation_; }
    void set(Fact f, const vm::Value& v);
    vm::Arena& arena() { return *arena_; }
    // Values that must outlive clear(): the settings of an integration, made once.
    vm::Arena& lasting_arena() { return *defaults_arena_; }
    void set_settings(const std::vector<vm::Value>& settings) { settings_.assign(settings.begin(), settings.end()); }
    // What member_of, has_role and last_message_with ask; null: the case's own `facts`.
    void set_queries(const vm::FactQueries* queries) { queries_ = queries; }
    // The queries set_queries() installed (null: the case's own).
    const vm::FactQueries* installed_queries() const { return queries_; }

private:
    Case() = default;
    friend class CaseReader;
    std::unique_ptr<vm::Arena> arena_ = std::make_unique<vm::Arena>(2048);
    std::unique_ptr<vm::Arena> defaults_arena_;
    std::vector<vm::Value> facts_;  // by fact name index (Engine::fact_names)
    std::vector<vm::Value> defaults_;
    std::vector<bool> given_;
    std::vector<vm::Value> settings_;
    std::unique_ptr<CaseFacts> case_facts_ = std::make_unique<CaseFacts>();
    const vm::FactQueries* queries_ = nullptr;
    std::uint64_t generation_ = 0;
};

// A contact's custom fields as `contact.fields` reads them (a `contact_fields` record), in the
// case's arena: each value the store keeps (JSON text, by field name) of a contact field the
// ruleset declares, the others at their declared defaults.
vm::Value contact_fields(const vm::Image& image, Case& c, std::span<const std::pair<std::string, std::string>> stored);

// Every fact name any policy kind binds, in a fixed order: the index Case::fact takes.
const std::vector<std::string>& fact_names(const stdlib::Schema& schema);
std::size_t fact_index(const stdlib::Schema& schema, std::string_view name);
// The type of the fact named so (the error type for no fact).
stdlib::Type fact_type(const stdlib::Schema& schema, std::string_view name);

// A policy that deferred (`-> next`) before the deciding one: which, by which rule, its trace.
struct Deferral {
    std::size_t policy = 0;
    std::uint16_t rule = 0;
    std::vector<vm::TraceStep> trace;
    std::vector<vm::Observation> seen;
};

struct Decision {
    std::size_t kind = 0;
    std::optional<std::size_t> file;  // per-file kinds: the index in message.files
    std::size_t policy = 0;           // the policy that decided (or failed)
    vm::Outcome outcome;
    std::vector<vm::TraceStep> trace;
    std::vector<Deferral> deferred;   // in order, those that deferred to the next before it
    // With Options::read_values: the facts the deciding policy's code reads, with their values
    // (`message.text`, `now`), by path.
    boost::json::object read;
    // With Options::read_values: the value of each let the deciding policy computed and of each
    // part of each condition it tried, as the VM computed them (the function's probes).
    std::vector<vm::Observation> seen;
};

struct Options {
    bool explain = false;
    // With explain: also the values behind the decision: what the deciding policy read
    // (Decision::read), its lets and its conditions' parts (Decision::seen). For people reading
    // one decision (`eval`, `test`): the policies run in the interpreter's slower observing
    // loop. The server's log keeps the trace only.
    bool read_values = false;
    std::int64_t budget = vm::default_budget;
    KindSet kinds = all_kinds;  // the kinds to decide; the others are not run
};

class Engine {
public:
    explicit Engine(std::shared_ptr<const vm::Image> image);

    // The decisions of every kind the case asks; their values live until the next decide().
    const std::vector<Decision>& decide(const Case& c, const Options& options = {});
    // The facts that the policies of `kinds` chosen for the case's message can read, from their
    // footprints (docs/bytecode.md): what a caller must fill before decide(). Only `message`
    // has to be set to ask.
    FactSet facts_read(const Case& c, KindSet kinds) const;
    // Those, and the facts whose presence decides whether a kind of `kinds` is asked at all
    // (`notice` for alert, docs/cases.md): everything deciding the case again needs.
    FactSet facts_needed(const Case& c, KindSet kinds) const;
    // The fields of `fact` that those policies read (bytecode::fields_read): a caller leaves
    // out a part of a fact that costs a query of its own when no policy reads it.
    FieldSet fields_read(const Case& c, KindSet kinds, Fact fact) const;
    // The decisions object of docs/cases.md.
    boost::json::object to_json(const std::vector<Decision>& decisions, bool explain = false) const;
    // One decision of it, built in `sp`.
    boost::json::object decision_json(const Decision& d, bool explain = false, const boost::json::storage_ptr& sp = {}) const;
    // Where the rule that decided is (`telegram.rules:12`), or why the policy failed.
    const std::string& rule_of(const Decision& d) const;
    std::string failure_text(const Decision& d) const;
    // Runs a test expectation over the results of one case; nullopt when it failed to run.
    const vm::Image& image() const { return *image_; }
    vm::Machine& machine() { return machine_; }

private:
    void decide_kind(const Case& c, std::size_t kind, std::size_t row, const Options& options);
    std::optional<std::size_t> scope_row(const Case& c) const;
    void run(const Case& c, std::size_t kind, std::size_t row, std::optional<std::size_t> file, const Options& options);
    // Whether a policy has a rule `-> next` (so a no_match in it defers rather than fails).
    bool can_defer(std::size_t policy) const { return defers_[policy]; }
    vm::Outcome run_policy(std::size_t policy, const vm::Inputs& in, const Options& options,
                           std::vector<vm::TraceStep>& trace, std::vector<vm::Observation>& seen);
    boost::json::array trace_json(std::size_t policy, const std::vector<vm::TraceStep>& steps,
                                  const std::vector<vm::Observation>& seen, const boost::json::storage_ptr& sp) const;
    boost::json::array lets_json(std::size_t policy, const std::vector<vm::Observation>& seen,
                                 const boost::json::storage_ptr& sp) const;
    boost::json::array parts_json(std::size_t policy, std::uint16_t rule, std::uint16_t parent,
                                  const std::vector<const vm::Value*>& values, const boost::json::storage_ptr& sp) const;
    boost::json::value probe_value(std::size_t policy, std::uint32_t probe, const vm::Value& v,
                                   const boost::json::storage_ptr& sp) const;
    boost::json::array deferred_json(const Decision& d, bool explain, const boost::json::storage_ptr& sp) const;
    boost::json::object read_json(std::size_t kind, std::size_t policy) const;
    // Calls `each(kind, policy)` for every kind of `kinds` with a policy chosen for the case's
    // message, and for each policy it can defer to (`-> next`), in turn.
    template <typename F>
    void for_each_chosen(const Case& c, KindSet kinds, F&& each) const {
        auto row = scope_row(c);
        if (!row) return;
        for (std::size_t k = 0; k < subjects_.size(); ++k) {
            if (!(kinds & (KindSet(1) << k))) continue;
            for (auto policy = image_->policy_in_row(k, *row); policy >= 0;) {
                auto p = static_cast<std::size_t>(policy);
                each(k, p);
                policy = can_defer(p) ? image_->policy_after(*row, p) : -1;
            }
        }
    }

    std::shared_ptr<const vm::Image> image_;
    vm::Machine machine_;
    std::vector<Decision> decisions_;
    std::vector<vm::Value> inputs_;
    mutable vm::ScopeKey key_;
    // A kind is asked only when its subject is present (docs/cases.md).
    struct Subject {
        std::optional<std::size_t> fact;  // a fact the case must give
        bool needs_command = false;       // `message.command` must not be none
    };
    std::vector<Subject> subjects_;
    std::vector<std::vector<std::size_t>> bindings_;  // per kind: the fact index of each binding
    std::vector<std::vector<std::size_t>> dimension_paths_;  // per dimension: field slots from `message`
    std::size_t message_ = 0, file_ = 0, files_slot_ = 0, command_slot_ = 0;
    // Where each policy and each of its rules is (`file:line`), made once: every decision names them.
    std::vector<std::string> policy_locations_;
    std::vector<std::vector<std::string>> rule_locations_;
    std::vector<std::vector<FieldSet>> fields_read_;  // per policy, per input
    std::vector<bool> defers_;                         // per policy: it has a rule `-> next`
    const std::string& rule_location(std::size_t policy, std::uint16_t rule) const;
};

// The slot of `field` in `record`, by the schema (both must exist).
std::size_t field_slot(const stdlib::Schema& schema, std::string_view record, std::string_view field);

// A field of a fact as JSON: value_to_json, but a record the rules declare (`contact.fields`)
// by the image's own fields, which the schema leaves to the rules.
boost::json::value fact_field_json(const vm::Value& v, stdlib::Type t, const vm::Image& image);

// A value as JSON (docs/cases.md, "The decisions").
// `sp`: where the JSON is built (a monotonic buffer saves an allocation per node).
boost::json::value value_to_json(const vm::Value& v, stdlib::Type type, const stdlib::Schema& schema,
                                 const boost::json::storage_ptr& sp = {});

}  // namespace switchyard::engine
