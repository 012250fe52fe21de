// Reviewing rule changes through the API (issue 15): what a candidate ruleset would decide over the
// latest events (preview), and why a logged event was decided as it was (explain).
#include "runtime/replay/replay.hpp"
#include "runtime/server/routes_impl.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/store/recorded.hpp"

namespace switchyard::server {

namespace {

// The ruleset of a version: the one serving, or one that served before, from the store (none
// when it never served here, or this switchyard cannot load it any more).
std::shared_ptr<const vm::Image> ruleset_of(Context& ctx, const std::string& version) {
    auto current = ctx.rulesets.current();
    if (current && current->version == version) return current->image;
    auto stored = ctx.store.ruleset(version);
    if (!stored) return nullptr;
    auto loaded = vm::load(stored->compiled);
    auto* image = std::get_if<std::shared_ptr<const vm::Image>>(&loaded);
    return image ? *image : nullptr;
}

// GET /api/v1/explain?decision=N | ?comment=N | ?event=KEY: the latest decision-log row named.
Response explain(const Request& request, const boost::urls::url_view& url, Context& ctx) {
    store::LogFilter filter;
    filter.last = 1;
    std::string which;
    if (auto d = query_param(url, "decision")) {
        filter.id = to_id(*d);
        if (!filter.id) return error(request, http::status::bad_request, "decision must be a decision-log id");
        which = "decision " + *d;
    } else if (auto c = query_param(url, "comment")) {
        filter.comment = to_id(*c);
        if (!filter.comment) return error(request, http::status::bad_request, "comment must be a comment id");
        which = "comment " + *c;
    } else if (auto e = query_param(url, "event")) {
        filter.event = *e;
        which = "event " + *e;
    } else {
        return error(request, http::status::bad_request, "name what to explain: ?decision=ID, ?comment=ID or ?event=KEY");
    }
    std::optional<store::RecordedRow> found;
    ctx.store.each_recorded(filter, [&](const store::RecordedRow& row) { found = row; });
    if (!found) return error(request, http::status::not_found, "no decision-log row for " + which);
    auto image = ruleset_of(ctx, found->ruleset);
    if (!image)
        return error(request, http::status::conflict,
                     "ruleset version " + found->ruleset + ", which decided " + which +
                         ", is not kept by this server (it served before rulesets were kept, or cannot be loaded any more)");
    try {
        return json_reply(request, http::status::ok, replay::explain(image, ctx.config, *found));
    } catch (const std::runtime_error& e) {
        return error(request, http::status::conflict, "cannot explain " + which + ": " + e.what());
    }
}

// A candidate ruleset posted for a preview, or the answer refusing it.
std::variant<std::shared_ptr<const vm::Image>, Response> candidate(const Request& request, Context& ctx) {
    auto loaded = vm::load(request.body());
    if (auto* refused = std::get_if<std::string>(&loaded))
        return error(request, http::status::unprocessable_entity, "the ruleset is refused: " + *refused);
    auto image = std::get<std::shared_ptr<const vm::Image>>(loaded);
    auto misfit = engine::check_settings(ctx.config, *image);
    auto fields = engine::check_contact_fields(ctx.config, *image);
    misfit.insert(misfit.end(), fields.begin(), fields.end());
    if (!misfit.empty())
        return error(request, http::status::unprocessable_entity,
                     "the configuration's settings do not fit it:\n" + common::render_text_string(misfit, *ctx.config.sources));
    return image;
}

// POST /api/v1/ruleset/preview?last=N: the candidate replayed over the latest N events.
Response preview(const Request& request, const boost::urls::url_view& url, Context& ctx) {
    auto last = whole_param(url, "last", default_preview_events, 1, max_preview_events);
    if (auto* bad = std::get_if<std::string>(&last)) return error(request, http::status::bad_request, *bad);
    auto given = candidate(request, ctx);
    if (auto* refused = std::get_if<Response>(&given)) return std::move(*refused);
    auto image = std::get<std::shared_ptr<const vm::Image>>(given);
    auto report = replay_latest(ctx, image, std::get<std::int64_t>(last));
    return json_reply(request, http::status::ok, replay::to_json(report));
}

}  // namespace

replay::Report replay_latest(Context& ctx, std::shared_ptr<const vm::Image> candidate, std::int64_t last) {
    replay::Replayer replayer(candidate, engine::version_of(*candidate), ctx.config, {1.0, listed_in_preview});
    store::LogFilter filter;
    filter.last = last;
    ctx.store.each_recorded(filter, [&](const store::RecordedRow& row) { replayer.row(row); });
    return replayer.report();
}

std::optional<Response> review_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx) {
    if (path == "ruleset/preview") {
        if (request.method() != http::verb::post) return error(request, http::status::method_not_allowed, "POST a compiled ruleset to preview");
        return preview(request, url, ctx);
    }
    if (path != "explain") return std::nullopt;
    if (request.method() != http::verb::get) return error(request, http::status::method_not_allowed, "GET an explanation");
    return explain(request, url, ctx);
}

}  // namespace switchyard::server
