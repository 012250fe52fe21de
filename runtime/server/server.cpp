// The network side of the server, shaped like Beast's async HTTP server example: a listener
// accepts, each session reads one request at a time (a timeout before every read, a body limit
// on every parser), answers it with handle_request(), and keeps the connection while the client
// wants. Signals: SIGINT and SIGTERM stop, SIGHUP reloads the ruleset.
#include "runtime/server/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace switchyard::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr auto read_timeout = std::chrono::seconds(30);

void fail(beast::error_code ec, const char* what) {
    // Peers that go away are normal; everything else is worth a line on stderr.
    if (ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
        return;
    std::cerr << "switchyard serve: " << what << ": " << ec.message() << '\n';
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, Context& context) : stream_(std::move(socket)), context_(context) {}

    void start() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this())); }

private:
    // The header first: a request that may not send its body is answered before the body is read.
    void do_read() {
        parser_.emplace();
        parser_->body_limit(context_.config.body_limit);
        stream_.expires_after(read_timeout);
        http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (ec) return refuse_unreadable(ec);
        bool body_follows = parser_->chunked() || parser_->content_length().value_or(0) > 0;
        if (body_follows)
            if (auto refused = refuse_before_body(parser_->get(), context_)) {
                ++context_.metrics.requests;
                return send_and_close(std::move(*refused));
            }
        // A webhook's body mostly comes in the same read as its header: what is buffered is
        // parsed at once, and only the rest costs another read (the accept path stays one read
        // per request, as before the header was read apart).
        if (parser_->is_done()) return on_read({}, 0);  // no body
        parser_->eager(true);
        beast::error_code parsed;
        buffer_.consume(parser_->put(buffer_.data(), parsed));
        if (parser_->is_done()) return on_read(parsed, 0);
        if (parsed && parsed != http::error::need_more) return refuse_unreadable(parsed);
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return refuse_unreadable(ec);
        auto request = parser_->release();
        send(handle_request(request, context_));
    }

    // A request that cannot be read as HTTP is answered with the status HTTP gives it (431, 413,
    // 400), not by a closed connection; a peer that went away or timed out gets nothing.
    void refuse_unreadable(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            ++context_.metrics.webhooks_too_large;
            return send_error(http::status::payload_too_large,
                              "the body is larger than body_limit (" + std::to_string(context_.config.body_limit) + " bytes)");
        }
        if (ec == http::error::header_limit) return send_error(http::status::request_header_fields_too_large, "the header is too large");
        if (ec.category() == http::make_error_code(http::error::bad_target).category() && ec != http::error::end_of_stream &&
            ec != http::error::partial_message)
            return send_error(http::status::bad_request, "malformed HTTP request: " + ec.message());
        fail(ec, "read");
    }

    void send_error(http::status status, const std::string& message) {
        Response r{status, 11};
        r.set(http::field::content_type, "application/json");
        r.body() = boost::json::serialize(boost::json::object{{"error", message}}) + "\n";
        r.prepare_payload();
        send_and_close(std::move(r));
    }

    // What was not read of the request is still on the connection: it cannot carry another.
    void send_and_close(Response r) {
        r.keep_alive(false);
        send(std::move(r));
    }

    void send(Response response) {
        response_ = std::make_shared<Response>(std::move(response));
        http::async_write(stream_, *response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this(), response_->keep_alive()));
    }

    void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "write");
        if (!keep_alive) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        response_.reset();
        do_read();
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<Response> response_;
    Context& context_;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, tcp::endpoint endpoint, Context& context)
        : io_(io), acceptor_(asio::make_strand(io)), context_(context) {
        try {
            acceptor_.open(endpoint.protocol());
            acceptor_.set_option(asio::socket_base::reuse_address(true));
            acceptor_.bind(endpoint);
            acceptor_.listen(asio::socket_base::max_listen_connections);
        } catch (const boost::system::system_error& e) {
            // Asio names the call, not the address: say which one, and where it is configured.
            std::ostringstream where;
            where << endpoint;
            throw std::runtime_error("cannot listen on " + where.str() + " (`listen` in [server]): " + e.code().message());
        }
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void start() { do_accept(); }
    void stop() {
        beast::error_code ignored;
        acceptor_.close(ignored);
    }

private:
    void do_accept() {
        acceptor_.async_accept(asio::make_strand(io_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }
    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) fail(ec, "accept");
        else std::make_shared<Session>(std::move(socket), context_)->start();
        do_accept();
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    Context& context_;
};

}  // namespace

struct Server::Impl {
    Context& context;
    std::size_t threads;
    asio::io_context io;
    std::shared_ptr<Listener> listener;
    asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
    std::function<void()> on_hangup;

    Impl(Context& c, std::size_t n) : context(c), threads(n), io(static_cast<int>(n)) {
        auto address = asio::ip::make_address(c.config.listen_address);
        listener = std::make_shared<Listener>(io, tcp::endpoint{address, c.config.listen_port}, c);
    }

    void wait_for_signal() {
        signals.async_wait([this](beast::error_code ec, int signal) {
            if (ec) return;
            if (signal == SIGHUP) {
                if (on_hangup) on_hangup();
                wait_for_signal();
                return;
            }
            listener->stop();
            io.stop();
        });
    }
};

Server::Server(Context& context, std::size_t threads) : impl_(std::make_unique<Impl>(context, threads)) {}
Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->listener->port(); }

void Server::run(std::function<void()> on_hangup) {
    impl_->on_hangup = std::move(on_hangup);
    impl_->wait_for_signal();
    impl_->listener->start();
    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < impl_->threads; ++i) pool.emplace_back([this] { impl_->io.run(); });
    impl_->io.run();
    for (auto& t : pool) t.join();
}

void Server::stop() {
    asio::post(impl_->io, [this] {
        impl_->listener->stop();
        impl_->io.stop();
    });
}

}  // namespace switchyard::server
