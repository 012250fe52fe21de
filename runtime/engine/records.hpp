// The record facts of a case as C++ structs, and their writer into VM values: how the worker
// builds a case straight from its own data, with no JSON in between. Each struct mirrors the
// schema's record of the same name (stdlib/builtin.cpp) field for field, in the same order;
// `RecordWriter`'s constructor proves it against the schema of the loaded ruleset, so a field
// renamed, added or moved there fails the first case built (and the tests), instead of putting
// a value into the wrong field.
//
// Strings are views: the writer copies them into the case's arena, so what the structs point
// at only has to live until the record is written.
#pragma once

#include "runtime/vm/value.hpp"
#include "stdlib/enums.hpp"
#include "stdlib/schema.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace switchyard::engine::records {

using stdlib::ChatKind;
using stdlib::Direction;
using stdlib::FileKind;
using stdlib::NoticeReason;
using stdlib::Plan;
using stdlib::Service;
using stdlib::StartedBy;
using stdlib::TaskStatus;
using stdlib::Transport;

using Text = std::string_view;
using OptionalText = std::optional<std::string_view>;

struct Person {
    std::int64_t id = 0;
    Text name;
    OptionalText username;
    OptionalText phone;
    bool is_employee = false;
    bool has_access = false;
};

struct Chat {
    std::int64_t id = 0;
    ChatKind kind = ChatKind::private_chat;
    Text title;
    OptionalText username;
};

struct File {
    Text name;
    Text ext;
    Text mime;
    std::int64_t size = 0;
    FileKind kind = FileKind::other;
};

struct Post {
    Text id;
    Text url;
    Text caption;
};

struct Channel {
    std::int64_t id = 0;
    Text name;
    Text number;
    Transport transport = Transport::telegram;
    bool deleted = false;
};

struct Message {
    std::int64_t id = 0;
    Direction direction = Direction::inbound;
    Transport transport = Transport::telegram;
    Chat chat;
    Person sender;
    Text text;
    OptionalText command;
    Text command_args;
    std::span<const Person> mentions;
    std::span<const File> files;
    std::optional<std::int64_t> reply_to;
    std::optional<Post> post;
    Channel channel;
    std::int64_t sent_at = 0;
    bool edited = false;
    std::span<const Person> participants;
    std::span<const Person> notified;
    bool notifies_contact = false;
    bool is_auto_reply = false;
};

struct Contact {
    std::int64_t id = 0;
    Text name;
    OptionalText username;
    OptionalText phone;
    bool is_new = false;
    bool has_written = false;
    bool blocked_bot = false;
    std::span<const Text> tags;  // distinct
    // A `contact_fields` record of the ruleset's contact fields: engine::contact_fields, or
    // Image::contact_field_defaults() when no policy reads them.
    vm::Value fields;
};

struct Employee {
    std::int64_t id = 0;
    Text name;
    bool is_owner = false;
    bool telegram_linked = false;
};

// One change of a task's status (the task's `history`).
struct StatusChange {
    TaskStatus status = TaskStatus::active;
    std::int64_t at = 0;
    std::optional<Person> by;
};

struct Task {
    std::int64_t id = 0;
    Text title;
    Text description;
    TaskStatus status = TaskStatus::active;
    bool is_new = false;
    std::span<const Person> assignees;
    OptionalText project;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> completed_at;
    std::span<const StatusChange> history;
};

struct Conversation {
    std::int64_t id = 0;
    Channel channel;
    StartedBy started_by = StartedBy::contact;
    bool is_new = false;
    bool expects_reply = false;
    std::optional<std::int64_t> last_inbound_at;
    bool customer_stopped_bot = false;
    bool can_reply = false;
    std::optional<std::int64_t> first_comment_id;
    std::int64_t unanswered_count = 0;
    std::optional<std::int64_t> last_reply_at;
};

struct Integration {
    Text id;
    Text name;
    Service service = Service::telegram_bot;
    Person owner;
    std::span<const Person> assignees;
    std::span<const Person> extra_assignees;
    OptionalText project;
    OptionalText contact_template;
};

struct Reaction {
    Text emoji;
    bool added = true;
    bool anonymous = false;
    std::optional<Person> by;
};

struct Account {
    Text name;
    Plan plan = Plan::free;
};

struct Notice {
    Person person;
    NoticeReason reason = NoticeReason::mentioned;
};

// Writes records as VM values into an arena. One per loaded ruleset (it checks that ruleset's
// schema); stateless after construction.
class RecordWriter {
public:
    // Throws std::logic_error naming what differs when a struct above (or an enum of
    // stdlib/enums.hpp) no longer matches the schema.
    explicit RecordWriter(const stdlib::Schema& schema);

    vm::Value person(vm::Arena& arena, const Person& p) const;
    vm::Value chat(vm::Arena& arena, const Chat& c) const;
    vm::Value file(vm::Arena& arena, const File& f) const;
    vm::Value post(vm::Arena& arena, const Post& p) const;
    vm::Value channel(vm::Arena& arena, const Channel& c) const;
    vm::Value message(vm::Arena& arena, const Message& m) const;
    vm::Value contact(vm::Arena& arena, const Contact& c) const;
    vm::Value employee(vm::Arena& arena, const Employee& e) const;
    vm::Value task(vm::Arena& arena, const Task& t) const;
    vm::Value conversation(vm::Arena& arena, const Conversation& c) const;
    vm::Value integration(vm::Arena& arena, const Integration& i) const;
    vm::Value reaction(vm::Arena& arena, const Reaction& r) const;
    vm::Value account(vm::Arena& arena, const Account& a) const;
    vm::Value notice(vm::Arena& arena, const Notice& n) const;
    vm::Value status_change(vm::Arena& arena, const StatusChange& s) const;
    vm::Value people(vm::Arena& arena, std::span<const Person> people) const;

    // Reading back what rules return: a person of a decision (its strings stay in the VM's
    // arena: valid until the next decide).
    static Person read_person(const vm::Value& v);
    // The `id` of a person, chat, task, contact, employee or conversation: their first field.
    static std::int64_t read_id(const vm::Value& v) { return v[0].i; }
};

// Empty when every struct above matches its schema record field for field; else what differs.
std::string check_records(const stdlib::Schema& schema);

}  // namespace switchyard::engine::records
