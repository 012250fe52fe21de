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

// The lanes of an event: the conversation it belongs to (the chat: a Telegram chat id, a Wazzup
// chatId; a Business connection and a sent message's statuses are lanes of their own), and the
// person who made it, by their id and their phone, whatever chat it came from: what one
// person does is processed in order however many chats (and messengers, when a phone joins
// them to one contact) it comes through, so that two workers never decide about one contact at
// once.
std::vector<std::string> lanes_of(const config::Integration& integration, const adapters::Event& event) {
    using adapters::EventType;
    auto chat = [&](const std::string& id) { return integration.id + " chat " + id; };
    std::vector<std::string> lanes;
    auto person = [&](const adapters::Person& p) {
        if (!p.external_id.empty()) lanes.push_back("person " + p.external_id);
        if (p.phone && !p.phone->empty()) lanes.push_back("phone " + *p.phone);
    };
    switch (event.type) {
        case EventType::message:
            lanes.push_back(chat(event.message.chat_external_id));
            person(event.message.sender);
            break;
        case EventType::reaction:
            lanes.push_back(chat(event.reaction.chat_external_id));
            if (event.reaction.by) person(*event.reaction.by);
            break;
        case EventType::deleted: lanes.push_back(chat(event.deleted.chat_external_id)); break;
        case EventType::member_change:
            lanes.push_back(chat(event.member.chat_external_id));
            person(event.member.user);
            break;
        case EventType::business_connection: lanes.push_back(integration.id + " business " + event.business.id); break;
        case EventType::status: lanes.push_back(integration.id + " sent " + event.status.message_id); break;
    }
    return lanes;
}

}  // namespace

store::InboxKeys inbox_keys(const Parser& parser, const config::Integration& integration, std::string_view body) {
    store::InboxKeys keys;
    std::string redelivery;
    try {
        for (const auto& event : parser(integration, body).events) {
            redelivery += event.dedup_key;
            redelivery += '\n';
            for (auto& lane : lanes_of(integration, event))
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
