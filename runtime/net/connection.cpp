// The outbound side's Beast code (the server's is in runtime/server/server.cpp): resolving,
// connecting, the TLS handshake with its verification, and one request/response exchange.
//
// Everything is blocking from the caller's view but asynchronous underneath: Beast's
// tcp_stream applies its expiry (expires_at / expires_after) to asynchronous operations only,
// so each operation is started asynchronously and the connection's own io_context is run until
// it completes. A deadline that passes closes the socket and completes the operation with
// beast::error::timeout.
#include "runtime/net/connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include <optional>
#include <stdexcept>

namespace switchyard::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
// The request's body is sent from the caller's string as it is: no copy per request.
using Outgoing = http::request<http::span_body<const char>>;

namespace {

// Response headers above this are refused as too_large: the APIs send a few hundred bytes.
constexpr std::uint32_t max_header_bytes = 64 * 1024;

std::string milliseconds(std::chrono::milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

bool is_ip_literal(const std::string& host) {
    beast::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

std::variant<PlainStream, TlsStream> make_stream(asio::io_context& io, bool tls, ssl::context& context) {
    if (tls) return std::variant<PlainStream, TlsStream>(std::in_place_type<TlsStream>, io, context);
    return std::variant<PlainStream, TlsStream>(std::in_place_type<PlainStream>, io);
}

// Asio's host_name_verification refuses a certificate for another host, but OpenSSL's verify
// result would still read "ok" (only the callback objected). Recording the mismatch as the
// verify error lets a wrong host be reported like every other certificate problem.
struct HostCheck {
    ssl::host_name_verification check;
    bool ip;

    bool operator()(bool preverified, ssl::verify_context& context) const {
        bool ok = check(preverified, context);
        if (preverified && !ok)
            X509_STORE_CTX_set_error(context.native_handle(),
                                     ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
        return ok;
    }
};

}  // namespace

struct TlsContext::Impl {
    ssl::context context{ssl::context::tls_client};
};

TlsContext::TlsContext(const std::string& ca_file) : impl(std::make_unique<Impl>()) {
    auto& context = impl->context;
    // TLS 1.2 is the oldest version the messengers' APIs speak, and the oldest without known breaks.
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    context.set_default_verify_paths(ec);
    if (ec) throw std::runtime_error("cannot load the system's trusted certificates: " + ec.message());
    if (!ca_file.empty()) {
        context.load_verify_file(ca_file, ec);
        if (ec) throw std::runtime_error("cannot load ca_file `" + ca_file + "`: " + ec.message());
    }
    context.set_verify_mode(ssl::verify_peer);
}

TlsContext::~TlsContext() = default;

struct Connection::Impl {
    // Declared first so that it is destroyed last: the stream deregisters from it on the way out.
    asio::io_context io{1};
    std::variant<PlainStream, TlsStream> stream;
    beast::flat_buffer buffer;  // kept across requests: its capacity is reused
    bool reusable = false;

    Impl(bool tls, ssl::context& context) : stream(make_stream(io, tls, context)) {}

    beast::tcp_stream& tcp() {
        return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream);
    }

    // Starts one asynchronous operation and runs this connection's io_context until it (and the
    // deadline timer it armed) has completed.
    template <class Start>
    void run(Start&& start) {
        io.restart();
        start();
        io.run();
    }
};

namespace {

// Tries every address the name resolves to (a name may have IPv6 and IPv4 ones, and a server
// listen on one only), all within one deadline.
std::optional<Failure> connect(Connection::Impl& c, const Origin& origin, Clock::time_point deadline,
                               const ClientOptions& options, std::atomic<std::size_t>& opened) {
    tcp::resolver resolver(c.io);
    beast::error_code ec;
    auto endpoints = resolver.resolve(origin.host, std::to_string(origin.port), tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty())
        return Failure{FailureKind::resolve, "cannot resolve `" + origin.host + "`: " + (ec ? ec.message() : "no addresses")};
    auto& stream = c.tcp();
    std::string refusals;
    for (const auto& entry : endpoints) {
        stream.expires_at(deadline);
        c.run([&] { stream.async_connect(entry.endpoint(), [&](beast::error_code e) { ec = e; }); });
        if (!ec) {
            ++opened;
            stream.expires_never();
            // Requests go out in one write, but a delayed ACK must never hold one back.
            stream.socket().set_option(tcp::no_delay(true), ec);
            return std::nullopt;
        }
        if (ec == beast::error::timeout)
            return Failure{FailureKind::connect, "connecting to " + to_string(origin) + " timed out after " +
                                                     milliseconds(options.connect_timeout) +
                                                     (refusals.empty() ? "" : refusals + ")")};
        refusals += (refusals.empty() ? " (" : "; ") + entry.endpoint().address().to_string() + ": " + ec.message();
        stream.close();  // the next address may be of the other family: the socket is opened afresh
    }
    return Failure{FailureKind::connect, "cannot connect to " + to_string(origin) + refusals + ")"};
}

// Verification: the chain up to a trusted CA (OpenSSL), then the host name or IP address
// against the certificate's names (HostCheck). SNI is sent for names only: RFC 6066 forbids
// IP literals in it.
std::optional<Failure> handshake(Connection::Impl& c, const Origin& origin, Clock::time_point deadline,
                                 const ClientOptions& options) {
    auto& stream = std::get<TlsStream>(c.stream);
    bool ip = is_ip_literal(origin.host);
    if (!ip && !SSL_set_tlsext_host_name(stream.native_handle(), origin.host.c_str()))
        return Failure{FailureKind::tls_handshake, "cannot use `" + origin.host + "` as the TLS server name"};
    stream.set_verify_callback(HostCheck{ssl::host_name_verification(origin.host), ip});
    beast::error_code ec;
    c.tcp().expires_at(deadline);
    c.run([&] { stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; }); });
    c.tcp().expires_never();
    if (!ec) return std::nullopt;
    if (long verify = SSL_get_verify_result(stream.native_handle()); verify != X509_V_OK)
        return Failure{FailureKind::certificate, std::string("certificate verify failed: ") +
                                                     X509_verify_cert_error_string(verify) + " (" + to_string(origin) + ")"};
    if (ec == beast::error::timeout)
        return Failure{FailureKind::tls_handshake, "TLS handshake with " + to_string(origin) + " timed out after " +
                                                       milliseconds(options.connect_timeout)};
    return Failure{FailureKind::tls_handshake, "TLS handshake with " + to_string(origin) + " failed: " + ec.message()};
}

// The Host header: the port only when it is not the scheme's default (RFC 9110 7.2).
std::string host_header(const Origin& origin) {
    bool default_port = origin.port == (origin.tls ? 443 : 80);
    if (!default_port) return to_string(origin);
    return origin.host.find(':') != std::string::npos ? "[" + origin.host + "]" : origin.host;
}

Outgoing make_message(const Origin& origin, const Request& request) {
    Outgoing message{request.method == Method::get ? http::verb::get : http::verb::post, request.target, 11};
    message.set(http::field::host, host_header(origin));
    message.set(http::field::user_agent, "switchyard");
    if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
    // A caller's header replaces one of ours of the same name; its own repeats are all sent.
    for (const auto& header : request.headers) message.erase(header.name);
    for (const auto& header : request.headers) message.insert(header.name, header.value);
    message.body() = {request.body.data(), request.body.size()};
    message.prepare_payload();
    return message;
}

bool is_http_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_version).category();
}

// Every failure after writing has begun: the request may have arrived, so `sent` is true.
Failure exchange_failure(const beast::error_code& ec, const Origin& origin, const ClientOptions& options, bool reading) {
    std::string where = to_string(origin);
    if (ec == beast::error::timeout)
        return {FailureKind::timeout, "no complete response from " + where + " within request_timeout (" +
                                          milliseconds(options.request_timeout) + ")", true};
    if (ec == http::error::body_limit)
        return {FailureKind::too_large, "the response from " + where + " has a body larger than max_response_bytes (" +
                                            std::to_string(options.max_response_bytes) + " bytes)", true};
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return {FailureKind::too_large, "the response from " + where + " has a header larger than " +
                                            std::to_string(max_header_bytes) + " bytes", true};
    bool cut = ec == http::error::end_of_stream || ec == http::error::partial_message || ec == ssl::error::stream_truncated;
    if (!cut && (is_http_error(ec) || ec.category() == asio::error::get_ssl_category()))
        return {FailureKind::protocol, "malformed response from " + where + ": " + ec.message(), true};
    return {FailureKind::closed, where + " closed the connection " +
                                     (reading ? "before the response was complete" : "while the request was written") +
                                     " (" + ec.message() + ")", true};
}

Response to_response(http::response<http::string_body>&& message) {
    Response response;
    response.status = static_cast<int>(message.result_int());
    response.content_type = std::string(message[http::field::content_type]);
    response.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    response.body = std::move(message.body());
    return response;
}

template <class Stream>
Result write_and_read(Connection::Impl& c, Stream& stream, const Origin& origin, const Request& request,
                      const ClientOptions& options) {
    auto message = make_message(origin, request);
    beast::error_code ec;
    c.tcp().expires_after(options.request_timeout);  // one deadline for the write and the read
    c.run([&] { http::async_write(stream, message, [&](beast::error_code e, std::size_t) { ec = e; }); });
    if (ec) return exchange_failure(ec, origin, options, false);
    for (;;) {
        http::response_parser<http::string_body> parser;
        parser.header_limit(max_header_bytes);
        parser.body_limit(options.max_response_bytes);
        c.run([&] { http::async_read(stream, c.buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; }); });
        if (ec) return exchange_failure(ec, origin, options, true);
        int status = static_cast<int>(parser.get().result_int());
        // Interim answers (100 Continue, 103 Early Hints) precede the real one; 101 ends HTTP.
        if (status >= 100 && status < 200 && status != 101) continue;
        c.tcp().expires_never();
        c.reusable = parser.keep_alive() && status != 101 && c.buffer.size() == 0;
        return to_response(parser.release());
    }
}

}  // namespace

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

Opened Connection::open(const Origin& origin, TlsContext& tls, const ClientOptions& options,
                        std::atomic<std::size_t>& opened) {
    auto impl = std::make_unique<Impl>(origin.tls, tls.impl->context);
    auto deadline = Clock::now() + options.connect_timeout;  // connect and handshake together
    if (auto failure = connect(*impl, origin, deadline, options, opened)) return std::move(*failure);
    if (origin.tls)
        if (auto failure = handshake(*impl, origin, deadline, options)) return std::move(*failure);
    return std::make_unique<Connection>(std::move(impl));
}

Result Connection::exchange(const Origin& origin, const Request& request, const ClientOptions& options) {
    impl_->reusable = false;
    return std::visit([&](auto& stream) { return write_and_read(*impl_, stream, origin, request, options); }, impl_->stream);
}

bool Connection::reusable() const { return impl_->reusable; }

bool Connection::quiet() {
    if (impl_->buffer.size() != 0) return false;
    if (auto* tls = std::get_if<TlsStream>(&impl_->stream); tls && SSL_pending(tls->native_handle()) > 0) return false;
    pollfd descriptor{impl_->tcp().socket().native_handle(), POLLIN, 0};
    return ::poll(&descriptor, 1, 0) == 0;
}

}  // namespace switchyard::net
