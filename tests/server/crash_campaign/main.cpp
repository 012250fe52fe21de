// switchyard_crash_campaign: kill -9 the real server again and again under traffic, and check
// that nothing acknowledged was lost or applied twice. See `--help`.
#include "tests/server/crash_campaign/check.hpp"
#include "tests/server/crash_campaign/config.hpp"
#include "tests/server/crash_campaign/traffic.hpp"
#include "tests/server/harness.hpp"
#include "tests/support/postgres.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>

#include <chrono>
#include <csignal>
#include <iostream>
#include <random>
#include <thread>

#include <unistd.h>

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

With --postgres the server runs on a database of a PostgreSQL the tool starts (initdb into a
temporary folder), and with --servers N (up to 4, PostgreSQL only) N servers share it and its
files folder: webhooks and replies take turns between the servers that are up, and each kill
takes one server at random. Then also:

  - a customer's messages, each posted once the one before was answered, are applied in that
    order (their comments in each task are in the order of the webhooks).

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
    bool postgres = false;
    int servers = 1;
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
    app.add_flag("--postgres", o.postgres, "run on a PostgreSQL database the tool starts, not an SQLite file");
    app.add_option("--servers", o.servers, "servers on the one database (more than one needs --postgres)")
        ->capture_default_str()
        ->check(CLI::Range(1, static_cast<int>(Target::most)));
}

// The servers' configuration: SQLite in each one's folder, or one PostgreSQL database and one
// files folder for all.
std::string servers_toml(const Options& o, const std::string& telegram_url, const std::string& wazzup_url,
                         const std::filesystem::path& shared_files) {
    auto toml = campaign_toml(telegram_url, wazzup_url);
    if (!o.postgres) return toml;
    auto* postgres = testing::TestPostgres::shared();
    if (!postgres) throw std::runtime_error("no PostgreSQL: " + testing::TestPostgres::why());
    toml = testing::replace_all(toml, "\"{{dir}}/var/switchyard.db\"", "\"" + postgres->new_database_uri() + "\"");
    return toml + "\n[files]\npath = \"" + shared_files.string() + "\"\n";
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string tail_of(const std::string& text, std::size_t n) { return text.size() > n ? text.substr(text.size() - n) : text; }

std::int64_t counter_or_zero(std::int64_t value) { return value < 0 ? 0 : value; }

// Waits until every stored webhook is processed and no outbound message is queued or sending.
// On a shared database one server's figures are all of them.
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

using Servers = std::vector<std::unique_ptr<testing::ServerProcess>>;

void start(Servers& servers, std::size_t i, Target& target) {
    servers[i]->start();
    target.ports[i] = servers[i]->port();
}

// Kills server `i` and starts it again on the same database.
void kill_and_restart(Servers& servers, std::size_t i, Target& target, Report& report) {
    add_duplicate_bounds(servers[i]->port(), report);
    target.ports[i] = 0;
    servers[i]->kill(SIGKILL);
    ++report.kills;
    start(servers, i, target);
}

std::string output_tails(const Servers& servers) {
    std::string out;
    for (std::size_t i = 0; i < servers.size(); ++i)
        out += "server " + std::to_string(i + 1) + ":\n" + tail_of(servers[i]->output(), 4000 / servers.size()) + "\n";
    return out;
}

int run(const Options& o) {
    auto started = Clock::now();
    Report report;
    report.seed = o.seed;
    report.webhook_rate = o.rate;
    report.reply_rate = o.reply_rate;
    report.servers = o.servers;
    report.storage = o.postgres ? "postgresql" : "sqlite";

    testing::FakeTelegram telegram;
    testing::FakeWazzup wazzup;
    telegram.set_delay(std::chrono::milliseconds(o.api_delay_ms));
    wazzup.set_delay(std::chrono::milliseconds(o.api_delay_ms));
    auto shared_files = std::filesystem::temp_directory_path() / ("switchyard-campaign-files-" + std::to_string(::getpid()));
    Servers servers;
    Target target;
    Ledger ledger;
    Traffic traffic({o.rate, o.reply_rate, o.customers, o.wazzup, o.seed}, target, ledger);
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> gap(o.min_gap, std::max(o.min_gap, o.max_gap));
    std::uniform_int_distribution<std::size_t> which(0, static_cast<std::size_t>(o.servers) - 1);
    auto wait_a_gap = [&] { std::this_thread::sleep_for(std::chrono::duration<double>(gap(rng))); };

    try {
        auto toml = servers_toml(o, telegram.base_url(), wazzup.base_url(), shared_files);
        for (int i = 0; i < o.servers; ++i)
            servers.push_back(std::make_unique<testing::ServerProcess>(toml, "crash-campaign-" + std::to_string(i + 1)));
        for (std::size_t i = 0; i < servers.size(); ++i) start(servers, i, target);
        auto traffic_started = Clock::now();
        traffic.start();
        for (int kill = 0; kill < o.kills; ++kill) {
            wait_a_gap();
            kill_and_restart(servers, which(rng), target, report);
        }
        wait_a_gap();  // traffic after the last restart too
        traffic.stop();
        report.traffic_seconds = seconds_since(traffic_started);
        auto drain_started = Clock::now();
        if (!drain(*servers.front(), o.drain_timeout))
            report.problems.push_back("the servers did not drain in " + std::to_string(o.drain_timeout) + " s");
        report.drain_seconds = seconds_since(drain_started);
        for (const auto& server : servers) add_duplicate_bounds(server->port(), report);
        check_campaign(servers.front()->port(), ledger, telegram, wazzup, report);
    } catch (const std::exception& e) {
        traffic.stop();
        std::cerr << "crash campaign: could not run after " << report.kills << " kills: " << e.what() << "\n";
        return 2;
    }
    std::filesystem::remove_all(shared_files);
    report.wall_seconds = seconds_since(started);
    if (o.json) print_json(report, std::cout);
    else print_text(report, std::cout);
    if (!report.ok()) std::cerr << "the servers' logs, their ends:\n" << output_tails(servers);
    return report.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app(description, "switchyard_crash_campaign");
    Options options;
    add_options(app, options);
    CLI11_PARSE(app, argc, argv);
    if (options.reply_rate < 0) options.reply_rate = options.rate / 5;
    if (options.servers > 1 && !options.postgres) {
        std::cerr << "switchyard_crash_campaign: --servers " << options.servers
                  << " needs --postgres: servers share a PostgreSQL database, never an SQLite file\n";
        return 2;
    }
    if (app.count("--seed") == 0) options.seed = std::random_device{}();
    return run(options);
}
