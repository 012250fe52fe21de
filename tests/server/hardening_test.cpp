// The server under pressure from the network and the machine: a cap on connections, file
// descriptors running out, its JSON log (what it says, what it never says, how it keeps
// unauthenticated noise down), and failed inbox rows through the API.
#include "tests/server/e2e_config.hpp"
#include "tests/server/harness.hpp"
#include "tests/support/eventually.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

using namespace switchyard;
using testing::api_auth;
using testing::eventually;
using testing::http_request;
using testing::telegram_auth;

namespace {

// The end-to-end configuration with `lines` added to [server].
std::string config_with(const std::string& lines) {
    return testing::replace_all(testing::e2e_config, "body_limit = \"64 KiB\"\n", "body_limit = \"64 KiB\"\n" + lines);
}

// A TCP connection to the server that sends nothing; closed when it goes.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // Connecting succeeds once the system queues the connection, whether or not the server
        // has accepted it.
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    }
    ~RawConnection() { ::close(fd_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    void send(const std::string& bytes) { REQUIRE(::write(fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())); }
    // What the server answered within `ms` milliseconds; empty when it said nothing.
    std::string answer_within(int ms) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0) return {};
        char buf[4096];
        auto n = ::read(fd_, buf, sizeof buf);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }

    // Whether the server closed the connection within `ms` milliseconds (what it sent first is
    // read and dropped).
    bool closed_within(int ms) {
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
            pollfd p{fd_, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
            char buf[4096];
            if (::read(fd_, buf, sizeof buf) <= 0) return true;
        }
    }

private:
    int fd_;
};

// The JSON lines of the server's output whose "event" is `event`.
std::vector<boost::json::object> log_lines(const testing::ServerProcess& server, std::string_view event) {
    std::vector<boost::json::object> lines;
    std::istringstream output(server.output());
    for (std::string line; std::getline(output, line);) {
        if (!line.starts_with('{')) continue;
        boost::system::error_code ec;
        auto v = boost::json::parse(line, ec);
        if (ec || !v.is_object()) continue;
        const auto* name = v.as_object().if_contains("event");
        if (name && name->is_string() && name->as_string() == event) lines.push_back(v.as_object());
    }
    return lines;
}

const std::string healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST_CASE("at max_connections the server accepts no more, and takes the next when one ends", "[e2e][hardening]") {
    testing::ServerProcess server(config_with("max_connections = 3\n"), "cap");
    server.start();
    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 3; ++i) idle.push_back(std::make_unique<RawConnection>(server.port()));
    RawConnection fourth(server.port());
    fourth.send(healthz);
    CHECK(fourth.answer_within(500).empty());  // queued by the system, not accepted

    idle.pop_back();  // one ends: the fourth is accepted and answered
    CHECK(fourth.answer_within(10000).starts_with("HTTP/1.1 200"));
    idle.clear();
    CHECK(eventually([&] { return testing::metric(server.port(), "switchyard_accept_pauses_total") >= 1; }));
}

TEST_CASE("a client that sends its request slowly, or not at all, loses its connection after request_timeout", "[e2e][hardening]") {
    testing::ServerProcess server(config_with("request_timeout = \"1 s\"\n"), "slow");
    server.start();
    RawConnection silent(server.port());
    RawConnection half_header(server.port());
    half_header.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    RawConnection half_body(server.port());
    half_body.send("POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: tg-secret\r\n"
                   "Content-Length: 100\r\n\r\n{\"update_id\"");
    CHECK_FALSE(half_body.closed_within(300));  // well within the timeout: still open
    CHECK(silent.closed_within(5000));
    CHECK(half_header.closed_within(5000));
    CHECK(half_body.closed_within(5000));
    CHECK(testing::metric(server.port(), "switchyard_inbox_received") == 0);  // the half body was never stored
    // A kept-alive connection that goes quiet after a request is closed too.
    RawConnection kept(server.port());
    kept.send(healthz);
    CHECK(kept.answer_within(5000).starts_with("HTTP/1.1 200"));
    CHECK(kept.closed_within(5000));
}

TEST_CASE("out of file descriptors, the server pauses accepting and says so once, then serves again", "[e2e][hardening]") {
    testing::ServerProcess server(testing::e2e_config, "emfile");
    server.limit_open_files(48);
    server.start();
    CHECK(eventually([&] { return !log_lines(server, "open_file_limit").empty(); }));

    std::vector<std::unique_ptr<RawConnection>> idle;
    for (int i = 0; i < 80; ++i) idle.push_back(std::make_unique<RawConnection>(server.port()));
    REQUIRE(eventually([&] { return !log_lines(server, "accept_paused").empty(); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a spinning accept loop would log thousands of lines
    auto output = server.output();
    auto lines_while_exhausted = std::count(output.begin(), output.end(), '\n');
    CHECK(log_lines(server, "accept_paused").size() == 1);
    CHECK(log_lines(server, "accept_paused")[0].at("reason").as_string().find("Too many open files") != std::string::npos);
    CHECK(lines_while_exhausted < 40);

    idle.clear();  // descriptors come back: the waiting connections are accepted and served
    auto r = http_request(server.port(), "GET", "/healthz");
    CHECK(r.status == 200);
    CHECK(eventually([&] { return !log_lines(server, "accepting_again").empty(); }));
}

TEST_CASE("the log: a JSON line per request and per processed event, without secrets or message texts", "[e2e][hardening][log]") {
    testing::ServerProcess server(testing::e2e_config, "log");
    server.start();
    std::string update = R"({"update_id": 500001, "message": {"message_id": 1, "date": 1763719200, "chat": {"id": 7001,)"
                         R"( "type": "private", "first_name": "C"}, "from": {"id": 7001, "is_bot": false, "first_name": "C"},)"
                         R"( "text": "my card is 4111 1111 1111 1111"}})";
    REQUIRE(http_request(server.port(), "POST", "/webhooks/tg", update, telegram_auth).status == 200);
    REQUIRE(server.wait_until_processed());
    REQUIRE(http_request(server.port(), "GET", "/api/v1/tasks", {}, api_auth).status == 200);
    auto download = http_request(server.port(), "GET", "/files/0123abcd/passport_of_anna.pdf?expires=1&sig=00");
    CHECK(download.status == 403);

    REQUIRE(eventually([&] { return !log_lines(server, "processed").empty(); }));
    REQUIRE(eventually([&] { return log_lines(server, "request").back().at("status").as_int64() == 403; }));
    CHECK(log_lines(server, "request").back().at("path") == "/files/0123abcd");
    auto requests = log_lines(server, "request");
    auto webhook = std::find_if(requests.begin(), requests.end(), [](const auto& l) { return l.at("path") == "/webhooks/tg"; });
    REQUIRE(webhook != requests.end());
    CHECK(webhook->at("status").as_int64() == 200);
    CHECK(webhook->at("integration") == "tg");
    CHECK(webhook->at("method") == "POST");
    CHECK(webhook->at("level") == "info");
    CHECK(webhook->contains("duration_us"));
    CHECK(webhook->contains("ts"));
    auto processed = log_lines(server, "processed").front();
    CHECK(processed.at("outcome") == "done");
    CHECK(processed.at("integration") == "tg");
    CHECK(processed.at("inbox_id").as_int64() >= 1);

    // The log's and the pruning's counters are in /metrics (nothing dropped, nothing old yet).
    CHECK(testing::metric(server.port(), "switchyard_log_lines_dropped_total") == 0);
    CHECK(testing::metric(server.port(), "switchyard_inbox_pruned_total") == 0);
    CHECK(testing::metric(server.port(), "switchyard_decisions_pruned_total") == 0);
    CHECK(testing::metric(server.port(), "switchyard_connections_open") >= 1);

    auto output = server.output();
    CHECK(output.find("tg-secret") == std::string::npos);
    CHECK(output.find("e2e-api-token") == std::string::npos);
    CHECK(output.find("4111") == std::string::npos);
    CHECK(output.find("passport") == std::string::npos);
}

TEST_CASE("unauthenticated requests are logged at most ten a second, then counted", "[e2e][hardening][log]") {
    testing::ServerProcess server(testing::e2e_config, "noise");
    server.start();
    // Within one second of the clock, so that all of them fall in one budget.
    auto now = std::chrono::system_clock::now().time_since_epoch();
    std::this_thread::sleep_for(std::chrono::milliseconds(1000) - std::chrono::duration_cast<std::chrono::milliseconds>(now) % 1000);
    for (int i = 0; i < 40; ++i) CHECK(http_request(server.port(), "POST", "/webhooks/tg", "{}", {}).status == 401);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(http_request(server.port(), "GET", "/api/v1/tasks", {}, {{"Authorization", "Bearer wrong-token-000000"}}).status == 401);
    REQUIRE(eventually([&] {
        auto lines = log_lines(server, "request");
        return !lines.empty() && lines.back().contains("suppressed");
    }));
    auto lines = log_lines(server, "request");
    CHECK(lines.size() <= 2 * 10 + 1);  // the 40 may straddle two seconds at most
    CHECK(lines.back().at("suppressed").as_int64() + static_cast<std::int64_t>(lines.size()) - 1 == 40);
    CHECK(lines.back().at("level") == "warn");
    CHECK(lines.back().at("peer") == "127.0.0.1");
}

TEST_CASE("failed inbox rows are listed with their reasons and can be re-queued", "[e2e][hardening][inbox]") {
    testing::ServerProcess server(testing::e2e_config, "failed");
    server.start();
    REQUIRE(http_request(server.port(), "POST", "/webhooks/tg", "this is not JSON", telegram_auth).status == 200);
    REQUIRE(server.wait_until_processed());

    auto listed = http_request(server.port(), "GET", "/api/v1/inbox/failed", {}, api_auth);
    REQUIRE(listed.status == 200);
    auto failed = boost::json::parse(listed.body).at("failed").as_array();
    REQUIRE(failed.size() == 1);
    auto id = failed[0].at("id").as_int64();
    CHECK(failed[0].at("integration") == "tg");
    CHECK(failed[0].at("bytes").as_int64() == 16);
    CHECK(std::string(failed[0].at("reason").as_string()).find("the body cannot be read") == 0);
    // The log writes its lines a moment after they are made (up to [log]'s gathering time).
    REQUIRE(eventually([&] { return !log_lines(server, "processed").empty(); }));
    CHECK(log_lines(server, "processed").back().at("outcome") == "failed");

    auto requeue = "/api/v1/inbox/" + std::to_string(id) + "/requeue";
    auto requeued = http_request(server.port(), "POST", requeue, {}, api_auth);
    CHECK(requeued.status == 202);
    // Still not JSON: processed again, and failed again, with the same reason.
    REQUIRE(eventually([&] { return !log_lines(server, "processed").empty() && log_lines(server, "processed").size() == 2; }));
    CHECK(log_lines(server, "processed").back().at("requeued") == true);
    REQUIRE(eventually([&] {
        auto again = boost::json::parse(http_request(server.port(), "GET", "/api/v1/inbox/failed", {}, api_auth).body);
        return again.at("failed").as_array().size() == 1;
    }));

    CHECK(http_request(server.port(), "POST", "/api/v1/inbox/999/requeue", {}, api_auth).status == 409);
    CHECK(http_request(server.port(), "POST", "/api/v1/inbox/abc/requeue", {}, api_auth).status == 400);
    CHECK(http_request(server.port(), "GET", "/api/v1/inbox/failed?limit=0", {}, api_auth).status == 400);
    CHECK(http_request(server.port(), "GET", "/api/v1/inbox/failed", {}, {}).status == 401);
    CHECK(http_request(server.port(), "POST", requeue, {}, {}).status == 401);
}
