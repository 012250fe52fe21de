// Wazzup API v3 webhooks (../shared/reference/webhooks.md, sections 2.2-2.4) into events.
#include "runtime/adapters/adapters.hpp"
#include "runtime/adapters/files.hpp"
#include "runtime/adapters/json_reader.hpp"
#include "runtime/adapters/text.hpp"

#include "common/text.hpp"

namespace switchyard::adapters {

namespace {

using detail::Node;

std::int64_t iso_time(const Node& node) {
    auto ms = detail::parse_iso_time_ms(node.string());
    if (!ms) node.fail("expected a time such as 2025-05-06T14:16:00.002Z");
    return *ms;
}

// --- messages[] ---------------------------------------------------------------------------

// The chat types we serve; Wazzup also relays Telegram, Viber, VK, Avito, MAX and groups,
// which other integrations handle.
std::optional<stdlib::Transport> transport_of(std::string_view chat_type) {
    if (chat_type == "whatsapp") return stdlib::Transport::whatsapp;
    if (chat_type == "instagram") return stdlib::Transport::instagram;
    return std::nullopt;
}

// The customer, from `contact` and `chatId`. A WhatsApp chatId is the number; an Instagram
// chatId is the account name without `@`.
Person contact_person(const Node& item, stdlib::Transport transport, const std::string& chat_id) {
    Person person;
    person.external_id = chat_id;
    auto contact = item.find("contact");
    if (contact) {
        person.name = contact->find_string("name").value_or("");
        person.username = contact->find_string("username");
        if (auto phone = contact->find_string("phone")) person.phone = normalize_phone(*phone);
    }
    if (transport == stdlib::Transport::whatsapp) person.phone = normalize_phone(chat_id);
    if (transport == stdlib::Transport::instagram && !person.username) person.username = chat_id;
    return person;
}

// Our side, for an echo: the manager who wrote it (`authorName`) on the channel's number or
// account, when the configuration knows it.
Person our_person(const Node& item, stdlib::Transport transport, const std::string& channel,
                  const WazzupContext& context) {
    Person person;
    person.name = item.find_string("authorName").value_or("");
    if (auto number = context.channel_numbers.find(channel); number != context.channel_numbers.end()) {
        person.external_id = number->second;
        if (transport == stdlib::Transport::whatsapp) person.phone = number->second;
        else person.username = number->second;
    }
    return person;
}

// A WhatsApp sticker arrives as an `image` whose file is a `.was`.
std::string file_kind(std::string_view type, std::string_view ext) {
    if (type == "image" && ext == "was") return "sticker";
    return std::string(type);
}

// `image`, `video`, `audio` and `document` messages carry their file as `contentUri`; its
// size is not told.
std::vector<File> read_files(const Node& item, std::string_view type) {
    auto uri = item.find_string("contentUri");
    if (!uri || (type != "image" && type != "video" && type != "audio" && type != "document")) return {};
    std::string name = detail::file_name_from_uri(*uri);
    if (name.empty()) name = type;
    std::string ext = detail::extension_of(name);
    return {detail::make_file(std::move(name), detail::mime_for_extension(ext), 0, file_kind(type, ext), *uri)};
}

Post read_post(const Node& post) {
    return Post{post.at("id").string(), post.find_string("src").value_or(""),
                post.find_string("description").value_or("")};
}

Message read_message(const Node& item, stdlib::Transport transport, const WazzupContext& context) {
    Message out;
    out.id = item.at("messageId").string();
    out.transport = transport;
    out.channel = item.at("channelId").string();
    out.chat_external_id = item.at("chatId").string();
    if (auto post = item.find("instPost")) out.post = read_post(*post);
    // Instagram has Direct and comments under posts; WhatsApp chats are one-to-one.
    using stdlib::ChatKind;
    out.chat_kind = transport == stdlib::Transport::whatsapp ? ChatKind::private_chat
                    : out.post                               ? ChatKind::comment
                                                             : ChatKind::direct;
    if (transport == stdlib::Transport::instagram) out.chat_username = out.chat_external_id;
    Person contact = contact_person(item, out.transport, out.chat_external_id);
    out.chat_title = contact.name;
    const bool echo = item.find_boolean("isEcho", false);
    out.direction = echo ? stdlib::Direction::echo : stdlib::Direction::inbound;
    out.sender = echo ? our_person(item, out.transport, out.channel, context) : std::move(contact);
    if (echo) out.crm_message_id = item.find_string("crmMessageId").value_or("");
    out.text = item.find_string("text").value_or("");
    out.files = read_files(item, item.find_string("type").value_or("text"));
    out.sent_at_ms = iso_time(item.at("dateTime"));
    out.edited = item.find_boolean("isEdited", false);
    return out;
}

// Fills `event` from one `messages[]` item, or returns why the item is skipped.
std::optional<std::string> read_message_item(const Node& item, const WazzupContext& context, Event& event) {
    std::string chat_type = item.at("chatType").string();
    auto transport = transport_of(chat_type);
    if (!transport) return item.path() + ": chat type \"" + chat_type + "\" is not handled";
    // A deletion has no event of its own yet (Deleted counts Telegram message numbers).
    if (item.find_boolean("isDeleted", false)) return item.path() + ": deleted messages are not handled";
    event.type = EventType::message;
    event.message = read_message(item, *transport, context);
    event.dedup_key = "wz:message:" + event.message.id;
    // An edit keeps the messageId; the time it carries makes each edit an event of its own.
    if (event.message.edited) event.dedup_key += ":edited:" + item.at("dateTime").string();
    return std::nullopt;
}

// --- statuses[] ---------------------------------------------------------------------------

// `error` is documented as `{error, description}`; a bare code is taken too.
std::string status_error(const Node& error) {
    if (error.value().is_string()) return error.string();
    return error.find_string("error").value_or("");
}

// The docs show `timestamp` as an ISO string; channelsUpdates uses milliseconds, so a number
// is read as those.
std::int64_t status_time(const Node& timestamp) {
    if (timestamp.value().is_number()) return timestamp.integer();
    return iso_time(timestamp);
}

Event read_status(const Node& item) {
    Event event;
    event.type = EventType::status;
    event.status.message_id = item.at("messageId").string();
    event.status.status = item.at("status").string();
    if (auto error = item.find("error")) event.status.error = status_error(*error);
    if (auto timestamp = item.find("timestamp")) event.status.at_ms = status_time(*timestamp);
    event.dedup_key = "wz:status:" + event.status.message_id + ":" + event.status.status;
    return event;
}

}  // namespace

Parsed parse_wazzup(std::string_view body, const WazzupContext& context) {
    detail::BodyStorage storage;
    boost::json::value document = detail::parse_body(body, storage.get());
    Node root(document, "");
    Parsed parsed;
    std::vector<std::string> skipped;  // why parts of the body gave no event
    for (const auto& member : root.object()) {
        std::string_view key = member.key();
        if (key == "test") {
            parsed.ping = root.at(key).boolean();
        } else if (key == "messages") {
            for (const Node& item : root.at(key).items()) {
                Event event;
                if (auto reason = read_message_item(item, context, event)) skipped.push_back(std::move(*reason));
                else parsed.events.push_back(std::move(event));
            }
        } else if (key == "statuses") {
            for (const Node& item : root.at(key).items()) parsed.events.push_back(read_status(item));
        } else {
            // channelsUpdates, templateStatus, createContact, createDeal, and whatever comes next.
            skipped.push_back("webhook \"" + std::string(key) + "\" is not handled");
        }
    }
    if (parsed.events.empty() && !parsed.ping) parsed.ignored = skipped.empty() ? "no messages or statuses" : common::join(skipped, "; ");
    return parsed;
}

}  // namespace switchyard::adapters
