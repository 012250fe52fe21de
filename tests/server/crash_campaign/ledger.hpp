// What the campaign's traffic sent and how the server answered: written by the traffic threads
// while they run, read by the final check once they have stopped.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace switchyard::campaign {

// Where the servers are: each one's port, 0 while it is down (killed and not yet listening
// again). One server, or up to four on one PostgreSQL database.
struct Target {
    static constexpr std::size_t most = 4;
    std::array<std::atomic<std::uint16_t>, most> ports{};
    // A server that is up, looking from the n-th on (so that requests take turns): 0 when none is.
    std::uint16_t pick(std::size_t n) const {
        for (std::size_t i = 0; i < most; ++i)
            if (auto port = ports[(n + i) % most].load()) return port;
        return 0;
    }
};

struct Webhook {
    int index = 0;
    std::string integration;  // "tg" or "wz"
    std::string text;         // the message's text: unique, so that its comment can be counted
    std::string body;
};

// An employee's reply posted through the API.
struct Reply {
    int index = 0;
    std::int64_t task = 0;
    std::string integration;
    std::string text;  // unique
    std::int64_t comment = 0;  // the comment the API answered with; 0 when there was no answer
};

class Ledger {
public:
    void posted(const Webhook& w);
    void acknowledged(int webhook);
    void post_unanswered() { ++post_failures_; }  // a post that got no 200: the server was gone
    void reply_acknowledged(Reply r);
    void reply_unanswered(Reply r);
    void reply_refused(const std::string& why);

    // Read once the traffic has stopped.
    const std::vector<Webhook>& webhooks() const { return webhooks_; }
    const std::set<int>& acknowledged() const { return acknowledged_; }
    int post_failures() const { return post_failures_.load(); }
    const std::vector<Reply>& replies_acknowledged() const { return replies_acknowledged_; }
    const std::vector<Reply>& replies_unanswered() const { return replies_unanswered_; }
    const std::map<std::string, int>& replies_refused() const { return replies_refused_; }

private:
    std::mutex mutex_;
    std::vector<Webhook> webhooks_;  // by index
    std::set<int> acknowledged_;
    std::atomic<int> post_failures_{0};
    std::vector<Reply> replies_acknowledged_;
    std::vector<Reply> replies_unanswered_;
    std::map<std::string, int> replies_refused_;  // the answer -> how many times
};

}  // namespace switchyard::campaign
