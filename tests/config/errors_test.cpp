// Bad configurations: each small file below must be refused with exactly these diagnostics, given
// as `LINE:COLUMN CODE message = help: …` (testing::compact), one a line: the problems an admin
// sees, rendered with their source line, when the server will not start. docs/configuration.md
// quotes them; keep the two in step.
#include "tests/config/config_support.hpp"

#include <filesystem>
#include <fstream>

using namespace switchyard;

namespace {

struct Case {
    const char* what;
    std::string toml;
    std::string error;
};

// Lines 1-4 of most files below: the least a file needs. Their snippets start at line 5.
const std::string head = R"([server]
api_token = "0123456789abcdef"
[ruleset]
rules = "rules"
)";

// Lines 5-8: one employee.
const std::string olga = R"([[employees]]
id = 1
name = "Olga"
owner = true
)";

// A Telegram integration, complete; appended after `head` it takes lines 5-10.
const std::string telegram = R"([[integrations]]
id = "tg"
service = "telegram"
bot_token = "123:abc"
bot_username = "example_bot"
webhook_secret = "secret"
)";

// A Wazzup integration without channels; after `head` it takes lines 5-9.
const std::string wazzup = R"([[integrations]]
id = "wz"
service = "wazzup"
api_key = "key"
crm_key = "crm"
)";

void check_all(const std::vector<Case>& cases, bool settings = false) {
    for (const auto& c : cases) {
        INFO(c.what << "\n" << c.toml);
        CHECK(testing::config_error(c.toml, settings) == c.error);
    }
}

}  // namespace

TEST_CASE("a file that is not TOML", "[config]") {
    check_all({
        {"no value", head + "x =\n", "5:4 E0800 cannot parse the key-value pair: expected value, saw '\\n'"},
        {"a key given twice", "[server]\napi_token = \"0123456789abcdef\"\napi_token = \"x\"\n",
         "3:13 E0800 cannot parse the key-value pair: cannot redefine existing string 'api_token'"},
    });
}

TEST_CASE("unknown keys name the closest known one", "[config]") {
    check_all({
        {"top level", head + "[integration]\n", "5:2 E0801 integration: unknown key = help: did you mean `integrations`?"},
        {"nothing close", head + "[database]\n", "5:2 E0801 database: unknown key"},
        {"in [server]", "[server]\nlistne = \"127.0.0.1:8080\"\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"rules\"\n",
         "2:1 E0801 server.listne: unknown key = help: did you mean `listen`?"},
        {"in [ruleset]", "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrule = \"rules\"\n",
         "3:1 E0803 ruleset: missing `rules` or `compiled` = help: write rules = \"FOLDER or FILE\" or compiled = \"FILE\"\n"
         "4:1 E0801 ruleset.rule: unknown key = help: did you mean `rules`?"},
        {"in [[employees]]", head + "[[employees]]\nid = 1\nname = \"Olga\"\nowners = true\n",
         "8:1 E0801 employees.owners: unknown key = help: did you mean `owner`?"},
        {"in [[integrations]]", head + telegram + "bot_tokn = \"1:a\"\n",
         "11:1 E0801 integrations.bot_tokn: unknown key = help: did you mean `bot_token`?"},
        {"in [[integrations.channels]]",
         head + wazzup + "[[integrations.channels]]\nid = \"c1\"\ntransport = \"whatsapp\"\nnumber = \"+79011112233\"\nnames = \"Sales\"\n",
         "14:1 E0801 integrations.channels.names: unknown key = help: did you mean `name`?"},
    });
}

TEST_CASE("values of the wrong type", "[config]") {
    check_all({
        {"a string", "[server]\nlisten = 8080\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"rules\"\n",
         "2:10 E0802 server.listen: expected a string, found an integer"},
        {"a table", "account = \"Example\"\n" + head, "1:11 E0802 account: expected a table ([account]), found a string"},
        {"an array of tables", head + "[employees]\nid = 1\n",
         "5:1 E0802 employees: expected an array of tables ([[employees]]), found a table"},
        {"a boolean", head + "[[employees]]\nid = 1\nname = \"Olga\"\nowner = \"yes\"\n",
         "8:9 E0802 employees.owner: expected true or false, found a string"},
        {"an integer", head + "[[employees]]\nid = \"1\"\nname = \"Olga\"\n",
         "6:6 E0802 employees.id: expected an employee id (an integer from 1), found a string"},
        {"an item of a list", head + olga + telegram + "assignees = [1, \"2\"]\n",
         "15:17 E0802 integrations.assignees[1]: expected an employee id, found a string"},
        {"a size", "[server]\napi_token = \"0123456789abcdef\"\nbody_limit = true\n[ruleset]\nrules = \"rules\"\n",
         "3:14 E0802 server.body_limit: expected bytes (an integer) or a size such as \"10 MiB\", found a boolean"},
    });
}

TEST_CASE("required keys and tables", "[config]") {
    check_all({
        {"no [server]", "[ruleset]\nrules = \"rules\"\n", "1:1 E0803 missing table [server] = help: add [server] with its required key `api_token`"},
        {"no [ruleset]", "[server]\napi_token = \"0123456789abcdef\"\n",
         "1:1 E0803 missing table [ruleset] = help: write rules = \"FOLDER or FILE\" or compiled = \"FILE\""},
        {"no api_token", "[server]\nlisten = \"127.0.0.1:8080\"\n[ruleset]\nrules = \"rules\"\n",
         "1:1 E0803 server: missing required key `api_token` (the Bearer token of the HTTP API)"},
        {"an employee's name", head + "[[employees]]\nid = 1\n", "5:1 E0803 employees: missing required key `name`"},
        {"an integration's id", head + "[[integrations]]\nservice = \"telegram\"\n",
         "5:1 E0803 integrations: missing required key `bot_token` (the token @BotFather gave)\n"
         "5:1 E0803 integrations: missing required key `bot_username` (the bot's username, to tell the commands meant for it)\n"
         "5:1 E0803 integrations: missing required key `id` (it names the webhook: POST /webhooks/{id})\n"
         "5:1 E0803 integrations: missing required key `webhook_secret` (Telegram sends it with every webhook; requests without it are refused)"},
        {"an integration's service", head + "[[integrations]]\nid = \"tg\"\n",
         "5:1 E0803 integrations: missing required key `service` (telegram, telegram_business or wazzup)"},
        {"an empty string", head + olga + telegram + "project = \"\"\n",
         "15:11 E0804 integrations.project: must not be empty = help: leave the key out instead"},
    });
}

TEST_CASE("the [server] table", "[config]") {
    auto server = [](const std::string& lines) {
        return "[server]\napi_token = \"0123456789abcdef\"\n" + lines + "[ruleset]\nrules = \"rules\"\n";
    };
    check_all({
        {"no port", server("listen = \"127.0.0.1\"\n"),
         "3:10 E0804 server.listen: cannot read \"127.0.0.1\" = help: write an address and a port, such as \"127.0.0.1:8080\" or \"[::1]:8080\""},
        {"a host name", server("listen = \"example.com:8080\"\n"),
         "3:10 E0804 server.listen: cannot read \"example.com:8080\" = help: write an address and a port, such as \"127.0.0.1:8080\" or \"[::1]:8080\""},
        {"port 70000", server("listen = \"0.0.0.0:70000\"\n"),
         "3:10 E0804 server.listen: port 70000 is out of range = help: use a port from 0 to 65535"},
        {"a short token", "[server]\napi_token = \"secret\"\n[ruleset]\nrules = \"rules\"\n",
         "2:13 E0804 server.api_token: too short (6 characters) = help: use at least 16, such as the output of `openssl rand -hex 32`"},
        {"a token with a space", "[server]\napi_token = \"0123456789 abcdef\"\n[ruleset]\nrules = \"rules\"\n",
         "2:13 E0804 server.api_token: \" \" is not allowed = help: use printable ASCII without spaces"},
        {"an unknown unit", server("body_limit = \"10 MiBs\"\n"),
         "3:14 E0804 server.body_limit: cannot read \"10 MiBs\" = help: write a size such as \"10 MiB\" (units B, KB, MB, GB, KiB, MiB, GiB)"},
        {"no bytes", server("body_limit = 0\n"), "3:14 E0804 server.body_limit: must be more than 0 bytes"},
        {"an empty storage path", server("storage = \"\"\n"), "3:11 E0804 server.storage: must not be empty"},
        {"no connections", server("max_connections = 0\n"), "3:19 E0804 server.max_connections: expected 1 to 1000000, found 0"},
        {"a request timeout under a second", server("request_timeout = \"500 ms\"\n"),
         "3:19 E0804 server.request_timeout: must be at least \"1 s\" = help: a client on a slow network needs time to send a webhook's body"},
        {"a durability it does not know", server("durability = \"fsync\"\n"),
         "3:14 E0805 server.durability: unknown durability \"fsync\" = help: write one of power_loss, process_crash"},
    });
}

TEST_CASE("the [retention] and [log] tables", "[config]") {
    check_all({
        {"a retention under an hour", head + "[retention]\ninbox = \"10 min\"\n",
         "6:9 E0804 retention.inbox: must be at least \"1 h\" = help: records are pruned when older than this; keep them a day or more"},
        {"a retention that is not a duration", head + "[retention]\ndecisions = \"forever\"\n",
         "6:13 E0804 retention.decisions: cannot read \"forever\" = help: write a duration such as \"30 s\" (units ms, s, min, h, d)"},
        {"an unknown level", head + "[log]\nlevel = \"verbose\"\n",
         "6:9 E0805 log.level: unknown level \"verbose\" = help: write one of debug, info, warn, error"},
        {"requests is a bool", head + "[log]\nrequests = \"no\"\n", "6:12 E0802 log.requests: expected true or false, found a string"},
    });
}

TEST_CASE("the [ruleset] table names exactly one ruleset", "[config]") {
    check_all({
        {"both", "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\nrules = \"rules\"\ncompiled = \"planfix.swy\"\n",
         "5:12 E0808 ruleset: both `rules` and `compiled` are given = help: name one, the rules to compile or a compiled ruleset"},
        {"neither", "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\n",
         "3:1 E0803 ruleset: missing `rules` or `compiled` = help: write rules = \"FOLDER or FILE\" or compiled = \"FILE\""},
    });
}

TEST_CASE("the [account] table", "[config]") {
    check_all({
        {"a plan close to a member", head + "[account]\nplan = \"paied\"\n",
         "6:8 E0805 account.plan: unknown plan \"paied\" = help: did you mean `paid`?"},
        {"a plan far from every member", head + "[account]\nplan = \"enterprise\"\n",
         "6:8 E0805 account.plan: unknown plan \"enterprise\" = help: write one of free, paid, premium, trial"},
    });
}

TEST_CASE("the [[employees]] tables", "[config]") {
    check_all({
        {"id 0", head + "[[employees]]\nid = 0\nname = \"Olga\"\n", "6:6 E0804 employees.id: expected an employee id from 1, found 0"},
        {"an id twice", head + olga + "[[employees]]\nid = 1\nname = \"Ivan\"\n",
         "10:6 E0806 employees.id: employee 1 is declared twice = note: first declared here at 6:6"},
        {"two owners", head + olga + "[[employees]]\nid = 2\nname = \"Ivan\"\nowner = true\n",
         "12:9 E0806 employees.owner: employee 1 is the owner already = note: the owner is declared here at 8:9 = help: only one employee can be the owner"},
        {"a Telegram account without @", head + "[[employees]]\nid = 1\nname = \"Olga\"\ntelegram = \"olga\"\n",
         "8:12 E0804 employees.telegram: cannot read \"olga\" = help: write a Telegram username such as \"@anna_k\" or a numeric user id"},
    });
}

TEST_CASE("the [[integrations]] tables", "[config]") {
    check_all({
        {"an id that is no URL segment", head + "[[integrations]]\nid = \"support bot\"\n" + telegram.substr(telegram.find("service")),
         "6:6 E0804 integrations.id: \" \" is not allowed = help: use 1 to 64 letters, digits, _ and -: the id is part of the webhook URL"},
        {"an id twice", head + telegram + "[[integrations]]\nid = \"tg\"\n",
         "11:1 E0803 integrations: missing required key `service` (telegram, telegram_business or wazzup)\n"
         "12:6 E0806 integrations.id: integration \"tg\" is declared twice = note: first declared here at 6:6"},
        {"an unknown service", head + "[[integrations]]\nid = \"tg\"\nservice = \"telegram_bot\"\n",
         "7:11 E0805 integrations.service: unknown service \"telegram_bot\" = help: did you mean `telegram`?"},
        {"an assignee who is no employee", head + olga + telegram + "assignees = [1, 9]\n",
         "15:17 E0807 integrations.assignees: no employee has id 9 (the employees are 1)"},
        {"an extra assignee and no employees", head + telegram + "extra_assignees = [2]\n",
         "11:20 E0807 integrations.extra_assignees: no employee has id 2 (no [[employees]] are declared)"},
        {"an owner who is no employee", head + olga + telegram + "owner = 3\n",
         "15:9 E0807 integrations.owner: no employee has id 3 (the employees are 1)"},
        {"a base URL that is no URL", head + telegram + "api_base_url = \"api.telegram.org\"\n",
         "11:16 E0804 integrations.api_base_url: cannot read \"api.telegram.org\" = help: write an http:// or https:// URL such as \"https://api.telegram.org\""},
    });
}

TEST_CASE("Telegram credentials", "[config]") {
    auto bot = [](const std::string& credentials) {
        return head + "[[integrations]]\nid = \"tg\"\nservice = \"telegram_business\"\n" + credentials;
    };
    const std::string token = "bot_token = \"123:abc\"\nbot_username = \"example_bot\"\n";  // lines 8-9
    check_all({
        {"no webhook secret", bot(token),
         "5:1 E0803 integrations: missing required key `webhook_secret` (Telegram sends it with every webhook; requests without it are refused)"},
        {"a secret with a character Telegram refuses", bot(token + "webhook_secret = \"abc/def\"\n"),
         "10:18 E0804 integrations.webhook_secret: \"/\" is not allowed = help: Telegram takes 1 to 256 characters of A-Z, a-z, 0-9, _ and -"},
        {"a secret with a letter outside ASCII", bot(token + "webhook_secret = \"секрет\"\n"),
         "10:18 E0804 integrations.webhook_secret: \"с\" is not allowed = help: Telegram takes 1 to 256 characters of A-Z, a-z, 0-9, _ and -"},
        {"an empty secret", bot(token + "webhook_secret = \"\"\n"), "10:18 E0804 integrations.webhook_secret: must not be empty"},
        {"a secret too long", bot(token + "webhook_secret = \"" + std::string(257, 'a') + "\"\n"),
         "10:18 E0804 integrations.webhook_secret: too long (257 characters) = help: Telegram takes 1 to 256"},
        {"a token without its bot id", bot("bot_token = \"AAE-abc\"\nbot_username = \"example_bot\"\nwebhook_secret = \"s\"\n"),
         "8:13 E0804 integrations.bot_token: not a token from @BotFather = help: write the token @BotFather gave, such as \"123456789:AAE...\": digits, a colon, then letters, digits, _ and -"},
        {"a username too short", bot("bot_token = \"1:a\"\nbot_username = \"@bot\"\nwebhook_secret = \"s\"\n"),
         "9:16 E0804 integrations.bot_username: cannot read \"@bot\" = help: write the bot's username, 5 to 32 letters, digits and _"},
        {"a Wazzup key", bot(token + "webhook_secret = \"s\"\ncrm_key = \"crm\"\n"),
         "11:1 E0808 integrations.crm_key: only wazzup integrations take this key, and this one is telegram_business"},
    });
}

TEST_CASE("Wazzup credentials and channels", "[config]") {
    const std::string whatsapp = "[[integrations.channels]]\nid = \"c1\"\ntransport = \"whatsapp\"\nnumber = \"+7 901 111-22-33\"\n";
    auto channel = [](const std::string& id, const std::string& transport, const std::string& number) {
        return "[[integrations.channels]]\nid = \"" + id + "\"\ntransport = \"" + transport + "\"\nnumber = \"" + number + "\"\n";
    };
    check_all({
        {"no way to check webhooks", head + "[[integrations]]\nid = \"wz\"\nservice = \"wazzup\"\napi_key = \"key\"\n" + whatsapp,
         "5:1 E0803 integrations: missing `crm_key` or `url_secret` = help: give one of them: it proves that a webhook comes from Wazzup"},
        {"no API key", head + "[[integrations]]\nid = \"wz\"\nservice = \"wazzup\"\ncrm_key = \"crm\"\n" + whatsapp,
         "5:1 E0803 integrations: missing required key `api_key` (the Wazzup API key, for sending)"},
        {"a short URL secret",
         head + "[[integrations]]\nid = \"wz\"\nservice = \"wazzup\"\napi_key = \"key\"\nurl_secret = \"abc\"\n" + whatsapp,
         "9:14 E0804 integrations.url_secret: too short (3 characters) = help: use 16 to 128, such as the output of `openssl rand -hex 24`"},
        {"no channels", head + wazzup,
         "5:1 E0803 integrations: missing required key `channels` (a wazzup integration has at least one [[integrations.channels]])"},
        {"an unknown transport", head + wazzup + channel("c1", "whatsap", "+79011112233"),
         "12:13 E0805 integrations.channels.transport: unknown transport \"whatsap\" = help: did you mean `whatsapp`?"},
        {"a number that is no phone number", head + wazzup + channel("c1", "whatsapp", "+7 901 CALL-NOW"),
         "13:10 E0804 integrations.channels.number: cannot read \"+7 901 CALL-NOW\" = help: write a phone number such as \"+7 901 111-22-33\", \"79011112233\" or \"89011112233\""},
        {"one number written twice", head + wazzup + channel("c1", "whatsapp", "+7 901 111-22-33") + channel("c2", "whatsapp", "89011112233"),
         "17:10 E0806 integrations.channels.number: whatsapp 79011112233 is already the number of another channel = note: the other channel's number at 13:10 = help: mark the old channel `deleted = true`"},
        {"a channel id twice", head + wazzup + channel("c1", "whatsapp", "79011112233") + channel("c1", "instagram", "@shop"),
         "15:6 E0806 integrations.channels.id: channel \"c1\" is declared twice = note: first declared here at 11:6"},
        {"a Telegram key", head + wazzup + "webhook_secret = \"s\"\n" + whatsapp,
         "10:1 E0808 integrations.webhook_secret: only telegram and telegram_business integrations take this key, and this one is wazzup"},
    });
}

TEST_CASE("settings are checked against the ruleset's declarations", "[config]") {
    const std::string base = head + telegram + "[integrations.settings]\n";  // settings from line 12
    check_all({
        {"an unknown setting", base + "new_task_if_no_activ = true\n",
         "12:1 E0810 integrations.settings.new_task_if_no_activ: the ruleset declares no such setting = help: did you mean `new_task_if_no_active`?"},
        {"a bool written as a string", base + "notify_only_chat_members = \"yes\"\n",
         "12:1 E0811 integrations.settings.notify_only_chat_members: expected true or false, found a string"},
        {"an item of a list", base + "positive_reactions = [\"👍\", 1]\n",
         "12:1 E0811 integrations.settings.positive_reactions[1]: expected a string, found an integer"},
        {"every bad setting at once", base + "send_as_employee = 1\nnew_task_if_no_active = true\nnotify_only_chat_member = true\n",
         "12:1 E0811 integrations.settings.send_as_employee: expected true or false, found an integer\n"
         "14:1 E0810 integrations.settings.notify_only_chat_member: the ruleset declares no such setting = help: did you mean `notify_only_chat_members`?"},
    }, true);
}

TEST_CASE("every problem of a file is reported, in the order of its lines, as the compiler renders them", "[config]") {
    std::string text = "[server]\nlisten = \"localhost\"\napi_token = \"short-token\"\n[ruleset]\nrules = \"rules\"\n[account]\nplan = \"gold\"\n";
    try {
        config::parse(text, "test.toml");
        FAIL("a bad file is accepted");
    } catch (const config::ConfigError& e) {
        CHECK(std::string(e.what()) ==
              "test.toml:2:10: error[E0804]: server.listen: cannot read \"localhost\"\n"
              " 2 | listen = \"localhost\"\n"
              "   |          ^~~~~~~~~~~\n"
              "   = help: write an address and a port, such as \"127.0.0.1:8080\" or \"[::1]:8080\"\n"
              "test.toml:3:13: error[E0804]: server.api_token: too short (11 characters)\n"
              " 3 | api_token = \"short-token\"\n"
              "   |             ^~~~~~~~~~~~~\n"
              "   = help: use at least 16, such as the output of `openssl rand -hex 32`\n"
              "test.toml:7:8: error[E0805]: account.plan: unknown plan \"gold\"\n"
              " 7 | plan = \"gold\"\n"
              "   |        ^~~~~~\n"
              "   = help: write one of free, paid, premium, trial");
        CHECK(e.diagnostics().size() == 3);
        REQUIRE(e.sources());
        CHECK(e.sources()->file(e.diagnostics()[0].file).path() == "test.toml");
    }
}

TEST_CASE("positions count characters, not bytes, and the caret stands under the value", "[config]") {
    // `Ольга` is 5 characters and 10 bytes: the plan starts at character 36, byte 41.
    std::string text = "account = { name = \"Ольга\", plan = \"golden\" }\n" + head;
    CHECK(testing::config_error(text) ==
          "1:36 E0805 account.plan: unknown plan \"golden\" = help: write one of free, paid, premium, trial");
    try {
        config::parse(text, "test.toml");
        FAIL("an unknown plan is accepted");
    } catch (const config::ConfigError& e) {
        CHECK_THAT(e.what(), Catch::Contains(" 1 | account = { name = \"Ольга\", plan = \"golden\" }\n"
                                             "   |                                    ^~~~~~~~\n"));
    }
    // A file that ends inside a value: the position is at its end.
    CHECK(testing::config_error(head + "x = \"abc") == "5:9 E0800 cannot parse the string: encountered end-of-file");
}

TEST_CASE("load() reads the file and checks that the ruleset exists", "[config]") {
    auto folder = std::filesystem::temp_directory_path() / "switchyard_config_test";
    std::filesystem::create_directories(folder);
    auto file = (folder / "switchyard.toml").string();
    std::ofstream(file) << "[server]\napi_token = \"0123456789abcdef\"\n[ruleset]\ncompiled = \"missing.swy\"\n";
    try {
        config::load(file);
        FAIL("a missing compiled ruleset is accepted");
    } catch (const config::ConfigError& e) {
        CHECK(testing::compact(e.diagnostics(), *e.sources()) ==
              "4:12 E0809 ruleset.compiled: no such file: " + (folder / "missing.swy").string());
        CHECK(std::string(e.what()).starts_with(file + ":4:12: error[E0809]: ruleset.compiled: no such file: "));
    }
    std::filesystem::remove_all(folder);
    try {
        config::load(file);
        FAIL("a missing file is accepted");
    } catch (const config::ConfigError& e) {
        // No text, so no position: the reason is the system's.
        CHECK(std::string(e.what()) == file + ": cannot read the configuration: No such file or directory");
        CHECK(e.diagnostics().empty());
        CHECK_FALSE(e.sources());
    }
}
