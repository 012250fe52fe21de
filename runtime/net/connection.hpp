// One HTTP/1.1 connection (plain or TLS) and the TLS context connections are made with: the
// module's private header, between client.cpp (the pool) and connection.cpp (Beast). Opaque
// here so that only connection.cpp pays for compiling Beast.
#pragma once

#include "runtime/net/client.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <variant>

namespace switchyard::net {

// The client's one OpenSSL context: trust store, verify mode, protocol floor. Built once per
// Client, since building one (reading the system's CA bundle) costs milliseconds.
class TlsContext {
public:
    // Throws std::runtime_error naming the file when `ca_file` cannot be loaded.
    explicit TlsContext(const std::string& ca_file);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;

    struct Impl;
    std::unique_ptr<Impl> impl;
};

class Connection;
using Opened = std::variant<std::unique_ptr<Connection>, Failure>;

// A connection used by one thread at a time. Each runs its operations on an io_context of its
// own, so that blocking calls can still have deadlines (Beast's timeouts apply to asynchronous
// operations only) and a connection can move between threads through the pool.
class Connection {
public:
    // Resolves, connects (every address in turn until one accepts) and, for https, does the
    // TLS handshake with certificate and host name verification. `opened` counts TCP connects.
    static Opened open(const Origin& origin, TlsContext& tls, const ClientOptions& options,
                       std::atomic<std::size_t>& opened);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Writes one request and reads its response, all within options.request_timeout.
    Result exchange(const Origin& origin, const Request& request, const ClientOptions& options);

    // After exchange(): whether the connection may carry another request (a complete response
    // that did not ask to close, and nothing read beyond it).
    bool reusable() const;

    // Whether an idle connection is still worth writing to: nothing has arrived on it since its
    // last response. A readable idle socket means the server closed it (EOF, a reset) or sent
    // something unasked (a 408); either way a request written now could be lost.
    bool quiet();

    std::chrono::steady_clock::time_point idle_since{};  // set when put back in the pool

    // Defined in connection.cpp only; open() is the way to make one.
    struct Impl;
    explicit Connection(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::net
