// How many requests per second the client makes over keep-alive on loopback: hidden ([.]),
// since the number depends on the machine; run it by hand with
// `switchyard_net_tests "[throughput]" -s`. The fake server shares the machine's cores.
#include "net_support.hpp"

#include <atomic>
#include <thread>

using namespace switchyard;
using namespace switchyard::testing;

namespace {

double requests_per_second(FakeHttpServer& server, net::Client& client, int threads, int each) {
    std::atomic<int> ok{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            auto request = post("/bot1:x/sendMessage", "{\"chat_id\":1,\"text\":\"hello\"}");
            for (int i = 0; i < each; ++i) {
                auto result = client.send(origin_of(server), request);
                if (std::holds_alternative<net::Response>(result)) ++ok;
            }
        });
    for (auto& t : pool) t.join();
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    CHECK(ok == threads * each);
    return ok / elapsed.count();
}

Reply ok(const Recorded&) { return {200, "{\"ok\":true,\"result\":{}}"}; }

}  // namespace

TEST_CASE("throughput: requests per second over keep-alive, HTTP and HTTPS", "[.][throughput]") {
    for (int threads : {1, 4}) {
        FakeHttpServer plain(ok, std::nullopt, 2);
        net::Client plain_client;
        WARN("http, " << threads << " threads: " << requests_per_second(plain, plain_client, threads, 20000 / threads) << " requests/s");
        FakeHttpServer tls(ok, test_ca().server, 2);
        net::ClientOptions options;
        options.ca_file = test_ca_file().string();
        net::Client tls_client(options);
        WARN("https, " << threads << " threads: " << requests_per_second(tls, tls_client, threads, 20000 / threads) << " requests/s");
    }
}
