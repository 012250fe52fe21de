// What a good configuration reads as: every key into the Config the server uses, defaults for
// what is left out, paths made absolute, numbers and addresses normalised.
#include "tests/config/config_support.hpp"

using namespace switchyard;

namespace {

const std::string minimal = R"([server]
api_token = "0123456789abcdef"
[ruleset]
rules = "rules"
)";

config::Config read(const std::string& text, const std::string& path = "/etc/switchyard/switchyard.toml") {
    return config::parse(text, path);
}

}  // namespace

TEST_CASE("every key of a complete file", "[config]") {
    auto c = read(R"(
[server]
listen = "0.0.0.0:9090"
storage = "/var/lib/switchyard/db.sqlite"
api_token = "0123456789abcdef0123"
body_limit = 1048576

[ruleset]
compiled = "../rulesets/planfix.swy"

[account]
name = "Example Ltd"
plan = "trial"

[[employees]]
id = 7
name = "Olga"
owner = true
telegram = 123456789

[[employees]]
id = 8
name = "Ivan"
telegram = "@ivan_k"

[[integrations]]
id = "bot"
name = "Support bot"
service = "telegram"
owner = 8
bot_token = "123:AA-b_c"
bot_username = "@support_bot"
webhook_secret = "s3cret_-X"
api_base_url = "http://127.0.0.1:9999/"
assignees = [8]
extra_assignees = [7, 8]
project = "Support"
contact_template = "Customer"
[integrations.settings]
new_task_if_no_active = false
positive_reactions = ["👍"]

[[integrations]]
id = "wz"
service = "wazzup"
api_key = "key"
url_secret = "0123456789abcdef"
[[integrations.channels]]
id = "c-1"
transport = "whatsapp"
number = "8 (901) 111-22-33"
name = "Sales"
deleted = true
[[integrations.channels]]
id = "c-2"
transport = "whatsapp"
number = "+7 901 111-22-33"
)");
    CHECK(c.path == "/etc/switchyard/switchyard.toml");
    CHECK(c.listen_address == "0.0.0.0");
    CHECK(c.listen_port == 9090);
    CHECK(c.storage == "/var/lib/switchyard/db.sqlite");
    CHECK(c.api_token == "0123456789abcdef0123");
    CHECK(c.body_limit == 1048576);
    CHECK(c.rules.empty());
    CHECK(c.compiled == "/etc/rulesets/planfix.swy");
    CHECK(c.account_name == "Example Ltd");
    CHECK(c.plan == "trial");

    REQUIRE(c.employees.size() == 2);
    CHECK(c.employees[0].telegram == "123456789");
    CHECK(c.employees[1].telegram == "@ivan_k");
    CHECK_FALSE(c.employees[1].owner);
    REQUIRE(c.owner());
    CHECK(c.owner()->name == "Olga");
    CHECK(c.employee(8)->name == "Ivan");
    CHECK(c.employee(9) == nullptr);

    const auto* bot = c.integration("bot");
    REQUIRE(bot);
    CHECK(bot->name == "Support bot");
    CHECK(bot->owner == 8);
    CHECK(bot->bot_token == "123:AA-b_c");
    CHECK(bot->bot_username == "support_bot");
    CHECK(bot->webhook_secret == "s3cret_-X");
    CHECK(bot->api_base_url == "http://127.0.0.1:9999");
    CHECK(bot->assignees == std::vector<std::int64_t>{8});
    CHECK(bot->extra_assignees == std::vector<std::int64_t>{7, 8});
    CHECK(bot->project == "Support");
    CHECK(bot->contact_template == "Customer");
    CHECK(boost::json::serialize(bot->settings) == R"({"new_task_if_no_active":false,"positive_reactions":["👍"]})");
    // Where each setting's key is, for the diagnostics of checking it against a ruleset later.
    auto key = bot->setting_spans.at("positive_reactions");
    CHECK(c.sources->file(c.file).locate(key.begin).line == 41);
    CHECK(c.sources->file(c.file).locate(key.begin).column == 1);
    CHECK(c.sources->file(c.file).slice(key) == "positive_reactions");

    const auto* wz = c.integration("wz");
    REQUIRE(wz);
    CHECK(wz->name == "wz");
    CHECK(wz->api_base_url == "https://api.wazzup24.com");
    CHECK(wz->url_secret == "0123456789abcdef");
    CHECK(wz->crm_key.empty());
    REQUIRE(wz->channels.size() == 2);
    // The deleted channel and its successor share the number (W7); only live numbers must differ.
    CHECK(wz->channels[0].number == "79011112233");
    CHECK(wz->channels[0].deleted);
    CHECK(wz->channels[1].number == "79011112233");
    CHECK(wz->channels[1].name == "+7 901 111-22-33");
    CHECK(c.integration("nope") == nullptr);
}

TEST_CASE("defaults of what is left out", "[config]") {
    auto c = read(minimal);
    CHECK(c.listen_address == "127.0.0.1");
    CHECK(c.listen_port == 8080);
    CHECK(c.storage == "/etc/switchyard/switchyard.db");
    CHECK(c.rules == "/etc/switchyard/rules");
    CHECK(c.body_limit == 10u << 20);
    CHECK(c.max_connections == 1024);
    CHECK(c.request_timeout_ms == 30000);
    CHECK(c.durability == config::Durability::power_loss);
    CHECK(c.retention.inbox_ms == 30ll * 86400000);
    CHECK(c.retention.decisions_ms == 90ll * 86400000);
    CHECK(c.log.level == config::LogLevel::info);
    CHECK(c.log.requests);
    CHECK(c.plan == "paid");
    CHECK(c.account_name.empty());
    CHECK(c.employees.empty());
    CHECK(c.owner() == nullptr);
    CHECK(c.integrations.empty());

    auto t = read(minimal + R"([[integrations]]
id = "tb"
service = "telegram_business"
bot_token = "1:a"
bot_username = "shop_bot"
webhook_secret = "s"
)");
    REQUIRE(t.integrations.size() == 1);
    const auto& tb = t.integrations[0];
    CHECK(tb.service == config::Service::telegram_business);
    CHECK(config::service_name(tb.service) == "telegram_business");
    CHECK(tb.name == "tb");
    CHECK(tb.api_base_url == "https://api.telegram.org");
    CHECK(tb.assignees.empty());
    CHECK_FALSE(tb.project);
    CHECK_FALSE(tb.contact_template);
    CHECK_FALSE(tb.owner);
    CHECK(tb.settings.empty());
}

TEST_CASE("limits, durability, retention and the log", "[config]") {
    auto c = read(R"([server]
api_token = "0123456789abcdef"
max_connections = 20000
durability = "process_crash"
request_timeout = "2 min"
[ruleset]
rules = "rules"
[retention]
inbox = "7 d"
decisions = "12 h"
[log]
level = "warn"
requests = false
)");
    CHECK(c.max_connections == 20000);
    CHECK(c.request_timeout_ms == 120000);
    CHECK(c.durability == config::Durability::process_crash);
    CHECK(config::durability_name(c.durability) == "process_crash");
    CHECK(c.retention.inbox_ms == 7 * 86400000);
    CHECK(c.retention.decisions_ms == 12 * 3600000);
    CHECK(c.log.level == config::LogLevel::warn);
    CHECK(config::log_level_name(c.log.level) == "warn");
    CHECK_FALSE(c.log.requests);
}

TEST_CASE("relative paths are read from the config file's folder", "[config]") {
    auto text = "[server]\napi_token = \"0123456789abcdef\"\nstorage = \"var/switchyard.db\"\n[ruleset]\nrules = \"../rules\"\n";
    auto c = read(text, "/srv/app/config/switchyard.toml");
    CHECK(c.storage == "/srv/app/config/var/switchyard.db");
    CHECK(c.rules == "/srv/app/rules");

    // A folder written with a final `/` is the same folder.
    CHECK(read("[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"../rules/\"\n",
               "/srv/app/config/switchyard.toml").rules == "/srv/app/rules");

    // A file named without a folder is in the current one.
    auto here = read(text, "switchyard.toml");
    CHECK(here.rules == (std::filesystem::current_path().parent_path() / "rules").lexically_normal().string());

    // SQLite's in-memory database is no path.
    auto memory = read("[server]\napi_token = \"0123456789abcdef\"\nstorage = \":memory:\"\n[ruleset]\nrules = \"r\"\n");
    CHECK(memory.storage == ":memory:");
}

TEST_CASE("listen addresses", "[config]") {
    struct Row {
        const char* listen;
        const char* address;
        std::uint16_t port;
    };
    for (const auto& row : std::vector<Row>{{"127.0.0.1:8080", "127.0.0.1", 8080},
                                            {"0.0.0.0:1", "0.0.0.0", 1},
                                            {"localhost:65535", "127.0.0.1", 65535},
                                            {"[::1]:8443", "::1", 8443},
                                            {"[::]:80", "::", 80}}) {
        INFO(row.listen);
        auto c = read("[server]\nlisten = \"" + std::string(row.listen) + "\"\n" + minimal.substr(minimal.find("api_token")));
        CHECK(c.listen_address == row.address);
        CHECK(c.listen_port == row.port);
    }
}

TEST_CASE("body limits in bytes or with a unit", "[config]") {
    struct Row {
        const char* value;
        std::uint64_t bytes;
    };
    for (const auto& row : std::vector<Row>{{"1", 1},
                                            {"\"512 KiB\"", 512 * 1024},
                                            {"\"2MB\"", 2000000},
                                            {"\"1 GiB\"", 1u << 30},
                                            {"\"100 B\"", 100},
                                            {"\"4096\"", 4096}}) {
        INFO(row.value);
        auto text = "[server]\napi_token = \"0123456789abcdef\"\nbody_limit = " + std::string(row.value) +
                    "\n[ruleset]\nrules = \"r\"\n";
        CHECK(read(text).body_limit == row.bytes);
    }
}

TEST_CASE("WhatsApp numbers +7..., 7... and 8... are one number (W3)", "[config]") {
    struct Row {
        const char* written;
        const char* number;
    };
    for (const auto& row : std::vector<Row>{{"+7 901 111-22-33", "79011112233"},
                                            {"79011112233", "79011112233"},
                                            {"89011112233", "79011112233"},
                                            {"8 (901) 111-22-33", "79011112233"},
                                            {"+44 20 7946 0958", "442079460958"},
                                            {"+380 44 123 45 67", "380441234567"}}) {
        INFO(row.written);
        auto c = read(minimal + "[[integrations]]\nid = \"wz\"\nservice = \"wazzup\"\napi_key = \"k\"\ncrm_key = \"c\"\n"
                                "[[integrations.channels]]\nid = \"c\"\ntransport = \"whatsapp\"\nnumber = \"" +
                      row.written + "\"\n");
        REQUIRE(c.integrations.at(0).channels.size() == 1);
        CHECK(c.integrations[0].channels[0].number == row.number);
    }
}

TEST_CASE("setting values become case JSON, TOML times included", "[config]") {
    auto c = read(minimal + R"([[integrations]]
id = "tb"
service = "telegram_business"
bot_token = "1:a"
bot_username = "shop_bot"
webhook_secret = "s"
[integrations.settings]
a = 2026-11-21T10:00:00Z
b = 2026-11-21T10:00:00.250Z
c = 2026-11-21T13:00:00+03:00
d = 2026-11-21
e = "24 h"
f = { x = 1, y = [true] }
)");
    CHECK(boost::json::serialize(c.integrations.at(0).settings) ==
          R"({"a":"2026-11-21T10:00:00Z","b":"2026-11-21T10:00:00.250Z","c":"2026-11-21T13:00:00+03:00",)"
          R"("d":"2026-11-21","e":"24 h","f":{"x":1,"y":[true]}})");
}
