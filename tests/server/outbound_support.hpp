// What the end-to-end tests of outbound delivery share: a configuration whose Telegram bot and
// Business bot call a FakeTelegram, webhook bodies dated now, the API with its token, and
// waiting for a comment's delivery to settle.
#pragma once

#include "tests/server/harness.hpp"
#include "tests/support/fake_telegram.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <functional>
#include <regex>
#include <string>
#include <thread>

namespace switchyard::testing {

// `{{telegram}}` is the fake's base URL; `{{outbound}}` more keys of [outbound].
inline constexpr const char* outbound_config = R"(
[server]
listen = "127.0.0.1:0"
storage = "{{dir}}/var/switchyard.db"
api_token = "e2e-api-token-0123456789"
public_url = "https://switchyard.example.com"

[ruleset]
rules = "{{source}}/rules"

[account]
name = "E2E"
plan = "paid"

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
telegram = "@ivan_support"

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
id = "tgb"
name = "Business"
service = "telegram_business"
bot_token = "2:fake"
bot_username = "business_bot"
webhook_secret = "tgb-secret"
api_base_url = "{{telegram}}"
assignees = [2]
)";

inline std::string outbound_toml(const FakeTelegram& fake, const std::string& outbound_keys = "") {
    return replace_all(replace_all(outbound_config, "{{telegram}}", fake.base_url()), "{{outbound}}", outbound_keys);
}

// A root rule file importing the shipped rules, then `more`: for a configuration whose
// `{{source}}/rules` is replaced by the file it is written to.
inline std::string shipped_rules_and(const std::string& more) {
    std::string out = "ruleset shipped_and_more\n\n";
    for (const char* file : {"common", "telegram", "telegram_business", "whatsapp", "instagram"})
        out += "import \"" + std::string(SWITCHYARD_SOURCE_DIR) + "/rules/" + file + ".rules\"\n";
    return out + "\n" + more;
}

inline const std::map<std::string, std::string>& api_auth() {
    static const std::map<std::string, std::string> h = {{"Authorization", "Bearer e2e-api-token-0123456789"}};
    return h;
}

inline std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// A private text message from the user `chat` (Telegram: the chat id is the user's id).
inline std::string private_text(std::int64_t update, std::int64_t chat, const std::string& text, std::int64_t message_id,
                                const std::string& username = "anna", const std::string& name = "Anna") {
    boost::json::object user{{"id", chat}, {"is_bot", false}, {"first_name", name}, {"username", username}};
    boost::json::object chat_o{{"id", chat}, {"type", "private"}, {"first_name", name}};
    boost::json::object message{{"message_id", message_id}, {"date", unix_now()}, {"chat", chat_o}, {"from", user}, {"text", text}};
    if (text.starts_with("/"))
        message["entities"] = boost::json::array{boost::json::object{{"type", "bot_command"}, {"offset", 0},
                                                                      {"length", static_cast<std::int64_t>(text.find(' ') == std::string::npos ? text.size() : text.find(' '))}}};
    return boost::json::serialize(boost::json::object{{"update_id", update}, {"message", message}});
}

inline void post_webhook(ServerProcess& server, const std::string& integration, const std::string& body) {
    std::string secret = integration == "tgb" ? "tgb-secret" : "tg-secret";
    auto r = http_request(server.port(), "POST", "/webhooks/" + integration, body, {{"X-Telegram-Bot-Api-Secret-Token", secret}});
    REQUIRE(r.status == 200);
}

inline HttpResult call(ServerProcess& server, const std::string& method, const std::string& target, const boost::json::value& body = {}) {
    auto text = body.is_null() ? std::string() : boost::json::serialize(body);
    return http_request(server.port(), method, target, text, api_auth());
}

inline boost::json::value get_json(ServerProcess& server, const std::string& target) {
    auto r = call(server, "GET", target);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body);
}

// The only task (the first), after the inbound messages are processed.
inline std::int64_t first_task(ServerProcess& server) {
    REQUIRE(server.wait_until_processed());
    auto tasks = get_json(server, "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(!tasks.empty());
    return tasks[0].at("id").as_int64();
}

inline boost::json::object comment_of(ServerProcess& server, std::int64_t task, std::int64_t comment) {
    auto t = get_json(server, "/api/v1/tasks/" + std::to_string(task));
    for (const auto& c : t.at("comments").as_array())
        if (c.at("id").as_int64() == comment) return c.as_object();
    FAIL("comment " << comment << " is not on task " << task);
    return {};
}

// The comment's delivery state once it is `sent` or `failed` (or what it is after `seconds`).
inline boost::json::object settled_delivery(ServerProcess& server, std::int64_t task, std::int64_t comment, double seconds = 10) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    boost::json::object d;
    for (;;) {
        auto c = comment_of(server, task, comment);
        if (c.at("delivery").is_object()) d = c.at("delivery").as_object();
        auto state = d.contains("state") ? std::string(d.at("state").as_string()) : "";
        if (state == "sent" || state == "failed" || std::chrono::steady_clock::now() > deadline) return d;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
}

inline std::int64_t posted(const HttpResult& r) {
    INFO(r.status << " " << r.body);
    REQUIRE(r.status == 201);
    return boost::json::parse(r.body).at("comment").as_int64();
}

inline boost::json::object reply_to_contact(const std::string& text) {
    return {{"by", 2}, {"text", text}, {"notify", boost::json::object{{"contact", true}}}};
}

}  // namespace switchyard::testing
