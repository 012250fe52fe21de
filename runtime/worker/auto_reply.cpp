// Answering automatically (docs/outbound.md, "Auto-replies"): the `auto_reply` policy's
// `answer(text)` goes to the customer as an outbound message that the delivery policy decides
// like an employee's comment (with `message.is_auto_reply`), written as a comment of the task
// and carried by outbox rows in the row's transaction: sent once the row commits.
#include "runtime/worker/outbound.hpp"
#include "runtime/worker/processor.hpp"

#include "runtime/outbox/plan.hpp"

namespace switchyard::worker {

using engine::Kind;

std::optional<Processor::AutoAnswer> Processor::auto_answer(const std::vector<engine::Decision>& decisions) {
    const auto* d = find(decisions, Kind::auto_reply);
    if (!d) return std::nullopt;
    if (!d->outcome.ok()) {
        cannot_apply(*d, "nothing is answered");
        return std::nullopt;
    }
    auto text = deciding_.reader().auto_reply(d->outcome.value);
    if (!text) return std::nullopt;
    if (text->empty()) {
        cannot_apply(*d, "an empty answer is not sent");
        return std::nullopt;
    }
    // Copied: the alerts decide after this, reusing the VM's arena the text is in.
    return AutoAnswer{std::string(*text), engine_.rule_of(*d)};
}

void Processor::answer_automatically(const Placed& p, const AutoAnswer& answer, std::int64_t at) {
    // Written as the integration's owner, as the tracker shows the integration's own messages;
    // an integration without one writes under its name.
    const auto* owner = employees_.owner_for(integration_);
    // As the inbound message left it (its first comment, who wrote last), not as routing found it.
    auto conversation = work_.conversation(p.conversation.id).value_or(p.conversation);
    OutboundComment o;
    o.author = owner;
    o.task = &p.task;
    o.conversation = &conversation;
    o.text = answer.text;
    o.notifies_contact = true;
    o.auto_reply = true;
    o.now = at;
    auto decided = decide_outbound(work_, config_, integration_, employees_, deciding_, o);
    std::string by = "auto_reply decided by " + answer.rule + ": ";
    // The answer's delivery has a decision-log row of its own beside the message's (`…:auto_reply`).
    auto event = event_key_ + ":auto_reply";
    if (const auto* no = std::get_if<Refuse>(&decided.delivery)) {
        note(by + "not sent: " + no->reason + " (delivery: " + decided.rule + ")");
        log_outbound(work_, std::move(decided.log), event, row_.id, p.task.id, std::nullopt, at);
        return;
    }
    if (std::holds_alternative<Internal>(decided.delivery)) {
        note(by + "not sent: the delivery policy keeps it in the tracker (" + decided.rule + ")");
        log_outbound(work_, std::move(decided.log), event, row_.id, p.task.id, std::nullopt, at);
        return;
    }
    const auto& send = std::get<Send>(decided.delivery);
    store::NewComment c{.task = p.task.id,
                        .conversation = conversation.id,
                        .integration = integration_.id,
                        .chat = conversation.chat,
                        .chat_kind = conversation.chat_kind,
                        .direction = "outbound",
                        .author = owner ? store::PersonRef{"employee", owner->id, owner->name}
                                        : store::PersonRef{"employee", 0, integration_.name},
                        .text = answer.text,
                        .external_id = std::nullopt,
                        .number = std::nullopt,
                        .participants = {},
                        .sent_at = now_,
                        .created_at = now_,
                        .inbox = row_.id};
    auto comment = work_.add_comment(c);
    log_outbound(work_, std::move(decided.log), event, row_.id, p.task.id, comment, at);
    auto signature = send.signature.value_or("");
    auto pieces = integration_.service == config::Service::wazzup
                      ? outbox::plan_wazzup(answer.text, {}, signature, wazzup_quote(work_, p.task.id, send.reply_to),
                                            wazzup_target(integration_, conversation, owner ? std::to_string(owner->id) : ""))
                      : outbox::plan_telegram(answer.text, {}, signature, send.reply_to);
    auto messages = enqueue_pieces(work_, conversation, p.task.id, comment, pieces, now_);
    queued_ += messages;
    // The conversation is left as the customer left it: still waiting for an employee's answer
    // (`expects_reply`, `unanswered_count`), which an automatic one is not.
    work_.record_history(p.task.id, {"system", std::nullopt, "rules"}, "auto_reply",
                         {{"comment", comment}, {"rule", answer.rule}, {"messages", messages}}, at);
}

}  // namespace switchyard::worker
