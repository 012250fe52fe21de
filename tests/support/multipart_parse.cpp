#include "tests/support/multipart_parse.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace switchyard::testing {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// Parameters after the first `;` of a header value: key=value or key="quoted value".
std::map<std::string, std::string> parameters(std::string_view value) {
    std::map<std::string, std::string> out;
    std::size_t pos = value.find(';');
    while (pos != std::string_view::npos && pos < value.size()) {
        ++pos;
        std::size_t equals = value.find('=', pos);
        if (equals == std::string_view::npos) break;
        std::string key = lower(trim(value.substr(pos, equals - pos)));
        pos = equals + 1;
        if (pos < value.size() && value[pos] == '"') {
            std::size_t close = value.find('"', pos + 1);
            if (close == std::string_view::npos) close = value.size();
            out[key] = std::string(value.substr(pos + 1, close - pos - 1));
            pos = value.find(';', close);
        } else {
            std::size_t end = value.find(';', pos);
            out[key] = std::string(trim(value.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos)));
            pos = end;
        }
    }
    return out;
}

// Names and file names carry quotes and line breaks percent-encoded (RFC 7578 section 2).
std::string percent_decoded(std::string text) {
    for (auto [from, to] : {std::pair{"%22", "\""}, {"%0D", "\r"}, {"%0A", "\n"}, {"%0d", "\r"}, {"%0a", "\n"}}) {
        for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1)) text.replace(at, 3, to);
    }
    return text;
}

std::optional<std::string> boundary_of(std::string_view content_type) {
    std::string type = lower(content_type);
    if (type.rfind("multipart/form-data", 0) != 0) return std::nullopt;
    auto params = parameters(content_type);
    auto it = params.find("boundary");
    if (it == params.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

// One part's header block (without the blank line that ends it) into `part`.
std::optional<std::string> read_headers(std::string_view block, ParsedPart& part) {
    bool disposition = false;
    while (!block.empty()) {
        std::size_t end = block.find("\r\n");
        std::string_view line = block.substr(0, end);
        block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return "a part's header line has no colon: `" + std::string(line) + "`";
        std::string name = lower(trim(line.substr(0, colon)));
        std::string_view value = trim(line.substr(colon + 1));
        if (name == "content-type") part.content_type = std::string(value);
        if (name != "content-disposition") continue;
        if (lower(value).rfind("form-data", 0) != 0) return "a Content-Disposition is not form-data: `" + std::string(value) + "`";
        auto params = parameters(value);
        if (!params.count("name")) return "a Content-Disposition has no name: `" + std::string(value) + "`";
        part.name = percent_decoded(params["name"]);
        if (params.count("filename")) part.filename = percent_decoded(params["filename"]);
        disposition = true;
    }
    if (!disposition) return std::string("a part has no Content-Disposition");
    return std::nullopt;
}

}  // namespace

std::variant<std::vector<ParsedPart>, std::string> multipart_parse(std::string_view content_type, std::string_view body) {
    auto boundary = boundary_of(content_type);
    if (!boundary) return "`" + std::string(content_type) + "` is not multipart/form-data with a boundary";
    const std::string delimiter = "--" + *boundary, separator = "\r\n" + delimiter;
    std::size_t pos = 0;
    if (body.substr(0, delimiter.size()) != delimiter) {  // a preamble before the first boundary is allowed
        pos = body.find(separator);
        if (pos == std::string_view::npos) return std::string("the body has no opening boundary");
        pos += 2;
    }
    pos += delimiter.size();
    std::vector<ParsedPart> parts;
    for (;;) {
        if (body.substr(pos, 2) == "--") return parts;  // the closing boundary; an epilogue may follow
        if (body.substr(pos, 2) != "\r\n") return "no line break after the boundary at byte " + std::to_string(pos);
        pos += 2;
        std::size_t headers_end = body.substr(pos, 2) == "\r\n" ? pos : body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) return "part " + std::to_string(parts.size() + 1) + " has no end of headers";
        ParsedPart part;
        if (auto error = read_headers(body.substr(pos, headers_end - pos), part)) return *error;
        std::size_t data_start = headers_end + (headers_end == pos ? 2 : 4);
        std::size_t next = body.find(separator, data_start);
        if (next == std::string_view::npos) return "part " + std::to_string(parts.size() + 1) + " is not closed by a boundary";
        part.data = std::string(body.substr(data_start, next - data_start));
        parts.push_back(std::move(part));
        pos = next + separator.size();
    }
}

}  // namespace switchyard::testing
