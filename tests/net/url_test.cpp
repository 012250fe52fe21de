// parse_url and resolve_url: what a URL becomes, and what is refused with which reason.
#include "runtime/net/http.hpp"

#include <catch2/catch.hpp>

using namespace switchyard::net;

namespace {

Url parsed(std::string_view text) {
    auto result = parse_url(text);
    if (auto* error = std::get_if<std::string>(&result)) FAIL("parse_url(" << text << "): " << *error);
    return std::get<Url>(result);
}

std::string refusal(std::string_view text) {
    auto result = parse_url(text);
    if (std::holds_alternative<Url>(result)) FAIL("parse_url(" << text << ") accepted it");
    return std::get<std::string>(result);
}

}  // namespace

TEST_CASE("parse_url splits an https URL into origin and target, port 443 by default", "[net][url]") {
    auto url = parsed("https://api.telegram.org/bot123:abc/sendMessage");
    CHECK(url.origin.tls);
    CHECK(url.origin.host == "api.telegram.org");
    CHECK(url.origin.port == 443);
    CHECK(url.target == "/bot123:abc/sendMessage");
}

TEST_CASE("parse_url keeps the query, drops the fragment, and makes an empty path /", "[net][url]") {
    auto url = parsed("http://example.com:8080/a/b?x=1&y=%20#frag");
    CHECK_FALSE(url.origin.tls);
    CHECK(url.origin.port == 8080);
    CHECK(url.target == "/a/b?x=1&y=%20");
    CHECK(parsed("http://example.com").target == "/");
    CHECK(parsed("http://example.com").origin.port == 80);
    CHECK(parsed("http://example.com?q").target == "/?q");
}

TEST_CASE("parse_url takes IP literals, IPv6 without brackets in the origin", "[net][url]") {
    CHECK(parsed("http://127.0.0.1:9000/").origin.host == "127.0.0.1");
    auto v6 = parsed("https://[::1]:8443/x");
    CHECK(v6.origin.host == "::1");
    CHECK(v6.origin.port == 8443);
    CHECK(to_string(v6.origin) == "[::1]:8443");
    CHECK(to_string(v6) == "https://[::1]:8443/x");
}

TEST_CASE("parse_url accepts the scheme in any case", "[net][url]") {
    CHECK(parsed("HTTPS://example.com/").origin.tls);
}

TEST_CASE("parse_url refuses other schemes, naming the scheme", "[net][url]") {
    CHECK(refusal("ftp://example.com/file") == "unsupported scheme `ftp` in `ftp://example.com/file` (only http and https)");
    CHECK_THAT(refusal("mailto:someone@example.com"), Catch::Contains("unsupported scheme `mailto`"));
}

TEST_CASE("parse_url refuses relative references and text that is no URL", "[net][url]") {
    CHECK_THAT(refusal("/just/a/path"), Catch::Contains("is not an absolute URL"));
    CHECK_THAT(refusal("example.com/x"), Catch::Contains("is not an absolute URL"));
    CHECK_THAT(refusal("http://exa mple.com/"), Catch::Contains("is not a valid URL"));
    CHECK_THAT(refusal(""), Catch::Contains("is not an absolute URL"));
}

TEST_CASE("parse_url refuses a URL without a host", "[net][url]") {
    CHECK(refusal("http:///path") == "`http:///path` has no host");
    CHECK_THAT(refusal("https:relative"), Catch::Contains("has no host"));
}

TEST_CASE("parse_url refuses ports outside 1..65535", "[net][url]") {
    CHECK_THAT(refusal("http://example.com:99999/"), Catch::Contains("port `99999`") && Catch::Contains("between 1 and 65535"));
    CHECK_THAT(refusal("http://example.com:0/"), Catch::Contains("port `0`"));
}

TEST_CASE("parse_url refuses credentials in the URL rather than dropping them", "[net][url]") {
    CHECK_THAT(refusal("https://user:secret@example.com/"), Catch::Contains("user information"));
}

TEST_CASE("resolve_url resolves a redirect's Location against the URL that answered", "[net][url]") {
    auto base = parsed("https://example.com/a/b?q=1");
    auto resolve = [&](std::string_view reference) {
        auto result = resolve_url(base, reference);
        REQUIRE(std::holds_alternative<Url>(result));
        return to_string(std::get<Url>(result));
    };
    CHECK(resolve("/c") == "https://example.com:443/c");
    CHECK(resolve("c") == "https://example.com:443/a/c");
    CHECK(resolve("../d?x") == "https://example.com:443/d?x");
    CHECK(resolve("//other.org/e") == "https://other.org:443/e");
    CHECK(resolve("http://plain.org:81/") == "http://plain.org:81/");
    auto ftp = resolve_url(base, "ftp://files.org/");
    REQUIRE(std::holds_alternative<std::string>(ftp));
    CHECK_THAT(std::get<std::string>(ftp), Catch::Contains("unsupported scheme `ftp`"));
}

TEST_CASE("every failure kind has a name", "[net]") {
    CHECK(name_of(FailureKind::resolve) == "resolve");
    CHECK(name_of(FailureKind::connect) == "connect");
    CHECK(name_of(FailureKind::tls_handshake) == "tls_handshake");
    CHECK(name_of(FailureKind::certificate) == "certificate");
    CHECK(name_of(FailureKind::timeout) == "timeout");
    CHECK(name_of(FailureKind::closed) == "closed");
    CHECK(name_of(FailureKind::protocol) == "protocol");
    CHECK(name_of(FailureKind::too_large) == "too_large");
    CHECK(name_of(FailureKind::invalid_url) == "invalid_url");
}
