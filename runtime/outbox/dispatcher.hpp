// The outbox's dispatcher (docs/outbound.md): delivers the rows of the `outbox` table to the
// messengers' APIs. One thread decides (which rows go now, by their time, their chat's order
// and Telegram's rates) and records what became of them; `[outbound] connections` threads send,
// each over the client's kept-alive connections. A row is marked `sending` in a committed
// transaction before its request is written, and its outcome is committed after the answer,
// so that a kill -9 loses nothing: a restart sends the `queued` rows and again the `sending`
// ones, which may have reached the platform. Telegram gives no way to tell, so a message can go
// twice in two places only: a request in flight at a crash (counted in
// switchyard_outbox_resent_total), and a retry after a failure that came once the request was
// written, a timeout or a connection closed mid-answer (switchyard_outbox_uncertain_total).
#pragma once

#include "runtime/config/config.hpp"
#include "runtime/files/file_store.hpp"
#include "runtime/net/client.hpp"
#include "runtime/store/store.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace switchyard::outbox {

// The HTTP client's options for `[outbound]`, for every client that calls out (the dispatcher,
// the downloads, the files fetched for a comment): trust, timeouts, kept-alive connections;
// responses up to `max_response_bytes`.
net::ClientOptions client_options(const config::Config& config, std::size_t max_response_bytes = 64u << 20);

// Counts per integration, for /metrics.
struct IntegrationCounts {
    std::uint64_t sent = 0;
    std::uint64_t retried = 0;
    std::uint64_t failed = 0;
    std::uint64_t uncertain = 0;  // retries of a request that was written: the platform may have it twice
};

class Dispatcher {
public:
    Dispatcher(const config::Config& config, store::Store& store, files::FileStore& files);
    ~Dispatcher();  // stops: the requests in flight end (their rows stay `sending`, sent again at start)
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    // New rows were committed: look now rather than at the next planned time.
    void wake();
    void stop();

    std::map<std::string, IntegrationCounts> counts() const;
    // Rows found `sending` at start and sent again.
    std::uint64_t resent() const;
    // The Prometheus text of the counts, the outbox's depth and the age of its oldest row.
    std::string metrics_text() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::outbox
