// An employee's comment before it is written: what the delivery and attachment policies decide
// about it (docs/outbound.md). The write API (runtime/actions) asks this inside the transaction
// that then writes the comment, so that the facts the rules read are the ones it commits on.
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/engine/typed.hpp"
#include "runtime/outbox/plan.hpp"
#include "runtime/store/store.hpp"
#include "runtime/worker/facts.hpp"
#include "runtime/worker/processor.hpp"

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <variant>
#include <vector>

namespace switchyard::worker {

struct OutboundFile {
    std::string name;
    std::string ext;
    std::string mime;
    std::int64_t size = 0;
    stdlib::FileKind kind = stdlib::FileKind::document;
};

// The comment as the policies see it: `message` (outbound), with the task, its conversation
// and contact, the channel and the sending employee.
struct OutboundComment {
    const config::Employee* author = nullptr;  // null: an auto-reply of an integration with no owner
    const store::TaskRecord* task = nullptr;
    const store::ConversationRecord* conversation = nullptr;
    std::string_view text;
    std::vector<OutboundFile> files;
    std::vector<std::int64_t> notified_employees;
    bool notifies_contact = false;
    std::optional<std::int64_t> reply_to;  // the quoted message's id on the messenger
    bool first = false;  // W4: the message that opens a conversation an employee starts (task and conversation new)
    bool auto_reply = false;  // the answer of an `auto_reply` policy, not an employee's comment
    std::int64_t now = 0;
};

// What the delivery policy decided, with texts copied out of the VM.
struct Send {
    std::optional<std::string> signature;
    std::optional<std::int64_t> reply_to;
};
struct Internal {};
struct Refuse {
    std::string reason;
};
using DeliveryVerdict = std::variant<Send, Internal, Refuse>;

struct FileVerdict {
    engine::FileAction action = engine::FileAction::reject;
    std::string reason;  // reject: why
};

struct OutboundDecision {
    DeliveryVerdict delivery;
    std::string rule;                // where the delivery was decided (`telegram.rules:40`)
    std::vector<FileVerdict> files;  // one per OutboundComment::files
    // T8: the notified employees whose `alert` decision is bot_message (a Telegram bot's
    // integration only; never the author).
    std::vector<const config::Employee*> bot_alerts;
    // The decision-log row of these decisions (R2), with the cases they were made on; the caller
    // names its inbox row, event, task and comment, and writes it once the comment is.
    store::NewDecision log;
};

// Writes an outbound comment's decision-log row: `event` names it (`api:comment:12`), `inbox`
// is the inbox row it answers, 0 for none.
// Nothing when no policy was asked (a comment with no conversation to go to).
void log_outbound(store::Work& work, store::NewDecision row, std::string event, std::int64_t inbox, std::int64_t task,
                  std::optional<std::int64_t> comment, std::int64_t at);

// Runs the delivery policy and the attachment policy of every file. A policy that fails, or
// no policy for the message, refuses (delivery) or rejects (a file) with the reason: nothing
// leaves the tracker that no rule let go.
OutboundDecision decide_outbound(store::Work& work, const config::Config& config, const config::Integration& integration,
                                 const Employees& employees, Deciding& deciding, const OutboundComment& comment);

// A text the bot sends by itself (an alert, a command's answer) into `chat`, queued as as many
// messages as Telegram's limit takes; how many.
struct BotText {
    std::string chat;
    std::string chat_kind;
    std::optional<std::string> business_connection;
    std::optional<std::int64_t> task;
    std::optional<std::int64_t> reply_to;  // the first message quotes it
};
std::size_t enqueue_bot_text(store::Work& work, std::string_view integration, const BotText& to, std::string_view text,
                             std::int64_t not_before, std::int64_t at);

// T8: a notification by the bot, in the private chat the employee opened with it: the task, then
// who wrote what. The messages queued: none when the employee has not written to the bot yet.
std::size_t alert_by_bot(store::Work& work, std::string_view integration, const config::Employee& employee,
                  const store::TaskRecord& task, std::string_view author, std::string_view text, std::int64_t at);

// C8: the quick replies the `quick_replies` policy offers `employee` (name, text), in order.
std::vector<std::pair<std::string, std::string>> rules_quick_replies(Deciding& deciding, const Employees& employees,
                                                                     const config::Employee& employee, std::int64_t now);

// W4: where a conversation an employee starts goes, as the routing policy puts the message
// (decided as the echo Wazzup will report of it, so that the customer's reply, routed the same
// way, finds it): the conversation key, and the task's assignees and project.
struct FirstRoute {
    std::string key;
    std::vector<store::PersonRef> assignees;
    std::optional<std::string> project;
};
struct FirstMessage {
    const config::Employee* author = nullptr;
    std::string channel_key;  // Wazzup's channelId
    stdlib::Transport transport = stdlib::Transport::whatsapp;
    std::string chat;         // the customer: a phone number (digits) or an Instagram account
    const store::ContactRecord* contact = nullptr;
    std::string_view text;
    std::int64_t now = 0;
};
// The route, or why the rules give none (`ignore`, a linked task).
std::variant<FirstRoute, std::string> route_first_message(store::Work& work, const config::Config& config,
                                                          const config::Integration& integration, const Employees& employees,
                                                          Deciding& deciding, const FirstMessage& first);

// The transport of a conversation's messages: Telegram for the Telegram services, else the
// channel's (WhatsApp or Instagram).
stdlib::Transport transport_of(const config::Integration& integration, const store::ConversationRecord& conversation);

// Where a message of this Wazzup conversation goes, written by the CRM user `crm_user_id`
// (empty: by nobody named), with the channel's text limit.
outbox::WazzupTarget wazzup_target(const config::Integration& integration, const store::ConversationRecord& conversation,
                                   std::string crm_user_id);

// The Wazzup message id to quote for a `send(reply_to:)` through Wazzup, where `reply_to` names a
// comment of the task (I5: `conversation.first_comment_id`); empty when it names none with one.
std::string wazzup_quote(store::Work& work, std::int64_t task, std::optional<std::int64_t> reply_to);

// The outbox rows carrying `pieces` into the conversation's chat, in order, each naming the
// task and the comment it carries (whose delivery state the rows then set); how many.
std::size_t enqueue_pieces(store::Work& work, const store::ConversationRecord& conversation, std::int64_t task,
                           std::int64_t comment, const std::vector<outbox::Piece>& pieces, std::int64_t now);

}  // namespace switchyard::worker
