// `switchyard serve` on a PostgreSQL storage (issue 16): one server on a database of the tests'
// own PostgreSQL (tests/support/postgres.hpp), webhooks in, the API and replay out, a restart.
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"
#include "tests/support.hpp"
#include "tests/support/postgres_or_skip.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace switchyard;
using testing::api_auth;
using testing::http_request;
using testing::run_switchyard;
using testing::telegram_auth;
using testing::wazzup_auth;

namespace {

// The end-to-end configuration on a new PostgreSQL database, its files in the server's folder.
std::optional<std::string> postgres_config() {
    auto* server = testing::postgres_or_skip();
    if (!server) return std::nullopt;
    auto uri = server->new_database_uri();
    return testing::replace_all(testing::e2e_config, "\"{{dir}}/var/switchyard.db\"", "\"" + uri + "\"") +
           "\n[files]\npath = \"{{dir}}/files\"\n";
}

boost::json::value api(std::uint16_t port, const std::string& target) {
    auto r = http_request(port, "GET", target, {}, api_auth);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body);
}

}  // namespace

TEST_CASE("postgres: the server stores, processes and answers on a PostgreSQL database, and keeps it across a restart",
          "[e2e][postgres]") {
    auto config = postgres_config();
    if (!config) return;
    testing::ServerProcess server(*config, "postgres-serve");
    server.start();
    auto port = server.port();
    INFO(server.output());
    CHECK(server.output().find("storage postgresql:///") != std::string::npos);
    for (const char* name : {"telegram_private_text__teloxide.json", "telegram_group_mention__adapted_badpaybad.json"})
        REQUIRE(http_request(port, "POST", "/webhooks/tg", testing::read_fixture(name), telegram_auth).status == 200);
    REQUIRE(http_request(port, "POST", "/webhooks/wz", testing::read_fixture("wazzup_incoming_whatsapp_poll_as_text__wazzup_docs.json"),
                         wazzup_auth)
                .status == 200);
    REQUIRE(server.wait_until_processed());
    CHECK(testing::metric(port, "switchyard_inbox_failed") == 0);
    auto tasks = api(port, "/api/v1/tasks").at("tasks").as_array();
    CHECK(tasks.size() >= 2);
    auto decisions = api(port, "/api/v1/decisions").at("decisions").as_array().size();
    CHECK(decisions >= 3);
    CHECK(boost::json::parse(http_request(port, "GET", "/healthz").body).at("status") == "ok");

    // Replay reads the same database.
    auto conf = (server.dir() / "switchyard.toml").string();
    auto [status, output] = run_switchyard("replay --config " + conf + " --rules rules --format json");
    INFO(output);
    REQUIRE(status == 0);
    CHECK(boost::json::parse(output).at("summary").at("replayed").as_int64() == static_cast<std::int64_t>(decisions));
    CHECK(boost::json::parse(output).at("summary").at("changed") == 0);

    // A restart finds everything where it was, and a redelivered webhook changes nothing.
    server.kill(SIGTERM);
    server.start();
    port = server.port();
    CHECK(api(port, "/api/v1/tasks").at("tasks").as_array().size() == tasks.size());
    REQUIRE(http_request(port, "POST", "/webhooks/tg", testing::read_fixture("telegram_private_text__teloxide.json"), telegram_auth)
                .status == 200);
    REQUIRE(server.wait_until_processed());
    CHECK(api(port, "/api/v1/decisions").at("decisions").as_array().size() == decisions);
}

TEST_CASE("postgres: a PostgreSQL storage without [files] path is refused, with what to write", "[e2e][postgres]") {
    auto dir = std::filesystem::temp_directory_path() / ("switchyard-pgconf-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto text = testing::replace_all(testing::replace_all(testing::e2e_config, "\"{{dir}}/var/switchyard.db\"",
                                                          "\"postgresql:///nothing?host=/nonexistent\""),
                                     "{{source}}", SWITCHYARD_SOURCE_DIR);
    std::ofstream(dir / "switchyard.toml") << text;
    auto [status, output] = run_switchyard("serve --config " + (dir / "switchyard.toml").string());
    std::filesystem::remove_all(dir);
    INFO(output);
    CHECK(status == 2);
    CHECK(output.find("error[E0804]: server.storage: a PostgreSQL storage needs [files] path") != std::string::npos);
}
