// The campaign's traffic, two threads over whatever server is up: webhooks at a steady rate,
// each posted again until it is answered 200 (as Telegram and Wazzup redeliver), and employees'
// replies to random tasks through the API, each posted once (an employee whose request got no
// answer does not know whether it was taken; the check at the end reads which were).
#pragma once

#include "tests/server/crash_campaign/ledger.hpp"

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <utility>
#include <vector>

namespace switchyard::campaign {

struct TrafficOptions {
    double webhook_rate = 40;  // per second
    double reply_rate = 8;     // per second
    int customers = 5;         // per messenger
    bool wazzup = true;        // one webhook in four is Wazzup's
    std::uint64_t seed = 1;
};

class Traffic {
public:
    Traffic(TrafficOptions options, Target& target, Ledger& ledger);
    ~Traffic();
    Traffic(const Traffic&) = delete;
    Traffic& operator=(const Traffic&) = delete;

    void start();
    void stop();  // and waits for the requests in flight

private:
    void post_webhooks();
    void deliver_until_acknowledged(const Webhook& w);
    void post_replies();
    void refresh_tasks(std::uint16_t port);
    void post_reply(std::uint16_t port, int index, std::mt19937_64& rng);

    TrafficOptions options_;
    Target& target_;
    Ledger& ledger_;
    std::atomic<bool> stopping_{false};
    std::vector<std::pair<std::int64_t, std::string>> tasks_;  // (id, integration); the reply thread's own
    std::thread webhooks_;
    std::thread replies_;
};

// The webhook of index `i`: Telegram's update or Wazzup's message from one of `customers`
// customers, with the text "tg message i" or "wz message i".
Webhook make_webhook(int i, int customers, bool wazzup);

}  // namespace switchyard::campaign
