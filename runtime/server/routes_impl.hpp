// What the route files share (routes.cpp: webhooks, health, metrics, the read API; writes.cpp:
// the write API and downloads), and nothing else sees.
#pragma once

#include "runtime/server/server.hpp"

#include <boost/url/url_view.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::server {

Response reply(const Request& request, http::status status, std::string body, std::string_view content_type = "application/json");
Response json_reply(const Request& request, http::status status, const boost::json::value& v);
Response error(const Request& request, http::status status, std::string message);
Response answer(const Request& request, const actions::Answer& a);
std::optional<std::string> query_param(const boost::urls::url_view& url, std::string_view name);
std::optional<std::int64_t> to_id(std::string_view text);

// The write API's routes (docs/api.md, "Changing things"); none when `path` is not one of them.
std::optional<Response> write_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx);
// Rule changes reviewed (review.cpp): GET /api/v1/explain; none when `path` is not one of them.
std::optional<Response> review_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx);
// GET /files/{blob}/{name}?expires=…&sig=…
Response download(const Request& request, const boost::urls::url_view& url, std::string_view rest, Context& ctx);

}  // namespace switchyard::server
