// libFuzzer target for the Wazzup adapter (WhatsApp and Instagram through Wazzup): any bytes, as
// a webhook body, go to adapters::parse_wazzup. It must give a Parsed or throw ParseError with
// a message, nothing else, and what it gives must keep the adapter's promises: events, a ping,
// or a reason for neither; dedup keys `wz:message:<id>` and `wz:status:<id>:<status>`; only
// WhatsApp (one-to-one chats, the customer's number in digits) and Instagram (Direct, or a
// comment exactly when there is a post); every string valid UTF-8, file names from links too.
#include "fuzz/event_checks.hpp"
#include "runtime/adapters/adapters.hpp"

#include <cstddef>
#include <cstdint>

namespace sy = switchyard;
using sy::fuzz::require;

namespace {

// A channel the configuration knows, as in tests/adapters/wazzup_test.cpp and the fixtures.
const sy::adapters::WazzupContext context{"wz1", {{"b96a353b-9999-4cac-8413-ba99999f981", "79990001122"}}};

void check_message(const sy::adapters::Event& e) {
    using sy::stdlib::ChatKind;
    using sy::stdlib::Transport;
    const auto& m = e.message;
    sy::fuzz::require_message(m);
    require(e.dedup_key == "wz:message:" + m.id || e.dedup_key.starts_with("wz:message:" + m.id + ":edited:"),
            "message dedup key");
    require(m.transport == Transport::whatsapp || m.transport == Transport::instagram, "a transport Wazzup does not serve");
    if (m.transport == Transport::whatsapp) require(m.chat_kind == ChatKind::private_chat, "a WhatsApp chat not one-to-one");
    else require(m.chat_kind == (m.post ? ChatKind::comment : ChatKind::direct), "Instagram chat kind and post disagree");
    if (m.transport == Transport::whatsapp && m.direction == sy::stdlib::Direction::inbound)
        require(m.sender.phone.has_value(), "a WhatsApp customer without a number");
    require(m.files.size() <= 1, "more than one file in a Wazzup message");
}

void check_event(const sy::adapters::Event& e) {
    sy::fuzz::require_utf8(e.dedup_key, "dedup_key");
    if (e.type == sy::adapters::EventType::message) return check_message(e);
    require(e.type == sy::adapters::EventType::status, "Wazzup gives messages and statuses only");
    require(e.dedup_key == "wz:status:" + e.status.message_id + ":" + e.status.status, "status dedup key");
    sy::fuzz::require_utf8(e.status.error, "status.error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sy::adapters::Parsed parsed;
    try {
        parsed = sy::adapters::parse_wazzup(sy::fuzz::bytes_of(data, size), context);
    } catch (const sy::adapters::ParseError& e) {
        require(std::string_view(e.what()).size() > 0, "a ParseError without a message");
        return 0;
    }
    // A body with nothing to do says why.
    require(!parsed.events.empty() || parsed.ping || !parsed.ignored.empty(), "nothing came of the body, and no reason");
    require(parsed.events.empty() && !parsed.ping ? true : parsed.ignored.empty(), "ignored set beside events");
    sy::fuzz::require_utf8(parsed.ignored, "ignored");
    for (const auto& e : parsed.events) check_event(e);
    return 0;
}
