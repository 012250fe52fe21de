#include "console/http.hpp"

namespace switchyard::console {

Response text_reply(const Request& request, http::status status, std::string body, std::string_view content_type) {
    Response r{status, request.version()};
    r.set(http::field::server, "switchyard");
    r.set(http::field::content_type, content_type);
    // The console's answers are the admin's: no cache keeps them, and no other site frames them.
    r.set(http::field::cache_control, "no-store");
    r.set("X-Frame-Options", "DENY");
    r.set("X-Content-Type-Options", "nosniff");
    r.keep_alive(request.keep_alive());
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

Response json_reply(const Request& request, http::status status, const boost::json::value& v) {
    return text_reply(request, status, boost::json::serialize(v) + "\n", "application/json");
}

Response error_reply(const Request& request, http::status status, std::string message) {
    return json_reply(request, status, boost::json::object{{"error", std::move(message)}});
}

Response redirect(const Request& request, std::string location) {
    auto r = text_reply(request, http::status::see_other, "", "text/plain");
    r.set(http::field::location, location);
    return r;
}

std::variant<boost::json::object, Response> json_body(const Request& request) {
    boost::system::error_code ec;
    auto value = boost::json::parse(request.body(), ec);
    if (ec) return error_reply(request, http::status::bad_request, "the body is not JSON: " + ec.message());
    if (!value.is_object()) return error_reply(request, http::status::bad_request, "the body must be a JSON object");
    return std::move(value.as_object());
}

}  // namespace switchyard::console
