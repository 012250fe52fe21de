// Checking values of the configuration (docs/configuration.md): each check reads one value's
// text and says what is wrong with it in the words of the docs.
#include "runtime/config/checks.hpp"

#include "common/utf8.hpp"

#include "stdlib/units.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>
#include <optional>

namespace switchyard::config::detail {

namespace fs = std::filesystem;
using common::Code;

namespace {

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string joined(const std::vector<std::string_view>& words) {
    std::string out;
    for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
    return out;
}

// The whole UTF-8 character starting at byte `i`, so that a refused `é` is shown as itself.
std::string_view char_at(std::string_view s, std::size_t i) {
    return s.substr(i, common::utf8_character_end(s, i) - i);
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// The first character of `s` that `allowed` refuses, quoted, or nothing.
std::optional<std::string> bad_char(std::string_view s, const std::function<bool(char)>& allowed) {
    for (std::size_t i = 0; i < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) >= 0x80 || !allowed(s[i])) return in_quotes(char_at(s, i));
    return std::nullopt;
}

Fault cannot_read(std::string_view text, std::string help) {
    return {Code::E0804, "cannot read " + in_quotes(text), std::move(help)};
}

Fault not_allowed(const std::string& quoted_char, std::string help) {
    return {Code::E0804, quoted_char + " is not allowed", std::move(help)};
}

Fault length_fault(std::string_view too, std::size_t length, std::string help) {
    return {Code::E0804, "too " + std::string(too) + " (" + std::to_string(length) + " characters)", std::move(help)};
}

bool is_ipv4(std::string_view s) {
    int parts = 0;
    while (true) {
        auto dot = s.find('.');
        auto part = s.substr(0, dot);
        if (part.empty() || part.size() > 3 || !all_digits(part) || std::stoi(std::string(part)) > 255) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
    }
    return parts == 4;
}

bool is_ipv6(std::string_view s) {
    auto colons = std::count(s.begin(), s.end(), ':');
    return colons >= 2 && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
           });
}

// W3: `+7 901 111-22-33`, `79011112233` and `8 (901) 111-22-33` are one number. Digits only;
// a leading 8 of an 11-digit number is the Russian trunk prefix, read as the country code 7.
std::optional<std::string> normalize_phone(std::string_view text) {
    std::string digits;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (is_digit(ch)) digits += ch;
        else if (ch == '+' && i == 0) continue;
        else if (ch != ' ' && ch != '-' && ch != '(' && ch != ')') return std::nullopt;
    }
    if (digits.size() < 10 || digits.size() > 15) return std::nullopt;  // E.164 allows at most 15
    if (digits.size() == 11 && digits.front() == '8') digits.front() = '7';
    return digits;
}

}  // namespace

Checked<ListenAddress> check_listen(std::string_view text) {
    auto shape = [&] { return cannot_read(text, "write an address and a port, such as \"127.0.0.1:8080\" or \"[::1]:8080\""); };
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return shape();
    auto host = text.substr(0, colon), port = text.substr(colon + 1);
    bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (bracketed) host = host.substr(1, host.size() - 2);
    bool ok = bracketed ? is_ipv6(host) : (is_ipv4(host) || host == "localhost");
    if (!ok || !all_digits(port)) return shape();
    // Port 0 asks the system for a free port; the server prints the one it got (tests use it).
    if (port.size() > 5 || std::stoi(std::string(port)) > 65535)
        return Fault{Code::E0804, "port " + std::string(port) + " is out of range", "use a port from 0 to 65535"};
    // The server binds an IP address and never resolves names; `localhost` is the one name allowed.
    return ListenAddress{host == "localhost" ? "127.0.0.1" : std::string(host),
                         static_cast<std::uint16_t>(std::stoi(std::string(port)))};
}

Checked<std::uint64_t> check_size(std::string_view text) {
    auto bytes = text.starts_with('-') ? std::nullopt : stdlib::parse_quantity(text, stdlib::size_units, true);
    if (!bytes) return cannot_read(text, "write a size such as \"10 MiB\" (units B, KB, MB, GB, KiB, MiB, GiB)");
    return check_byte_count(*bytes);
}

Checked<std::uint64_t> check_byte_count(std::int64_t bytes) {
    if (bytes <= 0) return Fault{Code::E0804, "must be more than 0 bytes", {}};
    return static_cast<std::uint64_t>(bytes);
}

Checked<std::int64_t> check_duration(std::string_view text) {
    auto ms = text.starts_with('-') ? std::nullopt : stdlib::parse_quantity(text, stdlib::duration_units);
    if (!ms) return cannot_read(text, "write a duration such as \"30 s\" (units ms, s, min, h, d)");
    if (*ms <= 0) return Fault{Code::E0804, "must be more than 0", {}};
    return *ms;
}

Checked<std::string> check_api_token(std::string_view text) {
    if (auto bad = bad_char(text, [](char ch) { return std::isgraph(static_cast<unsigned char>(ch)) != 0; }))
        return not_allowed(*bad, "use printable ASCII without spaces");
    if (text.size() < 16)
        return length_fault("short", text.size(), "use at least 16, such as the output of `openssl rand -hex 32`");
    return std::string(text);
}

Checked<std::string> check_member(std::string_view what, std::string_view value,
                                  const std::vector<std::string_view>& members) {
    if (std::find(members.begin(), members.end(), value) != members.end()) return std::string(value);
    auto best = common::closest_match(value, members);
    return Fault{Code::E0805, "unknown " + std::string(what) + " " + in_quotes(value),
                 best.empty() ? "write one of " + joined(members) : "did you mean `" + best + "`?"};
}

Checked<std::string> check_telegram_account(std::string_view text) {
    if (all_digits(text)) return std::string(text);
    if (text.size() >= 6 && text.size() <= 33 && text.front() == '@' && !bad_char(text.substr(1), is_name_char))
        return std::string(text);
    return cannot_read(text, "write a Telegram username such as \"@anna_k\" or a numeric user id");
}

Checked<std::string> check_telegram_user_id(std::int64_t id) {
    if (id > 0) return std::to_string(id);
    return Fault{Code::E0804, "cannot read " + std::to_string(id),
                 "write a Telegram username such as \"@anna_k\" or a numeric user id"};
}

Checked<std::string> check_integration_id(std::string_view text) {
    const std::string help = "use 1 to 64 letters, digits, _ and -: the id is part of the webhook URL";
    if (auto bad = bad_char(text, is_word_char)) return not_allowed(*bad, help);
    if (text.size() > 64) return length_fault("long", text.size(), help);
    return std::string(text);
}

Checked<std::string> check_bot_token(std::string_view text) {
    auto colon = text.find(':');
    bool ok = colon != std::string_view::npos && all_digits(text.substr(0, colon)) && colon + 1 < text.size() &&
              !bad_char(text.substr(colon + 1), is_word_char);
    if (ok) return std::string(text);
    // The token is a secret: it is not repeated in the message.
    return Fault{Code::E0804, "not a token from @BotFather",
                 "write the token @BotFather gave, such as \"123456789:AAE...\": digits, a colon, then letters, "
                 "digits, _ and -"};
}

Checked<std::string> check_bot_username(std::string_view text) {
    std::string_view name = text;
    if (name.starts_with('@')) name.remove_prefix(1);
    if (bad_char(name, is_name_char) || name.size() < 5 || name.size() > 32)
        return cannot_read(text, "write the bot's username, 5 to 32 letters, digits and _");
    return std::string(name);
}

// Telegram echoes it in X-Telegram-Bot-Api-Secret-Token and refuses setWebhook outside these limits.
Checked<std::string> check_webhook_secret(std::string_view text) {
    if (auto bad = bad_char(text, is_word_char))
        return not_allowed(*bad, "Telegram takes 1 to 256 characters of A-Z, a-z, 0-9, _ and -");
    if (text.size() > 256) return length_fault("long", text.size(), "Telegram takes 1 to 256");
    return std::string(text);
}

// Wazzup signs nothing without a crm key; the secret rides in the webhook URL (`?secret=`),
// which Wazzup limits to 200 characters.
Checked<std::string> check_url_secret(std::string_view text) {
    if (auto bad = bad_char(text, is_word_char)) return not_allowed(*bad, "use 16 to 128 characters of A-Z, a-z, 0-9, _ and -");
    if (text.size() < 16 || text.size() > 128)
        return length_fault(text.size() < 16 ? "short" : "long", text.size(),
                            "use 16 to 128, such as the output of `openssl rand -hex 24`");
    return std::string(text);
}

Checked<std::string> check_channel_number(std::string_view transport, std::string_view text) {
    if (transport == "whatsapp") {
        if (auto digits = normalize_phone(text)) return *digits;
        return cannot_read(text, "write a phone number such as \"+7 901 111-22-33\", \"79011112233\" or \"89011112233\"");
    }
    std::string_view name = text;
    if (name.starts_with('@')) name.remove_prefix(1);
    if (!bad_char(name, [](char ch) { return is_name_char(ch) || ch == '.'; }) && !name.empty() && name.size() <= 30)
        return std::string(name);
    return cannot_read(text, "write an Instagram account name such as \"@shop.example\"");
}

Checked<std::string> check_base_url(std::string_view text) {
    std::string url(text);
    while (!url.empty() && url.back() == '/') url.pop_back();  // the clients append `/bot…`, `/v3/…`
    bool http = url.starts_with("http://") && url.size() > 7;
    bool https = url.starts_with("https://") && url.size() > 8;
    if ((http || https) && url.find_first_of(" \t?#") == std::string::npos) return url;
    return cannot_read(text, "write an http:// or https:// URL such as \"https://api.telegram.org\"");
}

// Relative paths are read from the config file's folder: the server may be started anywhere.
std::string resolve_path(const std::string& config_path, const std::string& p) {
    fs::path path(p);
    if (path.is_relative()) {
        fs::path folder = fs::path(config_path).parent_path();
        path = fs::absolute(folder.empty() ? fs::path(".") : folder) / path;
    }
    path = path.lexically_normal();
    if (!path.has_filename() && path != path.root_path()) path = path.parent_path();  // `rules/` is `rules`
    return path.string();
}

}  // namespace switchyard::config::detail
