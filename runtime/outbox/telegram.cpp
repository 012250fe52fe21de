#include "runtime/outbox/telegram.hpp"

#include "runtime/net/multipart.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace switchyard::outbox {

namespace json = boost::json;

namespace {

// Chat ids are 64-bit integers (negative for groups); a public channel may also be `@name`.
json::value chat_value(std::string_view chat) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(chat.data(), chat.data() + chat.size(), id);
    if (ec == std::errc() && end == chat.data() + chat.size()) return id;
    return json::string(chat);
}

std::string_view upload_field(Method method) {
    switch (method) {
    case Method::send_photo: return "photo";
    case Method::send_video: return "video";
    case Method::send_audio: return "audio";
    default: return "document";
    }
}

json::object reply_parameters(std::int64_t message_id) {
    // Sent anyway when the quoted message is gone: the reply matters more than the quote.
    return {{"message_id", message_id}, {"allow_sending_without_reply", true}};
}

net::Request json_request(const BotEndpoint& e, Method method, const json::object& body) {
    net::Request r;
    r.method = net::Method::post;
    r.target = e.path_prefix + "/bot" + e.token + "/" + std::string(method_name(method));
    r.content_type = "application/json";
    r.body = json::serialize(body);
    return r;
}

net::Request upload_request(const BotEndpoint& e, std::string_view chat, const std::optional<std::string>& connection,
                            const Outgoing& o, const Upload& upload) {
    std::vector<net::Part> parts;
    parts.push_back({"chat_id", std::nullopt, "", std::string(chat)});
    if (connection) parts.push_back({"business_connection_id", std::nullopt, "", *connection});
    if (!o.text.empty()) parts.push_back({"caption", std::nullopt, "", o.text});
    if (o.reply_to) parts.push_back({"reply_parameters", std::nullopt, "application/json", json::serialize(reply_parameters(*o.reply_to))});
    parts.push_back({std::string(upload_field(o.method)), upload.name, upload.mime.empty() ? "application/octet-stream" : upload.mime,
                     upload.bytes});
    auto body = net::multipart(parts);
    net::Request r;
    r.method = net::Method::post;
    r.target = e.path_prefix + "/bot" + e.token + "/" + std::string(method_name(o.method));
    r.content_type = std::move(body.content_type);
    r.body = std::move(body.body);
    return r;
}

const json::object* answer_object(const std::string& body, json::value& storage) {
    boost::system::error_code ec;
    storage = json::parse(body, ec);
    return !ec && storage.is_object() ? &storage.as_object() : nullptr;
}

std::string description_of(const json::object* answer, int status) {
    if (answer)
        if (const auto* d = answer->if_contains("description"); d && d->is_string()) return std::string(d->as_string());
    return "HTTP " + std::to_string(status) + " from the Bot API";
}

std::optional<std::int64_t> retry_after_ms(const json::object* answer) {
    if (!answer) return std::nullopt;
    const auto* p = answer->if_contains("parameters");
    if (!p || !p->is_object()) return std::nullopt;
    const auto* r = p->as_object().if_contains("retry_after");
    if (!r || !r->is_int64() || r->as_int64() < 0) return std::nullopt;
    return r->as_int64() * 1000;
}

Outcome response_outcome(const net::Response& response) {
    json::value storage;
    const auto* answer = answer_object(response.body, storage);
    if (response.status == 200 && answer) {
        const auto* ok = answer->if_contains("ok");
        if (ok && ok->is_bool() && ok->as_bool()) {
            const auto* result = answer->if_contains("result");
            if (result && result->is_object())
                if (const auto* id = result->as_object().if_contains("message_id"); id && id->is_int64())
                    return Delivered{std::to_string(id->as_int64())};
            return Delivered{};
        }
    }
    auto reason = description_of(answer, response.status);
    if (response.status == 429) {
        auto after = retry_after_ms(answer);
        return TryAgain{reason, after ? after : std::optional<std::int64_t>(1000)};
    }
    if (response.status >= 500 || response.status == 200) return TryAgain{reason, std::nullopt};
    bool gone = reason.find("bot was blocked by the user") != std::string::npos ||
                reason.find("user is deactivated") != std::string::npos;
    return Refused{reason, gone};
}

}  // namespace

std::variant<BaseUrl, std::string> base_url(std::string_view api_base_url) {
    auto parsed = net::parse_url(api_base_url);
    if (const auto* why = std::get_if<std::string>(&parsed)) return "api_base_url " + std::string(api_base_url) + ": " + *why;
    const auto& url = std::get<net::Url>(parsed);
    BaseUrl b{url.origin, url.target};
    if (auto q = b.path_prefix.find('?'); q != std::string::npos) b.path_prefix.erase(q);
    while (!b.path_prefix.empty() && b.path_prefix.back() == '/') b.path_prefix.pop_back();
    return b;
}

std::variant<BotEndpoint, std::string> bot_endpoint(std::string_view api_base_url, std::string_view token) {
    auto base = base_url(api_base_url);
    if (auto* why = std::get_if<std::string>(&base)) return std::move(*why);
    auto& b = std::get<BaseUrl>(base);
    return BotEndpoint{b.origin, std::move(b.path_prefix), std::string(token)};
}

net::Request telegram_request(const BotEndpoint& endpoint, std::string_view chat,
                              const std::optional<std::string>& business_connection, const Outgoing& o,
                              const Upload* upload) {
    if (uploads_file(o.method) && upload) return upload_request(endpoint, chat, business_connection, o, *upload);
    json::object body;
    body["chat_id"] = chat_value(chat);
    if (o.method == Method::set_message_reaction) {
        body["message_id"] = o.message_id.value_or(0);
        json::array reaction;
        if (!o.emoji.empty()) reaction.push_back(json::object{{"type", "emoji"}, {"emoji", o.emoji}});
        body["reaction"] = std::move(reaction);
        return json_request(endpoint, o.method, body);
    }
    if (business_connection) body["business_connection_id"] = *business_connection;
    body["text"] = o.text;
    if (o.reply_to) body["reply_parameters"] = reply_parameters(*o.reply_to);
    return json_request(endpoint, o.method, body);
}

Outcome telegram_outcome(const net::Result& result) {
    if (const auto* response = std::get_if<net::Response>(&result)) return response_outcome(*response);
    const auto& failure = std::get<net::Failure>(result);
    if (failure.kind == net::FailureKind::certificate) return Refused{failure.message, false};
    return TryAgain{std::string(net::name_of(failure.kind)) + ": " + failure.message, std::nullopt, failure.sent};
}

}  // namespace switchyard::outbox
