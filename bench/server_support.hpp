// What the server and worker benchmarks share (server_bench.cpp, worker_bench.cpp): Telegram
// update bodies, a configuration, the shipped rules as a served ruleset, a temporary storage
// folder, the real server in this process with its worker, and a keep-alive client.
#pragma once

#include "bench/durable_endpoint.hpp"
#include "bench/shipped_rules.hpp"
#include "runtime/config/config.hpp"
#include "runtime/engine/ruleset.hpp"
#include "runtime/server/server.hpp"
#include "runtime/store/store.hpp"
#include "runtime/worker/worker.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace switchyard::bench {

inline const char* telegram_secret = "bench-secret";

// A Telegram `message` update of a private chat, as the Bot API posts it: the chat id is the
// customer's user id.
inline std::string private_update(std::int64_t update, std::int64_t chat) {
    return R"({"update_id": )" + std::to_string(update) + R"(, "message": {"message_id": )" + std::to_string(update) +
           R"(, "date": 1763719200, "chat": {"id": )" + std::to_string(chat) +
           R"(, "type": "private", "first_name": "C"}, "from": {"id": )" + std::to_string(chat) +
           R"(, "is_bot": false, "first_name": "C"}, "text": "hello )" + std::to_string(update) + R"("}})";
}

// A fresh folder under the system's temporary folder, removed with everything in it at the end.
// Named by process and sequence, so that no two benchmarks of one run share storage.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> made{0};
        path_ = std::filesystem::temp_directory_path() /
                ("switchyard-bench-" + std::to_string(::getpid()) + "-" + std::to_string(++made));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// One Telegram bot integration (`tg`), an owner who is its assignee, storage on disk in `dir`.
inline config::Config bench_config(const std::filesystem::path& dir) {
    config::Config c;
    c.listen_address = "127.0.0.1";
    c.listen_port = 0;
    c.storage = (dir / "bench.db").string();
    c.api_token = "bench-token-0123456789";
    config::Employee owner;
    owner.id = 1;
    owner.name = "Owner";
    owner.owner = true;
    c.employees.push_back(owner);
    config::Integration tg;
    tg.id = "tg";
    tg.name = "Bench bot";
    tg.service = config::Service::telegram;
    tg.bot_username = "bench_bot";
    tg.webhook_secret = telegram_secret;
    tg.assignees = {1};
    c.integrations.push_back(tg);
    return c;
}

inline std::shared_ptr<const engine::Ruleset> shipped_ruleset() {
    auto image = shipped_rules();
    auto version = engine::version_of(*image);
    return std::make_shared<const engine::Ruleset>(engine::Ruleset{image, version});
}

// /dev/null, open for writing while it lives: where the benchmark's server writes its log.
struct DevNull {
    int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    DevNull() = default;
    ~DevNull() { ::close(fd); }
    DevNull(const DevNull&) = delete;
    DevNull& operator=(const DevNull&) = delete;
};

// The switchyard server, in this process, with its worker (started when `process`), on a fresh
// storage folder: what `switchyard serve` runs, without the command line, with the durability
// and the log of the default configuration (a JSON line per request, written to /dev/null).
struct Switchyard {
    TempDir dir;
    config::Config config;
    DevNull log_output;
    std::unique_ptr<log::Logger> log;
    std::unique_ptr<store::Store> store;
    engine::RulesetHolder rulesets;
    std::unique_ptr<worker::Worker> worker;
    std::unique_ptr<server::Context> context;
    std::unique_ptr<server::Server> server;
    std::thread thread;

    // `storage`: a PostgreSQL URI instead of a file in `dir` (its files then in `dir`).
    explicit Switchyard(bool process, store::Durability durability = store::Durability::power_loss, std::string storage = "") {
        config = bench_config(dir.path());
        if (!storage.empty()) {
            config.storage = std::move(storage);
            config.files.path = (dir.path() / "files").string();
        }
        log = std::make_unique<log::Logger>(config.log, log_output.fd);
        store = std::make_unique<store::Store>(config.storage, store::current_schema(), store::Options{durability});
        rulesets.swap(shipped_ruleset());
        worker = std::make_unique<worker::Worker>(*store, config, rulesets);
        worker->use_log(log.get());
        if (process) worker->start();
        context = std::make_unique<server::Context>(config, *store, rulesets, [this, process] {
            if (process) worker->wake();
        });
        context->log = log.get();
        server = std::make_unique<server::Server>(*context, 2);
        thread = std::thread([this] { server->run(); });
    }
    ~Switchyard() {
        server->stop();
        thread.join();
        worker->stop();
        worker.reset();
        store.reset();  // before `dir` goes: the files are closed first
    }
    Switchyard(const Switchyard&) = delete;
    Switchyard& operator=(const Switchyard&) = delete;
    std::uint16_t port() const { return server->port(); }
};

// The same, with durability process_crash (docs/configuration.md, `durability`).
struct SwitchyardCrashOnly : Switchyard {
    explicit SwitchyardCrashOnly(bool process) : Switchyard(process, store::Durability::process_crash) {}
};

// One keep-alive connection that posts Telegram updates to /webhooks/tg and waits for each answer.
struct Client {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream{io};
    boost::beast::flat_buffer buffer;
    explicit Client(std::uint16_t port) {
        stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    }
    int post(const std::string& payload) {
        namespace http = boost::beast::http;
        http::request<http::string_body> req{http::verb::post, "/webhooks/tg", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set("X-Telegram-Bot-Api-Secret-Token", telegram_secret);
        req.body() = payload;
        req.prepare_payload();
        http::write(stream, req);
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        return res.result_int();
    }
};

// Where a durable endpoint stores each body: the sink, and the storage behind it, which the
// endpoint keeps alive as long as its threads may call the sink.
struct StoredBy {
    DurableSink sink;
    std::shared_ptr<void> storage;
};

// A bare Beast endpoint: reads a request, answers 200, nothing else. Given where to store, it
// answers once the body is stored there (BareDurableEndpoint, BareStoreEndpoint).
class BareEndpoint {
public:
    explicit BareEndpoint(bool = false) : BareEndpoint(StoredBy{}) {}
    explicit BareEndpoint(StoredBy by)
        : sink_(std::move(by.sink)),
          acceptor_(io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)),
          storage_(std::move(by.storage)) {
        accept();
        for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    }
    ~BareEndpoint() {
        io_.stop();
        for (auto& t : threads_) t.join();
    }
    BareEndpoint(const BareEndpoint&) = delete;
    BareEndpoint& operator=(const BareEndpoint&) = delete;
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    struct Session : std::enable_shared_from_this<Session> {
        boost::beast::tcp_stream stream;
        const DurableSink& sink;
        boost::beast::flat_buffer buffer;
        boost::beast::http::request<boost::beast::http::string_body> request;
        boost::beast::http::response<boost::beast::http::string_body> response;
        Session(boost::asio::ip::tcp::socket s, const DurableSink& k) : stream(std::move(s)), sink(k) {}
        void read() {
            request = {};
            stream.expires_after(std::chrono::seconds(30));
            boost::beast::http::async_read(stream, buffer, request, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                if (ec) return;
                if (!self->sink) return self->answer();
                self->sink(self->request.body(), [self] { boost::asio::post(self->stream.get_executor(), [self] { self->answer(); }); });
            });
        }
        void answer() {
            response = {boost::beast::http::status::ok, request.version()};
            response.set(boost::beast::http::field::content_type, "application/json");
            response.body() = "{\"ok\":true}\n";
            response.keep_alive(request.keep_alive());
            response.prepare_payload();
            boost::beast::http::async_write(stream, response, [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                if (!ec) self->read();
            });
        }
    };
    void accept() {
        acceptor_.async_accept(boost::asio::make_strand(io_), [this](boost::beast::error_code ec, boost::asio::ip::tcp::socket s) {
            if (!ec) std::make_shared<Session>(std::move(s), sink_)->read();
            accept();
        });
    }
    DurableSink sink_;  // first: the sessions that refer to it go with io_
    boost::asio::io_context io_{2};
    boost::asio::ip::tcp::acceptor acceptor_;
    std::vector<std::thread> threads_;
    // Last, so first to go once the threads have stopped: its last answers are posted to the
    // stopped io_ and dropped with it, never to an io_ already destroyed.
    std::shared_ptr<void> storage_;
};

// The bare endpoint made durable (durable_endpoint.hpp): the least any server can do here
// that answers only what survives a power loss.
inline StoredBy journal_at(const std::filesystem::path& file) {
    auto journal = std::make_shared<Journal>(file);
    return {[j = journal.get()](std::string_view body, std::function<void()> stored) { j->append(body, std::move(stored)); },
            journal};
}

// The bare endpoint storing each body through the store's own accept path (Store::accept_async:
// the inbox's SQLite file, group commit, `power_loss`), without the server's routing,
// authentication, metrics and log: between `bare_durable` and `switchyard`, it tells what
// SQLite costs and what the server's own work costs.
inline StoredBy inbox_at(const std::filesystem::path& file) {
    auto store = std::make_shared<store::Store>(file.string(), store::current_schema(), store::Options{store::Durability::power_loss});
    return {[s = store.get()](std::string_view body, std::function<void()> stored) {
                s->accept_async("tg", body, 0, [stored = std::move(stored)](store::Accepted accepted) {
                    if (accepted.error) std::abort();
                    stored();
                });
            },
            store};
}

// The bare endpoint storing into what `at` makes, in a fresh folder.
template <StoredBy (*at)(const std::filesystem::path&)>
struct StoringEndpoint {
    TempDir dir;
    BareEndpoint endpoint{at(dir.path() / "storage")};
    explicit StoringEndpoint(bool = false) {}
    std::uint16_t port() const { return endpoint.port(); }
};
using BareDurableEndpoint = StoringEndpoint<journal_at>;
using BareStoreEndpoint = StoringEndpoint<inbox_at>;

// Closed loop: `clients` connections post `body(n)` (n from `next_update` on) as fast as they
// are answered, for `seconds`; the answers per second.
template <typename Body>
double accept_rate(std::uint16_t port, int clients, double seconds, Body body, std::atomic<std::int64_t>& next_update) {
    std::atomic<std::int64_t> done{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&] {
            Client client(port);
            while (!stop) {
                if (client.post(body(next_update++)) != 200) std::abort();
                ++done;
            }
        });
    auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    return static_cast<double>(done) / std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace switchyard::bench
