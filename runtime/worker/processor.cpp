#include "runtime/worker/processor.hpp"

#include "common/text.hpp"

#include <algorithm>

namespace switchyard::worker {

using engine::bit;
using engine::Fact;
using engine::Kind;

// ---- Deciding ----

Deciding::Deciding(std::shared_ptr<const engine::Ruleset> ruleset)
    : ruleset_(std::move(ruleset)),
      engine_(ruleset_->image),
      writer_(ruleset_->image->schema()),
      reader_(ruleset_->image->schema()),
      case_(*ruleset_->image),
      history_slot_(engine::field_slot(ruleset_->image->schema(), "task", "history")),
      tags_slot_(engine::field_slot(ruleset_->image->schema(), "contact", "tags")),
      fields_slot_(engine::field_slot(ruleset_->image->schema(), "contact", "fields")) {}

bool Deciding::reads_history(engine::KindSet kinds) const {
    return engine_.fields_read(case_, kinds, Fact::task) & (engine::FieldSet(1) << history_slot_);
}

bool Deciding::reads_tags(engine::KindSet kinds) const {
    return engine_.fields_read(case_, kinds, Fact::contact) & (engine::FieldSet(1) << tags_slot_);
}

bool Deciding::reads_contact_fields(engine::KindSet kinds) const {
    return engine_.fields_read(case_, kinds, Fact::contact) & (engine::FieldSet(1) << fields_slot_);
}

vm::Value Deciding::contact_fields(engine::KindSet kinds, store::Work& work, std::int64_t contact) {
    const auto& image = *ruleset_->image;
    if (image.module().contact_fields.empty() || !reads_contact_fields(kinds)) return image.contact_field_defaults();
    return engine::contact_fields(image, case_, work.contact_fields(contact));
}

const std::vector<vm::Value>& Deciding::settings_for(const config::Config& config, const config::Integration& integration) {
    auto it = settings_.find(integration.id);
    if (it == settings_.end()) {
        const auto& image = *ruleset_->image;
        auto settings = engine::Case::from_json(image, json::object{{"settings", engine::settings_json(config, integration, image)}});
        it = settings_.emplace(integration.id, std::move(settings)).first;
    }
    return it->second.settings();
}

// ---- Processor ----

Processor::Processor(store::Work& work, const config::Config& config, const config::Integration& integration,
                     const Employees& employees, Deciding& deciding, const store::InboxRow& row, std::int64_t now_ms)
    : work_(work),
      config_(config),
      integration_(integration),
      employees_(employees),
      deciding_(deciding),
      engine_(deciding.engine()),
      case_(deciding.kase()),
      row_(row),
      now_(now_ms),
      facts_(config, integration, employees, work),
      queries_(work, facts_, deciding.writer(), deciding.kase().arena()) {
    case_.set_settings(deciding.settings_for(config, integration));
    deciding.recording().wrap(&queries_);
    deciding.recording().forget();
    case_.set_queries(&deciding.recording());
}

Processor::~Processor() {
    case_.set_queries(nullptr);
    deciding_.recording().wrap(nullptr);
}

std::string Processor::apply(const adapters::Parsed& parsed) {
    if (parsed.ping) note("ping");
    if (!parsed.ignored.empty()) note("ignored: " + parsed.ignored);
    for (const auto& e : parsed.events) event(e);
    return common::join(notes_, "; ");
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

void Processor::log(DecisionLog& log, const std::string& event, std::optional<std::int64_t> task,
                    std::optional<std::int64_t> comment, std::optional<std::string> note) {
    auto row = log.row(deciding_.ruleset().version, integration_.id);
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

std::int64_t Processor::chat_id_of(const adapters::Message& m) const {
    return m.chat_id != 0 ? m.chat_id : chat_number(chat_of(m));
}

void Processor::cannot_apply(const engine::Decision& d, const std::string& what) {
    std::string kind = engine_.image().schema().kinds()[d.kind].name;
    if (d.file) kind += " of file " + std::to_string(*d.file);
    if (d.outcome.ok()) note(kind + " decided by " + engine_.rule_of(d) + ": " + what);
    else note(kind + " failed: " + engine_.failure_text(d) + ": " + what);
}

// ---- the case ----

void Processor::add_person(std::vector<records::Person>& people, const records::Person& person) {
    // Persons deduplicated by who they are (employee or contact, and id); id 0 is no one.
    if (person.id == 0) return;
    for (const auto& p : people)
        if (p.id == person.id && p.is_employee == person.is_employee) return;
    people.push_back(person);
}

void Processor::start_case(std::int64_t at) {
    case_.clear();
    const auto& w = deciding_.writer();
    auto& arena = case_.arena();
    case_.set(Fact::integration, w.integration(arena, facts_.integration(integration_people_)));
    case_.set(Fact::account, w.account(arena, facts_.account()));
    case_.set(Fact::now, vm::Value::integer(at));
}

void Processor::set_message(const adapters::Message& m, const Actors& a, const records::Channel& channel, std::int64_t at) {
    mentions_.clear();
    participants_.clear();
    files_.clear();
    found_.clear();
    names_.clear();
    found_.reserve(m.mentions.size());
    names_.reserve(m.mentions.size());
    records::Message r;
    r.sender = sender(m, a);
    add_person(participants_, r.sender);
    for (const auto& p : m.mentions) {
        auto person = mention(m, p);
        add_person(participants_, person);
        mentions_.push_back(person);
    }
    for (const auto& f : m.files) files_.push_back({f.name, f.ext, f.mime, f.size, f.kind});
    r.id = m.number;
    r.direction = m.direction;
    r.transport = m.transport;
    r.chat = {chat_id_of(m), m.chat_kind, m.chat_title, m.chat_username};
    r.text = m.text;
    r.command = m.command;
    r.command_args = m.command_args;
    r.mentions = mentions_;
    r.files = files_;
    r.reply_to = m.reply_to;
    if (m.post) r.post = records::Post{m.post->id, m.post->url, m.post->caption};
    r.channel = channel;
    r.sent_at = at;
    r.edited = m.edited;
    r.participants = participants_;
    set_message_facts(r);
}

// The message and the channel it travels through: every event's case has both.
void Processor::set_message_facts(const records::Message& message) {
    const auto& w = deciding_.writer();
    case_.set(Fact::message, w.message(case_.arena(), message));
    case_.set(Fact::channel, w.channel(case_.arena(), message.channel));
}

// The facts about where the message went: only those that the policies of `kinds` chosen for
// this message can read (their footprints), so that a policy reading none of them costs no
// store lookup.
void Processor::set_placed_facts(const adapters::Message& m, const Actors& a, const Placed& p, engine::KindSet kinds) {
    queries_.start({integration_.id, chat_, chat_id_of(m), p.conversation.id, &p.task, m.transport});
    auto needed = engine_.facts_read(case_, kinds);
    const auto& w = deciding_.writer();
    auto& arena = case_.arena();
    if (needed & bit(Fact::task)) {
        auto task = facts_.task(p.task, task_people_);
        if (deciding_.reads_history(kinds)) task.history = facts_.history(p.task.id, extra_);
        case_.set(Fact::task, w.task(arena, task));
    }
    if (needed & bit(Fact::contact)) {
        // The external person of the conversation: its contact, else the one who wrote.
        std::optional<store::ContactRecord> contact = a.contact;
        if (p.conversation.contact && (!contact || contact->id != *p.conversation.contact))
            contact = work_.contact(*p.conversation.contact);
        if (contact) {
            bool wrote_now = m.direction == stdlib::Direction::inbound && a.author.kind == "contact" && a.author.id == contact->id;
            auto record = facts_.contact(*contact, wrote_now);
            if (deciding_.reads_tags(kinds)) record.tags = facts_.tags(contact->id, extra_);
            record.fields = deciding_.contact_fields(kinds, work_, contact->id);
            case_.set(Fact::contact, w.contact(arena, record));
        }
    }
    if (needed & bit(Fact::conversation))
        case_.set(Fact::conversation, w.conversation(arena, facts_.conversation(p.conversation, p.new_conversation, m.transport,
                                                                                 m.business_connection)));
    // `employee` also decides whether some kinds are asked at all (docs/cases.md): always given.
    if (a.employee)
        case_.set(Fact::employee, w.employee(arena, {a.employee->id, a.employee->name, a.employee->owner,
                                                     a.employee->telegram.has_value()}));
}

// In a one-to-one chat the contact is recorded as a member with their first message: a
// conversation they wrote in before has them already (and nobody leaves a one-to-one chat).
bool Processor::known_member(const adapters::Message& m, const Actors& a, const Placed& p) const {
    bool one_to_one = m.chat_kind != stdlib::ChatKind::group && m.chat_kind != stdlib::ChatKind::channel;
    return one_to_one && a.author.kind == "contact" && p.conversation.contact == a.author.id &&
           p.conversation.last_inbound_at.has_value();
}

const std::vector<engine::Decision>& Processor::decide(engine::KindSet kinds, DecisionLog& log) {
    engine::Options options;
    options.explain = true;  // R2: the log keeps why each rule fired
    options.kinds = kinds;
    const auto& decisions = engine_.decide(case_, options);
    log.take(engine_, decisions, kinds, case_, deciding_.recording().asked());
    deciding_.recording().forget();
    return decisions;
}

const engine::Decision* Processor::find(const std::vector<engine::Decision>& decisions, Kind kind) {
    for (const auto& d : decisions)
        if (d.kind == static_cast<std::size_t>(kind)) return &d;
    return nullptr;
}

// ---- the comment, its files and notifications ----

// The action the attachment policy chose for a file (and the reason of a `reject`); none when
// no policy decided it.
std::optional<std::string> Processor::file_action(std::size_t file, const std::vector<engine::Decision>& decisions,
                                                  std::optional<std::string>& reason) {
    for (const auto& d : decisions) {
        if (d.kind != static_cast<std::size_t>(Kind::attachment) || d.file != file) continue;
        if (!d.outcome.ok()) {
            cannot_apply(d, "the file is kept without an action");
            return std::nullopt;
        }
        auto decided = deciding_.reader().file_action(d.outcome.value);
        if (!decided.reason.empty()) reason = std::string(decided.reason);
        return std::string(engine::name_of(decided.action));
    }
    return std::nullopt;
}

std::int64_t Processor::record_comment(const adapters::Message& m, const Actors& a, const Placed& p,
                                       const std::vector<engine::Decision>& decisions, const json::storage_ptr& storage,
                                       std::int64_t at) {
    notices_.clear();
    const auto* notification = find(decisions, Kind::notification);
    if (notification && notification->outcome.ok()) engine::DecisionReader::notices(notification->outcome.value, notices_);
    else if (notification) cannot_apply(*notification, "nobody is notified");
    std::vector<records::Person> participants = participants_;
    for (const auto& n : notices_) add_person(participants, n.person);

    store::NewComment c{.task = p.task.id,
                        .conversation = p.conversation.id,
                        .integration = integration_.id,
                        .chat = chat_,
                        .chat_kind = std::string(stdlib::name_of(m.chat_kind)),
                        .direction = std::string(stdlib::name_of(m.direction)),
                        .author = a.author,
                        .text = m.text,
                        .external_id = m.id.empty() ? std::nullopt : std::optional(m.id),
                        .number = m.number == 0 ? std::nullopt : std::optional(m.number),
                        .participants = participants_json(participants, storage),
                        .sent_at = at,
                        .created_at = now_,
                        .inbox = row_.id};
    auto comment = work_.add_comment(c);

    for (std::size_t i = 0; i < m.files.size(); ++i) {
        const auto& f = m.files[i];
        store::NewFile file{static_cast<std::int64_t>(i), f.name, f.ext, f.mime, f.size, std::string(stdlib::name_of(f.kind)),
                            f.source, std::nullopt, std::nullopt};
        file.action = file_action(i, decisions, file.reason);
        // The bytes are fetched in the background (runtime/outbox/downloads.hpp), not here.
        if (!f.source.empty()) {
            file.stored = "pending";
            ++queued_;
        }
        work_.add_file(comment, file);
    }
    for (const auto& n : notices_) {
        auto ref = ref_of(n.person);
        if (!ref) {
            // Someone mentioned whom neither the store nor the configuration knows.
            cannot_apply(*notification, "nobody known as `" + std::string(n.person.name) + "` to notify");
            continue;
        }
        work_.add_notification(p.task.id, comment, *ref, stdlib::name_of(n.reason), now_);
    }
    work_.note_comment(p.conversation.id, stdlib::name_of(m.direction), comment, at, a.author.kind);
    return comment;
}

// ---- events ----

bool Processor::edit(const adapters::Message& m) {
    auto c = m.number != 0 ? work_.comment_by_number(integration_.id, chat_of(m), m.number)
                           : work_.comment_by_external_id(integration_.id, m.id);
    if (!c) return false;  // an edit of a message never seen: taken as a new message
    // When it was edited, if the messenger says (Telegram's edit_date); else when it was sent.
    work_.edit_comment(c->id, m.text, m.edited_at_ms != 0 ? m.edited_at_ms : time_of(m.sent_at_ms));
    return true;
}

// What the notes since `first` say (this event's), for its decision-log row; none when nothing.
std::optional<std::string> Processor::notes_since(std::size_t first) const {
    if (first >= notes_.size()) return std::nullopt;
    return common::join(std::vector<std::string>(notes_.begin() + static_cast<std::ptrdiff_t>(first), notes_.end()), "; ");
}

void Processor::message(const adapters::Event& e) {
    const auto& m = e.message;
    std::size_t first_note = notes_.size();
    for (const auto& part : m.dropped) note("left out of the message: " + part);
    std::int64_t at = time_of(m.sent_at_ms);
    if (m.edited && edit(m)) return;
    if (!known_channel(m) || own_echo(m)) {
        log_skipped(e, first_note);
        return;
    }
    // What routing creates is undone when the message is dropped (`ignore` creates nothing).
    store::Work::Unit unit(work_);
    Actors a = actors(m, at);
    chat_ = chat_of(m);
    auto channel = facts_.channel(channel_key(integration_, m), m.transport);
    start_case(at);
    set_message(m, a, channel, at);
    queries_.start({integration_.id, chat_, chat_id_of(m), 0, nullptr, m.transport});

    // Routing reads only the message and the channel: decide it before looking for the task.
    json::monotonic_resource resource(deciding_.log_buffer().data(), deciding_.log_buffer().size());
    DecisionLog decisions(&resource);
    auto placed = place(m, a, channel.id, find(decide(bit(Kind::routing), decisions), Kind::routing));
    if (!placed) {
        unit.undo();
        remember_employee_chat(m, at);  // the shipped rules place an employee's own chat nowhere (T8)
        log(decisions, e.dedup_key, std::nullopt, std::nullopt, notes_since(first_note));
        return;
    }
    // T4: whoever writes in a chat is a known member of it.
    if (a.author.id != 0 && !known_member(m, a, *placed)) work_.add_chat_member(integration_.id, chat_, a.author, at);
    if (m.direction == stdlib::Direction::inbound && placed->task.status != "active") reopen(m, a, *placed, decisions, at);
    // Echo messages pass here too, but the kinds below are asked for inbound messages only
    // (notification, reopen) or for inbound and outbound (attachment): an echo triggers none (W9).
    auto rest = engine::all_kinds & ~bit(Kind::routing) & ~bit(Kind::reopen);
    set_placed_facts(m, a, *placed, rest);
    if (!m.business_connection.empty() && placed->conversation.business_connection != m.business_connection) {
        work_.set_conversation_business(placed->conversation.id, m.business_connection);
        placed->conversation.business_connection = m.business_connection;
    }
    const auto& decided = decide(rest, decisions);
    bool inbound = m.direction == stdlib::Direction::inbound;
    if (inbound && creates_task(decided)) open_new_task(m, a, *placed, at);
    auto comment = record_comment(m, a, *placed, decided, &resource, at);
    remember_employee_chat(m, at);
    // Before the alerts: their decisions replace these.
    if (inbound) act_on_command(m, a, *placed, decided, at);
    auto answer = inbound ? auto_answer(decided) : std::nullopt;
    alert_employees(m, *placed, decisions, at);
    if (answer) answer_automatically(*placed, *answer, at);
    unit.keep();
    log(decisions, e.dedup_key, placed->task.id, comment, notes_since(first_note));
}

// The comment reacted to, as the case's `message`: the reaction travels inbound, from the
// messenger; and the reaction, with who set it.
void Processor::set_reaction_case(const store::CommentRecord& comment, const adapters::Reaction& r,
                                  const std::optional<records::Person>& by, std::int64_t at) {
    auto channel = facts_.channel("bot", stdlib::Transport::telegram);
    start_case(at);
    participants_.clear();
    participants_from(comment.participants, participants_);
    records::Message message;
    message.id = comment.number.value_or(0);
    message.chat.id = chat_number(comment.chat);
    message.chat.kind = stdlib::parse_enum<stdlib::ChatKind>(comment.chat_kind).value_or(stdlib::ChatKind::private_chat);
    message.sender = facts_.person(comment.author);
    message.text = comment.text;
    message.channel = channel;
    message.sent_at = comment.sent_at;
    message.participants = participants_;
    set_message_facts(message);
    case_.set(Fact::reaction, deciding_.writer().reaction(case_.arena(), {r.emoji, r.added, r.anonymous, by}));
}

void Processor::reaction(const adapters::Event& e) {
    const auto& r = e.reaction;
    std::int64_t at = time_of(r.at_ms);
    std::size_t first_note = notes_.size();
    auto comment = work_.comment_by_number(integration_.id, r.chat_external_id, r.message_number);
    if (!comment) {
        note("reaction to message " + std::to_string(r.message_number) + " in chat " + r.chat_external_id +
             ", which is no comment: skipped");
        return;
    }
    // The reacting person: an employee by Telegram account, else a contact (found or created).
    std::optional<store::PersonRef> by;
    std::optional<store::ContactRecord> contact;
    if (r.by && !r.anonymous) {
        if (const auto* emp = employees_.by_telegram(*r.by)) {
            by = store::PersonRef{"employee", emp->id, emp->name};
        } else {
            contact = contact_of(identity(stdlib::Transport::telegram, *r.by), at);
            by = store::PersonRef{"contact", contact->id, contact->name};
        }
    }
    std::optional<records::Person> by_person;
    if (by) by_person = contact ? contact_person(*contact) : facts_.person(*by);
    set_reaction_case(*comment, r, by_person, at);

    json::monotonic_resource resource(deciding_.log_buffer().data(), deciding_.log_buffer().size());
    DecisionLog decisions(&resource);
    const auto* d = find(decide(bit(Kind::reaction), decisions), Kind::reaction);
    auto action = stdlib::ReactionAction::skip;
    if (d && d->outcome.ok()) action = engine::DecisionReader::reaction(d->outcome.value);
    else if (d) cannot_apply(*d, "no like is set or removed");
    // T6: a like names who liked; a reaction nobody can be named for has no like to set.
    if ((action == stdlib::ReactionAction::like || action == stdlib::ReactionAction::unlike) && by)
        apply_reaction(*comment, *by, r.emoji, action, at);
    else if (action != stdlib::ReactionAction::skip)
        cannot_apply(*d, "a reaction by nobody known: nothing to " + std::string(stdlib::name_of(action)));
    log(decisions, e.dedup_key, comment->task, comment->id, notes_since(first_note));
}

// One like per person and emoji (Telegram lets a person set several reactions), kept apart from
// the likes made in the tracker, which the bot's own reaction stands for. The history records
// what changed: the same reaction reported again, or the removal of one that made no like (a 👎,
// with the shipped rules), changes nothing.
void Processor::apply_reaction(const store::CommentRecord& comment, const store::PersonRef& by, const std::string& emoji,
                               stdlib::ReactionAction action, std::int64_t at) {
    bool like = action == stdlib::ReactionAction::like;
    bool changed = like ? work_.like(comment.id, by, emoji, store::LikeSource::telegram, at)
                        : work_.unlike(comment.id, by, emoji, store::LikeSource::telegram);
    if (changed)
        work_.record_history(comment.task, {by.kind, by.id, by.name}, stdlib::name_of(action),
                             {{"comment", comment.id}, {"emoji", emoji}, {"from", "telegram"}}, at);
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
    std::int64_t at = time_of(c.at_ms);
    bool gone = c.new_status == "kicked" || c.new_status == "left";
    if (!c.about_bot) {
        // T4: Telegram tells who joined or left a group where the bot is an administrator.
        auto who = member_ref(c.user, at);
        if (!who) {
            note("member change of a bot in chat " + c.chat_external_id + ": skipped");
            return;
        }
        if (gone) work_.remove_chat_member(integration_.id, c.chat_external_id, *who);
        else work_.add_chat_member(integration_.id, c.chat_external_id, *who, at);
        return;
    }
    if (c.chat_kind != stdlib::ChatKind::private_chat) {
        // Whoever added the bot to a group is in it (Telegram lets only members add bots).
        if (!gone)
            if (auto who = member_ref(c.user, at)) work_.add_chat_member(integration_.id, c.chat_external_id, *who, at);
        note("the bot is now " + c.new_status + " in chat " + c.chat_external_id);
        return;
    }
    // T2: a user who stopped or blocked the bot cannot be written to until they start it again.
    work_.set_bot_blocked(integration_.id, "telegram", c.user.external_id, gone, at);
}

void Processor::status(const adapters::Event& e) {
    const auto& s = e.status;
    if (!work_.set_delivery(integration_.id, s.message_id, s.status, s.error, time_of(s.at_ms)))
        note("status " + s.status + " of message " + s.message_id + ", which is no comment");
}

}  // namespace switchyard::worker
