// The HTTP API of a running `switchyard serve`, for the subcommands that talk to it (`rulesets`):
// where the server is and its token, from its configuration file or given, and one request at a
// time through runtime/net's client.
#pragma once

#include "runtime/net/client.hpp"

#include <boost/json.hpp>

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace switchyard::cli {

class ServerApi {
public:
    // The server at `url` with `token`, or where the configuration file `config` says it listens,
    // with its api_token (a token given, or SWITCHYARD_API_TOKEN, comes first). Throws Failed
    // (exit 2) with the reason on `err` when neither says where, or without a token.
    ServerApi(const std::string& config, const std::string& url, const std::string& token, std::ostream& err);

    // The answer's JSON. Throws Failed with the reason on `err`: no answer (exit 2, naming the
    // address), or an error status (exit 1, with the server's own `error`).
    boost::json::value get(const std::string& target);
    boost::json::value post(const std::string& target, std::string body = {});

    // "http://127.0.0.1:8080"
    std::string address() const;

private:
    boost::json::value exchange(net::Request request);

    net::Origin origin_;
    std::string token_;
    std::ostream& err_;
    net::Client client_;
};

// An API path with its query, each value percent-encoded: "/api/v1/x?by=2&reason=a%20b".
std::string api_target(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params = {});

}  // namespace switchyard::cli
