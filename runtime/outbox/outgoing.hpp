// What one outbox row asks a messenger to do, typed: the method and its parameters. The store
// keeps a row's method by name and its parameters as JSON text (store::NewOutboxMessage); this
// is the only code that writes or reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::outbox {

// The calls the outbox makes (../shared/reference/outbound.md): the Telegram Bot API's methods,
// and Wazzup's one way to send.
enum class Method : std::uint8_t {
    send_message,          // text
    send_document,         // a file sent as a file (attachment policy: attach)
    send_photo,            // a file sent as a media preview (attachment policy: inline)
    send_video,
    send_audio,
    set_message_reaction,  // T6: a like on a comment sets a reaction; an unlike removes it
    wazzup_message,        // Wazzup's POST /v3/message: a text, or one file by `contentUri`
};

// The name rows keep: the Bot API's (`sendMessage`, `sendDocument`, ...), `wazzup.message`.
std::string_view method_name(Method method);
std::optional<Method> parse_method(std::string_view name);
// The methods that upload a file (multipart/form-data).
bool uploads_file(Method method);

// The parameters of one row. Only the fields its method takes are set.
struct Outgoing {
    Method method = Method::send_message;
    std::string text;                       // sendMessage: the text; send*: the caption (may be empty)
    std::optional<std::int64_t> reply_to;   // the messenger's id of the message it quotes
    std::optional<std::int64_t> message_id; // setMessageReaction: the message reacted to
    std::string emoji;                      // setMessageReaction: empty removes the bot's reaction
    // Wazzup: where the message goes (the channel and the kind of chat), the file it carries as
    // a URL Wazzup fetches (never with a text: one or the other), the message it quotes, and
    // the employee who writes.
    std::string channel_id;
    std::string chat_type;                  // whatsapp, instagram
    std::string content_uri;
    std::string ref_message_id;
    std::string crm_user_id;
};

// As the store keeps it: a JSON object (`{"text":"…","reply_to":12}`).
std::string params_json(const Outgoing& outgoing);
// Back from the store; nothing when the method is unknown or the JSON is not what
// params_json writes (a row written by a newer version).
std::optional<Outgoing> read_outgoing(std::string_view method, std::string_view params);

}  // namespace switchyard::outbox
