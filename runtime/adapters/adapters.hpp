// The adapters: webhook bodies of each messenger in, normalised events out. No I/O.
#pragma once

#include "runtime/adapters/event.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchyard::adapters {

// A body that is not what the messenger sends (not JSON, a field of the wrong type). The
// message names the path: `message.chat.id: expected an integer`.
struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct TelegramContext {
    std::string bot_username;  // without `@`; bot commands addressed to another bot are not ours
    std::string integration;   // the integration id, part of the dedup key
};

struct WazzupContext {
    std::string integration;
    // channelId -> the channel's number as configured (normalised: digits only)
    std::map<std::string, std::string> channel_numbers;
};

// Telegram Update objects: message, edited_message, channel_post, edited_channel_post,
// business_connection, business_message, edited_business_message, deleted_business_messages,
// message_reaction, my_chat_member. Anything else is `ignored`.
Parsed parse_telegram(std::string_view body, const TelegramContext& context);

// Wazzup v3 webhooks: `messages[]` (WhatsApp and Instagram; Instagram comments carry
// `instPost`; `isEcho` marks our own messages sent elsewhere), `statuses[]`, and the
// `{"test": true}` ping. Other chat types and webhook kinds are `ignored`.
Parsed parse_wazzup(std::string_view body, const WazzupContext& context);

// `+7 (901) 111-22-33`, `79011112233` and `89011112233` are one Russian number: digits only,
// a leading 8 of an 11-digit number read as 7.
std::string normalize_phone(std::string_view text);

}  // namespace switchyard::adapters
