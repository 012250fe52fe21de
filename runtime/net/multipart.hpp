// multipart/form-data bodies (RFC 7578): how the Telegram Bot API takes file uploads.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace switchyard::net {

struct Part {
    std::string name;                     // the form field ("chat_id", "document")
    std::optional<std::string> filename;  // present for a file upload
    std::string content_type;             // empty: none is sent (or application/octet-stream for a file)
    std::string data;                     // any bytes
};

struct Multipart {
    std::string content_type;  // "multipart/form-data; boundary=..." for Request::content_type
    std::string body;
};

// The body of `parts`, in order. The boundary is random and checked against every part, so it
// cannot occur in any of them whatever bytes they hold. Quotes and line breaks in names and
// file names are percent-encoded (%22, %0D, %0A), as RFC 7578 section 2 and browsers do.
Multipart multipart(const std::vector<Part>& parts);

}  // namespace switchyard::net
