// The worker's transaction: lookups and changes, each one prepared statement.
#include "runtime/store/impl.hpp"

#include <algorithm>

namespace switchyard::store {

namespace {

using sql::Query;

ContactRecord contact_at(const Query& q) {
    ContactRecord c;
    c.id = q.integer(0);
    c.name = q.text(1);
    c.username = q.optional_text(2);
    c.phone = q.optional_text(3);
    return c;
}

constexpr std::string_view conversation_columns =
    "SELECT v.id, v.integration, v.key, v.channel, coalesce(ch.external_id, ''), v.chat, v.chat_kind, v.contact,"
    " v.started_by, v.task, v.last_inbound_at, v.last_direction, v.first_comment_id, v.business_connection,"
    " v.unanswered_count, v.last_reply_at"
    " FROM conversations v LEFT JOIN channels ch ON ch.id = v.channel ";

ConversationRecord conversation_at(const Query& q) {
    ConversationRecord v;
    v.id = q.integer(0);
    v.integration = q.text(1);
    v.key = q.text(2);
    v.channel = q.optional_integer(3);
    v.channel_external_id = q.text(4);
    v.chat = q.text(5);
    v.chat_kind = q.text(6);
    v.contact = q.optional_integer(7);
    v.started_by = q.text(8);
    v.task = q.optional_integer(9);
    v.last_inbound_at = q.optional_integer(10);
    v.last_direction = q.optional_text(11);
    v.first_comment_id = q.optional_integer(12);
    v.business_connection = q.optional_text(13);
    v.unanswered_count = q.integer(14);
    v.last_reply_at = q.optional_integer(15);
    return v;
}

// A known identity with its contact: what the messenger said of it last, and the contact.
struct KnownIdentity {
    ContactRecord contact;
    std::string name;
    std::optional<std::string> username;
    std::optional<std::string> phone;
};

std::optional<KnownIdentity> find_identity(sql::Connection& c, std::string_view transport, std::string_view external_id) {
    Query q(c,
            "SELECT c.id, c.name, c.username, c.phone, i.name, i.username, i.phone FROM identities i"
            " JOIN contacts c ON c.id = i.contact WHERE i.transport = ? AND i.external_id = ?");
    q.bind(transport, external_id);
    if (!q.step()) return std::nullopt;
    return KnownIdentity{contact_at(q), q.text(4), q.optional_text(5), q.optional_text(6)};
}

// The messenger's latest name, username and phone; what it does not say is kept. Most messages
// come from someone whose details did not change: then nothing is written.
ContactRecord refresh(sql::Connection& c, const KnownIdentity& known, const IdentityInput& id,
                      std::optional<std::string_view> name, std::int64_t at) {
    bool identity_changed = (name && *name != known.name) || (id.username && id.username != known.username) ||
                            (id.phone && id.phone != known.phone);
    if (identity_changed)
        Query(c,
              "UPDATE identities SET name = coalesce(?, name), username = coalesce(?, username), phone = coalesce(?, phone)"
              " WHERE transport = ? AND external_id = ?")
            .bind(name, id.username, id.phone, id.transport, id.external_id)
            .run();
    ContactRecord out = known.contact;
    bool changed = false;
    if (name && *name != out.name) out.name = std::string(*name), changed = true;
    if (id.username && id.username != out.username) out.username = id.username, changed = true;
    if (id.phone && id.phone != out.phone) out.phone = id.phone, changed = true;
    if (changed)
        Query(c, "UPDATE contacts SET name = ?, username = ?, phone = ?, updated_at = ? WHERE id = ?")
            .bind(out.name, out.username, out.phone, at, out.id)
            .run();
    return out;
}

}  // namespace

Work::Work(std::unique_ptr<State> state) : state_(std::move(state)) {}
Work::Work(Work&&) noexcept = default;
Work::~Work() = default;

void Work::commit() {
    state_->transaction.commit();
    // Channels this transaction made or found are there for good now.
    state_->channels.merge(state_->new_channels);
    state_->new_channels.clear();
}

Work::Unit::Unit(Work& work) : work_(work), savepoint_(work.state_->connection) {}

Work::Unit::~Unit() {
    // The savepoint rolls itself back when it goes (members go after this body).
    if (savepoint_.open()) forget_new_channels();
}

void Work::Unit::keep() { savepoint_.release(); }

void Work::Unit::undo() {
    forget_new_channels();
    savepoint_.rollback();
}

void Work::Unit::forget_new_channels() {
    // A channel made inside the unit is gone with it; forgetting every channel of this
    // transaction is simpler than knowing which, and costs one lookup each.
    work_.state_->new_channels.clear();
}

bool Work::first_sight(std::string_view key, std::int64_t inbox, std::int64_t at) {
    Query q(state_->connection, "INSERT INTO seen (key, inbox, at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING");
    q.bind(key, inbox, at).run();
    return state_->connection.changes() == 1;
}

// ---- contacts ----

ContactRecord Work::find_or_create_contact(const IdentityInput& id, std::int64_t at,
                                           const std::optional<std::string>& contact_template) {
    auto& c = state_->connection;
    std::optional<std::string_view> name;
    if (!id.name.empty()) name = id.name;
    if (auto found = find_identity(c, id.transport, id.external_id)) return refresh(c, *found, id, name, at);
    std::optional<std::int64_t> contact_id;
    if (id.phone && !id.phone->empty()) {
        // W6 and across messengers: one person, one contact, however many identities.
        Query q(c, "SELECT id FROM contacts WHERE phone = ? ORDER BY id LIMIT 1");
        q.bind(*id.phone);
        if (q.step()) contact_id = q.integer(0);
    }
    bool is_new = !contact_id;
    std::string_view stored_name = name.value_or(id.external_id);
    if (is_new) {
        Query(c, "INSERT INTO contacts (name, username, phone, template, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(stored_name, id.username, id.phone, contact_template, at, at)
            .run();
        contact_id = c.last_insert_id();
    }
    Query(c,
          "INSERT INTO identities (contact, transport, external_id, name, username, phone, created_at)"
          " VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(*contact_id, id.transport, id.external_id, stored_name, id.username, id.phone, at)
        .run();
    auto record = *contact(*contact_id);
    record.is_new = is_new;
    return record;
}

std::optional<ContactRecord> Work::find_contact(std::string_view transport, std::string_view external_id) {
    Query q(state_->connection,
            "SELECT c.id, c.name, c.username, c.phone FROM identities i JOIN contacts c ON c.id = i.contact"
            " WHERE i.transport = ? AND i.external_id = ?");
    q.bind(transport, external_id);
    if (!q.step()) return std::nullopt;
    return contact_at(q);
}

std::optional<ContactRecord> Work::find_contact_by_username(std::string_view transport, std::string_view username) {
    Query q(state_->connection,
            "SELECT c.id, c.name, c.username, c.phone FROM identities i JOIN contacts c ON c.id = i.contact"
            " WHERE i.transport = ? AND i.username IS NOT NULL AND lower(i.username) = lower(?) ORDER BY i.id LIMIT 1");
    q.bind(transport, username);
    if (!q.step()) return std::nullopt;
    return contact_at(q);
}

std::optional<ContactRecord> Work::contact(std::int64_t id) {
    Query q(state_->connection, "SELECT id, name, username, phone FROM contacts WHERE id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return contact_at(q);
}

bool Work::has_written(std::string_view integration, std::int64_t contact) {
    Query q(state_->connection,
            "SELECT 1 FROM comments WHERE integration = ? AND author_kind = 'contact' AND author = ?"
            " AND direction = 'inbound' LIMIT 1");
    q.bind(integration, contact);
    return q.step();
}

bool Work::bot_blocked(std::string_view integration, std::int64_t contact) {
    Query q(state_->connection,
            "SELECT 1 FROM bot_blocks b JOIN identities i ON i.transport = b.transport AND i.external_id = b.external_id"
            " WHERE b.integration = ? AND i.contact = ? LIMIT 1");
    q.bind(integration, contact);
    return q.step();
}

void Work::set_bot_blocked(std::string_view integration, std::string_view transport, std::string_view external_id,
                           bool blocked, std::int64_t at) {
    if (blocked) {
        Query(state_->connection,
              "INSERT INTO bot_blocks (integration, transport, external_id, at) VALUES (?, ?, ?, ?)"
              " ON CONFLICT (integration, transport, external_id) DO UPDATE SET at = excluded.at")
            .bind(integration, transport, external_id, at)
            .run();
        return;
    }
    Query(state_->connection, "DELETE FROM bot_blocks WHERE integration = ? AND transport = ? AND external_id = ?")
        .bind(integration, transport, external_id)
        .run();
}

// ---- channels, conversations, tasks ----

std::int64_t Work::channel_id(std::string_view integration, std::string_view external_id) {
    // Channels are made once and never change: known ones are kept in memory (State::channels).
    auto key = std::pair(std::string(integration), std::string(external_id));
    if (auto it = state_->channels.find(key); it != state_->channels.end()) return it->second;
    if (auto it = state_->new_channels.find(key); it != state_->new_channels.end()) return it->second;
    auto& c = state_->connection;
    Query(c, "INSERT INTO channels (integration, external_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
        .bind(integration, external_id)
        .run();
    Query q(c, "SELECT id FROM channels WHERE integration = ? AND external_id = ?");
    q.bind(integration, external_id);
    q.step();
    std::int64_t id = q.integer(0);
    state_->new_channels.emplace(std::move(key), id);
    return id;
}

std::optional<ConversationRecord> Work::conversation(std::string_view integration, std::string_view key) {
    Query q(state_->connection, std::string(conversation_columns) + "WHERE v.integration = ? AND v.key = ?");
    q.bind(integration, key);
    if (!q.step()) return std::nullopt;
    return conversation_at(q);
}

std::optional<ConversationRecord> Work::conversation(std::int64_t id) {
    Query q(state_->connection, std::string(conversation_columns) + "WHERE v.id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return conversation_at(q);
}

std::optional<ConversationRecord> Work::latest_conversation_of_chat(std::string_view integration, std::string_view chat) {
    Query q(state_->connection, std::string(conversation_columns) +
                                    "WHERE v.integration = ? AND v.chat = ? AND v.task IS NOT NULL"
                                    " ORDER BY coalesce((SELECT max(id) FROM comments WHERE conversation = v.id), 0) DESC,"
                                    " v.id DESC LIMIT 1");
    q.bind(integration, chat);
    if (!q.step()) return std::nullopt;
    return conversation_at(q);
}

std::optional<std::int64_t> Work::open_dialogue(std::string_view integration, std::string_view chat, std::string_view chat_kind) {
    Query q(state_->connection,
            "SELECT v.task FROM conversations v JOIN tasks t ON t.id = v.task"
            " WHERE v.integration = ? AND v.chat = ? AND v.chat_kind = ? AND t.deleted_at IS NULL ORDER BY v.id LIMIT 1");
    q.bind(integration, chat, chat_kind);
    if (!q.step()) return std::nullopt;
    return q.integer(0);
}

std::int64_t Work::create_conversation(const NewConversation& v) {
    Query(state_->connection,
          "INSERT INTO conversations (integration, key, channel, chat, chat_kind, contact, started_by, created_at)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(v.integration, v.key, v.channel, v.chat, v.chat_kind, v.contact, v.started_by, v.at)
        .run();
    return state_->connection.last_insert_id();
}

void Work::set_conversation_task(std::int64_t conversation, std::int64_t task) {
    Query(state_->connection, "UPDATE conversations SET task = ? WHERE id = ?").bind(task, conversation).run();
}

void Work::set_conversation_channel(std::int64_t conversation, std::int64_t channel) {
    Query(state_->connection, "UPDATE conversations SET channel = ? WHERE id = ?").bind(channel, conversation).run();
}

void Work::note_comment(std::int64_t conversation, std::string_view direction, std::int64_t comment, std::int64_t at,
                        std::string_view author_kind) {
    bool inbound = direction == "inbound";
    bool by_contact = author_kind == "contact", by_employee = author_kind == "employee";
    // One statement as before: the counts ride on the update every comment makes anyway.
    Query(state_->connection,
          "UPDATE conversations SET last_direction = ?,"
          " last_inbound_at = CASE WHEN ? THEN max(coalesce(last_inbound_at, 0), ?) ELSE last_inbound_at END,"
          " unanswered_count = CASE WHEN ? THEN unanswered_count + 1 WHEN ? THEN 0 ELSE unanswered_count END,"
          " last_reply_at = CASE WHEN ? THEN max(coalesce(last_reply_at, 0), ?) ELSE last_reply_at END,"
          " first_comment_id = coalesce(first_comment_id, ?) WHERE id = ?")
        .bind(direction, inbound, at, by_contact, by_employee, by_employee, at, comment, conversation)
        .run();
}

std::optional<TaskRecord> Work::task(std::int64_t id) {
    auto& c = state_->connection;
    TaskRecord t;
    {
        Query q(c,
                "SELECT id, conversation, contact, title, description, status, project, created_at, deleted_at,"
                " completed_at FROM tasks WHERE id = ?");
        q.bind(id);
        if (!q.step()) return std::nullopt;
        t.id = q.integer(0);
        t.conversation = q.optional_integer(1);
        t.contact = q.optional_integer(2);
        t.title = q.text(3);
        t.description = q.text(4);
        t.status = q.text(5);
        t.project = q.optional_text(6);
        t.created_at = q.integer(7);
        t.deleted_at = q.optional_integer(8);
        t.completed_at = q.optional_integer(9);
    }
    Query q(c, "SELECT kind, person, name FROM assignees WHERE task = ? ORDER BY rowid");
    q.bind(id);
    while (q.step()) t.assignees.push_back(person_at(q, 0, 1, 2));
    return t;
}

std::int64_t Work::create_task(const NewTask& t) {
    auto& c = state_->connection;
    Query(c,
          "INSERT INTO tasks (conversation, contact, title, description, status, project, created_at, updated_at)"
          " VALUES (?, ?, ?, ?, 'active', ?, ?, ?)")
        .bind(t.conversation, t.contact, t.title, t.description, t.project, t.at, t.at)
        .run();
    std::int64_t id = c.last_insert_id();
    for (const auto& a : t.assignees)
        Query(c, "INSERT INTO assignees (task, kind, person, name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(id, a.kind, a.id, a.name)
            .run();
    return id;
}

void Work::set_task_status(std::int64_t task, std::string_view status, std::int64_t at) {
    Query(state_->connection,
          "UPDATE tasks SET status = ?, updated_at = ?, completed_at = CASE WHEN ? THEN CAST(? AS BIGINT) END WHERE id = ?")
        .bind(status, at, status == "completed", at, task)
        .run();
}

std::optional<std::int64_t> Work::linked_task(std::string_view integration, std::string_view chat) {
    Query q(state_->connection, "SELECT task FROM chat_links WHERE integration = ? AND chat = ?");
    q.bind(integration, chat);
    if (!q.step()) return std::nullopt;
    return q.integer(0);
}

void Work::link_chat(std::string_view integration, std::string_view chat, std::int64_t task, std::int64_t at) {
    Query(state_->connection,
          "INSERT INTO chat_links (integration, chat, task, linked_at) VALUES (?, ?, ?, ?)"
          " ON CONFLICT (integration, chat) DO UPDATE SET task = excluded.task, linked_at = excluded.linked_at")
        .bind(integration, chat, task, at)
        .run();
}

// ---- comments ----

// The columns of migration 1 come first; an outbound comment's (migration 3) are added only when
// it has them. Messages coming in have none, so the statement they run is the one they always
// ran, and a store not yet at migration 3 (the migration tests) can still be written.
constexpr std::string_view insert_comment =
    "INSERT INTO comments (task, conversation, integration, chat, chat_kind, direction, author_kind, author,"
    " author_name, text, external_id, number, participants, sent_at, created_at, inbox)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view insert_outbound_comment =
    "INSERT INTO comments (task, conversation, integration, chat, chat_kind, direction, author_kind, author,"
    " author_name, text, external_id, number, participants, sent_at, created_at, inbox, quotes, delivery_status)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

std::int64_t Work::add_comment(const NewComment& m) {
    auto& c = state_->connection;
    bool outbound = m.quotes || m.delivery_status;
    {
        Query q(c, outbound ? insert_outbound_comment : insert_comment);
        q.bind(m.task, m.conversation, m.integration, m.chat, m.chat_kind, m.direction, m.author.kind, nonzero(m.author.id),
               m.author.name, m.text, m.external_id, m.number, json_text(m.participants, state_->json_text[0]), m.sent_at,
               m.created_at, m.inbox);
        if (outbound) q.bind_from(17, m.quotes, m.delivery_status);
        q.run();
    }
    std::int64_t id = c.last_insert_id();
    // A task's times are the events' times, as its created_at is (not when the worker ran).
    Query(c, "UPDATE tasks SET updated_at = max(updated_at, ?) WHERE id = ?").bind(m.sent_at, m.task).run();
    return id;
}

std::optional<CommentRecord> Work::comment_by_number(std::string_view integration, std::string_view chat, std::int64_t number) {
    Query q(state_->connection, std::string(comment_record_columns) +
                                    "WHERE integration = ? AND chat = ? AND number = ? ORDER BY id DESC LIMIT 1");
    q.bind(integration, chat, number);
    if (!q.step()) return std::nullopt;
    return comment_record_at(q);
}

std::optional<CommentRecord> Work::comment_by_external_id(std::string_view integration, std::string_view external_id) {
    Query q(state_->connection,
            std::string(comment_record_columns) + "WHERE integration = ? AND external_id = ? ORDER BY id DESC LIMIT 1");
    q.bind(integration, external_id);
    if (!q.step()) return std::nullopt;
    return comment_record_at(q);
}

void Work::edit_comment(std::int64_t comment, std::string_view text, std::int64_t at) {
    Query(state_->connection, "UPDATE comments SET text = ?, edited_at = ? WHERE id = ?").bind(text, at, comment).run();
}

std::int64_t Work::mark_deleted(std::string_view integration, std::string_view chat, const std::vector<std::int64_t>& numbers,
                                std::int64_t at) {
    std::int64_t marked = 0;
    for (auto n : numbers) {
        Query(state_->connection,
              "UPDATE comments SET deleted_at = coalesce(deleted_at, ?) WHERE integration = ? AND chat = ? AND number = ?")
            .bind(at, integration, chat, n)
            .run();
        marked += state_->connection.changes();
    }
    return marked;
}

bool Work::set_delivery(std::string_view integration, std::string_view external_id, std::string_view status,
                        std::string_view error, std::int64_t at) {
    Query(state_->connection,
          "UPDATE comments SET delivery_status = ?, delivery_error = ?, delivery_at = ?"
          " WHERE integration = ? AND external_id = ?")
        .bind(status, error.empty() ? std::nullopt : std::optional(error), at, integration, external_id)
        .run();
    return state_->connection.changes() > 0;
}

std::vector<CommentRecord> Work::history(std::int64_t conversation, std::int64_t limit) {
    std::vector<CommentRecord> out;
    Query q(state_->connection, std::string(comment_record_columns) + "WHERE conversation = ? ORDER BY id DESC LIMIT ?");
    q.bind(conversation, limit);
    while (q.step()) out.push_back(comment_record_at(q));
    return out;
}

// ---- who is in a chat ----

void Work::add_chat_member(std::string_view integration, std::string_view chat, const PersonRef& person, std::int64_t at) {
    Query(state_->connection,
          "INSERT INTO chat_members (integration, chat, kind, person, since) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(integration, chat, person.kind, person.id, at)
        .run();
}

void Work::remove_chat_member(std::string_view integration, std::string_view chat, const PersonRef& person) {
    Query(state_->connection, "DELETE FROM chat_members WHERE integration = ? AND chat = ? AND kind = ? AND person = ?")
        .bind(integration, chat, person.kind, person.id)
        .run();
}

bool Work::is_chat_member(std::string_view integration, std::string_view chat, std::string_view kind, std::int64_t person) {
    Query q(state_->connection,
            "SELECT 1 FROM chat_members WHERE integration = ? AND chat = ? AND kind = ? AND person = ?");
    q.bind(integration, chat, kind, person);
    return q.step();
}

// As with comments: the columns of migration 3 only for a file that has something in them (a
// file with nothing to fetch gets `none` by the column's default).
constexpr std::string_view insert_file =
    "INSERT INTO files (comment, position, name, ext, mime, size, kind, source, action, reason)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view insert_stored_file =
    "INSERT INTO files (comment, position, name, ext, mime, size, kind, source, action, reason, blob, stored, store_error)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

std::int64_t Work::add_file(std::int64_t comment, const NewFile& f) {
    bool stored = f.blob || f.stored != "none" || f.store_error;
    Query q(state_->connection, stored ? insert_stored_file : insert_file);
    q.bind(comment, f.position, f.name, f.ext, f.mime, f.size, f.kind, f.source, f.action, f.reason);
    if (stored) q.bind_from(11, f.blob, f.stored, f.store_error);
    q.run();
    return state_->connection.last_insert_id();
}

void Work::add_notification(std::int64_t task, std::optional<std::int64_t> comment, const PersonRef& person,
                            std::string_view reason, std::int64_t at) {
    Query(state_->connection,
          "INSERT INTO notifications (task, comment, kind, person, name, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(task, comment, person.kind, person.id, person.name, reason, at)
        .run();
}

// ---- Telegram Business ----

void Work::upsert_business_connection(const BusinessConnectionRecord& b) {
    Query(state_->connection,
          "INSERT INTO business_connections"
          " (id, integration, owner_external_id, owner_name, owner_chat_id, can_reply, enabled, updated_at)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET integration = excluded.integration,"
          " owner_external_id = excluded.owner_external_id, owner_name = excluded.owner_name,"
          " owner_chat_id = excluded.owner_chat_id, can_reply = excluded.can_reply, enabled = excluded.enabled,"
          " updated_at = excluded.updated_at")
        .bind(b.id, b.integration, b.owner_external_id, b.owner_name, b.owner_chat_id, b.can_reply, b.enabled, b.at)
        .run();
}

std::optional<BusinessConnectionRecord> Work::business_connection(std::string_view id) {
    Query q(state_->connection,
            "SELECT id, integration, owner_external_id, owner_name, owner_chat_id, can_reply, enabled, updated_at"
            " FROM business_connections WHERE id = ?");
    q.bind(id);
    if (!q.step()) return std::nullopt;
    return BusinessConnectionRecord{q.text(0), q.text(1), q.text(2), q.text(3), q.integer(4),
                                    q.integer(5) != 0, q.integer(6) != 0, q.integer(7)};
}

// ---- the decision log ----

std::int64_t Work::log_decision(const NewDecision& d) {
    Query(state_->connection,
          "INSERT INTO decisions (inbox, event, task, comment, ruleset, rules, trace, decisions, note, at, cases)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(d.inbox, d.event, d.task, d.comment, d.ruleset, json_text(d.rules, state_->json_text[0]),
              json_text(d.trace, state_->json_text[1]), json_text(d.decisions, state_->json_text[2]), d.note, d.at,
              d.cases.empty() ? std::optional<std::string_view>() : std::optional(json_text(d.cases, state_->json_text[3])))
        .run();
    return state_->connection.last_insert_id();
}

}  // namespace switchyard::store
