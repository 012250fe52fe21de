// The record facts of a case (docs/cases.md) from the configuration and the store, as the
// engine's typed records (runtime/engine/records.hpp), and the people in them. Private to
// runtime/worker.
//
// Records hold views: of the configuration, of store records and of the event. Whoever builds
// one keeps what it points at alive until the record is written into the case.
#pragma once

#include "runtime/adapters/event.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/records.hpp"
#include "runtime/store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::worker {

namespace records = engine::records;

// The employees of the configuration, found by id and by their Telegram account, each with the
// `person` record rules see.
class Employees {
public:
    explicit Employees(const config::Config& config);

    const config::Employee* by_id(std::int64_t id) const;
    // A Telegram user who is an employee: by user id or by username (without `@`, any case).
    const config::Employee* by_telegram(const adapters::Person& person) const;
    // The account owner; failing that, the employee who set the integration up (C2).
    const config::Employee* owner_for(const config::Integration& integration) const;
    // The `person` record of an employee: has access to the tracker; a Telegram username lets
    // `@username` mentions and rules find them.
    records::Person person(const config::Employee& employee) const;
    // Employees by id, as people; an id the configuration does not know is still an employee.
    void people(const std::vector<std::int64_t>& ids, std::vector<records::Person>& out) const;

private:
    const config::Config& config_;
    std::map<std::string, const config::Employee*> telegram_;
    std::map<const config::Employee*, std::string> usernames_;
};

records::Person contact_person(const store::ContactRecord& contact);
// Someone the store and the configuration do not know: id 0. `name` stands in when the
// messenger gave none ("@username"), and must outlive the record.
records::Person unknown_person(const adapters::Person& person, std::string_view name);
// Back from a person in a decision: employees by id, contacts by id; nothing for id 0.
std::optional<store::PersonRef> ref_of(const records::Person& person);
// The people of a comment's `participants` column (the JSON the store keeps), and back.
boost::json::array participants_json(const std::vector<records::Person>& people, const boost::json::storage_ptr& sp = {});
void participants_from(const boost::json::array& json, std::vector<records::Person>& out);

// `chat.id` is an integer in rules: Telegram's chat id as it is, a Wazzup chat of digits (a
// WhatsApp number) as that number, any other chat id (an Instagram account) as a stable hash.
std::int64_t chat_number(std::string_view chat_external_id);

// The configured integration with this id, or null.
const config::Integration* find_integration(const config::Config& config, std::string_view id);
// The channel a message travels through: Wazzup's channelId, or `bot` for a Telegram bot.
std::string channel_key(const config::Integration& integration, const adapters::Message& message);

// The parts of facts that cost a query of their own (a task's history, a contact's tags), read
// only when a policy reads them; what their records point at lives here until they are written.
struct ExtraParts {
    std::vector<store::StatusChangeRecord> history_rows;
    std::vector<records::StatusChange> history;
    std::vector<std::string> tags;
    std::vector<records::Text> tag_views;
};

// The records that depend only on the configuration and the store.
class Facts {
public:
    Facts(const config::Config& config, const config::Integration& integration, const Employees& employees,
          store::Work& work);

    // `transport` stands in when the configuration does not name the channel's messenger.
    records::Channel channel(std::string_view channel_key, stdlib::Transport transport);
    // The integration record; its people go into `people`, which must outlive it.
    records::Integration integration(std::vector<records::Person>& people) const;
    records::Account account() const;
    // The task; its assignees go into `people`, which must outlive it.
    records::Task task(const store::TaskRecord& task, std::vector<records::Person>& people) const;
    records::Conversation conversation(const store::ConversationRecord& conversation, bool is_new,
                                       stdlib::Transport transport, std::string_view business_connection);
    records::Contact contact(const store::ContactRecord& contact, bool wrote_now);
    // The task's status changes, into `parts`.
    std::span<const records::StatusChange> history(std::int64_t task, ExtraParts& parts);
    // The contact's tags, into `parts`.
    std::span<const records::Text> tags(std::int64_t contact, ExtraParts& parts);
    records::Person person(const store::PersonRef& ref) const;

private:
    // TB4: whether the business bot may reply through this connection, as far as is known.
    bool can_reply(std::string_view business_connection);

    const config::Config& config_;
    const config::Integration& integration_;
    const Employees& employees_;
    store::Work& work_;
};

}  // namespace switchyard::worker
