// `switchyard serve --config FILE.toml`: the webhook server on the compiled rules.
#include "cli/commands.hpp"

#include "bytecode/serialize.hpp"
#include "cli/cli.hpp"
#include "common/clock.hpp"
#include "console/console.hpp"
#include "runtime/actions/actions.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/files/file_store.hpp"
#include "runtime/outbox/dispatcher.hpp"
#include "runtime/outbox/downloads.hpp"
#include "runtime/server/follow.hpp"
#include "runtime/server/rulesets.hpp"
#include "runtime/server/server.hpp"
#include "runtime/store/store.hpp"
#include "runtime/worker/channels.hpp"
#include "runtime/worker/retention.hpp"
#include "runtime/worker/worker.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

#include <sys/resource.h>
#include <unistd.h>

namespace switchyard::cli {

namespace {

// The ruleset the configuration names, loaded: rule files compiled now, or a compiled file read.
// A file that cannot be read, rules that do not compile and a file the loader refuses are the
// reason instead, in the words `serve` prints.
server::Offer load_configured(const config::Config& config) {
    server::Offer offer;
    if (!config.compiled.empty()) {
        auto bytes = read_file(config.compiled);
        if (!bytes) return {{}, "cannot read the compiled ruleset `" + config.compiled + "`"};
        offer = server::offer_compiled(std::move(*bytes));
    } else {
        // The same compilation as `switchyard compile`; its messages become the reason.
        std::ostringstream messages;
        try {
            auto module = compile_paths({config.rules}, false, messages, messages).module;
            offer.compiled = bytecode::write(module);
            offer.loaded = vm::load_module(std::move(module));
        } catch (const Failed&) {
            return {{}, "the rules in `" + config.rules + "` do not compile:\n" + messages.str()};
        }
    }
    if (auto* refused = std::get_if<std::string>(&offer.loaded)) offer.loaded = "the ruleset is refused: " + *refused;
    return offer;
}

// Where the configuration's ruleset comes from, for its `configured` events.
std::string configured_detail(const config::Config& config) {
    return config.compiled.empty() ? "compiled from `" + config.rules + "`" : "read from `" + config.compiled + "`";
}

// "Olga Owner published at 2026-12-06T07:01:02Z (the new greeting)"
std::string made_to_serve(const store::RulesetEvent& e) {
    std::string who = e.by.kind == "employee" ? e.by.name : "a caller with the API token";
    std::string how = e.action == store::RulesetAction::rollback ? " rolled back to at " : " published at ";
    return who + how + common::iso_time(e.at) + (e.reason ? " (" + *e.reason + ")" : "");
}

// What the start and SIGHUP print of a ruleset swapped in through the API that serves again
// (`restored`), or that is refused now, the configuration's serving instead.
void report_restored(const server::Served& served, std::string_view when, std::ostream& out, std::ostream& err) {
    if (served.restored)
        out << "switchyard serve: " << when << "serving version " << served.restored->version.value_or("") << ", which "
            << made_to_serve(*served.restored) << ", not the configured rules' " << served.configured.value_or("")
            << ": they are unchanged since they were last loaded (change them and send SIGHUP, or use `switchyard "
               "rulesets rollback`, to serve another)"
            << std::endl;
    if (served.restore_refused)
        err << "switchyard serve: " << when << "the ruleset swapped in through the API last (version "
            << served.restore_refused->version.value_or("") << ") is refused now, so the configured one serves: "
            << served.restore_refused->reason << std::endl;
}

// The first ruleset: the configuration's, or the one swapped in through the API since its files
// were last loaded (server::serve_configured). Without it nothing serves, so a refusal is the
// exit code. Settings that do not fit are a mistake of the configuration, reported as its other
// mistakes are (exit 2); any other refusal is the rules' (exit 1).
std::optional<int> start_serving(engine::RulesetHolder& rulesets, store::Store& store, const config::Config& config,
                                 std::ostream& out, std::ostream& err) {
    auto served = server::serve_configured(rulesets, store, config, load_configured(config), configured_detail(config));
    report_restored(served, "", out, err);
    const auto* refused = std::get_if<engine::Refused>(&served.result);
    if (!refused) return std::nullopt;
    if (refused->cause == engine::Refused::Cause::settings_misfit) {
        common::render_text(refused->diagnostics, *config.sources, err);
        return exit_usage;
    }
    err << "switchyard serve: " << refused->reason << '\n';
    return exit_problems;
}

// SIGHUP: compile or load the configuration's ruleset again, and serve as at the start; a
// refused one leaves the old one serving.
void reload(engine::RulesetHolder& rulesets, store::Store& store, const config::Config& config, std::ostream& out,
            std::ostream& err) {
    try {
        auto served = server::serve_configured(rulesets, store, config, load_configured(config), configured_detail(config));
        report_restored(served, "SIGHUP: ", out, err);
        if (const auto* refused = std::get_if<engine::Refused>(&served.result)) {
            err << "switchyard serve: SIGHUP: keeping version " << refused->kept_version.value_or("(none)") << ": "
                << refused->reason << std::endl;
        } else if (!served.restored) {
            out << "switchyard serve: SIGHUP: now serving version " << std::get<engine::Swapped>(served.result).ruleset->version
                << std::endl;
        }
    } catch (const store::StoreError& e) {
        err << "switchyard serve: SIGHUP: nothing changed, the store failed: " << e.what() << std::endl;
    }
}

// The file store's folder: as configured, else beside the database (`var/switchyard.db` ->
// `var/switchyard.files`); an in-memory database keeps its files in a temporary folder.
std::filesystem::path files_folder(const config::Config& config) {
    if (!config.files.path.empty()) return config.files.path;
    if (config.storage == ":memory:")
        return std::filesystem::temp_directory_path() / ("switchyard-files-" + std::to_string(::getpid()));
    return files::files_path(config.storage);
}

std::string counter(std::string_view name, std::string_view help, std::uint64_t value) {
    std::string n(name);
    return "# HELP " + n + " " + std::string(help) + "\n# TYPE " + n + " counter\n" + n + " " + std::to_string(value) + "\n";
}

std::string worker_metrics(const worker::Worker& worker, const worker::Pruner& pruner, const log::Logger& log) {
    return counter("switchyard_unknown_channel_messages_total", "Wazzup messages on channels the configuration does not list",
                   worker.unknown_channel_messages()) +
           counter("switchyard_worker_conflicts_total",
                   "batches run again because another server's worker wrote the same rows (PostgreSQL)", worker.conflicts()) +
           counter("switchyard_inbox_pruned_total", "processed webhook bodies deleted by the retention pruning",
                   pruner.inbox_pruned()) +
           counter("switchyard_decisions_pruned_total", "decision-log rows deleted by the retention pruning",
                   pruner.decisions_pruned()) +
           counter("switchyard_log_lines_dropped_total", "log lines left out because the output could not keep up",
                   log.dropped());
}

store::Durability durability_of(const config::Config& config) {
    return config.durability == config::Durability::power_loss ? store::Durability::power_loss
                                                               : store::Durability::process_crash;
}

// Each connection takes a file descriptor: the soft limit (often 1024) is raised as far as the
// hard one allows towards max_connections and room for the database, the files and the
// outbox. Below that, accepts pause on EMFILE instead; the log says so now rather than then.
void raise_open_file_limit(const config::Config& config, log::Logger& log) {
    constexpr rlim_t spare = 256;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    rlim_t wanted = config.max_connections + spare;
    if (limit.rlim_cur < wanted) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    if (limit.rlim_cur < wanted)
        log.write(log::Level::warn, "open_file_limit",
                  {{"limit", static_cast<std::uint64_t>(limit.rlim_cur)},
                   {"max_connections", config.max_connections},
                   {"help", "raise the hard limit (LimitNOFILE= in a systemd unit, ulimit -Hn) or lower [server] max_connections"}});
}

}  // namespace

int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& err) {
    config::Config config;
    try {
        config = config::load(options.config);
    } catch (const config::ConfigError& e) {
        err << e.what() << '\n';
        return exit_usage;
    }
    engine::RulesetHolder rulesets;
    log::Logger log(config.log);
    raise_open_file_limit(config, log);
    try {
        if (auto folder = std::filesystem::path(config.storage).parent_path(); !folder.empty() && !store::is_postgres(config.storage))
            std::filesystem::create_directories(folder);
        // The store first: it says which ruleset serves (the configuration's, or one swapped in since).
        store::Store store(config.storage, store::current_schema(), {durability_of(config)});
        if (auto refused = start_serving(rulesets, store, config, out, err)) return *refused;
        const auto current = rulesets.current();
        files::FileStore files(files_folder(config), {config.files.max_file, config.files.max_total});
        // The outbox's threads first: the worker and the API wake them.
        outbox::Dispatcher dispatcher(config, store, files);
        outbox::Downloader downloader(config, store, files);
        worker::ChannelBook channels(config, store);
        actions::Desk desk(config, store, files, rulesets, channels, [&dispatcher] { dispatcher.wake(); });
        worker::Worker worker(store, config, rulesets);
        worker.use_channels(&channels);
        worker.use_log(&log);
        worker.on_queued([&] {
            dispatcher.wake();
            downloader.wake();
        });
        worker.start();
        worker::Pruner pruner(store, config.retention, &log);
        pruner.start();
        // Several servers on one database: a ruleset one of them swaps in serves on each.
        std::optional<server::RulesetFollower> follower;
        if (store.shared()) follower.emplace(rulesets, store, config, log);
        server::Context context(config, store, rulesets, [&worker] { worker.wake(); });
        context.desk = &desk;
        context.wake_outbox = [&dispatcher] { dispatcher.wake(); };
        context.log = &log;
        context.more_metrics = [&dispatcher, &worker, &pruner, &log] {
            return dispatcher.metrics_text() + worker_metrics(worker, pruner, log);
        };
        auto console = console::attach(context, [](const std::vector<std::string>& args, std::istream& in, std::ostream& o,
                                                   std::ostream& e) { return run(args, in, o, e); });
        server::Server server(context, options.threads);
        out << "switchyard serve: listening on http://" << config.listen_address << ':' << server.port() << ", ruleset "
            << current->image->module().name << " version " << current->version << ", storage " << store.name()
            << " (durability " << config::durability_name(store.durability() == store::Durability::power_loss ? config::Durability::power_loss : config::Durability::process_crash)
            << "), files " << files_folder(config).string()
            << std::endl;
        if (console.enabled)
            out << "switchyard serve: the console is at http://" << config.listen_address << ':' << server.port() << "/console/"
                << std::endl;
        if (!console.problem.empty()) out << "switchyard serve: " << console.problem << std::endl;
        if (config.public_url.empty())
            out << "switchyard serve: [server] public_url is not set: download links in messages point at "
                << config.public_base_url() << ", which customers may not reach" << std::endl;
        server.run([&] { reload(rulesets, store, config, out, err); });
        store.drain_accepts();  // webhooks committed as the server stopped are answered into its stopped loop, not after it
        follower.reset();
        pruner.stop();
        worker.stop();
        dispatcher.stop();
        downloader.stop();
        out << "switchyard serve: stopped" << std::endl;
    } catch (const std::exception& e) {
        err << "switchyard serve: " << e.what() << '\n';
        return exit_problems;
    }
    return exit_ok;
}

}  // namespace switchyard::cli
