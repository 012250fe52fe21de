// A blocking HTTP/1.1 client for the messenger APIs: one request at a time per calling thread,
// connections kept alive and reused per origin, TLS verified against the system's trust store
// (and an extra CA file for tests and private deployments). Boost.Beast does the work, out of
// sight in client.cpp and connection.cpp.
#pragma once

#include "runtime/net/http.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace switchyard::net {

struct ClientOptions {
    // An extra PEM bundle of CAs to trust besides the system's default verify paths; empty
    // means the system's only. A file that cannot be read makes the Client constructor throw.
    std::string ca_file;
    // The TCP connect (every address tried, together) and then the TLS handshake. Resolving
    // the name is not bounded by it: getaddrinfo cannot be interrupted.
    std::chrono::milliseconds connect_timeout{5000};
    // The whole exchange: writing the request and reading the complete response.
    std::chrono::milliseconds request_timeout{30000};
    // A larger response body is FailureKind::too_large (and its connection is closed).
    std::size_t max_response_bytes = 64u << 20;
    // Kept-alive connections waiting for reuse, per origin; the oldest is closed beyond this.
    std::size_t max_idle_per_origin = 16;
    // An idle connection older than this is closed, not reused: servers close idle connections
    // on their own schedule, and a request written into one they are closing is lost.
    std::chrono::milliseconds max_idle_time{30000};
};

// Thread-safe: many threads may call send() at once, each on a connection of its own (taken
// from the idle pool or opened). A request is never written twice: once writing has begun,
// any failure is returned (Failure::sent is true) and the connection is dropped; a pooled
// connection the server has closed is noticed before writing and replaced.
// The Client must outlive every send() in progress.
class Client {
public:
    // Loads the trust store (throws std::runtime_error when ca_file cannot be loaded).
    explicit Client(ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Sends one request to `origin` and waits for the whole response.
    Result send(const Origin& origin, const Request& request);

    // GET of a whole URL, following up to 3 redirects (301, 302, 303, 307, 308; a relative
    // Location is resolved against the URL that answered it). A fourth redirect is a Failure
    // (protocol) naming the chain; a bad URL or Location is FailureKind::invalid_url.
    Result get(std::string_view url);

    // How many TCP connections have been established in total: for tests and benchmarks.
    std::size_t connections_opened() const;

    // How many connections are idle in the pool right now, over all origins.
    std::size_t idle_connections() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::net
