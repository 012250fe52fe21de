// What the client tests share: results unwrapped with a readable failure, and requests and
// origins for the fake server.
#pragma once

#include "runtime/net/client.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/fake_http.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

namespace switchyard::testing {

inline net::Response response_of(const net::Result& result) {
    if (auto* failure = std::get_if<net::Failure>(&result))
        FAIL("expected a response, got " << net::name_of(failure->kind) << ": " << failure->message);
    return std::get<net::Response>(result);
}

inline net::Failure failure_of(const net::Result& result) {
    if (auto* response = std::get_if<net::Response>(&result))
        FAIL("expected a failure, got a response " << response->status << ": " << response->body);
    return std::get<net::Failure>(result);
}

inline net::Origin origin_of(const FakeHttpServer& server, std::string host = "") {
    bool tls = server.base_url().rfind("https", 0) == 0;
    return {tls, host.empty() ? (tls ? "localhost" : "127.0.0.1") : host, server.port()};
}

inline net::Request post(std::string target, std::string body, std::string content_type = "application/json") {
    net::Request request;
    request.method = net::Method::post;
    request.target = std::move(target);
    request.body = std::move(body);
    request.content_type = std::move(content_type);
    return request;
}

inline net::Request get_request(std::string target) {
    net::Request request;
    request.method = net::Method::get;
    request.target = std::move(target);
    return request;
}

// A handler answering 200 with a body naming the request.
inline Reply echo(const Recorded& call) { return {200, "{\"echo\":\"" + call.method + " " + call.target + "\"}"}; }

}  // namespace switchyard::testing
