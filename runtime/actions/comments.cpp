// Posting a comment (C5-C8, T2, T5, TB3, TB4) and liking one (T6): what the rules decide and
// the outbox rows that carry it, written in one transaction with the comment.
#include "runtime/actions/desk_impl.hpp"

#include "common/clock.hpp"
#include "common/text.hpp"
#include "runtime/outbox/outgoing.hpp"
#include "runtime/outbox/plan.hpp"
#include "runtime/worker/outbound.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace switchyard::actions {

namespace {

std::string ext_of(std::string_view name) {
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == name.size()) return {};
    return common::ascii_lower(name.substr(dot + 1));
}

stdlib::FileKind kind_of(std::string_view mime) {
    if (mime.starts_with("image/")) return stdlib::FileKind::image;
    if (mime.starts_with("video/")) return stdlib::FileKind::video;
    if (mime.starts_with("audio/")) return stdlib::FileKind::audio;
    return stdlib::FileKind::document;
}

outbox::Carry carry_of(engine::FileAction action) {
    switch (action) {
    case engine::FileAction::inline_media: return outbox::Carry::media;
    case engine::FileAction::link: return outbox::Carry::link;
    default: return outbox::Carry::file;
    }
}

// What the comment becomes after the rules: the parts of the decision the writing needs.
struct Verdict {
    bool send = false;
    std::optional<std::string> signature;
    std::optional<std::int64_t> reply_to;
    std::vector<worker::FileVerdict> files;
    std::vector<const config::Employee*> bot_alerts;  // T8: notified employees the bot tells
    store::NewDecision log;  // R2: the delivery, attachment and alert decisions, once the comment is written
};

// The messages through Wazzup. A private reply quotes the comment it answers (I6); else
// `reply_to` of the rules names a comment of the task (I5: `conversation.first_comment_id`),
// quoted by its Wazzup message id; else the comment the employee quotes.
std::vector<outbox::Piece> wazzup_pieces(store::Work& work, const config::Integration& integration, std::int64_t task,
                                         const store::ConversationRecord& conversation, std::string_view text,
                                         const std::vector<outbox::FilePlan>& plans, const Verdict& verdict,
                                         const std::optional<store::CommentRecord>& quoted, const config::Employee& by,
                                         const std::string& answers_message_id) {
    auto target = worker::wazzup_target(integration, conversation, std::to_string(by.id));
    std::string ref = answers_message_id;
    if (ref.empty()) ref = worker::wazzup_quote(work, task, verdict.reply_to);
    if (ref.empty() && quoted && quoted->external_id) ref = *quoted->external_id;
    return outbox::plan_wazzup(text, plans, verdict.signature.value_or(""), ref, target);
}

}  // namespace

// Bytes for each file of the request: an earlier upload, or fetched from its URL now, before
// the transaction, so that a slow server holds no lock.
std::vector<GivenFile> Desk::Impl::gather_files(const Input& in) {
    auto& d = *this;
    std::vector<GivenFile> out;
    for (const auto& f : in.objects("files")) {
        GivenFile g;
        g.name = f.required_text("name");
        g.mime = f.text("mime").value_or("");
        if (auto blob = f.text("upload")) {
            if (!files::is_blob(*blob) || !d.files.contains(*blob))
                refuse(422, f.name() + ".upload: no upload `" + *blob + "`: POST the bytes to /api/v1/uploads first", f.name() + ".upload");
            g.blob = *blob;
            g.size = static_cast<std::int64_t>(std::filesystem::file_size(d.files.path_of(g.blob)));
            g.source = "upload";
        } else if (auto url = f.text("url")) {
            auto result = d.fetcher.get(*url);
            if (const auto* failure = std::get_if<net::Failure>(&result))
                refuse(422, f.name() + ".url: cannot fetch " + *url + ": " + failure->message, f.name() + ".url");
            const auto& response = std::get<net::Response>(result);
            if (response.status != 200)
                refuse(422, f.name() + ".url: " + *url + " answered HTTP " + std::to_string(response.status), f.name() + ".url");
            auto stored = d.files.put(response.body);
            if (const auto* no = std::get_if<files::Refused>(&stored)) refuse(413, f.name() + ": " + no->reason, f.name());
            g.blob = std::get<files::Stored>(stored).blob;
            g.size = static_cast<std::int64_t>(response.body.size());
            if (g.mime.empty()) g.mime = response.content_type.substr(0, response.content_type.find(';'));
            g.source = *url;
        } else {
            refuse(400, f.name() + ": give `upload` (from POST /api/v1/uploads) or `url`", f.name());
        }
        if (auto declared = f.optional_id("size"); declared && *declared != g.size)
            refuse(422, f.name() + ".size: " + std::to_string(*declared) + " given, but the file has " + std::to_string(g.size) + " bytes",
                   f.name() + ".size");
        if (g.mime.empty()) g.mime = "application/octet-stream";
        out.push_back(std::move(g));
    }
    return out;
}

CommentRequest Desk::Impl::read_comment(const Input& in) {
    CommentRequest c;
    c.by = &actor(in);
    c.text = in.text("text").value_or("");
    if (auto name = in.text("quick_reply")) c.text = quick_reply_text(*name, *c.by) + (c.text.empty() ? "" : "\n\n" + c.text);
    if (auto notify = in.object("notify")) {
        c.notify_contact = notify->flag("contact", false);
        c.notify_employees = notify->ids("employees");
        for (auto id : c.notify_employees)
            if (!config.employee(id)) refuse(422, "notify.employees: no employee has id " + std::to_string(id), "notify.employees");
    }
    c.quotes = in.optional_id("quotes");
    c.files = gather_files(in);
    if (c.text.empty() && c.files.empty()) refuse(400, "text: a comment needs a text, a quick reply or a file", "text");
    return c;
}

namespace {

// Where a comment is written: its task, the task's conversation and integration (none for a
// task no messenger conversation belongs to), and the comment it quotes.
struct Place {
    store::TaskRecord task;
    std::optional<store::ConversationRecord> conversation;
    std::shared_ptr<const config::Integration> integration;  // as it is now, its channels included
    std::optional<store::CommentRecord> quoted;
};

boost::json::object participant(std::int64_t id, const std::string& name) {
    return {{"id", id}, {"name", name}, {"is_employee", true}, {"has_access", true}};
}

// What the rules make of the comment: sent (how), or internal; a refusal throws.
Verdict decide(Desk::Impl& d, store::Work& work, const Place& at, const CommentRequest& c, bool first,
                      std::int64_t now) {
    Verdict verdict;
    if (!at.conversation || !at.integration) {
        // A task no messenger conversation belongs to: its comments stay in the tracker.
        if (c.notify_contact)
            refuse(422, "notify.contact: task " + std::to_string(at.task.id) + " has no messenger conversation to send to",
                   "notify.contact");
        return verdict;
    }
    worker::OutboundComment o;
    o.author = c.by;
    o.task = &at.task;
    o.conversation = &*at.conversation;
    o.text = c.text;
    for (const auto& g : c.files) o.files.push_back({g.name, ext_of(g.name), g.mime, g.size, kind_of(g.mime)});
    o.notified_employees = c.notify_employees;
    o.notifies_contact = c.notify_contact;
    if (at.quoted && at.quoted->number) o.reply_to = at.quoted->number;
    if (c.answers) o.reply_to = c.answers;
    o.first = first;
    o.now = now;
    auto decided = worker::decide_outbound(work, d.config, *at.integration, d.employees, d.deciding(), o);
    if (const auto* no = std::get_if<worker::Refuse>(&decided.delivery)) throw Refusal{422, no->reason, {}, decided.rule};
    verdict.bot_alerts = std::move(decided.bot_alerts);
    verdict.log = std::move(decided.log);
    if (const auto* send = std::get_if<worker::Send>(&decided.delivery)) {
        verdict.send = true;
        verdict.signature = send->signature;
        verdict.reply_to = send->reply_to ? send->reply_to : o.reply_to;
        verdict.files = std::move(decided.files);
    }
    return verdict;
}

std::int64_t add_comment_row(store::Work& work, const Place& at, const CommentRequest& c, const config::Config& config,
                                    std::int64_t now) {
    store::NewComment nc;
    nc.task = at.task.id;
    if (at.conversation) {
        nc.conversation = at.conversation->id;
        nc.integration = at.conversation->integration;
        nc.chat = at.conversation->chat;
        nc.chat_kind = at.conversation->chat_kind;
    }
    nc.direction = "outbound";
    nc.author = {"employee", c.by->id, c.by->name};
    nc.text = c.text;
    nc.participants.push_back(participant(c.by->id, c.by->name));
    for (auto id : c.notify_employees) nc.participants.push_back(participant(id, config.employee(id)->name));
    nc.sent_at = now;
    nc.created_at = now;
    nc.quotes = c.quotes;
    return work.add_comment(nc);
}

// The comment's files, with what the rules decided for each; the plans of those that travel.
std::vector<outbox::FilePlan> add_files(Desk::Impl& d, store::Work& work, std::int64_t comment, const Place& at,
                                               const CommentRequest& c, const Verdict& verdict, json::array& shown) {
    std::vector<outbox::FilePlan> plans;
    for (std::size_t i = 0; i < c.files.size(); ++i) {
        const auto& g = c.files[i];
        store::NewFile f;
        f.position = static_cast<std::int64_t>(i);
        f.name = g.name;
        f.ext = ext_of(g.name);
        f.mime = g.mime;
        f.size = g.size;
        f.kind = std::string(stdlib::name_of(kind_of(g.mime)));
        f.source = g.source;
        f.blob = g.blob;
        f.stored = "stored";
        json::object one{{"position", f.position}, {"name", g.name}};
        if (verdict.send) {
            const auto& v = verdict.files[i];
            f.action = std::string(engine::name_of(v.action));
            if (v.action == engine::FileAction::reject) f.reason = v.reason;
            one["action"] = *f.action;
            if (f.reason) one["reason"] = *f.reason;
        }
        auto file_id = work.add_file(comment, f);
        shown.push_back(std::move(one));
        if (!verdict.send || verdict.files[i].action == engine::FileAction::reject) continue;
        outbox::FilePlan plan{file_id, g.name, kind_of(g.mime), carry_of(verdict.files[i].action), {}};
        // Wazzup fetches every file by its URL, at once, without redirects: the same link.
        if (plan.carry == outbox::Carry::link || at.integration->service == config::Service::wazzup)
            plan.link = d.download_link(g.blob, g.name);
        plans.push_back(std::move(plan));
    }
    return plans;
}

// The outbox rows of a comment that is sent; how many.
std::size_t enqueue(store::Work& work, std::int64_t comment, const Place& at, const CommentRequest& c,
                           const Verdict& verdict, const std::vector<outbox::FilePlan>& plans, std::int64_t now) {
    const auto& v = *at.conversation;
    auto pieces = at.integration->service == config::Service::wazzup
                      ? wazzup_pieces(work, *at.integration, at.task.id, v, c.text, plans, verdict, at.quoted, *c.by, c.answers_message_id)
                      : outbox::plan_telegram(c.text, plans, verdict.signature.value_or(""), verdict.reply_to);
    if (pieces.empty()) refuse(422, "nothing to send: the rules rejected every file and the comment has no text");
    auto queued = worker::enqueue_pieces(work, v, at.task.id, comment, pieces, now);
    work.note_comment(v.id, "outbound", comment, now, "employee");
    return queued;
}

// W7: a conversation whose channel was deleted moves to the live channel that took its number,
// for an employee's reply as for the customer's next message (the worker's placing does the
// same then). In the comment's transaction: a refused comment moves nothing.
void take_over_channel(store::Work& work, Place& at) {
    if (!at.conversation || !at.integration || at.conversation->channel_external_id.empty()) return;
    const auto& channels = at.integration->channels;
    auto old = std::find_if(channels.begin(), channels.end(),
                            [&](const config::Channel& c) { return c.id == at.conversation->channel_external_id; });
    if (old == channels.end() || !old->deleted) return;
    auto heir = std::find_if(channels.begin(), channels.end(), [&](const config::Channel& c) {
        return !c.deleted && c.number == old->number && c.transport == old->transport;
    });
    if (heir == channels.end()) return;
    work.set_conversation_channel(at.conversation->id, work.channel_id(at.integration->id, heir->id));
    at.conversation = work.conversation(at.conversation->id);
}

}  // namespace

json::object Desk::Impl::write_comment(store::Work& work, std::int64_t task_id, const CommentRequest& c, bool first,
                                       std::size_t& messages) {
    auto now = common::wall_clock_ms();
    Place at{task(work, task_id), std::nullopt, nullptr, std::nullopt};
    if (c.quotes) {
        at.quoted = work.comment(*c.quotes);
        if (!at.quoted || at.quoted->task != task_id)
            refuse(422, "quotes: comment " + std::to_string(*c.quotes) + " is not on task " + std::to_string(task_id), "quotes");
    }
    if (at.task.conversation) at.conversation = work.conversation(*at.task.conversation);
    if (at.conversation) at.integration = channels.integration(at.conversation->integration);
    take_over_channel(work, at);

    auto verdict = decide(*this, work, at, c, first, now);
    auto comment = add_comment_row(work, at, c, config, now);
    worker::log_outbound(work, std::move(verdict.log), "api:comment:" + std::to_string(comment), 0, task_id, comment, now);
    json::array files_out;
    auto plans = add_files(*this, work, comment, at, c, verdict, files_out);
    if (c.notify_contact && at.conversation && at.conversation->contact)
        if (auto contact = work.contact(*at.conversation->contact))
            work.add_notification(task_id, comment, {"contact", contact->id, contact->name}, "mentioned", now);
    for (auto id : c.notify_employees)
        work.add_notification(task_id, comment, {"employee", id, config.employee(id)->name}, "mentioned", now);
    std::size_t alerts = 0;
    for (const auto* e : verdict.bot_alerts)
        alerts += worker::alert_by_bot(work, at.integration->id, *e, at.task, c.by->name, c.text, now);
    std::size_t to_customer = verdict.send ? enqueue(work, comment, at, c, verdict, plans, now) : 0;
    messages = to_customer + alerts;
    std::string_view delivery = verdict.send ? "queued" : "internal";
    work.record_history(task_id, history_actor(*c.by), "comment", {{"comment", comment}, {"delivery", delivery}, {"messages", to_customer}},
                        now);
    return {{"comment", comment}, {"delivery", delivery}, {"messages", to_customer}, {"files", std::move(files_out)}};
}

Answer Desk::post_comment(std::int64_t task_id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        auto& d = *impl_;
        auto request = d.read_comment(in);  // files fetched before any lock
        std::size_t messages = 0;
        json::object made;
        {
            std::lock_guard lock(d.deciding_mutex);
            auto work = d.store.begin_work();
            made = d.write_comment(work, task_id, request, false, messages);
            work.commit();
        }
        if (messages > 0) d.wake();
        return Answer{201, std::move(made)};
    });
}

namespace {

// T6: the bot reacts only to a message it received in a Telegram bot's chat: Telegram's
// setMessageReaction takes no business connection, so a like in a Business chat stays in the
// tracker.
bool bot_can_react(const config::Config& config, const store::CommentRecord& comment) {
    const auto* integration = config.integration(comment.integration);
    return integration && integration->service == config::Service::telegram && comment.direction == "inbound" &&
           comment.number.has_value();
}

// The outbox row that sets the bot's reaction on the comment's message to `emoji`, or removes it
// (an empty `emoji`).
void queue_reaction(store::Work& work, const store::CommentRecord& comment, std::string_view emoji, std::int64_t now) {
    outbox::Outgoing o;
    o.method = outbox::Method::set_message_reaction;
    o.message_id = comment.number;
    o.emoji = std::string(emoji);
    store::NewOutboxMessage m;
    m.task = comment.task;
    m.integration = comment.integration;
    m.chat = comment.chat;
    m.chat_kind = comment.chat_kind;
    m.method = std::string(outbox::method_name(o.method));
    m.params = outbox::params_json(o);
    m.not_before = now;
    m.at = now;
    work.enqueue(m);
}

}  // namespace

Answer Desk::like(std::int64_t comment_id, bool on, const json::value& body) {
    return guarded([&] {
        Input in(body);
        auto& d = *impl_;
        const auto& by = d.actor(in);
        auto now = common::wall_clock_ms();
        auto work = d.store.begin_work();
        auto comment = work.comment(comment_id);
        if (!comment) refuse(404, "no comment " + std::to_string(comment_id));
        d.task(work, comment->task);
        store::PersonRef me{"employee", by.id, by.name};
        // Only the employee's like made here: their own reaction in Telegram is a like of its
        // own, which neither stands in the way of this one nor is taken back by it.
        auto mine = work.like_of(comment_id, me, store::LikeSource::tracker);
        if (on == mine.has_value()) refuse(409, std::string("comment ") + std::to_string(comment_id) + (on ? " is liked by " : " is not liked by ") + by.name + " already");
        // An unlike names the emoji of the like it takes back; a DELETE carries none.
        auto emoji = on ? in.text("emoji").value_or("👍") : *mine;
        if (on) work.like(comment_id, me, emoji, store::LikeSource::tracker, now);
        else work.unlike(comment_id, me, emoji, store::LikeSource::tracker);

        // T6: one reaction of the bot stands for the likes made in the tracker: set with the
        // first, removed with the last. Reactions from Telegram do not count: they are there to
        // be seen already, and counting them would keep the bot's from being set or removed.
        auto likes = work.tracker_likes(comment_id);
        bool queued = bot_can_react(d.config, *comment) && ((on && likes == 1) || (!on && likes == 0));
        if (queued) queue_reaction(work, *comment, on ? std::string_view(emoji) : std::string_view(), now);
        work.record_history(comment->task, d.history_actor(by), on ? "like" : "unlike", {{"comment", comment_id}, {"emoji", emoji}}, now);
        work.commit();
        if (queued) d.wake();
        return Answer{200, json::object{{"comment", comment_id}, {"liked", on}, {"reaction", queued ? json::value("queued") : json::value(nullptr)}}};
    });
}

}  // namespace switchyard::actions
