// The admin console's sessions (docs/security.md, "The console"): a login with the API token
// opens one, kept in an HttpOnly, SameSite=Strict cookie; each has a CSRF token of its own that
// every request changing something must carry in a header. The API's Bearer token works as before.
#pragma once

#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// The cookie and the header a console request carries.
inline constexpr std::string_view session_cookie = "switchyard_session";
inline constexpr std::string_view csrf_header = "X-CSRF-Token";
// Sessions open at once; opening one more ends the one that expires first.
inline constexpr std::size_t max_sessions = 1000;

struct ConsoleSession {
    std::string id;    // the cookie's value: 32 random bytes, hex
    std::string csrf;  // the header's value: 32 other random bytes, hex
    std::int64_t expires_at_ms = 0;
};

// `bytes` random bytes from the kernel (getrandom), as lowercase hex.
std::string random_hex(std::size_t bytes);
// Compares secrets in time that does not depend on where they differ; an empty `expected`
// matches nothing.
bool same_secret(std::string_view given, std::string_view expected);
// A cookie's value from the request's `Cookie` headers; empty when absent.
std::string_view cookie(const Request& request, std::string_view name);

class Sessions {
public:
    explicit Sessions(std::int64_t ttl_ms = 8ll * 3600 * 1000) : ttl_ms_(ttl_ms) {}
    void set_ttl(std::int64_t ttl_ms);
    std::int64_t ttl_ms() const;

    ConsoleSession open(std::int64_t now_ms);
    // The session of `id` while it has not expired (an expired one is forgotten).
    std::optional<ConsoleSession> find(std::string_view id, std::int64_t now_ms);
    void close(std::string_view id);
    std::size_t size() const;

private:
    void evict_one();  // the one that expires first

    mutable std::mutex mutex_;
    std::int64_t ttl_ms_;
    std::map<std::string, ConsoleSession, std::less<>> open_;
};

// Who a request to the API or the console's own routes comes from.
enum class Access {
    granted,         // the Bearer token; or a session, with its CSRF token unless the method is safe
    no_credentials,  // 401
    bad_csrf,        // a session without (or with the wrong) CSRF token on a change: 403
};
Access access(const Request& request, std::string_view api_token, Sessions& sessions, std::int64_t now_ms);

}  // namespace switchyard::server
