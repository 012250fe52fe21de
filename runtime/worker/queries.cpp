#include "runtime/worker/queries.hpp"

#include <algorithm>

namespace switchyard::worker {

namespace {

std::int64_t id_of(const vm::Value& record) { return records::RecordWriter::read_id(record); }

}  // namespace

void StoreQueries::start(const QueryScope& scope) {
    scope_ = scope;
    history_.reset();
}

bool StoreQueries::member_of(const vm::Value& person, const vm::Value& chat) const {
    std::int64_t id = id_of(person);
    if (id == 0) return false;
    // Rules name chats by number; the store by the messenger's text. Another chat than the
    // message's is named by its number, which is its text for every Telegram chat.
    std::string other;
    std::string_view name = scope_.chat;
    if (id_of(chat) != scope_.chat_number) name = other = std::to_string(id_of(chat));
    bool employee = records::RecordWriter::read_person(person).is_employee;
    return work_.is_chat_member(scope_.integration, name, employee ? "employee" : "contact", id);
}

bool StoreQueries::has_role(const vm::Value& person, const vm::Value& task) const {
    const auto* t = scope_.task;
    if (!t || id_of(task) != t->id) return false;
    std::int64_t id = id_of(person);
    if (t->contact && *t->contact == id) return true;
    return std::any_of(t->assignees.begin(), t->assignees.end(), [&](const store::PersonRef& a) { return a.id == id; });
}

vm::Value StoreQueries::last_message_with(const vm::Value& person) const {
    if (scope_.conversation == 0) return vm::Value::none();
    if (!history_) history_ = work_.history(scope_.conversation, history_limit);
    std::int64_t id = id_of(person);
    for (const auto& c : *history_) {
        bool took_part = c.author.id == id;
        for (std::size_t i = 0; !took_part && i < c.participants.size(); ++i)
            if (const auto* p = c.participants[i].if_object())
                if (const auto* pid = p->if_contains("id"); pid && pid->is_int64()) took_part = pid->get_int64() == id;
        if (took_part) return message_of(c);
    }
    return vm::Value::none();
}

// A comment as a `message` record: what the store keeps of it (docs/cases.md, facts.history).
vm::Value StoreQueries::message_of(const store::CommentRecord& c) const {
    people_.clear();
    participants_from(c.participants, people_);
    records::Message m;
    m.id = c.number.value_or(0);
    m.direction = stdlib::parse_enum<stdlib::Direction>(c.direction).value_or(stdlib::Direction::inbound);
    m.transport = scope_.transport;
    m.chat.id = chat_number(c.chat);
    m.chat.kind = stdlib::parse_enum<stdlib::ChatKind>(c.chat_kind).value_or(stdlib::ChatKind::private_chat);
    m.sender = facts_.person(c.author);
    m.text = c.text;
    m.sent_at = c.sent_at;
    m.participants = people_;
    return writer_.message(arena_, m);
}

}  // namespace switchyard::worker
