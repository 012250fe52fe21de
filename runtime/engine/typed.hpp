// The decisions the worker applies, as typed structs read straight from the VM's values: one
// place that knows the schema's result constructors by name (stdlib/builtin.cpp). The names
// are looked up once, when a ruleset is loaded: a constructor renamed in the schema makes
// `DecisionReader`'s constructor throw (and every worker test fail) instead of messages being
// dropped as an unknown routing at run time.
//
// Views in these structs (texts, people) point into the VM's arena: they are valid until the
// engine's next decide().
#pragma once

#include "runtime/engine/records.hpp"
#include "runtime/vm/value.hpp"
#include "stdlib/enums.hpp"
#include "stdlib/schema.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::engine {

// routing: thread(key..., title:, description:, assignees:, project:)
struct ThreadRoute {
    std::string key;  // the keys as JSON text, `["79990001122",79011112233]`: how conversations are stored
    std::string_view title;        // empty when not given
    std::string_view description;  // empty when not given
    std::vector<records::Person> assignees;
    std::optional<std::string_view> project;
};
// routing: linked_task(chat)
struct LinkedTaskRoute {
    std::int64_t chat_id = 0;
};
// routing: ignore(reason)
struct IgnoreRoute {
    std::string_view reason;
};
using Route = std::variant<ThreadRoute, LinkedTaskRoute, IgnoreRoute>;

// attachment: attach, inline, link, reject(reason)
enum class FileAction : std::uint8_t { attach, inline_media, link, reject };
std::string_view name_of(FileAction action);
struct FileDecision {
    FileAction action = FileAction::attach;
    std::string_view reason;  // reject only
};

// delivery: send(signature:, reply_to:), internal, refuse(reason)
struct SendDelivery {
    std::optional<std::string_view> signature;  // TB3: the employee's name, when the rules sign
    std::optional<std::int64_t> reply_to;       // the messenger's id of the message to quote
};
struct InternalDelivery {};
struct RefuseDelivery {
    std::string_view reason;
};
using Delivery = std::variant<SendDelivery, InternalDelivery, RefuseDelivery>;

// command: reply(text), create_task, show_open_tasks, add_contact, pass
struct ReplyCommand {
    std::string_view text;
};
struct CreateTaskCommand {};
struct ShowOpenTasksCommand {};
struct AddContactCommand {};
struct PassCommand {};
using CommandAction = std::variant<ReplyCommand, CreateTaskCommand, ShowOpenTasksCommand, AddContactCommand, PassCommand>;

// quick_replies: one `quick_reply(name, text)` of the list.
struct QuickReply {
    std::string_view name;
    std::string_view text;
};

struct Notice {
    records::Person person;
    stdlib::NoticeReason reason = stdlib::NoticeReason::mentioned;
};

class DecisionReader {
public:
    // Throws std::logic_error naming a constructor the schema no longer has.
    explicit DecisionReader(const stdlib::Schema& schema);

    Route route(const vm::Value& v) const;
    FileDecision file_action(const vm::Value& v) const;
    static stdlib::ReopenAction reopen(const vm::Value& v) { return static_cast<stdlib::ReopenAction>(v.i); }
    static stdlib::ReactionAction reaction(const vm::Value& v) { return static_cast<stdlib::ReactionAction>(v.i); }
    static stdlib::AlertRoute alert(const vm::Value& v) { return static_cast<stdlib::AlertRoute>(v.i); }
    Delivery delivery(const vm::Value& v) const;
    CommandAction command(const vm::Value& v) const;
    // auto_reply: the text of `answer(text)`; none for `no_answer`.
    std::optional<std::string_view> auto_reply(const vm::Value& v) const;
    // A `list<quick_reply>`, appended to `out`.
    static void quick_replies(const vm::Value& v, std::vector<QuickReply>& out);
    // A `list<notice>`, appended to `out` (kept by the caller, so that its room is reused).
    static void notices(const vm::Value& v, std::vector<Notice>& out);

private:
    std::uint16_t ctor(const stdlib::Schema& schema, std::string_view name) const;

    std::uint16_t thread_, linked_task_, ignore_;
    std::uint16_t attach_, inline_, link_, reject_;
    std::uint16_t send_, internal_, refuse_;
    std::uint16_t reply_, create_task_, show_open_tasks_, add_contact_, pass_;
    std::uint16_t answer_, no_answer_;
};

}  // namespace switchyard::engine
