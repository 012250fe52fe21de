// GET /api/v1/outbox/failed and POST /api/v1/outbox/{id}/requeue (docs/api.md): the messages the
// dispatcher gave up, and one of them sent again after a fix. The store does the work; the
// dispatcher is woken after a re-queue, as after a comment.
#include "runtime/server/routes_impl.hpp"

#include "common/clock.hpp"

#include <limits>

namespace switchyard::server {

namespace {

boost::json::value optional_id(const std::optional<std::int64_t>& id) {
    return id ? boost::json::value(*id) : boost::json::value(nullptr);
}

boost::json::object failed_outbox_json(const store::FailedOutboxRow& row) {
    return {{"id", row.id},
            {"comment", optional_id(row.comment)},
            {"task", optional_id(row.task)},
            {"integration", row.integration},
            {"chat", row.chat},
            {"method", row.method},
            {"error", row.error},
            {"attempts", row.attempts},
            {"failed_at", common::iso_time(row.failed_at_ms)}};
}

Response failed_list(const Request& request, const boost::urls::url_view& url, Context& ctx) {
    if (request.method() != http::verb::get) return error(request, http::status::method_not_allowed, "GET the failed messages");
    auto limit = whole_param(url, "limit", 100, 1, max_page);
    auto after = whole_param(url, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
    for (const auto* given : {&limit, &after})
        if (const auto* bad = std::get_if<std::string>(given)) return error(request, http::status::bad_request, *bad);
    boost::json::array rows;
    for (const auto& row : ctx.store.failed_outbox(std::get<std::int64_t>(limit), std::get<std::int64_t>(after)))
        rows.push_back(failed_outbox_json(row));
    return json_reply(request, http::status::ok, boost::json::object{{"failed", std::move(rows)}});
}

Response requeue(const Request& request, std::string_view given, Context& ctx) {
    auto id = to_id(given);
    if (!id) return error(request, http::status::bad_request, "not an outbox id: `" + std::string(given) + "`");
    if (request.method() != http::verb::post) return error(request, http::status::method_not_allowed, "POST to send a message again");
    if (ctx.store.requeue_outbox(*id, common::wall_clock_ms()) == store::Requeue::not_failed)
        return error(request, http::status::conflict,
                     "outbox message " + std::to_string(*id) + " has not failed (it is queued, sending, sent or unknown)");
    if (ctx.wake_outbox) ctx.wake_outbox();
    if (ctx.log) ctx.log->write(log::Level::info, "outbox_requeued", {{"outbox_id", *id}});
    return json_reply(request, http::status::accepted, boost::json::object{{"requeued", *id}});
}

}  // namespace

std::optional<Response> outbox_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx) {
    constexpr std::string_view prefix = "outbox/";
    if (!path.starts_with(prefix)) return std::nullopt;
    auto rest = path.substr(prefix.size());
    if (rest == "failed") return failed_list(request, url, ctx);
    constexpr std::string_view suffix = "/requeue";
    if (rest.ends_with(suffix)) return requeue(request, rest.substr(0, rest.size() - suffix.size()), ctx);
    return error(request, http::status::not_found, "no route /api/v1/" + std::string(path));
}

}  // namespace switchyard::server
