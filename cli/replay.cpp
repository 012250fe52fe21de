// `switchyard replay`: a candidate ruleset over the decision log of a storage (runtime/replay).
#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include "common/civil.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/replay/replay.hpp"
#include "runtime/store/recorded.hpp"
#include "runtime/store/store.hpp"

#include <unistd.h>

#include <iostream>

namespace switchyard::cli {

namespace {

// `--since 2026-12-01` or `--since 2026-12-01T09:00Z`: milliseconds since 1970, UTC.
std::optional<std::int64_t> instant_option(const std::string& text, std::string_view option, std::ostream& err) {
    if (text.empty()) return std::nullopt;
    if (auto instant = common::parse_instant(text); instant.ok()) return instant.value;
    if (auto date = common::parse_date(text); date.ok()) return date.value * 86'400'000;
    err << "switchyard: error: " << option << " `" << text
        << "` is neither a date (2026-12-01) nor a time (2026-12-01T09:00Z)\n";
    throw Failed{exit_usage};
}

std::shared_ptr<const vm::Image> candidate(const ReplayOptions& options, std::ostream& err) {
    if (!options.ruleset.empty()) return load_ruleset_file(options.ruleset, err);
    return load_image(compile_paths(options.rules, false, err, err).module, err);
}

// Replays every row the filter admits, with a line on standard error every so many rows when it
// is a terminal (a large log takes a while).
replay::Report replay_log(store::RecordedLog& log, const store::LogFilter& filter, replay::Replayer& replayer, std::ostream& err) {
    const bool progress = ::isatty(STDERR_FILENO) == 1 && &err == &std::cerr;
    std::size_t seen = 0;
    log.each(filter, [&](const store::RecordedRow& row) {
        replayer.row(row);
        if (progress && ++seen % 50'000 == 0) err << "switchyard replay: " << seen << " rows read\r" << std::flush;
    });
    if (progress && seen >= 50'000) err << '\n';
    return replayer.report();
}

}  // namespace

int run_replay(const ReplayOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        auto config = read_configuration(options.config, err);
        store::LogFilter filter;
        filter.since = instant_option(options.since, "--since", err);
        filter.until = instant_option(options.until, "--until", err);
        if (!options.integration.empty()) {
            if (!config.integration(options.integration)) {
                err << "switchyard: error: --integration `" << options.integration << "` is not in " << options.config << '\n';
                throw Failed{exit_usage};
            }
            filter.integration = options.integration;
        }
        if (options.last > 0) filter.last = options.last;
        auto image = candidate(options, err);
        // The candidate must fit the configuration as the server would require it.
        auto misfit = engine::check_settings(config, *image);
        auto fields = engine::check_contact_fields(config, *image);
        misfit.insert(misfit.end(), fields.begin(), fields.end());
        if (!misfit.empty()) {
            err << "switchyard: error: the configuration's settings do not fit the candidate:\n"
                << common::render_text_string(misfit, *config.sources) << '\n';
            throw Failed{exit_problems};
        }
        std::string path = options.database.empty() ? config.storage : options.database;
        std::unique_ptr<store::RecordedLog> log;
        try {
            log = std::make_unique<store::RecordedLog>(path);
        } catch (const store::StoreError& e) {
            err << "switchyard: error: " << e.what() << '\n';
            throw Failed{exit_usage};
        }
        replay::Replayer replayer(image, engine::version_of(*image), config, {options.sample, options.max_listed});
        auto report = replay_log(*log, filter, replayer, err);
        if (options.format == OutputFormat::json) out << boost::json::serialize(replay::to_json(report)) << '\n';
        else out << replay::to_text(report);
        if (options.max_changed && static_cast<std::int64_t>(report.changed) > *options.max_changed) {
            err << "switchyard replay: " << report.changed << " events changed, more than --max-changed " << *options.max_changed << '\n';
            return int(exit_problems);
        }
        return int(exit_ok);
    });
}

}  // namespace switchyard::cli
