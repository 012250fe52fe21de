// `switchyard rulesets list|show|preview|publish|rollback|events`: the rulesets a running server has
// served, through its API (docs/api.md, "Rulesets"), as text or as the API's JSON.
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/server_api.hpp"

#include <algorithm>
#include <ostream>
#include <vector>

namespace switchyard::cli {

namespace {

namespace json = boost::json;

std::string text_of(const json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_null()) return "-";
    return json::serialize(v);
}

// "Olga Owner (employee 1)", "configuration", "API token"
std::string who(const json::value& by) {
    const auto& o = by.as_object();
    std::string name = text_of(o.at("name"));
    if (o.at("kind") == "employee") return name + " (employee " + text_of(o.at("id")) + ")";
    return name;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Rows of cells, each column as wide as its widest cell, two spaces between; the last column as it is.
void write_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) {
            widths.resize(std::max(widths.size(), row.size()));
            widths[c] = std::max(widths[c], row[c].size());
        }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? row[c] + std::string(widths[c] - row[c].size() + 2, ' ') : row[c];
        out << line.substr(0, line.find_last_not_of(' ') + 1) << '\n';
    }
}

void write_list(std::ostream& out, const json::value& answer) {
    std::vector<std::vector<std::string>> rows{{"", "VERSION", "NAME", "FIRST SERVED", "BY"}};
    for (const auto& r : answer.at("rulesets").as_array())
        rows.push_back({r.at("serving").as_bool() ? "*" : "", text_of(r.at("version")), text_of(r.at("name")),
                        text_of(r.at("first_served_at")), who(r.at("by"))});
    write_table(out, rows);
}

// Why, as the table says it: the reason given, and what the event's detail adds (where the
// configuration's files are; why a ruleset was refused, its first line).
std::string why(const json::object& e) {
    std::string reason = e.at("reason").is_null() ? "" : text_of(e.at("reason"));
    if (e.at("detail").is_null()) return reason;
    std::string detail = first_line(text_of(e.at("detail")));
    if (e.at("action") == "refuse") detail = "refused " + text_of(e.at("attempted")) + ": " + detail;
    return reason.empty() ? detail : reason + " (" + detail + ")";
}

void write_events(std::ostream& out, const json::value& answer) {
    std::vector<std::vector<std::string>> rows{{"ID", "AT", "ACTION", "VERSION", "BY", "WHY"}};
    for (const auto& event : answer.at("events").as_array()) {
        const auto& e = event.as_object();
        rows.push_back({text_of(e.at("id")), text_of(e.at("at")), text_of(e.at("action")), text_of(e.at("version")),
                        who(e.at("by")), why(e)});
    }
    write_table(out, rows);
}

// The ruleset's header, then its sources (each under `==> path <==`), or the diff.
void write_ruleset(std::ostream& out, const json::value& answer) {
    const auto& r = answer.as_object();
    out << "ruleset " << text_of(r.at("version")) << " (" << text_of(r.at("name")) << ")"
        << (r.at("serving").as_bool() ? ", serving" : "") << "\nfirst served " << text_of(r.at("first_served_at")) << " by "
        << who(r.at("by")) << '\n';
    if (const auto* diff = r.if_contains("diff")) {
        const auto& files = diff->as_array();
        out << "changes from " << text_of(r.at("against")) << ": "
            << (files.empty() ? "none in the sources" : std::to_string(files.size()) + (files.size() == 1 ? " file" : " files")) << '\n';
        for (const auto& f : files) out << '\n' << text_of(f.at("diff"));
        return;
    }
    for (const auto& src : r.at("sources").as_array()) {
        std::string text = text_of(src.at("text"));
        out << "\n==> " << text_of(src.at("path")) << " <==\n" << text << (text.empty() || text.back() == '\n' ? "" : "\n");
    }
}

void write_swap(std::ostream& out, const json::value& answer) {
    out << "now serving " << text_of(answer.at("version")) << " (before: " << text_of(answer.at("previous")) << ")\n";
}

// The preview's report (replay::to_json) for people: the summary, then each event listed.
void write_preview(std::ostream& out, const json::value& answer) {
    const auto& s = answer.at("summary").as_object();
    out << "candidate " << text_of(answer.at("candidate")) << ": replayed " << text_of(s.at("replayed")) << " events, "
        << text_of(s.at("changed")) << " changed, " << text_of(s.at("unchanged")) << " unchanged, "
        << text_of(s.at("not_replayable")) << " not replayable\n";
    for (const auto& [kind, n] : s.at("changed_by_kind").as_object()) out << "  " << kind << ": " << text_of(n) << " events\n";
    for (const auto& e : answer.at("changed").as_array()) {
        out << "event " << text_of(e.at("event")) << " (decision " << text_of(e.at("decision")) << ", " << text_of(e.at("at"))
            << ")\n";
        for (const auto& c : e.at("changes").as_array()) {
            auto side = [](const json::value& d) {
                if (d.is_null()) return std::string("none");
                const auto& o = d.as_object();
                return o.contains("value") ? json::serialize(o.at("value")) : "failed: " + text_of(o.at("error"));
            };
            out << "  " << text_of(c.at("kind")) << ": " << side(c.at("before")) << "\n    -> " << side(c.at("after")) << '\n';
        }
    }
    for (const auto& e : answer.at("not_replayable").as_array())
        out << "event " << text_of(e.at("event")) << ": not replayable: " << text_of(e.at("reason")) << '\n';
}

std::vector<std::pair<std::string, std::string>> who_and_why(const RulesetsOptions& o) {
    std::vector<std::pair<std::string, std::string>> params{{"by", std::to_string(o.by)}, {"reason", o.reason}};
    if (o.max_changed) params.emplace_back("max_changed", std::to_string(*o.max_changed));
    if (o.max_changed && o.last > 0) params.emplace_back("last", std::to_string(o.last));
    return params;
}

std::optional<std::string> compiled_file(const RulesetsOptions& o, std::ostream& err) {
    auto bytes = read_file(o.file);
    if (!bytes) err << "switchyard: error: cannot read `" << o.file << "`\n";
    return bytes;
}

}  // namespace

int run_rulesets(const RulesetsOptions& options, std::ostream& out, std::ostream& err) {
    return guarded([&] {
        ServerApi api(options.config, options.url, options.token, err);
        json::value answer;
        void (*write)(std::ostream&, const json::value&) = nullptr;
        if (options.action == "list") {
            answer = api.get(api_target("/api/v1/rulesets"));
            write = write_list;
        } else if (options.action == "events") {
            std::vector<std::pair<std::string, std::string>> params;
            if (options.limit > 0) params.emplace_back("limit", std::to_string(options.limit));
            answer = api.get(api_target("/api/v1/rulesets/events", params));
            write = write_events;
        } else if (options.action == "show") {
            std::vector<std::pair<std::string, std::string>> params;
            if (!options.against.empty()) params.emplace_back("against", options.against);
            answer = api.get(api_target("/api/v1/rulesets/" + options.version, params));
            write = write_ruleset;
        } else if (options.action == "rollback") {
            answer = api.post(api_target("/api/v1/rulesets/" + options.version + "/rollback", who_and_why(options)));
            write = write_swap;
        } else if (options.action == "preview") {
            auto bytes = compiled_file(options, err);
            if (!bytes) return int(exit_usage);
            std::vector<std::pair<std::string, std::string>> params;
            if (options.last > 0) params.emplace_back("last", std::to_string(options.last));
            answer = api.post(api_target("/api/v1/ruleset/preview", params), std::move(*bytes));
            write = write_preview;
        } else {
            auto bytes = compiled_file(options, err);
            if (!bytes) return int(exit_usage);
            answer = api.post(api_target("/api/v1/ruleset", who_and_why(options)), std::move(*bytes));
            write = write_swap;
        }
        if (options.json) {
            pretty(out, answer);
            out << '\n';
        } else {
            write(out, answer);
        }
        return int(exit_ok);
    });
}

}  // namespace switchyard::cli
