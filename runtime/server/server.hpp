// The webhook server: Boost.Beast inbound (runtime/net/ is the outbound side). handle_request() turns one HTTP
// request into one response and does no network I/O, so it is tested without sockets; Server
// runs it on a socket, with a deadline ([server] request_timeout) and a body limit on every request.
#pragma once

#include "runtime/actions/actions.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/log/log.hpp"
#include "runtime/server/metrics_history.hpp"
#include "runtime/server/sessions.hpp"
#include "runtime/store/store.hpp"

#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace switchyard::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Counters for /metrics, updated by every request.
struct Metrics {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> webhooks_accepted{0};
    std::atomic<std::uint64_t> webhooks_duplicate{0};  // a shared store's: answered 200, stored before
    std::atomic<std::uint64_t> webhooks_unauthorized{0};
    std::atomic<std::uint64_t> webhooks_too_large{0};
    std::atomic<std::uint64_t> api_unauthorized{0};
    std::atomic<std::uint64_t> csrf_refused{0};  // a console session's change without its CSRF token
    std::atomic<std::uint64_t> ruleset_swaps{0};
    std::atomic<std::uint64_t> ruleset_refusals{0};
    std::atomic<std::uint64_t> connections_open{0};
    std::atomic<std::uint64_t> accept_pauses{0};  // times accepting stopped: the cap, or no descriptors
};

// The storage as requests last found it. A problem is logged when it starts or changes, and
// when it ends, not on every request; /healthz reports it while it lasts.
class StorageHealth {
public:
    // A request failed on the store: `detail` (with the SQL) goes to `log`, `reason` (without)
    // to /healthz. Without a logger, to standard error.
    void failed(const std::string& detail, const std::string& reason, log::Logger* log);
    // A request used the store and it worked.
    void worked(log::Logger* log);
    std::optional<std::string> problem() const;

private:
    mutable std::mutex mutex_;
    std::optional<std::string> problem_;
};

// What requests work with. The server owns none of it.
struct Context {
    Context(const config::Config& c, store::Store& s, engine::RulesetHolder& r, std::function<void()> wake = {})
        : config(c), store(s), rulesets(r), wake_worker(std::move(wake)) {}

    const config::Config& config;
    store::Store& store;
    engine::RulesetHolder& rulesets;
    std::function<void()> wake_worker;  // after a webhook is stored
    std::function<void()> wake_outbox;  // after a failed outbox message is queued again
    actions::Desk* desk = nullptr;      // the write API; null: the API is read-only (405)
    std::function<std::string()> more_metrics;  // appended to /metrics (the outbox's)
    log::Logger* log = nullptr;         // null: requests are not logged, storage problems go to stderr
    // The admin console's routes (/console and below; console/), given the path after
    // `/console`; none: 404. Its sessions let the browser call /api/v1 too (sessions.hpp).
    std::function<Response(const Request&, std::string_view path, Context&)> console;
    Sessions sessions;
    Metrics metrics;
    StorageHealth storage;
    MetricsHistory metrics_history;  // sampled by Server every metrics_sample_interval
};

// The text of /metrics: the server's figures, then more_metrics().
std::string metrics_text(Context& context);

Response handle_request(const Request& request, Context& context);
// Makes the response to a request when called. For a webhook it is handed over from the store's
// committing thread and called on the caller's own (the session's strand): every accept waits
// for that thread, so what the answer costs (metrics, the worker's wake-up, the headers) is
// not spent there. Only the storage's health is noted there, in the order of the commits.
using MakeResponse = std::function<Response()>;
// The same as handle_request, answering through `answer`: at once, or for a webhook once the
// store has committed its body (so the server's threads never wait for a sync).
void handle_request_async(std::shared_ptr<const Request> request, Context& context, std::function<void(MakeResponse)> answer);
// For a request whose header announces a body, before the body is read: the answer when nobody
// may send it one (no route takes a body there, the webhook's or the API's credentials are
// wrong), so that a client without credentials cannot make the server hold its body.
std::optional<Response> refuse_before_body(const Request& head, Context& context);
// None when the request may use the API: the Bearer token, or a console session (with its CSRF
// token on a change; sessions.hpp); otherwise the 401 or 403 to answer.
std::optional<Response> refuse_access(const Request& request, Context& context);

class Server {
public:
    // Binds at once (port 0 picks a free one: see port()). Serves at most
    // config.max_connections connections at once: at the cap it stops accepting (the system's
    // backlog holds the next), and resumes when one ends. Out of file descriptors, it waits
    // (10 ms, doubling to 1 s) before accepting again, instead of failing in a loop.
    Server(Context& context, std::size_t threads = 2);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    // Serves until SIGINT or SIGTERM (or stop()); SIGHUP calls `on_hangup`. Meanwhile the
    // figures of /metrics are sampled into context.metrics_history, at once and then every
    // metrics_sample_interval, on the server's own threads.
    void run(std::function<void()> on_hangup = {});
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::server
