// The console's sessions and who a request comes from (sessions.hpp).
#include "runtime/server/sessions.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <vector>

namespace switchyard::server {

namespace http = boost::beast::http;

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    std::size_t got = 0;
    while (got < bytes) {
        auto n = ::getrandom(raw.data() + got, bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error("getrandom failed: no randomness for a session");
        got += static_cast<std::size_t>(n);
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (auto b : raw) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

bool same_secret(std::string_view given, std::string_view expected) {
    if (expected.empty()) return false;
    unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
    return diff == 0;
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// `name=value` pairs separated by `;` (RFC 6265, section 4.2.1).
std::string_view cookie_in(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto end = header.find(';');
        auto pair = trim(header.substr(0, end));
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    }
    return {};
}

std::string_view header_value(const Request& request, std::string_view name) {
    auto it = request.find(name);
    return it == request.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

}  // namespace

std::string_view cookie(const Request& request, std::string_view name) {
    for (auto it = request.find(http::field::cookie); it != request.end() && it->name() == http::field::cookie; ++it)
        if (auto value = cookie_in(std::string_view(it->value().data(), it->value().size()), name); !value.empty()) return value;
    return {};
}

void Sessions::set_ttl(std::int64_t ttl_ms) {
    std::lock_guard lock(mutex_);
    ttl_ms_ = ttl_ms;
}

std::int64_t Sessions::ttl_ms() const {
    std::lock_guard lock(mutex_);
    return ttl_ms_;
}

ConsoleSession Sessions::open(std::int64_t now_ms) {
    ConsoleSession s{random_hex(32), random_hex(32), 0};
    std::lock_guard lock(mutex_);
    s.expires_at_ms = now_ms + ttl_ms_;
    if (open_.size() >= max_sessions) evict_one();
    open_.emplace(s.id, s);
    return s;
}

void Sessions::evict_one() {
    auto first = std::min_element(open_.begin(), open_.end(),
                                  [](const auto& a, const auto& b) { return a.second.expires_at_ms < b.second.expires_at_ms; });
    if (first != open_.end()) open_.erase(first);
}

std::optional<ConsoleSession> Sessions::find(std::string_view id, std::int64_t now_ms) {
    if (id.empty()) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto it = open_.find(id);
    if (it == open_.end()) return std::nullopt;
    if (it->second.expires_at_ms <= now_ms) {
        open_.erase(it);
        return std::nullopt;
    }
    return it->second;
}

void Sessions::close(std::string_view id) {
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(id); it != open_.end()) open_.erase(it);
}

std::size_t Sessions::size() const {
    std::lock_guard lock(mutex_);
    return open_.size();
}

Access access(const Request& request, std::string_view api_token, Sessions& sessions, std::int64_t now_ms) {
    auto authorization = header_value(request, "Authorization");
    constexpr std::string_view bearer = "Bearer ";
    if (authorization.starts_with(bearer) && same_secret(authorization.substr(bearer.size()), api_token)) return Access::granted;
    auto session = sessions.find(cookie(request, session_cookie), now_ms);
    if (!session) return Access::no_credentials;
    bool safe = request.method() == http::verb::get || request.method() == http::verb::head;
    if (safe || same_secret(header_value(request, csrf_header), session->csrf)) return Access::granted;
    return Access::bad_csrf;
}

}  // namespace switchyard::server
