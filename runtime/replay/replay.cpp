#include "runtime/replay/replay.hpp"

#include "runtime/engine/ruleset.hpp"

#include <array>
#include <map>

namespace switchyard::replay {

namespace json = boost::json;

namespace {

// An event the candidate cannot decide exactly: `reason` names what was missing for this event,
// `counted` the same without the particulars, for the summary.
struct NotExact {
    std::string reason, counted;
};

// What identifies a decision within one ask of the engine: its kind, and its file for the
// per-file kinds.
bool same_key(const json::object& x, const json::object& y) {
    static const json::value none;
    const auto* fx = x.if_contains("file");
    const auto* fy = y.if_contains("file");
    return x.at("kind") == y.at("kind") && (fx ? *fx : none) == (fy ? *fy : none);
}

// The decision of `list` with the key of `d`, or null.
const json::object* find_key(const json::array& list, const json::object& d) {
    for (const auto& item : list)
        if (same_key(item.as_object(), d)) return &item.as_object();
    return nullptr;
}

// A failure without where it happened (`no rule matched in policy x.rules:3`): the candidate's
// lines differ from the old ones, and a failure that moved is the same failure.
std::string failure_of(const json::object& d) {
    const auto* e = d.if_contains("error");
    if (!e || !e->is_string()) return {};
    std::string text(e->as_string());
    return text.substr(0, text.find(" in "));
}

bool same_decision(const json::object& before, const json::object& after) {
    const auto* a = before.if_contains("value");
    const auto* b = after.if_contains("value");
    if (a || b) return a && b && *a == *b;
    return failure_of(before) == failure_of(after);
}

std::string rule_or_failure(const json::object& d) {
    if (const auto* r = d.if_contains("rule"); r && r->is_string()) return std::string(r->as_string());
    if (const auto* e = d.if_contains("error"); e && e->is_string()) return "failed: " + std::string(e->as_string());
    return {};
}

const json::value* path(const json::value& v, std::initializer_list<std::string_view> keys) {
    const json::value* at = &v;
    for (auto k : keys) {
        const auto* o = at->if_object();
        if (!o || !(at = o->if_contains(k))) return nullptr;
    }
    return at;
}

std::string string_at(const json::value& v, std::initializer_list<std::string_view> keys) {
    const auto* s = path(v, keys);
    return s && s->is_string() ? std::string(s->as_string()) : std::string();
}

}  // namespace

bool sampled(std::int64_t id, double share) {
    if (share >= 1.0) return true;
    // A 64-bit mix of the id (splitmix64's finaliser): consecutive ids land far apart.
    auto x = static_cast<std::uint64_t>(id);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return static_cast<double>(x >> 11) / 9007199254740992.0 < share;  // 2^53
}

struct Replayer::Impl {
    Impl(std::shared_ptr<const vm::Image> candidate, const config::Config& config, Options options)
        : image(std::move(candidate)), engine(image), config(config), options(options) {}

    // The integration's settings for the candidate, from the configuration, made once.
    const std::vector<vm::Value>& settings_for(const std::string& integration) {
        auto it = settings.find(integration);
        if (it != settings.end()) return it->second.settings();
        const auto* found = config.integration(integration);
        if (!found) throw NotExact{"its integration `" + integration + "` is not in the configuration",
                                   "its integration is not in the configuration"};
        try {
            auto c = engine::Case::from_json(*image, json::object{{"settings", engine::settings_json(config, *found, *image)}});
            return settings.emplace(integration, std::move(c)).first->second.settings();
        } catch (const engine::CaseError& e) {
            throw NotExact{std::string("the configuration's settings do not fit the candidate: ") + e.what(),
                           "the configuration's settings do not fit the candidate"};
        }
    }

    // Decides one recorded ask again; the decisions that differ from `before` go to `changes`.
    // `sp`: where the decisions made now are built (the row's buffer).
    void ask(const json::value& recorded, std::span<const json::value> earlier, const std::string& integration,
             std::span<const json::value> before, std::vector<Change>& changes, const json::storage_ptr& sp) {
        engine::Recorded r = [&] {
            try {
                return engine::read_recorded(*image, recorded, earlier);
            } catch (const engine::CaseError& e) {
                throw NotExact{std::string("its recording does not fit the candidate's schema: ") + e.what(),
                               "its recording does not fit the candidate's schema"};
            }
        }();
        r.kase.set_settings(settings_for(integration));
        if (auto missing = engine::missing_reads(engine, r); !missing.empty()) {
            std::string list;
            for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
            throw NotExact{"the candidate reads " + list + ", which the recording does not hold",
                           "the candidate reads facts the recording does not hold"};
        }
        engine::ReplayQueries queries(r);
        r.kase.set_queries(&queries);
        engine::Options opts;
        opts.kinds = r.kinds;
        const auto& decided = engine.decide(r.kase, opts);
        if (!queries.unrecorded().empty())
            throw NotExact{"the candidate asks " + queries.unrecorded().front() + ", which the recording does not hold",
                           "the candidate asks fact queries the recording does not hold"};
        json::array old(sp), now(sp);
        for (const auto& d : before)
            if (d.is_object()) old.push_back(d);
        for (const auto& d : decided)
            if (opts.kinds & (engine::KindSet(1) << d.kind)) now.push_back(engine.decision_json(d, false, sp));
        auto differ = [&](const json::object* b, const json::object* a) {
            if (b && a && same_decision(*b, *a)) return;
            const auto& any = b ? *b : *a;
            Change c{std::string(any.at("kind").as_string()), std::nullopt, nullptr, nullptr, {}, {}};
            if (const auto* f = any.if_contains("file"); f && f->is_int64()) c.file = f->as_int64();
            if (b) c.before = *b, c.before_rule = rule_or_failure(*b);
            if (a) c.after = *a, c.after_rule = rule_or_failure(*a);
            changes.push_back(std::move(c));
        };
        for (const auto& b : old) differ(&b.as_object(), find_key(now, b.as_object()));
        for (const auto& a : now)
            if (!find_key(old, a.as_object())) differ(nullptr, &a.as_object());
    }

    std::shared_ptr<const vm::Image> image;
    engine::Engine engine;
    const config::Config& config;
    Options options;
    std::map<std::string, engine::Case, std::less<>> settings;
};

Replayer::Replayer(std::shared_ptr<const vm::Image> candidate, std::string version, const config::Config& config, Options options)
    : impl_(std::make_unique<Impl>(std::move(candidate), config, options)) {
    report_.candidate_version = std::move(version);
}

Replayer::~Replayer() = default;

void Replayer::row(const store::RecordedRow& row) {
    if (!sampled(row.id, impl_->options.sample)) return;
    EventRef ref{row.id, row.inbox, row.event, {}, row.at, row.task, {}, {}};
    if (row.cases.empty()) {
        ++report_.unrecorded;
        return;
    }
    std::vector<Change> changes;
    // The row's JSON is built in one buffer, released with it: no allocation per node.
    std::array<unsigned char, 32 * 1024> buffer;
    json::monotonic_resource resource(buffer.data(), buffer.size());
    json::storage_ptr sp(&resource);
    try {
        boost::system::error_code ec;
        auto cases = json::parse(row.cases, ec, sp);
        auto decisions = ec ? json::value() : json::parse(row.decisions, ec, sp);
        const auto* asks = path(cases, {"asks"});
        const auto* before = path(decisions, {"decisions"});
        if (ec || !asks || !asks->is_array() || !before || !before->is_array())
            throw NotExact{"its recording cannot be read", "its recording cannot be read"};
        ref.integration = string_at(cases, {"integration"});
        const auto& first = asks->as_array().empty() ? json::value() : asks->as_array()[0];
        ref.sender = string_at(first, {"case", "message", "sender", "name"});
        ref.text = string_at(first, {"case", "message", "text"});
        std::span<const json::value> old(before->as_array().data(), before->as_array().size());
        const auto& all = asks->as_array();
        for (std::size_t i = 0; i < all.size(); ++i) {
            std::size_t n = 0;
            if (const auto* count = path(all[i], {"decisions"}); count && count->is_int64())
                n = std::min(static_cast<std::size_t>(count->as_int64()), old.size());
            impl_->ask(all[i], std::span(all.data(), i), ref.integration, old.first(n), changes, sp);
            old = old.subspan(n);
        }
    } catch (const NotExact& e) {
        ++report_.unreplayable;
        ++report_.unreplayable_by_reason[e.counted];
        if (report_.unreplayed.size() < impl_->options.max_listed) report_.unreplayed.push_back({std::move(ref), e.reason});
        return;
    }
    ++report_.replayed;
    if (changes.empty()) return;
    ++report_.changed;
    std::map<std::string, bool> kinds;
    for (const auto& c : changes) {
        kinds[c.kind] = true;
        ++report_.changed_by_rule[{c.kind, c.before_rule, c.after_rule}];
    }
    for (const auto& [kind, _] : kinds) ++report_.changed_by_kind[kind];
    if (report_.changes.size() < impl_->options.max_listed) report_.changes.push_back({std::move(ref), std::move(changes)});
}

}  // namespace switchyard::replay
