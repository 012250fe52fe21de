// The people of an event: who wrote, whom it is with, who is mentioned, who joined a chat.
#include "runtime/worker/processor.hpp"

#include <cctype>

namespace switchyard::worker {

namespace {

std::string digits(std::string_view s) {
    std::string out;
    for (char c : s)
        if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
    return out;
}

bool is_group(stdlib::ChatKind kind) { return kind == stdlib::ChatKind::group || kind == stdlib::ChatKind::channel; }

}  // namespace

store::IdentityInput Processor::identity(stdlib::Transport transport, const adapters::Person& p) const {
    bool whatsapp = transport == stdlib::Transport::whatsapp;
    store::IdentityInput id;
    id.transport = std::string(stdlib::name_of(transport));
    // A WhatsApp identity is the number: the same digits however the messenger wrote them.
    id.external_id = whatsapp ? digits(p.external_id) : p.external_id;
    id.name = p.name;
    id.username = p.username;
    if (p.phone && !digits(*p.phone).empty()) id.phone = digits(*p.phone);
    else if (whatsapp && !id.external_id.empty()) id.phone = id.external_id;
    return id;
}

store::IdentityInput Processor::counterpart(const adapters::Message& m) const {
    adapters::Person p;
    p.external_id = chat_of(m);
    p.name = m.chat_title;
    p.username = m.chat_username;
    return identity(m.transport, p);
}

store::ContactRecord Processor::contact_of(const store::IdentityInput& identity, std::int64_t at) {
    return work_.find_or_create_contact(identity, at, integration_.contact_template);
}

Processor::Actors Processor::actors(const adapters::Message& m, std::int64_t at) {
    Actors a;
    bool telegram = m.transport == stdlib::Transport::telegram;
    if (m.direction == stdlib::Direction::inbound) {
        // In a linked group an employee may write too, and in the bot's private chat an employee
        // writes to link their account (T8): that is the employee, not a new contact.
        if (telegram && (is_group(m.chat_kind) || m.chat_kind == stdlib::ChatKind::private_chat))
            if (const auto* e = employees_.by_telegram(m.sender)) {
                a.author = {"employee", e->id, e->name};
                return a;
            }
        a.contact = contact_of(identity(m.transport, m.sender), at);
        a.author = {"contact", a.contact->id, a.contact->name};
        return a;
    }
    // Echo and outbound: we wrote (W9); the contact is the other side of the chat.
    a.employee = telegram ? employees_.by_telegram(m.sender) : nullptr;
    if (a.employee) a.author = {"employee", a.employee->id, a.employee->name};
    else a.author = {"employee", 0, m.sender.name};
    if (!is_group(m.chat_kind)) a.contact = contact_of(counterpart(m), at);
    return a;
}

records::Person Processor::sender(const adapters::Message& m, const Actors& a) const {
    if (a.author.kind == "contact" && a.contact) return contact_person(*a.contact);
    if (a.author.id != 0)
        if (const auto* e = employees_.by_id(a.author.id)) return employees_.person(*e);
    // An employee the messenger does not name (Wazzup's app): who wrote, by name only.
    return {0, m.sender.name, std::nullopt, std::nullopt, true, true};
}

// A mentioned person: an employee by their Telegram account, a known contact, or nobody known.
records::Person Processor::mention(const adapters::Message& m, const adapters::Person& p) {
    if (m.transport == stdlib::Transport::telegram)
        if (const auto* e = employees_.by_telegram(p)) return employees_.person(*e);
    std::string transport(stdlib::name_of(m.transport));
    std::optional<store::ContactRecord> c;
    if (!p.external_id.empty()) c = work_.find_contact(transport, p.external_id);
    if (!c && p.username) c = work_.find_contact_by_username(transport, *p.username);
    if (c) return contact_person(found_.emplace_back(std::move(*c)));
    const auto& name = names_.emplace_back(p.name.empty() && p.username ? "@" + *p.username : p.name);
    return unknown_person(p, name);
}

// Someone whose membership of a chat changed (Telegram chat_member): an employee by Telegram
// account, else a contact, found or made.
std::optional<store::PersonRef> Processor::member_ref(const adapters::Person& person, std::int64_t at) {
    if (const auto* e = employees_.by_telegram(person)) return store::PersonRef{"employee", e->id, e->name};
    if (person.is_bot) return std::nullopt;  // bots are neither employees nor contacts
    auto c = contact_of(identity(stdlib::Transport::telegram, person), at);
    return store::PersonRef{"contact", c.id, c.name};
}

}  // namespace switchyard::worker
