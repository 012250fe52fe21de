// The client over plain HTTP against the fake server: exchanges, keep-alive and the idle pool,
// and every way a server can fail a request.
#include "net_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace switchyard;
using namespace switchyard::testing;
using Action = Reply::Action;
using Clock = std::chrono::steady_clock;

TEST_CASE("http: a POST arrives with its body, headers and content type, and its response comes back", "[net][http]") {
    FakeHttpServer server([](const Recorded&) {
        return Reply{201, "{\"ok\":true}", "application/json", Action::respond, {}, {{"X-Served-By", "fake"}}};
    });
    net::Client client;
    auto request = post("/bot1:x/sendMessage", "{\"chat_id\":1,\"text\":\"hi\"}");
    request.headers.push_back({"Authorization", "Bearer token"});
    request.headers.push_back({"User-Agent", "switchyard-test/1"});
    request.headers.push_back({"X-Tag", "a"});
    request.headers.push_back({"X-Tag", "b"});
    auto response = response_of(client.send(origin_of(server), request));
    CHECK(response.status == 201);
    CHECK(response.body == "{\"ok\":true}");
    CHECK(response.content_type == "application/json");
    CHECK(std::any_of(response.headers.begin(), response.headers.end(),
                      [](const net::Header& h) { return h.name == "X-Served-By" && h.value == "fake"; }));
    auto calls = server.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].method == "POST");
    CHECK(calls[0].target == "/bot1:x/sendMessage");
    CHECK(calls[0].body == "{\"chat_id\":1,\"text\":\"hi\"}");
    CHECK(calls[0].content_type == "application/json");
    CHECK(calls[0].headers["authorization"] == "Bearer token");
    CHECK(calls[0].headers["user-agent"] == "switchyard-test/1");  // replaces the client's own
    CHECK(calls[0].headers["x-tag"] == "a, b");                    // repeats are all sent
    CHECK(calls[0].headers["host"] == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(calls[0].headers["content-length"] == "25");
}

TEST_CASE("http: the client names itself in User-Agent", "[net][http]") {
    FakeHttpServer server(echo);
    net::Client client;
    response_of(client.send(origin_of(server), post("/", "")));
    CHECK(server.calls()[0].headers["user-agent"] == "switchyard");
}

TEST_CASE("http: get() fetches a whole URL", "[net][http]") {
    FakeHttpServer server(echo);
    net::Client client;
    auto response = response_of(client.get(server.base_url() + "/files/a.txt?x=1"));
    CHECK(response.status == 200);
    CHECK(response.body == "{\"echo\":\"GET /files/a.txt?x=1\"}");
    REQUIRE(server.calls().size() == 1);
    CHECK(server.calls()[0].body.empty());
}

TEST_CASE("http: keep-alive carries many sequential requests on one connection", "[net][http]") {
    FakeHttpServer server(echo);
    net::Client client;
    for (int i = 0; i < 50; ++i) {
        auto response = response_of(client.send(origin_of(server), post("/n/" + std::to_string(i), "{}")));
        CHECK(response.body == "{\"echo\":\"POST /n/" + std::to_string(i) + "\"}");
    }
    CHECK(server.connections() == 1);
    CHECK(client.connections_opened() == 1);
    for (const auto& call : server.calls()) CHECK(call.connection == 0);
    CHECK(client.idle_connections() == 1);
}

TEST_CASE("http: an idle connection the server closed is replaced, and nothing is sent twice", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.body = "{}", .action = Action::respond_then_close}; });
    net::Client client;
    response_of(client.send(origin_of(server), post("/first", "1")));
    REQUIRE(eventually([&] { return server.closed_by_server() == 1; }));
    server.set_handler(echo);
    auto response = response_of(client.send(origin_of(server), post("/second", "2")));
    CHECK(response.body == "{\"echo\":\"POST /second\"}");
    auto calls = server.calls();
    REQUIRE(calls.size() == 2);  // the second request was written once, on the new connection
    CHECK(calls[1].target == "/second");
    CHECK(calls[1].connection == 1);
    CHECK(server.connections() == 2);
    CHECK(client.connections_opened() == 2);
}

TEST_CASE("http: an idle connection older than max_idle_time is closed, not reused", "[net][http]") {
    FakeHttpServer server(echo);
    net::ClientOptions options;
    options.max_idle_time = std::chrono::milliseconds(50);
    net::Client client(options);
    response_of(client.send(origin_of(server), post("/a", "")));
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    response_of(client.send(origin_of(server), post("/b", "")));
    CHECK(server.connections() == 2);
    response_of(client.send(origin_of(server), post("/c", "")));  // this one is young: reused
    CHECK(server.connections() == 2);
}

TEST_CASE("http: no more than max_idle_per_origin connections are kept idle", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.body = "{}", .delay = std::chrono::milliseconds(150)}; });
    net::ClientOptions options;
    options.max_idle_per_origin = 2;
    net::Client client(options);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&] { response_of(client.send(origin_of(server), post("/", ""))); });
    for (auto& t : threads) t.join();
    CHECK(client.connections_opened() == 4);  // four at once need four connections
    CHECK(client.idle_connections() == 2);
}

TEST_CASE("http: max_idle_per_origin 0 keeps no connection", "[net][http]") {
    FakeHttpServer server(echo);
    net::ClientOptions options;
    options.max_idle_per_origin = 0;
    net::Client client(options);
    for (int i = 0; i < 3; ++i) response_of(client.send(origin_of(server), post("/", "")));
    CHECK(server.connections() == 3);
    CHECK(client.idle_connections() == 0);
}

TEST_CASE("http: a 500 is a response, not a failure, and the connection is kept", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{500, "{\"ok\":false,\"description\":\"boom\"}"}; });
    net::Client client;
    auto response = response_of(client.send(origin_of(server), post("/x", "{}")));
    CHECK(response.status == 500);
    CHECK(response.body == "{\"ok\":false,\"description\":\"boom\"}");
    response_of(client.send(origin_of(server), post("/x", "{}")));
    CHECK(server.connections() == 1);
}

TEST_CASE("http: a server closing mid-body is a `closed` failure after sending", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.body = std::string(1000, 'b'), .action = Action::close_mid_body}; });
    net::Client client;
    auto failure = failure_of(client.send(origin_of(server), post("/x", "{}")));
    CHECK(failure.kind == net::FailureKind::closed);
    CHECK(failure.sent);
    CHECK_THAT(failure.message, Catch::Contains("127.0.0.1:" + std::to_string(server.port())) &&
                                    Catch::Contains("before the response was complete"));
    CHECK(server.calls().size() == 1);
    CHECK(client.idle_connections() == 0);
}

TEST_CASE("http: a server closing before replying is a `closed` failure, and the POST is not resent", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.action = Action::close_before_reply}; });
    net::Client client;
    auto failure = failure_of(client.send(origin_of(server), post("/sendMessage", "{\"text\":\"once\"}")));
    CHECK(failure.kind == net::FailureKind::closed);
    CHECK(failure.sent);
    CHECK(server.calls().size() == 1);
    CHECK(server.connections() == 1);
}

TEST_CASE("http: a stalled server is a `timeout` failure within request_timeout", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.action = Action::stall}; });
    net::ClientOptions options;
    options.request_timeout = std::chrono::milliseconds(300);
    net::Client client(options);
    auto start = Clock::now();
    auto failure = failure_of(client.send(origin_of(server), post("/x", "{}")));
    auto elapsed = Clock::now() - start;
    CHECK(failure.kind == net::FailureKind::timeout);
    CHECK(failure.sent);
    CHECK_THAT(failure.message, Catch::Contains("300 ms"));
    CHECK(elapsed >= std::chrono::milliseconds(280));
    CHECK(elapsed < std::chrono::milliseconds(2000));
}

TEST_CASE("http: a delay shorter than request_timeout is waited for", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.body = "late", .delay = std::chrono::milliseconds(100)}; });
    net::ClientOptions options;
    options.request_timeout = std::chrono::milliseconds(2000);
    net::Client client(options);
    CHECK(response_of(client.send(origin_of(server), post("/x", "{}"))).body == "late");
}

TEST_CASE("http: a server stopped with a request stalled ends it cleanly, and the client sees `closed`", "[net][http]") {
    auto server = std::make_unique<FakeHttpServer>([](const Recorded&) { return Reply{.action = Action::stall}; });
    net::Client client;
    auto origin = origin_of(*server);
    std::optional<net::Result> result;
    std::thread sender([&] { result = client.send(origin, post("/x", "{}")); });
    REQUIRE(eventually([&] { return server->calls().size() == 1; }));
    server.reset();
    sender.join();
    REQUIRE(result);
    CHECK(failure_of(*result).kind == net::FailureKind::closed);
}

TEST_CASE("http: connection refused is a `connect` failure naming the address, nothing sent", "[net][http]") {
    std::uint16_t port = 0;
    {
        FakeHttpServer gone(echo);
        port = gone.port();
    }
    net::Client client;
    auto failure = failure_of(client.send({false, "127.0.0.1", port}, post("/", "")));
    CHECK(failure.kind == net::FailureKind::connect);
    CHECK_FALSE(failure.sent);
    CHECK_THAT(failure.message, Catch::Contains("cannot connect to 127.0.0.1:" + std::to_string(port)) &&
                                    Catch::Contains("refused"));
}

namespace {

// A listening socket whose accept queue is full (backlog 0, one connection waiting, none ever
// accepted): Linux drops further SYNs, so a connect to it neither succeeds nor fails.
class FullListener {
public:
    FullListener() {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        REQUIRE(listener_ >= 0);
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), size) == 0);
        REQUIRE(::listen(listener_, 0) == 0);
        REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size) == 0);
        port_ = ntohs(address.sin_port);
        for (int& filler : fillers_) {  // fill the queue; the second may already hang, so don't wait
            filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            ::connect(filler, reinterpret_cast<sockaddr*>(&address), size);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ~FullListener() {
        for (int filler : fillers_) ::close(filler);
        ::close(listener_);
    }
    FullListener(const FullListener&) = delete;
    FullListener& operator=(const FullListener&) = delete;
    std::uint16_t port() const { return port_; }

private:
    int listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int fillers_[2] = {-1, -1};
    std::uint16_t port_ = 0;
};

}  // namespace

TEST_CASE("http: a connect that hangs is a `connect` failure after connect_timeout", "[net][http]") {
    FullListener listener;
    net::ClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(200);
    net::Client client(options);
    auto start = Clock::now();
    auto failure = failure_of(client.send({false, "127.0.0.1", listener.port()}, post("/", "")));
    auto elapsed = Clock::now() - start;
    CHECK(failure.kind == net::FailureKind::connect);
    CHECK_FALSE(failure.sent);
    CHECK_THAT(failure.message, Catch::Contains("timed out after 200 ms"));
    CHECK(elapsed >= std::chrono::milliseconds(180));
    CHECK(elapsed < std::chrono::milliseconds(2000));
}

TEST_CASE("http: a name that does not resolve is a `resolve` failure", "[net][http]") {
    net::Client client;
    auto failure = failure_of(client.send({false, "no-such-host.invalid", 80}, post("/", "")));
    CHECK(failure.kind == net::FailureKind::resolve);
    CHECK_THAT(failure.message, Catch::Contains("`no-such-host.invalid`"));
}

TEST_CASE("http: a body over max_response_bytes is `too_large`, and the next request still works", "[net][http]") {
    FakeHttpServer server([](const Recorded& call) { return Reply{200, std::string(call.target == "/big" ? 4096 : 10, 'z')}; });
    net::ClientOptions options;
    options.max_response_bytes = 1024;
    net::Client client(options);
    auto failure = failure_of(client.send(origin_of(server), post("/big", "")));
    CHECK(failure.kind == net::FailureKind::too_large);
    CHECK_THAT(failure.message, Catch::Contains("max_response_bytes (1024 bytes)"));
    CHECK(response_of(client.send(origin_of(server), post("/small", ""))).body.size() == 10);
    CHECK(server.connections() == 2);  // the first connection was not reused: its body was not read
}

TEST_CASE("http: a response that is not HTTP is a `protocol` failure", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.body = "SMTP ready\r\n\r\n", .action = Action::raw}; });
    net::Client client;
    auto failure = failure_of(client.send(origin_of(server), post("/", "")));
    CHECK(failure.kind == net::FailureKind::protocol);
    CHECK_THAT(failure.message, Catch::Contains("malformed response"));
}

TEST_CASE("http: interim 1xx responses are skipped for the final one", "[net][http]") {
    FakeHttpServer server([](const Recorded&) {
        return Reply{.body = "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                     .action = Action::raw};
    });
    net::Client client;
    auto response = response_of(client.send(origin_of(server), post("/", "")));
    CHECK(response.status == 200);
    CHECK(response.body == "ok");
}

TEST_CASE("http: a request that would be malformed on the wire is refused before connecting", "[net][http]") {
    FakeHttpServer server(echo);
    net::Client client;
    auto injected = post("/", "");
    injected.headers.push_back({"X-Token", "a\r\nX-Evil: 1"});
    auto failure = failure_of(client.send(origin_of(server), injected));
    CHECK(failure.kind == net::FailureKind::protocol);
    CHECK_FALSE(failure.sent);
    CHECK_THAT(failure.message, Catch::Contains("header `X-Token`"));
    CHECK(failure_of(client.send(origin_of(server), post("no-slash", ""))).kind == net::FailureKind::protocol);
    CHECK(failure_of(client.send(origin_of(server), post("/a b", ""))).kind == net::FailureKind::protocol);
    auto bad_name = post("/", "");
    bad_name.headers.push_back({"Bad Name", "x"});
    CHECK(failure_of(client.send(origin_of(server), bad_name)).kind == net::FailureKind::protocol);
    auto huge = post("/", "");
    huge.headers.push_back({"X-Huge", std::string(70000, 'h')});
    CHECK_THAT(failure_of(client.send(origin_of(server), huge)).message, Catch::Contains("longer than 65000 bytes"));
    CHECK(server.connections() == 0);
}

TEST_CASE("http: get() follows redirects, relative ones included", "[net][http]") {
    FakeHttpServer server([](const Recorded& call) {
        if (call.target == "/start") return Reply{.status = 302, .headers = {{"Location", "/middle"}}};
        if (call.target == "/middle") return Reply{.status = 308, .headers = {{"Location", "end?x=1"}}};
        return echo(call);
    });
    net::Client client;
    auto response = response_of(client.get(server.base_url() + "/start"));
    CHECK(response.body == "{\"echo\":\"GET /end?x=1\"}");
    CHECK(server.calls().size() == 3);
}

TEST_CASE("http: get() stops after 3 redirects with a failure naming the chain", "[net][http]") {
    FakeHttpServer server([](const Recorded& call) {
        return Reply{.status = 301, .headers = {{"Location", call.target + "x"}}};
    });
    net::Client client;
    auto failure = failure_of(client.get(server.base_url() + "/r"));
    CHECK(failure.kind == net::FailureKind::protocol);
    CHECK_THAT(failure.message, Catch::Contains("more than 3 redirects") && Catch::Contains("/rxxx -> /rxxxx"));
    CHECK(server.calls().size() == 4);
}

TEST_CASE("http: get() refuses a bad URL or a redirect to another scheme as `invalid_url`", "[net][http]") {
    net::Client client;
    auto failure = failure_of(client.get("ftp://example.com/x"));
    CHECK(failure.kind == net::FailureKind::invalid_url);
    CHECK_THAT(failure.message, Catch::Contains("unsupported scheme `ftp`"));
    FakeHttpServer server([](const Recorded&) { return Reply{.status = 302, .headers = {{"Location", "ftp://files/x"}}}; });
    auto redirected = failure_of(client.get(server.base_url() + "/"));
    CHECK(redirected.kind == net::FailureKind::invalid_url);
    CHECK_THAT(redirected.message, Catch::Contains("redirect from"));
}

TEST_CASE("http: a redirect without Location is returned as it is", "[net][http]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.status = 302, .body = "nowhere"}; });
    net::Client client;
    CHECK(response_of(client.get(server.base_url() + "/")).status == 302);
}

TEST_CASE("http: many threads sending at once all succeed, each on a connection of its own", "[net][http]") {
    FakeHttpServer server(echo, std::nullopt, 4);
    net::Client client;
    constexpr int threads = 8, each = 100;
    std::atomic<int> ok{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < each; ++i) {
                auto target = "/t" + std::to_string(t) + "/" + std::to_string(i);
                auto result = client.send(origin_of(server), post(target, "{}"));
                auto* response = std::get_if<net::Response>(&result);
                if (response && response->body == "{\"echo\":\"POST " + target + "\"}") ++ok;
            }
        });
    for (auto& t : pool) t.join();
    CHECK(ok == threads * each);
    CHECK(server.calls().size() == std::size_t(threads * each));
    CHECK(client.connections_opened() <= std::size_t(threads));
}
