// The worker: takes stored webhook bodies from the inbox, oldest first, and applies each inside
// a savepoint of the batch's store transaction (the rows pending, up to 256): parse (adapters),
// build the case from the event and the store, run the current ruleset, apply the decisions,
// log them, mark the row done; then one commit for the batch. A kill -9 at any moment loses
// nothing acknowledged and applies nothing twice: a row's effects and its `done` are in the
// same commit, and redelivered events are recognised by their dedup keys (R1).
//
// Order: one thread processes rows strictly in the order they were accepted, so the messages
// of a conversation are applied in order too.
#pragma once

#include "runtime/adapters/event.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/log/log.hpp"
#include "runtime/store/store.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace switchyard::worker {

class ChannelBook;

// What a body holds, for the integration it was posted to. Throws adapters::ParseError for a
// body that is not what the messenger sends.
using Parser = std::function<adapters::Parsed(const config::Integration& integration, std::string_view body)>;

// The adapters: parse_telegram for Telegram bots and Telegram Business, parse_wazzup for Wazzup.
Parser adapters_parser();

// What a server on a shared store keeps with a body it accepts (store::InboxKeys), read by
// `parser`: the key is the events' redelivery keys (a hash of them), or of the body when it
// holds none; a lane per conversation its events belong to. A body that does not parse has the
// body's hash and no lane: the worker fails it with the reason.
store::InboxKeys inbox_keys(const Parser& parser, const config::Integration& integration, std::string_view body);

class Worker {
public:
    // Parses with the adapters.
    Worker(store::Store& store, const config::Config& config, engine::RulesetHolder& rulesets);
    // Parses with `parser` (tests give events they built).
    Worker(store::Store& store, const config::Config& config, engine::RulesetHolder& rulesets, Parser parser);
    ~Worker();  // stops the thread
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void start();  // a thread that processes pending inbox rows, oldest first
    void stop();   // waits for the batch in hand to be committed
    void wake();   // the server calls this after accept()
    // Called after a batch's commit that queued outbox rows or file downloads (the outbox's
    // threads are woken with it). Set before start().
    void on_queued(std::function<void()> callback);
    // The channels as the API changed them (W3-W7); without, the configuration's. Set before start().
    void use_channels(const ChannelBook* channels);
    // A JSON line for each row processed (ids, integration, outcome, duration), and the store's
    // failures; without, those failures go to standard error. Set before start().
    void use_log(log::Logger* log);
    // Wazzup messages on channels the configuration does not list, since start (for /metrics).
    std::uint64_t unknown_channel_messages() const;
    // Batches run again because another server's worker wrote the same rows at once (a shared
    // store; always 0 on SQLite), since start.
    std::uint64_t conflicts() const;

    // Synchronous, for tests and tools: processes every pending row now; the number processed.
    // Nothing is processed while no ruleset is loaded. Throws store::StoreError when the store
    // fails (the row in hand stays pending).
    std::size_t process_pending();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace switchyard::worker
