// What employees do from the tracker, beside writing comments: a task's history, deleting a
// task, unlinking a chat, reading one comment, quick replies (C8).
#include "runtime/store/impl.hpp"

namespace switchyard::store {

namespace {

using sql::Query;

constexpr std::string_view quick_reply_columns =
    "SELECT id, name, text, created_by, created_by_name, created_at FROM quick_replies ";

QuickReplyRecord quick_reply_at(const Query& q) {
    return QuickReplyRecord{q.integer(0), q.text(1), q.text(2), q.optional_integer(3), q.text(4), q.integer(5)};
}

}  // namespace

void Work::record_history(std::int64_t task, const HistoryActor& actor, std::string_view action,
                          const boost::json::object& detail, std::int64_t at) {
    Query(state_->connection,
          "INSERT INTO history (task, actor_kind, actor, actor_name, action, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(task, actor.kind, actor.id, actor.name, action, json_text(detail, state_->json_text[0]), at)
        .run();
}

bool Work::delete_task(std::int64_t task, std::int64_t at) {
    Query(state_->connection,
          "UPDATE tasks SET deleted_at = ?, updated_at = max(updated_at, ?) WHERE id = ? AND deleted_at IS NULL")
        .bind(at, at, task)
        .run();
    return state_->connection.changes() == 1;
}

bool Work::unlink_chat(std::string_view integration, std::string_view chat) {
    Query(state_->connection, "DELETE FROM chat_links WHERE integration = ? AND chat = ?").bind(integration, chat).run();
    return state_->connection.changes() > 0;
}

std::optional<CommentRecord> Work::comment(std::int64_t id) {
    Query q(state_->connection, std::string(comment_record_columns) + "WHERE id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return comment_record_at(q);
}

// ---- quick replies ----

std::optional<std::int64_t> Work::add_quick_reply(std::string_view name, std::string_view text, std::optional<std::int64_t> by,
                                                  std::string_view by_name, std::int64_t at) {
    auto& c = state_->connection;
    Query(c,
          "INSERT INTO quick_replies (name, text, created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?)"
          " ON CONFLICT (name) DO NOTHING")
        .bind(name, text, by, by_name, at)
        .run();
    if (c.changes() != 1) return std::nullopt;
    return c.last_insert_id();
}

bool Work::delete_quick_reply(std::int64_t id) {
    Query(state_->connection, "DELETE FROM quick_replies WHERE id = ?").bind(id).run();
    return state_->connection.changes() > 0;
}

std::optional<QuickReplyRecord> Work::quick_reply(std::string_view name) {
    Query q(state_->connection, std::string(quick_reply_columns) + "WHERE name = ?");
    q.bind(name);
    if (!q.step()) return std::nullopt;
    return quick_reply_at(q);
}

std::vector<QuickReplyRecord> Store::quick_replies() {
    std::lock_guard lock(impl_->reader->mutex);
    std::vector<QuickReplyRecord> out;
    Query q(impl_->reader->connection, std::string(quick_reply_columns) + "ORDER BY name");
    while (q.step()) out.push_back(quick_reply_at(q));
    return out;
}

}  // namespace switchyard::store
