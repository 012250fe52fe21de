// The configuration the end-to-end tests serve: the shipped rules, a Telegram bot and a
// Wazzup account whose channels are those of the fixtures.
#pragma once

#include <map>
#include <string>

namespace switchyard::testing {

// The credentials of e2e_config: the Telegram bot's webhook secret, Wazzup's CRM key, the API token.
inline const std::map<std::string, std::string> telegram_auth = {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}};
inline const std::map<std::string, std::string> wazzup_auth = {{"Authorization", "Bearer wz-crm-key"}};
inline const std::map<std::string, std::string> api_auth = {{"Authorization", "Bearer e2e-api-token-0123456789"}};

inline constexpr const char* e2e_config = R"(
[server]
listen = "127.0.0.1:0"
storage = "{{dir}}/var/switchyard.db"
api_token = "e2e-api-token-0123456789"
body_limit = "64 KiB"

[ruleset]
rules = "{{source}}/rules"

[account]
name = "E2E"
plan = "paid"

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
api_base_url = "http://127.0.0.1:9"
assignees = [2]
project = "Support"

[[integrations]]
id = "wz"
name = "Wazzup"
service = "wazzup"
api_key = "wazzup-api-key"
crm_key = "wz-crm-key"
api_base_url = "http://127.0.0.1:9"
assignees = [2]

[[integrations.channels]]
id = "b96a353b-9999-4cac-8413-ba99999f981"
number = "+7 999 000-00-01"
transport = "whatsapp"
name = "WhatsApp"

[[integrations.channels]]
id = "b96a999e-06f5-4cac-8413-ba999993f981"
number = "@shop.example"
transport = "instagram"
name = "Instagram"

[[integrations.channels]]
id = "d9e5721c-ce2b-444f-9627-60a8129d7e1f"
number = "79990000003"
transport = "whatsapp"
name = "WhatsApp 2"

[[integrations.channels]]
id = "e0629e11-0f67-4567-92a9-2237e91ec1b9"
number = "@shop.second"
transport = "instagram"
name = "Instagram 2"
)";

}  // namespace switchyard::testing
