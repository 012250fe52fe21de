// Reading a multipart/form-data body (RFC 7578) back into its parts, so that a test can check
// what a client uploaded. Written from the RFC, sharing no code with runtime/net/multipart.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace switchyard::testing {

struct ParsedPart {
    std::string name;                     // percent-decoded (%22, %0D, %0A)
    std::optional<std::string> filename;  // present when the part had one; percent-decoded
    std::string content_type;             // empty when the part had no Content-Type
    std::string data;
};

// `content_type` is the request's Content-Type (it carries the boundary). Every part, in order,
// or a sentence saying where the body breaks the format.
std::variant<std::vector<ParsedPart>, std::string> multipart_parse(std::string_view content_type, std::string_view body);

}  // namespace switchyard::testing
