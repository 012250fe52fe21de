// The Telegram Bot API's side of the outbox: one outbox row as an HTTP request, and what the
// answer means for the row (docs/outbound.md, "Retries and refusals").
#pragma once

#include "runtime/net/client.hpp"
#include "runtime/outbox/outgoing.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::outbox {

// A messenger API's base URL (the configuration's `api_base_url`), parsed once: where to
// connect, and the path its calls start with (without a trailing `/`).
struct BaseUrl {
    net::Origin origin;
    std::string path_prefix;
};
// Nothing, with the reason, when it is not a URL the client can call.
std::variant<BaseUrl, std::string> base_url(std::string_view api_base_url);

// Where a bot's calls go: `/bot<token>/<method>` after the base URL's path.
struct BotEndpoint {
    net::Origin origin;
    std::string path_prefix;
    std::string token;
};
// Nothing, with the reason, when the base URL is not one the client can call.
std::variant<BotEndpoint, std::string> bot_endpoint(std::string_view api_base_url, std::string_view token);

// The bytes of a file to upload, with what Telegram is told about them.
struct Upload {
    std::string name;
    std::string mime;
    std::string bytes;
};

// The request for one row. `business_connection` goes on the send methods (Telegram Business);
// setMessageReaction takes none. A method that uploads a file needs `upload`: the dispatcher
// refuses a row whose bytes are not in the file store before it gets here.
net::Request telegram_request(const BotEndpoint& endpoint, std::string_view chat,
                              const std::optional<std::string>& business_connection, const Outgoing& outgoing,
                              const Upload* upload);

// What became of a call.
struct Delivered {
    std::string message_id;  // the messenger's id of the message sent; empty for a reaction
};
struct TryAgain {
    std::string reason;
    std::optional<std::int64_t> after_ms;  // a 429's retry_after; none: back off
    // The request was written before the failure (a timeout, a connection closed mid-answer):
    // the platform may have taken it, and the next attempt may deliver it twice.
    bool maybe_delivered = false;
    // The wait is the account's (Wazzup's 429: too many requests for the API key), not the chat's.
    bool account_wide = false;
};
struct Refused {
    std::string reason;           // the platform's description, as the comment shows it (C7)
    bool recipient_gone = false;  // blocked the bot, or deactivated: the contact is marked
};
using Outcome = std::variant<Delivered, TryAgain, Refused>;

// Network failures and 5xx may pass; a 429 waits its `retry_after`; the platform's refusals
// (4xx) and a certificate that does not verify are final.
Outcome telegram_outcome(const net::Result& result);

}  // namespace switchyard::outbox
