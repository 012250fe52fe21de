// The console end to end: the real `switchyard serve` on loopback, logged into over a socket,
// its session used on the API and the workbench (tests/server/harness.hpp).
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace switchyard::testing;
namespace json = boost::json;

namespace {

// The value of the header `name` in a raw HTTP response (empty when absent).
std::string header_of(const std::string& response, const std::string& name) {
    auto at = response.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    at += name.size() + 4;
    return response.substr(at, response.find("\r\n", at) - at);
}

std::string login(std::uint16_t port, const std::string& token) {
    std::string body = "token=" + token;
    return raw_exchange(port, "POST /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                              "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
}

}  // namespace

TEST_CASE("end to end: log in to the console, use its session on the API and the workbench, log out", "[console][e2e]") {
    ServerProcess server(e2e_config, "console");
    server.start();
    CHECK(server.output().find("the console is at http://127.0.0.1:" + std::to_string(server.port()) + "/console/") !=
          std::string::npos);

    auto refused = login(server.port(), "wrong-token-0123456789");
    CHECK(refused.starts_with("HTTP/1.1 401"));
    CHECK(header_of(refused, "Set-Cookie").empty());

    auto answer = login(server.port(), "e2e-api-token-0123456789");
    REQUIRE(answer.starts_with("HTTP/1.1 303"));
    CHECK(header_of(answer, "Location") == "/console/");
    auto set_cookie = header_of(answer, "Set-Cookie");
    CHECK(set_cookie.find("HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
    std::string cookie = set_cookie.substr(0, set_cookie.find(';'));

    auto session = http_request(server.port(), "GET", "/console/session", {}, {{"Cookie", cookie}});
    REQUIRE(session.status == 200);
    std::string csrf(json::parse(session.body).at("csrf").as_string());
    std::map<std::string, std::string> change{{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Content-Type", "application/json"}};

    CHECK(http_request(server.port(), "GET", "/console/", {}, {{"Cookie", cookie}}).status == 200);
    CHECK(http_request(server.port(), "GET", "/api/v1/rulesets", {}, {{"Cookie", cookie}}).status == 200);
    std::string files = R"({"files": [{"file": "a.rules", "text": "policy attachment for inbound {\n    otherwise -> attach\n}\n"}]})";
    CHECK(http_request(server.port(), "POST", "/console/api/check", files, {{"Cookie", cookie}}).status == 403);
    auto checked = http_request(server.port(), "POST", "/console/api/check", files, change);
    CHECK(checked.status == 200);
    CHECK(json::parse(checked.body).at("errors").as_int64() == 0);
    // The API token works as before, beside the session.
    CHECK(http_request(server.port(), "GET", "/api/v1/tasks", {}, api_auth).status == 200);

    CHECK(http_request(server.port(), "POST", "/console/logout", {}, change).status == 200);
    CHECK(http_request(server.port(), "GET", "/api/v1/tasks", {}, {{"Cookie", cookie}}).status == 401);
    CHECK(metric(server.port(), "switchyard_csrf_refused_total") == 1);
}
