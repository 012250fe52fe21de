#include "runtime/engine/records.hpp"

#include <array>
#include <stdexcept>

namespace switchyard::engine::records {

using vm::Arena;
using vm::Value;

namespace {

// The field names of each struct of records.hpp, in its order: what check_records compares
// with the schema, and the order the writers below fill.
struct Layout {
    std::string_view record;
    std::span<const std::string_view> fields;
};

constexpr std::array<std::string_view, 6> person_fields = {"id", "name", "username", "phone", "is_employee", "has_access"};
constexpr std::array<std::string_view, 4> chat_fields = {"id", "kind", "title", "username"};
constexpr std::array<std::string_view, 5> file_fields = {"name", "ext", "mime", "size", "kind"};
constexpr std::array<std::string_view, 3> post_fields = {"id", "url", "caption"};
constexpr std::array<std::string_view, 5> channel_fields = {"id", "name", "number", "transport", "deleted"};
constexpr std::array<std::string_view, 19> message_fields = {
    "id",      "direction", "transport", "chat",      "sender", "text",   "command",      "command_args", "mentions",
    "files",   "reply_to",  "post",      "channel",   "sent_at", "edited", "participants", "notified",     "notifies_contact",
    "is_auto_reply"};
constexpr std::array<std::string_view, 9> contact_fields = {"id",     "name",        "username",    "phone", "is_new",
                                                            "has_written", "blocked_bot", "tags", "fields"};
constexpr std::array<std::string_view, 4> employee_fields = {"id", "name", "is_owner", "telegram_linked"};
constexpr std::array<std::string_view, 10> task_fields = {"id",        "title",       "description", "status",
                                                          "is_new",    "assignees",   "project",     "created_at",
                                                          "completed_at", "history"};
constexpr std::array<std::string_view, 3> status_change_fields = {"status", "at", "by"};
constexpr std::array<std::string_view, 11> conversation_fields = {
    "id",        "channel",          "started_by",      "is_new",       "expects_reply", "last_inbound_at",
    "customer_stopped_bot", "can_reply", "first_comment_id", "unanswered_count", "last_reply_at"};
constexpr std::array<std::string_view, 8> integration_fields = {"id",        "name",           "service", "owner",
                                                                "assignees", "extra_assignees", "project", "contact_template"};
constexpr std::array<std::string_view, 4> reaction_fields = {"emoji", "added", "anonymous", "by"};
constexpr std::array<std::string_view, 2> account_fields = {"name", "plan"};
constexpr std::array<std::string_view, 2> notice_fields = {"person", "reason"};

constexpr std::array<Layout, 15> layouts = {{
    {"person", person_fields},
    {"chat", chat_fields},
    {"file", file_fields},
    {"post", post_fields},
    {"channel", channel_fields},
    {"message", message_fields},
    {"contact", contact_fields},
    {"employee", employee_fields},
    {"task", task_fields},
    {"conversation", conversation_fields},
    {"integration", integration_fields},
    {"reaction", reaction_fields},
    {"account", account_fields},
    {"notice", notice_fields},
    {"status_change", status_change_fields},
}};

void check_layout(const stdlib::Schema& schema, const Layout& layout, std::string& out) {
    auto type = schema.named_type(layout.record);
    if (!type) {
        out += "record " + std::string(layout.record) + ": not in the schema; ";
        return;
    }
    const auto& decl = schema.record_of(*type);
    if (decl.fields.size() != layout.fields.size())
        out += "record " + std::string(layout.record) + ": " + std::to_string(layout.fields.size()) + " fields here, " +
               std::to_string(decl.fields.size()) + " in the schema; ";
    for (std::size_t i = 0; i < decl.fields.size() && i < layout.fields.size(); ++i)
        if (decl.fields[i].name != layout.fields[i])
            out += "record " + std::string(layout.record) + ": field " + std::to_string(i) + " is `" +
                   std::string(layout.fields[i]) + "` here and `" + decl.fields[i].name + "` in the schema; ";
}

// Fills a record's fields in order.
class Fields {
public:
    Fields(Arena& arena, std::size_t n) : fields_(arena.values(n)), arena_(arena), n_(n) {}

    Fields& integer(std::int64_t v) { return put(Value::integer(v)); }
    Fields& boolean(bool v) { return put(Value::boolean(v)); }
    Fields& text(std::string_view v) { return put(Value::string(arena_.copy(v))); }
    Fields& text(const OptionalText& v) { return put(v ? Value::string(arena_.copy(*v)) : Value::none()); }
    Fields& integer(const std::optional<std::int64_t>& v) { return put(v ? Value::integer(*v) : Value::none()); }
    template <class E>
    Fields& member(E e) {
        return put(Value::integer(static_cast<std::int64_t>(e)));
    }
    Fields& value(const Value& v) { return put(v); }
    Value done() const { return Value::record(fields_, n_); }

private:
    Fields& put(const Value& v) {
        fields_[at_++] = v;
        return *this;
    }
    Value* fields_;
    Arena& arena_;
    std::size_t n_;
    std::size_t at_ = 0;
};

template <class T, class Write>
Value list_of(Arena& arena, std::span<const T> items, Write write) {
    Value* out = arena.values(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) out[i] = write(items[i]);
    return Value::list(out, items.size());
}

std::optional<std::string_view> optional_text(const Value& v) {
    return v.is_none() ? std::nullopt : std::optional(v.text());
}

}  // namespace

std::string check_records(const stdlib::Schema& schema) {
    std::string out;
    for (const auto& layout : layouts) check_layout(schema, layout, out);
    if (out.size() >= 2) out.resize(out.size() - 2);
    return out;
}

RecordWriter::RecordWriter(const stdlib::Schema& schema) {
    std::string problems = check_records(schema);
    std::string enums = stdlib::check_enums(schema);
    if (!enums.empty()) problems += (problems.empty() ? "" : "; ") + enums;
    if (!problems.empty()) throw std::logic_error("the engine's records do not match the schema: " + problems);
}

Value RecordWriter::person(Arena& arena, const Person& p) const {
    return Fields(arena, person_fields.size())
        .integer(p.id)
        .text(p.name)
        .text(p.username)
        .text(p.phone)
        .boolean(p.is_employee)
        .boolean(p.has_access)
        .done();
}

Value RecordWriter::people(Arena& arena, std::span<const Person> people) const {
    return list_of(arena, people, [&](const Person& p) { return person(arena, p); });
}

Value RecordWriter::chat(Arena& arena, const Chat& c) const {
    return Fields(arena, chat_fields.size()).integer(c.id).member(c.kind).text(c.title).text(c.username).done();
}

Value RecordWriter::file(Arena& arena, const File& f) const {
    return Fields(arena, file_fields.size()).text(f.name).text(f.ext).text(f.mime).integer(f.size).member(f.kind).done();
}

Value RecordWriter::post(Arena& arena, const Post& p) const {
    return Fields(arena, post_fields.size()).text(p.id).text(p.url).text(p.caption).done();
}

Value RecordWriter::channel(Arena& arena, const Channel& c) const {
    return Fields(arena, channel_fields.size())
        .integer(c.id)
        .text(c.name)
        .text(c.number)
        .member(c.transport)
        .boolean(c.deleted)
        .done();
}

Value RecordWriter::message(Arena& arena, const Message& m) const {
    return Fields(arena, message_fields.size())
        .integer(m.id)
        .member(m.direction)
        .member(m.transport)
        .value(chat(arena, m.chat))
        .value(person(arena, m.sender))
        .text(m.text)
        .text(m.command)
        .text(m.command_args)
        .value(people(arena, m.mentions))
        .value(list_of(arena, m.files, [&](const File& f) { return file(arena, f); }))
        .integer(m.reply_to)
        .value(m.post ? post(arena, *m.post) : Value::none())
        .value(channel(arena, m.channel))
        .integer(m.sent_at)
        .boolean(m.edited)
        .value(people(arena, m.participants))
        .value(people(arena, m.notified))
        .boolean(m.notifies_contact)
        .boolean(m.is_auto_reply)
        .done();
}

Value RecordWriter::contact(Arena& arena, const Contact& c) const {
    return Fields(arena, contact_fields.size())
        .integer(c.id)
        .text(c.name)
        .text(c.username)
        .text(c.phone)
        .boolean(c.is_new)
        .boolean(c.has_written)
        .boolean(c.blocked_bot)
        .value(list_of(arena, c.tags, [&](Text tag) { return Value::string(arena.copy(tag)); }))
        .value(c.fields)
        .done();
}

Value RecordWriter::employee(Arena& arena, const Employee& e) const {
    return Fields(arena, employee_fields.size()).integer(e.id).text(e.name).boolean(e.is_owner).boolean(e.telegram_linked).done();
}

Value RecordWriter::task(Arena& arena, const Task& t) const {
    return Fields(arena, task_fields.size())
        .integer(t.id)
        .text(t.title)
        .text(t.description)
        .member(t.status)
        .boolean(t.is_new)
        .value(people(arena, t.assignees))
        .text(t.project)
        .integer(t.created_at)
        .integer(t.completed_at)
        .value(list_of(arena, t.history, [&](const StatusChange& s) { return status_change(arena, s); }))
        .done();
}

Value RecordWriter::conversation(Arena& arena, const Conversation& c) const {
    return Fields(arena, conversation_fields.size())
        .integer(c.id)
        .value(channel(arena, c.channel))
        .member(c.started_by)
        .boolean(c.is_new)
        .boolean(c.expects_reply)
        .integer(c.last_inbound_at)
        .boolean(c.customer_stopped_bot)
        .boolean(c.can_reply)
        .integer(c.first_comment_id)
        .integer(c.unanswered_count)
        .integer(c.last_reply_at)
        .done();
}

Value RecordWriter::integration(Arena& arena, const Integration& i) const {
    return Fields(arena, integration_fields.size())
        .text(i.id)
        .text(i.name)
        .member(i.service)
        .value(person(arena, i.owner))
        .value(people(arena, i.assignees))
        .value(people(arena, i.extra_assignees))
        .text(i.project)
        .text(i.contact_template)
        .done();
}

Value RecordWriter::reaction(Arena& arena, const Reaction& r) const {
    return Fields(arena, reaction_fields.size())
        .text(r.emoji)
        .boolean(r.added)
        .boolean(r.anonymous)
        .value(r.by ? person(arena, *r.by) : Value::none())
        .done();
}

Value RecordWriter::account(Arena& arena, const Account& a) const {
    return Fields(arena, account_fields.size()).text(a.name).member(a.plan).done();
}

Value RecordWriter::notice(Arena& arena, const Notice& n) const {
    return Fields(arena, notice_fields.size()).value(person(arena, n.person)).member(n.reason).done();
}

Value RecordWriter::status_change(Arena& arena, const StatusChange& s) const {
    return Fields(arena, status_change_fields.size())
        .member(s.status)
        .integer(s.at)
        .value(s.by ? person(arena, *s.by) : Value::none())
        .done();
}

Person RecordWriter::read_person(const Value& v) {
    Person p;
    p.id = v[0].i;
    p.name = v[1].text();
    p.username = optional_text(v[2]);
    p.phone = optional_text(v[3]);
    p.is_employee = v[4].truth();
    p.has_access = v[5].truth();
    return p;
}

}  // namespace switchyard::engine::records
