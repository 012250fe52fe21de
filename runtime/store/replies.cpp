// What replies and the write API need of the tracker beyond the outbox's rows: a
// conversation's Business connection, likes, a contact's open tasks, and the chats employees
// opened with the bot (T8).
#include "runtime/store/impl.hpp"

namespace switchyard::store {

using sql::Query;

bool Work::outbox_echo(std::int64_t row, std::string_view message_id) {
    auto& c = state_->connection;
    std::optional<std::int64_t> comment;
    std::int64_t part = 0;
    {
        Query q(c, "UPDATE outbox SET external_id = coalesce(external_id, ?) WHERE id = ? RETURNING comment, part");
        q.bind(message_id, row);
        if (!q.step()) return false;
        comment = q.optional_integer(0);
        part = q.integer(1);
    }
    if (comment && part == 0)
        Query(c, "UPDATE comments SET external_id = coalesce(external_id, ?) WHERE id = ?").bind(message_id, *comment).run();
    return true;
}

void Work::set_conversation_business(std::int64_t conversation, std::string_view connection) {
    Query(state_->connection, "UPDATE conversations SET business_connection = ? WHERE id = ?").bind(connection, conversation).run();
}

namespace {

std::string_view source_name(LikeSource from) { return from == LikeSource::telegram ? "telegram" : "tracker"; }

}  // namespace

bool Work::like(std::int64_t comment, const PersonRef& person, std::string_view emoji, LikeSource from, std::int64_t at) {
    Query(state_->connection,
          "INSERT INTO likes (comment, kind, person, name, emoji, source, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
          " ON CONFLICT DO NOTHING")
        .bind(comment, person.kind, person.id, person.name, emoji, source_name(from), at)
        .run();
    return state_->connection.changes() == 1;
}

bool Work::unlike(std::int64_t comment, const PersonRef& person, std::string_view emoji, LikeSource from) {
    Query(state_->connection, "DELETE FROM likes WHERE comment = ? AND kind = ? AND person = ? AND source = ? AND emoji = ?")
        .bind(comment, person.kind, person.id, source_name(from), emoji)
        .run();
    return state_->connection.changes() > 0;
}

std::optional<std::string> Work::like_of(std::int64_t comment, const PersonRef& person, LikeSource from) {
    Query q(state_->connection,
            "SELECT emoji FROM likes WHERE comment = ? AND kind = ? AND person = ? AND source = ? ORDER BY at, rowid LIMIT 1");
    q.bind(comment, person.kind, person.id, source_name(from));
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

std::int64_t Work::tracker_likes(std::int64_t comment) {
    Query q(state_->connection, "SELECT count(*) FROM likes WHERE comment = ? AND source = 'tracker'");
    q.bind(comment).step();
    return q.integer(0);
}

std::vector<TaskRecord> Work::open_tasks_of(std::int64_t contact) {
    Query q(state_->connection,
            "SELECT id FROM tasks WHERE contact = ? AND status = 'active' AND deleted_at IS NULL ORDER BY id");
    q.bind(contact);
    std::vector<std::int64_t> ids;
    while (q.step()) ids.push_back(q.integer(0));
    std::vector<TaskRecord> out;
    for (auto id : ids)
        if (auto t = task(id)) out.push_back(std::move(*t));
    return out;
}

void Work::set_employee_chat(std::string_view integration, std::int64_t employee, std::string_view chat, std::int64_t at) {
    Query(state_->connection,
          "INSERT INTO employee_chats (integration, employee, chat, at) VALUES (?, ?, ?, ?)"
          " ON CONFLICT (integration, employee) DO UPDATE SET chat = excluded.chat, at = excluded.at WHERE employee_chats.chat <> excluded.chat")
        .bind(integration, employee, chat, at)
        .run();
}

std::optional<std::string> Work::employee_chat(std::string_view integration, std::int64_t employee) {
    Query q(state_->connection, "SELECT chat FROM employee_chats WHERE integration = ? AND employee = ?");
    q.bind(integration, employee);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

void Work::save_channel(const ChannelRow& ch) {
    Query(state_->connection,
          "INSERT INTO api_channels (integration, id, number, transport, name, deleted, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
          " ON CONFLICT (integration, id) DO UPDATE SET number = excluded.number, transport = excluded.transport,"
          " name = excluded.name, deleted = excluded.deleted, at = excluded.at")
        .bind(ch.integration, ch.id, ch.number, ch.transport, ch.name, ch.deleted, ch.at)
        .run();
}

std::vector<ChannelRow> Store::saved_channels() {
    std::lock_guard lock(impl_->reader->mutex);
    Query q(impl_->reader->connection,
            "SELECT integration, id, number, transport, name, deleted, at FROM api_channels ORDER BY integration, at, id");
    std::vector<ChannelRow> out;
    while (q.step())
        out.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.integer(5) != 0, q.integer(6)});
    return out;
}

}  // namespace switchyard::store
