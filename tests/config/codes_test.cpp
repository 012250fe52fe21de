// The configuration's diagnostic codes (E08xx): each one is reported by a file made to break
// its rule. The compiler's golden test leaves these codes to this one (is_configuration_code).
#include "tests/config/config_support.hpp"

#include <filesystem>
#include <fstream>
#include <set>

using namespace switchyard;

namespace {

const std::string head = "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"rules\"\n";
const std::string telegram = "[[integrations]]\nid = \"tg\"\nservice = \"telegram\"\nbot_token = \"123:abc\"\n"
                             "bot_username = \"example_bot\"\nwebhook_secret = \"secret\"\n";

struct Example {
    std::string_view code;
    std::string toml;
    bool settings = false;  // checked against the shipped rules too
    std::string rules = {};  // rules whose contact fields are checked against it (E0812)
};

const std::string tier_rules = R"(contact_field tier: string = "basic"

policy reopen for inbound {
    when contact.fields.tier == "gold" -> reopen
    otherwise -> new_task
}
)";

// One file per code, each breaking one rule; E0809 needs a file on disk (below).
const std::vector<Example> examples = {
    {"E0800", head + "x =\n"},
    {"E0801", head + "[database]\n"},
    {"E0802", "[server]\nlisten = 8080\n" + head.substr(head.find("api_token"))},
    {"E0803", "[ruleset]\nrules = \"rules\"\n"},
    {"E0804", "[server]\napi_token = \"short\"\n[ruleset]\nrules = \"rules\"\n"},
    {"E0805", head + "[account]\nplan = \"gold\"\n"},
    {"E0806", head + "[[employees]]\nid = 1\nname = \"Olga\"\n[[employees]]\nid = 1\nname = \"Ivan\"\n"},
    {"E0807", head + telegram + "owner = 3\n"},
    {"E0808", head + "compiled = \"planfix.swy\"\n"},
    {"E0810", head + telegram + "[integrations.settings]\nno_such_setting = true\n", true},
    {"E0811", head + telegram + "[integrations.settings]\nsend_as_employee = \"yes\"\n", true},
    {"E0812", head + "[contact_fields]\ntier = \"int\"\n", false, tier_rules},
};

// The codes of what parse() (and the settings check) reports about `text`.
std::set<std::string> codes_of(const Example& example) {
    std::vector<common::Diagnostic> diagnostics;
    try {
        auto c = config::parse(example.toml, "test.toml");
        if (example.settings) diagnostics = engine::check_settings(c, testing::shipped_rules());
        if (!example.rules.empty()) diagnostics = engine::check_contact_fields(c, *testing::image_of(example.rules));
    } catch (const config::ConfigError& e) {
        diagnostics = e.diagnostics();
    }
    std::set<std::string> codes;
    for (const auto& d : diagnostics) codes.insert(std::string(common::code_info(d.code).name));
    return codes;
}

// E0809: load() looks for the ruleset on disk; parse() does not.
std::set<std::string> codes_of_missing_ruleset() {
    auto folder = std::filesystem::temp_directory_path() / "switchyard_codes_test";
    std::filesystem::create_directories(folder);
    auto file = (folder / "switchyard.toml").string();
    std::ofstream(file) << "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"no-such-rules\"\n";
    std::set<std::string> codes;
    try {
        config::load(file);
    } catch (const config::ConfigError& e) {
        for (const auto& d : e.diagnostics()) codes.insert(std::string(common::code_info(d.code).name));
    }
    std::filesystem::remove_all(folder);
    return codes;
}

}  // namespace

TEST_CASE("each configuration code is reported by a file that breaks its rule, and by nothing else there", "[config][codes]") {
    for (const auto& example : examples) {
        INFO(example.code << "\n" << example.toml);
        CHECK(codes_of(example) == std::set<std::string>{std::string(example.code)});
    }
    CHECK(codes_of_missing_ruleset() == std::set<std::string>{"E0809"});
}

TEST_CASE("every configuration code has an example here", "[config][codes]") {
    std::set<std::string> covered{"E0809"};
    for (const auto& example : examples) covered.insert(std::string(example.code));
    std::set<std::string> configuration_codes;
    for (std::size_t i = 0; i < common::all_codes().size(); ++i) {
        auto code = static_cast<common::Code>(i);
        if (common::is_configuration_code(code)) configuration_codes.insert(std::string(common::code_info(code).name));
    }
    CHECK(configuration_codes.size() >= 12);
    CHECK(covered == configuration_codes);
}
