// The crash campaign's server: the shipped rules, a Telegram bot calling a FakeTelegram and a
// Wazzup account (one WhatsApp channel) calling a FakeWazzup. Attempts are many and the backoff
// short, so that kills never exhaust a message's attempts; pacing is off, so that the outbox
// drains as fast as the fakes answer.
#pragma once

#include "tests/server/harness.hpp"

#include <string>

namespace switchyard::campaign {

inline constexpr const char* campaign_config = R"(
[server]
listen = "127.0.0.1:0"
storage = "{{dir}}/var/switchyard.db"
api_token = "campaign-api-token-0123456789"
public_url = "https://switchyard.example.com"

[ruleset]
rules = "{{source}}/rules"

[account]
name = "Crash campaign"
plan = "paid"

[outbound]
timeout = "2 s"
max_backoff = "500 ms"
max_attempts = 1000
pacing = false
connections = 4

[[employees]]
id = 1
name = "Olga Owner"
owner = true

[[employees]]
id = 2
name = "Ivan Support"

[[integrations]]
id = "tg"
name = "Support bot"
service = "telegram"
bot_token = "1:fake"
bot_username = "support_bot"
webhook_secret = "tg-secret"
api_base_url = "{{telegram}}"
assignees = [2]

[[integrations]]
id = "wz"
name = "Wazzup"
service = "wazzup"
api_key = "wazzup-api-key"
crm_key = "wz-crm-key"
api_base_url = "{{wazzup}}"
assignees = [2]

[[integrations.channels]]
id = "wa-channel"
number = "+7 999 000-00-01"
transport = "whatsapp"
)";

inline const char* api_token_header() { return "Bearer campaign-api-token-0123456789"; }

inline std::string campaign_toml(const std::string& telegram_url, const std::string& wazzup_url) {
    return testing::replace_all(testing::replace_all(campaign_config, "{{telegram}}", telegram_url), "{{wazzup}}", wazzup_url);
}

}  // namespace switchyard::campaign
