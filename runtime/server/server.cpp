// The network side of the server, shaped like Beast's async HTTP server example: a listener
// accepts, each session reads one request at a time (a timeout before every read, a body limit
// on every parser), answers it with handle_request(), and keeps the connection while the client
// wants. Signals: SIGINT and SIGTERM stop, SIGHUP reloads the ruleset.
#include "runtime/server/server.hpp"

#include "common/clock.hpp"
#include "common/thread_name.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
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

// Peers that go away are normal; everything else is worth a line, rate-limited, since anybody
// on the network can cause it.
void fail(Context& context, beast::error_code ec, const char* what) {
    if (ec == asio::error::operation_aborted || ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::error::broken_pipe)
        return;
    if (context.log) context.log->write_noise(log::Level::warn, what, {{"reason", ec.message()}});
    else std::cerr << "switchyard serve: " << what << ": " << ec.message() << '\n';
}

// The connections open, against [server] max_connections. The listener stops accepting at the
// cap (the system's backlog holds the next ones) rather than accept a connection it would not
// serve; the end of a connection resumes it.
class Gate {
public:
    Gate(std::size_t cap, Metrics& metrics) : cap_(cap), metrics_(metrics) {}

    // Called by the listener before each accept: true when it must wait for `resume`.
    bool pause_if_full() {
        std::lock_guard lock(mutex_);
        if (open_ < cap_) return false;
        paused_ = true;
        ++metrics_.accept_pauses;
        return true;
    }
    void opened() {
        std::lock_guard lock(mutex_);
        ++open_;
        ++metrics_.connections_open;
    }
    void closed() {
        std::function<void()> resume;
        {
            std::lock_guard lock(mutex_);
            --open_;
            --metrics_.connections_open;
            if (paused_) {
                paused_ = false;
                resume = resume_;
            }
        }
        if (resume) resume();
    }
    void on_resume(std::function<void()> resume) {
        std::lock_guard lock(mutex_);
        resume_ = std::move(resume);
    }
    std::size_t open() {
        std::lock_guard lock(mutex_);
        return open_;
    }

private:
    std::mutex mutex_;
    std::size_t cap_;
    Metrics& metrics_;
    std::size_t open_ = 0;
    bool paused_ = false;
    std::function<void()> resume_;
};

// A session's place under the cap, given back when the session ends.
class Slot {
public:
    explicit Slot(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) { gate_->opened(); }
    ~Slot() { gate_->closed(); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

private:
    std::shared_ptr<Gate> gate_;
};

// The path of a request as its log line shows it: without the query (a Wazzup `?secret=`, a
// download link's signature), and for a download link without the file's name, which may name
// the customer (`/files/<sha256>/…`).
std::string_view loggable_path(std::string_view target) {
    auto path = target.substr(0, target.find('?'));
    constexpr std::string_view files = "/files/";
    if (!path.starts_with(files)) return path;
    auto name = path.find('/', files.size());
    return name == std::string_view::npos ? path : path.substr(0, name);
}

// `/webhooks/tg` -> `tg`: the integration a request was for, for its log line.
std::string_view integration_of(std::string_view path) {
    constexpr std::string_view webhooks = "/webhooks/";
    return path.starts_with(webhooks) ? path.substr(webhooks.size()) : std::string_view{};
}

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket&& socket, Context& context, std::shared_ptr<Gate> gate)
        : slot_(std::move(gate)), stream_(std::move(socket)), context_(context) {}

    void start() { asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this())); }

private:
    // The header first: a request that may not send its body is answered before the body is read.
    void do_read() {
        parser_.emplace();
        parser_->body_limit(context_.config.body_limit);
        // One deadline for the whole request, header and body ([server] request_timeout), and
        // for the wait for the next request on a kept-alive connection: a client that sends
        // slowly, or not at all, gives its connection back.
        stream_.expires_after(std::chrono::milliseconds(context_.config.request_timeout_ms));
        http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_header, shared_from_this()));
    }

    void on_header(beast::error_code ec, std::size_t) {
        if (ec) return refuse_unreadable(ec);
        started_ = std::chrono::steady_clock::now();
        bool body_follows = parser_->chunked() || parser_->content_length().value_or(0) > 0;
        if (body_follows)
            if (auto refused = refuse_before_body(parser_->get(), context_)) {
                ++context_.metrics.requests;
                log_request(parser_->get(), *refused);
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
        auto request = std::make_shared<const Request>(parser_->release());
        handle_request_async(request, context_, [self = shared_from_this(), request](MakeResponse make) {
            // From the store's thread for a webhook: back to this session's strand, where the
            // response is made.
            asio::dispatch(self->stream_.get_executor(), [self, request, make = std::move(make)] {
                auto response = make();
                self->log_request(*request, response);
                self->send(std::move(response));
            });
        });
    }

    // A line per request: what was asked (loggable_path), the answer and how long it took;
    // never a header or the body. Refusals of
    // credentials are noise anybody can make, and rate-limited.
    void log_request(const Request& request, const Response& response) {
        auto* log = context_.log;
        bool refused = response.result() == http::status::unauthorized;
        if (!log || (!refused && !log->logs_requests())) return;
        auto path = loggable_path(std::string_view(request.target().data(), request.target().size()));
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
        // The fields are made in an arena on this stack, not with an allocation for each key
        // and value: a webhook's line is made on the accept path.
        unsigned char arena_bytes[1024];
        boost::json::monotonic_resource arena(arena_bytes, sizeof arena_bytes);
        boost::json::object fields({{"method", std::string_view(request.method_string().data(), request.method_string().size())},
                                    {"path", path},
                                    {"status", static_cast<int>(response.result_int())},
                                    {"duration_us", micros.count()},
                                    {"bytes", request.body().size()}},
                                   &arena);
        if (auto integration = integration_of(path); !integration.empty()) fields["integration"] = integration;
        if (refused) {
            fields["peer"] = peer();
            log->write_noise(log::Level::warn, "request", std::move(fields));
        } else {
            log->write(response.result_int() >= 500 ? log::Level::error : log::Level::info, "request", fields);
        }
    }

    std::string peer() {
        beast::error_code ec;
        auto endpoint = stream_.socket().remote_endpoint(ec);
        return ec ? std::string("unknown") : endpoint.address().to_string();
    }

    // A request that cannot be read as HTTP is answered with the status HTTP gives it (431, 413,
    // 400), not by a closed connection; a peer that went away or timed out gets nothing.
    void refuse_unreadable(beast::error_code ec) {
        bool malformed = ec.category() == http::make_error_code(http::error::bad_target).category() &&
                         ec != http::error::end_of_stream && ec != http::error::partial_message;
        if (ec != http::error::body_limit && ec != http::error::header_limit && !malformed) return fail(context_, ec, "read");
        if (context_.log)
            context_.log->write_noise(log::Level::warn, "unreadable_request", {{"reason", ec.message()}, {"peer", peer()}});
        if (ec == http::error::body_limit) {
            ++context_.metrics.webhooks_too_large;
            return send_error(http::status::payload_too_large,
                              "the body is larger than body_limit (" + std::to_string(context_.config.body_limit) + " bytes)");
        }
        if (ec == http::error::header_limit) return send_error(http::status::request_header_fields_too_large, "the header is too large");
        send_error(http::status::bad_request, "malformed HTTP request: " + ec.message());
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
        if (ec) return fail(context_, ec, "write");
        if (!keep_alive) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        response_.reset();
        do_read();
    }

    Slot slot_;  // first: the place is given back after the socket is closed
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<Response> response_;
    Context& context_;
    std::chrono::steady_clock::time_point started_;
};

class Listener : public std::enable_shared_from_this<Listener> {
public:
    Listener(asio::io_context& io, tcp::endpoint endpoint, Context& context)
        : io_(io),
          acceptor_(asio::make_strand(io)),
          retry_(acceptor_.get_executor()),
          context_(context),
          gate_(std::make_shared<Gate>(context.config.max_connections, context.metrics)) {
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
    void start() {
        std::weak_ptr<Listener> self = shared_from_this();
        gate_->on_resume([self] {
            if (auto listener = self.lock()) asio::post(listener->acceptor_.get_executor(), [listener] { listener->do_accept(); });
        });
        do_accept();
    }
    void stop() {
        beast::error_code ignored;
        acceptor_.close(ignored);
        retry_.cancel();
    }

private:
    void do_accept() {
        if (!acceptor_.is_open() || gate_->pause_if_full()) return;  // a session's end resumes
        acceptor_.async_accept(asio::make_strand(io_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
    }

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) return after_failed_accept(ec);
        if (backoff_.count() != 0) {
            backoff_ = {};
            if (context_.log) context_.log->write(log::Level::warn, "accepting_again", {{"connections", gate_->open()}});
        }
        std::make_shared<Session>(std::move(socket), context_, gate_)->start();
        do_accept();
    }

    // Out of file descriptors (or kernel memory), accepting again at once fails again at once:
    // wait, longer each time, until a connection ends and frees one. Said once per episode.
    // Other failures (a peer that reset before it was accepted) concern one connection only.
    void after_failed_accept(beast::error_code ec) {
        bool exhausted = ec == asio::error::no_descriptors || ec.value() == ENFILE || ec == asio::error::no_buffer_space ||
                         ec == asio::error::no_memory;
        if (!exhausted) {
            fail(context_, ec, "accept");
            return do_accept();
        }
        if (backoff_.count() == 0) {
            ++context_.metrics.accept_pauses;
            if (context_.log)
                context_.log->write(log::Level::error, "accept_paused", {{"reason", ec.message()}, {"connections", gate_->open()}});
            else
                std::cerr << "switchyard serve: accept: " << ec.message() << ": pausing accepts\n";
        }
        backoff_ = std::min<std::chrono::milliseconds>(backoff_.count() == 0 ? std::chrono::milliseconds(10) : backoff_ * 2,
                                                       std::chrono::seconds(1));
        retry_.expires_after(backoff_);
        retry_.async_wait([self = shared_from_this()](beast::error_code waited) {
            if (!waited) self->do_accept();
        });
    }

    asio::io_context& io_;
    tcp::acceptor acceptor_;
    asio::steady_timer retry_;  // on the acceptor's strand
    Context& context_;
    std::shared_ptr<Gate> gate_;
    std::chrono::milliseconds backoff_{0};  // none: accepting normally
};

}  // namespace

struct Server::Impl {
    Context& context;
    std::size_t threads;
    asio::io_context io;
    std::shared_ptr<Listener> listener;
    asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
    asio::steady_timer sampler{io};  // the figures of /metrics into context.metrics_history
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
            sampler.cancel();
            io.stop();
        });
    }

    // A sample now, and the next one an interval later; a cancelled timer ends the chain. A
    // store that fails skips the sample and is reported as a request's failure is (logged
    // when the problem starts or changes, /healthz unhealthy), not every 10 s.
    void sample_metrics() {
        try {
            context.metrics_history.record(common::wall_clock_ms(), metrics_text(context));
        } catch (const store::StoreError& e) {
            context.storage.failed(e.what(), e.reason(), context.log);
        } catch (const std::exception& e) {
            if (context.log) context.log->write(log::Level::error, "metrics_sample_failed", {{"reason", e.what()}});
        }
        sampler.expires_after(metrics_sample_interval);
        sampler.async_wait([this](beast::error_code ec) {
            if (!ec) sample_metrics();
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
    asio::post(impl_->io, [this] { impl_->sample_metrics(); });
    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < impl_->threads; ++i)
        pool.emplace_back([this] {
            common::name_this_thread("sy-io");
            impl_->io.run();
        });
    impl_->io.run();
    for (auto& t : pool) t.join();
}

void Server::stop() {
    asio::post(impl_->io, [this] {
        impl_->listener->stop();
        impl_->sampler.cancel();
        impl_->io.stop();
    });
}

}  // namespace switchyard::server
