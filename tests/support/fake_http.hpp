// A fake HTTP(S) server for tests of outbound code: it listens on 127.0.0.1 (a free port),
// records every request it reads, and answers each with what the test's handler says: a
// response, or a misbehaviour (closing early, closing mid-body, never answering), after an
// optional delay. Keep-alive works as in a real server. It never crashes on a client that goes
// away, and its destructor stops it even with connections left stalled. It can be taken down
// and brought back on the same port, for a platform that is unreachable for a while.
#pragma once

#include "tests/support/test_ca.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::testing {

// One request as the server read it.
struct Recorded {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names lower-cased; repeated headers joined by ", "
    std::string content_type;
    std::string body;
    std::size_t connection = 0;  // which connection it came on: 0 for the first accepted, and so on
};

// What to answer one request with.
struct Reply {
    int status = 200;
    std::string body{};
    std::string content_type = "application/json";  // not sent when empty
    enum class Action : std::uint8_t {
        respond,             // the response; the connection stays open if the request allows it
        close_before_reply,  // close the connection without a byte of response
        close_mid_body,      // status line, headers with a Content-Length, half the body, then close
        stall,               // never answer (the connection stays open until the client or the server ends)
        respond_then_close,  // the response, claiming keep-alive, then close: a server's idle timeout
        raw,                 // `body` written as the whole answer, bytes as they are, then close
    } action = Action::respond;
    std::chrono::milliseconds delay{0};  // before acting
    std::vector<std::pair<std::string, std::string>> headers{};  // extra response headers (Location, ...)
};

using Handler = std::function<Reply(const Recorded&)>;

class FakeHttpServer {
public:
    // HTTPS when `tls` is given (the certificate and key it presents), plain HTTP otherwise.
    explicit FakeHttpServer(Handler handler, std::optional<TlsIdentity> tls = {}, std::size_t threads = 2);
    ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer&) = delete;
    FakeHttpServer& operator=(const FakeHttpServer&) = delete;

    std::uint16_t port() const;
    // "http://127.0.0.1:PORT", or "https://localhost:PORT" (the name the test certificate is for).
    std::string base_url() const;

    // Every request read so far, in the order read.
    std::vector<Recorded> calls() const;
    // Connections accepted so far.
    std::size_t connections() const;
    // Connections the server closed on purpose (the close_* actions, respond_then_close, raw) so
    // far: a test waits for this before relying on the client seeing the close.
    std::size_t closed_by_server() const;

    // Replaces the handler for requests read from now on.
    void set_handler(Handler handler);

    // Takes the server down: the listening socket and every connection are closed, so a client
    // gets "connection refused" on the port (nothing listens there) until `resume`. What was
    // recorded is kept.
    void stop_serving();
    // Listens on the same port again, with the same handler and TLS identity.
    void resume_serving();
    bool serving() const { return impl_ != nullptr; }

    struct Impl;
    struct Shared;

private:
    void start_serving();

    // The recorded calls and counters outlive a stop; the listener and sessions (Impl) do not.
    std::unique_ptr<Shared> shared_;
    std::optional<TlsIdentity> tls_;
    std::size_t threads_;
    std::uint16_t port_ = 0;  // 0 until the first start picks a free one
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::testing
