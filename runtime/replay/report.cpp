// The replay report as JSON (for programs and the API) and as text (for people).
#include "runtime/replay/replay.hpp"

#include "common/civil.hpp"

#include <sstream>

namespace switchyard::replay {

namespace json = boost::json;

namespace {

json::object event_json(const EventRef& e) {
    json::object o{{"decision", e.decision},
                   {"inbox", e.inbox},
                   {"event", e.event},
                   {"integration", e.integration},
                   {"at", common::format_instant(e.at)}};
    o["task"] = e.task ? json::value(*e.task) : json::value(nullptr);
    if (!e.sender.empty() || !e.text.empty()) o["message"] = json::object{{"sender", e.sender}, {"text", e.text}};
    return o;
}

json::object change_json(const Change& c) {
    json::object o{{"kind", c.kind}, {"before", c.before}, {"after", c.after}};
    if (c.file) o["file"] = *c.file;
    return o;
}

// A decision in one line: its value, or its failure, or that none was made.
std::string decision_text(const json::value& d) {
    if (d.is_null()) return "none";
    if (const auto* v = d.as_object().if_contains("value")) return json::serialize(*v);
    if (const auto* e = d.as_object().if_contains("error")) return "failed: " + std::string(e->as_string());
    return json::serialize(d);
}

std::string quoted_excerpt(const std::string& text) {
    constexpr std::size_t most = 60;
    std::string t = text.size() > most ? text.substr(0, most) + "…" : text;
    for (auto& ch : t)
        if (ch == '\n') ch = ' ';
    return "\"" + t + "\"";
}

void event_line(std::ostream& out, const EventRef& e) {
    out << "event " << e.event << " (decision " << e.decision << ", " << e.integration << ", "
        << common::format_instant(e.at);
    if (e.task) out << ", task " << *e.task;
    out << ')';
    if (!e.sender.empty() || !e.text.empty()) out << ": " << e.sender << ' ' << quoted_excerpt(e.text);
    out << '\n';
}

}  // namespace

json::object to_json(const Report& r) {
    json::object summary{{"replayed", r.replayed},
                         {"changed", r.changed},
                         {"unchanged", r.replayed - r.changed},
                         {"not_replayable", r.unreplayable},
                         {"not_recorded", r.unrecorded}};
    json::object by_kind;
    for (const auto& [kind, n] : r.changed_by_kind) by_kind[kind] = n;
    summary["changed_by_kind"] = std::move(by_kind);
    json::array by_rule;
    for (const auto& [key, n] : r.changed_by_rule) {
        const auto& [kind, before, after] = key;
        by_rule.push_back(json::object{{"kind", kind}, {"before", before}, {"after", after}, {"decisions", n}});
    }
    summary["changed_by_rule"] = std::move(by_rule);
    json::object by_reason;
    for (const auto& [reason, n] : r.unreplayable_by_reason) by_reason[reason] = n;
    summary["not_replayable_by_reason"] = std::move(by_reason);

    json::array changed;
    for (const auto& e : r.changes) {
        auto o = event_json(e.event);
        json::array changes;
        for (const auto& c : e.changes) changes.push_back(change_json(c));
        o["changes"] = std::move(changes);
        changed.push_back(std::move(o));
    }
    json::array unreplayed;
    for (const auto& u : r.unreplayed) {
        auto o = event_json(u.event);
        o["reason"] = u.reason;
        unreplayed.push_back(std::move(o));
    }
    return {{"candidate", r.candidate_version}, {"summary", std::move(summary)}, {"changed", std::move(changed)},
            {"not_replayable", std::move(unreplayed)}};
}

std::string to_text(const Report& r) {
    std::ostringstream out;
    for (const auto& e : r.changes) {
        event_line(out, e.event);
        for (const auto& c : e.changes) {
            out << "  " << c.kind;
            if (c.file) out << " of file " << *c.file;
            out << ":\n    before: " << decision_text(c.before);
            if (!c.before_rule.empty() && !c.before.is_null() && c.before.as_object().contains("rule")) out << "  (" << c.before_rule << ')';
            out << "\n    after:  " << decision_text(c.after);
            if (!c.after_rule.empty() && !c.after.is_null() && c.after.as_object().contains("rule")) out << "  (" << c.after_rule << ')';
            out << '\n';
        }
    }
    for (const auto& u : r.unreplayed) {
        event_line(out, u.event);
        out << "  not replayed: " << u.reason << '\n';
    }
    if (r.changes.size() < r.changed) out << "(" << r.changed - r.changes.size() << " more changed events not listed)\n";
    if (!r.changes.empty() || !r.unreplayed.empty()) out << '\n';
    out << "candidate " << r.candidate_version << ": replayed " << r.replayed << " events, " << r.changed << " changed, "
        << r.replayed - r.changed << " unchanged";
    if (r.unreplayable) out << ", " << r.unreplayable << " not replayable";
    if (r.unrecorded) out << ", " << r.unrecorded << " logged before cases were recorded (skipped)";
    out << '\n';
    if (!r.changed_by_kind.empty()) {
        out << "changed by kind:\n";
        for (const auto& [kind, n] : r.changed_by_kind) out << "  " << kind << ": " << n << " events\n";
        out << "changed by rule:\n";
        for (const auto& [key, n] : r.changed_by_rule) {
            const auto& [kind, before, after] = key;
            out << "  " << kind << ": " << (before.empty() ? "none" : before) << " -> " << (after.empty() ? "none" : after)
                << ": " << n << (n == 1 ? " decision\n" : " decisions\n");
        }
    }
    if (!r.unreplayable_by_reason.empty()) {
        out << "not replayable:\n";
        for (const auto& [reason, n] : r.unreplayable_by_reason) out << "  " << reason << ": " << n << " events\n";
    }
    return out.str();
}

}  // namespace switchyard::replay
