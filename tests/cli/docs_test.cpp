// The docs say what the code does: the module edges that docs/architecture.md lists are the
// libraries each folder's CMakeLists.txt links, no more and no fewer; every event the log is
// written with is in docs/configuration.md's table of them.
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

using namespace switchyard::testing;

namespace {

using Edges = std::map<std::string, std::set<std::string>>;

// `switchyard_vm` -> `runtime/vm/`; `switchyard_cli_lib` -> `cli/`.
std::string folder_of(const std::string& target) {
    std::string name = target.substr(std::string("switchyard_").size());
    if (name == "cli_lib") return "cli/";
    for (const char* top : {"common", "stdlib", "dsl", "bytecode", "compiler", "console"})
        if (name == top) return name + "/";
    return "runtime/" + name + "/";
}

// The block of docs/architecture.md's "Modules" section: `folder/  ──► a/, b/`, a line each.
Edges documented_edges() {
    auto text = read_text(source_dir() / "docs" / "architecture.md");
    auto at = text.find("\n## Modules");
    REQUIRE(at != std::string::npos);
    auto open = text.find("```\n", at);
    auto close = text.find("```", open + 4);
    std::istringstream block(text.substr(open + 4, close - open - 4));
    Edges edges;
    std::string line;
    static const std::regex item(R"(([a-z/]+/))");
    while (std::getline(block, line)) {
        auto arrow = line.find("──►");
        std::smatch m;
        std::string head = line.substr(0, arrow);
        REQUIRE(std::regex_search(head, m, item));
        auto& links = edges[m[1]];
        if (arrow == std::string::npos) continue;
        std::string rest = line.substr(arrow);
        for (std::sregex_iterator it(rest.begin(), rest.end(), item), end; it != end; ++it) links.insert((*it)[1]);
    }
    return edges;
}

// What each folder's CMakeLists.txt links: every `switchyard_*` it names but its own targets.
std::set<std::string> linked_by(const std::string& folder) {
    auto text = read_text(source_dir() / folder / "CMakeLists.txt");
    static const std::regex own(R"(add_(?:library|executable)\((switchyard_[a-z_]*))");
    static const std::regex any(R"(switchyard_[a-z_]+)");
    std::set<std::string> mine{"switchyard_warnings"}, out;
    for (std::sregex_iterator it(text.begin(), text.end(), own), end; it != end; ++it) mine.insert((*it)[1]);
    for (std::sregex_iterator it(text.begin(), text.end(), any), end; it != end; ++it)
        if (!mine.count(it->str())) out.insert(folder_of(it->str()));
    return out;
}

// Whether `to` is reached from `from` along the documented edges.
bool reaches(const Edges& edges, const std::string& from, const std::string& to) {
    if (from == to) return true;
    auto it = edges.find(from);
    if (it == edges.end()) return false;
    for (const auto& next : it->second)
        if (reaches(edges, next, to)) return true;
    return false;
}

}  // namespace

// The docs draw the edges that are not implied by others (most libraries also link common/ and
// stdlib/ directly, which they reach anyway): every drawn edge is a link of the build, and every
// link of the build is drawn or reached through drawn ones.
TEST_CASE("docs/architecture.md draws every module edge the build has", "[docs]") {
    auto documented = documented_edges();
    REQUIRE(documented.size() == 20);
    for (const auto& [folder, links] : documented) {
        INFO(folder << " in docs/architecture.md against " << folder << "CMakeLists.txt");
        auto linked = linked_by(folder);
        for (const auto& drawn : links) {
            INFO("drawn: " << folder << " ──► " << drawn);
            CHECK(linked.count(drawn) == 1);
        }
        for (const auto& link : linked) {
            INFO("linked: " << folder << " ──► " << link);
            bool shown = std::any_of(links.begin(), links.end(), [&](const auto& d) { return reaches(documented, d, link); });
            CHECK(shown);
        }
    }
}

namespace {

// The events of the log lines the program writes: the second argument of each
// `write(log::Level::…, "event"` and `write_noise(…)`, and of the server's `fail(context, ec, "event")`.
std::set<std::string> logged_events() {
    static const std::regex written(R"re(write(?:_noise)?\(([^,;]*Level::[^,;]*),\s*"([a-z_]+)")re");
    static const std::regex failed(R"re(\bfail\(context_?, ec, "([a-z_]+)"\))re");
    std::set<std::string> events;
    for (const char* folder : {"runtime", "console", "cli"})
        for (const auto& entry : std::filesystem::recursive_directory_iterator(source_dir() / folder)) {
            if (entry.path().extension() != ".cpp") continue;
            auto text = read_text(entry.path());
            for (std::sregex_iterator it(text.begin(), text.end(), written), end; it != end; ++it) events.insert((*it)[2]);
            for (std::sregex_iterator it(text.begin(), text.end(), failed), end; it != end; ++it) events.insert((*it)[1]);
        }
    return events;
}

}  // namespace

TEST_CASE("docs/configuration.md lists every event the log is written with", "[docs]") {
    auto text = read_text(source_dir() / "docs" / "configuration.md");
    auto from = text.find("\n## `[log]`");
    REQUIRE(from != std::string::npos);
    auto section = text.substr(from, text.find("\n## ", from + 1) - from);
    auto events = logged_events();
    CHECK(events.size() >= 20);
    for (const auto& event : events) {
        INFO("the event " << event);
        CHECK(section.find("`" + event + "`") != std::string::npos);
    }
}
