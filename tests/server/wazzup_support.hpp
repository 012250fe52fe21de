// What the end-to-end tests of Wazzup share: a configuration whose Wazzup account calls a
// FakeWazzup (a WhatsApp and an Instagram channel), Wazzup's inbound message bodies dated now,
// and posting them to the webhook.
#pragma once

#include "tests/server/outbound_support.hpp"
#include "tests/support/fake_wazzup.hpp"

#include <ctime>
#include <string>

namespace switchyard::testing {

// `{{wazzup}}` is the fake's base URL, `{{public}}` the server's public URL, `{{outbound}}`
// more keys of [outbound].
inline constexpr const char* wazzup_config = R"(
[server]
listen = "127.0.0.1:0"
storage = "{{dir}}/var/switchyard.db"
api_token = "e2e-api-token-0123456789"
public_url = "{{public}}"

[ruleset]
rules = "{{source}}/rules"

[outbound]
timeout = "500 ms"
max_backoff = "300 ms"
max_attempts = 3
pacing = false
{{outbound}}

[[employees]]
id = 1
name = "Olga Owner"
owner = true

[[employees]]
id = 2
name = "Ivan Support"

[[integrations]]
id = "wz"
name = "Wazzup"
service = "wazzup"
api_key = "wazzup-api-key"
crm_key = "wz-crm-key"
api_base_url = "{{wazzup}}"
assignees = [2]
contact_template = "WhatsApp customer"

[[integrations.channels]]
id = "wa-channel"
number = "+7 999 000-00-01"
transport = "whatsapp"

[[integrations.channels]]
id = "ig-channel"
number = "@shop.example"
transport = "instagram"
)";

inline std::string wazzup_toml(const FakeWazzup& fake, const std::string& public_url = "https://switchyard.example.com",
                               const std::string& outbound_keys = "") {
    auto toml = replace_all(wazzup_config, "{{wazzup}}", fake.base_url());
    return replace_all(replace_all(toml, "{{public}}", public_url), "{{outbound}}", outbound_keys);
}

inline boost::json::object wazzup_message(const std::string& id, const std::string& channel, const std::string& chat_type,
                                          const std::string& chat, const std::string& text) {
    return {{"messageId", id}, {"dateTime", iso_now()}, {"channelId", channel}, {"chatType", chat_type}, {"chatId", chat},
            {"type", "text"}, {"isEcho", false}, {"contact", boost::json::object{{"name", "Anna"}}}, {"text", text},
            {"status", "inbound"}};
}

inline void post_wazzup(ServerProcess& server, const boost::json::value& body) {
    auto r = http_request(server.port(), "POST", "/webhooks/wz", boost::json::serialize(body), {{"Authorization", "Bearer wz-crm-key"}});
    REQUIRE(r.status == 200);
}

}  // namespace switchyard::testing
