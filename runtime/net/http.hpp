// The vocabulary of outbound HTTP: where a request goes (Origin, Url), what it carries
// (Request), what comes back (Response) or why nothing usable came back (Failure). Plain
// structs, no Boost in sight, so that the outbox and its tests include this without paying
// for Beast.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::net {

// Scheme, host and port: what one connection is made to, and what the idle pool is keyed by.
struct Origin {
    bool tls = false;      // https
    std::string host;      // a name or an IP literal, IPv6 without brackets ("::1")
    std::uint16_t port = 0;

    friend bool operator==(const Origin&, const Origin&) = default;
};

// "host:port", IPv6 literals in brackets: how messages name an origin.
std::string to_string(const Origin& origin);

// An absolute http(s) URL split into the origin and the request target.
struct Url {
    Origin origin;
    std::string target;  // path and query as they appear on the wire, "/" at least; no fragment
};

// Parses an absolute http:// or https:// URL (Boost.URL). The port defaults to 80 or 443; the
// fragment is dropped. On error, a sentence saying what is wrong, naming the text:
// "unsupported scheme `ftp` in `ftp://x/` (only http and https)".
std::variant<Url, std::string> parse_url(std::string_view text);

// A URL reference (a redirect's Location: absolute, "/path", "../x", "//host/x") resolved
// against `base` as RFC 3986 section 5 says; the result must again be http(s).
std::variant<Url, std::string> resolve_url(const Url& base, std::string_view reference);

// "https://host:port/target": the URL back as text, with the port always written.
std::string to_string(const Url& url);

enum class Method : std::uint8_t { get, post };

struct Header {
    std::string name;
    std::string value;
};

struct Request {
    Method method = Method::post;
    std::string target;        // "/bot123:abc/sendMessage"; must not be empty
    std::string content_type;  // sent when not empty
    std::string body;          // Content-Length is computed
    // Sent after Host, User-Agent and Content-Type; one named like those replaces it.
    std::vector<Header> headers;
};

// Any complete HTTP response, whatever its status: a 500 or a 429 is a Response, not a Failure.
struct Response {
    int status = 0;
    std::string content_type;     // the Content-Type header, empty when there was none
    std::string body;
    std::vector<Header> headers;  // every header as received, names as the server spelled them
};

// Why no response came back. resolve, connect, tls_handshake, certificate and invalid_url
// happen before anything is written: the request certainly did not arrive. timeout, closed and
// too_large happen after writing began (Failure::sent); so does protocol, except for a request
// refused before connecting because it cannot be written as HTTP.
enum class FailureKind : std::uint8_t {
    resolve,        // the host name did not resolve
    connect,        // no address accepted a TCP connection within connect_timeout
    tls_handshake,  // TLS could not be negotiated (protocol versions, ciphers, a reset, a timeout)
    certificate,    // the server's certificate did not verify: untrusted issuer, expired, wrong host
    timeout,        // request_timeout passed while writing the request or reading the response
    closed,         // the server closed or reset the connection before the response was complete
    protocol,       // what came back is not HTTP/1.1, or the request cannot be written as HTTP
    too_large,      // the response's body (or header) is larger than the client accepts
    invalid_url,    // get(): the URL, or a redirect's Location, is not an http(s) URL
};

// "resolve", "connect", "tls_handshake", ...: the enumerator's name, for logs and reasons.
std::string_view name_of(FailureKind kind);

struct Failure {
    FailureKind kind = FailureKind::protocol;
    // For a person: what happened and where, e.g.
    // "certificate verify failed: self-signed certificate (localhost:8443)".
    std::string message;
    // Whether writing the request had begun. When true the server may have received it and
    // acted on it: a POST must not be repeated blindly (the client never repeats one itself).
    bool sent = false;
};

using Result = std::variant<Response, Failure>;

}  // namespace switchyard::net
