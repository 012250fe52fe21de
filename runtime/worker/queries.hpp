// The fact queries of the worker's cases (member_of, has_role, last_message_with), answered
// from the store when a policy first asks, never before: most messages are decided by policies
// that ask none of them, and then nothing is read. Private to runtime/worker.
#pragma once

#include "runtime/engine/records.hpp"
#include "runtime/store/store.hpp"
#include "runtime/vm/host.hpp"
#include "runtime/worker/facts.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::worker {

// What the queries of one message's case are about.
struct QueryScope {
    std::string_view integration;
    std::string_view chat;            // the message's chat, as the store names it
    std::int64_t chat_number = 0;     // the same chat as rules see it (`chat.id`)
    std::int64_t conversation = 0;    // 0: none yet
    const store::TaskRecord* task = nullptr;
    stdlib::Transport transport = stdlib::Transport::telegram;
};

class StoreQueries final : public vm::FactQueries {
public:
    StoreQueries(store::Work& work, const Facts& facts, const records::RecordWriter& writer, vm::Arena& arena)
        : work_(work), facts_(facts), writer_(writer), arena_(arena) {}

    // A new message: forgets what was read for the last one.
    void start(const QueryScope& scope);

    // T4: known members of the chat (chat_members: people seen writing, chat_member updates).
    bool member_of(const vm::Value& person, const vm::Value& chat) const override;
    // The task's assignees and its contact (its author).
    bool has_role(const vm::Value& person, const vm::Value& task) const override;
    // The latest of the conversation's last `history_limit` comments that the person wrote or
    // took part in.
    vm::Value last_message_with(const vm::Value& person) const override;

    // Comments read back for last_message_with; a bound on the work, whatever the chat's length.
    static constexpr std::int64_t history_limit = 50;

private:
    vm::Value message_of(const store::CommentRecord& comment) const;

    store::Work& work_;
    const Facts& facts_;
    const records::RecordWriter& writer_;
    vm::Arena& arena_;  // the case's: what last_message_with returns lives as long as the case
    QueryScope scope_;
    mutable std::optional<std::vector<store::CommentRecord>> history_;  // newest first, read on first use
    mutable std::vector<records::Person> people_;
};

}  // namespace switchyard::worker
