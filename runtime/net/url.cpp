// URLs in and out (Boost.URL), and the names of the failure kinds.
#include "runtime/net/http.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <charconv>

namespace switchyard::net {

namespace urls = boost::urls;

namespace {

std::string quoted(std::string_view text) { return "`" + std::string(text) + "`"; }

std::variant<std::uint16_t, std::string> port_of(const urls::url_view& url, bool tls, std::string_view text) {
    std::string_view digits = url.port();
    if (digits.empty()) return std::uint16_t(tls ? 443 : 80);  // "http://host:/" is allowed, and means the default
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || value == 0 || value > 65535)
        return "port " + quoted(digits) + " in " + quoted(text) + " is not between 1 and 65535";
    return std::uint16_t(value);
}

// Path and query as sent on the request line; the fragment stays with the client.
std::string target_of(const urls::url_view& url) {
    std::string target(url.encoded_path());
    if (target.empty()) target = "/";
    if (url.has_query()) {
        target += '?';
        target += url.encoded_query();
    }
    return target;
}

std::variant<Url, std::string> from_view(const urls::url_view& url, std::string_view text) {
    Url out;
    if (url.scheme_id() == urls::scheme::https) out.origin.tls = true;
    else if (url.scheme_id() != urls::scheme::http)
        return "unsupported scheme " + quoted(url.scheme()) + " in " + quoted(text) + " (only http and https)";
    if (!url.has_authority() || url.encoded_host().empty()) return quoted(text) + " has no host";
    if (url.host_type() == urls::host_type::ipvfuture) return "the host of " + quoted(text) + " is not an IPv4 or IPv6 address or a name";
    // Credentials in a URL would silently not be sent: say so rather than drop them.
    if (url.has_userinfo()) return quoted(text) + " carries user information (user:password@), which is not supported";
    out.origin.host = url.host_address();
    auto port = port_of(url, out.origin.tls, text);
    if (auto* error = std::get_if<std::string>(&port)) return std::move(*error);
    out.origin.port = std::get<std::uint16_t>(port);
    out.target = target_of(url);
    return out;
}

}  // namespace

std::string to_string(const Origin& origin) {
    bool v6 = origin.host.find(':') != std::string::npos;
    return (v6 ? "[" + origin.host + "]" : origin.host) + ":" + std::to_string(origin.port);
}

std::string to_string(const Url& url) {
    return (url.origin.tls ? "https://" : "http://") + to_string(url.origin) + url.target;
}

std::variant<Url, std::string> parse_url(std::string_view text) {
    auto parsed = urls::parse_uri(text);
    if (!parsed) {
        if (text.find("://") == std::string_view::npos)
            return quoted(text) + " is not an absolute URL (it should start with http:// or https://)";
        return quoted(text) + " is not a valid URL: " + parsed.error().message();
    }
    return from_view(*parsed, text);
}

std::variant<Url, std::string> resolve_url(const Url& base, std::string_view reference) {
    auto ref = urls::parse_uri_reference(reference);
    if (!ref) return quoted(reference) + " is not a valid URL reference: " + ref.error().message();
    std::string base_text = to_string(base);
    auto base_view = urls::parse_uri(base_text);
    if (!base_view) return quoted(base_text) + " is not a valid URL: " + base_view.error().message();
    urls::url resolved;
    if (auto done = urls::resolve(*base_view, *ref, resolved); !done)
        return "cannot resolve " + quoted(reference) + " against " + quoted(base_text) + ": " + done.error().message();
    return from_view(resolved, resolved.buffer());
}

std::string_view name_of(FailureKind kind) {
    switch (kind) {
    case FailureKind::resolve: return "resolve";
    case FailureKind::connect: return "connect";
    case FailureKind::tls_handshake: return "tls_handshake";
    case FailureKind::certificate: return "certificate";
    case FailureKind::timeout: return "timeout";
    case FailureKind::closed: return "closed";
    case FailureKind::protocol: return "protocol";
    case FailureKind::too_large: return "too_large";
    case FailureKind::invalid_url: return "invalid_url";
    }
    return "unknown";
}

}  // namespace switchyard::net
