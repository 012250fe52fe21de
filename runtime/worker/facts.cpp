#include "runtime/worker/facts.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace switchyard::worker {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// `@ivan` and `ivan` name one Telegram account; user ids are kept as digits.
std::string telegram_key(std::string_view account) {
    if (!account.empty() && account.front() == '@') account.remove_prefix(1);
    return lower(account);
}

json::value text_or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

}  // namespace

// ---- employees ----

Employees::Employees(const config::Config& config) : config_(config) {
    for (const auto& e : config.employees)
        if (e.telegram && !e.telegram->empty()) telegram_.emplace(telegram_key(*e.telegram), &e);
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

// ---- persons ----

json::object employee_person(const config::Employee& e) {
    json::object p{{"id", e.id}, {"name", e.name}, {"is_employee", true}, {"has_access", true}};
    // An employee's Telegram username lets `@username` mentions and rules find them.
    if (e.telegram && !e.telegram->empty() && !std::isdigit(static_cast<unsigned char>(e.telegram->back())))
        p["username"] = telegram_key(*e.telegram);
    return p;
}

json::object contact_person(const store::ContactRecord& c) {
    return {{"id", c.id},
            {"name", c.name},
            {"username", text_or_null(c.username)},
            {"phone", text_or_null(c.phone)},
            {"is_employee", false},
            {"has_access", false}};
}

json::object unknown_person(const adapters::Person& person) {
    return {{"id", 0},
            {"name", person.name.empty() && person.username ? "@" + *person.username : person.name},
            {"username", text_or_null(person.username)},
            {"phone", text_or_null(person.phone)},
            {"is_employee", false},
            {"has_access", false}};
}

json::object person_of(const store::PersonRef& ref, const Employees& employees) {
    bool employee = ref.kind == "employee";
    if (employee)
        if (const auto* e = employees.by_id(ref.id)) return employee_person(*e);
    return {{"id", ref.id}, {"name", ref.name}, {"is_employee", employee}, {"has_access", employee}};
}

std::optional<store::PersonRef> ref_of(const json::object& person) {
    const auto* id = person.if_contains("id");
    if (!id || !id->is_int64() || id->as_int64() == 0) return std::nullopt;
    const auto* is_employee = person.if_contains("is_employee");
    const auto* name = person.if_contains("name");
    bool employee = is_employee && is_employee->is_bool() && is_employee->as_bool();
    return store::PersonRef{employee ? "employee" : "contact", id->as_int64(),
                            name && name->is_string() ? std::string(name->as_string()) : std::string()};
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

std::string_view service_of(config::Service service) {
    switch (service) {
        case config::Service::telegram: return "telegram_bot";
        case config::Service::telegram_business: return "telegram_business";
        case config::Service::wazzup: return "wazzup";
    }
    return "telegram_bot";
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

json::object Facts::channel(std::string_view key, std::string_view transport) {
    json::object c;
    c["id"] = work_.channel_id(integration_.id, key);
    if (integration_.service != config::Service::wazzup) {
        c["name"] = integration_.name;
        c["number"] = integration_.bot_username;
        c["transport"] = "telegram";
        c["deleted"] = false;
        return c;
    }
    c["transport"] = transport;
    auto it = std::find_if(integration_.channels.begin(), integration_.channels.end(),
                           [&](const config::Channel& ch) { return ch.id == key; });
    if (it == integration_.channels.end()) {
        // A channel the configuration no longer lists is gone, as a deleted one (W7); its id
        // stands in for the number so that its chats do not merge with another channel's.
        c["name"] = "";
        c["number"] = std::string(key);
        c["deleted"] = true;
        return c;
    }
    c["name"] = it->name;
    c["number"] = it->number;
    if (!it->transport.empty()) c["transport"] = it->transport;
    c["deleted"] = it->deleted;
    return c;
}

json::array Facts::people(const std::vector<std::int64_t>& ids) const {
    json::array out;
    for (auto id : ids) {
        if (const auto* e = employees_.by_id(id)) out.push_back(employee_person(*e));
        else out.push_back(json::object{{"id", id}, {"is_employee", true}, {"has_access", true}});
    }
    return out;
}

json::object Facts::integration() const {
    json::object i;
    i["id"] = integration_.id;
    i["name"] = integration_.name;
    i["service"] = service_of(integration_.service);
    if (const auto* owner = employees_.owner_for(integration_)) i["owner"] = employee_person(*owner);
    i["assignees"] = people(integration_.assignees);
    i["extra_assignees"] = people(integration_.extra_assignees);
    i["project"] = text_or_null(integration_.project);
    i["contact_template"] = text_or_null(integration_.contact_template);
    return i;
}

json::object Facts::account() const { return {{"name", config_.account_name}, {"plan", config_.plan}}; }

json::object Facts::task(const store::TaskRecord& t) const {
    json::array assignees;
    for (const auto& a : t.assignees) assignees.push_back(person(a));
    return {{"id", t.id},
            {"title", t.title},
            {"description", t.description},
            {"status", t.status},
            {"is_new", false},
            {"assignees", std::move(assignees)},
            {"project", text_or_null(t.project)},
            {"created_at", t.created_at}};
}

json::object Facts::conversation(const store::ConversationRecord& v, bool is_new, std::string_view transport,
                                 std::string_view business_connection) {
    json::object o;
    o["id"] = v.id;
    if (!v.channel_external_id.empty()) o["channel"] = channel(v.channel_external_id, transport);
    o["started_by"] = v.started_by;
    o["is_new"] = is_new;
    o["expects_reply"] = v.last_direction && *v.last_direction == "inbound";
    o["last_inbound_at"] = v.last_inbound_at ? json::value(*v.last_inbound_at) : json::value(nullptr);
    bool stopped = false, can_reply = false;
    if (v.contact && v.chat_kind == "business") stopped = work_.bot_blocked(integration_.id, *v.contact);
    if (!business_connection.empty())
        if (auto b = work_.business_connection(business_connection)) can_reply = b->can_reply && b->enabled;
    o["customer_stopped_bot"] = stopped;
    o["can_reply"] = can_reply;
    o["first_comment_id"] = v.first_comment_id ? json::value(*v.first_comment_id) : json::value(nullptr);
    return o;
}

json::object Facts::contact(const store::ContactRecord& c, bool wrote_now) {
    return {{"id", c.id},
            {"name", c.name},
            {"username", text_or_null(c.username)},
            {"phone", text_or_null(c.phone)},
            {"is_new", c.is_new},
            {"has_written", wrote_now || work_.has_written(integration_.id, c.id)},
            {"blocked_bot", work_.bot_blocked(integration_.id, c.id)}};
}

json::object Facts::history_message(const store::CommentRecord& m, std::string_view transport) const {
    return {{"id", m.number.value_or(0)},
            {"direction", m.direction},
            {"transport", transport},
            {"chat", json::object{{"id", chat_number(m.chat)}, {"kind", m.chat_kind}}},
            {"sender", person(m.author)},
            {"text", m.text},
            {"sent_at", m.sent_at},
            {"participants", m.participants}};
}

}  // namespace switchyard::worker
