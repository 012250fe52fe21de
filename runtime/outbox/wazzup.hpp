// Wazzup's side of the outbox (API v3): one outbox row as `POST /v3/message`, and what the
// answer means for the row (docs/outbound.md, "WhatsApp and Instagram").
#pragma once

#include "runtime/net/client.hpp"
#include "runtime/outbox/outgoing.hpp"
#include "runtime/outbox/telegram.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::outbox {

// Where an integration's messages go: its `api_base_url` and API key.
struct WazzupEndpoint {
    net::Origin origin;
    std::string path_prefix;  // the base URL's path, without a trailing `/`; then `/v3/message`
    std::string api_key;
};
std::variant<WazzupEndpoint, std::string> wazzup_endpoint(std::string_view api_base_url, std::string_view api_key);

// What Wazzup keeps as our id of a message: the outbox row's, so that a message sent again
// after a lost answer is refused as a repeat instead of sent twice.
std::string crm_message_id(std::int64_t outbox_row);

// The request for a row: `text` or `contentUri`, never both.
net::Request wazzup_request(const WazzupEndpoint& endpoint, std::string_view chat, const Outgoing& outgoing,
                            std::int64_t outbox_row);

// 201 (or 200) with `messageId` is delivered; 400 `repeatedCrmMessageId` is delivered too (an
// earlier attempt got through: its id comes with the statuses); a 429, a 5xx and network
// failures may pass; other refusals are final, with Wazzup's `description`.
Outcome wazzup_outcome(const net::Result& result);

}  // namespace switchyard::outbox
