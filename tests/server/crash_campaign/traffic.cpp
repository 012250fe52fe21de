#include "tests/server/crash_campaign/traffic.hpp"

#include "tests/server/crash_campaign/config.hpp"
#include "tests/server/harness.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <ctime>
#include <optional>

namespace switchyard::campaign {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

// Telegram: a private chat is its user's id; the update id and the message id are the index's.
std::string telegram_update(int i, int customer, const std::string& text) {
    std::int64_t chat = 91000 + customer;
    json::object user{{"id", chat}, {"is_bot", false}, {"first_name", "Customer " + std::to_string(customer)}};
    json::object chat_o{{"id", chat}, {"type", "private"}, {"first_name", "Customer " + std::to_string(customer)}};
    json::object message{{"message_id", i + 1}, {"date", static_cast<std::int64_t>(std::time(nullptr))},
                         {"chat", chat_o}, {"from", user}, {"text", text}};
    return json::serialize(json::object{{"update_id", 500000 + i}, {"message", message}});
}

std::string wazzup_body(int i, int customer, const std::string& text) {
    json::object m{{"messageId", "campaign-in-" + std::to_string(i)}, {"dateTime", testing::iso_now()}, {"channelId", "wa-channel"},
                   {"chatType", "whatsapp"}, {"chatId", std::to_string(79995550000LL + customer)}, {"type", "text"},
                   {"isEcho", false}, {"contact", json::object{{"name", "WhatsApp " + std::to_string(customer)}}},
                   {"text", text}, {"status", "inbound"}};
    return json::serialize(json::object{{"messages", json::array{m}}});
}

const std::map<std::string, std::string>& webhook_auth(const std::string& integration) {
    static const std::map<std::string, std::string> telegram = {{"X-Telegram-Bot-Api-Secret-Token", "tg-secret"}};
    static const std::map<std::string, std::string> wazzup = {{"Authorization", "Bearer wz-crm-key"}};
    return integration == "wz" ? wazzup : telegram;
}

const std::map<std::string, std::string>& api_auth() {
    static const std::map<std::string, std::string> h = {{"Authorization", api_token_header()}};
    return h;
}

// Ticks `rate` times a second. After a long stall (a server down for a while) it does not
// catch up in a burst: the rate stays steady.
class Metronome {
public:
    explicit Metronome(double rate)
        : period_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate))), next_(Clock::now()) {}
    void wait() {
        next_ += period_;
        auto now = Clock::now();
        if (next_ < now - std::chrono::seconds(1)) next_ = now;
        std::this_thread::sleep_until(next_);
    }

private:
    Clock::duration period_;
    Clock::time_point next_;
};

}  // namespace

Webhook make_webhook(int i, int customers, bool wazzup) {
    Webhook w;
    w.index = i;
    int customer = (i / 4) % customers;  // each customer writes several messages in a row
    w.integration = wazzup && i % 4 == 3 ? "wz" : "tg";
    w.text = w.integration + " message " + std::to_string(i);
    w.body = w.integration == "wz" ? wazzup_body(i, customer, w.text) : telegram_update(i, customer, w.text);
    return w;
}

Traffic::Traffic(TrafficOptions options, Target& target, Ledger& ledger) : options_(options), target_(target), ledger_(ledger) {}

Traffic::~Traffic() { stop(); }

void Traffic::start() {
    stopping_ = false;
    webhooks_ = std::thread([this] { post_webhooks(); });
    if (options_.reply_rate > 0) replies_ = std::thread([this] { post_replies(); });
}

void Traffic::stop() {
    stopping_ = true;
    if (webhooks_.joinable()) webhooks_.join();
    if (replies_.joinable()) replies_.join();
}

void Traffic::post_webhooks() {
    Metronome beat(options_.webhook_rate);
    for (int i = 0; !stopping_; ++i) {
        beat.wait();
        auto w = make_webhook(i, options_.customers, options_.wazzup);
        ledger_.posted(w);
        deliver_until_acknowledged(w);
    }
}

// Posts `w` until it is answered 200, to the server up at the moment. A webhook taken on is
// seen through even when the traffic stops meanwhile (the server is up then), so that every
// webhook posted ends acknowledged; only a server that never answers again makes it give up.
void Traffic::deliver_until_acknowledged(const Webhook& w) {
    std::optional<Clock::time_point> give_up;
    for (std::size_t attempt = 0;; ++attempt) {
        if (stopping_ && !give_up) give_up = Clock::now() + std::chrono::seconds(10);
        if (give_up && Clock::now() > *give_up) return;
        // Webhooks take turns between the servers; a post that failed goes to the next one.
        auto port = target_.pick(static_cast<std::size_t>(w.index) + attempt);
        if (port != 0) {
            auto r = testing::http_request(port, "POST", "/webhooks/" + w.integration, w.body, webhook_auth(w.integration));
            if (r.status == 200) {
                ledger_.acknowledged(w.index);
                return;
            }
            ledger_.post_unanswered();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void Traffic::post_replies() {
    std::mt19937_64 rng(options_.seed ^ 0x9e3779b97f4a7c15ULL);
    Metronome beat(options_.reply_rate);
    auto refreshed = Clock::now() - std::chrono::hours(1);
    for (int j = 0; !stopping_; ++j) {
        beat.wait();
        auto port = target_.pick(static_cast<std::size_t>(j));
        if (port == 0) continue;  // the server is down: the employee's tracker cannot reach it either
        if (tasks_.empty() || Clock::now() - refreshed > std::chrono::milliseconds(500)) {
            refresh_tasks(port);
            refreshed = Clock::now();
        }
        if (!tasks_.empty()) post_reply(port, j, rng);
    }
}

// The tasks there are, when the server answers; otherwise the last list stays.
void Traffic::refresh_tasks(std::uint16_t port) {
    auto r = testing::http_request(port, "GET", "/api/v1/tasks?limit=1000", {}, api_auth());
    if (r.status != 200) return;
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec) return;
    tasks_.clear();
    for (const auto& t : v.at("tasks").as_array())
        tasks_.emplace_back(t.at("id").as_int64(), std::string(t.at("integration").as_string()));
}

void Traffic::post_reply(std::uint16_t port, int index, std::mt19937_64& rng) {
    const auto& [task, integration] = tasks_[std::uniform_int_distribution<std::size_t>(0, tasks_.size() - 1)(rng)];
    Reply reply{index, task, integration, "reply " + std::to_string(index) + " to task " + std::to_string(task), 0};
    json::object body{{"by", 2}, {"text", reply.text}, {"notify", json::object{{"contact", true}}}};
    auto r = testing::http_request(port, "POST", "/api/v1/tasks/" + std::to_string(task) + "/comments", json::serialize(body),
                                   api_auth());
    if (r.status == 201) {
        reply.comment = json::parse(r.body).at("comment").as_int64();
        ledger_.reply_acknowledged(std::move(reply));
    } else if (r.status == 0) {
        ledger_.reply_unanswered(std::move(reply));
    } else {
        ledger_.reply_refused(std::to_string(r.status) + " " + r.body);
    }
}

}  // namespace switchyard::campaign
