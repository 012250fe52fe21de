// Telegram Bot API updates (../shared/reference/webhooks.md, sections 1.3-1.7) into events.
#include "runtime/adapters/adapters.hpp"
#include "runtime/adapters/files.hpp"
#include "runtime/adapters/json_reader.hpp"
#include "runtime/adapters/text.hpp"

#include <algorithm>
#include <array>

namespace switchyard::adapters {

namespace {

using detail::Node;

// --- people and chats ---------------------------------------------------------------------

std::string full_name(const Node& object) {
    std::string name = object.find_string("first_name").value_or("");
    if (auto last = object.find_string("last_name")) name += name.empty() ? *last : " " + *last;
    return name;
}

// A Telegram User.
Person person_from_user(const Node& user) {
    Person person;
    person.external_id = std::to_string(user.at("id").integer());
    person.name = full_name(user);
    person.username = user.find_string("username");
    person.is_bot = user.find_boolean("is_bot", false);
    return person;
}

// Groups and channels have a title; a private chat is named after the person.
std::string chat_title(const Node& chat) {
    if (auto title = chat.find_string("title")) return *title;
    return full_name(chat);
}

// A chat that speaks for itself: a channel's post, an anonymous group admin.
Person person_from_chat(const Node& chat) {
    Person person;
    person.external_id = std::to_string(chat.at("id").integer());
    person.name = chat_title(chat);
    person.username = chat.find_string("username");
    return person;
}

// The `chat_kind` of a Chat.type; nullopt for a type Telegram may add that we do not know.
std::optional<stdlib::ChatKind> chat_kind_of(const Node& chat) {
    std::string type = chat.at("type").string();
    if (type == "private") return stdlib::ChatKind::private_chat;
    if (type == "group" || type == "supergroup") return stdlib::ChatKind::group;
    if (type == "channel") return stdlib::ChatKind::channel;
    return std::nullopt;
}

std::string unhandled_chat_type(const Node& chat) {
    return "chat type \"" + chat.at("type").string() + "\" is not handled (" + chat.path() + ".type)";
}

// A part of a message that cannot be read is left out and noted in Message::dropped; the
// message is kept.
template <typename Read>
void read_part(Message& out, Read&& read) {
    try {
        read();
    } catch (const ParseError& e) {
        out.dropped.emplace_back(e.what());
    }
}

// --- entities: mentions and commands ------------------------------------------------------

// The text an entity covers; an entity outside the text is a broken body, not a crash.
std::string_view entity_text(const Node& entity, std::string_view text) {
    std::int64_t offset = entity.at("offset").integer();
    std::int64_t length = entity.at("length").integer();
    auto slice = detail::utf16_slice(text, offset, length);
    if (!slice) {
        entity.fail("offset " + std::to_string(offset) + " and length " + std::to_string(length) +
                    " do not fit the text (" + std::to_string(detail::utf16_length(text)) + " UTF-16 units)");
    }
    return *slice;
}

// `@username` entities name no user; only the username is known.
Person mentioned_username(std::string_view mention) {
    if (mention.starts_with('@')) mention.remove_prefix(1);
    Person person;
    person.username = std::string(mention);
    return person;
}

// A `bot_command` entity at the start of the text: `/start@bot args`. A command addressed to
// another bot is not a command for us (in groups every bot sees `/start@other_bot`).
void read_command(const Node& entity, std::string_view text, const TelegramContext& context, Message& out) {
    std::string_view command = entity_text(entity, text);
    std::string_view rest = text.substr(command.size());  // the entity starts at byte 0
    if (command.starts_with('/')) command.remove_prefix(1);
    if (auto at = command.find('@'); at != std::string_view::npos) {
        std::string_view bot = command.substr(at + 1);
        // Without a configured username we cannot tell, so the command is taken as ours.
        if (!context.bot_username.empty() && detail::ascii_lower(bot) != detail::ascii_lower(context.bot_username))
            return;
        command = command.substr(0, at);
    }
    // Clients offer `/Start` as a command too; rules compare with lowercase names.
    out.command = detail::ascii_lower(command);
    out.command_args = std::string(detail::trim(rest));
}

// Every entity is held to the text, whatever its type, so that one out of range is treated
// the same whether it is a mention or bold type: left out, with the reason.
void read_entities(const Node& entities, std::string_view text, const TelegramContext& context, Message& out) {
    for (const Node& entity : entities.items()) {
        read_part(out, [&] {
            std::string_view covered = entity_text(entity, text);
            std::string type = entity.at("type").string();
            if (type == "mention") {
                out.mentions.push_back(mentioned_username(covered));
            } else if (type == "text_mention") {
                out.mentions.push_back(person_from_user(entity.at("user")));
            } else if (type == "bot_command" && entity.at("offset").integer() == 0 && !out.command) {
                read_command(entity, text, context, out);
            }
        });
    }
}

// --- files --------------------------------------------------------------------------------

// `<stem>.<ext>` for a file Telegram sends without a name, the extension from its MIME type.
std::string made_name(std::string_view stem, std::string_view mime, std::string_view fallback_ext) {
    std::string ext = detail::extension_for_mime(mime);
    if (ext.empty()) ext = fallback_ext;
    return ext.empty() ? std::string(stem) : std::string(stem) + "." + ext;
}

// Document, Video, Audio, Voice, VideoNote, Animation: file_id, and maybe file_name,
// mime_type and file_size. `kind` empty means "from the MIME type".
File media_file(const Node& media, std::string_view stem, std::string_view fallback_ext, std::string kind) {
    std::string mime = media.find_string("mime_type").value_or("");
    std::string name = media.find_string("file_name").value_or(made_name(stem, mime, fallback_ext));
    if (kind.empty()) kind = mime.empty() ? "document" : detail::kind_for_mime(mime);
    return detail::make_file(std::move(name), std::move(mime), media.find_integer("file_size").value_or(0),
                             std::move(kind), media.at("file_id").string());
}

// Telegram sends a photo in several sizes; the largest is the photo.
File photo_file(const Node& sizes) {
    std::optional<Node> largest;
    std::int64_t best = -1;
    for (const Node& size : sizes.items()) {
        std::int64_t area = 0;
        if (__builtin_mul_overflow(size.find_integer("width").value_or(0), size.find_integer("height").value_or(0), &area))
            size.fail("width and height out of range");
        if (area >= best) {  // ties: the later one, as Telegram lists the sizes ascending
            largest = size;
            best = area;
        }
    }
    if (!largest) sizes.fail("no photo sizes");
    return detail::make_file("photo.jpg", "image/jpeg", largest->find_integer("file_size").value_or(0), "image",
                             largest->at("file_id").string());
}

// Stickers have neither a name nor a MIME type; the name follows the sticker's format.
File sticker_file(const Node& sticker) {
    std::string name = sticker.find_boolean("is_animated", false) ? "sticker.tgs"
                       : sticker.find_boolean("is_video", false)  ? "sticker.webm"
                                                                  : "sticker.webp";
    return detail::make_file(std::move(name), "", sticker.find_integer("file_size").value_or(0), "sticker",
                             sticker.at("file_id").string());
}

void read_files(const Node& message, Message& out) {
    auto file = [&](std::string_view key, auto&& read) {
        if (auto node = message.find(key)) read_part(out, [&] { out.files.push_back(read(*node)); });
    };
    file("photo", [](const Node& n) { return photo_file(n); });
    // An animation comes with a `document` describing the same file: count it once.
    if (message.find("animation")) file("animation", [](const Node& n) { return media_file(n, "animation", "mp4", "video"); });
    else file("document", [](const Node& n) { return media_file(n, "document", "", ""); });
    file("video", [](const Node& n) { return media_file(n, "video", "mp4", "video"); });
    file("audio", [](const Node& n) { return media_file(n, "audio", "mp3", "audio"); });
    file("voice", [](const Node& n) { return media_file(n, "voice", "ogg", "voice"); });
    file("video_note", [](const Node& n) { return media_file(n, "video_note", "mp4", "video"); });
    file("sticker", [](const Node& n) { return sticker_file(n); });
}

// --- messages -----------------------------------------------------------------------------

bool is_business(std::string_view update_type) { return update_type.ends_with("business_message"); }

// Who wrote the message. A chat speaking for itself (`sender_chat`: an anonymous admin, a
// linked channel) comes with a placeholder `from` user, so the chat wins; channel posts may
// have no sender at all, and then the channel is the sender.
Person read_sender(const Node& message, const Node& chat) {
    if (auto sender_chat = message.find("sender_chat")) return person_from_chat(*sender_chat);
    if (auto from = message.find("from")) return person_from_user(*from);
    return person_from_chat(chat);
}

// Business messages are both what the customer writes and what the account's side writes.
// `sender_business_bot` marks a message a bot sent for the account. The owner's id is not
// in the message, but a business chat is a private chat whose id is the customer's user id,
// so a message from anyone else was written by the account's side.
stdlib::Direction business_direction(const Node& message, const Node& chat) {
    if (message.find("sender_business_bot")) return stdlib::Direction::outbound;
    auto from = message.find("from");
    if (from && chat.at("type").string() == "private" && from->at("id").integer() != chat.at("id").integer())
        return stdlib::Direction::outbound;
    return stdlib::Direction::inbound;
}

void read_text(const Node& message, const TelegramContext& context, Message& out) {
    const bool has_text = message.find("text").has_value();
    auto text = message.find(has_text ? "text" : "caption");
    if (!text) return;
    out.text = text->string();
    if (auto entities = message.find(has_text ? "entities" : "caption_entities"))
        read_entities(*entities, out.text, context, out);
}

Message read_message(const Node& message, std::string_view update_type, stdlib::ChatKind chat_kind,
                     const TelegramContext& context) {
    Node chat = message.at("chat");
    Message out;
    out.number = message.at("message_id").integer();
    out.id = std::to_string(out.number);
    out.transport = stdlib::Transport::telegram;
    out.chat_kind = chat_kind;
    out.chat_id = chat.at("id").integer();
    out.chat_external_id = std::to_string(out.chat_id);
    out.chat_title = chat_title(chat);
    out.chat_username = chat.find_string("username");
    out.sender = read_sender(message, chat);
    if (is_business(update_type)) {
        out.direction = business_direction(message, chat);
        out.business_connection = message.at("business_connection_id").string();
    }
    read_text(message, context, out);
    read_files(message, out);
    if (auto reply = message.find("reply_to_message")) out.reply_to = reply->at("message_id").integer();
    out.sent_at_ms = detail::seconds_to_ms(message.at("date"));
    out.edited = update_type.starts_with("edited_") || message.find("edit_date").has_value();
    if (auto edit_date = message.find("edit_date")) out.edited_at_ms = detail::seconds_to_ms(*edit_date);
    return out;
}

// --- the other update types ---------------------------------------------------------------

// ReactionType: emoji, custom_emoji or paid. What tells one from another: the emoji, the custom
// emoji's id, or the type alone.
std::string reaction_key(const Node& reaction) {
    auto type = reaction.at("type").string();
    if (type == "emoji") return type + ":" + reaction.at("emoji").string();
    if (auto id = reaction.find_string("custom_emoji_id")) return type + ":" + *id;
    return type;
}

// The reactions of `from` that `to` has not, each once, in their order.
std::vector<Node> missing_from(const Node& from, const Node& to) {
    std::vector<std::string> kept;
    for (const Node& reaction : to.items()) kept.push_back(reaction_key(reaction));
    std::vector<Node> out;
    for (const Node& reaction : from.items()) {
        auto key = reaction_key(reaction);
        if (std::find(kept.begin(), kept.end(), key) != kept.end()) continue;
        kept.push_back(std::move(key));
        out.push_back(reaction);
    }
    return out;
}

// MessageReactionUpdated holds the whole old and new sets of the person's reactions. Each
// reaction taken away and each one set is a change of its own, the ones taken away first, so a
// replaced reaction (👍 for 👎) is decided as the removal of the old and the addition of the new.
std::vector<Reaction> read_reactions(const Node& update) {
    Reaction base;
    base.chat_external_id = std::to_string(update.at("chat").at("id").integer());
    base.message_number = update.at("message_id").integer();
    if (auto user = update.find("user")) base.by = person_from_user(*user);
    base.anonymous = !base.by && update.find("actor_chat").has_value();
    base.at_ms = detail::seconds_to_ms(update.at("date"));
    Node old_set = update.at("old_reaction");
    Node new_set = update.at("new_reaction");
    std::vector<Reaction> out;
    for (bool added : {false, true}) {
        for (const Node& reaction : added ? missing_from(new_set, old_set) : missing_from(old_set, new_set)) {
            Reaction& r = out.emplace_back(base);
            r.added = added;
            if (reaction.at("type").string() == "emoji") r.emoji = reaction.at("emoji").string();
        }
    }
    return out;
}

BusinessConnection read_business_connection(const Node& connection) {
    BusinessConnection out;
    out.id = connection.at("id").string();
    out.owner = person_from_user(connection.at("user"));
    out.owner_chat_id = connection.at("user_chat_id").integer();
    // Bot API 9.0 moved `can_reply` into `rights`; older bodies have it at the top.
    if (auto rights = connection.find("rights")) out.can_reply = rights->find_boolean("can_reply", false);
    else out.can_reply = connection.find_boolean("can_reply", false);
    out.enabled = connection.at("is_enabled").boolean();
    return out;
}

Deleted read_deleted(const Node& deleted) {
    Deleted out;
    out.business_connection = deleted.at("business_connection_id").string();
    out.chat_external_id = std::to_string(deleted.at("chat").at("id").integer());
    for (const Node& id : deleted.at("message_ids").items()) out.message_numbers.push_back(id.integer());
    return out;
}

// ChatMemberUpdated. For `my_chat_member` the member is the bot, and who matters is who changed
// it (`from`: the user who blocked the bot); for `chat_member` it is the member whose status
// changed (`new_chat_member.user`).
MemberChange read_member_change(const Node& update, stdlib::ChatKind chat_kind, bool about_bot) {
    MemberChange out;
    out.chat_external_id = std::to_string(update.at("chat").at("id").integer());
    out.chat_kind = chat_kind;
    out.about_bot = about_bot;
    out.user = person_from_user(about_bot ? update.at("from") : update.at("new_chat_member").at("user"));
    out.old_status = update.at("old_chat_member").at("status").string();
    out.new_status = update.at("new_chat_member").at("status").string();
    out.at_ms = detail::seconds_to_ms(update.at("date"));
    return out;
}

// --- dispatch -----------------------------------------------------------------------------

// Appends the events of the update's content to `events`, or returns why the update is ignored.
using Handler = std::optional<std::string> (*)(const Node& content, std::string_view type,
                                               const TelegramContext& context, std::vector<Event>& events);

std::optional<std::string> handle_message(const Node& content, std::string_view type, const TelegramContext& context,
                                          std::vector<Event>& events) {
    Node chat = content.at("chat");
    auto kind = is_business(type) ? std::optional(stdlib::ChatKind::business) : chat_kind_of(chat);
    if (!kind) return unhandled_chat_type(chat);
    Event& event = events.emplace_back();
    event.type = EventType::message;
    event.message = read_message(content, type, *kind, context);
    return std::nullopt;
}

std::optional<std::string> handle_reaction(const Node& content, std::string_view, const TelegramContext&,
                                           std::vector<Event>& events) {
    auto reactions = read_reactions(content);
    if (reactions.empty()) return "a reaction update that changes no reaction";
    for (auto& reaction : reactions) {
        Event& event = events.emplace_back();
        event.type = EventType::reaction;
        event.reaction = std::move(reaction);
    }
    return std::nullopt;
}

std::optional<std::string> handle_business_connection(const Node& content, std::string_view, const TelegramContext&,
                                                      std::vector<Event>& events) {
    Event& event = events.emplace_back();
    event.type = EventType::business_connection;
    event.business = read_business_connection(content);
    return std::nullopt;
}

std::optional<std::string> handle_deleted(const Node& content, std::string_view, const TelegramContext&,
                                          std::vector<Event>& events) {
    Event& event = events.emplace_back();
    event.type = EventType::deleted;
    event.deleted = read_deleted(content);
    return std::nullopt;
}

std::optional<std::string> handle_member_change(const Node& content, std::string_view type, const TelegramContext&,
                                                std::vector<Event>& events) {
    Node chat = content.at("chat");
    auto kind = chat_kind_of(chat);
    if (!kind) return unhandled_chat_type(chat);
    Event& event = events.emplace_back();
    event.type = EventType::member_change;
    event.member = read_member_change(content, *kind, type == "my_chat_member");
    return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, Handler>, 11> handlers{{
    {"message", handle_message},
    {"edited_message", handle_message},
    {"channel_post", handle_message},
    {"edited_channel_post", handle_message},
    {"business_message", handle_message},
    {"edited_business_message", handle_message},
    {"business_connection", handle_business_connection},
    {"deleted_business_messages", handle_deleted},
    {"message_reaction", handle_reaction},
    {"my_chat_member", handle_member_change},
    {"chat_member", handle_member_change},
}};

Handler handler_for(std::string_view type) {
    for (const auto& [name, handler] : handlers)
        if (name == type) return handler;
    return nullptr;
}

// Redelivery of the update gives its events the same keys: the update's own for the first,
// and `:2`, `:3`, ... after it for the others (a replaced reaction is two events).
void set_dedup_keys(std::vector<Event>& events, std::string key) {
    for (std::size_t i = 1; i < events.size(); ++i) events[i].dedup_key = key + ":" + std::to_string(i + 1);
    if (!events.empty()) events[0].dedup_key = std::move(key);
}

}  // namespace

Parsed parse_telegram(std::string_view body, const TelegramContext& context) {
    detail::BodyStorage storage;
    boost::json::value document = detail::parse_body(body, storage.get());
    Node update(document, "");
    std::int64_t update_id = update.at("update_id").integer();

    // An update holds at most one content field besides update_id; the first one decides. Its
    // content is one event, or several for a reaction update (read_reactions).
    std::string unknown;
    for (const auto& member : update.object()) {
        std::string_view type = member.key();
        if (type == "update_id") continue;
        Handler handler = handler_for(type);
        if (!handler) {
            if (unknown.empty()) unknown = type;
            continue;
        }
        Parsed parsed;
        if (auto ignored = handler(update.at(type), type, context, parsed.events)) {
            parsed.events.clear();
            parsed.ignored = std::move(*ignored);
            return parsed;
        }
        set_dedup_keys(parsed.events, "tg:" + context.integration + ":update:" + std::to_string(update_id));
        return parsed;
    }
    Parsed parsed;
    parsed.ignored = unknown.empty() ? "update without content" : "unknown update type \"" + unknown + "\"";
    return parsed;
}

}  // namespace switchyard::adapters
