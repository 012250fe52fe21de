#include "bench/native_policies.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace switchyard::bench {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Enum names, shared by reading cases and writing decisions.

struct EnumNames {
    std::string_view type;
    std::span<const std::string_view> members;
};

constexpr std::string_view direction_members[] = {"inbound", "outbound", "echo"};
constexpr std::string_view transport_members[] = {"telegram", "whatsapp", "instagram"};
constexpr std::string_view chat_kind_members[] = {"private", "group", "channel", "business", "direct", "comment"};
constexpr std::string_view service_members[] = {"telegram_bot", "telegram_business", "wazzup"};
constexpr std::string_view task_status_members[] = {"active", "completed", "cancelled"};
constexpr std::string_view file_kind_members[] = {"image", "video", "audio", "voice", "document", "sticker", "other"};
constexpr std::string_view notice_reason_members[] = {"mentioned", "recent_participant", "assignee", "author",
                                                      "watcher"};
constexpr std::string_view plan_members[] = {"free", "paid", "premium", "trial"};
constexpr std::string_view started_by_members[] = {"contact", "employee"};
constexpr std::string_view reopen_action_members[] = {"new_task", "reopen", "append"};
constexpr std::string_view reaction_action_members[] = {"like", "unlike", "skip"};
constexpr std::string_view alert_route_members[] = {"bot_message", "tracker_only"};

// Overloads picked by the enum's type (the argument's value is not used).
EnumNames enum_names(Direction) { return {"direction", direction_members}; }
EnumNames enum_names(Transport) { return {"transport", transport_members}; }
EnumNames enum_names(ChatKind) { return {"chat_kind", chat_kind_members}; }
EnumNames enum_names(Service) { return {"service", service_members}; }
EnumNames enum_names(TaskStatus) { return {"task_status", task_status_members}; }
EnumNames enum_names(FileKind) { return {"file_kind", file_kind_members}; }
EnumNames enum_names(NoticeReason) { return {"notice_reason", notice_reason_members}; }
EnumNames enum_names(Plan) { return {"plan", plan_members}; }
EnumNames enum_names(StartedBy) { return {"started_by", started_by_members}; }
EnumNames enum_names(ReopenAction) { return {"reopen_action", reopen_action_members}; }
EnumNames enum_names(ReactionAction) { return {"reaction_action", reaction_action_members}; }
EnumNames enum_names(AlertRoute) { return {"alert_route", alert_route_members}; }

}  // namespace

template <typename E>
std::string_view name_of(E member) {
    return enum_names(member).members[static_cast<std::size_t>(member)];
}
template std::string_view name_of(Direction);
template std::string_view name_of(Transport);
template std::string_view name_of(ChatKind);
template std::string_view name_of(Service);
template std::string_view name_of(TaskStatus);
template std::string_view name_of(FileKind);
template std::string_view name_of(NoticeReason);
template std::string_view name_of(Plan);
template std::string_view name_of(StartedBy);
template std::string_view name_of(ReopenAction);
template std::string_view name_of(ReactionAction);
template std::string_view name_of(AlertRoute);

namespace {

// ---------------------------------------------------------------------------------------------
// Reading a case. Every reader takes the JSON value and its path in the case (for the message
// of a refusal) and fills a field whose default is already in place.

using Path = std::string;

Path field_path(const Path& parent, std::string_view key) {
    return parent.empty() ? Path(key) : parent + "." + std::string(key);
}

Path index_path(const Path& parent, std::size_t index) { return parent + "[" + std::to_string(index) + "]"; }

[[noreturn]] void refuse_value(const Path& path, const std::string& reason) {
    throw std::invalid_argument(path + ": " + reason);
}

[[noreturn]] void expected(const Path& path, std::string_view what) {
    refuse_value(path, "expected " + std::string(what));
}

void read_bool(const json::value& v, bool& out, const Path& path) {
    if (!v.is_bool()) expected(path, "true or false");
    out = v.get_bool();
}

void read_int(const json::value& v, std::int64_t& out, const Path& path) {
    if (v.is_int64()) {
        out = v.get_int64();
    } else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        out = static_cast<std::int64_t>(v.get_uint64());
    } else {
        expected(path, "a 64-bit integer");
    }
}

void read_string(const json::value& v, std::string& out, const Path& path) {
    if (!v.is_string()) expected(path, "a string");
    out = v.get_string();
}

template <typename E>
void read_enum(const json::value& v, E& out, const Path& path) {
    const EnumNames names = enum_names(E{});
    if (!v.is_string()) expected(path, "a " + std::string(names.type) + " name");
    const std::string_view given = v.get_string();
    const auto found = std::find(names.members.begin(), names.members.end(), given);
    if (found != names.members.end()) {
        out = static_cast<E>(found - names.members.begin());
        return;
    }
    std::string reason = "unknown " + std::string(names.type) + " \"" + std::string(given) + "\", expected one of ";
    for (std::size_t i = 0; i < names.members.size(); ++i) reason += (i ? ", " : "") + std::string(names.members[i]);
    refuse_value(path, reason);
}

struct Unit {
    std::string_view name;
    std::int64_t factor;
};
constexpr Unit size_units[] = {{"B", 1},          {"KB", 1'000},        {"MB", 1'000'000}, {"GB", 1'000'000'000},
                               {"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}};

// `size` as bytes, or as a string "<digits>[ ]<unit>" in the units of the language.
void read_size(const json::value& v, Bytes& out, const Path& path) {
    if (!v.is_string()) return read_int(v, out, path);
    const std::string_view text = v.get_string();
    std::int64_t amount = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
    std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (error != std::errc() || end == text.data() || text.front() == '-') expected(path, "a size such as \"5 MB\"");
    if (unit.starts_with(' ')) unit.remove_prefix(1);
    for (const Unit& u : size_units) {
        if (u.name != unit) continue;
        if (__builtin_mul_overflow(amount, u.factor, &out)) refuse_value(path, "the size does not fit in 64 bits");
        return;
    }
    refuse_value(path, "unknown size unit \"" + std::string(unit) + "\", expected B, KB, MB, GB, KiB, MiB or GiB");
}

// Parses exactly `width` decimal digits at `at`, or returns -1.
int fixed_digits(std::string_view text, std::size_t at, std::size_t width) {
    if (at + width > text.size()) return -1;
    int value = 0;
    for (std::size_t i = at; i < at + width; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

// `time` as milliseconds since the epoch, or "YYYY-MM-DDTHH:MM:SS[.mmm]Z".
void read_time(const json::value& v, TimeMs& out, const Path& path) {
    if (!v.is_string()) return read_int(v, out, path);
    const std::string_view t = v.get_string();
    const bool has_millis = t.size() == 24;
    const bool shaped = (t.size() == 20 || has_millis) && t[4] == '-' && t[7] == '-' && t[10] == 'T' &&
                        t[13] == ':' && t[16] == ':' && t.back() == 'Z' && (!has_millis || t[19] == '.');
    const int year = fixed_digits(t, 0, 4), month = fixed_digits(t, 5, 2), day = fixed_digits(t, 8, 2);
    const int hour = fixed_digits(t, 11, 2), minute = fixed_digits(t, 14, 2), second = fixed_digits(t, 17, 2);
    const int millis = has_millis ? fixed_digits(t, 20, 3) : 0;
    namespace chr = std::chrono;
    const chr::year_month_day date{chr::year(year), chr::month(static_cast<unsigned>(month)),
                                   chr::day(static_cast<unsigned>(day))};
    if (!shaped || year < 0 || !date.ok() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
        second > 59 || millis < 0)
        expected(path, "a time such as \"2026-11-21T10:00:00Z\" or milliseconds since 1970");
    const chr::sys_time<chr::milliseconds> moment = chr::sys_days(date) + chr::hours(hour) + chr::minutes(minute) +
                                                    chr::seconds(second) + chr::milliseconds(millis);
    out = moment.time_since_epoch().count();
}

template <typename T, typename Reader>
void read_optional(const json::value& v, std::optional<T>& out, const Path& path, Reader read) {
    if (v.is_null()) return out.reset();
    read(v, out.emplace(), path);
}

template <typename T, typename Reader>
void read_list(const json::value& v, std::vector<T>& out, const Path& path, Reader read) {
    if (!v.is_array()) expected(path, "an array");
    const json::array& items = v.get_array();
    out.resize(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) read(items[i], out[i], index_path(path, i));
}

// Calls `field(key, value, path)` for every key of a record; `field` returns false for a key
// the record does not have.
template <typename FieldReader>
void read_record(const json::value& v, std::string_view record, const Path& path, FieldReader field) {
    if (!v.is_object()) expected(path, "an object (a " + std::string(record) + ")");
    for (const auto& [key, value] : v.get_object()) {
        if (!field(std::string_view(key), value, field_path(path, key)))
            refuse_value(field_path(path, key),
                         "unknown field `" + std::string(key) + "` on `" + std::string(record) + "`");
    }
}

void read_person(const json::value& v, Person& p, const Path& path) {
    read_record(v, "person", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, p.id, at);
        else if (key == "name") read_string(f, p.name, at);
        else if (key == "username") read_optional(f, p.username, at, read_string);
        else if (key == "phone") read_optional(f, p.phone, at, read_string);
        else if (key == "is_employee") read_bool(f, p.is_employee, at);
        else if (key == "has_access") read_bool(f, p.has_access, at);
        else return false;
        return true;
    });
}

void read_chat(const json::value& v, Chat& c, const Path& path) {
    read_record(v, "chat", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, c.id, at);
        else if (key == "kind") read_enum(f, c.kind, at);
        else if (key == "title") read_string(f, c.title, at);
        else if (key == "username") read_optional(f, c.username, at, read_string);
        else return false;
        return true;
    });
}

void read_file(const json::value& v, File& file, const Path& path) {
    read_record(v, "file", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "name") read_string(f, file.name, at);
        else if (key == "ext") read_string(f, file.ext, at);
        else if (key == "mime") read_string(f, file.mime, at);
        else if (key == "size") read_size(f, file.size, at);
        else if (key == "kind") read_enum(f, file.kind, at);
        else return false;
        return true;
    });
}

void read_post(const json::value& v, Post& p, const Path& path) {
    read_record(v, "post", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_string(f, p.id, at);
        else if (key == "url") read_string(f, p.url, at);
        else if (key == "caption") read_string(f, p.caption, at);
        else return false;
        return true;
    });
}

void read_channel(const json::value& v, Channel& c, const Path& path) {
    read_record(v, "channel", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, c.id, at);
        else if (key == "name") read_string(f, c.name, at);
        else if (key == "number") read_string(f, c.number, at);
        else if (key == "transport") read_enum(f, c.transport, at);
        else if (key == "deleted") read_bool(f, c.deleted, at);
        else return false;
        return true;
    });
}

void read_people(const json::value& v, std::vector<Person>& out, const Path& path) {
    read_list(v, out, path, read_person);
}

void read_message(const json::value& v, Message& m, const Path& path) {
    read_record(v, "message", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, m.id, at);
        else if (key == "direction") read_enum(f, m.direction, at);
        else if (key == "transport") read_enum(f, m.transport, at);
        else if (key == "chat") read_chat(f, m.chat, at);
        else if (key == "sender") read_person(f, m.sender, at);
        else if (key == "text") read_string(f, m.text, at);
        else if (key == "command") read_optional(f, m.command, at, read_string);
        else if (key == "command_args") read_string(f, m.command_args, at);
        else if (key == "mentions") read_people(f, m.mentions, at);
        else if (key == "files") read_list(f, m.files, at, read_file);
        else if (key == "reply_to") read_optional(f, m.reply_to, at, read_int);
        else if (key == "post") read_optional(f, m.post, at, read_post);
        else if (key == "channel") read_channel(f, m.channel, at);
        else if (key == "sent_at") read_time(f, m.sent_at, at);
        else if (key == "edited") read_bool(f, m.edited, at);
        else if (key == "participants") read_people(f, m.participants, at);
        else if (key == "notified") read_people(f, m.notified, at);
        else if (key == "notifies_contact") read_bool(f, m.notifies_contact, at);
        else return false;
        return true;
    });
}

void read_contact(const json::value& v, Contact& c, const Path& path) {
    read_record(v, "contact", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, c.id, at);
        else if (key == "name") read_string(f, c.name, at);
        else if (key == "username") read_optional(f, c.username, at, read_string);
        else if (key == "phone") read_optional(f, c.phone, at, read_string);
        else if (key == "is_new") read_bool(f, c.is_new, at);
        else if (key == "has_written") read_bool(f, c.has_written, at);
        else if (key == "blocked_bot") read_bool(f, c.blocked_bot, at);
        else return false;
        return true;
    });
}

void read_employee(const json::value& v, Employee& e, const Path& path) {
    read_record(v, "employee", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, e.id, at);
        else if (key == "name") read_string(f, e.name, at);
        else if (key == "is_owner") read_bool(f, e.is_owner, at);
        else if (key == "telegram_linked") read_bool(f, e.telegram_linked, at);
        else return false;
        return true;
    });
}

void read_task(const json::value& v, Task& t, const Path& path) {
    read_record(v, "task", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, t.id, at);
        else if (key == "title") read_string(f, t.title, at);
        else if (key == "description") read_string(f, t.description, at);
        else if (key == "status") read_enum(f, t.status, at);
        else if (key == "is_new") read_bool(f, t.is_new, at);
        else if (key == "assignees") read_people(f, t.assignees, at);
        else if (key == "project") read_optional(f, t.project, at, read_string);
        else if (key == "created_at") read_time(f, t.created_at, at);
        else return false;
        return true;
    });
}

void read_conversation(const json::value& v, Conversation& c, const Path& path) {
    read_record(v, "conversation", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_int(f, c.id, at);
        else if (key == "channel") read_channel(f, c.channel, at);
        else if (key == "started_by") read_enum(f, c.started_by, at);
        else if (key == "is_new") read_bool(f, c.is_new, at);
        else if (key == "expects_reply") read_bool(f, c.expects_reply, at);
        else if (key == "last_inbound_at") read_optional(f, c.last_inbound_at, at, read_time);
        else if (key == "customer_stopped_bot") read_bool(f, c.customer_stopped_bot, at);
        else if (key == "can_reply") read_bool(f, c.can_reply, at);
        else if (key == "first_comment_id") read_optional(f, c.first_comment_id, at, read_int);
        else return false;
        return true;
    });
}

void read_integration(const json::value& v, Integration& i, const Path& path) {
    read_record(v, "integration", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "id") read_string(f, i.id, at);
        else if (key == "name") read_string(f, i.name, at);
        else if (key == "service") read_enum(f, i.service, at);
        else if (key == "owner") read_person(f, i.owner, at);
        else if (key == "assignees") read_people(f, i.assignees, at);
        else if (key == "extra_assignees") read_people(f, i.extra_assignees, at);
        else if (key == "project") read_optional(f, i.project, at, read_string);
        else if (key == "contact_template") read_optional(f, i.contact_template, at, read_string);
        else return false;
        return true;
    });
}

void read_reaction(const json::value& v, Reaction& r, const Path& path) {
    read_record(v, "reaction", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "emoji") read_string(f, r.emoji, at);
        else if (key == "added") read_bool(f, r.added, at);
        else if (key == "anonymous") read_bool(f, r.anonymous, at);
        else if (key == "by") read_optional(f, r.by, at, read_person);
        else return false;
        return true;
    });
}

void read_account(const json::value& v, Account& a, const Path& path) {
    read_record(v, "account", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "name") read_string(f, a.name, at);
        else if (key == "plan") read_enum(f, a.plan, at);
        else return false;
        return true;
    });
}

void read_notice(const json::value& v, Notice& n, const Path& path) {
    read_record(v, "notice", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "person") read_person(f, n.person, at);
        else if (key == "reason") read_enum(f, n.reason, at);
        else return false;
        return true;
    });
}

void read_settings(const json::value& v, Settings& s, const Path& path) {
    if (!v.is_object()) expected(path, "an object of settings by name");
    for (const auto& [key, value] : v.get_object()) {
        const Path at = field_path(path, key);
        if (key == "new_task_if_no_active") read_bool(value, s.new_task_if_no_active, at);
        else if (key == "notify_only_chat_members") read_bool(value, s.notify_only_chat_members, at);
        else if (key == "send_as_employee") read_bool(value, s.send_as_employee, at);
        else if (key == "positive_reactions") read_list(value, s.positive_reactions, at, read_string);
        else refuse_value(at, "unknown setting `" + std::string(key) + "`");
    }
}

// An object from an id written as a string to a list of ids (facts.members, facts.roles).
void read_id_lists(const json::value& v, std::unordered_map<std::int64_t, std::vector<std::int64_t>>& out,
                   const Path& path) {
    if (!v.is_object()) expected(path, "an object from ids (as strings) to lists of ids");
    for (const auto& [key, value] : v.get_object()) {
        std::vector<std::int64_t> ids;
        read_list(value, ids, field_path(path, key), read_int);
        std::int64_t id = 0;
        const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
        const bool canonical = error == std::errc() && end == key.data() + key.size() && std::to_string(id) == key;
        if (canonical) out[id] = std::move(ids);
    }
}

void read_facts(const json::value& v, Facts& facts, const Path& path) {
    read_record(v, "facts", path, [&](std::string_view key, const json::value& f, const Path& at) {
        if (key == "members") read_id_lists(f, facts.members, at);
        else if (key == "roles") read_id_lists(f, facts.roles, at);
        else if (key == "history") read_list(f, facts.history, at, read_message);
        else return false;
        return true;
    });
}

// ---------------------------------------------------------------------------------------------
// The policies. One function per policy of rules/*.rules, named after its file; `decide`
// picks the one that applies by the message's scope, as docs/cases.md says. The shipped scopes
// are strictly nested (a transport narrows `for`, a chat kind narrows the transport), so the
// most specific policy is found by testing the narrowest scope first.

namespace texts {
// rules/common.rules
constexpr std::string_view choose_whom =
    "choose whom to notify: the customer is waiting for a reply and would not see this comment";
constexpr std::string_view channel_deleted =
    "the channel of this conversation was deleted; a new channel with the same number takes over its tasks";
// rules/telegram.rules
constexpr std::string_view bots_cannot_write_first =
    "Telegram does not let bots write first: this contact has not written to the bot";
constexpr std::string_view bot_blocked = "the contact stopped or blocked the bot";
constexpr std::string_view start_greeting = "Hello! Write your question here and we will answer.";
// rules/telegram_business.rules
constexpr std::string_view never_wrote = "the customer has not written in this chat yet";
constexpr std::string_view window_closed = "more than 24 hours passed since the customer's last message";
constexpr std::string_view bot_stopped = "the customer stopped the bot in this chat";
constexpr std::string_view no_reply_right = "the business bot lacks the right to reply in this chat";
// rules/whatsapp.rules
constexpr std::string_view needs_title =
    "a new conversation needs a task title and a description: the description is sent as the first message";
constexpr std::string_view bound_channel =
    "this conversation is bound to its first channel; to change it, delete the task and write anew";
// rules/instagram.rules
constexpr std::string_view reply_only = "Instagram is reply-only: nobody can write first";
}  // namespace texts

constexpr Millis reply_window = 24LL * 60 * 60 * 1000;  // rules/telegram_business.rules: 24 h
constexpr Bytes megabytes = 1'000'000;

constexpr QuickReply canned_replies[] = {
    {"greeting", "Hello! How can we help you?"},
    {"thanks", "Thank you for your message: we will answer shortly."},
    {"done", "Your request is done. Write here if anything else comes up."},
};

bool contains_id(const std::vector<std::int64_t>& ids, std::int64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The fact queries. member_of and has_role are split in two: finding the chat's members (the
// task's people) once, then looking a person up in them.
const std::vector<std::int64_t>* known_people(const std::unordered_map<std::int64_t, std::vector<std::int64_t>>& facts,
                                              std::int64_t id) {
    const auto found = facts.find(id);
    return found == facts.end() ? nullptr : &found->second;
}

bool is_known(const std::vector<std::int64_t>* people, const Person& person) {
    return people && contains_id(*people, person.id);
}

const Message* last_message_with(const Facts& facts, const Person& person) {
    const auto took_part = [&](const Message& m) {
        return m.sender.id == person.id ||
               std::any_of(m.participants.begin(), m.participants.end(),
                           [&](const Person& p) { return p.id == person.id; });
    };
    const auto found = std::find_if(facts.history.rbegin(), facts.history.rend(), took_part);
    return found == facts.history.rend() ? nullptr : &*found;
}

// `(if empty(integration.assignees) then [integration.owner] else integration.assignees)
//  + integration.extra_assignees`, shared by every routing policy.
std::vector<const Person*> routing_assignees(const Integration& integration) {
    std::vector<const Person*> people;
    people.reserve(std::max<std::size_t>(integration.assignees.size(), 1) + integration.extra_assignees.size());
    if (integration.assignees.empty()) people.push_back(&integration.owner);
    for (const Person& p : integration.assignees) people.push_back(&p);
    for (const Person& p : integration.extra_assignees) people.push_back(&p);
    return people;
}

Route common_routing(const NativeCase& c) {
    const Message& m = c.message;
    std::string title = m.sender.name;
    title.append(" (").append(name_of(m.transport)).append(", ").append(name_of(c.integration.service));
    title.append(", ").append(m.channel.number).append(")");
    return Thread{{m.channel.number, m.chat.id}, std::move(title), std::nullopt, routing_assignees(c.integration),
                  c.integration.project};
}

Route telegram_routing(const NativeCase& c) {
    const Message& m = c.message;
    if (m.chat.kind == ChatKind::group || m.chat.kind == ChatKind::channel) return LinkedTask{&m.chat};
    if (m.direction == Direction::inbound && m.sender.is_employee) return Ignore{"an employee linking their account (T8)"};
    std::string title = m.sender.name;
    title.append(" (telegram, ").append(name_of(c.integration.service)).append(", @");
    title.append(m.channel.number).append(")");
    return Thread{{m.channel.number, m.chat.id}, std::move(title), std::nullopt, routing_assignees(c.integration),
                  c.integration.project};
}

Route instagram_routing(const NativeCase& c) {
    const Message& m = c.message;
    std::string title = m.sender.username.value_or(m.sender.name);
    if (m.chat.kind == ChatKind::comment) {
        std::string description = "Comment under ";
        description += m.post ? std::string_view(m.post->url) : std::string_view("a post");
        const std::string_view post_id = m.post ? std::string_view(m.post->id) : std::string_view();
        return Thread{{post_id, m.sender.id}, std::move(title), std::move(description),
                      routing_assignees(c.integration), std::nullopt};
    }
    return Thread{{m.channel.number, m.chat.id}, std::move(title), m.text, routing_assignees(c.integration),
                  std::nullopt};
}

ReopenAction common_reopen(const NativeCase& c) {
    return c.settings.new_task_if_no_active ? ReopenAction::new_task : ReopenAction::reopen;
}

std::vector<NoticeRef> common_notification(const NativeCase& c) {
    std::vector<NoticeRef> notices;
    notices.reserve(c.task.assignees.size());
    for (const Person& p : c.task.assignees) notices.push_back({&p, NoticeReason::assignee});
    return notices;
}

// T4: mentioned people first, else the employees of the author's last conversation, else the
// assignees; then chat members only (when set) with a way into the task. The chosen people are
// filtered as they are chosen, each notice carrying the reason they were chosen for.
std::vector<NoticeRef> telegram_group_notification(const NativeCase& c) {
    const Message& m = c.message;
    const auto* members = known_people(c.facts.members, m.chat.id);  // member_of(it, message.chat)
    const auto* roles = known_people(c.facts.roles, c.task.id);        // has_role(it, task)
    std::vector<NoticeRef> notices;
    const auto offer = [&](const Person& p, NoticeReason why) {
        const bool allowed = (!c.settings.notify_only_chat_members || is_known(members, p)) &&
                             (p.is_employee || p.has_access || is_known(roles, p));
        if (allowed) notices.push_back({&p, why});
    };

    if (!m.mentions.empty()) {
        for (const Person& p : m.mentions) offer(p, NoticeReason::mentioned);
        return notices;
    }
    const auto is_employee = [](const Person& p) { return p.is_employee; };
    const Message* last = last_message_with(c.facts, m.sender);
    if (last && std::any_of(last->participants.begin(), last->participants.end(), is_employee)) {
        for (const Person& p : last->participants)
            if (is_employee(p)) offer(p, NoticeReason::recent_participant);
        return notices;
    }
    for (const Person& p : c.task.assignees) offer(p, NoticeReason::assignee);
    return notices;
}

FileAction telegram_outbound_attachment(const File& f) {
    const auto is = [&](std::initializer_list<std::string_view> exts) {
        return std::find(exts.begin(), exts.end(), f.ext) != exts.end();
    };
    if (is({"pdf", "zip"}) && f.size < 5 * megabytes) return FileAction::attach;
    if (is({"jpg", "jpeg", "png", "gif"}) && f.size < 5 * megabytes) return FileAction::attach;
    if (f.ext == "mp4" && f.size < 50 * megabytes) return FileAction::attach;
    if (f.ext == "mp3" && f.size < 50 * megabytes) return FileAction::attach;
    return FileAction::link;
}

FileAction instagram_outbound_attachment(const File& f) {
    return f.kind == FileKind::image ? FileAction::inline_preview : FileAction::link;
}

// The attachment policy for one file, or none when no policy applies (echo messages).
std::optional<FileAction> attachment_for(const NativeCase& c, const File& f) {
    const Message& m = c.message;
    if (m.direction == Direction::inbound) return FileAction::attach;  // common.rules
    if (m.direction != Direction::outbound) return std::nullopt;
    switch (m.transport) {
    case Transport::telegram: return telegram_outbound_attachment(f);
    case Transport::whatsapp: return FileAction::attach;
    case Transport::instagram: return instagram_outbound_attachment(f);
    }
    return std::nullopt;
}

Delivery refusal(std::string_view reason) { return {Delivery::Kind::refuse, reason, std::nullopt, std::nullopt}; }
Delivery internal() { return {Delivery::Kind::internal, {}, std::nullopt, std::nullopt}; }
Delivery send(std::optional<std::string_view> signature = std::nullopt,
              std::optional<std::int64_t> reply_to = std::nullopt) {
    return {Delivery::Kind::send, {}, signature, reply_to};
}

// The first two rules of every delivery policy: a comment that does not notify the contact
// stays inside the tracker. Returns none when the comment does notify the contact.
std::optional<Delivery> internal_comment(const NativeCase& c) {
    if (c.message.notifies_contact) return std::nullopt;
    return c.conversation.expects_reply ? refusal(texts::choose_whom) : internal();
}

Delivery telegram_delivery(const NativeCase& c) {
    if (auto kept = internal_comment(c)) return *kept;
    if (!c.contact.has_written) return refusal(texts::bots_cannot_write_first);
    if (c.contact.blocked_bot) return refusal(texts::bot_blocked);
    return send();
}

Delivery telegram_business_delivery(const NativeCase& c) {
    if (auto kept = internal_comment(c)) return *kept;
    const Conversation& conv = c.conversation;
    if (!conv.last_inbound_at) return refusal(texts::never_wrote);
    // `-` wraps around on overflow, as in the language: subtract as unsigned.
    const auto since = static_cast<Millis>(static_cast<std::uint64_t>(c.now) -
                                           static_cast<std::uint64_t>(*conv.last_inbound_at));
    if (since > reply_window) return refusal(texts::window_closed);
    if (conv.customer_stopped_bot) return refusal(texts::bot_stopped);
    if (!conv.can_reply) return refusal(texts::no_reply_right);
    if (c.settings.send_as_employee) return send(c.employee.name);
    return send();
}

Delivery whatsapp_delivery(const NativeCase& c) {
    if (auto kept = internal_comment(c)) return *kept;
    if (c.channel.deleted) return refusal(texts::channel_deleted);
    if (c.task.is_new && (c.task.title.empty() || c.task.description.empty())) return refusal(texts::needs_title);
    if (!c.conversation.is_new && c.message.channel.id != c.conversation.channel.id)
        return refusal(texts::bound_channel);
    return send();
}

Delivery instagram_delivery(const NativeCase& c) {
    if (auto kept = internal_comment(c)) return *kept;
    if (c.conversation.is_new && !c.message.reply_to) return refusal(texts::reply_only);  // I6: a private reply may open one
    if (c.message.chat.kind == ChatKind::comment) return send(std::nullopt, c.conversation.first_comment_id);
    return send();
}

// common.rules also has `policy delivery for outbound`, but each of the three transports
// narrows it, so in the planfix ruleset it never applies.
std::optional<Delivery> delivery(const NativeCase& c) {
    const Message& m = c.message;
    if (m.direction != Direction::outbound) return std::nullopt;
    switch (m.transport) {
    case Transport::telegram:
        return m.chat.kind == ChatKind::business ? telegram_business_delivery(c) : telegram_delivery(c);
    case Transport::whatsapp: return whatsapp_delivery(c);
    case Transport::instagram: return instagram_delivery(c);
    }
    return std::nullopt;
}

CommandAction telegram_command(std::string_view command) {
    using Kind = CommandAction::Kind;
    if (command == "start") return {Kind::reply, texts::start_greeting};
    if (command == "new") return {Kind::create_task, {}};
    if (command == "tasks") return {Kind::show_open_tasks, {}};
    if (command == "contact") return {Kind::add_contact, {}};
    return {Kind::pass, {}};
}

ReactionAction telegram_reaction(const NativeCase& c) {
    const Reaction& r = c.reaction;
    const auto& positive = c.settings.positive_reactions;
    if (r.anonymous) return ReactionAction::skip;
    if (r.added && std::find(positive.begin(), positive.end(), r.emoji) != positive.end()) return ReactionAction::like;
    if (!r.added) return ReactionAction::unlike;
    return ReactionAction::skip;
}

AlertRoute common_alert(const NativeCase& c) {
    if (c.account.plan == Plan::free) return AlertRoute::tracker_only;
    if (c.employee.telegram_linked) return AlertRoute::bot_message;
    return AlertRoute::tracker_only;
}

// ---------------------------------------------------------------------------------------------
// Writing decisions as JSON.

template <typename T, typename Writer>
json::value optional_json(const std::optional<T>& value, Writer write) {
    return value ? write(*value) : json::value(nullptr);
}

json::value string_json(std::string_view s) { return json::string(s); }
json::value int_json(std::int64_t i) { return i; }

json::object person_json(const Person& p) {
    return {{"id", p.id},
            {"name", p.name},
            {"username", optional_json(p.username, string_json)},
            {"phone", optional_json(p.phone, string_json)},
            {"is_employee", p.is_employee},
            {"has_access", p.has_access}};
}

json::object chat_json(const Chat& c) {
    return {{"id", c.id},
            {"kind", name_of(c.kind)},
            {"title", c.title},
            {"username", optional_json(c.username, string_json)}};
}

// A result: `{ "constructor": { parameters } }`.
json::object result_json(std::string_view constructor, json::object parameters = {}) {
    return {{constructor, std::move(parameters)}};
}

json::object route_json(const Route& route) {
    if (const auto* linked = std::get_if<LinkedTask>(&route))
        return result_json("linked_task", {{"chat", chat_json(*linked->chat)}});
    if (const auto* ignore = std::get_if<Ignore>(&route)) return result_json("ignore", {{"reason", ignore->reason}});
    const Thread& t = std::get<Thread>(route);
    json::array key;
    for (const ThreadKey& k : t.key) key.push_back(std::visit([](auto v) { return json::value(v); }, k));
    json::array assignees;
    for (const Person* p : t.assignees) assignees.push_back(person_json(*p));
    return result_json("thread", {{"key", std::move(key)},
                                  {"title", t.title},
                                  {"description", optional_json(t.description, string_json)},
                                  {"assignees", std::move(assignees)},
                                  {"project", optional_json(t.project, string_json)}});
}

json::object file_action_json(FileAction action) {
    switch (action) {
    case FileAction::attach: return result_json("attach");
    case FileAction::inline_preview: return result_json("inline");
    case FileAction::link: return result_json("link");
    }
    return {};
}

json::object delivery_json(const Delivery& d) {
    switch (d.kind) {
    case Delivery::Kind::send:
        return result_json("send", {{"signature", optional_json(d.signature, string_json)},
                                    {"reply_to", optional_json(d.reply_to, int_json)}});
    case Delivery::Kind::internal: return result_json("internal");
    case Delivery::Kind::refuse: return result_json("refuse", {{"reason", d.reason}});
    }
    return {};
}

json::object command_json(const CommandAction& a) {
    switch (a.kind) {
    case CommandAction::Kind::reply: return result_json("reply", {{"text", a.text}});
    case CommandAction::Kind::create_task: return result_json("create_task");
    case CommandAction::Kind::show_open_tasks: return result_json("show_open_tasks");
    case CommandAction::Kind::add_contact: return result_json("add_contact");
    case CommandAction::Kind::pass: return result_json("pass");
    }
    return {};
}

json::array notices_json(const std::vector<NoticeRef>& notices) {
    json::array out;
    for (const NoticeRef& n : notices)
        out.push_back(json::object{{"person", person_json(*n.person)}, {"reason", name_of(n.reason)}});
    return out;
}

json::array quick_replies_json(std::span<const QuickReply> replies) {
    json::array out;
    for (const QuickReply& q : replies) out.push_back(json::object{{"name", q.name}, {"text", q.text}});
    return out;
}

json::object decision_json(std::string_view kind, json::value value, std::optional<std::size_t> file = {}) {
    json::object decision{{"kind", kind}};
    if (file) decision["file"] = static_cast<std::int64_t>(*file);
    decision["value"] = std::move(value);
    return decision;
}

}  // namespace

NativeCase native_case_from_json(const json::object& case_json) {
    NativeCase c;
    for (const auto& [key, v] : case_json) {
        const Path at(key);
        if (key == "message") read_message(v, c.message, at);
        else if (key == "file") read_file(v, c.file, at), c.gives_file = true;
        else if (key == "contact") read_contact(v, c.contact, at);
        else if (key == "employee") read_employee(v, c.employee, at), c.gives_employee = true;
        else if (key == "task") read_task(v, c.task, at);
        else if (key == "conversation") read_conversation(v, c.conversation, at);
        else if (key == "channel") read_channel(v, c.channel, at);
        else if (key == "integration") read_integration(v, c.integration, at);
        else if (key == "account") read_account(v, c.account, at);
        else if (key == "reaction") read_reaction(v, c.reaction, at), c.gives_reaction = true;
        else if (key == "notice") read_notice(v, c.notice, at), c.gives_notice = true;
        else if (key == "now") read_time(v, c.now, at);
        else if (key == "settings") read_settings(v, c.settings, at);
        else if (key == "facts") read_facts(v, c.facts, at);
        else refuse_value(at, "unknown key `" + std::string(key) + "` in a case");
    }
    return c;
}

std::size_t NativeDecisions::size() const {
    return routing.has_value() + reopen.has_value() + notification.has_value() + attachment.size() +
           delivery.has_value() + command.has_value() + reaction.has_value() + quick_replies.has_value() +
           alert.has_value();
}

NativeDecisions decide(const NativeCase& c) {
    const Message& m = c.message;
    const bool inbound = m.direction == Direction::inbound;
    const bool outbound = m.direction == Direction::outbound;
    const bool echo = m.direction == Direction::echo;
    const bool telegram = m.transport == Transport::telegram;
    NativeDecisions d;

    // Each kind is asked only in the directions its policies see (a policy without `for` sees
    // every direction of its kind) and only when its subject is present.
    if (!outbound) {
        switch (m.transport) {
        case Transport::telegram: d.routing = telegram_routing(c); break;
        case Transport::whatsapp: d.routing = common_routing(c); break;
        case Transport::instagram: d.routing = instagram_routing(c); break;
        }
    }
    if (inbound) {
        d.reopen = common_reopen(c);
        const bool linked_chat = m.chat.kind == ChatKind::group || m.chat.kind == ChatKind::channel;
        d.notification = telegram && linked_chat ? telegram_group_notification(c) : common_notification(c);
    }
    if (!m.files.empty()) {
        d.attachment.reserve(m.files.size());
        for (std::size_t i = 0; i < m.files.size(); ++i)
            if (auto action = attachment_for(c, m.files[i])) d.attachment.push_back({i, *action});
    } else if (c.gives_file) {
        if (auto action = attachment_for(c, c.file)) d.attachment.push_back({std::nullopt, *action});
    }
    d.delivery = delivery(c);
    if (inbound && telegram && m.command) d.command = telegram_command(*m.command);
    if (!echo && telegram && c.gives_reaction) d.reaction = telegram_reaction(c);
    if (outbound && c.gives_employee) d.quick_replies = std::span<const QuickReply>(canned_replies);
    if (!echo && c.gives_notice) d.alert = common_alert(c);
    return d;
}

json::array to_json(const NativeDecisions& d) {
    json::array out;
    if (d.routing) out.push_back(decision_json("routing", route_json(*d.routing)));
    if (d.reopen) out.push_back(decision_json("reopen", json::string(name_of(*d.reopen))));
    if (d.notification) out.push_back(decision_json("notification", notices_json(*d.notification)));
    for (const FileDecision& f : d.attachment)
        out.push_back(decision_json("attachment", file_action_json(f.action), f.file));
    if (d.delivery) out.push_back(decision_json("delivery", delivery_json(*d.delivery)));
    if (d.command) out.push_back(decision_json("command", command_json(*d.command)));
    if (d.reaction) out.push_back(decision_json("reaction", json::string(name_of(*d.reaction))));
    if (d.quick_replies) out.push_back(decision_json("quick_replies", quick_replies_json(*d.quick_replies)));
    if (d.alert) out.push_back(decision_json("alert", json::string(name_of(*d.alert))));
    return out;
}

}  // namespace switchyard::bench
