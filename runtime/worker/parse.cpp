// The adapters as the worker's parser. In a file of its own, so that a program that gives its
// own parser (the tests of the worker) does not need the adapters linked.
#include "runtime/adapters/adapters.hpp"
#include "runtime/files/file_store.hpp"
#include "runtime/worker/worker.hpp"

#include <algorithm>

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

namespace {

// The conversation an event belongs to, as a lane: the chat (a Telegram chat id, a Wazzup
// chatId) for what happens in one; a Business connection and a sent message's statuses are
// lanes of their own.
std::string lane_of(const config::Integration& integration, const adapters::Event& event) {
    using adapters::EventType;
    std::string lane = integration.id + ' ';
    switch (event.type) {
        case EventType::message: return lane + "chat " + event.message.chat_external_id;
        case EventType::reaction: return lane + "chat " + event.reaction.chat_external_id;
        case EventType::deleted: return lane + "chat " + event.deleted.chat_external_id;
        case EventType::member_change: return lane + "chat " + event.member.chat_external_id;
        case EventType::business_connection: return lane + "business " + event.business.id;
        case EventType::status: return lane + "sent " + event.status.message_id;
    }
    return lane;
}

}  // namespace

store::InboxKeys inbox_keys(const Parser& parser, const config::Integration& integration, std::string_view body) {
    store::InboxKeys keys;
    std::string redelivery;
    try {
        for (const auto& event : parser(integration, body).events) {
            redelivery += event.dedup_key;
            redelivery += '\n';
            auto lane = lane_of(integration, event);
            if (std::find(keys.lanes.begin(), keys.lanes.end(), lane) == keys.lanes.end()) keys.lanes.push_back(std::move(lane));
        }
    } catch (const adapters::ParseError&) {
        keys.lanes.clear();
        redelivery.clear();
    }
    keys.key = integration.id + ':' + files::sha256_hex(redelivery.empty() ? body : std::string_view(redelivery));
    return keys;
}

Worker::Worker(store::Store& store, const config::Config& config, engine::RulesetHolder& rulesets)
    : Worker(store, config, rulesets, adapters_parser()) {}

}  // namespace switchyard::worker
