// A request to the server's routes in this process, without sockets (server::handle_request).
#pragma once

#include "runtime/server/server.hpp"

#include <string>
#include <utility>
#include <vector>

namespace switchyard::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline server::Response handle(server::Context& context, server::http::verb verb, const std::string& target,
                               const std::string& body = {}, const Headers& headers = {}) {
    server::Request r{verb, target, 11};
    for (const auto& [name, value] : headers) r.set(name, value);
    r.body() = body;
    r.prepare_payload();
    return server::handle_request(r, context);
}

// The API's credential, as a header.
inline Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

}  // namespace switchyard::testing
