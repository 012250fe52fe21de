// The schema's enums (builtin.cpp) as C++ enums, for the code that builds cases and reads
// decisions without going through text: the adapters' events, the worker, the engine's typed
// decisions. Each enum's members are in the schema's order, so a member's value is its index in
// the schema, which is what the VM computes with. `check_enums` proves the two agree; the
// engine runs it before it builds a case, and a test runs it, so a member renamed or moved in
// the schema fails loudly instead of deciding with the wrong member.
#pragma once

#include "stdlib/schema.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::stdlib {

enum class Direction : std::uint8_t { inbound, outbound, echo };
enum class Transport : std::uint8_t { telegram, whatsapp, instagram };
// `private` is a C++ keyword: the member is `private_chat` here and `private` everywhere else.
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

// Each enum's schema name and member names, in order.
template <class E>
struct EnumNames;

#define SWITCHYARD_ENUM_NAMES(E, schema_name, ...)                                  \
    template <>                                                                     \
    struct EnumNames<E> {                                                           \
        static constexpr std::string_view name = schema_name;                       \
        static constexpr auto members = std::to_array<std::string_view>({__VA_ARGS__}); \
    };
SWITCHYARD_ENUM_NAMES(Direction, "direction", "inbound", "outbound", "echo")
SWITCHYARD_ENUM_NAMES(Transport, "transport", "telegram", "whatsapp", "instagram")
SWITCHYARD_ENUM_NAMES(ChatKind, "chat_kind", "private", "group", "channel", "business", "direct", "comment")
SWITCHYARD_ENUM_NAMES(Service, "service", "telegram_bot", "telegram_business", "wazzup")
SWITCHYARD_ENUM_NAMES(TaskStatus, "task_status", "active", "completed", "cancelled")
SWITCHYARD_ENUM_NAMES(FileKind, "file_kind", "image", "video", "audio", "voice", "document", "sticker", "other")
SWITCHYARD_ENUM_NAMES(NoticeReason, "notice_reason", "mentioned", "recent_participant", "assignee", "author", "watcher")
SWITCHYARD_ENUM_NAMES(Plan, "plan", "free", "paid", "premium", "trial")
SWITCHYARD_ENUM_NAMES(StartedBy, "started_by", "contact", "employee")
SWITCHYARD_ENUM_NAMES(ReopenAction, "reopen_action", "new_task", "reopen", "append")
SWITCHYARD_ENUM_NAMES(ReactionAction, "reaction_action", "like", "unlike", "skip")
SWITCHYARD_ENUM_NAMES(AlertRoute, "alert_route", "bot_message", "tracker_only")
#undef SWITCHYARD_ENUM_NAMES

// The member's name as the language and the store write it: ChatKind::private_chat is "private".
template <class E>
constexpr std::string_view name_of(E e) {
    return EnumNames<E>::members[static_cast<std::size_t>(e)];
}

// The member with this name, or none.
template <class E>
constexpr std::optional<E> parse_enum(std::string_view text) {
    const auto& members = EnumNames<E>::members;
    for (std::size_t i = 0; i < members.size(); ++i)
        if (members[i] == text) return static_cast<E>(i);
    return std::nullopt;
}

// Empty when every enum above matches the schema member for member; otherwise what differs
// ("enum chat_kind: member 0 is `private` here and `privat` in the schema").
std::string check_enums(const Schema& schema);

}  // namespace switchyard::stdlib
