#include "runtime/adapters/files.hpp"

#include "runtime/adapters/text.hpp"

#include <array>
#include <optional>
#include <utility>

namespace switchyard::adapters::detail {

namespace {

// The extensions and MIME types met in messenger traffic. The first entry of a MIME type is
// the extension a file of that type without a name is given.
constexpr std::array<std::pair<std::string_view, std::string_view>, 34> known_types{{
    {"jpg", "image/jpeg"},        {"jpeg", "image/jpeg"},       {"png", "image/png"},
    {"gif", "image/gif"},         {"webp", "image/webp"},       {"bmp", "image/bmp"},
    {"heic", "image/heic"},       {"svg", "image/svg+xml"},     {"mp4", "video/mp4"},
    {"mov", "video/quicktime"},   {"webm", "video/webm"},       {"avi", "video/x-msvideo"},
    {"3gp", "video/3gpp"},        {"mp3", "audio/mpeg"},        {"ogg", "audio/ogg"},
    {"oga", "audio/ogg"},         {"opus", "audio/opus"},       {"m4a", "audio/mp4"},
    {"wav", "audio/wav"},         {"aac", "audio/aac"},         {"amr", "audio/amr"},
    {"pdf", "application/pdf"},   {"txt", "text/plain"},        {"csv", "text/csv"},
    {"zip", "application/zip"},   {"rar", "application/vnd.rar"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"rtf", "application/rtf"},   {"json", "application/json"},
}};

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// `%D0%B0` -> the bytes; `+` -> space only in a query (`plus_is_space`). A `%` not followed
// by two hex digits is kept as it is.
std::string percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else if (text[i] == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += text[i];
        }
    }
    return out;
}

// A name as percent-decoded when that is UTF-8, else as written: `%C4%EE%EA.pdf` (a name in a
// legacy code page) stays as it is. Events hold UTF-8 only (the store, the API's JSON and the
// rules' strings take them as such), and the link itself is, since it came in JSON.
std::string decoded_name(std::string_view text, bool plus_is_space) {
    std::string decoded = percent_decode(text, plus_is_space);
    if (common::find_invalid_utf8(decoded) == std::string::npos) return decoded;
    return std::string(text);
}

// The value of query parameter `name` in `query` (without the `?`), or nullopt.
std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return decoded_name(pair.substr(eq + 1), true);
    }
    return std::nullopt;
}

}  // namespace

std::string extension_of(std::string_view name) {
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return {};
    std::string_view ext = name.substr(dot + 1);
    if (ext.empty() || ext.size() > 10) return {};
    for (char c : ext)
        if (!is_alnum(c)) return {};
    return ascii_lower(ext);
}

std::string mime_for_extension(std::string_view ext) {
    for (const auto& [e, mime] : known_types)
        if (e == ext) return std::string(mime);
    return {};
}

std::string extension_for_mime(std::string_view mime) {
    std::string lowered = ascii_lower(trim(mime.substr(0, mime.find(';'))));  // `audio/ogg; codecs=opus`
    for (const auto& [ext, m] : known_types)
        if (m == lowered) return std::string(ext);
    return {};
}

std::string kind_for_mime(std::string_view mime) {
    std::string lowered = ascii_lower(mime);
    if (lowered.starts_with("image/")) return "image";
    if (lowered.starts_with("video/")) return "video";
    if (lowered.starts_with("audio/")) return "audio";
    return "document";
}

File make_file(std::string name, std::string mime, std::int64_t size, std::string kind, std::string source) {
    File file;
    file.ext = extension_of(name);
    file.name = std::move(name);
    file.mime = std::move(mime);
    file.size = size;
    // The adapters name kinds as the language does; anything else would be a bug here, and is
    // still a file: `other`.
    file.kind = stdlib::parse_enum<stdlib::FileKind>(kind).value_or(stdlib::FileKind::other);
    file.source = std::move(source);
    return file;
}

std::string file_name_from_uri(std::string_view uri) {
    uri = uri.substr(0, uri.find('#'));
    auto question = uri.find('?');
    std::string_view path = uri.substr(0, question);
    if (question != std::string_view::npos) {
        if (auto name = query_parameter(uri.substr(question + 1), "filename"); name && !name->empty()) return *name;
    }
    // Past `scheme://host`, so that a bare host is not taken for a file name.
    if (auto scheme = path.find("://"); scheme != std::string_view::npos) {
        auto slash = path.find('/', scheme + 3);
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    auto slash = path.rfind('/');
    return decoded_name(slash == std::string_view::npos ? path : path.substr(slash + 1), false);
}

}  // namespace switchyard::adapters::detail
