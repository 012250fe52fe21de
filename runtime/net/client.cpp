// The client: the pool of idle kept-alive connections, the checks that keep a request from
// being written twice or written malformed, and get()'s redirects. The network work itself is
// in connection.cpp.
#include "runtime/net/client.hpp"

#include "runtime/net/connection.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

namespace switchyard::net {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int max_redirects = 3;
// Beast stores a header's name and value with 16-bit lengths (and throws beyond); no server
// takes a header near that long anyway.
constexpr std::size_t max_header_field_bytes = 65000;

struct OriginLess {
    bool operator()(const Origin& a, const Origin& b) const {
        return std::tie(a.tls, a.port, a.host) < std::tie(b.tls, b.port, b.host);
    }
};

// RFC 9110 5.6.2: the characters a header name may have.
bool is_token(std::string_view text) {
    static constexpr std::string_view punctuation = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
               punctuation.find(c) != std::string_view::npos;
    });
}

bool has_line_break_or_nul(std::string_view text) { return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

bool has_space_or_control(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f;
    });
}

// What would make the request malformed on the wire, or let a value smuggle in a header of
// its own (a line break in a token read from configuration): refused before any connection.
std::optional<std::string> unwritable(const Request& request) {
    if (request.target.empty() || request.target.front() != '/')
        return "the target `" + request.target + "` does not start with /";
    if (has_space_or_control(request.target)) return "the target `" + request.target + "` contains a space or a control character";
    if (has_line_break_or_nul(request.content_type)) return "the content type contains a line break or NUL";
    if (request.content_type.size() > max_header_field_bytes) return "the content type is longer than 65000 bytes";
    for (const auto& header : request.headers) {
        if (!is_token(header.name) || header.name.size() > max_header_field_bytes)
            return "`" + header.name.substr(0, 100) + "` is not a valid header name";
        if (has_line_break_or_nul(header.value)) return "the value of header `" + header.name + "` contains a line break or NUL";
        if (header.value.size() > max_header_field_bytes)
            return "the value of header `" + header.name + "` is longer than 65000 bytes";
    }
    return std::nullopt;
}

bool is_redirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

std::optional<std::string> header_value(const Response& response, std::string_view name) {
    for (const auto& header : response.headers) {
        bool same = header.name.size() == name.size() &&
                    std::equal(name.begin(), name.end(), header.name.begin(), [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
                    });
        if (same) return header.value;
    }
    return std::nullopt;
}

}  // namespace

struct Client::Impl {
    ClientOptions options;
    TlsContext tls;  // declared before the pool: connections are closed before it goes
    std::atomic<std::size_t> opened{0};
    mutable std::mutex mutex;
    // Per origin, oldest first; reuse takes the newest (LIFO): it is the least likely to have
    // been closed by the server, and the old ones age out instead of being kept barely alive.
    std::map<Origin, std::vector<std::unique_ptr<Connection>>, OriginLess> idle;

    explicit Impl(ClientOptions o) : options(std::move(o)), tls(options.ca_file) {}

    std::unique_ptr<Connection> pop_newest(const Origin& origin) {
        std::lock_guard lock(mutex);
        auto it = idle.find(origin);
        if (it == idle.end() || it->second.empty()) return nullptr;
        auto connection = std::move(it->second.back());
        it->second.pop_back();
        return connection;
    }

    // Leaves the pool's mutex before the sockets are closed.
    void drop_all(const Origin& origin) {
        std::vector<std::unique_ptr<Connection>> dropped;
        std::lock_guard lock(mutex);
        if (auto it = idle.find(origin); it != idle.end()) dropped.swap(it->second);
    }

    // An idle connection that is young enough and on which the server has said nothing since;
    // the others are closed. Checked outside the lock: a poll(2) each.
    std::unique_ptr<Connection> take_idle(const Origin& origin) {
        while (auto connection = pop_newest(origin)) {
            if (Clock::now() - connection->idle_since > options.max_idle_time) {
                drop_all(origin);  // the ones under it are older still
                return nullptr;
            }
            if (connection->quiet()) return connection;
        }
        return nullptr;
    }

    void put_back(const Origin& origin, std::unique_ptr<Connection> connection) {
        if (options.max_idle_per_origin == 0) return;
        connection->idle_since = Clock::now();
        std::unique_ptr<Connection> evicted;  // closed after the lock is released
        std::lock_guard lock(mutex);
        auto& list = idle[origin];
        if (list.size() >= options.max_idle_per_origin) {
            evicted = std::move(list.front());
            list.erase(list.begin());
        }
        list.push_back(std::move(connection));
    }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Client::~Client() = default;

Result Client::send(const Origin& origin, const Request& request) {
    if (auto problem = unwritable(request))
        return Failure{FailureKind::protocol, "cannot send the request to " + to_string(origin) + ": " + *problem};
    auto connection = impl_->take_idle(origin);
    if (!connection) {
        auto opened = Connection::open(origin, impl_->tls, impl_->options, impl_->opened);
        if (auto* failure = std::get_if<Failure>(&opened)) return std::move(*failure);
        connection = std::move(std::get<std::unique_ptr<Connection>>(opened));
    }
    // From here on the request may reach the server: whatever happens is returned, never retried.
    auto result = connection->exchange(origin, request, impl_->options);
    if (connection->reusable()) impl_->put_back(origin, std::move(connection));
    return result;
}

Result Client::get(std::string_view text) {
    auto parsed = parse_url(text);
    if (auto* error = std::get_if<std::string>(&parsed)) return Failure{FailureKind::invalid_url, std::move(*error)};
    Url url = std::get<Url>(std::move(parsed));
    std::string chain = to_string(url);
    for (int redirects = 0;; ++redirects) {
        Request request;
        request.method = Method::get;
        request.target = url.target;
        auto result = send(url.origin, request);
        auto* response = std::get_if<Response>(&result);
        if (!response || !is_redirect(response->status)) return result;
        auto location = header_value(*response, "location");
        if (!location) return result;  // nowhere to go: the caller sees the 3xx itself
        if (redirects == max_redirects)
            return Failure{FailureKind::protocol, "more than " + std::to_string(max_redirects) + " redirects: " + chain + " -> " + *location, true};
        auto next = resolve_url(url, *location);
        if (auto* error = std::get_if<std::string>(&next))
            return Failure{FailureKind::invalid_url, "redirect from " + to_string(url) + ": " + *error, true};
        url = std::get<Url>(std::move(next));
        chain += " -> " + to_string(url);
    }
}

std::size_t Client::connections_opened() const { return impl_->opened.load(); }

std::size_t Client::idle_connections() const {
    std::lock_guard lock(impl_->mutex);
    std::size_t count = 0;
    for (const auto& [origin, list] : impl_->idle) count += list.size();
    return count;
}

}  // namespace switchyard::net
