// W4: an employee writes first to a customer with no dialogue yet, through a Wazzup channel they
// choose (W5: only for this first message; afterwards the conversation keeps it). The rules
// decide as for any comment, with the task and the conversation new: the shipped WhatsApp
// rules want a title and a description, the description being the first message; Instagram's
// refuse (I7: nobody writes first there).
#include "runtime/actions/desk_impl.hpp"

#include "common/clock.hpp"
#include "runtime/worker/outbound.hpp"

#include <algorithm>

namespace switchyard::actions {

namespace {

// The customer as Wazzup names the chat: read as the configuration reads a channel's number
// (W3: `+7…`, `7…` and `8…` are one WhatsApp number; an Instagram account without `@`).
std::string customer_chat(std::string_view transport, std::string_view text) {
    auto read = config::channel_number(transport, text);
    if (const auto* bad = std::get_if<config::BadValue>(&read)) refuse(422, "chat: " + bad->message + ": " + bad->help, "chat");
    return std::get<std::string>(read);
}

const config::Channel& chosen_channel(const config::Integration& integration, const std::string& id) {
    auto it = std::find_if(integration.channels.begin(), integration.channels.end(), [&](const auto& c) { return c.id == id; });
    if (it == integration.channels.end())
        refuse(422, "channel: no channel `" + id + "` in integration `" + integration.id + "`", "channel");
    return *it;
}

// Where a conversation an employee opens goes, with whom, and its task's title.
struct Opening {
    const config::Integration* integration = nullptr;
    std::string channel_key;  // Wazzup's channelId
    std::optional<std::int64_t> channel;  // its row in the store
    stdlib::Transport transport = stdlib::Transport::whatsapp;
    std::string chat;
    std::string_view chat_kind;  // private (WhatsApp), direct (Instagram)
    const store::ContactRecord* contact = nullptr;
    std::string title;
};

// Routes the first message as the rules will route the reply, refuses a conversation that
// exists, makes the conversation and its task, and writes the message in them: the answer's
// body, with `task` and `conversation`.
json::object open_conversation(Desk::Impl& d, store::Work& work, const Opening& o, const CommentRequest& request,
                               std::size_t& messages, std::int64_t now) {
    worker::FirstMessage first{request.by, o.channel_key, o.transport, o.chat, o.contact, request.text, now};
    auto routed = worker::route_first_message(work, d.config, *o.integration, d.employees, d.deciding(), first);
    if (const auto* why = std::get_if<std::string>(&routed)) refuse(422, *why);
    const auto& route = std::get<worker::FirstRoute>(routed);
    if (auto existing = work.conversation(o.integration->id, route.key))
        refuse(409, "a conversation with " + o.chat + " on this channel exists (task " + std::to_string(existing->task.value_or(0)) +
                        "): write in it");
    auto conversation = work.create_conversation(
        {o.integration->id, route.key, o.channel, o.chat, std::string(o.chat_kind), o.contact->id, "employee", now});
    auto task = work.create_task({conversation, o.contact->id, o.title, request.text, route.project, route.assignees, now});
    work.set_conversation_task(conversation, task);
    work.record_history(task, d.history_actor(*request.by), "create_task", {{"channel", o.channel_key}, {"chat", o.chat}}, now);
    auto made = d.write_comment(work, task, request, true, messages);
    made["task"] = task;
    made["conversation"] = conversation;
    return made;
}

}  // namespace

Answer Desk::start_conversation(const json::value& body) {
    return guarded([&] {
        Input in(body);
        auto& d = *impl_;
        CommentRequest request;
        request.by = &d.actor(in);
        auto integration_id = in.required_text("integration");
        auto integration = d.channels.integration(integration_id);
        if (!integration) refuse(422, "integration: no integration `" + integration_id + "`", "integration");
        if (integration->service != config::Service::wazzup)
            refuse(422, "integration: Telegram does not let bots write first (T2): the customer writes to the bot first",
                   "integration");
        const auto& channel = chosen_channel(*integration, in.required_text("channel"));
        if (channel.deleted) refuse(422, "channel: `" + channel.id + "` was deleted", "channel");
        auto transport = stdlib::parse_enum<stdlib::Transport>(channel.transport).value_or(stdlib::Transport::whatsapp);
        auto chat = customer_chat(channel.transport, in.required_text("chat"));
        auto title = in.text("title").value_or("");
        request.text = in.text("description").value_or("");
        request.notify_contact = true;

        auto now = common::wall_clock_ms();
        std::size_t messages = 0;
        json::object made;
        {
            std::lock_guard lock(d.deciding_mutex);
            auto work = d.store.begin_work();
            auto chat_kind = transport == stdlib::Transport::instagram ? "direct" : "private";
            if (auto task = work.open_dialogue(integration->id, chat, chat_kind))
                refuse(409, "a dialogue with " + chat + " is open in task " + std::to_string(*task) +
                                " on the channel it started on (W5): write in that task, or delete it to start anew from another channel");
            store::IdentityInput identity{std::string(stdlib::name_of(transport)), chat, in.text("name").value_or(chat), std::nullopt,
                                          std::nullopt};
            if (transport == stdlib::Transport::whatsapp) identity.phone = chat;
            else identity.username = chat;
            auto contact = work.find_or_create_contact(identity, now, integration->contact_template);
            Opening o{integration.get(), channel.id, work.channel_id(integration->id, channel.id), transport, chat,
                      chat_kind, &contact, title};
            made = open_conversation(d, work, o, request, messages, now);
            work.commit();
        }
        if (messages > 0) d.wake();
        return Answer{201, std::move(made)};
    });
}

Answer Desk::private_reply(std::int64_t task_id, const json::value& body) {
    return guarded([&] {
        Input in(body);
        auto& d = *impl_;
        CommentRequest request;
        request.by = &d.actor(in);
        request.text = in.required_text("text");
        request.notify_contact = true;
        auto now = common::wall_clock_ms();
        std::size_t messages = 0;
        json::object made;
        {
            std::lock_guard lock(d.deciding_mutex);
            auto work = d.store.begin_work();
            auto thread_task = d.task(work, task_id);
            auto thread = thread_task.conversation ? work.conversation(*thread_task.conversation) : std::nullopt;
            if (!thread || thread->chat_kind != "comment" || !thread->contact)
                refuse(422, "task " + std::to_string(task_id) + " holds no Instagram comments to answer privately (I6)");
            auto integration = d.channels.integration(thread->integration);
            if (!integration) refuse(422, "the task's integration `" + thread->integration + "` is not in the configuration");
            auto answered = thread->first_comment_id ? work.comment(*thread->first_comment_id) : std::nullopt;
            if (!answered || !answered->external_id) refuse(422, "the user's comment has no Instagram id to answer");
            request.answers = answered->id;
            request.answers_message_id = *answered->external_id;
            auto contact = *work.contact(*thread->contact);
            Opening o{integration.get(), thread->channel_external_id, thread->channel, stdlib::Transport::instagram, thread->chat,
                      "direct", &contact, contact.username.value_or(contact.name)};
            made = open_conversation(d, work, o, request, messages, now);
            work.record_history(task_id, d.history_actor(*request.by), "private_reply", {{"task", made["task"]}}, now);
            work.commit();
        }
        if (messages > 0) d.wake();
        return Answer{201, std::move(made)};
    });
}

}  // namespace switchyard::actions
