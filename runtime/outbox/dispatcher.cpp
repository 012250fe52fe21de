#include "runtime/outbox/dispatcher.hpp"

#include "common/clock.hpp"
#include "runtime/net/client.hpp"
#include "runtime/outbox/pacing.hpp"
#include "runtime/outbox/telegram.hpp"
#include "runtime/outbox/wazzup.hpp"
#include "common/thread_name.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace switchyard::outbox {

namespace {

using Clock = std::chrono::system_clock;

struct Finished {
    store::OutboxRow row;
    Outcome outcome;
    std::int64_t ended_at = 0;  // common::steady_clock_ms(), as the pacer counts
};

// Where an integration's messages go; the reason when they cannot go anywhere.
struct Route {
    const config::Integration* integration = nullptr;
    std::variant<BotEndpoint, WazzupEndpoint, std::string> endpoint;
};

std::variant<BotEndpoint, WazzupEndpoint, std::string> endpoint_of(const config::Integration& i) {
    auto pick = [](auto&& e) -> std::variant<BotEndpoint, WazzupEndpoint, std::string> { return e; };
    if (i.service == config::Service::wazzup) return std::visit(pick, wazzup_endpoint(i.api_base_url, i.api_key));
    return std::visit(pick, bot_endpoint(i.api_base_url, i.bot_token));
}

bool is_group(std::string_view chat_kind) { return chat_kind == "group" || chat_kind == "channel"; }

// A private chat with the bot and a Telegram Business chat are both one user's: their chat id
// is the user's id, which is how a refusal there is tied to the contact.
bool is_one_users_chat(std::string_view chat_kind) { return chat_kind == "private" || chat_kind == "business"; }

Clock::time_point at_ms(std::int64_t ms) { return Clock::time_point(std::chrono::milliseconds(ms)); }

}  // namespace

net::ClientOptions client_options(const config::Config& config, std::size_t max_response_bytes) {
    const auto& o = config.outbound;
    net::ClientOptions options;
    options.ca_file = o.ca_file;
    options.connect_timeout = std::chrono::milliseconds(std::min<std::int64_t>(o.timeout_ms, 10000));
    options.request_timeout = std::chrono::milliseconds(o.timeout_ms);
    options.max_idle_per_origin = o.connections;
    options.max_response_bytes = max_response_bytes;
    return options;
}

struct Dispatcher::Impl {
    Impl(const config::Config& c, store::Store& s, files::FileStore& f)
        : config(c), store(s), files(f), client(client_options(c)), pacer(c.outbound.pacing),
          capacity(std::size_t{c.outbound.connections} * 4), rng(std::random_device{}()) {
        for (const auto& i : c.integrations) {
            routes.emplace(i.id, Route{&i, endpoint_of(i)});
            if (i.service == config::Service::wazzup) pacer.set_limits(i.id, wazzup_limits);
            counts[i.id];
        }
    }

    void decide_loop();
    std::int64_t step(std::vector<Finished>& finished);
    void record(store::Work& work, const Finished& f, std::int64_t now, std::int64_t steady);
    void send_loop();
    Outcome deliver(const store::OutboxRow& row);
    void count(const std::string& integration, std::uint64_t IntegrationCounts::*field);

    const config::Config& config;
    store::Store& store;
    files::FileStore& files;
    net::Client client;
    Pacer pacer;
    // Rows in flight at most: being sent, or marked `sending` and waiting for a sender. Small,
    // so that a crash leaves few rows `sending` that were never written (they are sent again
    // at start, and counted as resent); large enough that a round feeds every sender.
    const std::size_t capacity;
    std::map<std::string, Route, std::less<>> routes;

    // Shared by the deciding thread and the senders.
    mutable std::mutex mutex;
    std::condition_variable decide_wake;
    std::condition_variable send_wake;
    std::deque<store::OutboxRow> jobs;
    std::vector<Finished> finished;
    std::map<std::string, IntegrationCounts> counts;
    bool woken = false;
    bool stopping = false;
    std::atomic<std::uint64_t> resent{0};

    // The deciding thread's own.
    std::set<std::int64_t> in_flight;                          // row ids
    std::set<std::pair<std::string, std::string>> busy_chats;  // (integration, chat): one row in flight each
    std::mt19937_64 rng;
    std::int64_t last_forget = 0;

    std::vector<std::thread> senders;
    std::thread decider;
};

void Dispatcher::Impl::decide_loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
        auto done = std::exchange(finished, {});
        lock.unlock();
        std::int64_t wake_at = 0;
        try {
            wake_at = step(done);
        } catch (const std::exception& e) {
            // The store failed (a full disk): nothing was committed; look again in a second.
            std::fprintf(stderr, "switchyard: outbox: %s\n", e.what());
            wake_at = common::wall_clock_ms() + 1000;
            lock.lock();
            for (auto& f : done) finished.push_back(std::move(f));  // recorded next time
            lock.unlock();
        }
        lock.lock();
        if (stopping) break;
        if (woken || !finished.empty()) {
            woken = false;
            continue;
        }
        decide_wake.wait_until(lock, at_ms(wake_at), [&] { return stopping || woken || !finished.empty(); });
        woken = false;
    }
}

// One round: record what ended, choose what goes now, mark it `sending`, all in one
// transaction; then hand the chosen rows to the senders. The time to look again.
// Two clocks: the rows' times are the system clock's (they are stored, and outlive the
// process), and the pacer's are the steady clock's, so that a chat's second between messages
// and a 429's retry_after are waited out in full however the system clock is corrected.
std::int64_t Dispatcher::Impl::step(std::vector<Finished>& done) {
    auto now = common::wall_clock_ms();
    auto steady = common::steady_clock_ms();
    std::int64_t wake_at = now + 1000;
    std::vector<store::OutboxRow> chosen;
    {
        auto work = store.begin_work();
        for (const auto& f : done) record(work, f, now, steady);
        // On a shared store one server's dispatcher decides (Duty::outbound): the pacing of
        // each chat and bot lives in it. The others look each second whether it went away; the
        // one that takes over sends again the rows it left `sending`, as a restart does.
        if (in_flight.size() < capacity && store.leads(store::Duty::outbound)) {
            // The first row of each chat that has one due: a chat's rows go in order, one at a
            // time. More heads than there is room for, so that chats the pacer holds (with
            // pacing on, the chats just served: often the oldest rows) do not hide the chats
            // behind them; with pacing off only a 429 holds a chat, and fewer will do.
            auto heads = capacity * (pacer.enabled() ? 16 : 2);
            for (auto& row : work.outbox_heads(now, heads)) {
                if (in_flight.size() + chosen.size() >= capacity) break;
                if (in_flight.contains(row.id) || busy_chats.contains({row.integration, row.chat})) continue;
                auto at = pacer.earliest(row.integration, row.chat, is_group(row.chat_kind), steady);
                if (at > steady) {
                    wake_at = std::min(wake_at, now + (at - steady));
                    continue;
                }
                work.outbox_sending(row.id, now);
                // Counted now, so that the bot's rate holds within the round too (a round that
                // fails then counts a few starts too many: the pacer errs on the slow side).
                pacer.started(row.integration, row.chat, steady);
                chosen.push_back(std::move(row));
            }
        }
        if (auto next = work.next_outbox_time(); next && *next > now) wake_at = std::min(wake_at, *next);
        work.commit();
    }
    // Only what is committed is in flight: a round that failed chose nothing.
    for (const auto& row : chosen) {
        if (row.state == "sending") ++resent;  // left by a process that stopped mid-request
        in_flight.insert(row.id);
        busy_chats.insert({row.integration, row.chat});
    }
    if (steady - last_forget > 60000) {
        pacer.forget_idle(steady);
        last_forget = steady;
    }
    if (!chosen.empty()) {
        std::lock_guard lock(mutex);
        for (auto& row : chosen) jobs.push_back(std::move(row));
        send_wake.notify_all();
    }
    return wake_at;
}

void Dispatcher::Impl::count(const std::string& integration, std::uint64_t IntegrationCounts::*field) {
    std::lock_guard lock(mutex);
    ++(counts[integration].*field);
}

void Dispatcher::Impl::record(store::Work& work, const Finished& f, std::int64_t now, std::int64_t steady) {
    const auto& row = f.row;
    in_flight.erase(row.id);
    busy_chats.erase({row.integration, row.chat});
    // Times are whole milliseconds, read by truncating: one more makes every wait "at least".
    pacer.finished(row.integration, row.chat, is_group(row.chat_kind), f.ended_at + 1);
    if (const auto* delivered = std::get_if<Delivered>(&f.outcome)) {
        work.outbox_sent(row.id, delivered->message_id, now);
        count(row.integration, &IntegrationCounts::sent);
    } else if (const auto* again = std::get_if<TryAgain>(&f.outcome)) {
        auto attempts = static_cast<std::uint32_t>(row.attempts) + 1;
        if (attempts >= config.outbound.max_attempts) {
            auto tries = std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
            work.outbox_failed(row.id, "gave up after " + tries + "; the last: " + again->reason, now);
            count(row.integration, &IntegrationCounts::failed);
            return;
        }
        std::uniform_real_distribution<double> jitter(0.0, 1.0);
        auto delay = again->after_ms ? *again->after_ms + 1 : backoff_ms(attempts, config.outbound.max_backoff_ms, jitter(rng));
        if (again->after_ms && again->account_wide) pacer.hold_bot(row.integration, steady + delay);
        else if (again->after_ms) pacer.hold(row.integration, row.chat, steady + delay);
        work.outbox_retry(row.id, now + delay, again->reason, now);
        count(row.integration, &IntegrationCounts::retried);
        if (again->maybe_delivered) count(row.integration, &IntegrationCounts::uncertain);
    } else {
        const auto& refused = std::get<Refused>(f.outcome);
        work.outbox_failed(row.id, refused.reason, now);
        // Recorded as my_chat_member's `kicked` is, so that the delivery policies refuse the next
        // reply before sending: T2's reads it as contact.blocked_bot, TB4's (the Business chat
        // of the same user) as conversation.customer_stopped_bot.
        if (refused.recipient_gone && is_one_users_chat(row.chat_kind))
            work.set_bot_blocked(row.integration, "telegram", row.chat, true, now);
        count(row.integration, &IntegrationCounts::failed);
    }
}

void Dispatcher::Impl::send_loop() {
    std::unique_lock lock(mutex);
    for (;;) {
        send_wake.wait(lock, [&] { return stopping || !jobs.empty(); });
        if (stopping) return;
        auto row = std::move(jobs.front());
        jobs.pop_front();
        lock.unlock();
        auto outcome = deliver(row);
        auto ended = common::steady_clock_ms();
        lock.lock();
        finished.push_back({std::move(row), std::move(outcome), ended});
        decide_wake.notify_one();
    }
}

Outcome Dispatcher::Impl::deliver(const store::OutboxRow& row) {
    auto route = routes.find(row.integration);
    if (route == routes.end()) return Refused{"the integration `" + row.integration + "` is not in the configuration any more"};
    if (const auto* why = std::get_if<std::string>(&route->second.endpoint)) return Refused{*why};
    auto outgoing = read_outgoing(row.method, row.params);
    if (!outgoing) return Refused{"this version cannot read the outbox row (method `" + row.method + "`)"};
    if (const auto* wazzup = std::get_if<WazzupEndpoint>(&route->second.endpoint)) {
        if (outgoing->method != Method::wazzup_message) return Refused{"Wazzup takes no `" + row.method + "`"};
        return wazzup_outcome(client.send(wazzup->origin, wazzup_request(*wazzup, row.chat, *outgoing, row.id)));
    }
    const auto& endpoint = std::get<BotEndpoint>(route->second.endpoint);
    if (outgoing->method == Method::wazzup_message) return Refused{"the Bot API takes no `" + row.method + "`"};
    std::optional<Upload> upload;
    if (uploads_file(outgoing->method)) {
        std::optional<std::string> bytes;
        if (row.file && row.file->blob) bytes = files.read(*row.file->blob);
        if (!bytes) return Refused{"the file's bytes are not in the file store"};
        upload = Upload{row.file->name, row.file->mime, std::move(*bytes)};
    }
    auto request = telegram_request(endpoint, row.chat, row.business_connection, *outgoing, upload ? &*upload : nullptr);
    return telegram_outcome(client.send(endpoint.origin, request));
}

Dispatcher::Dispatcher(const config::Config& config, store::Store& store, files::FileStore& files)
    : impl_(std::make_unique<Impl>(config, store, files)) {
    for (std::uint32_t i = 0; i < config.outbound.connections; ++i)
        impl_->senders.emplace_back([this] {
            common::name_this_thread("sy-send");
            impl_->send_loop();
        });
    impl_->decider = std::thread([this] {
        common::name_this_thread("sy-outbox");
        impl_->decide_loop();
    });
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::wake() {
    std::lock_guard lock(impl_->mutex);
    impl_->woken = true;
    impl_->decide_wake.notify_one();
}

void Dispatcher::stop() {
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->stopping && !impl_->decider.joinable()) return;
        impl_->stopping = true;
        impl_->decide_wake.notify_all();
        impl_->send_wake.notify_all();
    }
    if (impl_->decider.joinable()) impl_->decider.join();
    for (auto& t : impl_->senders)
        if (t.joinable()) t.join();
}

std::map<std::string, IntegrationCounts> Dispatcher::counts() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->counts;
}

std::uint64_t Dispatcher::resent() const { return impl_->resent.load(); }

std::string Dispatcher::metrics_text() const {
    std::ostringstream out;
    auto counts = this->counts();
    auto family = [&](std::string_view name, std::string_view help, std::uint64_t IntegrationCounts::*field) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n";
        for (const auto& [integration, c] : counts) out << name << "{integration=\"" << integration << "\"} " << c.*field << '\n';
    };
    family("switchyard_outbox_sent_total", "outbound messages the platform accepted", &IntegrationCounts::sent);
    family("switchyard_outbox_retried_total", "outbound attempts that failed and were scheduled again", &IntegrationCounts::retried);
    family("switchyard_outbox_failed_total", "outbound messages that ended failed", &IntegrationCounts::failed);
    family("switchyard_outbox_uncertain_total", "retries of requests the platform may have taken already",
           &IntegrationCounts::uncertain);
    auto stats = impl_->store.outbox_stats();
    auto now = common::wall_clock_ms();
    double age = stats.oldest_created_at ? static_cast<double>(now - *stats.oldest_created_at) / 1000.0 : 0.0;
    out << "# HELP switchyard_outbox_depth outbound messages queued or sending\n# TYPE switchyard_outbox_depth gauge\n"
        << "switchyard_outbox_depth " << stats.depth << '\n'
        << "# HELP switchyard_outbox_oldest_age_seconds age of the oldest message queued or sending\n"
        << "# TYPE switchyard_outbox_oldest_age_seconds gauge\nswitchyard_outbox_oldest_age_seconds " << age << '\n'
        << "# HELP switchyard_outbox_resent_total messages found sending at start and sent again\n"
        << "# TYPE switchyard_outbox_resent_total counter\nswitchyard_outbox_resent_total " << resent() << '\n';
    return out.str();
}

}  // namespace switchyard::outbox
