// Reading webhook bodies with Boost.JSON, keeping the path of every value so that a field of
// the wrong type is reported as `message.chat.id: expected an integer`. Internal to the
// adapters.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::adapters::detail {

// Parses a whole body; throws ParseError (`body: invalid JSON at byte 17: ...`) when it is not
// one JSON value.
// `storage`: where the document is built; a webhook's document lives only while it is read, so
// callers give a monotonic buffer on their stack (BodyStorage) and parsing allocates nothing.
boost::json::value parse_body(std::string_view body, boost::json::storage_ptr storage = {});

// A monotonic buffer for one body's document; bodies larger than it spill to the heap.
class BodyStorage {
public:
    BodyStorage() : resource_(buffer_, sizeof buffer_) {}
    BodyStorage(const BodyStorage&) = delete;
    BodyStorage& operator=(const BodyStorage&) = delete;
    boost::json::storage_ptr get() { return &resource_; }

private:
    unsigned char buffer_[16 * 1024];
    boost::json::monotonic_resource resource_;
};

// A value inside a parsed body and where it is. Does not own the value: the body outlives it.
class Node {
public:
    Node(const boost::json::value& value, std::string path) : value_(&value), path_(std::move(path)) {}

    const std::string& path() const { return path_; }
    const boost::json::value& value() const { return *value_; }

    // The member `key` of this object, or nullopt when it is absent or null: messengers leave
    // optional fields out, and a null means the same to us.
    std::optional<Node> find(std::string_view key) const;
    // The member `key`, which must be there (`message.chat: missing`).
    Node at(std::string_view key) const;

    std::int64_t integer() const;  // a JSON integer that fits int64
    std::string string() const;
    bool boolean() const;
    std::vector<Node> items() const;  // the elements of an array, with paths `name[i]`
    const boost::json::object& object() const;

    // Optional members of a given type; absent gives nullopt (or the fallback).
    std::optional<std::int64_t> find_integer(std::string_view key) const;
    std::optional<std::string> find_string(std::string_view key) const;
    bool find_boolean(std::string_view key, bool fallback) const;

    // Throws ParseError with this node's path: `<path>: <what>`.
    [[noreturn]] void fail(std::string_view what) const;

private:
    std::string child_path(std::string_view key) const;

    const boost::json::value* value_;
    std::string path_;  // empty for the body itself
};

// Seconds since the epoch (Telegram `date`) as milliseconds, refusing values that overflow.
std::int64_t seconds_to_ms(const Node& seconds);

}  // namespace switchyard::adapters::detail
