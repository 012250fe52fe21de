// The engine: an event with its facts (a case) in, the decision of every policy kind out.
// No I/O: the CLI reads case files, the server builds cases from webhooks.
#pragma once

#include "runtime/vm/image.hpp"
#include "runtime/vm/machine.hpp"

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>
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

// One event and the facts its policies read, as VM values (docs/cases.md).
class Case {
public:
    // Throws CaseError for anything that does not fit the ruleset's schema and settings.
    static Case from_json(const vm::Image& image, const boost::json::value& json);

    const vm::Value& fact(std::size_t binding) const { return facts_[binding]; }
    bool given(std::size_t binding) const { return given_[binding]; }
    const std::vector<vm::Value>& settings() const { return settings_; }
    const CaseFacts& queries() const { return *queries_; }

private:
    friend class CaseReader;
    std::unique_ptr<vm::Arena> arena_ = std::make_unique<vm::Arena>(2048);
    std::vector<vm::Value> facts_;  // by fact name index (Engine::fact_names)
    std::vector<bool> given_;
    std::vector<vm::Value> settings_;
    std::unique_ptr<CaseFacts> queries_ = std::make_unique<CaseFacts>();
};

// Every fact name any policy kind binds, in a fixed order: the index Case::fact takes.
const std::vector<std::string>& fact_names(const stdlib::Schema& schema);
std::size_t fact_index(const stdlib::Schema& schema, std::string_view name);

struct Decision {
    std::size_t kind = 0;
    std::optional<std::size_t> file;  // per-file kinds: the index in message.files
    std::size_t policy = 0;
    vm::Outcome outcome;
    std::vector<vm::TraceStep> trace;
};

struct Options {
    bool explain = false;
    std::int64_t budget = vm::default_budget;
};

class Engine {
public:
    explicit Engine(std::shared_ptr<const vm::Image> image);

    // The decisions of every kind the case asks; their values live until the next decide().
    const std::vector<Decision>& decide(const Case& c, const Options& options = {});
    // The decisions object of docs/cases.md.
    boost::json::object to_json(const std::vector<Decision>& decisions, bool explain = false) const;
    // Runs a test expectation over the results of one case; nullopt when it failed to run.
    const vm::Image& image() const { return *image_; }
    vm::Machine& machine() { return machine_; }

private:
    void decide_kind(const Case& c, std::size_t kind, std::size_t policy, const Options& options);
    void run(const Case& c, std::size_t kind, std::size_t policy, std::optional<std::size_t> file, const Options& options);
    std::string failure_text(const Decision& d) const;

    std::shared_ptr<const vm::Image> image_;
    vm::Machine machine_;
    std::vector<Decision> decisions_;
    std::vector<vm::Value> inputs_;
    vm::ScopeKey key_;
    // A kind is asked only when its subject is present (docs/cases.md).
    struct Subject {
        std::optional<std::size_t> fact;  // a fact the case must give
        bool needs_command = false;       // `message.command` must not be none
    };
    std::vector<Subject> subjects_;
    std::vector<std::vector<std::size_t>> bindings_;  // per kind: the fact index of each binding
    std::vector<std::vector<std::size_t>> dimension_paths_;  // per dimension: field slots from `message`
    std::size_t message_ = 0, file_ = 0, files_slot_ = 0, command_slot_ = 0;
};

// A value as JSON (docs/cases.md, "The decisions").
boost::json::value value_to_json(const vm::Value& v, stdlib::Type type, const stdlib::Schema& schema);

}  // namespace switchyard::engine
