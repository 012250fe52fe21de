#include "runtime/outbox/outgoing.hpp"

#include <boost/json.hpp>

#include <array>
#include <utility>

namespace switchyard::outbox {

namespace {

constexpr std::array<std::pair<Method, std::string_view>, 7> names = {{
    {Method::send_message, "sendMessage"},
    {Method::send_document, "sendDocument"},
    {Method::send_photo, "sendPhoto"},
    {Method::send_video, "sendVideo"},
    {Method::send_audio, "sendAudio"},
    {Method::set_message_reaction, "setMessageReaction"},
    {Method::wazzup_message, "wazzup.message"},
}};

}  // namespace

std::string_view method_name(Method method) {
    for (const auto& [m, name] : names)
        if (m == method) return name;
    return "sendMessage";
}

std::optional<Method> parse_method(std::string_view name) {
    for (const auto& [m, n] : names)
        if (n == name) return m;
    return std::nullopt;
}

bool uploads_file(Method method) {
    return method == Method::send_document || method == Method::send_photo || method == Method::send_video ||
           method == Method::send_audio;
}

std::string params_json(const Outgoing& o) {
    boost::json::object p;
    if (o.method == Method::set_message_reaction) {
        p["message_id"] = o.message_id.value_or(0);
        p["emoji"] = o.emoji;
    } else if (o.method == Method::wazzup_message) {
        p["channel_id"] = o.channel_id;
        p["chat_type"] = o.chat_type;
        if (o.content_uri.empty()) p["text"] = o.text;
        else p["content_uri"] = o.content_uri;
        if (!o.ref_message_id.empty()) p["ref_message_id"] = o.ref_message_id;
        if (!o.crm_user_id.empty()) p["crm_user_id"] = o.crm_user_id;
    } else {
        p["text"] = o.text;
        if (o.reply_to) p["reply_to"] = *o.reply_to;
    }
    return boost::json::serialize(p);
}

std::optional<Outgoing> read_outgoing(std::string_view method, std::string_view params) {
    auto m = parse_method(method);
    if (!m) return std::nullopt;
    boost::system::error_code ec;
    auto v = boost::json::parse(params, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& p = v.as_object();
    Outgoing o;
    o.method = *m;
    auto integer = [&](std::string_view key) -> std::optional<std::int64_t> {
        const auto* x = p.if_contains(key);
        if (x && x->is_int64()) return x->as_int64();
        return std::nullopt;
    };
    auto text = [&](std::string_view key) -> std::string {
        const auto* x = p.if_contains(key);
        return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    if (o.method == Method::set_message_reaction) {
        o.message_id = integer("message_id");
        o.emoji = text("emoji");
        if (!o.message_id) return std::nullopt;
    } else if (o.method == Method::wazzup_message) {
        o.channel_id = text("channel_id");
        o.chat_type = text("chat_type");
        o.text = text("text");
        o.content_uri = text("content_uri");
        o.ref_message_id = text("ref_message_id");
        o.crm_user_id = text("crm_user_id");
        if (o.channel_id.empty() || o.chat_type.empty()) return std::nullopt;
    } else {
        o.text = text("text");
        o.reply_to = integer("reply_to");
    }
    return o;
}

}  // namespace switchyard::outbox
