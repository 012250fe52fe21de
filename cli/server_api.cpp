#include "cli/server_api.hpp"

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "runtime/config/config.hpp"

#include <boost/url/url.hpp>

#include <chrono>
#include <cstdlib>
#include <ostream>

namespace switchyard::cli {

namespace {

[[noreturn]] void fail(std::ostream& err, const std::string& message, int code) {
    err << "switchyard: error: " << message << '\n';
    throw Failed{code};
}

// Where a server with this configuration is reached from this machine: a listener on every
// address (0.0.0.0, ::) answers on loopback too.
net::Origin origin_of(const config::Config& config, const std::string& path, std::ostream& err) {
    if (config.listen_port == 0)
        fail(err,
             "`" + path + "` listens on port 0, a free port picked at each start: give --url with the port `switchyard "
             "serve` printed",
             exit_usage);
    std::string host = config.listen_address;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    return net::Origin{false, host, config.listen_port};
}

// The API's refusal in its own words: the body's `error`, or the body itself.
std::string refusal_of(const net::Response& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (!ec && v.is_object())
        if (const auto* e = v.as_object().if_contains("error"); e && e->is_string()) return std::string(e->get_string());
    return r.body;
}

// A person waits for the answer: a server that does not take the connection is said so soon.
net::ClientOptions client_options() {
    net::ClientOptions options;
    options.connect_timeout = std::chrono::seconds(5);
    options.request_timeout = std::chrono::seconds(60);
    return options;
}

}  // namespace

ServerApi::ServerApi(const std::string& config_path, const std::string& url, const std::string& token, std::ostream& err)
    : token_(token), err_(err), client_(client_options()) {
    if (!url.empty()) {
        auto parsed = net::parse_url(url);
        if (const auto* bad = std::get_if<std::string>(&parsed)) fail(err, "--url: " + *bad, exit_usage);
        origin_ = std::get<net::Url>(parsed).origin;
    }
    if (token_.empty())
        if (const char* from_env = std::getenv("SWITCHYARD_API_TOKEN")) token_ = from_env;
    if (!config_path.empty() && (url.empty() || token_.empty())) {
        auto config = read_configuration(config_path, err);
        if (url.empty()) origin_ = origin_of(config, config_path, err);
        if (token_.empty()) token_ = config.api_token;
    }
    if (origin_.host.empty()) fail(err, "say where the server is: --config FILE (its configuration) or --url URL", exit_usage);
    if (token_.empty()) fail(err, "the API needs its token: --token TOKEN, SWITCHYARD_API_TOKEN or --config FILE", exit_usage);
}

std::string ServerApi::address() const { return std::string(origin_.tls ? "https://" : "http://") + net::to_string(origin_); }

boost::json::value ServerApi::get(const std::string& target) { return exchange({net::Method::get, target, {}, {}, {}}); }

boost::json::value ServerApi::post(const std::string& target, std::string body) {
    return exchange({net::Method::post, target, "application/octet-stream", std::move(body), {}});
}

boost::json::value ServerApi::exchange(net::Request request) {
    request.headers.push_back({"Authorization", "Bearer " + token_});
    auto result = client_.send(origin_, request);
    if (const auto* failure = std::get_if<net::Failure>(&result))
        fail(err_, "no answer from the server at " + address() + ": " + failure->message, exit_usage);
    const auto& response = std::get<net::Response>(result);
    if (response.status < 200 || response.status > 299)
        fail(err_, "the server answered " + std::to_string(response.status) + ": " + refusal_of(response), exit_problems);
    boost::system::error_code ec;
    auto v = boost::json::parse(response.body, ec);
    if (ec) fail(err_, "the server at " + address() + " answered with something else than JSON: " + ec.message(), exit_problems);
    return v;
}

std::string api_target(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params) {
    boost::urls::url target;
    target.set_path(path);
    for (const auto& [name, value] : params) target.params().append({name, value});
    return std::string(target.buffer());
}

}  // namespace switchyard::cli
