// Shaped like runtime/server/server.cpp (Beast's async server example): a listener, and one
// session per connection reading a request at a time. A session is a template over its stream
// (plain TCP or TLS over TCP), so both behave the same apart from the handshake.
#include "tests/support/fake_http.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>

namespace switchyard::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Shared = FakeHttpServer::Shared;

// What the sessions share with the server object: it outlives every session (see Impl), and
// every stop of the server.
struct FakeHttpServer::Shared {
    mutable std::mutex mutex;
    std::shared_ptr<const Handler> handler;
    std::vector<Recorded> calls;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> closed{0};

    std::shared_ptr<const Handler> current_handler() const {
        std::lock_guard lock(mutex);
        return handler;
    }
    void record(const Recorded& call) {
        std::lock_guard lock(mutex);
        calls.push_back(call);
    }
};

namespace {

// Large enough for any upload a test makes.
constexpr std::uint64_t max_request_body = 256u << 20;

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

Recorded record_of(const http::request<http::string_body>& request, std::size_t connection) {
    Recorded call;
    call.method = std::string(request.method_string());
    call.target = std::string(request.target());
    for (const auto& field : request) {
        auto& value = call.headers[lower(field.name_string())];
        value += value.empty() ? std::string(field.value()) : ", " + std::string(field.value());
    }
    call.content_type = std::string(request[http::field::content_type]);
    call.body = request.body();
    call.connection = connection;
    return call;
}

http::response<http::string_body> response_of(const Reply& reply, bool keep_alive) {
    http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
    if (!reply.content_type.empty()) response.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) response.insert(name, value);
    response.body() = reply.body;
    response.keep_alive(keep_alive);
    response.prepare_payload();
    return response;
}

// Status line and headers promising the whole body, then only its first half.
std::string truncated_response(const Reply& reply) {
    std::string body = reply.body;
    if (body.size() < 2) body.resize(2, 'x');
    return "HTTP/1.1 " + std::to_string(reply.status) + " Cut\r\nContent-Type: " + reply.content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2);
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    template <class... Args>
    Session(Shared& shared, std::size_t index, Args&&... args)
        : stream_(std::forward<Args>(args)...), timer_(stream_.get_executor()), shared_(shared), index_(index) {}

    void start() {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            read();
        } else {
            stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (!ec) self->read();
            });
        }
    }

private:
    void read() {
        parser_.emplace();
        parser_->body_limit(max_request_body);
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) return;  // the client went away, or sent garbage: the session ends
        const auto& request = parser_->get();
        Recorded call = record_of(request, index_);
        shared_.record(call);
        Reply reply = (*shared_.current_handler())(call);
        bool keep_alive = request.keep_alive();
        if (reply.delay.count() <= 0) return act(std::move(reply), keep_alive);
        timer_.expires_after(reply.delay);
        timer_.async_wait([self = this->shared_from_this(), reply = std::move(reply), keep_alive](beast::error_code e) mutable {
            if (!e) self->act(std::move(reply), keep_alive);
        });
    }

    void act(Reply reply, bool keep_alive) {
        switch (reply.action) {
        case Reply::Action::respond: return respond(reply, keep_alive, false);
        case Reply::Action::respond_then_close: return respond(reply, true, true);
        case Reply::Action::close_before_reply: return close();
        case Reply::Action::close_mid_body: return send_then_close(truncated_response(reply));
        case Reply::Action::raw: return send_then_close(reply.body);
        case Reply::Action::stall: return stall();
        }
    }

    void respond(const Reply& reply, bool keep_alive, bool close_after) {
        auto response = std::make_shared<http::response<http::string_body>>(response_of(reply, keep_alive));
        http::async_write(stream_, *response,
                          [self = this->shared_from_this(), response, keep_alive, close_after](beast::error_code ec, std::size_t) {
                              if (close_after) return self->close();
                              if (!ec && keep_alive) self->read();
                          });
    }

    void send_then_close(std::string text) {
        auto bytes = std::make_shared<std::string>(std::move(text));
        asio::async_write(stream_, asio::buffer(*bytes),
                          [self = this->shared_from_this(), bytes](beast::error_code, std::size_t) { self->close(); });
    }

    // Reads and drops whatever else the client sends, so that the session lives (and the
    // connection stays open) until the client closes or the server stops.
    void stall() {
        stream_.async_read_some(asio::buffer(scratch_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->stall();
        });
    }

    // Abrupt on purpose, TLS included (no close_notify): what a crashing or impatient server does.
    void close() {
        beast::error_code ignored;
        auto& socket = beast::get_lowest_layer(stream_).socket();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        ++shared_.closed;
    }

    Stream stream_;
    asio::steady_timer timer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::array<char, 4096> scratch_{};
    Shared& shared_;
    std::size_t index_;
};

}  // namespace

struct FakeHttpServer::Impl {
    // Declared before the io_context, so that it outlives the sessions it destroys.
    std::optional<ssl::context> tls;
    Shared& shared;
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    tcp::acceptor acceptor{asio::make_strand(io)};
    std::uint16_t port = 0;
    std::vector<std::thread> threads;

    // `port` 0 picks a free port.
    Impl(Shared& s, const std::optional<TlsIdentity>& identity, std::uint16_t wanted_port) : shared(s) {
        if (identity) {
            tls.emplace(ssl::context::tls_server);
            tls->use_certificate_chain(asio::buffer(identity->certificate_pem));
            tls->use_private_key(asio::buffer(identity->private_key_pem), ssl::context::pem);
        }
        tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), wanted_port};
        acceptor.open(endpoint.protocol());
        // Binding the port of a server taken down again: its closed connections may linger.
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        port = acceptor.local_endpoint().port();
    }

    // Stopping the io_context abandons every session where it stands (stalled ones included);
    // destroying it then destroys their handlers, and with them the sessions and their sockets.
    ~Impl() {
        io.stop();
        for (auto& thread : threads) thread.join();
    }

    void run(std::size_t thread_count) {
        accept();
        for (std::size_t i = 0; i < std::max<std::size_t>(thread_count, 1); ++i) threads.emplace_back([this] { io.run(); });
    }

    void accept() {
        acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) start_session(std::move(socket));
            accept();
        });
    }

    void start_session(tcp::socket socket) {
        std::size_t index = shared.connections++;
        if (tls) {
            using Tls = beast::ssl_stream<beast::tcp_stream>;
            std::make_shared<Session<Tls>>(shared, index, std::move(socket), *tls)->start();
        } else {
            std::make_shared<Session<beast::tcp_stream>>(shared, index, std::move(socket))->start();
        }
    }
};

FakeHttpServer::FakeHttpServer(Handler handler, std::optional<TlsIdentity> tls, std::size_t threads)
    : shared_(std::make_unique<Shared>()), tls_(std::move(tls)), threads_(threads) {
    shared_->handler = std::make_shared<const Handler>(std::move(handler));
    start_serving();
}

FakeHttpServer::~FakeHttpServer() = default;

void FakeHttpServer::start_serving() {
    impl_ = std::make_unique<Impl>(*shared_, tls_, port_);
    port_ = impl_->port;
    impl_->run(threads_);
}

void FakeHttpServer::stop_serving() { impl_.reset(); }

void FakeHttpServer::resume_serving() {
    if (!impl_) start_serving();
}

std::uint16_t FakeHttpServer::port() const { return port_; }

std::string FakeHttpServer::base_url() const {
    return (tls_ ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port());
}

std::vector<Recorded> FakeHttpServer::calls() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->calls;
}

std::size_t FakeHttpServer::connections() const { return shared_->connections.load(); }
std::size_t FakeHttpServer::closed_by_server() const { return shared_->closed.load(); }

void FakeHttpServer::set_handler(Handler handler) {
    auto replacement = std::make_shared<const Handler>(std::move(handler));
    std::lock_guard lock(shared_->mutex);
    shared_->handler = std::move(replacement);
}

}  // namespace switchyard::testing
