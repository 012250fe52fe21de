#include "runtime/net/multipart.hpp"

#include <random>
#include <string_view>

namespace switchyard::net {

namespace {

// 32 random letters and digits: about 190 bits, so a collision with the data is only
// theoretical; it is checked anyway, since the data may be anything.
std::string random_boundary() {
    static constexpr std::string_view alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    thread_local std::mt19937_64 generator{std::random_device{}()};
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    std::string boundary = "switchyard-";
    for (int i = 0; i < 32; ++i) boundary += alphabet[pick(generator)];
    return boundary;
}

bool occurs_in_any_part(const std::string& boundary, const std::vector<Part>& parts) {
    for (const auto& part : parts) {
        if (part.data.find(boundary) != std::string::npos || part.name.find(boundary) != std::string::npos ||
            part.content_type.find(boundary) != std::string::npos ||
            (part.filename && part.filename->find(boundary) != std::string::npos))
            return true;
    }
    return false;
}

// A quoted-string value of Content-Disposition: a quote or a line break would end the header
// or the value early, so they are percent-encoded.
std::string quoted(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') out += "%22";
        else if (c == '\r') out += "%0D";
        else if (c == '\n') out += "%0A";
        else out += c;
    }
    out += '"';
    return out;
}

// A content type ends at a line break: anything after one would be a header of our making.
std::string_view first_line(std::string_view value) { return value.substr(0, value.find_first_of("\r\n")); }

void append_part(std::string& body, const std::string& boundary, const Part& part) {
    body += "--";
    body += boundary;
    body += "\r\nContent-Disposition: form-data; name=";
    body += quoted(part.name);
    if (part.filename) {
        body += "; filename=";
        body += quoted(*part.filename);
    }
    body += "\r\n";
    std::string_view type = first_line(part.content_type);
    if (type.empty() && part.filename) type = "application/octet-stream";
    if (!type.empty()) {
        body += "Content-Type: ";
        body += type;
        body += "\r\n";
    }
    body += "\r\n";
    body += part.data;
    body += "\r\n";
}

}  // namespace

Multipart multipart(const std::vector<Part>& parts) {
    std::string boundary = random_boundary();
    while (occurs_in_any_part(boundary, parts)) boundary = random_boundary();

    std::size_t size = boundary.size() + 8;
    for (const auto& part : parts) size += part.data.size() + part.name.size() + boundary.size() + 128;
    Multipart out;
    out.body.reserve(size);
    for (const auto& part : parts) append_part(out.body, boundary, part);
    out.body += "--";
    out.body += boundary;
    out.body += "--\r\n";
    out.content_type = "multipart/form-data; boundary=" + boundary;
    return out;
}

}  // namespace switchyard::net
