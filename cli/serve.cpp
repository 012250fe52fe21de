// `switchyard serve --config FILE.toml`: the webhook server on the compiled rules.
#include "cli/commands.hpp"

#include "bytecode/serialize.hpp"
#include "cli/cli.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/server/server.hpp"
#include "runtime/store/store.hpp"
#include "runtime/worker/worker.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

namespace switchyard::cli {

namespace {

// The ruleset the configuration names, loaded: rule files compiled now, or a compiled file read.
// A file that cannot be read, rules that do not compile and a file the loader refuses are the
// reason instead, in the words `serve` prints.
engine::Loaded load_configured(const config::Config& config) {
    engine::Loaded loaded;
    if (!config.compiled.empty()) {
        std::ifstream in(config.compiled, std::ios::binary);
        if (!in) return "cannot read the compiled ruleset `" + config.compiled + "`";
        std::ostringstream bytes;
        bytes << in.rdbuf();
        loaded = vm::load(bytes.str());
    } else {
        // The same compilation as `switchyard compile`; its messages become the reason.
        std::ostringstream messages;
        try {
            loaded = vm::load_module(compile_paths({config.rules}, false, messages, messages).module);
        } catch (const Failed&) {
            return "the rules in `" + config.rules + "` do not compile:\n" + messages.str();
        }
    }
    if (auto* refused = std::get_if<std::string>(&loaded)) return "the ruleset is refused: " + *refused;
    return loaded;
}

// The first ruleset: without it nothing serves, so a refusal is the exit code. Settings that do
// not fit are a mistake of the configuration, reported as its other mistakes are (exit 2); any
// other refusal is the rules' (exit 1).
std::optional<int> start_serving(engine::RulesetHolder& rulesets, const config::Config& config, std::ostream& err) {
    auto result = engine::swap_ruleset(rulesets, load_configured(config), config);
    const auto* refused = std::get_if<engine::Refused>(&result);
    if (!refused) return std::nullopt;
    if (refused->cause == engine::Refused::Cause::settings_misfit) {
        common::render_text(refused->diagnostics, *config.sources, err);
        return exit_usage;
    }
    err << "switchyard serve: " << refused->reason << '\n';
    return exit_problems;
}

// SIGHUP: compile or load the ruleset again; a refused one leaves the old one serving.
void reload(engine::RulesetHolder& rulesets, const config::Config& config, std::ostream& out, std::ostream& err) {
    auto result = engine::swap_ruleset(rulesets, load_configured(config), config);
    if (const auto* refused = std::get_if<engine::Refused>(&result)) {
        err << "switchyard serve: SIGHUP: keeping version " << refused->kept_version.value_or("(none)") << ": "
            << refused->reason << std::endl;
        return;
    }
    out << "switchyard serve: SIGHUP: now serving version " << std::get<engine::Swapped>(result).ruleset->version
        << std::endl;
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
    if (auto refused = start_serving(rulesets, config, err)) return *refused;
    const auto current = rulesets.current();
    try {
        if (auto folder = std::filesystem::path(config.storage).parent_path(); !folder.empty())
            std::filesystem::create_directories(folder);
        store::Store store(config.storage);
        worker::Worker worker(store, config, rulesets);
        worker.start();
        server::Context context(config, store, rulesets, [&worker] { worker.wake(); });
        server::Server server(context, options.threads);
        out << "switchyard serve: listening on http://" << config.listen_address << ':' << server.port() << ", ruleset "
            << current->image->module().name << " version " << current->version << ", storage " << config.storage
            << std::endl;
        server.run([&] { reload(rulesets, config, out, err); });
        worker.stop();
        out << "switchyard serve: stopped" << std::endl;
    } catch (const std::exception& e) {
        err << "switchyard serve: " << e.what() << '\n';
        return exit_problems;
    }
    return exit_ok;
}

}  // namespace switchyard::cli
