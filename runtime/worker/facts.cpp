#include "runtime/worker/facts.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace switchyard::worker {

namespace {

// `@ivan` and `ivan` name one Telegram account; user ids are kept as digits.
std::string telegram_key(std::string_view account) {
    if (!account.empty() && account.front() == '@') account.remove_prefix(1);
    return common::ascii_lower(account);
}

records::OptionalText view(const std::optional<std::string>& s) {
    return s ? records::OptionalText(*s) : std::nullopt;
}

stdlib::Service service_of(config::Service service) {
    switch (service) {
        case config::Service::telegram: return stdlib::Service::telegram_bot;
        case config::Service::telegram_business: return stdlib::Service::telegram_business;
        case config::Service::wazzup: return stdlib::Service::wazzup;
    }
    return stdlib::Service::telegram_bot;
}

records::OptionalText optional_string(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? records::OptionalText(v->get_string()) : std::nullopt;
}

}  // namespace

// ---- employees ----

Employees::Employees(const config::Config& config) : config_(config) {
    for (const auto& e : config.employees) {
        if (!e.telegram || e.telegram->empty()) continue;
        telegram_.emplace(telegram_key(*e.telegram), &e);
        // A Telegram account given by username (not by numeric id) is the employee's username.
        if (auto username = e.telegram_username()) usernames_.emplace(&e, *username);
    }
}

const config::Employee* Employees::by_id(std::int64_t id) const {
    for (const auto& e : config_.employees)
        if (e.id == id) return &e;
    return nullptr;
}

const config::Employee* Employees::by_telegram(const adapters::Person& person) const {
    if (!person.external_id.empty())
        if (auto it = telegram_.find(person.external_id); it != telegram_.end()) return it->second;
    if (person.username)
        if (auto it = telegram_.find(telegram_key(*person.username)); it != telegram_.end()) return it->second;
    return nullptr;
}

const config::Employee* Employees::owner_for(const config::Integration& integration) const {
    for (const auto& e : config_.employees)
        if (e.owner) return &e;
    if (integration.owner) return by_id(*integration.owner);
    return nullptr;
}

records::Person Employees::person(const config::Employee& e) const {
    records::Person p{e.id, e.name, std::nullopt, std::nullopt, true, true};
    if (auto it = usernames_.find(&e); it != usernames_.end()) p.username = it->second;
    return p;
}

void Employees::people(const std::vector<std::int64_t>& ids, std::vector<records::Person>& out) const {
    for (auto id : ids) {
        if (const auto* e = by_id(id)) out.push_back(person(*e));
        else out.push_back(records::Person{id, {}, std::nullopt, std::nullopt, true, true});
    }
}

// ---- persons ----

records::Person contact_person(const store::ContactRecord& c) {
    return {c.id, c.name, view(c.username), view(c.phone), false, false};
}

records::Person unknown_person(const adapters::Person& person, std::string_view name) {
    return {0, name, view(person.username), view(person.phone), false, false};
}

std::optional<store::PersonRef> ref_of(const records::Person& person) {
    if (person.id == 0) return std::nullopt;
    return store::PersonRef{person.is_employee ? "employee" : "contact", person.id, std::string(person.name)};
}

boost::json::array participants_json(const std::vector<records::Person>& people, const boost::json::storage_ptr& sp) {
    auto text_or_null = [&](const records::OptionalText& t) {
        return t ? boost::json::value(boost::json::string(*t, sp), sp) : boost::json::value(nullptr, sp);
    };
    boost::json::array out(sp);
    out.reserve(people.size());
    for (const auto& p : people) {
        boost::json::object o(sp);
        o.reserve(6);
        o["id"] = p.id;
        o["name"] = p.name;
        o["username"] = text_or_null(p.username);
        o["phone"] = text_or_null(p.phone);
        o["is_employee"] = p.is_employee;
        o["has_access"] = p.has_access;
        out.push_back(std::move(o));
    }
    return out;
}

// What the column holds was written by participants_json (or, in databases made before it, the
// same fields with some left out): a field missing or of another type reads as its default.
void participants_from(const boost::json::array& json, std::vector<records::Person>& out) {
    for (const auto& item : json) {
        const auto* o = item.if_object();
        if (!o) continue;
        records::Person p;
        if (const auto* id = o->if_contains("id"); id && id->is_int64()) p.id = id->get_int64();
        if (auto name = optional_string(*o, "name")) p.name = *name;
        p.username = optional_string(*o, "username");
        p.phone = optional_string(*o, "phone");
        if (const auto* e = o->if_contains("is_employee"); e && e->is_bool()) p.is_employee = e->get_bool();
        if (const auto* a = o->if_contains("has_access"); a && a->is_bool()) p.has_access = a->get_bool();
        out.push_back(p);
    }
}

// ---- chats, integrations, channels ----

std::int64_t chat_number(std::string_view chat) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(chat.data(), chat.data() + chat.size(), n);
    if (ec == std::errc() && end == chat.data() + chat.size() && !chat.empty()) return n;
    // FNV-1a, top bit cleared: positive, and the same for the same text on every run.
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : chat) h = (h ^ c) * 1099511628211ull;
    return static_cast<std::int64_t>(h & 0x7fffffffffffffffull);
}

const config::Integration* find_integration(const config::Config& config, std::string_view id) {
    for (const auto& i : config.integrations)
        if (i.id == id) return &i;
    return nullptr;
}

std::string channel_key(const config::Integration& integration, const adapters::Message& message) {
    if (integration.service == config::Service::wazzup && !message.channel.empty()) return message.channel;
    return "bot";
}

// ---- facts ----

Facts::Facts(const config::Config& config, const config::Integration& integration, const Employees& employees,
             store::Work& work)
    : config_(config), integration_(integration), employees_(employees), work_(work) {}

records::Channel Facts::channel(std::string_view key, stdlib::Transport transport) {
    records::Channel c;
    c.id = work_.channel_id(integration_.id, key);
    if (integration_.service != config::Service::wazzup) {
        c.name = integration_.name;
        c.number = integration_.bot_username;
        c.transport = stdlib::Transport::telegram;
        return c;
    }
    c.transport = transport;
    auto it = std::find_if(integration_.channels.begin(), integration_.channels.end(),
                           [&](const config::Channel& ch) { return ch.id == key; });
    if (it == integration_.channels.end()) {
        // A channel the configuration no longer lists is gone, as a deleted one (W7); its id
        // stands in for the number so that its chats do not merge with another channel's.
        c.number = key;
        c.deleted = true;
        return c;
    }
    c.name = it->name;
    c.number = it->number;
    if (auto t = stdlib::parse_enum<stdlib::Transport>(it->transport)) c.transport = *t;
    c.deleted = it->deleted;
    return c;
}

records::Integration Facts::integration(std::vector<records::Person>& people) const {
    records::Integration i;
    i.id = integration_.id;
    i.name = integration_.name;
    i.service = service_of(integration_.service);
    if (const auto* owner = employees_.owner_for(integration_)) i.owner = employees_.person(*owner);
    // One vector for both lists: the spans are taken once it no longer grows.
    people.clear();
    employees_.people(integration_.assignees, people);
    std::size_t assignees = people.size();
    employees_.people(integration_.extra_assignees, people);
    i.assignees = std::span(people).first(assignees);
    i.extra_assignees = std::span(people).subspan(assignees);
    i.project = view(integration_.project);
    i.contact_template = view(integration_.contact_template);
    return i;
}

records::Account Facts::account() const {
    // The configuration checked the plan's name when it was loaded.
    return {config_.account_name, stdlib::parse_enum<stdlib::Plan>(config_.plan).value_or(stdlib::Plan::paid)};
}

records::Task Facts::task(const store::TaskRecord& t, std::vector<records::Person>& people) const {
    people.clear();
    for (const auto& a : t.assignees) people.push_back(person(a));
    records::Task out;
    out.id = t.id;
    out.title = t.title;
    out.description = t.description;
    out.status = stdlib::parse_enum<stdlib::TaskStatus>(t.status).value_or(stdlib::TaskStatus::active);
    out.assignees = people;
    out.project = view(t.project);
    out.created_at = t.created_at;
    out.completed_at = t.completed_at;
    return out;
}

records::Conversation Facts::conversation(const store::ConversationRecord& v, bool is_new, stdlib::Transport transport,
                                          std::string_view business_connection) {
    records::Conversation o;
    o.id = v.id;
    if (!v.channel_external_id.empty()) o.channel = channel(v.channel_external_id, transport);
    o.started_by = v.started_by == "employee" ? stdlib::StartedBy::employee : stdlib::StartedBy::contact;
    o.is_new = is_new;
    o.expects_reply = v.last_direction && *v.last_direction == "inbound";
    o.last_inbound_at = v.last_inbound_at;
    if (v.contact && v.chat_kind == "business") o.customer_stopped_bot = work_.bot_blocked(integration_.id, *v.contact);
    o.can_reply = can_reply(business_connection);
    o.first_comment_id = v.first_comment_id;
    o.unanswered_count = v.unanswered_count;
    o.last_reply_at = v.last_reply_at;
    return o;
}

// False only when Telegram's business_connection update said so (no reply right, or the owner
// disabled the bot). A connection the server never heard about (the bot was connected before
// its webhooks arrived here; Telegram keeps updates 24 hours at most) is unknown, not refused:
// the reply goes, and Telegram's refusal, if any, is its delivery reason (TB4, C7).
bool Facts::can_reply(std::string_view business_connection) {
    if (business_connection.empty()) return true;
    auto known = work_.business_connection(business_connection);
    return !known || (known->can_reply && known->enabled);
}

records::Contact Facts::contact(const store::ContactRecord& c, bool wrote_now) {
    return {c.id,
            c.name,
            view(c.username),
            view(c.phone),
            c.is_new,
            wrote_now || work_.has_written(integration_.id, c.id),
            work_.bot_blocked(integration_.id, c.id),
            {},    // tags: the caller reads them when a policy does
            {}};   // fields: likewise (Deciding::contact_fields)
}

std::span<const records::StatusChange> Facts::history(std::int64_t task, ExtraParts& parts) {
    parts.history_rows = work_.status_history(task);
    parts.history.clear();
    for (const auto& row : parts.history_rows) {
        auto status = stdlib::parse_enum<stdlib::TaskStatus>(row.status).value_or(stdlib::TaskStatus::active);
        parts.history.push_back({status, row.at, row.by ? std::optional(person(*row.by)) : std::nullopt});
    }
    return parts.history;
}

std::span<const records::Text> Facts::tags(std::int64_t contact, ExtraParts& parts) {
    parts.tags = work_.contact_tags(contact);
    parts.tag_views.assign(parts.tags.begin(), parts.tags.end());
    return parts.tag_views;
}

records::Person Facts::person(const store::PersonRef& ref) const {
    bool employee = ref.kind == "employee";
    if (employee)
        if (const auto* e = employees_.by_id(ref.id)) return employees_.person(*e);
    return {ref.id, ref.name, std::nullopt, std::nullopt, employee, employee};
}

}  // namespace switchyard::worker
