// Applying the events of one inbox row inside the worker's transaction: build the case straight
// from the event and the store (no JSON), run the ruleset, apply its typed decisions, log them.
// Private to runtime/worker.
#pragma once

#include "runtime/adapters/event.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/engine/records.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/engine/typed.hpp"
#include "runtime/store/store.hpp"
#include "runtime/worker/decided.hpp"
#include "runtime/worker/facts.hpp"
#include "runtime/worker/queries.hpp"

#include <map>
#include <memory>
#include <span>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::worker {

// What deciding needs for one ruleset, made once and reused row after row, so that a message
// in steady state allocates little: the engine (its VM and arena), the readers and writers of
// typed records, and one case that is cleared and filled again for each event.
class Deciding {
public:
    explicit Deciding(std::shared_ptr<const engine::Ruleset> ruleset);

    const engine::Ruleset& ruleset() const { return *ruleset_; }
    const std::shared_ptr<const engine::Ruleset>& shared() const { return ruleset_; }
    engine::Engine& engine() { return engine_; }
    const records::RecordWriter& writer() const { return writer_; }
    const engine::DecisionReader& reader() const { return reader_; }
    engine::Case& kase() { return case_; }
    // The fact queries of the case, recorded for the decision log (engine/recorded.hpp).
    engine::RecordingQueries& recording() { return recording_; }
    // Room for the JSON of one event's decision log: built there, it costs no allocation.
    std::span<unsigned char> log_buffer() { return {log_buffer_.get(), log_buffer_size}; }
    // The integration's setting values (its `settings` table against this ruleset's settings),
    // read once. Throws engine::CaseError for a value the ruleset does not take.
    const std::vector<vm::Value>& settings_for(const config::Config& config, const config::Integration& integration);
    // Whether the policies of `kinds` chosen for the case's message read a task's history or a
    // contact's tags (the parts that cost a query of their own).
    bool reads_history(engine::KindSet kinds) const;
    bool reads_tags(engine::KindSet kinds) const;
    bool reads_contact_fields(engine::KindSet kinds) const;
    // A contact's custom fields for `contact.fields`: read from the store when a policy of
    // `kinds` chosen for the case's message reads them, else the declared defaults (no query).
    vm::Value contact_fields(engine::KindSet kinds, store::Work& work, std::int64_t contact);

private:
    std::shared_ptr<const engine::Ruleset> ruleset_;
    engine::Engine engine_;
    records::RecordWriter writer_;
    engine::DecisionReader reader_;
    engine::Case case_;
    engine::RecordingQueries recording_;
    std::size_t history_slot_, tags_slot_, fields_slot_;
    std::map<std::string, engine::Case, std::less<>> settings_;  // per integration: a case holding its settings
    static constexpr std::size_t log_buffer_size = 64 * 1024;
    std::unique_ptr<unsigned char[]> log_buffer_ = std::make_unique<unsigned char[]>(log_buffer_size);
};

class Processor {
public:
    Processor(store::Work& work, const config::Config& config, const config::Integration& integration,
              const Employees& employees, Deciding& deciding, const store::InboxRow& row, std::int64_t now_ms);
    ~Processor();
    Processor(const Processor&) = delete;
    Processor& operator=(const Processor&) = delete;

    // Applies every event of the body; what was skipped or dropped, and why, for the row's note.
    std::string apply(const adapters::Parsed& parsed);
    // Outbox rows and file downloads this row queued: the worker wakes their threads after the
    // commit.
    std::size_t queued() const { return queued_; }
    // Messages on a Wazzup channel the configuration does not list: recorded, nothing created.
    std::size_t unknown_channel_messages() const { return unknown_channels_; }

private:
    // The people of a message: who wrote it and the external person it is with.
    struct Actors {
        store::PersonRef author;
        std::optional<store::ContactRecord> contact;  // the contact who wrote, or who was written to
        const config::Employee* employee = nullptr;   // echo and outbound: the employee, when known
    };
    // Where routing put a message.
    struct Placed {
        store::ConversationRecord conversation;
        store::TaskRecord task;
        bool new_conversation = false;
        std::optional<std::string> linked_chat;         // linked_task routing: the chat
        std::optional<engine::ThreadRoute> thread;      // thread routing: its arguments
    };

    void event(const adapters::Event& e);
    void message(const adapters::Event& e);
    bool edit(const adapters::Message& m);
    void reaction(const adapters::Event& e);
    void apply_reaction(const store::CommentRecord& comment, const store::PersonRef& by, const std::string& emoji,
                        stdlib::ReactionAction action, std::int64_t at);
    void set_reaction_case(const store::CommentRecord& comment, const adapters::Reaction& r,
                           const std::optional<records::Person>& by, std::int64_t at);
    void business(const adapters::Event& e);
    void deleted(const adapters::Event& e);
    void member_change(const adapters::Event& e);
    void status(const adapters::Event& e);

    // ---- people (people.cpp) ----
    Actors actors(const adapters::Message& m, std::int64_t at);
    static void add_person(std::vector<records::Person>& people, const records::Person& person);
    // The author as a `person` (views into `a` and `m`).
    records::Person sender(const adapters::Message& m, const Actors& a) const;
    store::IdentityInput identity(stdlib::Transport transport, const adapters::Person& person) const;
    store::IdentityInput counterpart(const adapters::Message& m) const;
    // The contact with this identity, found or made from this integration's contact_template.
    store::ContactRecord contact_of(const store::IdentityInput& identity, std::int64_t at);
    records::Person mention(const adapters::Message& m, const adapters::Person& person);
    std::optional<store::PersonRef> member_ref(const adapters::Person& person, std::int64_t at);

    // ---- the case ----
    void start_case(std::int64_t at);
    void set_message(const adapters::Message& m, const Actors& a, const records::Channel& channel, std::int64_t at);
    void set_message_facts(const records::Message& message);
    bool known_member(const adapters::Message& m, const Actors& a, const Placed& p) const;
    void set_placed_facts(const adapters::Message& m, const Actors& a, const Placed& p, engine::KindSet kinds);
    const std::vector<engine::Decision>& decide(engine::KindSet kinds, DecisionLog& log);
    // The decision of a kind in a run (the first, for per-file kinds), or null.
    static const engine::Decision* find(const std::vector<engine::Decision>& decisions, engine::Kind kind);

    // ---- routing (placing.cpp) ----
    std::optional<Placed> place(const adapters::Message& m, const Actors& a, std::int64_t channel_id,
                                const engine::Decision* routing);
    std::optional<Placed> thread(const adapters::Message& m, const Actors& a, std::int64_t channel_id,
                                 engine::ThreadRoute route);
    std::optional<Placed> linked(const adapters::Message& m, const engine::LinkedTaskRoute& route, const std::string& rule);
    std::optional<Placed> latest(const adapters::Message& m);
    Placed placed_in(std::int64_t conversation, bool is_new);
    Placed placed_in(store::ConversationRecord conversation, bool is_new);
    store::NewTask task_from(const Placed& p, const std::optional<store::ContactRecord>& contact,
                             const adapters::Message& m, std::int64_t at) const;
    void reopen(const adapters::Message& m, const Actors& a, Placed& p, DecisionLog& log, std::int64_t at);
    std::int64_t record_comment(const adapters::Message& m, const Actors& a, const Placed& p,
                                const std::vector<engine::Decision>& decisions, const json::storage_ptr& storage,
                                std::int64_t at);
    std::optional<std::string> file_action(std::size_t file, const std::vector<engine::Decision>& decisions,
                                           std::optional<std::string>& reason);

    // ---- what the bot says and does back (replies.cpp) ----
    struct Target {
        std::string chat;
        std::string chat_kind;
        std::optional<std::string> business_connection;
    };
    void queue_text(const Target& to, std::optional<std::int64_t> task, std::string_view text,
                    std::optional<std::int64_t> reply_to, std::int64_t at);
    bool creates_task(const std::vector<engine::Decision>& decisions) const;
    void open_new_task(const adapters::Message& m, const Actors& a, Placed& p, std::int64_t at);
    void act_on_command(const adapters::Message& m, const Actors& a, const Placed& p,
                        const std::vector<engine::Decision>& decisions, std::int64_t at);
    void remember_employee_chat(const adapters::Message& m, std::int64_t at);
    bool known_channel(const adapters::Message& m);
    bool own_echo(const adapters::Message& m);
    void log_skipped(const adapters::Event& e, std::size_t first_note);
    void alert_employees(const adapters::Message& m, const Placed& p, DecisionLog& log, std::int64_t at);

    // ---- answering automatically (auto_reply.cpp) ----
    struct AutoAnswer {
        std::string text;
        std::string rule;  // where the auto_reply policy answered (`rules/common.rules:80`)
    };
    std::optional<AutoAnswer> auto_answer(const std::vector<engine::Decision>& decisions);
    void answer_automatically(const Placed& p, const AutoAnswer& answer, std::int64_t at);

    void log(DecisionLog& log, const std::string& event, std::optional<std::int64_t> task,
             std::optional<std::int64_t> comment, std::optional<std::string> note);
    std::int64_t time_of(std::int64_t event_ms) const { return event_ms != 0 ? event_ms : row_.received_at_ms; }
    std::string chat_of(const adapters::Message& m) const;
    std::int64_t chat_id_of(const adapters::Message& m) const;
    // A decision that could not be applied: on the row's note, with the rule that made it.
    void cannot_apply(const engine::Decision& d, const std::string& what);
    void note(std::string text) { notes_.push_back(std::move(text)); }
    std::optional<std::string> notes_since(std::size_t first) const;

    store::Work& work_;
    const config::Config& config_;
    const config::Integration& integration_;
    const Employees& employees_;
    Deciding& deciding_;
    engine::Engine& engine_;
    engine::Case& case_;
    const store::InboxRow& row_;
    std::int64_t now_;
    Facts facts_;
    StoreQueries queries_;
    std::vector<std::string> notes_;
    std::string event_key_;  // of the event being applied
    std::string chat_;       // of the message being applied, as the store names it

    // Room for one message's records (reused: cleared per message). People found for mentions
    // live in `found_` and `names_` until the message is written into the case; both are
    // reserved for every mention first, so that what records point at never moves.
    std::vector<store::ContactRecord> found_;
    std::vector<std::string> names_;
    std::vector<records::Person> mentions_, participants_, integration_people_, task_people_;
    ExtraParts extra_;
    std::vector<records::File> files_;
    std::vector<engine::Notice> notices_;
    std::size_t queued_ = 0;
    std::size_t unknown_channels_ = 0;
};

}  // namespace switchyard::worker
