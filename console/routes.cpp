// The console's routes (console.hpp): the login and its session, the pages and their scripts,
// Debian's CodeMirror, and the workbench.
#include "console/console.hpp"

#include "console/assets.hpp"
#include "console/http.hpp"
#include "console/workbench.hpp"

#include "common/clock.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace switchyard::console {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string session_cookie_header(const server::ConsoleSession& s, std::int64_t ttl_ms) {
    return std::string(server::session_cookie) + "=" + s.id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
           std::to_string(ttl_ms / 1000);
}

std::string expired_cookie_header() {
    return std::string(server::session_cookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

std::optional<server::ConsoleSession> session_of(const Request& request, server::Context& ctx) {
    return ctx.sessions.find(server::cookie(request, server::session_cookie), common::wall_clock_ms());
}

// The value of `name` in an application/x-www-form-urlencoded body (`+` is a space there).
std::string form_value(const std::string& body, std::string_view name) {
    auto parsed = boost::urls::parse_query(body);
    if (!parsed) return {};
    boost::urls::encoding_opts form;
    form.space_as_plus = true;
    for (auto param : *parsed)
        if (param.has_value && param.key.decode(form) == name) return param.value.decode(form);
    return {};
}

Response page(const Request& request, std::string_view name, http::status status = http::status::ok) {
    const auto* asset = find_asset(name);
    return text_reply(request, status, std::string(asset->bytes), asset->content_type);
}

// The login page saying the token was wrong.
std::string refused_login(std::string page) {
    constexpr std::string_view hidden = "id=\"refused\" class=\"refused\" hidden";
    if (auto at = page.find(hidden); at != std::string::npos) page.replace(at, hidden.size(), "id=\"refused\" class=\"refused\"");
    return page;
}

// POST /console/login (the form's `token`): a session and its cookie, then the console; the
// login page again, 401, with a wrong token.
Response login(const Request& request, server::Context& ctx) {
    if (request.method() == http::verb::get) return page(request, "login.html");
    if (request.method() != http::verb::post) return error_reply(request, http::status::method_not_allowed, "GET or POST the login");
    if (!server::same_secret(form_value(request.body(), "token"), ctx.config.api_token)) {
        ++ctx.metrics.api_unauthorized;
        if (ctx.log) ctx.log->write_noise(log::Level::warn, "console_login_refused");
        auto r = page(request, "login.html", http::status::unauthorized);
        r.body() = refused_login(r.body());
        r.prepare_payload();
        return r;
    }
    auto session = ctx.sessions.open(common::wall_clock_ms());
    if (ctx.log) ctx.log->write(log::Level::info, "console_login");
    auto r = redirect(request, "/console/");
    r.set(http::field::set_cookie, session_cookie_header(session, ctx.sessions.ttl_ms()));
    return r;
}

// POST /console/logout (with the CSRF token): the session ends, its cookie too.
Response logout(const Request& request, server::Context& ctx) {
    if (request.method() != http::verb::post) return error_reply(request, http::status::method_not_allowed, "POST to log out");
    if (auto refused = server::refuse_access(request, ctx)) return std::move(*refused);
    ctx.sessions.close(server::cookie(request, server::session_cookie));
    auto r = json_reply(request, http::status::ok, json::object{{"ok", true}});
    r.set(http::field::set_cookie, expired_cookie_header());
    return r;
}

// GET /console/session: the CSRF token the page sends with each change, and when the session ends.
Response session(const Request& request, server::Context& ctx) {
    auto s = session_of(request, ctx);
    if (!s) return error_reply(request, http::status::unauthorized, "no console session: log in at /console/login");
    return json_reply(request, http::status::ok,
                      json::object{{"csrf", s->csrf}, {"expires_at", common::iso_time(s->expires_at_ms)},
                                   {"editor", fs::exists(fs::path(ctx.config.console.codemirror) / "lib" / "codemirror.js")}});
}

// A file of Debian's CodeMirror (libjs-codemirror), below [console] codemirror.
Response codemirror(const Request& request, std::string_view rest, server::Context& ctx) {
    bool plain = !rest.empty() && rest.find("..") == std::string_view::npos && rest.front() != '/';
    for (char c : rest) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' || c == '-');
    if (!plain) return error_reply(request, http::status::bad_request, "not a CodeMirror file name");
    auto path = fs::path(ctx.config.console.codemirror) / std::string(rest);
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return error_reply(request, http::status::not_found,
                           "CodeMirror's " + std::string(rest) + " is not in " + ctx.config.console.codemirror +
                               " ([console] codemirror; on Debian: apt-get install libjs-codemirror)");
    std::ostringstream bytes;
    bytes << file.rdbuf();
    auto r = text_reply(request, http::status::ok, bytes.str(), content_type_of(rest));
    r.set(http::field::cache_control, "max-age=3600");
    return r;
}

Response asset(const Request& request, std::string_view name) {
    const auto* found = find_asset(name);
    if (!found) return error_reply(request, http::status::not_found, "no console file " + std::string(name));
    return text_reply(request, http::status::ok, std::string(found->bytes), found->content_type);
}

}  // namespace

server::Response route(const Request& request, std::string_view path, server::Context& ctx, const RunCli& run_cli) {
    if (path.empty()) return redirect(request, "/console/");
    if (path == "/login") return login(request, ctx);
    if (path == "/logout") return logout(request, ctx);
    if (path == "/session") return session(request, ctx);
    if (path.starts_with("/assets/")) return asset(request, path.substr(8));
    if (path.starts_with("/codemirror/")) return codemirror(request, path.substr(12), ctx);
    if (path.starts_with("/api/")) {
        if (auto refused = server::refuse_access(request, ctx)) return std::move(*refused);
        if (auto answered = workbench(request, path.substr(5), run_cli)) return std::move(*answered);
        return error_reply(request, http::status::not_found, "no route /console" + std::string(path));
    }
    if (path != "/") return error_reply(request, http::status::not_found, "no route /console" + std::string(path));
    if (!session_of(request, ctx)) return redirect(request, "/console/login");
    return page(request, "index.html");
}

Notice attach(server::Context& ctx, RunCli run_cli) {
    const auto& settings = ctx.config.console;
    if (!settings.enabled) return {false, {}};
    ctx.sessions.set_ttl(settings.session_ttl_ms);
    ctx.console = [run_cli = std::move(run_cli)](const Request& request, std::string_view path, server::Context& c) {
        return route(request, path, c, run_cli);
    };
    if (fs::exists(fs::path(settings.codemirror) / "lib" / "codemirror.js")) return {true, {}};
    return {true, "the console's rule editor needs CodeMirror, which is not in " + settings.codemirror +
                      " ([console] codemirror; on Debian: apt-get install libjs-codemirror): it shows rules as plain text"};
}

}  // namespace switchyard::console
