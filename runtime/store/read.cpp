// The read side of the HTTP API (docs/api.md): tasks (deleted ones left out), one task in full
// (deleted or not), a contact, the decision log. Each call reads one snapshot (a read
// transaction on the API's own connection).
#include "runtime/store/impl.hpp"

#include <algorithm>

namespace switchyard::store {

namespace {

using sql::Query;
namespace json = boost::json;

json::value text_or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value int_or_null(const std::optional<std::int64_t>& i) { return i ? json::value(*i) : json::value(nullptr); }
json::value time_or_null(const std::optional<std::int64_t>& ms) { return ms ? json::value(iso_time(*ms)) : json::value(nullptr); }

json::value parsed(const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return ec ? json::value(text) : v;
}

json::object person(const std::optional<std::string>& kind, const std::optional<std::int64_t>& id, const std::string& name) {
    return {{"kind", kind ? json::value(*kind) : json::value(nullptr)}, {"id", int_or_null(id)}, {"name", name}};
}

json::array assignees_of(sql::Connection& c, std::int64_t task) {
    json::array out;
    Query q(c, "SELECT kind, person, name FROM assignees WHERE task = ? ORDER BY rowid");
    q.bind(task);
    while (q.step()) out.push_back(person(q.optional_text(0), q.optional_integer(1), q.text(2)));
    return out;
}

// The columns of a task in a list; the same object starts a task in full.
constexpr std::string_view summary_sql =
    "SELECT t.id, t.title, t.description, t.status, t.project, t.created_at, t.updated_at, t.conversation,"
    " v.integration, t.contact, c.name, (SELECT count(*) FROM comments WHERE task = t.id)"
    " FROM tasks t LEFT JOIN conversations v ON v.id = t.conversation LEFT JOIN contacts c ON c.id = t.contact ";

json::object summary_at(const Query& q) {
    json::object o;
    o["id"] = q.integer(0);
    o["title"] = q.text(1);
    o["description"] = q.text(2);
    o["status"] = q.text(3);
    o["project"] = text_or_null(q.optional_text(4));
    o["integration"] = text_or_null(q.optional_text(8));
    o["conversation"] = int_or_null(q.optional_integer(7));
    if (auto contact = q.optional_integer(9)) o["contact"] = json::object{{"id", *contact}, {"name", q.text(10)}};
    else o["contact"] = nullptr;
    o["comments"] = q.integer(11);
    o["created_at"] = iso_time(q.integer(5));
    o["updated_at"] = iso_time(q.integer(6));
    return o;
}

// Summaries for the rows a query selects by task id, each with its assignees.
json::array summaries(sql::Connection& c, std::string_view where, std::int64_t a, std::int64_t b) {
    json::array out;
    {
        Query q(c, std::string(summary_sql) + std::string(where));
        q.bind(a, b);
        while (q.step()) out.push_back(summary_at(q));
    }
    for (auto& t : out) t.as_object()["assignees"] = assignees_of(c, t.as_object()["id"].as_int64());
    return out;
}

json::object conversation_of(sql::Connection& c, std::int64_t id) {
    Query q(c,
            "SELECT v.id, v.key, v.chat, v.chat_kind, ch.external_id, v.started_by, v.last_inbound_at"
            " FROM conversations v LEFT JOIN channels ch ON ch.id = v.channel WHERE v.id = ?");
    q.bind(id);
    if (!q.step()) return {};
    return {{"id", q.integer(0)},           {"key", parsed(q.text(1))},        {"chat", q.text(2)},
            {"chat_kind", q.text(3)},       {"channel", text_or_null(q.optional_text(4))},
            {"started_by", q.text(5)},      {"last_inbound_at", time_or_null(q.optional_integer(6))}};
}

json::array files_of(sql::Connection& c, std::int64_t comment) {
    json::array out;
    // Not the blob: the bytes are served through the API, by the comment and the file's position.
    Query q(c,
            "SELECT id, name, ext, mime, size, kind, source, action, reason, stored, store_error FROM files"
            " WHERE comment = ? ORDER BY position");
    q.bind(comment);
    while (q.step())
        out.push_back(json::object{{"id", q.integer(0)},     {"name", q.text(1)},   {"ext", q.text(2)},
                                   {"mime", q.text(3)},      {"size", q.integer(4)}, {"kind", q.text(5)},
                                   {"source", q.text(6)},    {"action", text_or_null(q.optional_text(7))},
                                   {"reason", text_or_null(q.optional_text(8))},
                                   {"stored", q.text(9)},    {"store_error", text_or_null(q.optional_text(10))}});
    return out;
}

json::array notifications_of(sql::Connection& c, std::int64_t comment) {
    json::array out;
    Query q(c, "SELECT kind, person, name, reason FROM notifications WHERE comment = ? ORDER BY id");
    q.bind(comment);
    while (q.step())
        out.push_back(json::object{{"person", person(q.optional_text(0), q.optional_integer(1), q.text(2))}, {"reason", q.text(3)}});
    return out;
}

// T6: `from: "telegram"` marks a reaction there, as the history's like does: an employee may
// have liked a comment both in the tracker and from their own Telegram account.
json::array likes_of(sql::Connection& c, std::int64_t comment) {
    json::array out;
    Query q(c, "SELECT kind, person, name, emoji, at, source FROM likes WHERE comment = ? ORDER BY at, rowid");
    q.bind(comment);
    while (q.step()) {
        json::object like{{"person", person(q.optional_text(0), q.optional_integer(1), q.text(2))},
                          {"emoji", q.text(3)},
                          {"at", iso_time(q.integer(4))}};
        if (q.text(5) == "telegram") like["from"] = "telegram";
        out.push_back(std::move(like));
    }
    return out;
}

// A comment's delivery (C7): its outbox rows' summary or Wazzup's latest status, from the
// columns delivery_status, delivery_error, delivery_at and external_id, from `first` on; null
// when nothing was sent. `status` is `state` under the name it had before the outbox, kept for
// the readers of that shape.
json::value delivery_at(const Query& q, int first) {
    auto state = q.optional_text(first);
    if (!state) return nullptr;
    return json::object{{"state", *state},
                        {"status", *state},
                        {"message_id", text_or_null(q.optional_text(first + 3))},
                        {"error", text_or_null(q.optional_text(first + 1))},
                        {"at", time_or_null(q.optional_integer(first + 2))}};
}

json::object comment_at(const Query& q) {
    json::object o;
    o["id"] = q.integer(0);
    o["direction"] = q.text(1);
    o["author"] = person(q.optional_text(2), q.optional_integer(3), q.text(4));
    o["text"] = q.text(5);
    o["external_id"] = text_or_null(q.optional_text(6));
    o["number"] = int_or_null(q.optional_integer(7));
    o["chat"] = q.text(8);
    o["sent_at"] = iso_time(q.integer(9));
    o["edited_at"] = time_or_null(q.optional_integer(10));
    o["deleted_at"] = time_or_null(q.optional_integer(11));
    o["quotes"] = int_or_null(q.optional_integer(16));
    o["delivery"] = delivery_at(q, 12);
    return o;
}

json::array comments_of(sql::Connection& c, std::int64_t task) {
    json::array out;
    {
        Query q(c,
                "SELECT id, direction, author_kind, author, author_name, text, external_id, number, chat, sent_at,"
                " edited_at, deleted_at, delivery_status, delivery_error, delivery_at, external_id, quotes FROM comments"
                " WHERE task = ? ORDER BY id");
        q.bind(task);
        while (q.step()) out.push_back(comment_at(q));
    }
    for (auto& v : out) {
        auto& o = v.as_object();
        auto id = o["id"].as_int64();
        o["files"] = files_of(c, id);
        o["notifications"] = notifications_of(c, id);
        o["likes"] = likes_of(c, id);
    }
    return out;
}

std::optional<json::object> contact_at(sql::Connection& c, std::int64_t id) {
    Query q(c, "SELECT id, name, username, phone, template, created_at, updated_at FROM contacts WHERE id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return json::object{{"id", q.integer(0)},
                        {"name", q.text(1)},
                        {"username", text_or_null(q.optional_text(2))},
                        {"phone", text_or_null(q.optional_text(3))},
                        {"template", text_or_null(q.optional_text(4))},
                        {"created_at", iso_time(q.integer(5))},
                        {"updated_at", iso_time(q.integer(6))}};
}

// Its tags (sorted) and custom fields (by name), as PUT /api/v1/contacts/{id} set them.
void add_tags_and_fields(sql::Connection& c, std::int64_t contact, json::object& o) {
    json::array tags;
    Query t(c, "SELECT tag FROM contact_tags WHERE contact = ? ORDER BY tag");
    t.bind(contact);
    while (t.step()) tags.emplace_back(t.text(0));
    json::object fields;
    Query f(c, "SELECT name, value FROM contact_fields WHERE contact = ? ORDER BY name");
    f.bind(contact);
    while (f.step()) fields[f.text(0)] = json::parse(f.text(1));
    o["tags"] = std::move(tags);
    o["fields"] = std::move(fields);
}

json::array identities_of(sql::Connection& c, std::int64_t contact) {
    json::array out;
    Query q(c, "SELECT transport, external_id, name, username, phone FROM identities WHERE contact = ? ORDER BY id");
    q.bind(contact);
    while (q.step())
        out.push_back(json::object{{"transport", q.text(0)},
                                   {"external_id", q.text(1)},
                                   {"name", q.text(2)},
                                   {"username", text_or_null(q.optional_text(3))},
                                   {"phone", text_or_null(q.optional_text(4))}});
    return out;
}

std::optional<std::int64_t> deleted_at(sql::Connection& c, std::int64_t task) {
    Query q(c, "SELECT deleted_at FROM tasks WHERE id = ?");
    q.bind(task);
    return q.step() ? q.optional_integer(0) : std::nullopt;
}

json::array history_of(sql::Connection& c, std::int64_t task) {
    json::array out;
    Query q(c, "SELECT id, actor_kind, actor, actor_name, action, detail, at FROM history WHERE task = ? ORDER BY id");
    q.bind(task);
    while (q.step())
        out.push_back(json::object{{"id", q.integer(0)},
                                   {"actor", person(q.optional_text(1), q.optional_integer(2), q.text(3))},
                                   {"action", q.text(4)},
                                   {"detail", parsed(q.text(5))},
                                   {"at", iso_time(q.integer(6))}});
    return out;
}

json::array chat_links_of(sql::Connection& c, std::int64_t task) {
    json::array out;
    Query q(c, "SELECT integration, chat, linked_at FROM chat_links WHERE task = ? ORDER BY linked_at, integration, chat");
    q.bind(task);
    while (q.step())
        out.push_back(json::object{{"integration", q.text(0)}, {"chat", q.text(1)}, {"linked_at", iso_time(q.integer(2))}});
    return out;
}

json::object decision_at(const Query& q) {
    return {{"id", q.integer(0)},
            {"inbox", q.integer(1)},
            {"event", q.text(2)},
            {"task", int_or_null(q.optional_integer(3))},
            {"comment", int_or_null(q.optional_integer(4))},
            {"ruleset", q.text(5)},
            {"rules", parsed(q.text(6))},
            {"trace", parsed(q.text(7))},
            {"decisions", parsed(q.text(8))},
            {"note", text_or_null(q.optional_text(9))},
            {"at", iso_time(q.integer(10))}};
}

}  // namespace

json::array Store::tasks(std::int64_t limit, std::int64_t after_id) {
    std::lock_guard lock(impl_->reader->mutex);
    auto& c = impl_->reader->connection;
    sql::Transaction snapshot(c, sql::Transaction::Mode::read);
    return summaries(c, "WHERE t.deleted_at IS NULL AND t.id > ? ORDER BY t.id LIMIT ?", after_id, std::max<std::int64_t>(limit, 0));
}

std::optional<json::object> Store::task(std::int64_t id) {
    std::lock_guard lock(impl_->reader->mutex);
    auto& c = impl_->reader->connection;
    sql::Transaction snapshot(c, sql::Transaction::Mode::read);
    auto found = summaries(c, "WHERE t.id = ? LIMIT ?", id, 1);
    if (found.empty()) return std::nullopt;
    auto task = std::move(found[0].as_object());
    if (auto conversation = task["conversation"].if_int64()) task["conversation"] = conversation_of(c, *conversation);
    task["comments"] = comments_of(c, id);
    task["deleted_at"] = time_or_null(deleted_at(c, id));
    task["chat_links"] = chat_links_of(c, id);
    task["history"] = history_of(c, id);
    return task;
}

std::optional<json::object> Store::contact(std::int64_t id) {
    std::lock_guard lock(impl_->reader->mutex);
    auto& c = impl_->reader->connection;
    sql::Transaction snapshot(c, sql::Transaction::Mode::read);
    auto contact = contact_at(c, id);
    if (!contact) return std::nullopt;
    add_tags_and_fields(c, id, *contact);
    (*contact)["identities"] = identities_of(c, id);
    (*contact)["tasks"] = summaries(c, "WHERE t.contact = ? AND t.deleted_at IS NULL ORDER BY t.id LIMIT ?", id, std::int64_t{1000});
    return contact;
}

json::array Store::decisions(std::optional<std::int64_t> task, std::int64_t limit, std::int64_t before_id) {
    std::lock_guard lock(impl_->reader->mutex);
    auto& c = impl_->reader->connection;
    sql::Transaction snapshot(c, sql::Transaction::Mode::read);
    std::string sql =
        "SELECT id, inbox, event, task, comment, ruleset, rules, trace, decisions, note, at FROM decisions"
        " WHERE (? OR task = ?) AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    Query q(c, sql);
    q.bind(!task.has_value(), task.value_or(0), before_id, before_id, std::max<std::int64_t>(limit, 0));
    json::array out;
    while (q.step()) out.push_back(decision_at(q));
    return out;
}

}  // namespace switchyard::store
