// What the console's route files share: answers and the reading of posted JSON.
#pragma once

#include "runtime/server/server.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::console {

namespace http = boost::beast::http;
using server::Request;
using server::Response;

Response text_reply(const Request& request, http::status status, std::string body, std::string_view content_type);
Response json_reply(const Request& request, http::status status, const boost::json::value& v);
Response error_reply(const Request& request, http::status status, std::string message);
Response redirect(const Request& request, std::string location);

// The request's body as a JSON object, or the 400 that says why not.
std::variant<boost::json::object, Response> json_body(const Request& request);

}  // namespace switchyard::console
