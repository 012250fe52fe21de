// The language as data: every file of tests/language/ is a small ruleset with `test` blocks
// that say what it must decide. Each file must check clean, be in canonical layout, have at
// least one test, pass all of them, and make every one of its rules fire in some test (so no
// rule is there without a test saying what it does). Add a file to add a case; no C++ needed.
#include "tests/cli/cli_run.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

std::vector<std::string> language_files() {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(source_dir() / "tests" / "language"))
        if (entry.path().extension() == ".rules") files.push_back("tests/language/" + entry.path().filename().string());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("language: every file's tests pass and make every rule fire", "[language]") {
    auto files = language_files();
    REQUIRE(files.size() >= 8);
    for (const auto& file : files) {
        DYNAMIC_SECTION(file) {
            auto checked = run_cli({"check", "--werror", file});
            INFO(checked.out << checked.err);
            CHECK(checked.code == 0);
            CHECK(run_cli({"fmt", "--check", file}).code == 0);

            auto tested = run_cli({"test", "--coverage", file});
            INFO(tested.out << tested.err);
            CHECK(tested.code == 0);
            std::smatch m;
            REQUIRE(std::regex_search(tested.out, m, std::regex(R"((\d+) tests?, (\d+) passed, 0 failed)")));
            CHECK(std::stoi(m[1]) >= 1);
            CHECK(m[1] == m[2]);
            REQUIRE(std::regex_search(tested.out, m, std::regex(R"(coverage: (\d+) of (\d+) rules fired)")));
            CHECK(m[1] == m[2]);
        }
    }
}
