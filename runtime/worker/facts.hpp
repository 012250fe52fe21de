// Building cases (docs/cases.md) from an event, the configuration and the store: the record
// facts as case JSON, and the people in them. Private to runtime/worker.
#pragma once

#include "runtime/adapters/event.hpp"
#include "runtime/config/config.hpp"
#include "runtime/store/store.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::worker {

namespace json = boost::json;

// The employees of the configuration, found by id and by their Telegram account.
class Employees {
public:
    explicit Employees(const config::Config& config);

    const config::Employee* by_id(std::int64_t id) const;
    // A Telegram user who is an employee: by user id or by username (without `@`, any case).
    const config::Employee* by_telegram(const adapters::Person& person) const;
    // The account owner; failing that, the employee who set the integration up (C2).
    const config::Employee* owner_for(const config::Integration& integration) const;

private:
    const config::Config& config_;
    std::map<std::string, const config::Employee*> telegram_;
};

// A `person` record: employees have access to the tracker, contacts do not.
json::object employee_person(const config::Employee& employee);
json::object contact_person(const store::ContactRecord& contact);
// Someone the store and the configuration do not know: id 0.
json::object unknown_person(const adapters::Person& person);
// The person a row points at (the configuration names employees), for history and roles.
json::object person_of(const store::PersonRef& ref, const Employees& employees);
// Back from a person in a decision: employees by id, contacts by id; nothing for id 0.
std::optional<store::PersonRef> ref_of(const json::object& person);

// `chat.id` is an integer in rules: Telegram's chat id as it is, a Wazzup chat of digits (a
// WhatsApp number) as that number, any other chat id (an Instagram account) as a stable hash.
std::int64_t chat_number(std::string_view chat_external_id);

std::string_view service_of(config::Service service);
// The configured integration with this id, or null.
const config::Integration* find_integration(const config::Config& config, std::string_view id);
// The channel a message travels through: Wazzup's channelId, or `bot` for a Telegram bot.
std::string channel_key(const config::Integration& integration, const adapters::Message& message);

// The record facts that depend only on the configuration and the store.
class Facts {
public:
    Facts(const config::Config& config, const config::Integration& integration, const Employees& employees,
          store::Work& work);

    // `transport` stands in when the configuration does not name the channel's messenger.
    json::object channel(std::string_view channel_key, std::string_view transport);
    json::object integration() const;
    json::object account() const;
    json::object task(const store::TaskRecord& task) const;
    json::object conversation(const store::ConversationRecord& conversation, bool is_new, std::string_view transport,
                              std::string_view business_connection);
    json::object contact(const store::ContactRecord& contact, bool wrote_now);
    // A message of the conversation's history (facts.history).
    json::object history_message(const store::CommentRecord& comment, std::string_view transport) const;
    json::object person(const store::PersonRef& ref) const { return person_of(ref, employees_); }

private:
    json::array people(const std::vector<std::int64_t>& ids) const;

    const config::Config& config_;
    const config::Integration& integration_;
    const Employees& employees_;
    store::Work& work_;
};

}  // namespace switchyard::worker
