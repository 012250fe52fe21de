// The schema the runtime publishes: every fact, function and policy kind that behaviors.md needs.
// Take care: changing anything here changes Schema::fingerprint(), so compiled rulesets must be rebuilt.
#include "stdlib/schema.hpp"

#include <stdexcept>

namespace switchyard::stdlib {
namespace {

class Builder {
public:
    Schema schema;

    Type type(std::string_view text) const {
        auto t = schema.parse_type(text);
        if (!t) throw std::logic_error("stdlib: bad type in schema: " + std::string(text));
        return *t;
    }
    void enumeration(std::string name, std::vector<std::string> members, std::string doc) {
        schema.add_enum({std::move(name), std::move(members), std::move(doc)});
    }
    // Records are declared first and filled later, because they refer to each other.
    void declare_record(std::string name, std::string doc) { schema.add_record({std::move(name), {}, std::move(doc)}); }
    void declare_record_of_rules(std::string name, std::string doc) {
        schema.add_record({std::move(name), {}, std::move(doc), true});
    }
    void fields(std::string_view record, std::vector<std::array<std::string, 3>> fields) {
        auto& r = schema.record_mut(type(record).decl);
        for (auto& [name, t, doc] : fields) r.fields.push_back({name, type(t), doc});
    }
    void variant(std::string name, std::string doc) { schema.add_variant(std::move(name), std::move(doc)); }
    void function(std::string name, std::vector<ParamDecl> params, std::string_view result, FunctionRole role,
                  std::string doc, bool variadic_first = false) {
        schema.add_function({std::move(name), std::move(params), type(result), role, variadic_first, std::move(doc)});
    }
    ParamDecl param(std::string name, std::string_view t, bool optional = false) const {
        return {std::move(name), type(t), optional};
    }
    void kind(std::string name, std::string_view result, std::vector<std::string> directions,
              std::vector<std::string> bindings, std::string doc, bool per_file = false) {
        PolicyKindDecl k{std::move(name), type(result), {}, 0, per_file, std::move(doc)};
        const auto& dirs = schema.enums().at(type("direction").decl);
        for (const auto& d : directions) k.directions |= static_cast<DirectionMask>(1u << *dirs.find(d));
        for (const auto& b : bindings) k.bindings.push_back(binding(b));
        schema.add_kind(std::move(k));
    }

private:
    BindingDecl binding(const std::string& name) const {
        static const std::vector<std::array<std::string, 3>> facts = {
            {"message", "message", "the message being decided on"},
            {"file", "file", "the file being decided on (attachment policies)"},
            {"contact", "contact", "the external person of the conversation"},
            {"employee", "employee", "the employee who sends (outbound) or is being alerted"},
            {"task", "task", "the communication task the message belongs to"},
            {"conversation", "conversation", "the conversation (thread) of the message"},
            {"channel", "channel", "the channel (number or bot) the message travels through"},
            {"integration", "integration", "the connected account the event arrived on"},
            {"account", "account", "the tracker account: its plan"},
            {"reaction", "reaction", "the reaction being decided on"},
            {"notice", "notice", "the notification being delivered to an employee"},
            {"now", "time", "the time of the event (not the wall clock: decisions are deterministic)"},
        };
        for (const auto& [n, t, doc] : facts)
            if (n == name) return {n, type(t), doc};
        throw std::logic_error("stdlib: unknown binding " + name);
    }
};

// The enums: every closed set of values rules can name.
void declare_enums(Builder& b) {
    b.enumeration("direction", {"inbound", "outbound", "echo"},
                  "which way a message travels; `echo` is our own outbound message reported back by the platform");
    b.enumeration("transport", {"telegram", "whatsapp", "instagram"}, "the messenger");
    b.enumeration("chat_kind", {"private", "group", "channel", "business", "direct", "comment"},
                  "the kind of chat a message is in");
    b.enumeration("service", {"telegram_bot", "telegram_business", "wazzup"}, "the kind of integration");
    b.enumeration("task_status", {"active", "completed", "cancelled"}, "the state of a task");
    b.enumeration("file_kind", {"image", "video", "audio", "voice", "document", "sticker", "other"},
                  "what a file holds, as the messenger reports it");
    b.enumeration("notice_reason", {"mentioned", "recent_participant", "assignee", "author", "watcher"},
                  "why a person is notified");
    b.enumeration("plan", {"free", "paid", "premium", "trial"}, "the tracker account's plan");
    b.enumeration("started_by", {"contact", "employee"}, "who wrote the first message of a conversation");
    b.enumeration("reopen_action", {"new_task", "reopen", "append"},
                  "what a message does to a completed task: open a new task, reopen it, or add a comment only");
    b.enumeration("reaction_action", {"like", "unlike", "skip"}, "what a reaction does to the matching comment");
    b.enumeration("alert_route", {"bot_message", "tracker_only"},
                  "how an employee receives a notification: also as a Telegram message from the bot, or in the tracker only");

}

// The records, declared first and filled after, because they refer to each other.
void declare_records(Builder& b) {
    for (auto [name, doc] : std::vector<std::pair<std::string, std::string>>{
             {"person", "someone who can be mentioned or notified: an employee or a contact"},
             {"chat", "a chat on the messenger's side"},
             {"file", "a file attached to a message"},
             {"post", "an Instagram post that comments are written under"},
             {"channel", "one number or bot inside an integration"},
             {"message", "a message, inbound or outbound"},
             {"contact", "an external person"},
             {"employee", "a user of the tracker"},
             {"task", "a communication task"},
             {"conversation", "the thread a message belongs to"},
             {"integration", "one connected account"},
             {"reaction", "an emoji reaction set or removed on a message"},
             {"account", "the tracker account"},
             {"notice", "one person to notify, with the reason"},
             {"quick_reply", "a named canned answer"},
             {"status_change", "one change of a task's status, from the task's history"},
         })
        b.declare_record(name, doc);
    b.declare_record_of_rules("contact_fields",
                              "a contact's custom fields: one per `contact_field` the rules declare, each the value set "
                              "through the API or the declared default");

    b.fields("person", {{"id", "int", "tracker id of the person"},
                        {"name", "string", "display name"},
                        {"username", "string?", "messenger username, without `@`"},
                        {"phone", "string?", "phone number, digits only with country code"},
                        {"is_employee", "bool", "true for employees of the account"},
                        {"has_access", "bool", "true when the person can sign in to the tracker"}});
    b.fields("chat", {{"id", "int", "the messenger's chat id (64-bit)"},
                      {"kind", "chat_kind", "private, group, channel, business, direct or comment"},
                      {"title", "string", "group or channel title; the person's name for private chats"},
                      {"username", "string?", "public username of the chat"}});
    b.fields("file", {{"name", "string", "file name as sent"},
                      {"ext", "string", "lowercase extension without the dot (`pdf`); empty when none"},
                      {"mime", "string", "MIME type (`application/pdf`)"},
                      {"size", "size", "size in bytes"},
                      {"kind", "file_kind", "what the file holds"}});
    b.fields("post", {{"id", "string", "the platform's post id"},
                      {"url", "string", "link to the post"},
                      {"caption", "string", "the post's text"}});
    b.fields("channel", {{"id", "int", "tracker id of the channel"},
                         {"name", "string", "display name"},
                         {"number", "string", "phone number (digits, normalised) or bot username"},
                         {"transport", "transport", "the messenger of the channel"},
                         {"deleted", "bool", "true once the channel was deleted from the integration"}});
    b.fields("message", {{"id", "int", "the messenger's message id"},
                         {"direction", "direction", "inbound, outbound or echo"},
                         {"transport", "transport", "the messenger"},
                         {"chat", "chat", "the chat the message is in"},
                         {"sender", "person", "who wrote it"},
                         {"text", "string", "the text, or the caption of a file"},
                         {"command", "string?", "for `/start@bot args`: `start`; none when not a bot command"},
                         {"command_args", "string", "the text after the command"},
                         {"mentions", "list<person>", "people mentioned with `@username` or a text mention"},
                         {"files", "list<file>", "attached files"},
                         {"reply_to", "int?", "the message this one replies to"},
                         {"post", "post?", "for Instagram comments: the post"},
                         {"channel", "channel", "the channel it travels through"},
                         {"sent_at", "time", "when it was sent"},
                         {"edited", "bool", "true for an edit of an earlier message"},
                         {"participants", "list<person>", "the people who took part: sender, mentioned, notified"},
                         {"notified", "list<person>", "outbound: the people the employee chose to notify"},
                         {"notifies_contact", "bool", "outbound: true when the comment explicitly notifies the contact"},
                         {"is_auto_reply", "bool", "outbound: true for the answer an `auto_reply` policy wrote"}});
    b.fields("contact", {{"id", "int", "tracker id"},
                         {"name", "string", "name as the messenger gives it"},
                         {"username", "string?", "messenger username"},
                         {"phone", "string?", "phone number, digits only"},
                         {"is_new", "bool", "true when this message creates the contact"},
                         {"has_written", "bool", "true once the contact wrote to this channel or bot"},
                         {"blocked_bot", "bool", "true when the contact stopped or blocked the bot"},
                         {"tags", "set<string>", "the contact's tags, set through the API (`PUT /api/v1/contacts/{id}`)"},
                         {"fields", "contact_fields",
                          "the contact's custom fields that the rules declare (`contact.fields.tier`; loaded only when read)"}});
    b.fields("employee", {{"id", "int", "tracker id"},
                          {"name", "string", "display name"},
                          {"is_owner", "bool", "true for the account owner"},
                          {"telegram_linked", "bool", "true once the employee linked a Telegram account for alerts"}});
    b.fields("task", {{"id", "int", "tracker id"},
                      {"title", "string", "title"},
                      {"description", "string", "description"},
                      {"status", "task_status", "active, completed or cancelled"},
                      {"is_new", "bool", "true when the task does not exist yet (an employee writes first)"},
                      {"assignees", "list<person>", "assignees"},
                      {"project", "string?", "project name"},
                      {"created_at", "time", "when it was created"},
                      {"completed_at", "time?", "when it was last completed; none unless its status is completed"},
                      {"history", "list<status_change>", "its status changes, oldest first (loaded only when read)"}});
    b.fields("conversation", {{"id", "int", "tracker id"},
                              {"channel", "channel", "the channel the conversation is bound to"},
                              {"started_by", "started_by", "who wrote first"},
                              {"is_new", "bool", "true when this message starts the conversation"},
                              {"expects_reply", "bool", "true when the last message came from the contact"},
                              {"last_inbound_at", "time?", "when the contact last wrote; none if never"},
                              {"customer_stopped_bot", "bool", "Telegram Business: the customer stopped or blocked the bot (Telegram said so)"},
                              {"can_reply", "bool", "Telegram Business: false only when Telegram said the business bot may not reply (no right, or disabled)"},
                              {"first_comment_id", "int?", "Instagram: the user's first comment under the post"},
                              {"unanswered_count", "int", "the contact's messages since the last employee reply, before this one"},
                              {"last_reply_at", "time?", "when an employee last replied; none if never"}});
    b.fields("integration", {{"id", "string", "integration id from the configuration"},
                             {"name", "string", "display name"},
                             {"service", "service", "telegram_bot, telegram_business or wazzup"},
                             {"owner", "person", "the account owner or, failing that, the employee who set the integration up"},
                             {"assignees", "list<person>", "assignees named in the task template"},
                             {"extra_assignees", "list<person>", "extra assignees from the integration settings"},
                             {"project", "string?", "project for new tasks"},
                             {"contact_template", "string?", "template for new contacts"}});
    b.fields("reaction", {{"emoji", "string", "the emoji; empty for a custom one"},
                          {"added", "bool", "true when set, false when removed"},
                          {"anonymous", "bool", "true when set by an anonymous chat admin"},
                          {"by", "person?", "who reacted, when known"}});
    b.fields("account", {{"name", "string", "account name"}, {"plan", "plan", "free, paid, premium or trial"}});
    b.fields("notice", {{"person", "person", "who is notified"}, {"reason", "notice_reason", "why"}});
    b.fields("quick_reply", {{"name", "string", "what the employee picks"}, {"text", "string", "what is inserted"}});
    b.fields("status_change", {{"status", "task_status", "the status the task took"},
                               {"at", "time", "when"},
                               {"by", "person?", "who changed it; none for the system (a rule's `reopen`)"}});

}

// The result variants, their constructors, the built-in functions and the fact queries.
void declare_functions(Builder& b) {
    b.variant("route", "where an inbound message goes");
    b.variant("file_action", "how a file travels");
    b.variant("delivery", "whether an outbound message may go, and how");
    b.variant("command_action", "what a bot command does");
    b.variant("auto_reply_action", "what is answered automatically to an inbound message");

    using R = FunctionRole;
    b.function("thread", {b.param("key", "any"), b.param("title", "string", true), b.param("description", "string", true),
                          b.param("assignees", "list<person>", true), b.param("project", "string?", true)},
               "route", R::constructor,
               "the conversation keyed by these values; its task is created with the given title, description, "
               "assignees and project when it does not exist",
               true);
    b.function("linked_task", {b.param("chat", "chat")}, "route", R::constructor,
               "the task the chat is linked to; the message is recorded and dropped when none is");
    b.function("ignore", {b.param("reason", "string")}, "route", R::constructor, "create nothing; the reason is logged");
    b.function("attach", {}, "file_action", R::constructor, "send the file as a file");
    b.function("inline", {}, "file_action", R::constructor, "send the file as a media preview");
    b.function("link", {}, "file_action", R::constructor, "send a download link in the message text");
    b.function("reject", {b.param("reason", "string")}, "file_action", R::constructor, "do not send the file");
    b.function("send", {b.param("signature", "string", true), b.param("reply_to", "int?", true)}, "delivery",
               R::constructor, "send the message, signed and threaded when given");
    b.function("internal", {}, "delivery", R::constructor,
               "keep the comment inside the tracker: the contact is not notified, nothing is sent");
    b.function("refuse", {b.param("reason", "string")}, "delivery", R::constructor,
               "do not send; the reason is shown on the comment");
    b.function("reply", {b.param("text", "string")}, "command_action", R::constructor, "answer with this text");
    b.function("create_task", {}, "command_action", R::constructor, "create a task from the message");
    b.function("show_open_tasks", {}, "command_action", R::constructor, "answer with the user's open tasks");
    b.function("add_contact", {}, "command_action", R::constructor, "add the user as a contact");
    b.function("pass", {}, "command_action", R::constructor, "not a command for us: route it as a message");
    b.function("answer", {b.param("text", "string")}, "auto_reply_action", R::constructor,
               "send this text back to the customer, as the delivery policy lets it go");
    b.function("no_answer", {}, "auto_reply_action", R::constructor, "answer nothing");

    b.function("notify", {b.param("people", "list<person>"), b.param("reason", "notice_reason")}, "list<notice>",
               R::builtin, "the people, each carrying the reason");
    b.function("quick_reply", {b.param("name", "string"), b.param("text", "string")}, "quick_reply", R::builtin,
               "a named canned answer");
    b.function("count", {b.param("items", "collection<T>")}, "int", R::builtin, "the number of items");
    b.function("empty", {b.param("items", "collection<T>")}, "bool", R::builtin, "true when there are no items");
    b.function("any", {b.param("items", "collection<T>")}, "bool", R::builtin, "true when there is at least one item");
    b.function("lower", {b.param("text", "string")}, "string", R::builtin, "the text in lowercase (ASCII and Cyrillic)");
    b.function("contains", {b.param("text", "string"), b.param("part", "string")}, "bool", R::builtin,
               "true when part occurs in text");
    b.function("starts_with", {b.param("text", "string"), b.param("prefix", "string")}, "bool", R::builtin,
               "true when text starts with prefix");
    b.function("ends_with", {b.param("text", "string"), b.param("suffix", "string")}, "bool", R::builtin,
               "true when text ends with suffix");
    b.function("has_word", {b.param("text", "string"), b.param("word", "string")}, "bool", R::builtin,
               "true when the word occurs in text as a whole word, ignoring case");
    b.function("has_phrase", {b.param("text", "string"), b.param("phrase", "string")}, "bool", R::builtin,
               "true when the words of phrase occur in text one after another, ignoring case");
    b.function("matches", {b.param("text", "string"), b.param("pattern", "string")}, "bool", R::builtin,
               "true when all of text matches the glob pattern (a string literal: `*`, `?`, `[a-z]`)");
    b.function("length", {b.param("text", "string")}, "int", R::builtin, "the number of characters");
    b.function("str", {b.param("value", "any")}, "string", R::builtin, "the value as text");
    b.function("member_of", {b.param("person", "person"), b.param("chat", "chat")}, "bool", R::fact_query,
               "true when the person is known to be a member of the chat");
    b.function("has_role", {b.param("person", "person"), b.param("task", "task")}, "bool", R::fact_query,
               "true when the person is the task's author, assignee, auditor or participant");
    b.function("last_message_with", {b.param("person", "person")}, "message?", R::fact_query,
               "the latest earlier message of this conversation in which the person took part");

}

// Time zones and calendars: local dates, times of day and weekdays, and opening hours.
void declare_calendars(Builder& b) {
    b.enumeration("weekday", {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},
                  "a day of the week");
    b.declare_record("opening_hours", "the hours a calendar is open on some days of the week");
    b.declare_record("calendar", "working hours and holidays in a time zone");
    b.fields("opening_hours", {{"days", "set<weekday>", "the days of the week these hours apply to"},
                               {"from", "time_of_day", "opening time, local"},
                               {"to", "time_of_day", "closing time, local; earlier than `from` runs past midnight"}});
    b.fields("calendar", {{"zone", "string", "the time zone, an IANA name such as `Europe/Moscow`"},
                          {"hours", "list<opening_hours>", "when it is open"},
                          {"holidays", "set<date>", "days it is closed, whatever the hours say"}});

    using R = FunctionRole;
    auto zone = [&] {
        auto p = b.param("zone", "string");
        p.time_zone = true;
        return p;
    };
    b.function("weekday_in", {b.param("time", "time"), zone()}, "weekday", R::builtin,
               "the day of the week at this time in the zone");
    b.function("time_of_day_in", {b.param("time", "time"), zone()}, "time_of_day", R::builtin,
               "the local time of day at this time in the zone");
    b.function("date_in", {b.param("time", "time"), zone()}, "date", R::builtin, "the local date at this time in the zone");
    b.function("hours", {b.param("days", "set<weekday>"), b.param("from", "time_of_day"), b.param("to", "time_of_day")},
               "opening_hours", R::builtin, "open from `from` to `to` on these days");
    b.function("calendar",
               {zone(), b.param("hours", "list<opening_hours>"), b.param("holidays", "set<date>", true)},
               "calendar", R::builtin, "working hours in a zone, closed on the holidays");
    b.function("open_at", {b.param("calendar", "calendar"), b.param("time", "time")}, "bool", R::builtin,
               "true when the calendar is open at this time: not a holiday, and within some opening hours");
}

// The policy kinds with the facts each binds, and the scope dimensions policies are chosen by.
void declare_kinds(Builder& b) {
    const std::vector<std::string> all_facts = {"integration", "account", "now"};
    auto with = [&](std::vector<std::string> v) {
        v.insert(v.end(), all_facts.begin(), all_facts.end());
        return v;
    };
    b.kind("routing", "route", {"inbound", "echo"}, with({"message", "channel"}),
           "which conversation and task a message belongs to, and how a new task is made");
    b.kind("reopen", "reopen_action", {"inbound"}, with({"message", "task", "contact", "conversation"}),
           "what a message does when its task is completed");
    b.kind("notification", "list<notice>", {"inbound"}, with({"message", "task", "contact", "conversation"}),
           "who is told about an inbound message, each with the reason");
    b.kind("attachment", "file_action", {"inbound", "outbound"}, with({"file", "message", "channel"}),
           "how each file of a message travels", true);
    b.kind("delivery", "delivery", {"outbound"},
           with({"message", "task", "contact", "conversation", "channel", "employee"}),
           "whether an outbound message may go at all, and how");
    b.kind("command", "command_action", {"inbound"}, with({"message", "contact"}), "what a bot command does");
    b.kind("reaction", "reaction_action", {"inbound", "outbound"}, with({"reaction", "message"}),
           "what a reaction does: like or unlike the matching comment");
    b.kind("quick_replies", "list<quick_reply>", {"outbound"}, with({"employee", "message"}),
           "the canned answers offered to an employee");
    b.kind("alert", "alert_route", {"inbound", "outbound"}, with({"employee", "notice", "message", "task"}),
           "how an employee receives a notification");
    b.kind("auto_reply", "auto_reply_action", {"inbound"}, with({"message", "task", "contact", "conversation", "channel"}),
           "what is answered automatically to an inbound message, sent through the delivery policy");

    b.schema.add_dimension({"for", b.type("direction").decl, "message.direction", "which way the message travels"});
    b.schema.add_dimension({"via", b.type("transport").decl, "message.transport", "the messenger"});
    b.schema.add_dimension({"in", b.type("chat_kind").decl, "message.chat.kind", "the kind of chat"});
}

Schema build() {
    Builder b;
    declare_enums(b);
    declare_records(b);
    declare_functions(b);
    declare_calendars(b);
    declare_kinds(b);
    return std::move(b.schema);
}

}  // namespace

const Schema& builtin_schema() {
    static const Schema schema = build();
    return schema;
}

}  // namespace switchyard::stdlib
