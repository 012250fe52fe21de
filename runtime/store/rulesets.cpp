// The rulesets that have served, and their events (tracker migration 11; runtime/store/rulesets.hpp).
// The server writes them through a Work, like any writer of the tracker; the API reads them on
// the reader's connection. The queries are shared: each takes the connection it runs on.
#include "runtime/store/impl.hpp"

#include <array>
#include <limits>

namespace switchyard::store {

namespace {

using sql::Query;

constexpr std::array<std::string_view, 4> action_names = {"configured", "publish", "rollback", "refuse"};

std::optional<RulesetAction> action_named(const std::optional<std::string>& name) {
    for (std::size_t i = 0; name && i < action_names.size(); ++i)
        if (action_names[i] == *name) return static_cast<RulesetAction>(i);
    return std::nullopt;
}

std::optional<std::string_view> optional_name(const std::optional<RulesetAction>& action) {
    if (!action) return std::nullopt;
    return name_of(*action);
}

RulesetActor actor_at(const Query& q, int kind) {
    return RulesetActor{q.text(kind), q.optional_integer(kind + 1), q.text(kind + 2)};
}

// A RulesetRecord's columns; the compiled bytes follow them only where they are asked for.
constexpr std::string_view ruleset_columns = "SELECT version, name, first_served_at, actor_kind, actor, actor_name";

RulesetRecord ruleset_at(const Query& q) { return RulesetRecord{q.text(0), q.text(1), q.integer(2), actor_at(q, 3)}; }

constexpr std::string_view event_columns =
    "SELECT id, at, action, version, previous, attempted, actor_kind, actor, actor_name, reason, detail FROM ruleset_events ";

RulesetEvent event_at(const Query& q) {
    RulesetEvent e;
    e.id = q.integer(0);
    e.at = q.integer(1);
    e.action = action_named(q.text(2)).value_or(RulesetAction::refuse);  // the CHECK allows no other
    e.version = q.optional_text(3);
    e.previous = q.optional_text(4);
    e.attempted = action_named(q.optional_text(5));
    e.by = actor_at(q, 6);
    e.reason = q.optional_text(9);
    e.detail = q.optional_text(10);
    return e;
}

std::optional<StoredRuleset> stored_ruleset(sql::Connection& c, std::string_view version) {
    Query q(c, std::string(ruleset_columns) + ", compiled FROM rulesets WHERE version = ?");
    q.bind(version);
    if (!q.step()) return std::nullopt;
    return StoredRuleset{ruleset_at(q), q.text(6)};
}

std::optional<RulesetEvent> latest_event(sql::Connection& c, std::string_view where) {
    Query q(c, std::string(event_columns) + std::string(where) + " ORDER BY id DESC LIMIT 1");
    if (!q.step()) return std::nullopt;
    return event_at(q);
}

}  // namespace

std::string_view name_of(RulesetAction action) { return action_names.at(static_cast<std::size_t>(action)); }

bool Work::keep_ruleset(const RulesetRecord& r, std::string_view compiled) {
    auto& c = state_->connection;
    Query(c,
          "INSERT INTO rulesets (version, name, compiled, first_served_at, actor_kind, actor, actor_name)"
          " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING")
        .bind(r.version, r.name)
        .bind_blob(3, compiled)
        .bind_from(4, r.first_served_at, r.first_served_by.kind, r.first_served_by.id, r.first_served_by.name)
        .run();
    return c.changes() == 1;
}

std::int64_t Work::record_ruleset_event(const RulesetEvent& e) {
    auto& c = state_->connection;
    Query(c,
          "INSERT INTO ruleset_events (at, action, version, previous, attempted, actor_kind, actor, actor_name, reason, detail)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(e.at, name_of(e.action), e.version, e.previous, optional_name(e.attempted), e.by.kind, e.by.id, e.by.name,
              e.reason, e.detail)
        .run();
    return c.last_insert_id();
}

RulesetState Work::ruleset_state() {
    auto& c = state_->connection;
    return RulesetState{latest_event(c, "WHERE action = 'configured'"),
                        latest_event(c, "WHERE action IN ('configured', 'publish', 'rollback')")};
}

std::optional<StoredRuleset> Work::ruleset(std::string_view version) { return stored_ruleset(state_->connection, version); }

std::vector<RulesetRecord> Store::rulesets() {
    std::lock_guard lock(impl_->reader->mutex);
    Query q(impl_->reader->connection, std::string(ruleset_columns) + " FROM rulesets ORDER BY first_served_at DESC, rowid DESC");
    std::vector<RulesetRecord> out;
    while (q.step()) out.push_back(ruleset_at(q));
    return out;
}

std::optional<RulesetEvent> Store::latest_served() {
    std::lock_guard lock(impl_->reader->mutex);
    return latest_event(impl_->reader->connection, "WHERE action IN ('configured', 'publish', 'rollback')");
}

std::optional<StoredRuleset> Store::ruleset(std::string_view version) {
    std::lock_guard lock(impl_->reader->mutex);
    return stored_ruleset(impl_->reader->connection, version);
}

std::vector<RulesetEvent> Store::ruleset_events(std::int64_t limit, std::int64_t before_id) {
    std::lock_guard lock(impl_->reader->mutex);
    Query q(impl_->reader->connection, std::string(event_columns) + "WHERE id < ? ORDER BY id DESC LIMIT ?");
    q.bind(before_id > 0 ? before_id : std::numeric_limits<std::int64_t>::max(), limit);
    std::vector<RulesetEvent> out;
    while (q.step()) out.push_back(event_at(q));
    return out;
}

}  // namespace switchyard::store
