// The parts of facts that cost a query of their own, read only when a policy reads them (the
// worker asks the engine's fields_read first): a task's status history and a contact's tags
// and custom fields; and their writes through the API.
#include "runtime/store/impl.hpp"

namespace switchyard::store {

namespace {

using sql::Query;

// `complete` and `reopen` are the history's status changes (the API's and the worker's).
std::string_view status_after(std::string_view action) { return action == "complete" ? "completed" : "active"; }

}  // namespace

std::vector<StatusChangeRecord> Work::status_history(std::int64_t task) {
    std::vector<StatusChangeRecord> out;
    Query q(state_->connection,
            "SELECT action, at, actor_kind, actor, actor_name FROM history"
            " WHERE task = ? AND action IN ('complete', 'reopen') ORDER BY id");
    q.bind(task);
    while (q.step()) {
        StatusChangeRecord change{std::string(status_after(q.text(0))), q.integer(1), std::nullopt};
        if (q.text(2) != "system") change.by = person_at(q, 2, 3, 4);
        out.push_back(std::move(change));
    }
    return out;
}

std::vector<std::string> Work::contact_tags(std::int64_t contact) {
    std::vector<std::string> tags;
    Query q(state_->connection, "SELECT tag FROM contact_tags WHERE contact = ? ORDER BY tag");
    q.bind(contact);
    while (q.step()) tags.push_back(q.text(0));
    return tags;
}

void Work::set_contact_tags(std::int64_t contact, const std::vector<std::string>& tags) {
    Query(state_->connection, "DELETE FROM contact_tags WHERE contact = ?").bind(contact).run();
    for (const auto& tag : tags)
        Query(state_->connection, "INSERT INTO contact_tags (contact, tag) VALUES (?, ?) ON CONFLICT DO NOTHING")
            .bind(contact, tag)
            .run();
}

std::vector<std::pair<std::string, std::string>> Work::contact_fields(std::int64_t contact) {
    std::vector<std::pair<std::string, std::string>> fields;
    Query q(state_->connection, "SELECT name, value FROM contact_fields WHERE contact = ? ORDER BY name");
    q.bind(contact);
    while (q.step()) fields.emplace_back(q.text(0), q.text(1));
    return fields;
}

void Work::set_contact_fields(std::int64_t contact,
                              const std::vector<std::pair<std::string, std::optional<std::string>>>& fields) {
    for (const auto& [name, value] : fields) {
        if (!value) {
            Query(state_->connection, "DELETE FROM contact_fields WHERE contact = ? AND name = ?").bind(contact, name).run();
            continue;
        }
        Query(state_->connection,
              "INSERT INTO contact_fields (contact, name, value) VALUES (?, ?, ?)"
              " ON CONFLICT (contact, name) DO UPDATE SET value = excluded.value")
            .bind(contact, name, *value)
            .run();
    }
}

}  // namespace switchyard::store
