// What the bot says and does back (docs/outbound.md): the `command` decisions acted on (T7) and
// employees' notifications sent by the bot as the `alert` decisions say (T8). Both are outbox
// rows, written in the row's transaction: sent once the row commits, never lost with it.
#include "runtime/worker/processor.hpp"

#include "runtime/outbox/outgoing.hpp"
#include "runtime/outbox/plan.hpp"
#include "runtime/worker/outbound.hpp"

#include <charconv>

namespace switchyard::worker {

using engine::bit;
using engine::Fact;
using engine::Kind;

namespace {

bool bot_integration(const config::Integration& i) { return i.service != config::Service::wazzup; }

// The list `show_open_tasks` answers with.
std::string open_tasks_text(const std::vector<store::TaskRecord>& tasks) {
    if (tasks.empty()) return "You have no open tasks.";
    std::string text = "Your open tasks:";
    for (const auto& t : tasks) text += "\n#" + std::to_string(t.id) + " " + t.title;
    return text;
}

}  // namespace

void Processor::queue_text(const Target& to, std::optional<std::int64_t> task, std::string_view text,
                           std::optional<std::int64_t> reply_to, std::int64_t at) {
    // A long text (a long list of tasks, a long message alerted) goes as many messages as it takes.
    queued_ += enqueue_bot_text(work_, integration_.id, {to.chat, to.chat_kind, to.business_connection, task, reply_to}, text,
                                now_, at);
}

// T7: `create_task` is acted on before the comment is written (the message opens the new task);
// the other actions after, answering in the chat.
bool Processor::creates_task(const std::vector<engine::Decision>& decisions) const {
    const auto* d = find(decisions, Kind::command);
    return d && d->outcome.ok() &&
           std::holds_alternative<engine::CreateTaskCommand>(deciding_.reader().command(d->outcome.value));
}

void Processor::open_new_task(const adapters::Message& m, const Actors& a, Placed& p, std::int64_t at) {
    // The new task is made like the conversation's current one: the routing's arguments point
    // into the VM's arena, which the decisions made since have reused.
    p.thread.reset();
    auto task = work_.create_task(task_from(p, a.contact, m, at));
    work_.set_conversation_task(p.conversation.id, task);
    p.task = *work_.task(task);
    work_.record_history(task, {a.author.kind, a.author.id, a.author.name}, "create_task", {{"command", "create_task"}}, at);
    note("command: a new task " + std::to_string(task));
}

void Processor::act_on_command(const adapters::Message& m, const Actors& a, const Placed& p,
                               const std::vector<engine::Decision>& decisions, std::int64_t at) {
    const auto* d = find(decisions, Kind::command);
    if (!d || !bot_integration(integration_)) return;
    if (!d->outcome.ok()) {
        cannot_apply(*d, "the command is not answered");
        return;
    }
    auto action = deciding_.reader().command(d->outcome.value);
    Target here{chat_, std::string(stdlib::name_of(m.chat_kind)),
                m.business_connection.empty() ? std::nullopt : std::optional(m.business_connection)};
    std::optional<std::int64_t> quote = m.number != 0 ? std::optional(m.number) : std::nullopt;
    if (const auto* reply = std::get_if<engine::ReplyCommand>(&action)) {
        queue_text(here, p.task.id, reply->text, quote, at);
    } else if (std::holds_alternative<engine::ShowOpenTasksCommand>(action)) {
        std::vector<store::TaskRecord> tasks;
        if (a.contact) tasks = work_.open_tasks_of(a.contact->id);
        queue_text(here, p.task.id, open_tasks_text(tasks), quote, at);
    } else if (std::holds_alternative<engine::AddContactCommand>(action)) {
        // Whoever writes is a contact here already (identities): the request is what is recorded.
        work_.record_history(p.task.id, {a.author.kind, a.author.id, a.author.name}, "add_contact",
                             {{"contact", a.contact ? boost::json::value(a.contact->id) : boost::json::value(nullptr)}}, at);
    }
}

// An employee writing to the bot in a private chat links their Telegram account: the chat
// their notifications go to (T8), whatever the rules do with the message itself (the shipped
// ones ignore it: the employee is no customer).
void Processor::remember_employee_chat(const adapters::Message& m, std::int64_t at) {
    if (m.direction != stdlib::Direction::inbound || m.chat_kind != stdlib::ChatKind::private_chat ||
        !bot_integration(integration_))
        return;
    if (const auto* e = employees_.by_telegram(m.sender)) work_.set_employee_chat(integration_.id, e->id, chat_, at);
}

// A Wazzup message on a channel the configuration does not list creates nothing: no channel
// named after an id, no task for a number nobody set up. Nor does one on a deleted channel
// (W7: its tasks receive no more; a channel that took its number comes with an id of its own).
bool Processor::known_channel(const adapters::Message& m) {
    if (integration_.service != config::Service::wazzup) return true;
    for (const auto& ch : integration_.channels) {
        if (ch.id != m.channel) continue;
        if (!ch.deleted) return true;
        note("channel " + m.channel + " was deleted: nothing is created (W7)");
        return false;
    }
    note("channel " + m.channel + " is not in the configuration: nothing is created");
    ++unknown_channels_;
    return false;
}

// W9: the echo of a message Switchyard sent is its comment already: it names the outbox row
// (crmMessageId), or its message id is a comment's.
bool Processor::own_echo(const adapters::Message& m) {
    if (m.direction != stdlib::Direction::echo || integration_.service != config::Service::wazzup) return false;
    constexpr std::string_view ours = "switchyard-outbox-";
    if (m.crm_message_id.starts_with(ours)) {
        std::int64_t row = 0;
        auto digits = std::string_view(m.crm_message_id).substr(ours.size());
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), row);
        if (ec == std::errc() && end == digits.data() + digits.size() && work_.outbox_echo(row, m.id)) {
            note("echo of outbox row " + std::to_string(row) + ": recorded when it was sent");
            return true;
        }
    }
    if (!m.id.empty() && work_.comment_by_external_id(integration_.id, m.id)) {
        note("echo of message " + m.id + ": recorded already");
        return true;
    }
    return false;
}

void Processor::log_skipped(const adapters::Event& e, std::size_t first_note) {
    json::monotonic_resource resource(deciding_.log_buffer().data(), deciding_.log_buffer().size());
    DecisionLog decisions(&resource);
    log(decisions, e.dedup_key, std::nullopt, std::nullopt, notes_since(first_note));
}

// T8: each notified employee whose `alert` decision is bot_message gets the message from the
// bot, in the private chat they opened with it.
void Processor::alert_employees(const adapters::Message& m, const Placed& p, DecisionLog& log, std::int64_t at) {
    if (!bot_integration(integration_) || notices_.empty()) return;
    // Copied first: the notices' people point into the VM's arena, which each decide reuses.
    // Nobody is alerted of their own message.
    const auto* author = employees_.by_telegram(m.sender);
    std::vector<std::pair<const config::Employee*, stdlib::NoticeReason>> linked;
    for (const auto& n : notices_)
        if (const auto* e = n.person.is_employee ? employees_.by_id(n.person.id) : nullptr; e && e->telegram && e != author)
            linked.emplace_back(e, n.reason);
    for (const auto& [e, reason] : linked) {
        auto& arena = case_.arena();
        auto person = employees_.person(*e);
        case_.set(Fact::employee, deciding_.writer().employee(arena, {e->id, e->name, e->owner, true}));
        case_.set(Fact::notice, deciding_.writer().notice(arena, {person, reason}));
        const auto* d = find(decide(bit(Kind::alert), log), Kind::alert);
        if (!d || !d->outcome.ok() || engine::DecisionReader::alert(d->outcome.value) != stdlib::AlertRoute::bot_message) continue;
        auto queued = alert_by_bot(work_, integration_.id, *e, p.task, m.sender.name, m.text, at);
        if (queued == 0) note("alert: " + e->name + " has not written to the bot yet; the notification stays in the tracker");
        queued_ += queued;
    }
}

}  // namespace switchyard::worker
