// Golden diagnostics: each tests/golden/diagnostics/*.rules is checked and its rendered
// diagnostics must equal the .expected file beside it, byte for byte.
// Set SWITCHYARD_UPDATE_GOLDEN=1 to rewrite the .expected files after a deliberate change.
#include "tests/support.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace fs = std::filesystem;
using namespace switchyard;

namespace {
std::vector<fs::path> golden_cases() {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator("tests/golden/diagnostics"))
        if (entry.path().extension() == ".rules") cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    return cases;
}
}  // namespace

TEST_CASE("every golden rule file yields exactly its expected diagnostics", "[golden]") {
    testing::source_dir();
    bool update = std::getenv("SWITCHYARD_UPDATE_GOLDEN") != nullptr;
    auto cases = golden_cases();
    REQUIRE(cases.size() >= 30);
    for (const auto& rules : cases) {
        auto expected_path = fs::path(rules).replace_extension(".expected");
        auto output = testing::check_paths({rules.generic_string()});
        if (update) {
            std::ofstream(expected_path, std::ios::binary) << output.text;
            continue;
        }
        INFO("golden case " << rules.generic_string());
        REQUIRE(fs::exists(expected_path));
        CHECK(output.text == testing::read_text(expected_path));
    }
}

TEST_CASE("every diagnostic code has a golden case named after it", "[golden]") {
    testing::source_dir();
    std::set<std::string> seen;
    for (const auto& rules : golden_cases()) {
        for (const auto& d : testing::check_paths({rules.generic_string()}).diagnostics)
            seen.insert(std::string(common::code_info(d.code).name));
    }
    // E0106 needs a file over 64 MiB: it is tested in tests/dsl/parser_test.cpp instead.
    seen.insert("E0106");
    // E0700 needs a policy too large for the bytecode: tested in tests/vm/machine_test.cpp.
    seen.insert("E0700");
    for (std::size_t i = 0; i < common::all_codes().size(); ++i) {
        auto code = static_cast<common::Code>(i);
        // The configuration's codes come from TOML files, not rule files: tests/config/codes_test.cpp.
        if (common::is_configuration_code(code)) continue;
        INFO("diagnostic code " << common::code_info(code).name);
        CHECK(seen.count(std::string(common::code_info(code).name)) == 1);
    }
}

TEST_CASE("the shipped rules check without any diagnostic", "[rules]") {
    testing::source_dir();
    auto output = testing::check_paths({"rules"});
    INFO(output.text);
    CHECK(output.diagnostics.empty());
}
