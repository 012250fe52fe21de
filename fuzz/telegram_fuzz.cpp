// libFuzzer target for the Telegram adapter: any bytes, as a webhook body, go to
// adapters::parse_telegram. It must give a Parsed or throw ParseError with a message, nothing
// else, and what it gives must keep the adapter's promises: one event or a reason for none;
// the dedup key `tg:<integration>:update:<id>`; every string valid UTF-8; mentions and command
// arguments cut from inside the text (entities outside it are dropped with a reason); a command
// in lowercase, at the start of the text.
#include "fuzz/event_checks.hpp"
#include "runtime/adapters/adapters.hpp"

#include <cstddef>
#include <cstdint>

namespace sy = switchyard;
using sy::fuzz::require;

namespace {

const sy::adapters::TelegramContext context{"my_support_bot", "tg1"};

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

void check_entities(const sy::adapters::Message& m) {
    for (const auto& p : m.mentions) {
        // A `@name` mention has only its username, which is text the entity covered.
        if (p.external_id.empty()) require(p.username && m.text.find(*p.username) != std::string::npos, "mention not in the text");
    }
    if (m.command) {
        std::string text = lowered(m.text);
        require(*m.command == lowered(*m.command), "command not in lowercase");
        require(text.starts_with(*m.command) || text.starts_with("/" + *m.command), "command not at the start of the text");
        require(m.text.find(m.command_args) != std::string::npos, "command arguments not in the text");
    } else {
        require(m.command_args.empty(), "command arguments without a command");
    }
}

void check_message(const sy::adapters::Message& m) {
    sy::fuzz::require_message(m);
    require(m.transport == sy::stdlib::Transport::telegram, "a Telegram message of another transport");
    require(m.id == std::to_string(m.number), "message id is not its number");
    require(m.chat_external_id == std::to_string(m.chat_id), "chat_external_id is not chat_id");
    require(m.sent_at_ms % 1000 == 0 && m.edited_at_ms % 1000 == 0, "times not whole seconds");
    check_entities(m);
}

void check_event(const sy::adapters::Event& e) {
    using sy::adapters::EventType;
    require(e.dedup_key.starts_with("tg:" + context.integration + ":update:"), "dedup key");
    if (e.type == EventType::message) check_message(e.message);
    if (e.type == EventType::reaction) {
        sy::fuzz::require_utf8(e.reaction.emoji, "reaction.emoji");
        if (e.reaction.by) sy::fuzz::require_person(*e.reaction.by, "reaction.by");
    }
    if (e.type == EventType::business_connection) sy::fuzz::require_person(e.business.owner, "business.owner");
    if (e.type == EventType::member_change) {
        sy::fuzz::require_person(e.member.user, "member.user");
        sy::fuzz::require_utf8(e.member.old_status + e.member.new_status, "member statuses");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sy::adapters::Parsed parsed;
    try {
        parsed = sy::adapters::parse_telegram(sy::fuzz::bytes_of(data, size), context);
    } catch (const sy::adapters::ParseError& e) {
        require(std::string_view(e.what()).size() > 0, "a ParseError without a message");
        return 0;
    }
    require(!parsed.ping, "Telegram has no ping");
    // An update holds one event (several only for a reaction update: each reaction changed), or
    // none and a reason; each event with a key of its own.
    require(parsed.events.empty() != parsed.ignored.empty(), "events and ignored disagree");
    sy::fuzz::require_utf8(parsed.ignored, "ignored");
    for (std::size_t i = 0; i < parsed.events.size(); ++i) {
        const auto& e = parsed.events[i];
        check_event(e);
        require(parsed.events.size() == 1 || e.type == sy::adapters::EventType::reaction, "several events not reactions");
        for (std::size_t j = 0; j < i; ++j) require(parsed.events[j].dedup_key != e.dedup_key, "a dedup key twice");
    }
    return 0;
}
