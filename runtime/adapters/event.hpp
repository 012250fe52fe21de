// Normalised events: what the adapters make of a webhook body, whatever the messenger. The
// processor turns an event into a case (docs/cases.md) with facts from the store, runs the
// ruleset, and applies the decisions.
#pragma once

#include "stdlib/enums.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::adapters {

// Someone on the messenger's side. `external_id` is the messenger's id as text (a Telegram
// user id, a WhatsApp number, an Instagram account name or IGSID).
struct Person {
    std::string external_id;
    std::string name;
    std::optional<std::string> username;  // without `@`
    std::optional<std::string> phone;     // digits only, with the country code
    bool is_bot = false;
};

struct File {
    std::string name;    // as sent; for files without a name, one made from the kind ("photo.jpg")
    std::string ext;     // lowercase, without the dot; empty when none
    std::string mime;    // empty when the messenger does not say
    std::int64_t size = 0;
    stdlib::FileKind kind = stdlib::FileKind::other;
    std::string source;  // how to fetch it: Telegram file_id, Wazzup contentUri
};

struct Post {
    std::string id;
    std::string url;
    std::string caption;
};

struct Message {
    std::string id;                    // the messenger's message id as text (Telegram message_id, Wazzup messageId)
    std::int64_t number = 0;           // Telegram's numeric message_id (0 for Wazzup)
    stdlib::Direction direction = stdlib::Direction::inbound;
    stdlib::Transport transport = stdlib::Transport::telegram;
    stdlib::ChatKind chat_kind = stdlib::ChatKind::private_chat;
    std::int64_t chat_id = 0;          // Telegram chat id; for Wazzup 0 (the chat is `chat_external_id`)
    std::string chat_external_id;      // the chat as text: Telegram chat id, Wazzup chatId
    std::string chat_title;
    std::optional<std::string> chat_username;
    Person sender;
    std::string text;                  // text or caption
    std::optional<std::string> command;  // `/start@bot args` -> "start"
    std::string command_args;            // -> "args"
    std::vector<Person> mentions;        // `@username` mentions (username only) and text mentions (with id)
    std::vector<File> files;
    std::optional<std::int64_t> reply_to;  // Telegram: the message_id replied to
    std::optional<Post> post;              // Instagram comments (Wazzup `instPost`)
    std::string channel;                   // Wazzup channelId; Telegram: empty (the integration's bot)
    std::string business_connection;       // Telegram Business: business_connection_id
    std::string crm_message_id;            // Wazzup echoes: the crmMessageId we sent it with, if we did
    std::int64_t sent_at_ms = 0;
    bool edited = false;
    std::int64_t edited_at_ms = 0;  // an edit: when it was edited (Telegram edit_date); 0 when not said
    // Parts that could not be read (an entity outside the text, a file without its id), each
    // with why: left out, and the message kept, so that a malformed part never loses its words.
    std::vector<std::string> dropped;
};

// One reaction set or taken away. Telegram reports a person's whole old and new sets at once:
// each difference between them is an event of its own (a replaced reaction is two).
struct Reaction {
    std::string chat_external_id;
    std::int64_t message_number = 0;  // the message reacted to
    std::string emoji;                // the emoji set or taken away; empty for a custom (or paid) one
    bool added = true;                // false when the reaction was taken away
    bool anonymous = false;           // set by an anonymous chat admin (`actor_chat`)
    std::optional<Person> by;
    std::int64_t at_ms = 0;
};

struct BusinessConnection {
    std::string id;
    Person owner;
    std::int64_t owner_chat_id = 0;
    bool can_reply = false;
    bool enabled = true;
};

struct Deleted {
    std::string business_connection;
    std::string chat_external_id;
    std::vector<std::int64_t> message_numbers;
};

// Who is in a chat changed. Telegram `my_chat_member` (about_bot): the bot was blocked or
// unblocked by a user in a private chat, or added to or removed from a group. Telegram
// `chat_member`: someone joined or left a group or channel where the bot is an administrator.
struct MemberChange {
    std::string chat_external_id;
    stdlib::ChatKind chat_kind = stdlib::ChatKind::private_chat;
    bool about_bot = true;
    Person user;  // my_chat_member: who changed the bot's status; chat_member: whose status changed
    std::string old_status;  // Telegram ChatMember status: member, kicked, left, administrator, ...
    std::string new_status;
    std::int64_t at_ms = 0;
};

// Wazzup `statuses[]`: the state of a message we sent.
struct Status {
    std::string message_id;
    std::string status;  // sent, delivered, read, error, edited
    std::string error;   // the error code when status is error
    std::int64_t at_ms = 0;
};

enum class EventType : std::uint8_t { message, reaction, business_connection, deleted, member_change, status };

struct Event {
    EventType type = EventType::message;
    // Redelivery of the same event has the same key: `tg:<bot>:update:<update_id>` (with `:2`,
    // `:3`, ... for the further events of one update), `wz:message:<messageId>`,
    // `wz:status:<messageId>:<status>`.
    std::string dedup_key;
    Message message;  // type message (an edit has message.edited)
    Reaction reaction;
    BusinessConnection business;
    Deleted deleted;
    MemberChange member;
    Status status;
};

// What one webhook body holds. A body may hold several events (Wazzup; a Telegram reaction
// update that changes several reactions), one (any other Telegram update), or none: a ping
// (`{"test": true}`) or an update type we do not handle (recorded, ignored).
struct Parsed {
    std::vector<Event> events;
    bool ping = false;
    std::string ignored;  // why nothing came of the body: `unknown update type "poll"`
};

}  // namespace switchyard::adapters
