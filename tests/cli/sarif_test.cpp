// `check --format sarif`: the structure code-scanning tools read, checked field by field with
// Boost.JSON: rules with their docs, results pointing at them, columns in UTF-16 code units.
#include "common/diagnostic.hpp"
#include "tests/cli/cli_run.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <regex>
#include <set>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

boost::json::object sarif_of(const std::string& path) {
    auto r = run_cli({"check", "--format", "sarif", path});
    INFO(r.out << r.err);
    REQUIRE(r.code == 1);
    return boost::json::parse(r.out).as_object();
}

const boost::json::object& run_of(const boost::json::object& sarif) { return sarif.at("runs").as_array().at(0).as_object(); }

// The anchors of the headings of a docs page, as GitHub makes them: the table of codes in
// language.md links them the same way (`[E0300](#e0300-type-mismatch)`).
std::set<std::string> linked_anchors(const std::string& page) {
    auto text = read_text(source_dir() / "docs" / page);
    std::set<std::string> anchors;
    static const std::regex link(R"(\]\(#([a-z0-9_-]+)\))");
    for (std::sregex_iterator it(text.begin(), text.end(), link), end; it != end; ++it) anchors.insert((*it)[1]);
    return anchors;
}

}  // namespace

TEST_CASE("SARIF lists every code as a rule with a docs link and a full description", "[cli][sarif]") {
    auto sarif = sarif_of("tests/golden/diagnostics/e0300_type_mismatch.rules");
    CHECK(sarif.at("version") == "2.1.0");
    const auto& run = run_of(sarif);
    CHECK(run.at("columnKind") == "utf16CodeUnits");
    const auto& rules = run.at("tool").at("driver").at("rules").as_array();
    const auto& codes = common::all_codes();
    REQUIRE(rules.size() == codes.size());
    auto language_anchors = linked_anchors("language.md");
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const auto& rule = rules[i].as_object();
        INFO(codes[i].name);
        CHECK(rule.at("id").as_string() == codes[i].name);
        CHECK(rule.at("shortDescription").at("text").as_string() == codes[i].title);
        std::string description(rule.at("fullDescription").at("text").as_string());
        CHECK(description.size() > codes[i].title.size());  // a sentence of the docs, not the title again
        CHECK(description.find("](") == std::string::npos);  // markdown links read as their text
        std::string uri(rule.at("helpUri").as_string());
        if (common::is_configuration_code(common::Code(i))) {
            CHECK(uri == "docs/configuration.md#the-codes");
            continue;
        }
        REQUIRE(uri.starts_with("docs/language.md#"));
        // The code's own section, the one language.md's table of codes links to.
        auto anchor = uri.substr(uri.find('#') + 1);
        std::string code(codes[i].name);
        code[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(code[0])));
        CHECK(anchor.starts_with(code + "-"));
        CHECK(language_anchors.count(anchor) == 1);
    }
    CHECK(rules[std::size_t(common::Code::E0300)].at("helpUri") == "docs/language.md#e0300-type-mismatch");
    CHECK(rules[std::size_t(common::Code::W0004)].at("helpUri") == "docs/language.md#w0004-redundant-");
    CHECK(rules[std::size_t(common::Code::E0100)].at("fullDescription").at("text") ==
          "The text does not follow the grammar. The message says what was expected where, and what was found "
          "instead (a word, \"end of line\" or \"end of file\"); for example \"expected `else`\", \"expected `{`\", or "
          "\"expected a rule (`when ... -> ...` or `otherwise -> ...`) or `}`\".");
}

TEST_CASE("the --format value is case-insensitive, as docs/cli.md says", "[cli][sarif]") {
    auto upper = run_cli({"check", "--format", "SARIF", "tests/golden/diagnostics/e0300_type_mismatch.rules"});
    CHECK(upper.code == 1);
    CHECK(boost::json::parse(upper.out).at("version") == "2.1.0");
}

TEST_CASE("each SARIF result's ruleIndex points at its rule", "[cli][sarif]") {
    auto sarif = sarif_of("tests/golden/diagnostics/e0300_type_mismatch.rules");
    const auto& run = run_of(sarif);
    const auto& rules = run.at("tool").at("driver").at("rules").as_array();
    const auto& results = run.at("results").as_array();
    REQUIRE_FALSE(results.empty());
    for (const auto& r : results) {
        auto index = r.at("ruleIndex").as_int64();
        REQUIRE(index >= 0);
        REQUIRE(std::size_t(index) < rules.size());
        CHECK(rules[std::size_t(index)].at("id") == r.at("ruleId"));
        const auto& location = r.at("locations").as_array().at(0).at("physicalLocation").as_object();
        CHECK(location.at("artifactLocation").at("uri") == "tests/golden/diagnostics/e0300_type_mismatch.rules");
        for (const char* field : {"startLine", "startColumn", "endLine", "endColumn"})
            CHECK(location.at("region").at(field).as_int64() >= 1);
    }
}

TEST_CASE("SARIF columns count UTF-16 code units: an emoji two, a Cyrillic letter one", "[cli][sarif]") {
    // Line 2: `let wrong = "😀" + nosuch`; line 3: `let also = "привет" + nosuch2`. The unknown
    // names are the errors (E0200); the lets are also unused (W0001), which is not looked at here.
    const std::string wide = "tests/cli/data/sarif/wide.rules";
    std::vector<boost::json::object> regions;
    auto sarif = sarif_of(wide);
    for (const auto& r : run_of(sarif).at("results").as_array())
        if (r.at("ruleId") == "E0200")
            regions.push_back(r.at("locations").as_array()[0].at("physicalLocation").at("region").as_object());
    REQUIRE(regions.size() == 2);
    // `nosuch` is character 19 of its line, after an emoji that takes two UTF-16 code units.
    CHECK(regions[0] == boost::json::parse(R"({"startLine": 2, "startColumn": 20, "endLine": 2, "endColumn": 26})"));
    // `nosuch2` is character 23, after Cyrillic letters of one code unit each (two bytes each in UTF-8).
    CHECK(regions[1] == boost::json::parse(R"({"startLine": 3, "startColumn": 23, "endLine": 3, "endColumn": 30})"));
    // The text and JSON output count characters.
    auto text = run_cli({"check", wide}).out;
    CHECK_THAT(text, Catch::Contains(wide + ":2:19: error[E0200]"));
    CHECK_THAT(text, Catch::Contains(wide + ":3:23: error[E0200]"));
}
