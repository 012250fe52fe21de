// Where a message goes: the conversation and task its routing decision names (C1-C4, T3, W7,
// I4), and what a message to a completed task does (reopen).
#include "runtime/worker/processor.hpp"

#include "common/text.hpp"

#include <algorithm>

namespace switchyard::worker {

namespace {

std::vector<store::PersonRef> refs_of(const std::vector<records::Person>& people) {
    std::vector<store::PersonRef> out;
    for (const auto& p : people) {
        auto ref = ref_of(p);
        if (!ref) continue;
        bool seen = std::any_of(out.begin(), out.end(), [&](const auto& r) { return r.kind == ref->kind && r.id == ref->id; });
        if (!seen) out.push_back(*ref);
    }
    return out;
}

}  // namespace

Processor::Placed Processor::placed_in(std::int64_t conversation, bool is_new) {
    return placed_in(*work_.conversation(conversation), is_new);
}

Processor::Placed Processor::placed_in(store::ConversationRecord conversation, bool is_new) {
    Placed p;
    p.conversation = std::move(conversation);
    p.task = *work_.task(*p.conversation.task);
    p.new_conversation = is_new;
    return p;
}

store::NewTask Processor::task_from(const Placed& p, const std::optional<store::ContactRecord>& contact,
                                    const adapters::Message& m, std::int64_t at) const {
    store::NewTask t;
    t.conversation = p.conversation.id;
    t.contact = contact ? std::optional(contact->id) : p.conversation.contact;
    t.at = at;
    if (!p.thread) {
        // A linked chat's next task is its last one again (there is no thread to say otherwise).
        t.title = p.task.title;
        t.description = p.task.description;
        t.project = p.task.project;
        t.assignees = p.task.assignees;
        t.contact = p.task.contact;
        return t;
    }
    t.title = p.thread->title;
    if (t.title.empty()) t.title = contact ? contact->name : m.sender.name;
    t.description = p.thread->description;
    if (p.thread->project) t.project = std::string(*p.thread->project);
    t.assignees = refs_of(p.thread->assignees);
    return t;
}

std::optional<Processor::Placed> Processor::thread(const adapters::Message& m, const Actors& a, std::int64_t channel_id,
                                                   engine::ThreadRoute route) {
    std::int64_t at = time_of(m.sent_at_ms);
    if (auto v = work_.conversation(integration_.id, route.key)) {
        // W7: a conversation whose channel is gone moves to the channel that took its number.
        if (v->channel != channel_id && !v->channel_external_id.empty() &&
            facts_.channel(v->channel_external_id, m.transport).deleted) {
            work_.set_conversation_channel(v->id, channel_id);
            v = work_.conversation(v->id);
        }
        Placed p = placed_in(std::move(*v), false);
        p.thread = std::move(route);
        // An employee deleted the conversation's task: the next message opens a new one.
        if (p.task.deleted_at) {
            auto task = work_.create_task(task_from(p, a.contact, m, at));
            work_.set_conversation_task(p.conversation.id, task);
            p.task = *work_.task(task);
        }
        return p;
    }
    // C1, C2: the first message of a conversation opens it with a new task, authored by the contact.
    store::NewConversation v;
    v.integration = integration_.id;
    v.key = route.key;
    v.channel = channel_id;
    v.chat = chat_;
    v.chat_kind = stdlib::name_of(m.chat_kind);
    if (a.contact) v.contact = a.contact->id;
    v.started_by = m.direction == stdlib::Direction::inbound ? "contact" : "employee";
    v.at = at;
    Placed p;
    p.conversation.id = work_.create_conversation(v);
    p.conversation.contact = v.contact;
    p.thread = std::move(route);
    auto task = work_.create_task(task_from(p, a.contact, m, at));
    work_.set_conversation_task(p.conversation.id, task);
    Placed out = placed_in(p.conversation.id, true);
    out.thread = std::move(p.thread);
    return out;
}

std::optional<Processor::Placed> Processor::linked(const adapters::Message& m, const engine::LinkedTaskRoute& route,
                                                   const std::string& rule) {
    // The chat in the decision is the message's own in the shipped rules; its id is the key.
    std::string chat = chat_;
    if (route.chat_id != chat_number(chat)) chat = std::to_string(route.chat_id);
    auto task = work_.linked_task(integration_.id, chat);
    // A channel linked by its @username (the API takes one, lowercased: Telegram's usernames
    // ignore case) is found by the username its posts carry.
    if (!task && chat == chat_ && m.chat_username && !m.chat_username->empty())
        task = work_.linked_task(integration_.id, "@" + common::ascii_lower(*m.chat_username));
    if (!task) {
        note("no task is linked to chat " + chat + " (routing by " + rule + "): message dropped");
        return std::nullopt;
    }

    std::string key = json::serialize(json::array{"linked_task", chat});
    auto v = work_.conversation(integration_.id, key);
    auto deleted = [&](const Placed& p) {
        if (!p.task.deleted_at) return false;
        note("chat " + chat + " is linked to task " + std::to_string(p.task.id) + ", which is deleted: message dropped");
        return true;
    };
    if (v && v->task == *task) {
        Placed p = placed_in(std::move(*v), false);
        if (deleted(p)) return std::nullopt;
        p.linked_chat = chat;
        return p;
    }
    std::int64_t id = 0;
    if (v) {
        id = v->id;
        work_.set_conversation_task(id, *task);  // linked again, to another task
    } else {
        store::NewConversation n;
        n.integration = integration_.id;
        n.key = key;
        n.chat = chat;
        n.chat_kind = stdlib::name_of(m.chat_kind);
        n.contact = work_.task(*task)->contact;
        n.started_by = "contact";
        n.at = time_of(m.sent_at_ms);
        id = work_.create_conversation(n);
        work_.set_conversation_task(id, *task);
    }
    Placed p = placed_in(id, !v);
    if (deleted(p)) return std::nullopt;
    p.linked_chat = chat;
    return p;
}

std::optional<Processor::Placed> Processor::latest(const adapters::Message& m) {
    auto v = work_.latest_conversation_of_chat(integration_.id, chat_);
    if (!v) {
        note("no routing decision and no conversation in chat " + chat_ + ": " +
             std::string(stdlib::name_of(m.direction)) + " message dropped");
        return std::nullopt;
    }
    return placed_in(v->id, false);
}

// Where the routing decision (none when no routing policy applies) puts the message.
std::optional<Processor::Placed> Processor::place(const adapters::Message& m, const Actors& a, std::int64_t channel_id,
                                                  const engine::Decision* routing) {
    if (routing && !routing->outcome.ok()) {
        note("routing failed: " + engine_.failure_text(*routing) + ": message dropped");
        return std::nullopt;
    }
    // Outbound messages are not routed by rules: they go where the chat last went.
    if (!routing) {
        if (m.direction != stdlib::Direction::inbound) return latest(m);
        note("no routing policy applies: message dropped");
        return std::nullopt;
    }
    auto route = deciding_.reader().route(routing->outcome.value);
    if (auto* t = std::get_if<engine::ThreadRoute>(&route)) return thread(m, a, channel_id, std::move(*t));
    if (auto* l = std::get_if<engine::LinkedTaskRoute>(&route)) return linked(m, *l, engine_.rule_of(*routing));
    note("ignored: " + std::string(std::get<engine::IgnoreRoute>(route).reason));
    return std::nullopt;
}

// ---- C4: a message to a completed or cancelled task ----

void Processor::reopen(const adapters::Message& m, const Actors& a, Placed& p, DecisionLog& log, std::int64_t at) {
    // The task a `new_task` would open, made first: the routing's arguments in `p.thread` point
    // into the VM's arena, which the reopen decision reuses.
    auto contact = p.conversation.contact ? work_.contact(*p.conversation.contact) : std::nullopt;
    auto fresh = task_from(p, contact, m, at);
    set_placed_facts(m, a, p, engine::bit(engine::Kind::reopen));
    const auto* d = find(decide(engine::bit(engine::Kind::reopen), log), engine::Kind::reopen);
    auto action = stdlib::ReopenAction::append;
    if (d && d->outcome.ok()) action = engine::DecisionReader::reopen(d->outcome.value);
    else if (d) cannot_apply(*d, "reopen: the message is added to the task as it is");
    if (action == stdlib::ReopenAction::reopen) {
        work_.set_task_status(p.task.id, "active", at);
        // In the history as the API's reopen is, so that `task.history` shows it; by the rules.
        work_.record_history(p.task.id, {"system", std::nullopt, "rules"}, "reopen", {{"from", p.task.status}, {"to", "active"}}, at);
    } else if (action == stdlib::ReopenAction::new_task) {
        auto task = work_.create_task(fresh);
        work_.set_conversation_task(p.conversation.id, task);
        if (p.linked_chat) work_.link_chat(integration_.id, *p.linked_chat, task, at);
    }
    auto linked_chat = std::move(p.linked_chat);
    p = placed_in(p.conversation.id, p.new_conversation);
    p.linked_chat = std::move(linked_chat);  // (the routing's arguments are stale now: not kept)
}

}  // namespace switchyard::worker
