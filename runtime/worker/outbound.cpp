#include "runtime/worker/outbound.hpp"

#include "runtime/outbox/outgoing.hpp"
#include "runtime/worker/queries.hpp"

namespace switchyard::worker {

using engine::bit;
using engine::Fact;
using engine::Kind;

namespace {

// The store's fact queries answer the case's while it is in scope; after, those it had before
// (the worker's, when it decides an auto-reply's delivery in the middle of a row).
class QueriesInCase {
public:
    QueriesInCase(engine::Case& c, const vm::FactQueries& queries) : case_(c), before_(c.installed_queries()) {
        case_.set_queries(&queries);
    }
    ~QueriesInCase() { case_.set_queries(before_); }
    QueriesInCase(const QueriesInCase&) = delete;
    QueriesInCase& operator=(const QueriesInCase&) = delete;

private:
    engine::Case& case_;
    const vm::FactQueries* before_;
};

DeliveryVerdict copied(const engine::Delivery& d) {
    if (const auto* s = std::get_if<engine::SendDelivery>(&d)) {
        Send out;
        if (s->signature) out.signature = std::string(*s->signature);
        out.reply_to = s->reply_to;
        return out;
    }
    if (std::holds_alternative<engine::InternalDelivery>(d)) return Internal{};
    return Refuse{std::string(std::get<engine::RefuseDelivery>(d).reason)};
}

// The outbound comment's `message`: from the employee, in the conversation's chat.
class OutboundCase {
public:
    OutboundCase(store::Work& work, const config::Config& config, const config::Integration& integration,
                 const Employees& employees, Deciding& deciding, const OutboundComment& comment)
        : work_(work), integration_(integration), employees_(employees), deciding_(deciding), comment_(comment),
          facts_(config, integration, employees, work),
          queries_(work, facts_, deciding.writer(), deciding.kase().arena()),
          in_case_(deciding.kase(), recording_) {
        recording_.wrap(&queries_);
        deciding_.kase().set_settings(deciding_.settings_for(config, integration));
    }
    OutboundCase(const OutboundCase&) = delete;
    OutboundCase& operator=(const OutboundCase&) = delete;

    OutboundDecision decide();

private:
    void fill();
    DeliveryVerdict delivery(const std::vector<engine::Decision>& decisions, std::string& rule);
    FileVerdict file(std::size_t index, const std::vector<engine::Decision>& decisions);
    std::vector<const config::Employee*> bot_alerts();
    // Decides `kinds`, and keeps the decisions and the case for the decision log.
    const std::vector<engine::Decision>& decide(engine::KindSet kinds);

    store::Work& work_;
    const config::Integration& integration_;
    const Employees& employees_;
    Deciding& deciding_;
    const OutboundComment& comment_;
    Facts facts_;
    StoreQueries queries_;
    engine::RecordingQueries recording_;  // the queries' answers, for the decision log
    QueriesInCase in_case_;
    DecisionLog log_{json::storage_ptr()};  // on the heap: the worker's buffer may be building its own row
    std::vector<records::Person> notified_, participants_, integration_people_, task_people_;
    std::vector<records::File> files_;
    ExtraParts extra_;
};

void OutboundCase::fill() {
    auto& c = deciding_.kase();
    const auto& w = deciding_.writer();
    auto& arena = c.arena();
    const auto& v = *comment_.conversation;
    auto transport = transport_of(integration_, v);
    c.clear();
    c.set(Fact::integration, w.integration(arena, facts_.integration(integration_people_)));
    c.set(Fact::account, w.account(arena, facts_.account()));
    c.set(Fact::now, vm::Value::integer(comment_.now));

    // An auto-reply with no employee to write as comes from the integration itself.
    records::Person sender;
    sender.name = integration_.name;
    if (comment_.author) sender = employees_.person(*comment_.author);
    participants_.push_back(sender);
    employees_.people(comment_.notified_employees, notified_);
    participants_.insert(participants_.end(), notified_.begin(), notified_.end());
    for (const auto& f : comment_.files) files_.push_back({f.name, f.ext, f.mime, f.size, f.kind});

    std::optional<store::ContactRecord> contact;
    if (v.contact) contact = work_.contact(*v.contact);
    records::Message m;
    m.direction = stdlib::Direction::outbound;
    m.transport = transport;
    m.chat = {chat_number(v.chat), stdlib::parse_enum<stdlib::ChatKind>(v.chat_kind).value_or(stdlib::ChatKind::private_chat),
              contact ? std::string_view(contact->name) : std::string_view(), std::nullopt};
    m.sender = sender;
    m.text = comment_.text;
    m.files = files_;
    m.reply_to = comment_.reply_to;
    m.channel = facts_.channel(v.channel_external_id.empty() ? "bot" : v.channel_external_id, transport);
    m.sent_at = comment_.now;
    m.participants = participants_;
    m.notified = notified_;
    m.notifies_contact = comment_.notifies_contact;
    m.is_auto_reply = comment_.auto_reply;
    c.set(Fact::message, w.message(arena, m));
    c.set(Fact::channel, w.channel(arena, m.channel));
    auto task = facts_.task(*comment_.task, task_people_);
    task.is_new = comment_.first;
    if (deciding_.reads_history(engine::all_kinds)) task.history = facts_.history(task.id, extra_);
    c.set(Fact::task, w.task(arena, task));
    c.set(Fact::conversation,
          w.conversation(arena, facts_.conversation(v, comment_.first, transport, v.business_connection.value_or(""))));
    if (contact) {
        auto record = facts_.contact(*contact, false);
        if (deciding_.reads_tags(engine::all_kinds)) record.tags = facts_.tags(contact->id, extra_);
        record.fields = deciding_.contact_fields(engine::all_kinds, work_, contact->id);
        c.set(Fact::contact, w.contact(arena, record));
    }
    if (const auto* e = comment_.author) c.set(Fact::employee, w.employee(arena, {e->id, e->name, e->owner, e->telegram.has_value()}));
    queries_.start({integration_.id, v.chat, m.chat.id, v.id, comment_.task, transport});
}

DeliveryVerdict OutboundCase::delivery(const std::vector<engine::Decision>& decisions, std::string& rule) {
    auto& engine = deciding_.engine();
    for (const auto& d : decisions) {
        if (d.kind != static_cast<std::size_t>(Kind::delivery)) continue;
        rule = engine.rule_of(d);
        if (!d.outcome.ok()) return Refuse{"the delivery policy failed: " + engine.failure_text(d)};
        return copied(deciding_.reader().delivery(d.outcome.value));
    }
    return Refuse{"no delivery policy applies to this message"};
}

FileVerdict OutboundCase::file(std::size_t index, const std::vector<engine::Decision>& decisions) {
    auto& engine = deciding_.engine();
    for (const auto& d : decisions) {
        if (d.kind != static_cast<std::size_t>(Kind::attachment) || d.file != index) continue;
        if (!d.outcome.ok()) return {engine::FileAction::reject, "the attachment policy failed: " + engine.failure_text(d)};
        auto decided = deciding_.reader().file_action(d.outcome.value);
        return {decided.action, std::string(decided.reason)};
    }
    return {engine::FileAction::reject, "no attachment policy applies to this file"};
}

const std::vector<engine::Decision>& OutboundCase::decide(engine::KindSet kinds) {
    engine::Options options;
    options.explain = true;  // R2: the log keeps why each rule fired
    options.kinds = kinds;
    const auto& decisions = deciding_.engine().decide(deciding_.kase(), options);
    log_.take(deciding_.engine(), decisions, kinds, deciding_.kase(), recording_.asked());
    recording_.forget();
    return decisions;
}

OutboundDecision OutboundCase::decide() {
    fill();
    const auto& decisions = decide(bit(Kind::delivery) | bit(Kind::attachment));
    OutboundDecision out;
    out.delivery = delivery(decisions, out.rule);
    for (std::size_t i = 0; i < comment_.files.size(); ++i) out.files.push_back(file(i, decisions));
    out.bot_alerts = bot_alerts();
    out.log = log_.row(deciding_.ruleset().version, integration_.id);
    return out;
}

// Each employee the comment notifies, with the `alert` policy asked as for a message from the
// messenger (the worker's alert_employees): the notice's reason is `mentioned`, as the comment's
// notifications record it. Asked last: the employee fact is the author's until then.
std::vector<const config::Employee*> OutboundCase::bot_alerts() {
    std::vector<const config::Employee*> out;
    if (integration_.service == config::Service::wazzup) return out;
    auto& c = deciding_.kase();
    const auto& w = deciding_.writer();
    for (auto id : comment_.notified_employees) {
        const auto* e = employees_.by_id(id);
        if (!e || !e->telegram || e == comment_.author) continue;
        c.set(Fact::employee, w.employee(c.arena(), {e->id, e->name, e->owner, true}));
        c.set(Fact::notice, w.notice(c.arena(), {employees_.person(*e), stdlib::NoticeReason::mentioned}));
        for (const auto& d : decide(bit(Kind::alert)))
            if (d.kind == static_cast<std::size_t>(Kind::alert) && d.outcome.ok() &&
                engine::DecisionReader::alert(d.outcome.value) == stdlib::AlertRoute::bot_message)
                out.push_back(e);
    }
    return out;
}

}  // namespace

std::size_t enqueue_bot_text(store::Work& work, std::string_view integration, const BotText& to, std::string_view text,
                             std::int64_t not_before, std::int64_t at) {
    auto parts = outbox::split_text(text, outbox::telegram_text_limit);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        outbox::Outgoing o;
        o.text = std::move(parts[i]);
        if (i == 0) o.reply_to = to.reply_to;
        store::NewOutboxMessage row;
        row.task = to.task;
        row.integration = std::string(integration);
        row.chat = to.chat;
        row.chat_kind = to.chat_kind;
        row.business_connection = to.business_connection;
        row.method = std::string(outbox::method_name(o.method));
        row.params = outbox::params_json(o);
        row.part = static_cast<int>(i);
        row.not_before = not_before;
        row.at = at;
        work.enqueue(row);
    }
    return parts.size();
}

std::size_t alert_by_bot(store::Work& work, std::string_view integration, const config::Employee& employee,
                  const store::TaskRecord& task, std::string_view author, std::string_view text, std::int64_t at) {
    auto chat = work.employee_chat(integration, employee.id);
    if (!chat) return 0;
    auto alert = task.title + " (#" + std::to_string(task.id) + ")\n" + std::string(author) + ": " + std::string(text);
    return enqueue_bot_text(work, integration, {*chat, "private", std::nullopt, task.id, std::nullopt}, alert, at, at);
}

stdlib::Transport transport_of(const config::Integration& integration, const store::ConversationRecord& conversation) {
    if (integration.service != config::Service::wazzup) return stdlib::Transport::telegram;
    for (const auto& ch : integration.channels)
        if (ch.id == conversation.channel_external_id)
            if (auto t = stdlib::parse_enum<stdlib::Transport>(ch.transport)) return *t;
    return conversation.chat_kind == "direct" || conversation.chat_kind == "comment" ? stdlib::Transport::instagram
                                                                                     : stdlib::Transport::whatsapp;
}

outbox::WazzupTarget wazzup_target(const config::Integration& integration, const store::ConversationRecord& conversation,
                                   std::string crm_user_id) {
    bool instagram = transport_of(integration, conversation) == stdlib::Transport::instagram;
    return {conversation.channel_external_id, instagram ? "instagram" : "whatsapp", std::move(crm_user_id),
            instagram ? outbox::instagram_text_limit : outbox::whatsapp_text_limit};
}

std::string wazzup_quote(store::Work& work, std::int64_t task, std::optional<std::int64_t> reply_to) {
    if (!reply_to) return {};
    auto c = work.comment(*reply_to);
    return c && c->task == task && c->external_id ? *c->external_id : std::string();
}

std::size_t enqueue_pieces(store::Work& work, const store::ConversationRecord& conversation, std::int64_t task,
                           std::int64_t comment, const std::vector<outbox::Piece>& pieces, std::int64_t now) {
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        store::NewOutboxMessage m;
        m.comment = comment;
        m.task = task;
        m.integration = conversation.integration;
        m.chat = conversation.chat;
        m.chat_kind = conversation.chat_kind;
        m.business_connection = conversation.business_connection;
        m.method = std::string(outbox::method_name(pieces[i].outgoing.method));
        m.params = outbox::params_json(pieces[i].outgoing);
        m.file = pieces[i].file;
        m.part = static_cast<int>(i);
        m.not_before = now;
        m.at = now;
        work.enqueue(m);
    }
    return pieces.size();
}

std::vector<std::pair<std::string, std::string>> rules_quick_replies(Deciding& deciding, const Employees& employees,
                                                                     const config::Employee& employee, std::int64_t now) {
    auto& c = deciding.kase();
    const auto& w = deciding.writer();
    c.clear();
    c.set(Fact::now, vm::Value::integer(now));
    records::Message m;
    m.direction = stdlib::Direction::outbound;
    m.sender = employees.person(employee);
    m.sent_at = now;
    c.set(Fact::message, w.message(c.arena(), m));
    c.set(Fact::employee, w.employee(c.arena(), {employee.id, employee.name, employee.owner, employee.telegram.has_value()}));
    engine::Options options;
    options.kinds = bit(Kind::quick_replies);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& d : deciding.engine().decide(c, options)) {
        if (d.kind != static_cast<std::size_t>(Kind::quick_replies) || !d.outcome.ok()) continue;
        std::vector<engine::QuickReply> replies;
        engine::DecisionReader::quick_replies(d.outcome.value, replies);
        for (const auto& q : replies) out.emplace_back(std::string(q.name), std::string(q.text));
    }
    return out;
}

std::variant<FirstRoute, std::string> route_first_message(store::Work& work, const config::Config& config,
                                                          const config::Integration& integration, const Employees& employees,
                                                          Deciding& deciding, const FirstMessage& first) {
    Facts facts(config, integration, employees, work);
    StoreQueries queries(work, facts, deciding.writer(), deciding.kase().arena());
    auto& c = deciding.kase();
    const auto& w = deciding.writer();
    c.set_settings(deciding.settings_for(config, integration));
    QueriesInCase in_case(c, queries);
    c.clear();
    std::vector<records::Person> integration_people;
    c.set(Fact::integration, w.integration(c.arena(), facts.integration(integration_people)));
    c.set(Fact::account, w.account(c.arena(), facts.account()));
    c.set(Fact::now, vm::Value::integer(first.now));
    records::Message m;
    m.direction = stdlib::Direction::echo;
    m.transport = first.transport;
    auto kind = first.transport == stdlib::Transport::instagram ? stdlib::ChatKind::direct : stdlib::ChatKind::private_chat;
    m.chat = {chat_number(first.chat), kind, first.contact->name, std::nullopt};
    m.sender = employees.person(*first.author);
    m.text = first.text;
    m.channel = facts.channel(first.channel_key, first.transport);
    m.sent_at = first.now;
    c.set(Fact::message, w.message(c.arena(), m));
    c.set(Fact::channel, w.channel(c.arena(), m.channel));
    queries.start({integration.id, first.chat, m.chat.id, 0, nullptr, first.transport});
    engine::Options options;
    options.kinds = bit(Kind::routing);
    std::variant<FirstRoute, std::string> out = std::string("no routing policy applies to this message");
    for (const auto& d : deciding.engine().decide(c, options)) {
        if (d.kind != static_cast<std::size_t>(Kind::routing)) continue;
        if (!d.outcome.ok()) {
            out = "the routing policy failed: " + deciding.engine().failure_text(d);
            break;
        }
        auto route = deciding.reader().route(d.outcome.value);
        if (const auto* t = std::get_if<engine::ThreadRoute>(&route)) {
            FirstRoute r{t->key, {}, t->project ? std::optional<std::string>(*t->project) : std::nullopt};
            for (const auto& p : t->assignees)
                if (auto ref = ref_of(p)) r.assignees.push_back(*ref);
            out = std::move(r);
        } else {
            out = "the rules (" + deciding.engine().rule_of(d) + ") put this message in no conversation of its own";
        }
    }
    return out;
}

void log_outbound(store::Work& work, store::NewDecision row, std::string event, std::int64_t inbox, std::int64_t task,
                  std::optional<std::int64_t> comment, std::int64_t at) {
    if (row.ruleset.empty()) return;
    row.inbox = inbox;
    row.event = std::move(event);
    row.task = task;
    row.comment = comment;
    row.at = at;
    work.log_decision(row);
}

OutboundDecision decide_outbound(store::Work& work, const config::Config& config, const config::Integration& integration,
                                 const Employees& employees, Deciding& deciding, const OutboundComment& comment) {
    OutboundCase c(work, config, integration, employees, deciding, comment);
    return c.decide();
}

}  // namespace switchyard::worker
