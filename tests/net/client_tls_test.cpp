// The client over HTTPS against the fake server presenting certificates of the test CA:
// what verifies, what does not, and why, in OpenSSL's words.
#include "net_support.hpp"

#include <atomic>
#include <fstream>
#include <thread>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

net::ClientOptions trusting_test_ca() {
    net::ClientOptions options;
    options.ca_file = test_ca_file().string();
    return options;
}

}  // namespace

TEST_CASE("https: the test CA verifies its server certificate and rejects the rogue one", "[net][tls][ca]") {
    const auto& ca = test_ca();
    CHECK(ca.ca.certificate_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
    CHECK(ca.server.private_key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
    CHECK(ca.server.certificate_pem != ca.rogue.certificate_pem);
    CHECK(&test_ca() == &ca);  // made once
    std::ifstream file(test_ca_file());
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    CHECK(text == ca.ca.certificate_pem);
}

TEST_CASE("https: POST and GET with the test CA trusted", "[net][tls]") {
    FakeHttpServer server(echo, test_ca().server);
    CHECK(server.base_url() == "https://localhost:" + std::to_string(server.port()));
    net::Client client(trusting_test_ca());
    auto posted = response_of(client.send(origin_of(server), post("/bot1:x/sendMessage", "{\"text\":\"hi\"}")));
    CHECK(posted.body == "{\"echo\":\"POST /bot1:x/sendMessage\"}");
    auto got = response_of(client.get(server.base_url() + "/file/bot1:x/photo.jpg"));
    CHECK(got.body == "{\"echo\":\"GET /file/bot1:x/photo.jpg\"}");
    auto calls = server.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].body == "{\"text\":\"hi\"}");
    CHECK(calls[0].headers["host"] == "localhost:" + std::to_string(server.port()));
}

TEST_CASE("https: keep-alive carries many requests on one TLS connection", "[net][tls]") {
    FakeHttpServer server(echo, test_ca().server);
    net::Client client(trusting_test_ca());
    for (int i = 0; i < 30; ++i) response_of(client.send(origin_of(server), post("/n", std::to_string(i))));
    CHECK(server.connections() == 1);
    CHECK(client.connections_opened() == 1);
}

TEST_CASE("https: an idle TLS connection the server closed is replaced", "[net][tls]") {
    FakeHttpServer server([](const Recorded&) { return Reply{.body = "{}", .action = Reply::Action::respond_then_close}; },
                          test_ca().server);
    net::Client client(trusting_test_ca());
    response_of(client.send(origin_of(server), post("/1", "")));
    REQUIRE(eventually([&] { return server.closed_by_server() == 1; }));
    server.set_handler(echo);
    CHECK(response_of(client.send(origin_of(server), post("/2", ""))).body == "{\"echo\":\"POST /2\"}");
    CHECK(server.calls().size() == 2);
    CHECK(server.connections() == 2);
}

TEST_CASE("https: the certificate's DNS and IP names both verify: localhost and 127.0.0.1", "[net][tls]") {
    FakeHttpServer server(echo, test_ca().server);
    net::Client client(trusting_test_ca());
    CHECK(response_of(client.send(origin_of(server, "localhost"), post("/", ""))).status == 200);
    CHECK(response_of(client.send(origin_of(server, "127.0.0.1"), post("/", ""))).status == 200);
    CHECK(server.calls()[1].headers["host"] == "127.0.0.1:" + std::to_string(server.port()));
}

TEST_CASE("https: a self-signed rogue certificate is a `certificate` failure with OpenSSL's reason", "[net][tls]") {
    FakeHttpServer server(echo, test_ca().rogue);
    net::Client client(trusting_test_ca());
    auto failure = failure_of(client.send(origin_of(server), post("/", "secret")));
    CHECK(failure.kind == net::FailureKind::certificate);
    CHECK_FALSE(failure.sent);
    CHECK(failure.message == "certificate verify failed: self-signed certificate (localhost:" + std::to_string(server.port()) + ")");
    CHECK(server.calls().empty());
}

TEST_CASE("https: without the test CA, its certificate does not verify", "[net][tls]") {
    FakeHttpServer server(echo, test_ca().server);
    net::Client client;  // system trust store only
    auto failure = failure_of(client.send(origin_of(server), post("/", "")));
    CHECK(failure.kind == net::FailureKind::certificate);
    CHECK_THAT(failure.message, Catch::StartsWith("certificate verify failed: unable to get local issuer certificate"));
    CHECK(server.calls().empty());
}

TEST_CASE("https: a certificate of the trusted CA for another host is refused, by name and by IP", "[net][tls]") {
    FakeHttpServer server(echo, test_ca().elsewhere);
    net::Client client(trusting_test_ca());
    auto by_name = failure_of(client.send(origin_of(server, "localhost"), post("/", "")));
    CHECK(by_name.kind == net::FailureKind::certificate);
    CHECK_THAT(by_name.message, Catch::Contains("hostname mismatch"));
    auto by_ip = failure_of(client.send(origin_of(server, "127.0.0.1"), post("/", "")));
    CHECK(by_ip.kind == net::FailureKind::certificate);
    CHECK_THAT(by_ip.message, Catch::Contains("IP address mismatch"));
    CHECK(server.calls().empty());
}

TEST_CASE("https: TLS to a plain HTTP server is a `tls_handshake` failure, not a certificate one", "[net][tls]") {
    FakeHttpServer server(echo);  // no TLS
    net::Client client(trusting_test_ca());
    auto failure = failure_of(client.send({true, "127.0.0.1", server.port()}, post("/", "")));
    CHECK(failure.kind == net::FailureKind::tls_handshake);
    CHECK_FALSE(failure.sent);
    CHECK_THAT(failure.message, Catch::StartsWith("TLS handshake with 127.0.0.1:" + std::to_string(server.port()) + " failed"));
}

TEST_CASE("https: a server closing mid-body is `closed`, a stalled one `timeout`", "[net][tls]") {
    FakeHttpServer server(
        [](const Recorded& call) {
            if (call.target == "/cut") return Reply{.body = std::string(500, 'c'), .action = Reply::Action::close_mid_body};
            return Reply{.action = Reply::Action::stall};
        },
        test_ca().server);
    auto options = trusting_test_ca();
    options.request_timeout = std::chrono::milliseconds(300);
    net::Client client(options);
    CHECK(failure_of(client.send(origin_of(server), post("/cut", ""))).kind == net::FailureKind::closed);
    CHECK(failure_of(client.send(origin_of(server), post("/stall", ""))).kind == net::FailureKind::timeout);
}

TEST_CASE("https: a ca_file that cannot be read stops the client from being made", "[net][tls]") {
    net::ClientOptions options;
    options.ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS_WITH(net::Client(options), Catch::Contains("cannot load ca_file `/nonexistent/ca.pem`"));
}

TEST_CASE("https: many threads sending at once all succeed", "[net][tls]") {
    FakeHttpServer server(echo, test_ca().server, 4);
    net::Client client(trusting_test_ca());
    constexpr int threads = 6, each = 50;
    std::atomic<int> ok{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < each; ++i) {
                auto result = client.send(origin_of(server), post("/", "{}"));
                if (auto* response = std::get_if<net::Response>(&result); response && response->status == 200) ++ok;
            }
        });
    for (auto& t : pool) t.join();
    CHECK(ok == threads * each);
    CHECK(client.connections_opened() <= std::size_t(threads));
}
