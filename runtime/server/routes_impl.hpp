// What the route files share (routes.cpp: webhooks, health, metrics, the read API; writes.cpp:
// the write API and downloads; review.cpp: previews and explanations; ruleset_routes.cpp:
// publishing, listing and rolling back rulesets), and nothing else sees.
#pragma once

#include "runtime/replay/replay.hpp"
#include "runtime/server/server.hpp"

#include <boost/url/url_view.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::server {

Response reply(const Request& request, http::status status, std::string body, std::string_view content_type = "application/json");
Response json_reply(const Request& request, http::status status, const boost::json::value& v);
Response error(const Request& request, http::status status, std::string message);
Response answer(const Request& request, const actions::Answer& a);
std::optional<std::string> query_param(const boost::urls::url_view& url, std::string_view name);
std::optional<std::int64_t> to_id(std::string_view text);
// A query parameter holding a whole number from `low` to `high`, or `fallback` when absent; the
// problem, naming the parameter and the text given, when it is something else.
std::variant<std::int64_t, std::string> whole_param(const boost::urls::url_view& url, std::string_view name,
                                                    std::int64_t fallback, std::int64_t low, std::int64_t high);

// The most items one page of a list holds (GET /api/v1/tasks, inbox/failed, outbox/failed, rulesets/events): a
// client cannot make one answer as large as the store.
inline constexpr std::int64_t max_page = 1000;

// The write API's routes (docs/api.md, "Changing things"); none when `path` is not one of them.
std::optional<Response> write_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx);
// Rule changes reviewed (review.cpp): POST /api/v1/ruleset/preview, GET /api/v1/explain; none when
// `path` is not one of them.
std::optional<Response> review_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx);
// The latest `last` events of the decision log replayed with a candidate (the preview, and the
// guard of a publish). Holds the API's reading connection meanwhile: at most
// max_preview_events, about a second's work.
inline constexpr std::int64_t default_preview_events = 1000, max_preview_events = 20000;
inline constexpr std::size_t listed_in_preview = 100;  // events listed in full; the counts cover all
replay::Report replay_latest(Context& ctx, std::shared_ptr<const vm::Image> candidate, std::int64_t last);
// POST /api/v1/ruleset and /api/v1/rulesets/... (docs/api.md, "Rulesets"); none when `path` is not one of them.
std::optional<Response> ruleset_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx);
// GET /api/v1/outbox/failed, POST /api/v1/outbox/{id}/requeue (outbox_routes.cpp); none when
// `path` is not under outbox/.
std::optional<Response> outbox_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx);
// GET /files/{blob}/{name}?expires=…&sig=…
Response download(const Request& request, const boost::urls::url_view& url, std::string_view rest, Context& ctx);

}  // namespace switchyard::server
