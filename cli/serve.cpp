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
#include <ostream>
#include <sstream>

namespace switchyard::cli {

namespace {

// The ruleset the configuration names: rule files compiled now, or a compiled file.
std::variant<std::shared_ptr<const engine::Ruleset>, std::string> load_ruleset(const config::Config& config) {
    std::variant<std::shared_ptr<const vm::Image>, std::string> loaded = std::string();
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
    if (auto* problem = std::get_if<std::string>(&loaded)) return "the ruleset is refused: " + *problem;
    auto image = std::get<std::shared_ptr<const vm::Image>>(loaded);
    auto version = engine::version_of(*image);
    return std::make_shared<const engine::Ruleset>(engine::Ruleset{std::move(image), std::move(version)});
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
    auto ruleset = load_ruleset(config);
    if (auto* problem = std::get_if<std::string>(&ruleset)) {
        err << "switchyard serve: " << *problem << '\n';
        return exit_problems;
    }
    const auto& current = std::get<std::shared_ptr<const engine::Ruleset>>(ruleset);
    try {
        config::check_settings(config, *current->image);
    } catch (const config::ConfigError& e) {
        err << e.what() << '\n';
        return exit_usage;
    }
    try {
        if (auto folder = std::filesystem::path(config.storage).parent_path(); !folder.empty())
            std::filesystem::create_directories(folder);
        store::Store store(config.storage);
        engine::RulesetHolder rulesets;
        rulesets.swap(current);
        worker::Worker worker(store, config, rulesets);
        worker.start();
        server::Context context(config, store, rulesets, [&worker] { worker.wake(); });
        server::Server server(context, options.threads);
        out << "switchyard serve: listening on http://" << config.listen_address << ':' << server.port() << ", ruleset "
            << current->image->module().name << " version " << current->version << ", storage " << config.storage
            << std::endl;
        // SIGHUP: compile or load the ruleset again; a refused one leaves the old one serving.
        server.run([&] {
            auto next = load_ruleset(config);
            if (auto* loaded = std::get_if<std::shared_ptr<const engine::Ruleset>>(&next)) {
                try {
                    config::check_settings(config, *(*loaded)->image);
                } catch (const config::ConfigError& e) {
                    next = std::string("the configuration's settings do not fit it:\n") + e.what();
                }
            }
            if (auto* problem = std::get_if<std::string>(&next)) {
                err << "switchyard serve: SIGHUP: keeping version " << rulesets.current()->version << ": " << *problem << std::endl;
                return;
            }
            rulesets.swap(std::get<std::shared_ptr<const engine::Ruleset>>(next));
            out << "switchyard serve: SIGHUP: now serving version " << rulesets.current()->version << std::endl;
        });
        worker.stop();
        out << "switchyard serve: stopped" << std::endl;
    } catch (const std::exception& e) {
        err << "switchyard serve: " << e.what() << '\n';
        return exit_problems;
    }
    return exit_ok;
}

}  // namespace switchyard::cli
