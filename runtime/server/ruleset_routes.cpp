// The rulesets' routes (docs/api.md, "Rulesets"): publishing a compiled ruleset, the rulesets
// that have served with their sources and the diff between two, rolling back to one, and the
// events with who did what and why. The swaps themselves are rulesets.cpp's.
#include "runtime/server/routes_impl.hpp"
#include "runtime/server/rulesets.hpp"

#include "bytecode/serialize.hpp"
#include "common/clock.hpp"
#include "common/unified_diff.hpp"

#include <filesystem>
#include <limits>
#include <map>
#include <vector>

namespace switchyard::server {

namespace {

namespace json = boost::json;
using store::RulesetAction;

// ---- who and why ----

// `?by=` (an employee of the configuration) and `?reason=`: who asks and why. Without `by`, the
// holder of the API token, as before rulesets were recorded.
std::variant<Change, Response> change_asked(const Request& request, const boost::urls::url_view& url, Context& ctx,
                                            RulesetAction action) {
    Change change{action, {"api", std::nullopt, "API token"}, query_param(url, "reason"), std::nullopt};
    if (change.reason && change.reason->empty()) change.reason.reset();
    auto by = query_param(url, "by");
    if (!by) return change;
    auto id = to_id(*by);
    if (!id) return error(request, http::status::bad_request, "by: expected an employee id, found `" + *by + "`");
    const auto* employee = ctx.config.employee(*id);
    if (!employee) return error(request, http::status::unprocessable_entity, "by: no employee has id " + std::to_string(*id));
    change.by = {"employee", employee->id, employee->name};
    return change;
}

// 200 with the version now serving (and the one before), or 422 with why the old one goes on.
Response swap_reply(const Request& request, const engine::SwapResult& result, const std::optional<std::string>& previous,
                    Context& ctx, RulesetAction action) {
    if (const auto* refused = std::get_if<engine::Refused>(&result)) {
        ++ctx.metrics.ruleset_refusals;
        if (ctx.log)
            ctx.log->write(log::Level::warn, "ruleset_refused", {{"attempted", name_of(action)}, {"reason", refused->reason}});
        return error(request, http::status::unprocessable_entity, "the ruleset is refused: " + refused->reason);
    }
    ++ctx.metrics.ruleset_swaps;
    const auto& version = std::get<engine::Swapped>(result).ruleset->version;
    if (ctx.log) ctx.log->write(log::Level::info, "ruleset_swapped", {{"action", name_of(action)}, {"version", version}});
    json::object o{{"version", version}, {"previous", previous ? json::value(*previous) : json::value(nullptr)}};
    return json_reply(request, http::status::ok, o);
}

std::optional<std::string> serving_version(Context& ctx) {
    auto current = ctx.rulesets.current();
    return current ? std::optional<std::string>(current->version) : std::nullopt;
}

// ---- the JSON of the answers ----

json::value optional_json(const std::optional<std::string>& text) {
    return text ? json::value(*text) : json::value(nullptr);
}

json::object actor_json(const store::RulesetActor& a) {
    return {{"kind", a.kind}, {"id", a.id ? json::value(*a.id) : json::value(nullptr)}, {"name", a.name}};
}

json::object ruleset_json(const store::RulesetRecord& r, const std::optional<std::string>& serving) {
    return {{"version", r.version},
            {"name", r.name},
            {"first_served_at", common::iso_time(r.first_served_at)},
            {"by", actor_json(r.first_served_by)},
            {"serving", serving == r.version}};
}

json::object event_json(const store::RulesetEvent& e) {
    return {{"id", e.id},
            {"at", common::iso_time(e.at)},
            {"action", name_of(e.action)},
            {"version", optional_json(e.version)},
            {"previous", optional_json(e.previous)},
            {"attempted", e.attempted ? json::value(name_of(*e.attempted)) : json::value(nullptr)},
            {"by", actor_json(e.by)},
            {"reason", optional_json(e.reason)},
            {"detail", optional_json(e.detail)}};
}

// ---- sources and diffs ----

// A source's path from the folder of the root file (the first source): the name by which two
// rulesets' files are compared, wherever each was compiled from.
std::string file_name(const bytecode::Module& m, const bytecode::SourceFile& src) {
    auto folder = std::filesystem::path(m.sources.front().path).parent_path();
    auto relative = std::filesystem::path(src.path).lexically_relative(folder);
    return relative.empty() ? src.path : relative.generic_string();
}

json::array sources_json(const bytecode::Module& m) {
    json::array out;
    for (const auto& src : m.sources) out.push_back({{"path", src.path}, {"file", file_name(m, src)}, {"text", src.text}});
    return out;
}

// The files of `against` turned into those of `shown`, each that differs: changed, added (not in
// `against`) or removed (not in `shown`), with its unified diff.
json::array diff_json(const bytecode::Module& against, const std::string& against_version, const bytecode::Module& shown,
                      const std::string& shown_version) {
    std::map<std::string, const bytecode::SourceFile*> before;
    for (const auto& src : against.sources) before.emplace(file_name(against, src), &src);
    json::array out;
    auto add = [&](const std::string& file, std::string_view change, const bytecode::SourceFile* from, const bytecode::SourceFile* to) {
        auto diff = common::unified_diff(from ? against_version + "/" + file : "/dev/null", to ? shown_version + "/" + file : "/dev/null",
                                         from ? from->text : "", to ? to->text : "");
        out.push_back({{"file", file}, {"change", change}, {"diff", diff}});
    };
    for (const auto& src : shown.sources) {
        auto file = file_name(shown, src);
        auto found = before.find(file);
        if (found == before.end()) add(file, "added", nullptr, &src);
        else if (found->second->text != src.text) add(file, "changed", found->second, &src);
        if (found != before.end()) before.erase(found);
    }
    for (const auto& [file, src] : before) add(file, "removed", src, nullptr);
    return out;
}

// A ruleset that has served, with its compiled file read (for its sources).
struct Stored {
    store::RulesetRecord record;
    bytecode::Module module;
};

// The stored ruleset `version`, or the answer saying why there is none.
std::variant<Stored, Response> stored(const Request& request, Context& ctx, std::string_view version) {
    auto found = ctx.store.ruleset(version);
    if (!found) return error(request, http::status::not_found, "no ruleset `" + std::string(version) + "` has served here");
    auto read = bytecode::read(found->compiled);
    if (const auto* bad = std::get_if<bytecode::ReadError>(&read))
        return error(request, http::status::unprocessable_entity,
                     "ruleset " + std::string(version) + " cannot be read by this switchyard: " + bad->message);
    auto module = std::get<bytecode::Module>(std::move(read));
    if (module.sources.empty())
        return error(request, http::status::unprocessable_entity, "ruleset " + std::string(version) + " has no sources");
    return Stored{std::move(found->record), std::move(module)};
}

// ---- the routes ----

// GET rulesets/{version}?against={version}
Response show(const Request& request, const boost::urls::url_view& url, std::string_view version, Context& ctx) {
    auto shown = stored(request, ctx, version);
    if (auto* refused = std::get_if<Response>(&shown)) return std::move(*refused);
    const auto& [record, module] = std::get<Stored>(shown);
    auto o = ruleset_json(record, serving_version(ctx));
    o["sources"] = sources_json(module);
    if (auto against = query_param(url, "against")) {
        auto other = stored(request, ctx, *against);
        if (auto* refused = std::get_if<Response>(&other)) return std::move(*refused);
        o["against"] = *against;
        o["diff"] = diff_json(std::get<Stored>(other).module, *against, module, std::string(version));
    }
    return json_reply(request, http::status::ok, o);
}

// POST rulesets/{version}/rollback?by=&reason=
Response rollback(const Request& request, const boost::urls::url_view& url, std::string_view version, Context& ctx) {
    auto asked = change_asked(request, url, ctx, RulesetAction::rollback);
    if (auto* refused = std::get_if<Response>(&asked)) return std::move(*refused);
    auto stored = ctx.store.ruleset(version);
    if (!stored) return error(request, http::status::not_found, "no ruleset `" + std::string(version) + "` has served here");
    auto previous = serving_version(ctx);
    if (previous == version) return error(request, http::status::conflict, "ruleset " + std::string(version) + " is serving already");
    auto result = swap_and_record(ctx.rulesets, ctx.store, ctx.config, offer_compiled(std::move(stored->compiled)),
                                  std::get<Change>(asked));
    return swap_reply(request, result, previous, ctx, RulesetAction::rollback);
}

// The publish guard, `?max_changed=N` (and `&last=M`): the candidate replayed over the latest M
// events (the preview) before it may serve; more than N of them decided otherwise and it is
// refused, answered 409 with the preview and recorded as a refusal. None: no guard asked, or
// the guard passed (or the candidate did not load: the swap refuses it with the loader's reason).
std::optional<Response> guard(const Request& request, const boost::urls::url_view& url, Context& ctx, const Offer& offer,
                              const Change& change) {
    auto most = whole_param(url, "max_changed", -1, 0, std::numeric_limits<std::int64_t>::max());
    auto last = whole_param(url, "last", default_preview_events, 1, max_preview_events);
    for (const auto* given : {&most, &last})
        if (const auto* bad = std::get_if<std::string>(given)) return error(request, http::status::bad_request, *bad);
    auto limit = std::get<std::int64_t>(most);
    const auto* image = std::get_if<std::shared_ptr<const vm::Image>>(&offer.loaded);
    if (limit < 0 || !image) return std::nullopt;
    auto report = replay_latest(ctx, *image, std::get<std::int64_t>(last));
    if (static_cast<std::int64_t>(report.changed) <= limit) return std::nullopt;
    std::string why = "the preview over the latest " + std::to_string(report.replayed + report.unreplayable + report.unrecorded) +
                      " events found " + std::to_string(report.changed) + " decided otherwise, more than max_changed " +
                      std::to_string(limit);
    record_refused(ctx.rulesets, ctx.store, change, report.candidate_version, why);
    ++ctx.metrics.ruleset_refusals;
    if (ctx.log) ctx.log->write(log::Level::warn, "ruleset_refused", {{"attempted", "publish"}, {"reason", why}});
    return json_reply(request, http::status::conflict,
                      json::object{{"error", "the ruleset is refused: " + why}, {"preview", replay::to_json(report)}});
}

// POST ruleset?by=&reason=&max_changed=&last=, the compiled file as the body.
Response publish(const Request& request, const boost::urls::url_view& url, Context& ctx) {
    auto asked = change_asked(request, url, ctx, RulesetAction::publish);
    if (auto* refused = std::get_if<Response>(&asked)) return std::move(*refused);
    auto previous = serving_version(ctx);
    auto offer = offer_compiled(request.body());
    if (auto stopped = guard(request, url, ctx, offer, std::get<Change>(asked))) return std::move(*stopped);
    auto result = swap_and_record(ctx.rulesets, ctx.store, ctx.config, std::move(offer), std::get<Change>(asked));
    return swap_reply(request, result, previous, ctx, RulesetAction::publish);
}

// GET rulesets/events?limit=&before=
Response events(const Request& request, const boost::urls::url_view& url, Context& ctx) {
    auto limit = whole_param(url, "limit", 100, 1, max_page);
    auto before = whole_param(url, "before", 0, 0, std::numeric_limits<std::int64_t>::max());
    for (const auto* given : {&limit, &before})
        if (const auto* bad = std::get_if<std::string>(given)) return error(request, http::status::bad_request, *bad);
    json::array out;
    for (const auto& e : ctx.store.ruleset_events(std::get<std::int64_t>(limit), std::get<std::int64_t>(before)))
        out.push_back(event_json(e));
    return json_reply(request, http::status::ok, json::object{{"events", std::move(out)}});
}

}  // namespace

std::optional<Response> ruleset_api(const Request& request, const boost::urls::url_view& url, std::string_view path, Context& ctx) {
    auto verb = request.method();
    if (path == "ruleset") {
        if (verb != http::verb::post) return error(request, http::status::method_not_allowed, "POST a compiled ruleset");
        return publish(request, url, ctx);
    }
    constexpr std::string_view prefix = "rulesets";
    if (!path.starts_with(prefix) || (path.size() > prefix.size() && path[prefix.size()] != '/')) return std::nullopt;
    auto rest = path.substr(std::min(path.size(), prefix.size() + 1));
    constexpr std::string_view rollback_suffix = "/rollback";
    if (rest.ends_with(rollback_suffix)) {
        if (verb != http::verb::post) return error(request, http::status::method_not_allowed, "POST to roll back");
        return rollback(request, url, rest.substr(0, rest.size() - rollback_suffix.size()), ctx);
    }
    if (verb != http::verb::get) return error(request, http::status::method_not_allowed, "GET the rulesets");
    if (rest.empty()) {
        json::array out;
        auto serving = serving_version(ctx);
        for (const auto& r : ctx.store.rulesets()) out.push_back(ruleset_json(r, serving));
        return json_reply(request, http::status::ok, json::object{{"rulesets", std::move(out)}});
    }
    if (rest == "events") return events(request, url, ctx);
    if (rest.find('/') != std::string_view::npos) return error(request, http::status::not_found, "no route /api/v1/" + std::string(path));
    return show(request, url, rest, ctx);
}

}  // namespace switchyard::server
