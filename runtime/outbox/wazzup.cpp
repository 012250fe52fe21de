#include "runtime/outbox/wazzup.hpp"

#include <boost/json.hpp>

namespace switchyard::outbox {

namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Outcome response_outcome(const net::Response& r) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    const json::object empty;
    const auto& o = !ec && v.is_object() ? v.as_object() : empty;
    if (r.status == 200 || r.status == 201) {
        auto id = text_of(o, "messageId");
        if (!id.empty()) return Delivered{id};
        return TryAgain{"Wazzup answered " + std::to_string(r.status) + " without a messageId", std::nullopt};
    }
    auto error = text_of(o, "error");
    auto description = text_of(o, "description");
    auto reason = description.empty() ? (error.empty() ? "HTTP " + std::to_string(r.status) + " from Wazzup" : error)
                                      : description;
    if (r.status == 400 && error == "repeatedCrmMessageId") return Delivered{};
    // Wazzup allows 500 requests in 5 seconds and says no more: a few seconds pass it.
    if (r.status == 429) return TryAgain{reason, std::optional<std::int64_t>(5000), false, true};
    if (r.status >= 500) return TryAgain{reason, std::nullopt};
    return Refused{reason, false};
}

}  // namespace

std::variant<WazzupEndpoint, std::string> wazzup_endpoint(std::string_view api_base_url, std::string_view api_key) {
    auto base = base_url(api_base_url);
    if (auto* why = std::get_if<std::string>(&base)) return std::move(*why);
    auto& b = std::get<BaseUrl>(base);
    return WazzupEndpoint{b.origin, std::move(b.path_prefix), std::string(api_key)};
}

std::string crm_message_id(std::int64_t outbox_row) { return "switchyard-outbox-" + std::to_string(outbox_row); }

net::Request wazzup_request(const WazzupEndpoint& endpoint, std::string_view chat, const Outgoing& o, std::int64_t outbox_row) {
    json::object body;
    body["channelId"] = o.channel_id;
    body["chatType"] = o.chat_type;
    body["chatId"] = chat;
    if (o.content_uri.empty()) body["text"] = o.text;
    else body["contentUri"] = o.content_uri;
    if (!o.ref_message_id.empty()) body["refMessageId"] = o.ref_message_id;
    if (!o.crm_user_id.empty()) body["crmUserId"] = o.crm_user_id;
    body["crmMessageId"] = crm_message_id(outbox_row);
    net::Request r;
    r.method = net::Method::post;
    r.target = endpoint.path_prefix + "/v3/message";
    r.content_type = "application/json";
    r.body = json::serialize(body);
    r.headers.push_back({"Authorization", "Bearer " + endpoint.api_key});
    return r;
}

Outcome wazzup_outcome(const net::Result& result) {
    if (const auto* response = std::get_if<net::Response>(&result)) return response_outcome(*response);
    const auto& failure = std::get<net::Failure>(result);
    if (failure.kind == net::FailureKind::certificate) return Refused{failure.message, false};
    // Never `maybe_delivered`: the retry carries the same crmMessageId, which Wazzup refuses
    // as a repeat if the first attempt got through.
    return TryAgain{std::string(net::name_of(failure.kind)) + ": " + failure.message, std::nullopt};
}

}  // namespace switchyard::outbox
