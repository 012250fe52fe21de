#include "runtime/engine/typed.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace switchyard::engine {

using vm::Tag;
using vm::Value;

namespace {

std::string_view text_or_empty(const Value& v) { return v.tag == Tag::string ? v.text() : std::string_view(); }

// The conversation key as it is stored: the JSON text of the keys, strings as strings, numbers
// (and booleans) as numbers, anything else as null (docs/cases.md, `thread`).
std::string key_text(const Value& keys) {
    boost::json::array out;
    for (const auto& k : keys) {
        switch (k.tag) {
            case Tag::string: out.emplace_back(boost::json::string(k.text())); break;
            case Tag::integer:
            case Tag::boolean: out.emplace_back(k.i); break;
            default: out.emplace_back(nullptr); break;
        }
    }
    return boost::json::serialize(out);
}

}  // namespace

std::string_view name_of(FileAction action) {
    switch (action) {
        case FileAction::attach: return "attach";
        case FileAction::inline_media: return "inline";
        case FileAction::link: return "link";
        case FileAction::reject: return "reject";
    }
    return "attach";
}

std::uint16_t DecisionReader::ctor(const stdlib::Schema& schema, std::string_view name) const {
    auto index = schema.find_function(name);
    if (!index || schema.functions()[*index].role != stdlib::FunctionRole::constructor)
        throw std::logic_error("the engine reads a result constructor `" + std::string(name) +
                               "` that the schema does not declare");
    return static_cast<std::uint16_t>(*index);
}

DecisionReader::DecisionReader(const stdlib::Schema& schema)
    : thread_(ctor(schema, "thread")),
      linked_task_(ctor(schema, "linked_task")),
      ignore_(ctor(schema, "ignore")),
      attach_(ctor(schema, "attach")),
      inline_(ctor(schema, "inline")),
      link_(ctor(schema, "link")),
      reject_(ctor(schema, "reject")),
      send_(ctor(schema, "send")),
      internal_(ctor(schema, "internal")),
      refuse_(ctor(schema, "refuse")),
      reply_(ctor(schema, "reply")),
      create_task_(ctor(schema, "create_task")),
      show_open_tasks_(ctor(schema, "show_open_tasks")),
      add_contact_(ctor(schema, "add_contact")),
      pass_(ctor(schema, "pass")),
      answer_(ctor(schema, "answer")),
      no_answer_(ctor(schema, "no_answer")) {}

Route DecisionReader::route(const Value& v) const {
    if (v.ctor == thread_) {
        // thread(key..., title, description, assignees, project)
        ThreadRoute t;
        t.key = key_text(v[0]);
        t.title = text_or_empty(v[1]);
        t.description = text_or_empty(v[2]);
        if (!v[3].is_none())
            for (const auto& p : v[3]) t.assignees.push_back(records::RecordWriter::read_person(p));
        if (v[4].tag == Tag::string) t.project = v[4].text();
        return t;
    }
    if (v.ctor == linked_task_) return LinkedTaskRoute{v[0][0].i};  // the chat's id
    if (v.ctor == ignore_) return IgnoreRoute{text_or_empty(v[0])};
    // The verifier proved the value a `route`: a constructor of it this code does not know is
    // one added to the schema without being taught here.
    throw std::logic_error("routing: a `route` constructor the engine does not read (function " + std::to_string(v.ctor) + ")");
}

FileDecision DecisionReader::file_action(const Value& v) const {
    if (v.ctor == attach_) return {FileAction::attach, {}};
    if (v.ctor == inline_) return {FileAction::inline_media, {}};
    if (v.ctor == link_) return {FileAction::link, {}};
    if (v.ctor == reject_) return {FileAction::reject, text_or_empty(v[0])};
    throw std::logic_error("attachment: a `file_action` constructor the engine does not read (function " +
                           std::to_string(v.ctor) + ")");
}

Delivery DecisionReader::delivery(const Value& v) const {
    if (v.ctor == send_) {
        // send(signature, reply_to): both optional, none when not given.
        SendDelivery s;
        if (v[0].tag == Tag::string) s.signature = v[0].text();
        if (v[1].tag == Tag::integer) s.reply_to = v[1].i;
        return s;
    }
    if (v.ctor == internal_) return InternalDelivery{};
    if (v.ctor == refuse_) return RefuseDelivery{text_or_empty(v[0])};
    throw std::logic_error("delivery: a `delivery` constructor the engine does not read (function " + std::to_string(v.ctor) + ")");
}

CommandAction DecisionReader::command(const Value& v) const {
    if (v.ctor == reply_) return ReplyCommand{text_or_empty(v[0])};
    if (v.ctor == create_task_) return CreateTaskCommand{};
    if (v.ctor == show_open_tasks_) return ShowOpenTasksCommand{};
    if (v.ctor == add_contact_) return AddContactCommand{};
    if (v.ctor == pass_) return PassCommand{};
    throw std::logic_error("command: a `command_action` constructor the engine does not read (function " +
                           std::to_string(v.ctor) + ")");
}

std::optional<std::string_view> DecisionReader::auto_reply(const Value& v) const {
    if (v.ctor == answer_) return text_or_empty(v[0]);
    if (v.ctor == no_answer_) return std::nullopt;
    throw std::logic_error("auto_reply: an `auto_reply_action` constructor the engine does not read (function " +
                           std::to_string(v.ctor) + ")");
}

void DecisionReader::quick_replies(const Value& v, std::vector<QuickReply>& out) {
    for (const auto& q : v) out.push_back({text_or_empty(q[0]), text_or_empty(q[1])});
}

void DecisionReader::notices(const Value& v, std::vector<Notice>& out) {
    for (const auto& n : v) out.push_back({records::RecordWriter::read_person(n[0]), static_cast<stdlib::NoticeReason>(n[1].i)});
}

}  // namespace switchyard::engine
