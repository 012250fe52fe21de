// SARIF 2.1.0 output of diagnostics, for code-scanning dashboards in CI.
#include "common/diagnostic.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <ostream>

namespace switchyard::common {

namespace {

// Where docs/ explains a code, and its explanation: generated from the docs at build time
// (common/diagnostic_docs_gen.cpp), so the links follow the headings.
struct CodeDoc {
    std::string_view code;
    std::string_view help_uri;
    std::string_view description;
};

constexpr CodeDoc code_docs[] = {
#include "diagnostic_docs.inc"
};

// A 1-based column in UTF-16 code units, as SARIF counts them by default: an emoji before the
// place counts two, a Cyrillic letter one (the text output counts both as one character).
std::uint32_t utf16_column(const SourceFile& file, std::uint32_t offset) {
    offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(file.text().size()));
    auto line = file.line_text(file.locate(offset).line);
    auto line_start = static_cast<std::size_t>(line.data() - file.text().data());
    std::string_view before(file.text().data() + line_start, offset - line_start);
    return static_cast<std::uint32_t>(utf16_length(before)) + 1;  // a file is at most 64 MiB
}

boost::json::object sarif_region(const SourceMap& sources, FileId file, Span span) {
    const auto& f = sources.file(file);
    return {{"startLine", f.locate(span.begin).line},
            {"startColumn", utf16_column(f, span.begin)},
            {"endLine", f.locate(span.end).line},
            {"endColumn", utf16_column(f, span.end)}};
}

boost::json::object sarif_location(const SourceMap& sources, FileId file, Span span) {
    return {{"physicalLocation",
             {{"artifactLocation", {{"uri", sources.file(file).path()}}}, {"region", sarif_region(sources, file, span)}}}};
}

boost::json::object sarif_rule(const CodeInfo& info) {
    auto doc = std::find_if(std::begin(code_docs), std::end(code_docs), [&](const CodeDoc& d) { return d.code == info.name; });
    // A code the docs do not explain yet still gets a working link: the list of every code.
    std::string_view uri = doc != std::end(code_docs) ? doc->help_uri : "docs/language.md#diagnostics";
    std::string_view description = doc != std::end(code_docs) ? doc->description : info.title;
    return {{"id", info.name},
            {"shortDescription", {{"text", info.title}}},
            {"fullDescription", {{"text", description}}},
            {"helpUri", uri},
            {"defaultConfiguration", {{"level", severity_name(info.severity)}}}};
}

boost::json::object sarif_result(const Diagnostic& d, const SourceMap& sources) {
    std::string text = d.message;
    if (!d.help.empty()) text += "\nhelp: " + d.help;
    boost::json::object result{{"ruleId", code_info(d.code).name},
                               {"ruleIndex", static_cast<std::size_t>(d.code)},  // rules are listed in code order
                               {"level", severity_name(d.severity)},
                               {"message", {{"text", text}}},
                               {"locations", boost::json::array{sarif_location(sources, d.file, d.span)}}};
    if (!d.notes.empty()) {
        boost::json::array related;
        for (const auto& n : d.notes) {
            auto loc = sarif_location(sources, n.file, n.span);
            loc["message"] = {{"text", n.message}};
            related.push_back(std::move(loc));
        }
        result["relatedLocations"] = std::move(related);
    }
    return result;
}

}  // namespace

void render_sarif(const std::vector<Diagnostic>& diagnostics, const SourceMap& sources, std::ostream& out,
                  std::string_view tool_version) {
    boost::json::array rules;
    for (const auto& info : all_codes()) rules.push_back(sarif_rule(info));
    boost::json::array results;
    for (const auto& d : diagnostics) results.push_back(sarif_result(d, sources));
    boost::json::object driver{{"name", "switchyard"}, {"version", tool_version}, {"rules", std::move(rules)}};
    boost::json::object doc{
        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs", boost::json::array{{{"tool", {{"driver", std::move(driver)}}},
                                     {"columnKind", "utf16CodeUnits"},
                                     {"results", std::move(results)}}}}};
    out << boost::json::serialize(doc) << '\n';
}

}  // namespace switchyard::common
