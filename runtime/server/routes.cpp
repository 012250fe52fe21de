// handle_request: the routes of docs/api.md. No network I/O here.
#include "runtime/server/server.hpp"

#include "runtime/server/routes_impl.hpp"

#include "common/clock.hpp"
#include "runtime/engine/engine.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/worker/worker.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <variant>

namespace switchyard::server {

Response reply(const Request& request, http::status status, std::string body, std::string_view content_type) {
    Response r{status, request.version()};
    r.set(http::field::server, "switchyard");
    r.set(http::field::content_type, content_type);
    r.keep_alive(request.keep_alive());
    r.body() = std::move(body);
    r.prepare_payload();
    return r;
}

Response json_reply(const Request& request, http::status status, const boost::json::value& v) {
    return reply(request, status, boost::json::serialize(v) + "\n");
}

Response error(const Request& request, http::status status, std::string message) {
    boost::json::object o;
    o["error"] = std::move(message);
    return json_reply(request, status, o);
}

Response answer(const Request& request, const actions::Answer& a) {
    return json_reply(request, static_cast<http::status>(a.status), a.body);
}

namespace {

template <typename Name>
std::string_view header(const Request& request, Name name) {
    auto it = request.find(name);
    return it == request.end() ? std::string_view() : std::string_view(it->value().data(), it->value().size());
}

std::string_view bearer(const Request& request) {
    auto value = header(request, http::field::authorization);
    constexpr std::string_view prefix = "Bearer ";
    return value.starts_with(prefix) ? value.substr(prefix.size()) : std::string_view();
}

}  // namespace

std::optional<Response> refuse_access(const Request& request, Context& ctx) {
    switch (access(request, ctx.config.api_token, ctx.sessions, common::wall_clock_ms())) {
        case Access::granted: return std::nullopt;
        case Access::bad_csrf:
            ++ctx.metrics.csrf_refused;
            return error(request, http::status::forbidden,
                         "a console session's change needs its CSRF token in the " + std::string(csrf_header) + " header");
        case Access::no_credentials: break;
    }
    ++ctx.metrics.api_unauthorized;
    return error(request, http::status::unauthorized,
                 "a Bearer token is required (api_token in the configuration), or a console session");
}

std::optional<std::string> query_param(const boost::urls::url_view& url, std::string_view name) {
    auto params = url.params();
    auto it = params.find(name);
    if (it == params.end() || !(*it).has_value) return std::nullopt;
    return std::string((*it).value);
}

std::optional<std::int64_t> to_id(std::string_view text) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

// A query parameter holding a whole number from `low` to `high`, or `fallback` when absent; the
// problem, naming the parameter and the text given, when it is something else.
std::variant<std::int64_t, std::string> whole_param(const boost::urls::url_view& url, std::string_view name,
                                                    std::int64_t fallback, std::int64_t low, std::int64_t high) {
    auto text = query_param(url, name);
    if (!text) return fallback;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec == std::errc() && end == text->data() + text->size() && n >= low && n <= high) return n;
    return std::string(name) + " must be a whole number from " + std::to_string(low) + " to " + std::to_string(high) +
           ", not `" + *text + "`";
}

namespace {

// Telegram: the secret token header; Wazzup: `Authorization: Bearer <crm key>`, or `?secret=`.
bool authenticated(const Request& request, const boost::urls::url_view& url, const config::Integration& integration) {
    switch (integration.service) {
        case config::Service::telegram:
        case config::Service::telegram_business:
            return same_secret(header(request, "X-Telegram-Bot-Api-Secret-Token"), integration.webhook_secret);
        case config::Service::wazzup:
            if (!integration.crm_key.empty()) return same_secret(bearer(request), integration.crm_key);
            return same_secret(query_param(url, "secret").value_or(""), integration.url_secret);
    }
    return false;
}

// A webhook's checks before its body is stored: the integration it is for, or the refusal.
std::variant<const config::Integration*, Response> webhook_target(const Request& request, const boost::urls::url_view& url,
                                                                  std::string_view id, Context& ctx) {
    if (request.method() != http::verb::post) return error(request, http::status::method_not_allowed, "webhooks are POSTed");
    const auto* integration = ctx.config.integration(id);
    if (!integration) return error(request, http::status::not_found, "no integration `" + std::string(id) + "`");
    if (!authenticated(request, url, *integration)) {
        ++ctx.metrics.webhooks_unauthorized;
        return error(request, http::status::unauthorized, "wrong or missing credentials");
    }
    return integration;
}

// What a commit of webhooks tells of the storage's health. Called in the order the store
// committed them, so that a failure and the success after it are seen in that order.
void note_storage(const store::Accepted& accepted, Context& ctx) {
    // The statement that failed is for the log, not for whoever sent the request.
    if (accepted.error) ctx.storage.failed(accepted.error->what(), accepted.error->reason(), ctx.log);
    else ctx.storage.worked(ctx.log);
}

// The answer to a webhook whose body the store took (or failed to), after note_storage.
Response answer_stored(const Request& request, const store::Accepted& accepted, Context& ctx) {
    // Nothing was acknowledged: the messenger will deliver again.
    if (accepted.error) return error(request, http::status::service_unavailable, "storage failed: " + accepted.error->reason());
    ++ctx.metrics.webhooks_accepted;
    if (accepted.duplicate) ++ctx.metrics.webhooks_duplicate;
    if (ctx.wake_worker) ctx.wake_worker();
    return reply(request, http::status::ok, "{\"ok\":true}\n");
}

// On a store that several servers share, what the adapters read of the body: its key, so that a
// redelivery to any of them makes no second row, and its lanes, which keep each conversation
// in order across their workers. A server of its own store reads nothing before its worker does.
store::InboxKeys keys_of(const config::Integration& integration, const Request& request, Context& ctx) {
    if (!ctx.store.shared()) return {};
    static const auto parser = worker::adapters_parser();
    return worker::inbox_keys(parser, integration, request.body());
}

Response webhook(const Request& request, const boost::urls::url_view& url, std::string_view id, Context& ctx) {
    auto target = webhook_target(request, url, id, ctx);
    if (auto* refused = std::get_if<Response>(&target)) return std::move(*refused);
    store::Accepted accepted;
    try {
        const auto& integration = *std::get<const config::Integration*>(target);
        accepted.id = ctx.store.accept(integration.id, request.body(), common::wall_clock_ms(), keys_of(integration, request, ctx));
    } catch (const store::StoreError& e) {
        accepted.error = e;
    }
    note_storage(accepted, ctx);
    return answer_stored(request, accepted, ctx);
}

boost::json::object failed_row_json(const store::FailedRow& row) {
    return {{"id", row.id},
            {"integration", row.integration},
            {"received_at", common::iso_time(row.received_at_ms)},
            {"failed_at", common::iso_time(row.failed_at_ms)},
            {"reason", row.reason},
            {"bytes", row.bytes}};
}

// GET inbox/failed?limit=&after=: the rows whose processing failed, with the reasons;
// POST inbox/{id}/requeue: one of them back in the queue, after a fix (of the rules, the
// configuration, or this program).
Response inbox_routes(const Request& request, const boost::urls::url_view& url, std::string_view rest, Context& ctx) {
    if (rest == "failed") {
        if (request.method() != http::verb::get) return error(request, http::status::method_not_allowed, "GET the failed rows");
        auto limit = whole_param(url, "limit", 100, 1, max_page);
        auto after = whole_param(url, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
        for (const auto* given : {&limit, &after})
            if (const auto* bad = std::get_if<std::string>(given)) return error(request, http::status::bad_request, *bad);
        boost::json::array rows;
        for (const auto& row : ctx.store.failed_rows(std::get<std::int64_t>(limit), std::get<std::int64_t>(after)))
            rows.push_back(failed_row_json(row));
        return json_reply(request, http::status::ok, boost::json::object{{"failed", std::move(rows)}});
    }
    constexpr std::string_view requeue = "/requeue";
    if (rest.ends_with(requeue)) {
        auto given = rest.substr(0, rest.size() - requeue.size());
        auto id = to_id(given);
        if (!id) return error(request, http::status::bad_request, "not an inbox id: `" + std::string(given) + "`");
        if (request.method() != http::verb::post) return error(request, http::status::method_not_allowed, "POST to re-queue a row");
        if (ctx.store.requeue_failed(*id, common::wall_clock_ms()) == store::Requeue::not_failed)
            return error(request, http::status::conflict,
                         "inbox row " + std::to_string(*id) + " has not failed (it is pending, done or unknown)");
        if (ctx.wake_worker) ctx.wake_worker();
        if (ctx.log) ctx.log->write(log::Level::info, "requeued", {{"inbox_id", *id}});
        return json_reply(request, http::status::accepted, boost::json::object{{"requeued", *id}});
    }
    return error(request, http::status::not_found, "no route /api/v1/inbox/" + std::string(rest));
}

Response api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx) {
    if (auto refused = refuse_access(request, ctx)) return std::move(*refused);
    bool get = request.method() == http::verb::get;
    if (auto rulesets = ruleset_api(request, url, path, ctx)) return std::move(*rulesets);
    if (path.starts_with("inbox/")) return inbox_routes(request, url, path.substr(6), ctx);
    if (auto outbox = outbox_api(request, url, path, ctx)) return std::move(*outbox);
    if (path == "metrics/history") {
        if (!get) return error(request, http::status::method_not_allowed, "GET the figures' history");
        return json_reply(request, http::status::ok, ctx.metrics_history.json());
    }
    if (auto written = write_api(request, url, path, ctx)) return std::move(*written);
    if (auto reviewed = review_api(request, url, path, ctx)) return std::move(*reviewed);
    if (!get) return error(request, http::status::method_not_allowed, "no " + std::string(request.method_string()) + " /api/v1/" + std::string(path));
    if (path == "tasks") {
        auto limit = whole_param(url, "limit", 100, 1, max_page);
        auto after = whole_param(url, "after", 0, 0, std::numeric_limits<std::int64_t>::max());
        for (const auto* given : {&limit, &after})
            if (const auto* bad = std::get_if<std::string>(given)) return error(request, http::status::bad_request, *bad);
        boost::json::object o;
        o["tasks"] = ctx.store.tasks(std::get<std::int64_t>(limit), std::get<std::int64_t>(after));
        return json_reply(request, http::status::ok, o);
    }
    if (path == "decisions") {
        std::optional<std::int64_t> task;
        if (auto t = query_param(url, "task")) {
            task = to_id(*t);
            if (!task) return error(request, http::status::bad_request, "task must be a task id");
        }
        boost::json::object o;
        o["decisions"] = ctx.store.decisions(task);
        return json_reply(request, http::status::ok, o);
    }
    for (std::string_view prefix : {"tasks/", "contacts/"}) {
        if (!path.starts_with(prefix)) continue;
        auto id = to_id(path.substr(prefix.size()));
        if (!id) return error(request, http::status::bad_request, "not an id: `" + std::string(path.substr(prefix.size())) + "`");
        auto found = prefix == "tasks/" ? ctx.store.task(*id) : ctx.store.contact(*id);
        if (!found) return error(request, http::status::not_found, "no such " + std::string(prefix.substr(0, prefix.size() - 2)));
        return json_reply(request, http::status::ok, *found);
    }
    return error(request, http::status::not_found, "no route /api/v1/" + std::string(path));
}

}  // namespace

std::string metrics_text(Context& ctx) {
    auto counts = ctx.store.counts();
    auto ruleset = ctx.rulesets.current();
    std::ostringstream out;
    auto metric = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n' << name << ' ' << value << '\n';
    };
    metric("switchyard_http_requests_total", "counter", "HTTP requests served", ctx.metrics.requests.load());
    metric("switchyard_webhooks_accepted_total", "counter", "webhooks stored and answered 200", ctx.metrics.webhooks_accepted.load());
    metric("switchyard_webhooks_duplicate_total", "counter", "webhooks accepted that were stored before (a shared store's)",
           ctx.metrics.webhooks_duplicate.load());
    metric("switchyard_webhooks_unauthorized_total", "counter", "webhooks refused with 401", ctx.metrics.webhooks_unauthorized.load());
    metric("switchyard_webhooks_too_large_total", "counter", "webhooks refused with 413", ctx.metrics.webhooks_too_large.load());
    metric("switchyard_api_unauthorized_total", "counter", "API requests refused with 401", ctx.metrics.api_unauthorized.load());
    metric("switchyard_csrf_refused_total", "counter", "console changes refused with 403: no CSRF token", ctx.metrics.csrf_refused.load());
    metric("switchyard_console_sessions", "gauge", "console sessions open", ctx.sessions.size());
    metric("switchyard_connections_open", "gauge", "HTTP connections open", ctx.metrics.connections_open.load());
    metric("switchyard_accept_pauses_total", "counter", "times accepting stopped: max_connections reached, or no file descriptors",
           ctx.metrics.accept_pauses.load());
    metric("switchyard_inbox_received", "gauge", "webhook bodies in the inbox", counts.received);
    metric("switchyard_inbox_processed", "gauge", "inbox rows processed", counts.processed);
    metric("switchyard_inbox_failed", "gauge", "inbox rows whose processing failed", counts.failed);
    metric("switchyard_inbox_pending", "gauge", "inbox rows waiting", counts.received - counts.processed - counts.failed);
    metric("switchyard_tasks", "gauge", "tasks in the store", counts.tasks);
    metric("switchyard_contacts", "gauge", "contacts in the store", counts.contacts);
    metric("switchyard_decisions", "gauge", "decision-log rows", counts.decisions);
    metric("switchyard_ruleset_swaps_total", "counter", "rulesets swapped in", ctx.metrics.ruleset_swaps.load());
    metric("switchyard_ruleset_refusals_total", "counter", "rulesets refused", ctx.metrics.ruleset_refusals.load());
    out << "# HELP switchyard_ruleset_info the ruleset being served\n# TYPE switchyard_ruleset_info gauge\n"
        << "switchyard_ruleset_info{version=\"" << (ruleset ? ruleset->version : "") << "\"} 1\n";
    if (ctx.more_metrics) out << ctx.more_metrics();
    return out.str();
}

void StorageHealth::failed(const std::string& detail, const std::string& reason, log::Logger* log) {
    std::lock_guard lock(mutex_);
    if (problem_ == reason) return;
    problem_ = reason;
    if (log) log->write(log::Level::error, "storage_failed", {{"reason", reason}, {"detail", detail}});
    else std::cerr << "switchyard serve: storage failed: " << detail << '\n';
}

void StorageHealth::worked(log::Logger* log) {
    std::lock_guard lock(mutex_);
    if (!problem_) return;
    problem_.reset();
    if (log) log->write(log::Level::warn, "storage_works_again");
    else std::cerr << "switchyard serve: storage works again\n";
}

std::optional<std::string> StorageHealth::problem() const {
    std::lock_guard lock(mutex_);
    return problem_;
}

std::optional<Response> refuse_before_body(const Request& head, Context& ctx) {
    auto parsed = boost::urls::parse_origin_form(std::string_view(head.target().data(), head.target().size()));
    if (!parsed) return error(head, http::status::bad_request, "cannot read the request target");
    std::string path = parsed->path();
    constexpr std::string_view webhooks = "/webhooks/";
    if (path.starts_with(webhooks)) {
        const auto* integration = ctx.config.integration(std::string_view(path).substr(webhooks.size()));
        if (!integration || authenticated(head, *parsed, *integration)) return std::nullopt;  // no integration: 404, after
        ++ctx.metrics.webhooks_unauthorized;
        return error(head, http::status::unauthorized, "wrong or missing credentials");
    }
    if (path.starts_with("/api/v1/")) return refuse_access(head, ctx);
    // The console's login form carries the token; its other changes, a session and its CSRF token.
    if (path == "/console/login" && ctx.console) return std::nullopt;
    if (path.starts_with("/console/api/") && ctx.console) return refuse_access(head, ctx);
    return error(head, http::status::bad_request, path + " takes no body");
}

Response handle_request(const Request& request, Context& ctx) {
    ++ctx.metrics.requests;
    auto parsed = boost::urls::parse_origin_form(std::string_view(request.target().data(), request.target().size()));
    if (!parsed) return error(request, http::status::bad_request, "cannot read the request target");
    const auto& url = *parsed;
    std::string path = url.path();
    try {
        if (path == "/healthz") {
            auto ruleset = ctx.rulesets.current();
            auto problem = ctx.storage.problem();
            boost::json::object o;
            o["status"] = problem ? "unhealthy" : "ok";
            o["ruleset"] = ruleset ? ruleset->version : "";
            if (problem) o["reason"] = "storage: " + *problem;
            return json_reply(request, problem ? http::status::service_unavailable : http::status::ok, o);
        }
        if ((path == "/console" || path.starts_with("/console/")) && ctx.console)
            return ctx.console(request, std::string_view(path).substr(8), ctx);
        if (path == "/metrics") return reply(request, http::status::ok, metrics_text(ctx), "text/plain; version=0.0.4");
        constexpr std::string_view webhooks = "/webhooks/";
        if (path.starts_with(webhooks)) {
            return webhook(request, url, std::string_view(path).substr(webhooks.size()), ctx);
        }
        constexpr std::string_view api_prefix = "/api/v1/";
        if (path.starts_with(api_prefix)) return api(request, url, std::string_view(path).substr(api_prefix.size()), ctx);
        // Download links from messages: the signature in the link is the credential.
        if (path.starts_with("/files/") && ctx.desk) return download(request, url, std::string_view(path).substr(7), ctx);
        return error(request, http::status::not_found, "no route " + path);
    } catch (const store::StoreError& e) {
        // Nothing was acknowledged: the messenger will deliver again. The statement that
        // failed is for the log, not for whoever sent the request.
        ctx.storage.failed(e.what(), e.reason(), ctx.log);
        return error(request, http::status::service_unavailable, "storage failed: " + e.reason());
    } catch (const std::exception& e) {
        // A bug, not the client's fault: answer it, and keep serving the others.
        return error(request, http::status::internal_server_error, std::string("internal error: ") + e.what());
    }
}

namespace {

// An answer made already (a refusal, a route that does not wait for the store).
MakeResponse made(Response response) {
    return [response = std::move(response)]() mutable { return std::move(response); };
}

}  // namespace

void handle_request_async(std::shared_ptr<const Request> request, Context& ctx, std::function<void(MakeResponse)> answer) {
    constexpr std::string_view webhooks = "/webhooks/";
    auto target_text = std::string_view(request->target().data(), request->target().size());
    auto parsed = boost::urls::parse_origin_form(target_text);
    if (!parsed || !parsed->path().starts_with(webhooks)) return answer(made(handle_request(*request, ctx)));
    ++ctx.metrics.requests;
    std::string path = parsed->path();
    auto target = webhook_target(*request, *parsed, std::string_view(path).substr(webhooks.size()), ctx);
    if (auto* refused = std::get_if<Response>(&target)) return answer(made(std::move(*refused)));
    // The request (and so its body) lives in the callback until the store is done with it.
    const auto& integration = *std::get<const config::Integration*>(target);
    ctx.store.accept_async(integration.id, request->body(), common::wall_clock_ms(), keys_of(integration, *request, ctx),
                           [request, &ctx, answer = std::move(answer)](store::Accepted accepted) {
                               note_storage(accepted, ctx);  // on the committing thread: in commit order
                               answer([request, &ctx, accepted = std::move(accepted)] { return answer_stored(*request, accepted, ctx); });
                           });
}

}  // namespace switchyard::server
