// switchyard_crash_campaign: kill -9 the real server again and again under traffic, and check
// that nothing acknowledged was lost or applied twice. See `--help`.
#include "tests/server/crash_campaign/check.hpp"
#include "tests/server/crash_campaign/config.hpp"
#include "tests/server/crash_campaign/traffic.hpp"
#include "tests/server/harness.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <iostream>
#include <random>
#include <thread>

using namespace switchyard;
using namespace switchyard::campaign;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* description = R"(Crash campaign: the real `switchyard serve` under steady traffic, killed with SIGKILL
again and again.

It starts the server built beside this tool with a Telegram bot and a Wazzup account, each
calling a fake of its API that answers after --api-delay (so that requests are in flight when
a kill comes). Customers write through webhooks at --rate a second (distinct update ids and
message ids, --customers per messenger, one webhook in four Wazzup's), each webhook posted
again until the server answers 200, as the messengers redeliver; an employee answers random
tasks through the API (POST /api/v1/tasks/{id}/comments) at --reply-rate a second. The server is
killed --kills times, after a random wait between --min-gap and --max-gap seconds (drawn from
--seed), and started again on the same database each time. Then the traffic stops, and the
campaign waits for the inbox and the outbox to drain and checks:

  - every webhook answered 200 was applied exactly once (one comment per message text);
  - every reply the API answered 201 reached the fake API at least once, and every outbound
    comment ended sent, or failed with a reason (none is left queued);
  - Telegram's duplicates (one text sent twice: Telegram cannot deduplicate) are at most the
    requests in flight at the kills (switchyard_outbox_resent_total, summed) plus the uncertain
    retries; Wazzup's repeats are refused by crmMessageId, and no text is accepted twice.

It prints a report (--json for JSON) and exits 0 when nothing was lost or applied twice, 1
when something was, and 2 when the campaign itself could not run (the server would not start).)";

struct Options {
    int kills = 20;
    double rate = 40;
    double reply_rate = -1;  // rate / 5 unless given
    std::uint64_t seed = 0;
    bool json = false;
    double min_gap = 0.5;
    double max_gap = 3.0;
    int customers = 5;
    int api_delay_ms = 20;
    bool wazzup = true;
    double drain_timeout = 60;
};

void add_options(CLI::App& app, Options& o) {
    app.add_option("--kills", o.kills, "how many times to kill the server (SIGKILL)")->capture_default_str()->check(CLI::NonNegativeNumber);
    app.add_option("--rate", o.rate, "webhooks posted per second")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--reply-rate", o.reply_rate, "employees' replies posted per second (default: rate / 5; 0: none)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--seed", o.seed, "seed of the kills' timing and the replies' tasks (default: random, printed)");
    app.add_flag("--json", o.json, "print the report as JSON");
    app.add_option("--min-gap", o.min_gap, "shortest wait between two kills, in seconds")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--max-gap", o.max_gap, "longest wait between two kills, in seconds")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--customers", o.customers, "customers per messenger")->capture_default_str()->check(CLI::Range(1, 1000));
    app.add_option("--api-delay", o.api_delay_ms, "milliseconds the fake APIs take to answer")->capture_default_str()->check(CLI::Range(0, 1000));
    app.add_flag("!--no-wazzup", o.wazzup, "Telegram traffic only");
    app.add_option("--drain-timeout", o.drain_timeout, "seconds to wait for the inbox and the outbox to drain")->capture_default_str();
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string tail_of(const std::string& text, std::size_t n) { return text.size() > n ? text.substr(text.size() - n) : text; }

std::int64_t counter_or_zero(std::int64_t value) { return value < 0 ? 0 : value; }

// Waits until every stored webhook is processed and no outbound message is queued or sending.
bool drain(testing::ServerProcess& server, double seconds) {
    auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    if (!server.wait_until_processed(seconds)) return false;
    while (testing::metric(server.port(), "switchyard_outbox_depth") != 0) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

// The counters of one server process that bound Telegram's duplicates, before it dies.
void add_duplicate_bounds(std::uint16_t port, Report& report) {
    report.telegram.in_flight_at_kills += counter_or_zero(testing::metric(port, "switchyard_outbox_resent_total"));
    report.telegram.uncertain += counter_or_zero(testing::labeled_metric(port, "switchyard_outbox_uncertain_total", "tg"));
}

int run(const Options& o) {
    auto started = Clock::now();
    Report report;
    report.seed = o.seed;
    report.webhook_rate = o.rate;
    report.reply_rate = o.reply_rate;

    testing::FakeTelegram telegram;
    testing::FakeWazzup wazzup;
    telegram.set_delay(std::chrono::milliseconds(o.api_delay_ms));
    wazzup.set_delay(std::chrono::milliseconds(o.api_delay_ms));
    testing::ServerProcess server(campaign_toml(telegram.base_url(), wazzup.base_url()), "crash-campaign");
    Target target;
    Ledger ledger;
    Traffic traffic({o.rate, o.reply_rate, o.customers, o.wazzup, o.seed}, target, ledger);
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> gap(o.min_gap, std::max(o.min_gap, o.max_gap));
    auto wait_a_gap = [&] { std::this_thread::sleep_for(std::chrono::duration<double>(gap(rng))); };

    try {
        server.start();
        target.port = server.port();
        auto traffic_started = Clock::now();
        traffic.start();
        for (int kill = 0; kill < o.kills; ++kill) {
            wait_a_gap();
            add_duplicate_bounds(server.port(), report);
            target.port = 0;
            server.kill(SIGKILL);
            ++report.kills;
            server.start();
            target.port = server.port();
        }
        wait_a_gap();  // traffic after the last restart too
        traffic.stop();
        report.traffic_seconds = seconds_since(traffic_started);
        auto drain_started = Clock::now();
        if (!drain(server, o.drain_timeout))
            report.problems.push_back("the server did not drain in " + std::to_string(o.drain_timeout) + " s");
        report.drain_seconds = seconds_since(drain_started);
        add_duplicate_bounds(server.port(), report);
        check_campaign(server.port(), ledger, telegram, wazzup, report);
    } catch (const std::exception& e) {
        traffic.stop();
        std::cerr << "crash campaign: could not run after " << report.kills << " kills: " << e.what() << "\n";
        return 2;
    }
    report.wall_seconds = seconds_since(started);
    if (o.json) print_json(report, std::cout);
    else print_text(report, std::cout);
    if (!report.ok()) std::cerr << "the server's log, its end:\n" << tail_of(server.output(), 4000);
    return report.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app(description, "switchyard_crash_campaign");
    Options options;
    add_options(app, options);
    CLI11_PARSE(app, argc, argv);
    if (options.reply_rate < 0) options.reply_rate = options.rate / 5;
    if (app.count("--seed") == 0) options.seed = std::random_device{}();
    return run(options);
}
