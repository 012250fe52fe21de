#include "runtime/adapters/json_reader.hpp"

#include "runtime/adapters/adapters.hpp"

#include <limits>

namespace switchyard::adapters::detail {

boost::json::value parse_body(std::string_view body, boost::json::storage_ptr storage) {
    boost::json::parse_options options;
    options.max_depth = 64;  // Telegram nests messages (reply_to_message, pinned_message) a few levels
    boost::json::stream_parser parser(storage, options);
    parser.reset(storage);
    boost::system::error_code ec;
    // write() tells how far it got, so the error can say where the body went wrong.
    std::size_t consumed = parser.write(body.data(), body.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        throw ParseError("body: invalid JSON at byte " + std::to_string(consumed) + ": " + ec.message());
    }
    return parser.release();
}

std::optional<Node> Node::find(std::string_view key) const {
    const auto& members = object();
    auto it = members.find(key);
    if (it == members.end() || it->value().is_null()) return std::nullopt;
    return Node(it->value(), child_path(key));
}

Node Node::at(std::string_view key) const {
    if (auto child = find(key)) return *child;
    throw ParseError(child_path(key) + ": missing");
}

std::int64_t Node::integer() const {
    if (value_->is_int64()) return value_->get_int64();
    // Boost.JSON keeps positive integers above INT64_MAX as uint64: no id is that large.
    if (value_->is_uint64()) fail("integer out of the 64-bit range");
    fail("expected an integer");
}

std::string Node::string() const {
    if (!value_->is_string()) fail("expected a string");
    return std::string(value_->get_string());
}

bool Node::boolean() const {
    if (!value_->is_bool()) fail("expected true or false");
    return value_->get_bool();
}

std::vector<Node> Node::items() const {
    if (!value_->is_array()) fail("expected an array");
    std::vector<Node> out;
    const auto& array = value_->get_array();
    out.reserve(array.size());
    for (std::size_t i = 0; i < array.size(); ++i) out.emplace_back(array[i], path_ + "[" + std::to_string(i) + "]");
    return out;
}

const boost::json::object& Node::object() const {
    if (!value_->is_object()) fail("expected an object");
    return value_->get_object();
}

std::optional<std::int64_t> Node::find_integer(std::string_view key) const {
    if (auto child = find(key)) return child->integer();
    return std::nullopt;
}

std::optional<std::string> Node::find_string(std::string_view key) const {
    if (auto child = find(key)) return child->string();
    return std::nullopt;
}

bool Node::find_boolean(std::string_view key, bool fallback) const {
    if (auto child = find(key)) return child->boolean();
    return fallback;
}

void Node::fail(std::string_view what) const {
    throw ParseError((path_.empty() ? std::string("body") : path_) + ": " + std::string(what));
}

std::string Node::child_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::int64_t seconds_to_ms(const Node& seconds) {
    std::int64_t s = seconds.integer();
    std::int64_t ms = 0;
    if (__builtin_mul_overflow(s, std::int64_t{1000}, &ms)) seconds.fail("time out of range");
    return ms;
}

}  // namespace switchyard::adapters::detail
