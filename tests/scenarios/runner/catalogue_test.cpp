// docs/behaviours.md stays true: its table has one row for each behaviour of the catalogue,
// every scenario file it names exists and proves that id, every file of tests/scenarios/ is in
// the row of the id it proves, and every rule line it names is a policy, a rule or a setting.
#include "tests/scenarios/runner/scenario.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using switchyard::scenarios::read_text;

const std::filesystem::path source = SWITCHYARD_SOURCE_DIR;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

struct Row {
    std::string text;
    std::vector<std::string> scenarios;                        // file names
    std::vector<std::pair<std::string, int>> rule_lines;       // rules/x.rules, line
};

// The table's rows by id: `| C1 | … |`.
std::map<std::string, Row> table_rows(const std::vector<std::string>& lines) {
    static const std::regex row(R"(^\| \*\*([A-Z]+[0-9]+)\*\* \|.*)");
    static const std::regex scenario(R"(tests/scenarios/([A-Za-z0-9_]+\.toml))");
    static const std::regex rule(R"((rules/[a-z_]+\.rules):([0-9]+))");
    std::map<std::string, Row> out;
    for (const auto& line : lines) {
        std::smatch m;
        if (!std::regex_match(line, m, row)) continue;
        Row r{line, {}, {}};
        for (auto it = std::sregex_iterator(line.begin(), line.end(), scenario); it != std::sregex_iterator(); ++it)
            r.scenarios.push_back((*it)[1]);
        for (auto it = std::sregex_iterator(line.begin(), line.end(), rule); it != std::sregex_iterator(); ++it)
            r.rule_lines.emplace_back((*it)[1], std::stoi((*it)[2]));
        INFO(line);
        CHECK(out.emplace(m[1], r).second);  // one row per id
    }
    return out;
}

// The ids the catalogue defines: `- **C1** …`.
std::set<std::string> catalogue_ids(const std::vector<std::string>& lines) {
    static const std::regex item(R"(^- \*\*([A-Z]+[0-9]+)\*\* .*)");
    std::set<std::string> out;
    for (const auto& line : lines) {
        std::smatch m;
        if (std::regex_match(line, m, item)) out.insert(m[1]);
    }
    return out;
}

std::string behaviour_of(const std::filesystem::path& scenario) {
    static const std::regex key(R"re(^behaviour = "([A-Z]+[0-9]+)")re");
    for (const auto& line : lines_of(read_text(scenario))) {
        std::smatch m;
        if (std::regex_match(line, m, key)) return m[1];
    }
    return {};
}

}  // namespace

TEST_CASE("docs/behaviours.md: the table matches the catalogue, the scenario files and the rules", "[catalogue]") {
    auto doc = lines_of(read_text(source / "docs" / "behaviours.md"));
    auto ids = catalogue_ids(doc);
    auto rows = table_rows(doc);
    REQUIRE(ids.size() >= 40);
    for (const auto& id : ids) {
        INFO("behaviour " << id);
        CHECK(rows.contains(id));
    }
    for (const auto& [id, row] : rows) {
        INFO(row.text);
        CHECK(ids.contains(id));
        CHECK(!row.scenarios.empty());
        for (const auto& file : row.scenarios) {
            INFO("tests/scenarios/" << file);
            REQUIRE(std::filesystem::exists(source / "tests" / "scenarios" / file));
            CHECK(behaviour_of(source / "tests" / "scenarios" / file) == id);
        }
        for (const auto& [rules, line] : row.rule_lines) {
            auto lines = lines_of(read_text(source / rules));
            INFO(rules << ":" << line);
            REQUIRE(line >= 1);
            REQUIRE(static_cast<std::size_t>(line) <= lines.size());
            static const std::regex starts(R"(^\s*(policy|when|otherwise|setting|let)\b.*)");
            CHECK(std::regex_match(lines[static_cast<std::size_t>(line) - 1], starts));
        }
    }
    for (const auto& entry : std::filesystem::directory_iterator(source / "tests" / "scenarios")) {
        if (entry.path().extension() != ".toml" || entry.path().filename() == "base.toml") continue;
        auto id = behaviour_of(entry.path());
        INFO(entry.path().filename().string() << " proves " << id);
        REQUIRE(rows.contains(id));
        const auto& listed = rows.at(id).scenarios;
        CHECK(std::find(listed.begin(), listed.end(), entry.path().filename().string()) != listed.end());
    }
}
