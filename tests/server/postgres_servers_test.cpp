// Two `switchyard serve` processes on one PostgreSQL database and one files folder (issue 16),
// as a business runs them behind a load balancer: a webhook redelivered to the other server is
// one comment, a ruleset published on one serves on both, a file uploaded to one is served by
// the other, and either answers the API about what the other stored.
#include "tests/server/rulesets_support.hpp"
#include "tests/support.hpp"
#include "runtime/store/postgres.hpp"
#include "tests/support/postgres_or_skip.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include <unistd.h>

using namespace switchyard;
using testing::api_auth;
using testing::http_request;
using testing::telegram_auth;

namespace {

// The end-to-end configuration on a new PostgreSQL database, with one files folder for all.
std::optional<std::string> shared_config(const std::filesystem::path& files) {
    auto* server = testing::postgres_or_skip();
    if (!server) return std::nullopt;
    auto uri = server->new_database_uri();
    return testing::replace_all(testing::e2e_config, "\"{{dir}}/var/switchyard.db\"", "\"" + uri + "\"") + "\n[files]\npath = \"" +
           files.string() + "\"\n";
}

boost::json::value api(std::uint16_t port, const std::string& target) {
    auto r = http_request(port, "GET", target, {}, api_auth);
    INFO(target << " -> " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return boost::json::parse(r.body);
}

// Whether `port` serves `version` within five seconds (the followers look each second).
bool serves_soon(std::uint16_t port, const std::string& version) {
    for (int i = 0; i < 50; ++i) {
        if (testing::serving(port) == version) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

struct TempFolder {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("switchyard-shared-" + std::to_string(::getpid()));
    TempFolder() { std::filesystem::create_directories(path); }
    ~TempFolder() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("postgres: two servers share one database: redeliveries, rulesets and files reach both", "[e2e][postgres]") {
    TempFolder files;
    auto config = shared_config(files.path / "files");
    if (!config) return;
    testing::ServerProcess a(*config, "postgres-a"), b(*config, "postgres-b");
    a.start();
    b.start();
    INFO(a.output() << b.output());

    // One update delivered to both (Telegram retrying at another server): one row, one comment.
    auto update = testing::read_fixture("telegram_private_text__teloxide.json");
    REQUIRE(http_request(a.port(), "POST", "/webhooks/tg", update, telegram_auth).status == 200);
    REQUIRE(http_request(b.port(), "POST", "/webhooks/tg", update, telegram_auth).status == 200);
    CHECK(testing::metric(b.port(), "switchyard_webhooks_duplicate_total") == 1);
    REQUIRE(a.wait_until_processed());
    CHECK(testing::metric(b.port(), "switchyard_inbox_received") == 1);
    auto tasks = api(b.port(), "/api/v1/tasks").at("tasks").as_array();
    REQUIRE(tasks.size() == 1);
    auto task = tasks[0].at("id").as_int64();
    CHECK(api(a.port(), "/api/v1/tasks/" + std::to_string(task)).at("comments").as_array().size() == 1);

    // A ruleset published on one serves on the other within seconds, the same version.
    auto configured = testing::serving(a.port());
    CHECK(testing::serving(b.port()) == configured);
    auto next = testing::compile_edited(testing::source_dir() / "rules", files.path / "next.swy", "Hello! How can we help you?",
                                        "Hi! How can we help?");
    auto published = http_request(a.port(), "POST", "/api/v1/ruleset?by=1&reason=shorter", next, api_auth);
    INFO(published.body);
    REQUIRE(published.status == 200);
    auto version = testing::serving(a.port());
    REQUIRE(version != configured);
    CHECK(serves_soon(b.port(), version));
    // A rollback on the other comes back the same way.
    REQUIRE(http_request(b.port(), "POST", "/api/v1/rulesets/" + configured + "/rollback?by=1&reason=back", {}, api_auth).status ==
            200);
    CHECK(serves_soon(a.port(), configured));

    // A file uploaded to one server is attached through the other and served by the first.
    auto uploaded = http_request(b.port(), "POST", "/api/v1/uploads?name=invoice.txt", "the invoice",
                                 {{"Authorization", api_auth.at("Authorization")}, {"Content-Type", "text/plain"}});
    INFO(uploaded.body);
    REQUIRE(uploaded.status == 201);
    auto blob = std::string(boost::json::parse(uploaded.body).at("upload").as_string());
    boost::json::object file_part{{"upload", blob}, {"name", "invoice.txt"}, {"mime", "text/plain"}};
    boost::json::object comment{{"by", 2},
                                {"text", "here it is"},
                                {"notify", boost::json::object{{"contact", true}}},
                                {"files", boost::json::array{file_part}}};
    auto posted = http_request(a.port(), "POST", "/api/v1/tasks/" + std::to_string(task) + "/comments", boost::json::serialize(comment),
                               api_auth);
    INFO(posted.body);
    REQUIRE(posted.status == 201);
    auto id = boost::json::parse(posted.body).at("comment").as_int64();
    auto file = http_request(b.port(), "GET", "/api/v1/comments/" + std::to_string(id) + "/files/0", {}, api_auth);
    CHECK(file.status == 200);
    CHECK(file.body == "the invoice");
}

TEST_CASE("postgres: a server whose connections PostgreSQL cut connects again and goes on", "[e2e][postgres]") {
    TempFolder files;
    auto config = shared_config(files.path / "files");
    if (!config) return;
    testing::ServerProcess server(*config, "postgres-cut");
    server.start();
    // Four customers, each writing once in a private chat.
    auto update = [](int i) {
        boost::json::object user{{"id", 91000 + i}, {"is_bot", false}, {"first_name", "Customer " + std::to_string(i)}};
        boost::json::object chat{{"id", 91000 + i}, {"type", "private"}, {"first_name", "Customer " + std::to_string(i)}};
        boost::json::object message{{"message_id", i}, {"date", 1764900000}, {"chat", chat}, {"from", user}, {"text", "hello"}};
        return boost::json::serialize(boost::json::object{{"update_id", 7000 + i}, {"message", message}});
    };
    REQUIRE(http_request(server.port(), "POST", "/webhooks/tg", update(1), telegram_auth).status == 200);
    REQUIRE(server.wait_until_processed());

    // Every connection of the server ended by PostgreSQL (a restart of it, a failover).
    auto uri = std::string(config->substr(config->find("postgresql://")));
    uri = uri.substr(0, uri.find('"'));
    store::pg::PgConnection admin(uri);
    store::sql::Query(admin,
                      "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .run();

    // A webhook is answered 503 at most once per connection lost, then stored; the messenger
    // delivers it again until it is.
    int attempts = 0;
    for (int i = 2; i <= 4; ++i) {
        int status = 0;
        while ((status = http_request(server.port(), "POST", "/webhooks/tg", update(i), telegram_auth).status) != 200) {
            CHECK(status == 503);
            REQUIRE(++attempts < 5);
        }
    }
    REQUIRE(server.wait_until_processed(30));
    CHECK(testing::metric(server.port(), "switchyard_inbox_processed") == 4);
    CHECK(api(server.port(), "/api/v1/tasks").at("tasks").as_array().size() == 4);
}
