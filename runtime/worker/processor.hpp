// Applying the events of one inbox row inside one store transaction: build the case, run the
// ruleset, apply the decisions, log them. Private to runtime/worker.
#pragma once

#include "runtime/adapters/event.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/store/store.hpp"
#include "runtime/worker/decided.hpp"
#include "runtime/worker/facts.hpp"

#include <optional>
#include <string>
#include <vector>

namespace switchyard::worker {

class Processor {
public:
    Processor(store::Work& work, const config::Config& config, const config::Integration& integration,
              const Employees& employees, engine::Engine& engine, const engine::Ruleset& ruleset,
              const store::InboxRow& row, std::int64_t now_ms);
    Processor(const Processor&) = delete;
    Processor& operator=(const Processor&) = delete;

    // Applies every event of the body; what was skipped or dropped, and why, for the row's note.
    std::string apply(const adapters::Parsed& parsed);

private:
    // The people of a message: who wrote it and the external person it is with.
    struct Actors {
        store::PersonRef author;
        json::object sender;                          // the author as a `person`
        std::optional<store::ContactRecord> contact;  // the contact who wrote, or who was written to
        const config::Employee* employee = nullptr;   // echo and outbound: the employee, when known
    };
    // Where routing put a message.
    struct Placed {
        store::ConversationRecord conversation;
        store::TaskRecord task;
        bool new_conversation = false;
        std::optional<std::string> linked_chat;     // linked_task routing: the chat
        const json::object* thread = nullptr;       // thread routing: its arguments
    };

    void event(const adapters::Event& e);
    void message(const adapters::Event& e);
    bool edit(const adapters::Message& m, std::int64_t at);
    void reaction(const adapters::Event& e);
    void business(const adapters::Event& e);
    void deleted(const adapters::Event& e);
    void member_change(const adapters::Event& e);
    void status(const adapters::Event& e);

    Actors actors(const adapters::Message& m, std::int64_t at);
    store::IdentityInput identity(std::string_view transport, const adapters::Person& person) const;
    store::IdentityInput counterpart(const adapters::Message& m) const;
    json::object mention(const adapters::Message& m, const adapters::Person& person);
    json::object message_fact(const adapters::Message& m, const Actors& a, const json::object& channel, std::int64_t at);
    json::object base_case(const json::object& message, const json::object& channel, std::int64_t at) const;
    json::object full_case(json::object base, const adapters::Message& m, const Actors& a, const Placed& p);
    json::object query_facts(const adapters::Message& m, const Actors& a, const Placed& p);

    std::optional<Placed> place(const adapters::Message& m, const Actors& a, const json::object& channel, const Run& run);
    std::optional<Placed> thread(const adapters::Message& m, const Actors& a, const json::object& channel,
                                 const json::object& args);
    std::optional<Placed> linked(const adapters::Message& m, const json::object& args);
    std::optional<Placed> latest(const adapters::Message& m);
    Placed placed_in(std::int64_t conversation, bool is_new);
    store::NewTask task_from(const Placed& p, const std::optional<store::ContactRecord>& contact,
                             const adapters::Message& m, std::int64_t at) const;
    void reopen(const adapters::Message& m, Placed& p, const Run& run, std::int64_t at);
    std::int64_t record_comment(const adapters::Message& m, const Actors& a, const Placed& p, const json::object& message,
                                const Run& run, std::int64_t at);

    Run decide(const json::object& kase);
    void log(const DecisionLog& log, const std::string& event, std::optional<std::int64_t> task,
             std::optional<std::int64_t> comment, std::optional<std::string> note);
    std::int64_t time_of(std::int64_t event_ms) const { return event_ms != 0 ? event_ms : row_.received_at_ms; }
    std::string chat_of(const adapters::Message& m) const;
    void note(std::string text) { notes_.push_back(std::move(text)); }

    store::Work& work_;
    const config::Integration& integration_;
    const Employees& employees_;
    engine::Engine& engine_;
    const engine::Ruleset& ruleset_;
    const store::InboxRow& row_;
    std::int64_t now_;
    Facts facts_;
    std::vector<std::string> notes_;
    std::string event_key_;  // of the event being applied
};

}  // namespace switchyard::worker
