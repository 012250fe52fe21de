// Settings that hold employees (`person?`, `list<person>`), named in the configuration by id
// or Telegram username and checked against [[employees]] (E0807); and [contact_fields], the
// typed custom fields of contacts.
#include "runtime/engine/engine.hpp"
#include "tests/config/config_support.hpp"

using namespace switchyard;

namespace {

const std::string head = "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"rules\"\n";
// Lines 5-12: two employees; lines 13-19 an integration, whose settings start at line 20.
const std::string employees = "[[employees]]\nid = 1\nname = \"Olga\"\ntelegram = \"@olga_example\"\n"
                              "[[employees]]\nid = 2\nname = \"Ivan\"\ntelegram = 123456789\n";
const std::string integration = "[[integrations]]\nid = \"tg\"\nservice = \"telegram\"\nbot_token = \"123:abc\"\n"
                                "bot_username = \"example_bot\"\nwebhook_secret = \"secret\"\n[integrations.settings]\n";

const std::string people_rules = R"(
setting seniors: list<person> = []
setting lead: person? = none

policy notification for inbound {
    when setting.lead == none -> notify(setting.seniors, watcher)
    otherwise -> notify(setting.seniors + [setting.lead ?? message.sender], watcher)
}
)";

struct Example {
    std::string what;
    std::string settings;
    std::string expected;  // compact diagnostics, or "(no error)"
};

std::string misfits(const std::string& settings) {
    auto config = config::parse(head + employees + integration + settings, "test.toml");
    auto found = engine::check_settings(config, *testing::image_of(people_rules));
    return found.empty() ? "(no error)" : testing::compact(found, *config.sources);
}

}  // namespace

TEST_CASE("a setting of people names employees by id or Telegram username, and anyone else is E0807", "[config][people]") {
    const std::vector<Example> examples = {
        {"ids", "seniors = [1, 2]\n", "(no error)"},
        {"a username, any case, with or without @", "seniors = [\"@OLGA_example\", \"olga_example\"]\nlead = 2\n", "(no error)"},
        {"an unknown id", "seniors = [1, 9]\n",
         "20:1 E0807 integrations.settings.seniors[1]: no employee has id 9 (the employees are 1 (Olga), 2 (Ivan))"},
        {"a numeric Telegram account is not a username", "lead = \"123456789\"\n",
         "20:1 E0807 integrations.settings.lead: no employee has the Telegram username `123456789` (the employees are 1 (Olga), 2 (Ivan))"},
        {"not a list", "seniors = 1\n",
         "20:1 E0807 integrations.settings.seniors: expected an array of employee ids or Telegram usernames, found an integer"},
        {"neither an id nor a name", "lead = true\n",
         "20:1 E0807 integrations.settings.lead: expected an employee id or a Telegram username, found a boolean"},
    };
    for (const auto& e : examples) {
        INFO(e.what);
        CHECK(misfits(e.settings) == e.expected);
    }
}

TEST_CASE("a setting of people becomes the employees' person records", "[config][people]") {
    auto config = config::parse(head + employees + integration + "seniors = [2, \"@olga_example\"]\n", "test.toml");
    auto image = testing::image_of(people_rules);
    auto settings = engine::settings_json(config, config.integrations[0], *image);
    CHECK(boost::json::serialize(settings.at("seniors")) ==
          R"([{"id":2,"name":"Ivan","username":null,"phone":null,"is_employee":true,"has_access":true},)"
          R"({"id":1,"name":"Olga","username":"olga_example","phone":null,"is_employee":true,"has_access":true}])");
    auto bad = config::parse(head + employees + integration + "seniors = [3]\n", "test.toml");
    CHECK_THROWS_AS(engine::settings_json(bad, bad.integrations[0], *image), engine::CaseError);
}

TEST_CASE("[contact_fields] declares each custom field with its type", "[config][contacts]") {
    auto config = config::parse(head + "[contact_fields]\nvip = \"bool\"\norders = \"int\"\ntier = \"string\"\n", "test.toml");
    CHECK(config.contact_fields == std::map<std::string, config::FieldType, std::less<>>{
                                       {"orders", config::FieldType::integer},
                                       {"tier", config::FieldType::string},
                                       {"vip", config::FieldType::boolean}});
    CHECK(testing::config_error(head + "[contact_fields]\nvip = \"boolean\"\n") ==
          "6:7 E0805 contact_fields.vip: unknown field type \"boolean\" = help: write one of bool, int, string");
    CHECK(testing::config_error(head + "[contact_fields]\ntier = \"strng\"\n") ==
          "6:8 E0805 contact_fields.tier: unknown field type \"strng\" = help: did you mean `string`?");
    CHECK(testing::config_error(head + "[contact_fields]\nvip = true\n") ==
          "6:7 E0802 contact_fields.vip: expected a string, found a boolean");
}
