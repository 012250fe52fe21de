// The one way a ruleset is swapped in (engine::swap_ruleset): at start, on SIGHUP and by
// POST /api/v1/ruleset. A ruleset whose settings do not fit the configuration's values, or that
// did not load, is refused with the reason and leaves the one serving in place.
#include "tests/config/config_support.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include <unistd.h>

using namespace switchyard;

namespace {

const std::string head = "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"rules\"\n";

// Lines 5-12: an integration whose settings start at line 12.
config::Config with_settings(const std::string& settings) {
    return config::parse(head +
                             "[[integrations]]\nid = \"tg\"\nservice = \"telegram\"\nbot_token = \"123:abc\"\n"
                             "bot_username = \"example_bot\"\nwebhook_secret = \"secret\"\n[integrations.settings]\n" +
                             settings,
                         "test.toml");
}

// Declares one of the shipped rules' settings and nothing else: another version, other settings.
const std::string tiny_rules = R"(ruleset tiny

setting new_task_if_no_active: bool = true

policy reopen for inbound {
    when setting.new_task_if_no_active -> new_task
    otherwise -> reopen
}
)";

}  // namespace

TEST_CASE("a ruleset whose settings fit is swapped in, with its version", "[config][swap]") {
    engine::RulesetHolder holder;
    auto config = with_settings("notify_only_chat_members = true\n");
    auto result = engine::swap_ruleset(holder, testing::shipped_image(), config);
    REQUIRE(std::holds_alternative<engine::Swapped>(result));
    const auto& swapped = std::get<engine::Swapped>(result);
    CHECK(swapped.ruleset->version == engine::version_of(testing::shipped_rules()));
    CHECK(swapped.ruleset->image == testing::shipped_image());
    CHECK(holder.current() == swapped.ruleset);
}

TEST_CASE("a ruleset that did not load is refused with its reason, and nothing changes", "[config][swap]") {
    engine::RulesetHolder holder;
    auto config = with_settings("");

    auto before = engine::swap_ruleset(holder, vm::load("not a ruleset"), config);
    REQUIRE(std::holds_alternative<engine::Refused>(before));
    const auto& first = std::get<engine::Refused>(before);
    CHECK(first.cause == engine::Refused::Cause::not_loaded);
    CHECK(first.reason.find("not a compiled Switchyard ruleset") != std::string::npos);
    CHECK_FALSE(first.kept_version);  // nothing served yet
    CHECK(holder.current() == nullptr);

    REQUIRE(std::holds_alternative<engine::Swapped>(engine::swap_ruleset(holder, testing::shipped_image(), config)));
    auto serving = holder.current();
    auto after = engine::swap_ruleset(holder, std::string("the rules do not compile"), config);
    REQUIRE(std::holds_alternative<engine::Refused>(after));
    CHECK(std::get<engine::Refused>(after).reason == "the rules do not compile");
    CHECK(std::get<engine::Refused>(after).kept_version == serving->version);
    CHECK(holder.current() == serving);
}

TEST_CASE("a ruleset that lacks a setting the configuration gives is refused, the old one keeps serving", "[config][swap]") {
    engine::RulesetHolder holder;
    auto config = with_settings("new_task_if_no_active = false\nnotify_only_chat_members = true\n");
    REQUIRE(std::holds_alternative<engine::Swapped>(engine::swap_ruleset(holder, testing::shipped_image(), config)));
    auto serving = holder.current();

    auto result = engine::swap_ruleset(holder, testing::image_of(tiny_rules), config);
    REQUIRE(std::holds_alternative<engine::Refused>(result));
    const auto& refused = std::get<engine::Refused>(result);
    CHECK(refused.cause == engine::Refused::Cause::settings_misfit);
    CHECK(refused.kept_version == serving->version);
    CHECK(holder.current() == serving);
    // The setting's own line, in the configuration's text: what `serve` and the API show.
    CHECK(testing::compact(refused.diagnostics, *config.sources) ==
          "13:1 E0810 integrations.settings.notify_only_chat_members: the ruleset declares no such setting");
    CHECK(refused.reason ==
          "the configuration's settings do not fit it:\n"
          "test.toml:13:1: error[E0810]: integrations.settings.notify_only_chat_members: the ruleset declares no such setting\n"
          " 13 | notify_only_chat_members = true\n"
          "    | ^~~~~~~~~~~~~~~~~~~~~~~~");

    // Without the setting the small ruleset fits, and serves.
    auto fitting = with_settings("new_task_if_no_active = false\n");
    auto swapped = engine::swap_ruleset(holder, testing::image_of(tiny_rules), fitting);
    REQUIRE(std::holds_alternative<engine::Swapped>(swapped));
    CHECK(std::get<engine::Swapped>(swapped).ruleset->version != serving->version);
    CHECK(holder.current() == std::get<engine::Swapped>(swapped).ruleset);
}

TEST_CASE("a configuration built in code still gets diagnostics that render", "[config][swap]") {
    config::Config config;  // as tests and benchmarks make them: no text behind it
    config.integrations.push_back({});
    config.integrations.back().settings["no_such_setting"] = true;
    auto misfits = engine::check_settings(config, testing::shipped_rules());
    REQUIRE(misfits.size() == 1);
    CHECK(misfits[0].code == common::Code::E0810);
    CHECK(common::render_text_string(misfits, *config.sources)
              .starts_with("(configuration built in code):1:1: error[E0810]: integrations.settings.no_such_setting"));
}

namespace {

// Reads a contact field: the configuration must declare it, with the same type.
const std::string tier_rules = R"(ruleset tiers

contact_field tier: string? = none
contact_field orders: int = 0

policy reopen for inbound {
    when contact.fields.tier == "gold" or contact.fields.orders > 10 -> reopen
    otherwise -> new_task
}
)";

config::Config with_contact_fields(const std::string& fields) {
    return config::parse(head + "[contact_fields]\n" + fields, "test.toml");
}

}  // namespace

TEST_CASE("a ruleset whose contact fields the configuration declares alike is swapped in", "[config][swap][contacts]") {
    engine::RulesetHolder holder;
    // `tier: string?` in the rules is `string` there; a field the rules do not read is no matter.
    auto config = with_contact_fields("tier = \"string\"\norders = \"int\"\nvip = \"bool\"\n");
    CHECK(engine::check_contact_fields(config, *testing::image_of(tier_rules)).empty());
    CHECK(std::holds_alternative<engine::Swapped>(engine::swap_ruleset(holder, testing::image_of(tier_rules), config)));
}

TEST_CASE("a ruleset whose contact field the configuration declares otherwise, or not at all, is refused",
          "[config][swap][contacts]") {
    engine::RulesetHolder holder;
    auto fitting = with_contact_fields("tier = \"string\"\norders = \"int\"\n");
    REQUIRE(std::holds_alternative<engine::Swapped>(engine::swap_ruleset(holder, testing::image_of(tier_rules), fitting)));
    auto serving = holder.current();

    auto config = with_contact_fields("tier = \"int\"\n");
    auto result = engine::swap_ruleset(holder, testing::image_of(tier_rules), config);
    REQUIRE(std::holds_alternative<engine::Refused>(result));
    const auto& refused = std::get<engine::Refused>(result);
    CHECK(refused.cause == engine::Refused::Cause::settings_misfit);
    CHECK(refused.kept_version == serving->version);
    CHECK(holder.current() == serving);
    // Both at the configuration's lines: the table for the missing one, the key for the other.
    CHECK(testing::compact(refused.diagnostics, *config.sources) ==
          "5:1 E0812 contact_fields.orders: the ruleset reads contact field `orders` (`int`), which the configuration "
          "does not declare = help: add `orders = \"int\"` to [contact_fields]\n"
          "6:1 E0812 contact_fields.tier: the ruleset declares `tier` as `string?`, the configuration as `int` = help: "
          "declare one type in both: `tier = \"string\"` here, or `contact_field tier: int` in the rules");
    CHECK(refused.reason.starts_with("the configuration's contact fields do not fit it:\n"
                                     "test.toml:5:1: error[E0812]: contact_fields.orders:"));
}

namespace {

// The rule files of `folder` compiled as the server compiles its `[ruleset] rules`.
std::shared_ptr<const vm::Image> compiled_from(const std::filesystem::path& folder) {
    common::DiagnosticBag bag;
    std::vector<compiler::LoadError> errors;
    auto ws = compiler::load_workspace({folder.string()}, bag, errors);
    auto module = compiler::compile(ws, bag);
    REQUIRE(errors.empty());
    REQUIRE(module);
    auto loaded = vm::load_module(std::move(*module));
    REQUIRE(std::holds_alternative<std::shared_ptr<const vm::Image>>(loaded));
    return std::get<std::shared_ptr<const vm::Image>>(loaded);
}

// A copy of rules/ in a folder of its own, `change` applied to one file's text.
std::filesystem::path copy_of_shipped_rules(const std::string& name, const std::function<std::string(std::string)>& change = {}) {
    auto folder = std::filesystem::temp_directory_path() / ("switchyard-version-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    for (const auto& entry : std::filesystem::directory_iterator(testing::source_dir() / "rules")) {
        auto text = testing::read_text(entry.path());
        if (change && entry.path().filename() == "common.rules") text = change(text);
        std::ofstream(folder / entry.path().filename(), std::ios::binary) << text;
    }
    return folder;
}

}  // namespace

TEST_CASE("a ruleset's version is what runs: not where its files are, nor their comments or tests", "[config][swap][version]") {
    auto shipped = engine::version_of(testing::shipped_rules());
    CHECK(shipped.size() == 16);
    auto elsewhere = copy_of_shipped_rules("same");
    CHECK(engine::version_of(*compiled_from(elsewhere)) == shipped);
    auto commented = copy_of_shipped_rules("comment", [](std::string text) { return text + "\n# a note at the end\n"; });
    CHECK(engine::version_of(*compiled_from(commented)) == shipped);
    auto tested = copy_of_shipped_rules("test", [](std::string text) {
        return text + "\ntest \"one more\" {\n    given task { status: completed }\n    expect reopen == new_task\n}\n";
    });
    CHECK(engine::version_of(*compiled_from(tested)) == shipped);
    for (const auto& folder : {elsewhere, commented, tested}) std::filesystem::remove_all(folder);
}

TEST_CASE("a ruleset's version changes with its code, its settings and the compiler's output", "[config][swap][version]") {
    auto shipped = engine::version_of(testing::shipped_rules());
    // Another default for a setting, on the same line: every rule keeps its line.
    auto other_default = copy_of_shipped_rules("setting", [](std::string text) {
        const std::string from = "setting new_task_if_no_active: bool = true";
        auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        return text.replace(at, from.size(), "setting new_task_if_no_active: bool = false");
    });
    CHECK(engine::version_of(*compiled_from(other_default)) != shipped);
    // The same sources, other bytecode (as another compiler would write): another version.
    auto module = testing::shipped_rules().module();
    auto text = std::find_if(module.constants.begin(), module.constants.end(),
                             [](const bytecode::Constant& c) { return c.kind == bytecode::ConstKind::string && !c.text.empty(); });
    REQUIRE(text != module.constants.end());
    text->text.back() = text->text.back() == 'x' ? 'y' : 'x';  // one byte of a string the rules give
    auto changed = vm::load_module(std::move(module));
    REQUIRE(std::holds_alternative<std::shared_ptr<const vm::Image>>(changed));
    CHECK(engine::version_of(*std::get<std::shared_ptr<const vm::Image>>(changed)) != shipped);
    std::filesystem::remove_all(other_default);
}
