// Checking values: the text of one value against what its key takes, with no TOML in sight.
// Each check gives the value as the server uses it, or a Fault saying what is wrong and what to
// write instead. Private to runtime/config.
#pragma once

#include "common/diagnostic.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::config::detail {

// What is wrong with a value: the message that follows `KEY: `, and what to write instead.
struct Fault {
    common::Code code = common::Code::E0804;
    std::string message;
    std::string help;
};

// The value a check accepted, or why it did not.
template <typename T>
using Checked = std::variant<T, Fault>;

struct ListenAddress {
    std::string address;  // an IP address, IPv6 without brackets; `localhost` read as 127.0.0.1
    std::uint16_t port = 0;
};

// `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`.
Checked<ListenAddress> check_listen(std::string_view text);
// `10 MiB`, `512KiB`, `1000000`: bytes, with the units of the rules language; more than 0.
Checked<std::uint64_t> check_size(std::string_view text);
// The same size written as a TOML integer.
Checked<std::uint64_t> check_byte_count(std::int64_t bytes);
// `30 s`, `7 d`, `500 ms`: milliseconds, with the units of the rules language; more than 0.
Checked<std::int64_t> check_duration(std::string_view text);
Checked<std::string> check_api_token(std::string_view text);

// One of `members` (a plan, a service, a transport), or the closest one as help.
Checked<std::string> check_member(std::string_view what, std::string_view value,
                                  const std::vector<std::string_view>& members);

// T8: where the bot sends an employee's notifications: `@username` or a numeric user id.
Checked<std::string> check_telegram_account(std::string_view text);
Checked<std::string> check_telegram_user_id(std::int64_t id);

// The id of an integration is also its webhook path (`/webhooks/{id}`).
Checked<std::string> check_integration_id(std::string_view text);
Checked<std::string> check_bot_token(std::string_view text);
// Without its `@`.
Checked<std::string> check_bot_username(std::string_view text);
Checked<std::string> check_webhook_secret(std::string_view text);
Checked<std::string> check_url_secret(std::string_view text);
// WhatsApp: digits only (W3); Instagram: the account name without `@`.
Checked<std::string> check_channel_number(std::string_view transport, std::string_view text);
// Without a trailing `/`.
Checked<std::string> check_base_url(std::string_view text);

// `p` read from the folder of the configuration file, made absolute and normal.
std::string resolve_path(const std::string& config_path, const std::string& p);

}  // namespace switchyard::config::detail
