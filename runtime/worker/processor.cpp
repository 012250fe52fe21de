#include "runtime/worker/processor.hpp"

#include <algorithm>
#include <cctype>

namespace switchyard::worker {

namespace {

constexpr std::int64_t history_limit = 50;  // last_message_with() needs the latest few only

std::string digits(std::string_view s) {
    std::string out;
    for (char c : s)
        if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
    return out;
}

bool is_group(std::string_view chat_kind) { return chat_kind == "group" || chat_kind == "channel"; }

json::value text_or_null(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

// Persons deduplicated by who they are (employee or contact, and id); id 0 is no one.
void add_person(json::array& people, const json::object& person) {
    auto ref = ref_of(person);
    if (!ref) return;
    for (const auto& p : people) {
        auto other = ref_of(p.get_object());
        if (other && other->kind == ref->kind && other->id == ref->id) return;
    }
    people.push_back(person);
}

std::vector<store::PersonRef> refs_of(const json::value* people) {
    std::vector<store::PersonRef> out;
    if (!people || !people->is_array()) return out;
    for (const auto& p : people->get_array()) {
        if (!p.is_object()) continue;
        auto ref = ref_of(p.get_object());
        if (!ref) continue;
        bool seen = std::any_of(out.begin(), out.end(), [&](const auto& r) { return r.kind == ref->kind && r.id == ref->id; });
        if (!seen) out.push_back(*ref);
    }
    return out;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

}  // namespace

Processor::Processor(store::Work& work, const config::Config& config, const config::Integration& integration,
                     const Employees& employees, engine::Engine& engine, const engine::Ruleset& ruleset,
                     const store::InboxRow& row, std::int64_t now_ms)
    : work_(work),
      integration_(integration),
      employees_(employees),
      engine_(engine),
      ruleset_(ruleset),
      row_(row),
      now_(now_ms),
      facts_(config, integration, employees, work) {}

std::string Processor::apply(const adapters::Parsed& parsed) {
    if (parsed.ping) note("ping");
    if (!parsed.ignored.empty()) note("ignored: " + parsed.ignored);
    for (const auto& e : parsed.events) event(e);
    return join(notes_);
}

void Processor::event(const adapters::Event& e) {
    event_key_ = e.dedup_key;
    // R1: the key is recorded in the same transaction as the event's effects, so a redelivered
    // event finds it exactly when the first delivery's effects are there.
    if (!e.dedup_key.empty() && !work_.first_sight(e.dedup_key, row_.id, now_)) {
        note("already applied: " + e.dedup_key);
        return;
    }
    switch (e.type) {
        case adapters::EventType::message: return message(e);
        case adapters::EventType::reaction: return reaction(e);
        case adapters::EventType::business_connection: return business(e);
        case adapters::EventType::deleted: return deleted(e);
        case adapters::EventType::member_change: return member_change(e);
        case adapters::EventType::status: return status(e);
    }
}

Run Processor::decide(const json::object& kase) {
    auto c = engine::Case::from_json(*ruleset_.image, kase);
    engine::Options options;
    options.explain = true;  // R2: the log keeps why each rule fired
    const auto& decisions = engine_.decide(c, options);
    return Run{engine_.to_json(decisions, true)};
}

void Processor::log(const DecisionLog& log, const std::string& event, std::optional<std::int64_t> task,
                    std::optional<std::int64_t> comment, std::optional<std::string> note) {
    auto row = log.row(ruleset_.version);
    row.inbox = row_.id;
    row.event = event;
    row.task = task;
    row.comment = comment;
    row.note = std::move(note);
    row.at = now_;
    work_.log_decision(row);
}

std::string Processor::chat_of(const adapters::Message& m) const {
    return m.chat_external_id.empty() ? std::to_string(m.chat_id) : m.chat_external_id;
}

// ---- people ----

store::IdentityInput Processor::identity(std::string_view transport, const adapters::Person& p) const {
    store::IdentityInput id;
    id.transport = std::string(transport);
    // A WhatsApp identity is the number: the same digits however the messenger wrote them.
    id.external_id = transport == "whatsapp" ? digits(p.external_id) : p.external_id;
    id.name = p.name;
    id.username = p.username;
    if (p.phone && !digits(*p.phone).empty()) id.phone = digits(*p.phone);
    else if (transport == "whatsapp" && !id.external_id.empty()) id.phone = id.external_id;
    return id;
}

store::IdentityInput Processor::counterpart(const adapters::Message& m) const {
    adapters::Person p;
    p.external_id = chat_of(m);
    p.name = m.chat_title;
    p.username = m.chat_username;
    return identity(m.transport, p);
}

Processor::Actors Processor::actors(const adapters::Message& m, std::int64_t at) {
    Actors a;
    bool telegram = m.transport == "telegram";
    if (m.direction == "inbound") {
        // In a linked group an employee may write too: that is the employee, not a new contact.
        if (telegram && is_group(m.chat_kind))
            if (const auto* e = employees_.by_telegram(m.sender)) {
                a.author = {"employee", e->id, e->name};
                a.sender = employee_person(*e);
                return a;
            }
        a.contact = work_.find_or_create_contact(identity(m.transport, m.sender), at);
        a.author = {"contact", a.contact->id, a.contact->name};
        a.sender = contact_person(*a.contact);
        return a;
    }
    // Echo and outbound: we wrote (W9); the contact is the other side of the chat.
    a.employee = telegram ? employees_.by_telegram(m.sender) : nullptr;
    if (a.employee) {
        a.author = {"employee", a.employee->id, a.employee->name};
        a.sender = employee_person(*a.employee);
    } else {
        a.author = {"employee", 0, m.sender.name};
        a.sender = {{"id", 0}, {"name", m.sender.name}, {"is_employee", true}, {"has_access", true}};
    }
    if (!is_group(m.chat_kind)) a.contact = work_.find_or_create_contact(counterpart(m), at);
    return a;
}

// A mentioned person: an employee by their Telegram account, a known contact, or nobody known.
json::object Processor::mention(const adapters::Message& m, const adapters::Person& p) {
    if (m.transport == "telegram")
        if (const auto* e = employees_.by_telegram(p)) return employee_person(*e);
    std::optional<store::ContactRecord> c;
    if (!p.external_id.empty()) c = work_.find_contact(m.transport, p.external_id);
    if (!c && p.username) c = work_.find_contact_by_username(m.transport, *p.username);
    return c ? contact_person(*c) : unknown_person(p);
}

// ---- the case ----

json::object Processor::message_fact(const adapters::Message& m, const Actors& a, const json::object& channel, std::int64_t at) {
    json::object chat{{"id", m.chat_id != 0 ? m.chat_id : chat_number(chat_of(m))},
                      {"kind", m.chat_kind},
                      {"title", m.chat_title},
                      {"username", text_or_null(m.chat_username)}};
    json::array mentions, participants, files;
    add_person(participants, a.sender);
    for (const auto& p : m.mentions) {
        auto person = mention(m, p);
        add_person(participants, person);
        mentions.push_back(std::move(person));
    }
    for (const auto& f : m.files)
        files.push_back(json::object{{"name", f.name}, {"ext", f.ext}, {"mime", f.mime}, {"size", f.size},
                                     {"kind", f.kind.empty() ? "other" : f.kind}});
    json::object o;
    o["id"] = m.number;
    o["direction"] = m.direction;
    o["transport"] = m.transport;
    o["chat"] = std::move(chat);
    o["sender"] = a.sender;
    o["text"] = m.text;
    o["command"] = text_or_null(m.command);
    o["command_args"] = m.command_args;
    o["mentions"] = std::move(mentions);
    o["files"] = std::move(files);
    o["reply_to"] = m.reply_to ? json::value(*m.reply_to) : json::value(nullptr);
    if (m.post) o["post"] = json::object{{"id", m.post->id}, {"url", m.post->url}, {"caption", m.post->caption}};
    o["channel"] = channel;
    o["sent_at"] = at;
    o["edited"] = m.edited;
    o["participants"] = std::move(participants);
    return o;
}

json::object Processor::base_case(const json::object& message, const json::object& channel, std::int64_t at) const {
    return {{"message", message},
            {"channel", channel},
            {"integration", facts_.integration()},
            {"account", facts_.account()},
            {"now", at},
            {"settings", integration_.settings}};
}

json::object Processor::query_facts(const adapters::Message& m, const Actors& a, const Placed& p) {
    // member_of: everyone seen writing in this chat, and the author now.
    json::array members;
    auto authors = work_.chat_authors(integration_.id, chat_of(m));
    if (a.author.id != 0) authors.push_back(a.author);
    for (const auto& r : authors)
        if (std::find(members.begin(), members.end(), json::value(r.id)) == members.end()) members.push_back(r.id);
    // has_role: the task's assignees and its contact (the author of the task).
    json::array roles;
    for (const auto& r : p.task.assignees) roles.push_back(r.id);
    if (p.task.contact) roles.push_back(*p.task.contact);
    json::array history;
    for (const auto& c : work_.history(p.conversation.id, history_limit)) history.push_back(facts_.history_message(c, m.transport));
    std::string chat_key = std::to_string(m.chat_id != 0 ? m.chat_id : chat_number(chat_of(m)));
    return {{"members", json::object{{chat_key, std::move(members)}}},
            {"roles", json::object{{std::to_string(p.task.id), std::move(roles)}}},
            {"history", std::move(history)}};
}

json::object Processor::full_case(json::object kase, const adapters::Message& m, const Actors& a, const Placed& p) {
    kase["task"] = facts_.task(p.task);
    // The external person of the conversation: its contact, else the one who wrote.
    std::optional<store::ContactRecord> contact = a.contact;
    if (p.conversation.contact && (!contact || contact->id != *p.conversation.contact))
        contact = work_.contact(*p.conversation.contact);
    if (contact) {
        bool wrote_now = m.direction == "inbound" && a.author.kind == "contact" && a.author.id == contact->id;
        kase["contact"] = facts_.contact(*contact, wrote_now);
    }
    kase["conversation"] = facts_.conversation(p.conversation, p.new_conversation, m.transport, m.business_connection);
    if (a.employee)
        kase["employee"] = json::object{{"id", a.employee->id},
                                        {"name", a.employee->name},
                                        {"is_owner", a.employee->owner},
                                        {"telegram_linked", a.employee->telegram.has_value()}};
    kase["facts"] = query_facts(m, a, p);
    return kase;
}

// ---- routing ----

Processor::Placed Processor::placed_in(std::int64_t conversation, bool is_new) {
    Placed p;
    p.conversation = *work_.conversation(conversation);
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
    std::string fallback = contact ? contact->name : m.sender.name;
    t.title = string_argument(p.thread, "title");
    if (t.title.empty()) t.title = fallback;
    t.description = string_argument(p.thread, "description");
    if (const auto* project = p.thread->if_contains("project"); project && project->is_string())
        t.project = std::string(project->get_string());
    t.assignees = refs_of(p.thread->if_contains("assignees"));
    return t;
}

std::optional<Processor::Placed> Processor::thread(const adapters::Message& m, const Actors& a, const json::object& channel,
                                                   const json::object& args) {
    std::string key = json::serialize(args.contains("key") ? args.at("key") : json::value(json::array()));
    std::int64_t channel_id = channel.at("id").as_int64();
    std::int64_t at = time_of(m.sent_at_ms);
    if (auto v = work_.conversation(integration_.id, key)) {
        // W7: a conversation whose channel is gone moves to the channel that took its number.
        if (v->channel != channel_id && !v->channel_external_id.empty() &&
            facts_.channel(v->channel_external_id, m.transport).at("deleted").as_bool())
            work_.set_conversation_channel(v->id, channel_id);
        Placed p = placed_in(v->id, false);
        p.thread = &args;
        return p;
    }
    // C1, C2: the first message of a conversation opens it with a new task, authored by the contact.
    store::NewConversation v;
    v.integration = integration_.id;
    v.key = key;
    v.channel = channel_id;
    v.chat = chat_of(m);
    v.chat_kind = m.chat_kind;
    if (a.contact) v.contact = a.contact->id;
    v.started_by = m.direction == "inbound" ? "contact" : "employee";
    v.at = at;
    Placed p;
    p.conversation.id = work_.create_conversation(v);
    p.conversation.contact = v.contact;
    p.thread = &args;
    auto task = work_.create_task(task_from(p, a.contact, m, at));
    work_.set_conversation_task(p.conversation.id, task);
    Placed out = placed_in(p.conversation.id, true);
    out.thread = &args;
    return out;
}

std::optional<Processor::Placed> Processor::linked(const adapters::Message& m, const json::object& args) {
    // The chat in the decision is the message's own in the shipped rules; its id is the key.
    std::string chat = chat_of(m);
    if (const auto* c = args.if_contains("chat"); c && c->is_object())
        if (const auto* id = c->get_object().if_contains("id"); id && id->is_int64() && id->get_int64() != chat_number(chat))
            chat = std::to_string(id->get_int64());
    auto task = work_.linked_task(integration_.id, chat);
    if (!task) {
        note("no task is linked to chat " + chat + ": message dropped");
        return std::nullopt;
    }
    std::string key = json::serialize(json::array{"linked_task", chat});
    auto v = work_.conversation(integration_.id, key);
    std::int64_t id = 0;
    if (v) {
        id = v->id;
        if (v->task != *task) work_.set_conversation_task(id, *task);  // linked again, to another task
    } else {
        store::NewConversation n;
        n.integration = integration_.id;
        n.key = key;
        n.chat = chat;
        n.chat_kind = m.chat_kind;
        n.contact = work_.task(*task)->contact;
        n.started_by = "contact";
        n.at = time_of(m.sent_at_ms);
        id = work_.create_conversation(n);
        work_.set_conversation_task(id, *task);
    }
    Placed p = placed_in(id, !v);
    p.linked_chat = chat;
    return p;
}

std::optional<Processor::Placed> Processor::latest(const adapters::Message& m) {
    auto v = work_.latest_conversation_of_chat(integration_.id, chat_of(m));
    if (!v) {
        note("no routing decision and no conversation in chat " + chat_of(m) + ": " + m.direction + " message dropped");
        return std::nullopt;
    }
    return placed_in(v->id, false);
}

std::optional<Processor::Placed> Processor::place(const adapters::Message& m, const Actors& a, const json::object& channel,
                                                  const Run& run) {
    const auto* d = run.find("routing");
    if (auto error = error_of(d); !error.empty()) {
        note("routing failed: " + error + ": message dropped");
        return std::nullopt;
    }
    const auto* value = value_of(d);
    // Outbound messages are not routed by rules: they go where the chat last went.
    if (!value) return m.direction == "inbound" ? (note("no routing policy applies: message dropped"), std::nullopt) : latest(m);
    auto ctor = constructor_of(*value);
    const auto* args = arguments_of(*value);
    if (ctor == "thread" && args) return thread(m, a, channel, *args);
    if (ctor == "linked_task" && args) return linked(m, *args);
    if (ctor == "ignore") note("ignored: " + string_argument(args, "reason"));
    else note("unknown routing `" + ctor + "`: message dropped");
    return std::nullopt;
}

// ---- C4: a message to a completed or cancelled task ----

void Processor::reopen(const adapters::Message& m, Placed& p, const Run& run, std::int64_t at) {
    auto value = value_of(run.find("reopen"));
    std::string action = value ? constructor_of(*value) : "append";
    if (action == "reopen") {
        work_.set_task_status(p.task.id, "active", at);
    } else if (action == "new_task") {
        auto contact = p.conversation.contact ? work_.contact(*p.conversation.contact) : std::nullopt;
        auto task = work_.create_task(task_from(p, contact, m, at));
        work_.set_conversation_task(p.conversation.id, task);
        if (p.linked_chat) work_.link_chat(integration_.id, *p.linked_chat, task, at);
    }
    const auto* thread = p.thread;
    auto linked_chat = p.linked_chat;
    p = placed_in(p.conversation.id, p.new_conversation);
    p.thread = thread;
    p.linked_chat = linked_chat;
}

// ---- the comment, its files and notifications ----

std::int64_t Processor::record_comment(const adapters::Message& m, const Actors& a, const Placed& p, const json::object& message,
                                       const Run& run, std::int64_t at) {
    const auto* notices = value_of(run.find("notification"));
    json::array participants = message.at("participants").as_array();
    if (notices && notices->is_array())
        for (const auto& n : notices->get_array())
            if (const auto* person = n.get_object().if_contains("person")) add_person(participants, person->get_object());

    store::NewComment c;
    c.task = p.task.id;
    c.conversation = p.conversation.id;
    c.integration = integration_.id;
    c.chat = chat_of(m);
    c.chat_kind = m.chat_kind;
    c.direction = m.direction;
    c.author = a.author;
    c.text = m.text;
    if (!m.id.empty()) c.external_id = m.id;
    if (m.number != 0) c.number = m.number;
    c.participants = std::move(participants);
    c.sent_at = at;
    c.created_at = now_;
    c.inbox = row_.id;
    auto comment = work_.add_comment(c);

    for (std::size_t i = 0; i < m.files.size(); ++i) {
        const auto& f = m.files[i];
        store::NewFile file{static_cast<std::int64_t>(i), f.name, f.ext, f.mime, f.size, f.kind.empty() ? "other" : f.kind,
                            f.source, std::nullopt, std::nullopt};
        if (const auto* action = value_of(run.find("attachment", i))) {
            file.action = constructor_of(*action);
            auto reason = string_argument(arguments_of(*action), "reason");
            if (!reason.empty()) file.reason = reason;
        }
        work_.add_file(comment, file);
    }
    if (notices && notices->is_array())
        for (const auto& n : notices->get_array()) {
            const auto& notice = n.get_object();
            auto ref = ref_of(notice.at("person").get_object());
            if (!ref) continue;  // someone mentioned whom neither the store nor the configuration knows
            work_.add_notification(p.task.id, comment, *ref, notice.at("reason").get_string(), now_);
        }
    work_.note_comment(p.conversation.id, m.direction, comment, at);
    return comment;
}

// ---- events ----

bool Processor::edit(const adapters::Message& m, std::int64_t at) {
    auto c = m.number != 0 ? work_.comment_by_number(integration_.id, chat_of(m), m.number)
                           : work_.comment_by_external_id(integration_.id, m.id);
    if (!c) return false;  // an edit of a message never seen: taken as a new message
    work_.edit_comment(c->id, m.text, at);
    return true;
}

void Processor::message(const adapters::Event& e) {
    const auto& m = e.message;
    std::int64_t at = time_of(m.sent_at_ms);
    if (m.edited && edit(m, at)) return;
    // What routing creates is undone when the message is dropped (`ignore` creates nothing).
    store::Work::Unit unit(work_);
    Actors a = actors(m, at);
    json::object channel = facts_.channel(channel_key(integration_, m), m.transport);
    json::object message = message_fact(m, a, channel, at);
    json::object base = base_case(message, channel, at);

    // Routing reads only the message and the channel: decide it before looking for the task.
    Run first = decide(base);
    DecisionLog decisions;
    decisions.take(first, "routing");
    auto placed = place(m, a, channel, first);
    if (!placed) {
        unit.undo();
        log(decisions, e.dedup_key, std::nullopt, std::nullopt, notes_.empty() ? std::nullopt : std::optional(notes_.back()));
        return;
    }
    if (m.direction == "inbound" && placed->task.status != "active") {
        Run second = decide(full_case(base, m, a, *placed));
        decisions.take(second, "reopen");
        reopen(m, *placed, second, at);
    }
    // Echo messages pass here too, but the kinds below are asked for inbound messages only
    // (notification, reopen) or for inbound and outbound (attachment): an echo triggers none (W9).
    Run last = decide(full_case(base, m, a, *placed));
    decisions.take_all_but(last, {"routing", "reopen"});
    auto comment = record_comment(m, a, *placed, message, last, at);
    unit.keep();
    log(decisions, e.dedup_key, placed->task.id, comment, std::nullopt);
}

void Processor::reaction(const adapters::Event& e) {
    const auto& r = e.reaction;
    std::int64_t at = time_of(r.at_ms);
    auto comment = work_.comment_by_number(integration_.id, r.chat_external_id, r.message_number);
    if (!comment) {
        note("reaction to message " + std::to_string(r.message_number) + " in chat " + r.chat_external_id +
             ", which is no comment: skipped");
        return;
    }
    // The reacting person: an employee by Telegram account, else a contact (found or created).
    std::optional<store::PersonRef> by;
    json::value by_person = nullptr;
    if (r.by && !r.anonymous) {
        if (const auto* emp = employees_.by_telegram(*r.by)) {
            by = store::PersonRef{"employee", emp->id, emp->name};
            by_person = employee_person(*emp);
        } else {
            auto c = work_.find_or_create_contact(identity("telegram", *r.by), at);
            by = store::PersonRef{"contact", c.id, c.name};
            by_person = contact_person(c);
        }
    }
    json::object channel = facts_.channel("bot", "telegram");
    // The message is the comment reacted to; the reaction travels inbound, from the messenger.
    json::object message{{"id", comment->number.value_or(0)},
                         {"direction", "inbound"},
                         {"transport", "telegram"},
                         {"chat", json::object{{"id", chat_number(comment->chat)}, {"kind", comment->chat_kind}}},
                         {"sender", facts_.person(comment->author)},
                         {"text", comment->text},
                         {"channel", channel},
                         {"sent_at", comment->sent_at},
                         {"participants", comment->participants}};
    json::object kase = base_case(message, channel, at);
    kase["reaction"] = json::object{{"emoji", r.emoji}, {"added", r.added}, {"anonymous", r.anonymous}, {"by", by_person}};
    Run run = decide(kase);
    DecisionLog decisions;
    decisions.take(run, "reaction");
    auto value = value_of(run.find("reaction"));
    std::string action = value ? constructor_of(*value) : "skip";
    std::optional<std::string> why;
    // T6: a like names who liked; a reaction nobody can be named for has no like to set.
    if (action == "like" && by) work_.like(comment->id, *by, r.emoji, at);
    else if (action == "unlike" && by) work_.unlike(comment->id, *by);
    else if (action != "skip") why = "a reaction by nobody known: nothing to " + action;
    log(decisions, e.dedup_key, comment->task, comment->id, why);
}

void Processor::business(const adapters::Event& e) {
    const auto& b = e.business;
    work_.upsert_business_connection({b.id, integration_.id, b.owner.external_id, b.owner.name, b.owner_chat_id,
                                      b.can_reply, b.enabled, now_});
}

void Processor::deleted(const adapters::Event& e) {
    const auto& d = e.deleted;
    auto marked = work_.mark_deleted(integration_.id, d.chat_external_id, d.message_numbers, now_);
    if (marked < static_cast<std::int64_t>(d.message_numbers.size()))
        note("deleted " + std::to_string(d.message_numbers.size()) + " messages in chat " + d.chat_external_id + ", " +
             std::to_string(marked) + " of them comments");
}

void Processor::member_change(const adapters::Event& e) {
    const auto& c = e.member;
    if (c.chat_kind != "private") {
        note("the bot is now " + c.new_status + " in chat " + c.chat_external_id);
        return;
    }
    // T2: a user who stopped or blocked the bot cannot be written to until they start it again.
    bool blocked = c.new_status == "kicked" || c.new_status == "left";
    work_.set_bot_blocked(integration_.id, "telegram", c.user.external_id, blocked, time_of(c.at_ms));
}

void Processor::status(const adapters::Event& e) {
    const auto& s = e.status;
    if (!work_.set_delivery(integration_.id, s.message_id, s.status, s.error, time_of(s.at_ms)))
        note("status " + s.status + " of message " + s.message_id + ", which is no comment");
}

}  // namespace switchyard::worker
