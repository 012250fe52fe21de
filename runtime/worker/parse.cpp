// The adapters as the worker's parser. In a file of its own, so that a program that gives its
// own parser (the tests of the worker) does not need the adapters linked.
#include "runtime/adapters/adapters.hpp"
#include "runtime/worker/worker.hpp"

namespace switchyard::worker {

Parser adapters_parser() {
    return [](const config::Integration& integration, std::string_view body) {
        if (integration.service == config::Service::wazzup) {
            adapters::WazzupContext context;
            context.integration = integration.id;
            for (const auto& c : integration.channels) context.channel_numbers[c.id] = c.number;
            return adapters::parse_wazzup(body, context);
        }
        adapters::TelegramContext context;
        context.bot_username = integration.bot_username;
        context.integration = integration.id;
        return adapters::parse_telegram(body, context);
    };
}

Worker::Worker(store::Store& store, const config::Config& config, engine::RulesetHolder& rulesets)
    : Worker(store, config, rulesets, adapters_parser()) {}

}  // namespace switchyard::worker
