// The console's sessions and who a request comes from (runtime/server/sessions.hpp).
#include "runtime/server/sessions.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace switchyard;
namespace http = boost::beast::http;

namespace {

const std::string token = "sessions-token-0123456789";

server::Request request(http::verb verb, std::vector<std::pair<std::string, std::string>> headers) {
    server::Request r{verb, "/api/v1/tasks", 11};
    for (const auto& [k, v] : headers) r.insert(k, v);
    return r;
}

}  // namespace

TEST_CASE("session ids and CSRF tokens are 32 random bytes, never the same twice", "[server][console]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto hex = server::random_hex(32);
        REQUIRE(hex.size() == 64);
        CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
        seen.insert(hex);
    }
    CHECK(seen.size() == 200);
    server::Sessions sessions;
    auto s = sessions.open(0);
    CHECK(s.id != s.csrf);
}

TEST_CASE("a session lasts its lifetime, then is forgotten, and closing ends it at once", "[server][console]") {
    server::Sessions sessions(1000);
    auto s = sessions.open(5000);
    CHECK(s.expires_at_ms == 6000);
    REQUIRE(sessions.find(s.id, 5999));
    CHECK(sessions.find(s.id, 5999)->csrf == s.csrf);
    CHECK_FALSE(sessions.find(s.id, 6000));
    CHECK(sessions.size() == 0);  // the expired one is gone
    CHECK_FALSE(sessions.find("", 0));
    CHECK_FALSE(sessions.find(s.id.substr(1), 0));

    auto t = sessions.open(0);
    sessions.close(t.id);
    CHECK_FALSE(sessions.find(t.id, 1));
}

TEST_CASE("at max_sessions, a new session ends the one that expires first", "[server][console]") {
    server::Sessions sessions(1000);
    auto first = sessions.open(0);
    for (std::size_t i = 1; i < server::max_sessions; ++i) sessions.open(static_cast<std::int64_t>(i));
    CHECK(sessions.size() == server::max_sessions);
    auto last = sessions.open(5000);
    CHECK(sessions.size() == server::max_sessions);
    CHECK_FALSE(sessions.find(first.id, 1));
    CHECK(sessions.find(last.id, 1));
}

TEST_CASE("the cookie is read from any Cookie header, among other cookies", "[server][console]") {
    auto r = request(http::verb::get, {{"Cookie", "a=1; switchyard_session=abc; b=2"}});
    CHECK(server::cookie(r, "switchyard_session") == "abc");
    CHECK(server::cookie(r, "b") == "2");
    CHECK(server::cookie(r, "switchyard") == "");
    auto two = request(http::verb::get, {{"Cookie", "a=1"}, {"Cookie", "switchyard_session=def"}});
    CHECK(server::cookie(two, "switchyard_session") == "def");
    CHECK(server::cookie(request(http::verb::get, {}), "switchyard_session") == "");
}

TEST_CASE("secrets compare equal only when they are", "[server][console]") {
    CHECK(server::same_secret("abc", "abc"));
    CHECK_FALSE(server::same_secret("abd", "abc"));
    CHECK_FALSE(server::same_secret("ab", "abc"));
    CHECK_FALSE(server::same_secret("abcd", "abc"));
    CHECK_FALSE(server::same_secret("", ""));  // an unset secret lets nobody in
}

TEST_CASE("the API takes the Bearer token, or a session with its CSRF token on changes", "[server][console]") {
    server::Sessions sessions;
    auto s = sessions.open(0);
    auto cookie = std::string("switchyard_session=") + s.id;
    using server::Access;

    CHECK(server::access(request(http::verb::post, {{"Authorization", "Bearer " + token}}), token, sessions, 1) == Access::granted);
    CHECK(server::access(request(http::verb::get, {{"Authorization", "Bearer nope"}}), token, sessions, 1) == Access::no_credentials);
    CHECK(server::access(request(http::verb::get, {}), token, sessions, 1) == Access::no_credentials);

    CHECK(server::access(request(http::verb::get, {{"Cookie", cookie}}), token, sessions, 1) == Access::granted);
    CHECK(server::access(request(http::verb::post, {{"Cookie", cookie}}), token, sessions, 1) == Access::bad_csrf);
    CHECK(server::access(request(http::verb::post, {{"Cookie", cookie}, {"X-CSRF-Token", s.id}}), token, sessions, 1) ==
          Access::bad_csrf);
    CHECK(server::access(request(http::verb::put, {{"Cookie", cookie}, {"X-CSRF-Token", s.csrf}}), token, sessions, 1) ==
          Access::granted);
    // Another session's CSRF token is no good.
    auto other = sessions.open(0);
    CHECK(server::access(request(http::verb::post, {{"Cookie", cookie}, {"X-CSRF-Token", other.csrf}}), token, sessions, 1) ==
          Access::bad_csrf);
    // The token is no session id, and a CSRF token without a session is nothing.
    CHECK(server::access(request(http::verb::get, {{"Cookie", "switchyard_session=" + token}}), token, sessions, 1) ==
          Access::no_credentials);
    CHECK(server::access(request(http::verb::post, {{"X-CSRF-Token", s.csrf}}), token, sessions, 1) == Access::no_credentials);
    sessions.close(s.id);
    CHECK(server::access(request(http::verb::get, {{"Cookie", cookie}}), token, sessions, 1) == Access::no_credentials);
}
