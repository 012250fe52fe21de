// The shipped policies (rules/*.rules, as rules/planfix.rules composes them) written by hand in
// C++: the lower bound the VM is measured against. A case is read from the JSON of
// docs/cases.md once, into plain structs (NativeCase); `decide` then runs every policy that
// applies, and `to_json` writes the "decisions" array of docs/cases.md without the "policy" and
// "rule" keys, so that the VM and the Lua versions can be checked against it.
#pragma once

#include <boost/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace switchyard::bench {

// `size` in bytes, `duration` in milliseconds, `time` in milliseconds since 1970-01-01 UTC:
// all 64-bit, as in the language.
using Bytes = std::int64_t;
using Millis = std::int64_t;
using TimeMs = std::int64_t;

// The schema's enums, members in the schema's order (the first one is the default).
enum class Direction : std::uint8_t { inbound, outbound, echo };
enum class Transport : std::uint8_t { telegram, whatsapp, instagram };
enum class ChatKind : std::uint8_t { private_chat, group, channel, business, direct, comment };
enum class Service : std::uint8_t { telegram_bot, telegram_business, wazzup };
enum class TaskStatus : std::uint8_t { active, completed, cancelled };
enum class FileKind : std::uint8_t { image, video, audio, voice, document, sticker, other };
enum class NoticeReason : std::uint8_t { mentioned, recent_participant, assignee, author, watcher };
enum class Plan : std::uint8_t { free, paid, premium, trial };
enum class StartedBy : std::uint8_t { contact, employee };
enum class ReopenAction : std::uint8_t { new_task, reopen, append };
enum class ReactionAction : std::uint8_t { like, unlike, skip };
enum class AlertRoute : std::uint8_t { bot_message, tracker_only };

// The schema's records (`switchyard schema`); `std::optional` for `T?`.
struct Person {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> username;
    std::optional<std::string> phone;
    bool is_employee = false;
    bool has_access = false;
};

struct Chat {
    std::int64_t id = 0;
    ChatKind kind = ChatKind::private_chat;
    std::string title;
    std::optional<std::string> username;
};

struct File {
    std::string name;
    std::string ext;
    std::string mime;
    Bytes size = 0;
    FileKind kind = FileKind::image;
};

struct Post {
    std::string id;
    std::string url;
    std::string caption;
};

struct Channel {
    std::int64_t id = 0;
    std::string name;
    std::string number;
    Transport transport = Transport::telegram;
    bool deleted = false;
};

struct Message {
    std::int64_t id = 0;
    Direction direction = Direction::inbound;
    Transport transport = Transport::telegram;
    Chat chat;
    Person sender;
    std::string text;
    std::optional<std::string> command;
    std::string command_args;
    std::vector<Person> mentions;
    std::vector<File> files;
    std::optional<std::int64_t> reply_to;
    std::optional<Post> post;
    Channel channel;
    TimeMs sent_at = 0;
    bool edited = false;
    std::vector<Person> participants;
    std::vector<Person> notified;
    bool notifies_contact = false;
};

struct Contact {
    std::int64_t id = 0;
    std::string name;
    std::optional<std::string> username;
    std::optional<std::string> phone;
    bool is_new = false;
    bool has_written = false;
    bool blocked_bot = false;
};

struct Employee {
    std::int64_t id = 0;
    std::string name;
    bool is_owner = false;
    bool telegram_linked = false;
};

struct Task {
    std::int64_t id = 0;
    std::string title;
    std::string description;
    TaskStatus status = TaskStatus::active;
    bool is_new = false;
    std::vector<Person> assignees;
    std::optional<std::string> project;
    TimeMs created_at = 0;
};

struct Conversation {
    std::int64_t id = 0;
    Channel channel;
    StartedBy started_by = StartedBy::contact;
    bool is_new = false;
    bool expects_reply = false;
    std::optional<TimeMs> last_inbound_at;
    bool customer_stopped_bot = false;
    bool can_reply = false;
    std::optional<std::int64_t> first_comment_id;
};

struct Integration {
    std::string id;
    std::string name;
    Service service = Service::telegram_bot;
    Person owner;
    std::vector<Person> assignees;
    std::vector<Person> extra_assignees;
    std::optional<std::string> project;
    std::optional<std::string> contact_template;
};

struct Reaction {
    std::string emoji;
    bool added = false;
    bool anonymous = false;
    std::optional<Person> by;
};

struct Account {
    std::string name;
    Plan plan = Plan::free;
};

struct Notice {
    Person person;
    NoticeReason reason = NoticeReason::mentioned;
};

// The settings of rules/common.rules, with their declared defaults.
struct Settings {
    bool new_task_if_no_active = true;
    bool notify_only_chat_members = false;
    bool send_as_employee = false;
    std::vector<std::string> positive_reactions = {"👍", "❤", "🔥", "🎉", "👏", "😍", "🙏", "👌"};
};

// What the fact queries answer. The JSON keys members and roles by the id written as a string;
// they are kept by the id itself, which is what `str(id)` matches (a key that is not how `str`
// writes an integer, such as "007", can match no id and is dropped).
struct Facts {
    std::unordered_map<std::int64_t, std::vector<std::int64_t>> members;  // chat id -> people
    std::unordered_map<std::int64_t, std::vector<std::int64_t>> roles;    // task id -> people
    std::vector<Message> history;                                         // oldest first
};

// One case of docs/cases.md, every fact at its default unless given. The `gives_*` flags record
// the presence of the facts that decide whether a policy kind is asked at all.
struct NativeCase {
    Message message;
    File file;
    Contact contact;
    Employee employee;
    Task task;
    Conversation conversation;
    Channel channel;
    Integration integration;
    Account account;
    Reaction reaction;
    Notice notice;
    TimeMs now = 0;
    Settings settings;
    Facts facts;
    bool gives_file = false;
    bool gives_employee = false;
    bool gives_reaction = false;
    bool gives_notice = false;
};

// The name of an enum member, as cases and decisions write it (defined for the enums above).
template <typename E>
std::string_view name_of(E member);

// Results. They borrow from the case they were decided on (people, chats, strings of the case)
// and from static data (the policies' texts), so no result outlives its case: this is what
// lets `decide` copy almost nothing.

// `thread(key..., title:, description:, assignees:, project:)`. Every shipped routing policy
// keys its conversation by two values and names a title and the assignees.
using ThreadKey = std::variant<std::int64_t, std::string_view>;
struct Thread {
    std::array<ThreadKey, 2> key;
    std::string title;
    std::optional<std::string> description;
    std::vector<const Person*> assignees;
    std::optional<std::string_view> project;
};

struct LinkedTask {
    const Chat* chat = nullptr;
};

struct Ignore {
    std::string_view reason;
};

using Route = std::variant<Thread, LinkedTask, Ignore>;

enum class FileAction : std::uint8_t { attach, inline_preview, link };

struct Delivery {
    enum class Kind : std::uint8_t { send, internal, refuse };
    Kind kind = Kind::send;
    std::string_view reason;                   // refuse
    std::optional<std::string_view> signature; // send
    std::optional<std::int64_t> reply_to;      // send
};

struct CommandAction {
    enum class Kind : std::uint8_t { reply, create_task, show_open_tasks, add_contact, pass };
    Kind kind = Kind::pass;
    std::string_view text;  // reply
};

struct NoticeRef {
    const Person* person = nullptr;
    NoticeReason reason = NoticeReason::mentioned;
};

struct QuickReply {
    std::string_view name;
    std::string_view text;
};

// The attachment decision for one file: `file` is its index in message.files, or none when
// the case's own `file` was decided.
struct FileDecision {
    std::optional<std::size_t> file;
    FileAction action = FileAction::attach;
};

// One member per policy kind, in the schema's order; an empty one means the kind was not asked
// or no policy applied.
struct NativeDecisions {
    std::optional<Route> routing;
    std::optional<ReopenAction> reopen;
    std::optional<std::vector<NoticeRef>> notification;
    std::vector<FileDecision> attachment;
    std::optional<Delivery> delivery;
    std::optional<CommandAction> command;
    std::optional<ReactionAction> reaction;
    std::optional<std::span<const QuickReply>> quick_replies;
    std::optional<AlertRoute> alert;

    // How many decisions were made (what the benchmark reads back so the work is kept).
    std::size_t size() const;
};

// Reads a case in the JSON format of docs/cases.md. Throws std::invalid_argument naming the
// path and the reason for anything the format refuses (unknown keys, wrong types, bad units).
NativeCase native_case_from_json(const boost::json::object& json);

// Runs the policies that apply to the case. The result borrows from `c`.
NativeDecisions decide(const NativeCase& c);

// The "decisions" array of docs/cases.md, without "policy" and "rule".
boost::json::array to_json(const NativeDecisions& decisions);

}  // namespace switchyard::bench
